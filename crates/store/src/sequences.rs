//! Outbound storage: email templates, sequences and steps, enrollments, step executions and the
//! suppression list. The state machine lives in `core::sequence`; an enrollment row keeps its
//! JSON (`machine`) plus copies of the fields the sweep and the pages query by.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use prospector_core::sequence::StepDraft;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, Row, query};
use crate::records::PersonId;

mod batch;
mod today;
pub use batch::{insert_closed_executions, update_enrollments};
pub use today::{WorkCursor, WorkGroup, WorkPage, open_work_groups, open_work_page};

// ---- templates -------------------------------------------------------------------------------

/// An email template as stored (its source was checked when saved).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TemplateRow {
    /// Stable id, e.g. `default_intro`.
    pub id: String,
    /// Name shown in lists.
    pub name: String,
    /// Subject source.
    pub subject: String,
    /// Body source.
    pub body: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn decode_template(r: &Row) -> StoreResult<TemplateRow> {
    Ok(TemplateRow {
        id: r.get("id")?,
        name: r.get("name")?,
        subject: r.get("subject")?,
        body: r.get("body")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Inserts or replaces a template; `only_if_absent` keeps an existing one (seeding defaults).
pub async fn put_template(ex: &mut impl Exec, t: &TemplateRow, only_if_absent: bool) -> StoreResult<()> {
    let on_conflict = if only_if_absent {
        "DO NOTHING"
    } else {
        "DO UPDATE SET name = excluded.name, subject = excluded.subject, body = excluded.body, \
         updated_at = excluded.updated_at"
    };
    ex.execute(
        query(format!(
            "INSERT INTO email_templates (id, name, subject, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) {on_conflict}"
        ))
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(t.created_at)
        .bind(t.updated_at),
    )
    .await?;
    Ok(())
}

/// One template.
pub async fn template(ex: &mut impl Exec, id: &str) -> StoreResult<Option<TemplateRow>> {
    ex.fetch_optional(query("SELECT * FROM email_templates WHERE id = $1").bind(id))
        .await?
        .as_ref()
        .map(decode_template)
        .transpose()
}

/// All templates by name.
pub async fn templates(ex: &mut impl Exec) -> StoreResult<Vec<TemplateRow>> {
    ex.fetch_all(query("SELECT * FROM email_templates ORDER BY name, id"))
        .await?
        .iter()
        .map(decode_template)
        .collect()
}

// ---- sequences -------------------------------------------------------------------------------

/// A sequence with its steps (drafts as stored; the app parses them into a definition).
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceRow {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `SequenceSettings` JSON.
    pub settings: serde_json::Value,
    /// The shipped default cadence.
    pub is_default: bool,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// The steps in order.
    pub steps: Vec<StepDraft>,
}

/// Inserts a sequence and its steps; returns false when it is a second default (already seeded).
pub async fn insert_sequence(ex: &mut impl Exec, s: &SequenceRow) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "INSERT INTO sequences (id, name, settings, is_default, created_by, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(s.id)
            .bind(&s.name)
            .bind(s.settings.clone())
            .bind(s.is_default)
            .bind(s.created_by)
            .bind(s.created_at)
            .bind(s.updated_at)
            .bind(s.version),
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    insert_steps(ex, s.id, &s.steps).await?;
    Ok(true)
}

async fn insert_steps(ex: &mut impl Exec, id: Uuid, steps: &[StepDraft]) -> StoreResult<()> {
    for (i, step) in steps.iter().enumerate() {
        ex.execute(
            query(
                "INSERT INTO sequence_steps (sequence_id, position, kind, day_offset, template_id, script, \
                 handbook_page, handbook_anchor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .bind(&step.kind)
            .bind(step.day_offset)
            .bind(step.template_id.clone())
            .bind(step.script.clone())
            .bind(step.handbook_page.clone())
            .bind(step.handbook_anchor.clone()),
        )
        .await?;
    }
    Ok(())
}

/// Replaces a sequence's name, settings and steps if it is still at `version`; false when stale.
pub async fn update_sequence(ex: &mut impl Exec, s: &SequenceRow, version: i64) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "UPDATE sequences SET name = $1, settings = $2, updated_at = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5",
            )
            .bind(&s.name)
            .bind(s.settings.clone())
            .bind(s.updated_at)
            .bind(s.id)
            .bind(version),
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    ex.execute(query("DELETE FROM sequence_steps WHERE sequence_id = $1").bind(s.id))
        .await?;
    insert_steps(ex, s.id, &s.steps).await?;
    Ok(true)
}

fn decode_step(r: &Row) -> StoreResult<StepDraft> {
    Ok(StepDraft {
        kind: r.get("kind")?,
        day_offset: r.get("day_offset")?,
        template_id: r.get("template_id")?,
        script: r.get("script")?,
        handbook_page: r.get("handbook_page")?,
        handbook_anchor: r.get("handbook_anchor")?,
    })
}

fn decode_sequence(r: &Row) -> StoreResult<SequenceRow> {
    Ok(SequenceRow {
        id: r.get("id")?,
        name: r.get("name")?,
        settings: r.get("settings")?,
        is_default: r.get("is_default")?,
        created_by: r.get("created_by")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        version: r.get("version")?,
        steps: Vec::new(),
    })
}

/// One sequence with its steps.
pub async fn sequence(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<SequenceRow>> {
    let Some(row) = ex
        .fetch_optional(query("SELECT * FROM sequences WHERE id = $1").bind(id))
        .await?
    else {
        return Ok(None);
    };
    let mut s = decode_sequence(&row)?;
    s.steps = ex
        .fetch_all(query("SELECT * FROM sequence_steps WHERE sequence_id = $1 ORDER BY position").bind(id))
        .await?
        .iter()
        .map(decode_step)
        .collect::<StoreResult<_>>()?;
    Ok(Some(s))
}

/// Every sequence (without steps), the default first, then by name.
pub async fn sequences(ex: &mut impl Exec) -> StoreResult<Vec<SequenceRow>> {
    ex.fetch_all(query(
        "SELECT * FROM sequences ORDER BY is_default DESC, name, id",
    ))
    .await?
    .iter()
    .map(decode_sequence)
    .collect()
}

/// How many enrollments of each status a sequence has.
pub async fn enrollment_counts(ex: &mut impl Exec, sequence_id: Uuid) -> StoreResult<Vec<(String, i64)>> {
    ex.fetch_all(
        query(
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM enrollments WHERE sequence_id = $1 GROUP BY status",
        )
        .bind(sequence_id),
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("status")?, r.get("n")?)))
    .collect()
}

/// Per-step results of a sequence: (step index, status, outcome, is_connect, count).
pub async fn step_results(
    ex: &mut impl Exec,
    sequence_id: Uuid,
) -> StoreResult<Vec<(i64, String, Option<String>, bool, i64)>> {
    ex.fetch_all(
        query(
            "SELECT step_index, status, outcome, is_connect, CAST(COUNT(*) AS BIGINT) AS n FROM step_executions \
             WHERE sequence_id = $1 GROUP BY step_index, status, outcome, is_connect ORDER BY step_index",
        )
        .bind(sequence_id),
    )
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.get("step_index")?,
            r.get("status")?,
            r.get("outcome")?,
            r.get("is_connect")?,
            r.get("n")?,
        ))
    })
    .collect()
}

// ---- enrollments -----------------------------------------------------------------------------

/// One person in one sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentRow {
    /// Id.
    pub id: Uuid,
    /// The sequence.
    pub sequence_id: Uuid,
    /// The person.
    pub person_id: PersonId,
    /// The rep who sends and calls.
    pub owner_id: UserId,
    /// `core::sequence::Enrollment` as JSON.
    pub machine: serde_json::Value,
    /// `active`, `paused` or `finished`.
    pub status: String,
    /// Pause or finish reason code.
    pub reason: Option<String>,
    /// The next step's index.
    pub next_step: i64,
    /// When the sweep next looks at it.
    pub next_due_at: Option<DateTime<Utc>>,
    /// When an out-of-office pause ends.
    pub resume_at: Option<DateTime<Utc>>,
    /// When the lead moves to Recycle (no response).
    pub recycle_at: Option<DateTime<Utc>>,
    /// Token of the one-click unsubscribe link.
    pub unsubscribe_token: String,
    /// Enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

const ENROLLMENT_COLUMNS: &str = "e.id, e.sequence_id, e.person_id, e.owner_id, e.machine, e.status, e.reason, \
     e.next_step, e.next_due_at, e.resume_at, e.recycle_at, e.unsubscribe_token, e.enrolled_at, e.finished_at, \
     e.updated_at, e.version";

fn decode_enrollment(r: &Row) -> StoreResult<EnrollmentRow> {
    Ok(EnrollmentRow {
        id: r.get("id")?,
        sequence_id: r.get("sequence_id")?,
        person_id: r.get("person_id")?,
        owner_id: r.get("owner_id")?,
        machine: r.get("machine")?,
        status: r.get("status")?,
        reason: r.get("reason")?,
        next_step: r.get("next_step")?,
        next_due_at: r.get("next_due_at")?,
        resume_at: r.get("resume_at")?,
        recycle_at: r.get("recycle_at")?,
        unsubscribe_token: r.get("unsubscribe_token")?,
        enrolled_at: r.get("enrolled_at")?,
        finished_at: r.get("finished_at")?,
        updated_at: r.get("updated_at")?,
        version: r.get("version")?,
    })
}

/// Inserts an enrollment. The partial unique index refuses a second live one for the person
/// (`StoreError::Conflict`).
pub async fn insert_enrollment(ex: &mut impl Exec, e: &EnrollmentRow) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO enrollments (id, sequence_id, person_id, owner_id, machine, status, reason, next_step, \
             next_due_at, resume_at, recycle_at, unsubscribe_token, enrolled_at, finished_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(e.id)
        .bind(e.sequence_id)
        .bind(e.person_id)
        .bind(e.owner_id)
        .bind(e.machine.clone())
        .bind(&e.status)
        .bind(e.reason.clone())
        .bind(e.next_step)
        .bind(e.next_due_at)
        .bind(e.resume_at)
        .bind(e.recycle_at)
        .bind(&e.unsubscribe_token)
        .bind(e.enrolled_at)
        .bind(e.finished_at)
        .bind(e.updated_at)
        .bind(e.version),
    )
    .await?;
    Ok(())
}

/// Writes an enrollment back if it is still at `e.version - 1`; false when someone changed it.
pub async fn update_enrollment(ex: &mut impl Exec, e: &EnrollmentRow) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "UPDATE enrollments SET machine = $1, status = $2, reason = $3, next_step = $4, next_due_at = $5, \
                 resume_at = $6, recycle_at = $7, finished_at = $8, updated_at = $9, version = $10 \
                 WHERE id = $11 AND version = $12",
            )
            .bind(e.machine.clone())
            .bind(&e.status)
            .bind(e.reason.clone())
            .bind(e.next_step)
            .bind(e.next_due_at)
            .bind(e.resume_at)
            .bind(e.recycle_at)
            .bind(e.finished_at)
            .bind(e.updated_at)
            .bind(e.version)
            .bind(e.id)
            .bind(e.version - 1),
        )
        .await?;
    Ok(n > 0)
}

/// Moves only the sweep's next look (pacing or a missing mailbox pushed it later).
pub async fn postpone(ex: &mut impl Exec, id: Uuid, until: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE enrollments SET next_due_at = $1 WHERE id = $2")
            .bind(until)
            .bind(id),
    )
    .await?;
    Ok(())
}

async fn one_enrollment(
    ex: &mut impl Exec,
    clause: &str,
    bind: crate::Value,
) -> StoreResult<Option<EnrollmentRow>> {
    ex.fetch_optional(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE {clause}"
        ))
        .bind(bind),
    )
    .await?
    .as_ref()
    .map(decode_enrollment)
    .transpose()
}

/// One enrollment.
pub async fn enrollment(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<EnrollmentRow>> {
    one_enrollment(ex, "e.id = $1", crate::ToSql::to_sql(id)).await
}

/// The enrollment an unsubscribe link names.
pub async fn enrollment_by_token(ex: &mut impl Exec, token: &str) -> StoreResult<Option<EnrollmentRow>> {
    one_enrollment(ex, "e.unsubscribe_token = $1", crate::ToSql::to_sql(token)).await
}

/// The person's live (active or paused) enrollment.
pub async fn live_enrollment(ex: &mut impl Exec, person: PersonId) -> StoreResult<Option<EnrollmentRow>> {
    one_enrollment(
        ex,
        "e.person_id = $1 AND e.status <> 'finished'",
        crate::ToSql::to_sql(person),
    )
    .await
}

/// The person's most recent enrollment of any status.
pub async fn latest_enrollment(ex: &mut impl Exec, person: PersonId) -> StoreResult<Option<EnrollmentRow>> {
    ex.fetch_optional(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE e.person_id = $1 \
             ORDER BY e.enrolled_at DESC, e.id DESC LIMIT 1"
        ))
        .bind(person),
    )
    .await?
    .as_ref()
    .map(decode_enrollment)
    .transpose()
}

/// When the person's last enrollment finished.
pub async fn last_finished_at(ex: &mut impl Exec, person: PersonId) -> StoreResult<Option<DateTime<Utc>>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT finished_at FROM enrollments WHERE person_id = $1 AND finished_at IS NOT NULL \
                 ORDER BY finished_at DESC LIMIT 1",
            )
            .bind(person),
        )
        .await?;
    row.map(|r| r.get("finished_at")).transpose()
}

/// A person's enrollments, newest first.
pub async fn person_enrollments(ex: &mut impl Exec, person: PersonId) -> StoreResult<Vec<EnrollmentRow>> {
    ex.fetch_all(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE e.person_id = $1 ORDER BY e.enrolled_at DESC, e.id DESC"
        ))
        .bind(person),
    )
    .await?
    .iter()
    .map(decode_enrollment)
    .collect()
}

/// A sequence's enrollments, newest first (keyset on id).
pub async fn sequence_enrollments(
    ex: &mut impl Exec,
    sequence_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<EnrollmentRow>> {
    ex.fetch_all(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE e.sequence_id = $1 ORDER BY e.id DESC LIMIT $2"
        ))
        .bind(sequence_id)
        .bind(limit),
    )
    .await?
    .iter()
    .map(decode_enrollment)
    .collect()
}

/// Claims up to `limit` enrollments whose `column` instant has come. On PostgreSQL the rows are
/// locked for this transaction and rows another sweep holds are skipped, so two `serve`
/// processes work on different people; SQLite's single writer serialises sweeps by itself.
pub async fn claim_due(
    ex: &mut impl Exec,
    column: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<EnrollmentRow>> {
    let (live, order) = match column {
        "next_due_at" => (
            "e.status = 'active' AND e.next_due_at IS NOT NULL AND ",
            "e.next_due_at",
        ),
        "resume_at" => ("e.resume_at IS NOT NULL AND ", "e.resume_at"),
        _ => ("e.recycle_at IS NOT NULL AND ", "e.recycle_at"),
    };
    let lock = match ex.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    ex.fetch_all(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE {live}{order} <= $1 ORDER BY {order} LIMIT $2{lock}"
        ))
        .bind(now)
        .bind(limit),
    )
    .await?
    .iter()
    .map(decode_enrollment)
    .collect()
}

// ---- step executions -------------------------------------------------------------------------

/// What happened (or is waiting to happen) for one step of one enrollment.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    /// Id.
    pub id: Uuid,
    /// The enrollment.
    pub enrollment_id: Uuid,
    /// Its sequence.
    pub sequence_id: Uuid,
    /// The step's index.
    pub step_index: i64,
    /// Step kind code.
    pub kind: String,
    /// The rep.
    pub owner_id: UserId,
    /// The person.
    pub person_id: PersonId,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// When the sweep wrote it.
    pub created_at: DateTime<Utc>,
    /// `sent`, `open`, `done`, `skipped` or `cancelled`.
    pub status: String,
    /// For emails: the Message-ID.
    pub message_id: Option<String>,
    /// Disposition for calls; `replied`/`bounced` for emails.
    pub outcome: Option<String>,
    /// A call that reached the person.
    pub is_connect: bool,
    /// Note (why skipped, what was said).
    pub note: Option<String>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
}

fn decode_execution(r: &Row) -> StoreResult<ExecutionRow> {
    Ok(ExecutionRow {
        id: r.get("id")?,
        enrollment_id: r.get("enrollment_id")?,
        sequence_id: r.get("sequence_id")?,
        step_index: r.get("step_index")?,
        kind: r.get("kind")?,
        owner_id: r.get("owner_id")?,
        person_id: r.get("person_id")?,
        due_at: r.get("due_at")?,
        created_at: r.get("created_at")?,
        status: r.get("status")?,
        message_id: r.get("message_id")?,
        outcome: r.get("outcome")?,
        is_connect: r.get("is_connect")?,
        note: r.get("note")?,
        done_at: r.get("done_at")?,
    })
}

/// Records a step with its person's time zone, score and do-not-call flag (Today orders open
/// steps by them; migration 0020 keeps them current). False when that step of that enrollment was
/// already recorded (by another sweep) or the person does not exist.
pub async fn insert_execution(ex: &mut impl Exec, x: &ExecutionRow) -> StoreResult<bool> {
    // On PostgreSQL an open step holds the person row until commit, so a change of the person made
    // meanwhile by another transaction waits for this one, and its trigger then sees the new step.
    let lock = match ex.backend() {
        Backend::Postgres if x.status == "open" => " FOR SHARE",
        _ => "",
    };
    let n = ex
        .execute(
            query(format!(
                "INSERT INTO step_executions (id, enrollment_id, sequence_id, step_index, kind, owner_id, person_id, \
                 due_at, created_at, status, message_id, outcome, is_connect, note, done_at, person_time_zone, \
                 person_score, person_do_not_call) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, p.time_zone, p.score, \
                 p.do_not_call FROM people p WHERE p.id = $7{lock} \
                 ON CONFLICT (enrollment_id, step_index) DO NOTHING"
            ))
            .bind(x.id)
            .bind(x.enrollment_id)
            .bind(x.sequence_id)
            .bind(x.step_index)
            .bind(&x.kind)
            .bind(x.owner_id)
            .bind(x.person_id)
            .bind(x.due_at)
            .bind(x.created_at)
            .bind(&x.status)
            .bind(x.message_id.clone())
            .bind(x.outcome.clone())
            .bind(x.is_connect)
            .bind(x.note.clone())
            .bind(x.done_at),
        )
        .await?;
    Ok(n > 0)
}

/// One execution.
pub async fn execution(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<ExecutionRow>> {
    ex.fetch_optional(query("SELECT * FROM step_executions WHERE id = $1").bind(id))
        .await?
        .as_ref()
        .map(decode_execution)
        .transpose()
}

/// The execution that sent `message_id`.
pub async fn execution_by_message(ex: &mut impl Exec, message_id: &str) -> StoreResult<Option<ExecutionRow>> {
    ex.fetch_optional(query("SELECT * FROM step_executions WHERE message_id = $1").bind(message_id))
        .await?
        .as_ref()
        .map(decode_execution)
        .transpose()
}

/// An enrollment's executions in step order.
pub async fn executions_of(ex: &mut impl Exec, enrollment_id: Uuid) -> StoreResult<Vec<ExecutionRow>> {
    ex.fetch_all(
        query("SELECT * FROM step_executions WHERE enrollment_id = $1 ORDER BY step_index")
            .bind(enrollment_id),
    )
    .await?
    .iter()
    .map(decode_execution)
    .collect()
}

/// How a step ended.
#[derive(Debug, Clone, Copy)]
pub struct StepEnd<'a> {
    /// New status: `done`, `skipped`, `cancelled`.
    pub status: &'a str,
    /// Disposition or answer.
    pub outcome: Option<&'a str>,
    /// A call that reached the person.
    pub is_connect: bool,
    /// What was said.
    pub note: Option<&'a str>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Ends an open step; false when it was no longer open (someone else did it first).
pub async fn finish_execution(ex: &mut impl Exec, id: Uuid, end: StepEnd<'_>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "UPDATE step_executions SET status = $1, outcome = $2, is_connect = $3, note = $4, done_at = $5 \
                 WHERE id = $6 AND status = 'open'",
            )
            .bind(end.status)
            .bind(end.outcome)
            .bind(end.is_connect)
            .bind(end.note)
            .bind(end.at)
            .bind(id),
        )
        .await?;
    if n > 0 {
        close_step_tasks(ex, "id", id, end.status, end.at).await?;
    }
    Ok(n > 0)
}

/// Keeps the follow-up task of a manual step in step with it, in the caller's transaction: a
/// step done is a task done; skipped or cancelled (the enrollment paused or finished) cancels it.
/// `column` is the step_executions column `key` matches: `id` (one step) or `enrollment_id`.
async fn close_step_tasks(
    ex: &mut impl Exec,
    column: &'static str,
    key: Uuid,
    step_status: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let task_status = if step_status == "done" {
        "done"
    } else {
        "cancelled"
    };
    ex.execute(
        query(format!(
            "UPDATE tasks SET status = $1, completed_at = $2, updated_at = $2, version = version + 1 \
             WHERE status = 'open' AND step_execution_id IN (SELECT id FROM step_executions WHERE {column} = $3)"
        ))
        .bind(task_status)
        .bind(at)
        .bind(key),
    )
    .await?;
    Ok(())
}

/// Records the answer to a sent email (`replied`, `bounced`) without changing its status.
pub async fn set_outcome(ex: &mut impl Exec, id: Uuid, outcome: &str) -> StoreResult<()> {
    ex.execute(
        query("UPDATE step_executions SET outcome = $1 WHERE id = $2")
            .bind(outcome)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Cancels the enrollment's steps still waiting for the rep.
/// Their follow-up tasks are cancelled with them.
pub async fn cancel_open(ex: &mut impl Exec, enrollment_id: Uuid, at: DateTime<Utc>) -> StoreResult<u64> {
    let n = ex
        .execute(
            query(
                "UPDATE step_executions SET status = 'cancelled', done_at = $1 WHERE enrollment_id = $2 \
                 AND status = 'open'",
            )
            .bind(at)
            .bind(enrollment_id),
        )
        .await?;
    if n > 0 {
        close_step_tasks(ex, "enrollment_id", enrollment_id, "cancelled", at).await?;
    }
    Ok(n)
}

/// Opens again a manual step that a pause cancelled, now that the enrollment resumed and the step
/// is due again, with its follow-up task and its person's current time zone, score and
/// do-not-call flag (the trigger of migration 0020 follows only open steps). False when there is
/// no such cancelled step.
pub async fn reopen_cancelled_step(
    ex: &mut impl Exec,
    enrollment_id: Uuid,
    step_index: i64,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let reopened = ex
        .fetch_optional(
            query(
                "UPDATE step_executions SET status = 'open', due_at = $1, done_at = NULL, note = NULL, \
                 person_time_zone = (SELECT p.time_zone FROM people p WHERE p.id = step_executions.person_id), \
                 person_score = COALESCE((SELECT p.score FROM people p WHERE p.id = step_executions.person_id), 0), \
                 person_do_not_call = COALESCE((SELECT p.do_not_call FROM people p \
                 WHERE p.id = step_executions.person_id), FALSE) \
                 WHERE enrollment_id = $2 AND step_index = $3 AND status = 'cancelled' RETURNING id",
            )
            .bind(due_at)
            .bind(enrollment_id)
            .bind(step_index),
        )
        .await?;
    let Some(row) = reopened else {
        return Ok(false);
    };
    let id: Uuid = row.get("id")?;
    ex.execute(
        query(
            "UPDATE tasks SET status = 'open', due_at = $1, completed_at = NULL, updated_at = $2, \
             version = version + 1 WHERE step_execution_id = $3",
        )
        .bind(due_at)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(true)
}

/// Gives a sent automatic email its open-tracking pixel token.
pub async fn set_open_token(ex: &mut impl Exec, execution_id: Uuid, token: &str) -> StoreResult<()> {
    ex.execute(
        query("UPDATE step_executions SET open_token = $1 WHERE id = $2")
            .bind(token)
            .bind(execution_id),
    )
    .await?;
    Ok(())
}

/// Records an open of the tracked email with pixel `token`: only the first open is kept. Returns
/// the execution and whether this was its first open; `None` for a token nobody was given.
pub async fn record_open(
    ex: &mut impl Exec,
    token: &str,
    at: DateTime<Utc>,
) -> StoreResult<Option<(ExecutionRow, bool)>> {
    let n = ex
        .execute(
            query("UPDATE step_executions SET opened_at = $1 WHERE open_token = $2 AND opened_at IS NULL")
                .bind(at)
                .bind(token),
        )
        .await?;
    let row = ex
        .fetch_optional(query("SELECT * FROM step_executions WHERE open_token = $1").bind(token))
        .await?;
    row.as_ref()
        .map(|r| Ok((decode_execution(r)?, n > 0)))
        .transpose()
}

/// Per-step open tracking of a sequence: (step index, tracked emails, opened).
pub async fn open_results(ex: &mut impl Exec, sequence_id: Uuid) -> StoreResult<Vec<(i64, i64, i64)>> {
    ex.fetch_all(
        query(
            "SELECT step_index, CAST(COUNT(*) AS BIGINT) AS tracked, \
             CAST(SUM(CASE WHEN opened_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS opened \
             FROM step_executions WHERE sequence_id = $1 AND open_token IS NOT NULL \
             GROUP BY step_index ORDER BY step_index",
        )
        .bind(sequence_id),
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("step_index")?, r.get("tracked")?, r.get("opened")?)))
    .collect()
}

/// The Message-ID of the enrollment's last email, for threading the next one.
pub async fn last_message_id(ex: &mut impl Exec, enrollment_id: Uuid) -> StoreResult<Option<String>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT message_id FROM step_executions WHERE enrollment_id = $1 AND message_id IS NOT NULL \
                 ORDER BY step_index DESC LIMIT 1",
            )
            .bind(enrollment_id),
        )
        .await?;
    row.map(|r| r.get("message_id")).transpose()
}

/// The Message-ID of each enrollment's last email, for a whole sweep batch in one read.
pub async fn last_message_ids(
    ex: &mut impl Exec,
    enrollment_ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, String>> {
    let mut out = std::collections::HashMap::new();
    if enrollment_ids.is_empty() {
        return Ok(out);
    }
    let mut q = query("");
    let ns: Vec<String> = enrollment_ids
        .iter()
        .map(|id| crate::bulk::placeholder(ex.backend(), q.push_bind(*id)))
        .collect();
    let sql = format!(
        "SELECT enrollment_id, message_id FROM step_executions WHERE enrollment_id IN ({}) \
         AND message_id IS NOT NULL ORDER BY enrollment_id, step_index",
        ns.join(", ")
    );
    // Step order: the last one read for an enrollment is its latest.
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        out.insert(r.get("enrollment_id")?, r.get("message_id")?);
    }
    Ok(out)
}

/// When the rep's mailbox sent automatic emails since `since` (for daily caps and spacing).
pub async fn sends_since(
    ex: &mut impl Exec,
    owner: UserId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<DateTime<Utc>>> {
    ex.fetch_all(
        query(
            "SELECT created_at FROM step_executions WHERE owner_id = $1 AND kind = 'automatic_email' \
             AND status = 'sent' AND created_at >= $2",
        )
        .bind(owner)
        .bind(since),
    )
    .await?
    .iter()
    .map(|r| r.get("created_at"))
    .collect()
}

/// One open step on a rep's Today list, with what the list shows about the person.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItemRow {
    /// The execution.
    pub execution: ExecutionRow,
    /// Sequence name.
    pub sequence_name: String,
    /// The step's script.
    pub script: Option<String>,
    /// The step's handbook page.
    pub handbook_page: Option<String>,
    /// Its anchor.
    pub handbook_anchor: Option<String>,
    /// Person's first name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// Score.
    pub score: i64,
    /// Do not call.
    pub do_not_call: bool,
}

/// The rep's day so far: (kind, status, outcome, is_connect, count) of steps done since `since`.
/// A sent email's `done_at` is when it was sent, so one range of `step_executions_day` serves both.
pub async fn day_counts(
    ex: &mut impl Exec,
    owner: UserId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(String, String, Option<String>, bool, i64)>> {
    ex.fetch_all(
        query(
            "SELECT kind, status, outcome, is_connect, CAST(COUNT(*) AS BIGINT) AS n FROM step_executions \
             WHERE owner_id = $1 AND status IN ('done', 'sent') AND done_at >= $2 \
             GROUP BY kind, status, outcome, is_connect",
        )
        .bind(owner)
        .bind(since),
    )
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.get("kind")?,
            r.get("status")?,
            r.get("outcome")?,
            r.get("is_connect")?,
            r.get("n")?,
        ))
    })
    .collect()
}

// ---- suppression -----------------------------------------------------------------------------

/// Adds an address key to the suppression list (the first reason stays).
pub async fn suppress(
    ex: &mut impl Exec,
    email_key: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO email_suppressions (email_key, reason, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (email_key) DO NOTHING",
        )
        .bind(email_key)
        .bind(reason)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Why an address key is suppressed, if it is.
pub async fn suppression(ex: &mut impl Exec, email_key: &str) -> StoreResult<Option<String>> {
    let row = ex
        .fetch_optional(query("SELECT reason FROM email_suppressions WHERE email_key = $1").bind(email_key))
        .await?;
    row.map(|r| r.get("reason")).transpose()
}

/// Which of these address keys are suppressed, with why: a whole sweep batch in one read.
pub async fn suppressions(
    ex: &mut impl Exec,
    email_keys: &[String],
) -> StoreResult<std::collections::HashMap<String, String>> {
    if email_keys.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut q = query("");
    let ns: Vec<String> = email_keys
        .iter()
        .map(|k| crate::bulk::placeholder(ex.backend(), q.push_bind(k.clone())))
        .collect();
    let sql = format!(
        "SELECT email_key, reason FROM email_suppressions WHERE email_key IN ({})",
        ns.join(", ")
    );
    ex.fetch_all(q.with_sql(sql))
        .await?
        .iter()
        .map(|r| Ok((r.get("email_key")?, r.get("reason")?)))
        .collect()
}

/// Enrollments of people whose email key is `email_key`, newest first (a bounce names an address).
pub async fn enrollments_by_email_key(
    ex: &mut impl Exec,
    email_key: &str,
) -> StoreResult<Vec<EnrollmentRow>> {
    ex.fetch_all(
        query(format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments e JOIN people p ON p.id = e.person_id \
             WHERE p.email_key = $1 ORDER BY e.enrolled_at DESC"
        ))
        .bind(email_key),
    )
    .await?
    .iter()
    .map(decode_enrollment)
    .collect()
}

/// Inbound messages the sequence engine has not acted on yet, oldest first.
pub async fn unhandled_inbound(ex: &mut impl Exec, limit: i64) -> StoreResult<Vec<crate::mail::InboundRow>> {
    let lock = match ex.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let ids: Vec<Uuid> = ex
        .fetch_all(
            query(format!(
                "SELECT id FROM inbound_messages WHERE handled_at IS NULL ORDER BY imported_at, id LIMIT $1{lock}"
            ))
            .bind(limit),
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<_>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(m) = crate::mail::inbound_by_id(ex, id).await? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Marks an inbound message acted on.
pub async fn mark_inbound_handled(ex: &mut impl Exec, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE inbound_messages SET handled_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Mailbox pacing: (daily cap, least seconds between sends, the owner's time zone) of a user's mailbox.
pub async fn mailbox_pacing(ex: &mut impl Exec, owner: UserId) -> StoreResult<Option<(i64, i64, String)>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT m.daily_cap, m.min_spacing_seconds, u.time_zone FROM mailboxes m JOIN users u ON u.id = m.user_id \
                 WHERE m.user_id = $1",
            )
            .bind(owner),
        )
        .await?;
    row.map(|r| {
        Ok((
            r.get("daily_cap")?,
            r.get("min_spacing_seconds")?,
            r.get("time_zone")?,
        ))
    })
    .transpose()
}
