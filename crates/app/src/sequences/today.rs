//! Today: the rep's work queue of due calls, manual emails, LinkedIn touches and tasks, and the
//! one-keystroke way of marking each done. People who can be called now (inside working hours on
//! a weekday where they are) come first, then by step kind, score and due time.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use prospector_core::Invalid;
use prospector_core::records::DispositionList;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::sequence::schedule::local_instant;
use prospector_core::sequence::{Event, SendingWindow};
use prospector_store::records::activities::Subject;
use prospector_store::records::catalogues;
use prospector_store::sequences::{self, StepEnd, WorkItemRow};
use uuid::Uuid;

use super::engine::{load_sequence, tz_of};
use crate::records::require_records;
use crate::{Actor, App, AppError, AppResult};

/// The most items Today loads.
pub const TODAY_LIMIT: i64 = 5_000;

/// One thing to do now.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The open step with the person.
    pub row: WorkItemRow,
    /// Inside working hours on a weekday in the person's time zone.
    pub callable_now: bool,
    /// The person's local time, `HH:MM`.
    pub local_time: String,
}

/// The rep's day so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DayCounts {
    /// Calls logged.
    pub calls: i64,
    /// Calls that reached the person.
    pub connects: i64,
    /// Emails sent (automatic and manual).
    pub emails: i64,
    /// Meetings booked.
    pub meetings: i64,
}

/// The Today list.
#[derive(Debug, Clone)]
pub struct Today {
    /// In working order.
    pub items: Vec<WorkItem>,
    /// The day's numbers.
    pub counts: DayCounts,
    /// The call outcomes, in keyboard order (1 is the first).
    pub dispositions: DispositionList,
}

/// How a rep finished an item.
#[derive(Debug, Clone, Default)]
pub struct DoneInput {
    /// For calls: the disposition code (required).
    pub disposition: Option<String>,
    /// What happened.
    pub note: Option<String>,
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "call" => 0,
        "manual_email" => 1,
        "linkedin" => 2,
        _ => 3,
    }
}

/// Whether someone in `tz` can be called at `now`: a weekday, inside the default window.
fn callable(now: DateTime<Utc>, tz: chrono_tz::Tz) -> (bool, String) {
    let local = now.with_timezone(&tz);
    let window = SendingWindow::default();
    let t = local.time();
    let weekday = !matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
    (
        weekday && t >= window.start() && t < window.end(),
        format!("{:02}:{:02}", t.hour(), t.minute()),
    )
}

impl App {
    /// The actor's Today list: open steps due by the end of their local day.
    pub async fn today(&self, actor: &Actor) -> AppResult<Today> {
        require_records(actor)?;
        let owner = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("Today is a rep's own list".into()))?;
        let now = self.now();
        let mut reader = self.store().reader();
        let tz = tz_of(actor.as_user().map(|u| u.time_zone.as_str()));
        let local_day = now.with_timezone(&tz).date_naive();
        let day_start = local_instant(tz, local_day.and_time(NaiveTime::MIN));
        let day_end = day_start + Duration::days(1);
        let rows = sequences::open_work(&mut reader, owner, day_end, TODAY_LIMIT).await?;
        let mut items: Vec<WorkItem> = rows
            .into_iter()
            .map(|row| {
                let (callable_now, local_time) = callable(now, tz_of(row.time_zone.as_deref()));
                WorkItem {
                    callable_now: callable_now && !(row.do_not_call && row.execution.kind == "call"),
                    local_time,
                    row,
                }
            })
            .collect();
        items.sort_by(|a, b| {
            b.callable_now
                .cmp(&a.callable_now)
                .then(kind_rank(&a.row.execution.kind).cmp(&kind_rank(&b.row.execution.kind)))
                .then(b.row.score.cmp(&a.row.score))
                .then(a.row.execution.due_at.cmp(&b.row.execution.due_at))
        });
        let mut counts = DayCounts::default();
        for (kind, status, outcome, connect, n) in
            sequences::day_counts(&mut reader, owner, day_start).await?
        {
            match (kind.as_str(), status.as_str()) {
                ("call", "done") => {
                    counts.calls += n;
                    if connect {
                        counts.connects += n;
                    }
                }
                ("automatic_email", "sent") | ("manual_email", "done") => counts.emails += n,
                _ => {}
            }
            if outcome.as_deref() == Some("meeting_booked") {
                counts.meetings += n;
            }
        }
        let dispositions = catalogues::dispositions(&mut reader).await?;
        Ok(Today {
            items,
            counts,
            dispositions,
        })
    }

    /// Marks an open step done: a call with its disposition (logged on the person's timeline), a
    /// manual email, LinkedIn touch or task as done. The enrollment moves on to its next step; a
    /// booked meeting finishes it and moves the lead to Qualifying.
    pub async fn complete_work_item(&self, actor: &Actor, id: Uuid, input: DoneInput) -> AppResult<()> {
        require_records(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let x = sequences::execution(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("work item".into()))?;
        if Some(x.owner_id) != actor.user_id() && actor.role() != prospector_core::role::Role::Admin {
            return Err(AppError::Forbidden("this item is on another rep's list".into()));
        }
        if x.status != "open" {
            return Err(AppError::Conflict {
                code: "already_done",
                message: format!("this step is already {}", x.status),
                field: None,
            });
        }
        let note = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let mut disposition = None;
        let mut connect = false;
        if x.kind == "call" {
            let code = input
                .disposition
                .as_deref()
                .ok_or_else(|| Invalid::new("disposition", "required", "choose how the call went"))?;
            let list = catalogues::dispositions(&mut tx).await?;
            let d = list.require(code)?.clone();
            connect = d.counts_as_connect;
            let detail = ActivityDetail::Call {
                disposition: d.code.clone(),
                duration_seconds: None,
                notes: note.map(str::to_owned),
            };
            self.append_activity(&mut tx, actor, Subject::Person(x.person_id), None, detail, now)
                .await?;
            disposition = Some(d.code);
        } else if x.kind == "linkedin" {
            let detail = ActivityDetail::Linkedin {
                notes: note.map(str::to_owned),
            };
            self.append_activity(&mut tx, actor, Subject::Person(x.person_id), None, detail, now)
                .await?;
        }
        let end = StepEnd {
            status: "done",
            outcome: disposition.as_deref(),
            is_connect: connect,
            note,
            at: now,
        };
        if !sequences::finish_execution(&mut tx, id, end).await? {
            return Err(AppError::Conflict {
                code: "already_done",
                message: "this step was just done by someone else".into(),
                field: None,
            });
        }
        let mut row = sequences::enrollment(&mut tx, x.enrollment_id)
            .await?
            .ok_or_else(|| AppError::NotFound("enrollment".into()))?;
        let seq = load_sequence(&mut tx, row.sequence_id).await?;
        let event = if disposition.as_deref() == Some("meeting_booked") {
            Event::MeetingBooked { at: now }
        } else {
            Event::StepDone {
                at: now,
                step: usize::try_from(x.step_index).unwrap_or(usize::MAX),
            }
        };
        if row.status != "finished" {
            self.apply_event(&mut tx, actor, &mut row, &seq, &event, now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
