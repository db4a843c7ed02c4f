//! Today: the rep's work queue of due calls, manual emails, LinkedIn touches and tasks, and the
//! one-keystroke way of marking each done. People who can be called now (inside their sequence's
//! sending window, on one of its open days, where they are) come first, then by step kind, score
//! and due time. The order and the page are cut in SQL: only the few (sequence, time zone) groups
//! are judged here, so a list of thousands costs a grouped count and one short read.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use prospector_core::Invalid;
use prospector_core::records::DispositionList;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::sequence::schedule::{is_open_day, local_instant};
use prospector_core::sequence::{Event, SequenceSettings};
use prospector_store::records::activities::Subject;
use prospector_store::records::catalogues;
use prospector_store::sequences::{self, StepEnd, WorkCursor, WorkItemRow, WorkPage};
use uuid::Uuid;

use super::engine::{load_sequence, tz_of};
use crate::records::require_records;
use crate::{Actor, App, AppError, AppResult};

/// Items on one page of Today unless asked otherwise.
pub const TODAY_PAGE: i64 = 50;
/// The most items one page may hold.
pub const TODAY_MAX_PAGE: i64 = 500;

/// One thing to do now.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The open step with the person.
    pub row: WorkItemRow,
    /// Inside the sequence's sending window on an open day in the person's time zone (and not a
    /// call to someone marked do-not-call).
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

/// Which page of Today to read.
#[derive(Debug, Clone, Default)]
pub struct TodayRequest {
    /// The `next` cursor of the page before; none for the first page.
    pub after: Option<String>,
    /// Page size (default [`TODAY_PAGE`], at most [`TODAY_MAX_PAGE`]).
    pub limit: Option<i64>,
}

/// One page of the Today list.
#[derive(Debug, Clone)]
pub struct Today {
    /// In working order.
    pub items: Vec<WorkItem>,
    /// Everything still to do today, on every page.
    pub total: i64,
    /// Of them, people inside their sequence's hours now.
    pub callable: i64,
    /// Cursor for the next page, when there is one.
    pub next: Option<String>,
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

/// Whether someone in `tz` may be touched at `now` under `settings`: inside the sending window on
/// an open day (business day, not a holiday) of their local calendar.
pub(crate) fn callable_at(now: DateTime<Utc>, tz: chrono_tz::Tz, settings: &SequenceSettings) -> bool {
    let local = now.with_timezone(&tz);
    let window = settings.sending_window;
    let t = local.time();
    is_open_day(local.date_naive(), settings) && t >= window.start() && t < window.end()
}

fn local_time(now: DateTime<Utc>, zone: Option<&str>) -> String {
    let t = now.with_timezone(&tz_of(zone)).time();
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `callable.kind.score.due_micros.id`: opaque to clients, checked when read back.
fn encode_cursor(c: &WorkCursor) -> String {
    format!(
        "{}.{}.{}.{}.{}",
        c.callable_rank,
        c.kind_rank,
        c.score,
        c.due_at.timestamp_micros(),
        c.id.simple()
    )
}

fn decode_cursor(raw: &str) -> Result<WorkCursor, Invalid> {
    let bad = || Invalid::new("after", "invalid_cursor", "not a cursor from a Today page");
    let parts: Vec<&str> = raw.trim().split('.').collect();
    let [callable, kind, score, due, id] = parts.as_slice() else {
        return Err(bad());
    };
    Ok(WorkCursor {
        callable_rank: callable.parse().map_err(|_| bad())?,
        kind_rank: kind.parse().map_err(|_| bad())?,
        score: score.parse().map_err(|_| bad())?,
        due_at: due
            .parse()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(bad)?,
        id: id.parse().map_err(|_| bad())?,
    })
}

impl App {
    /// One page of the actor's Today list: open steps due by the end of their local day.
    pub async fn today(&self, actor: &Actor, request: &TodayRequest) -> AppResult<Today> {
        require_records(actor)?;
        let owner = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("Today is a rep's own list".into()))?;
        let limit = request.limit.unwrap_or(TODAY_PAGE);
        if !(1..=TODAY_MAX_PAGE).contains(&limit) {
            return Err(Invalid::new(
                "limit",
                "out_of_range",
                format!("a page holds 1 to {TODAY_MAX_PAGE} items"),
            )
            .into());
        }
        let after = request.after.as_deref().map(decode_cursor).transpose()?;
        let now = self.now();
        let mut reader = self.store().reader();
        let tz = tz_of(actor.as_user().map(|u| u.time_zone.as_str()));
        let local_day = now.with_timezone(&tz).date_naive();
        let day_start = local_instant(tz, local_day.and_time(NaiveTime::MIN));
        let day_end = day_start + Duration::days(1);

        let groups = sequences::open_work_groups(&mut reader, owner, day_end).await?;
        let mut settings: HashMap<Uuid, SequenceSettings> = HashMap::new();
        let mut callable_groups = Vec::new();
        let (mut total, mut callable) = (0, 0);
        for g in groups {
            if let Entry::Vacant(slot) = settings.entry(g.sequence_id) {
                let seq = load_sequence(&mut reader, g.sequence_id).await?;
                slot.insert(seq.def.settings().clone());
            }
            total += g.count;
            let open = settings
                .get(&g.sequence_id)
                .is_some_and(|s| callable_at(now, tz_of(g.time_zone.as_deref()), s));
            if open {
                callable += g.count;
                callable_groups.push((g.sequence_id, g.time_zone));
            }
        }
        let page = WorkPage {
            owner,
            until: day_end,
            callable: &callable_groups,
            after: after.as_ref(),
            limit: limit + 1,
        };
        let mut rows = sequences::open_work_page(&mut reader, &page).await?;
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = more.then(|| rows.last().map(|(_, c)| encode_cursor(c))).flatten();
        let items = rows
            .into_iter()
            .map(|(row, cursor)| WorkItem {
                callable_now: cursor.callable_rank == 0,
                local_time: local_time(now, row.time_zone.as_deref()),
                row,
            })
            .collect();
        let counts = self.day_counts(&mut reader, owner, day_start).await?;
        let dispositions = catalogues::dispositions(&mut reader).await?;
        Ok(Today {
            items,
            total,
            callable,
            next,
            counts,
            dispositions,
        })
    }

    async fn day_counts(
        &self,
        reader: &mut impl prospector_store::Exec,
        owner: prospector_core::ids::UserId,
        day_start: DateTime<Utc>,
    ) -> AppResult<DayCounts> {
        let mut counts = DayCounts::default();
        for (kind, status, outcome, connect, n) in sequences::day_counts(reader, owner, day_start).await? {
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
        Ok(counts)
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
