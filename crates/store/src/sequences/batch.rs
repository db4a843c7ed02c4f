//! Multi-row writes for the sweep: a batch of sent emails' executions and their enrollments'
//! next steps, each in one statement instead of one per step, so a sweep of a thousand due emails
//! costs a handful of round trips on PostgreSQL.

use std::collections::HashSet;

use uuid::Uuid;

use super::{EnrollmentRow, ExecutionRow};
use crate::bulk::values_rows;
use crate::error::StoreResult;
use crate::query::{Exec, Query, query};
use crate::value::{ToSql, Value};

/// Rows per statement: well under both backends' limits on bound parameters (16 a row). The
/// placeholders are positional on SQLite, which resolves numbered ones in O(n) each.
const CHUNK: usize = 500;

/// Binds one row's values to `q`, in column order.
fn bind_row(q: &mut Query, values: Vec<Value>) {
    for v in values {
        q.push_bind(v);
    }
}

/// Records executions that are not open (sent or skipped emails: the person's time zone, score and
/// do-not-call copy that Today reads is left empty), with each one's open-tracking token. Returns
/// the enrollments whose execution was written; one already recorded for that step (by another
/// sweep) is left as it was and not returned.
pub async fn insert_closed_executions(
    ex: &mut impl Exec,
    rows: &[(ExecutionRow, Option<String>)],
) -> StoreResult<HashSet<Uuid>> {
    debug_assert!(
        rows.iter().all(|(x, _)| x.status != "open"),
        "open steps carry their person"
    );
    let mut written = HashSet::new();
    for chunk in rows.chunks(CHUNK) {
        let mut q = query("");
        for (x, token) in chunk {
            let values = vec![
                x.id.to_sql(),
                x.enrollment_id.to_sql(),
                x.sequence_id.to_sql(),
                x.step_index.to_sql(),
                x.kind.clone().to_sql(),
                x.owner_id.to_sql(),
                x.person_id.to_sql(),
                x.due_at.to_sql(),
                x.created_at.to_sql(),
                x.status.clone().to_sql(),
                x.message_id.clone().to_sql(),
                x.outcome.clone().to_sql(),
                x.is_connect.to_sql(),
                x.note.clone().to_sql(),
                x.done_at.to_sql(),
                token.clone().to_sql(),
            ];
            bind_row(&mut q, values);
        }
        let sql = format!(
            "INSERT INTO step_executions (id, enrollment_id, sequence_id, step_index, kind, owner_id, person_id, \
             due_at, created_at, status, message_id, outcome, is_connect, note, done_at, open_token) VALUES {} \
             ON CONFLICT (enrollment_id, step_index) DO NOTHING RETURNING enrollment_id",
            values_rows(ex.backend(), chunk.len(), 16)
        );
        for r in ex.fetch_all(q.with_sql(sql)).await? {
            written.insert(r.get("enrollment_id")?);
        }
    }
    Ok(written)
}

/// Writes enrollments back, each only if it is still at `version - 1` (as
/// [`super::update_enrollment`] does one by one). Returns how many were written: fewer than
/// `rows.len()` means someone changed one meanwhile.
pub async fn update_enrollments(ex: &mut impl Exec, rows: &[EnrollmentRow]) -> StoreResult<u64> {
    let mut written = 0;
    for chunk in rows.chunks(CHUNK) {
        let mut q = query("");
        for e in chunk {
            let values = vec![
                e.id.to_sql(),
                e.machine.clone().to_sql(),
                e.status.clone().to_sql(),
                e.reason.clone().to_sql(),
                e.next_step.to_sql(),
                e.next_due_at.to_sql(),
                e.resume_at.to_sql(),
                e.recycle_at.to_sql(),
                e.finished_at.to_sql(),
                e.updated_at.to_sql(),
                e.version.to_sql(),
            ];
            bind_row(&mut q, values);
        }
        let sql = format!(
            "WITH v (id, machine, status, reason, next_step, next_due_at, resume_at, recycle_at, finished_at, \
             updated_at, version) AS (VALUES {}) \
             UPDATE enrollments SET machine = v.machine, status = v.status, reason = v.reason, \
             next_step = v.next_step, next_due_at = v.next_due_at, resume_at = v.resume_at, \
             recycle_at = v.recycle_at, finished_at = v.finished_at, updated_at = v.updated_at, \
             version = v.version FROM v WHERE enrollments.id = v.id AND enrollments.version = v.version - 1",
            values_rows(ex.backend(), chunk.len(), 11)
        );
        written += ex.execute(q.with_sql(sql)).await?;
    }
    Ok(written)
}
