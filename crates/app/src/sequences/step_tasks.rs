//! A manual step that comes due (call, manual email, LinkedIn, generic task) is also a follow-up
//! task, so it shows in the due and overdue lists and on the person's tasks, not only on Today.
//!
//! The step execution stays the source of truth for the sequence; the task is kept in step with it
//! in the same transaction: the store closes the task whenever the step is done, skipped or
//! cancelled (Today, a pause, the enrollment finishing), and closing the task from the task list
//! carries the step out here.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{TaskPriority, TaskStatus};
use prospector_core::sequence::{Event, StepKind};
use prospector_store::WriteTx;
use prospector_store::records::TaskId;
use prospector_store::records::activities::Subject;
use prospector_store::records::people::Person;
use prospector_store::records::tasks::{self, Task};
use prospector_store::sequences::{self, ExecutionRow, StepEnd};

use super::engine::load_sequence;
use crate::{Actor, App, AppError, AppResult};

/// What the task list says a step is, e.g. "Call Ada Lovelace".
fn task_title(kind: &str, person: &Person) -> String {
    let verb = match kind {
        "call" => "Call",
        "manual_email" => "Email",
        "linkedin" => "LinkedIn touch with",
        _ => "Sequence task for",
    };
    let name = person.full_name();
    let who = if name.trim().is_empty() {
        person
            .email
            .as_ref()
            .map_or("this person", |e| e.as_str())
            .to_owned()
    } else {
        name
    };
    format!("{verb} {who}")
}

/// Opens the follow-up task for the manual step `x`, which the sweep just recorded.
pub(crate) async fn open_step_task(
    tx: &mut WriteTx,
    x: &ExecutionRow,
    person: &Person,
    sequence_name: &str,
    script: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let step = format!("{sequence_name}, step {}", x.step_index + 1);
    let notes = match script.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("{step}.\n\n{s}"),
        None => format!("{step}."),
    };
    let task = Task {
        id: TaskId::new_at(now),
        title: task_title(&x.kind, person),
        notes: Some(notes),
        due_at: x.due_at,
        priority: TaskPriority::Normal,
        status: TaskStatus::Open,
        owner_id: Some(x.owner_id),
        person_id: Some(x.person_id),
        account_id: None,
        opportunity_id: None,
        completed_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
        step_execution_id: Some(x.id),
    };
    tasks::insert(tx, &task).await?;
    Ok(())
}

impl App {
    /// The task of a sequence step moved from `before` to `after` on the task list: done carries
    /// the step out and cancelled skips it, and either way the enrollment moves on; a call is
    /// done only with its outcome (from Today), and a step already carried out is not reopened.
    pub(crate) async fn step_task_changed(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        before: &Task,
        after: &Task,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(xid) = after.step_execution_id else {
            return Ok(());
        };
        if before.status == after.status {
            return Ok(());
        }
        let Some(x) = sequences::execution(tx, xid).await? else {
            return Ok(());
        };
        if after.status == TaskStatus::Open {
            return Err(AppError::Conflict {
                code: "step_closed",
                message: format!(
                    "this sequence step is already {}; the sequence has moved on",
                    x.status
                ),
                field: Some("status".into()),
            });
        }
        if x.status != "open" {
            return Ok(());
        }
        if after.status == TaskStatus::Done && x.kind == StepKind::Call.code() {
            return Err(Invalid::new(
                "status",
                "disposition_required",
                "a call step is done when its outcome is logged: log the call on Today",
            )
            .into());
        }
        let (status, note) = match after.status {
            TaskStatus::Done => ("done", "done from the task list"),
            _ => ("skipped", "cancelled from the task list"),
        };
        let end = StepEnd {
            status,
            outcome: None,
            is_connect: false,
            note: Some(note),
            at: now,
        };
        if !sequences::finish_execution(tx, xid, end).await? {
            return Ok(());
        }
        // As on Today: a LinkedIn touch done is on the person's timeline.
        if after.status == TaskStatus::Done && x.kind == StepKind::Linkedin.code() {
            let detail = ActivityDetail::Linkedin {
                notes: after.notes.clone(),
            };
            self.append_activity(tx, actor, Subject::Person(x.person_id), None, detail, now)
                .await?;
        }
        let Some(mut row) = sequences::enrollment(tx, x.enrollment_id).await? else {
            return Ok(());
        };
        if row.status == "finished" {
            return Ok(());
        }
        let seq = load_sequence(tx, row.sequence_id).await?;
        let event = Event::StepDone {
            at: now,
            step: usize::try_from(x.step_index).unwrap_or(usize::MAX),
        };
        self.apply_event(tx, actor, &mut row, &seq, &event, now).await?;
        Ok(())
    }
}
