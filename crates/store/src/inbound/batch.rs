//! Multi-row writes for the capture path: one statement per table instead of one per row, because
//! each statement is a round trip (to sqlx's SQLite worker thread, or over the network to
//! PostgreSQL) and a captured form writes several rows into most of these tables.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{CLOCK_COLUMNS, Clock};
use crate::error::StoreResult;
use crate::outbox::NewItem;
use crate::query::{Exec, query};
use crate::records::search::DocKind;

/// `($1, $2, …)` groups for `rows` rows of `cols` columns.
fn groups(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ns: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", ns.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts clocks in one statement.
pub async fn insert_clocks(ex: &mut impl Exec, clocks: &[Clock]) -> StoreResult<()> {
    if clocks.is_empty() {
        return Ok(());
    }
    let mut q = query("");
    for c in clocks {
        q = q
            .bind(c.id)
            .bind(&c.kind)
            .bind(c.person_id)
            .bind(c.opportunity_id)
            .bind(c.owner_id)
            .bind(c.source.clone())
            .bind(c.started_at)
            .bind(c.business_minutes)
            .bind(c.warn_at)
            .bind(c.due_at)
            .bind(c.stopped_at)
            .bind(c.first_touch_at)
            .bind(c.warned_at)
            .bind(c.breached_at);
    }
    let sql = format!(
        "INSERT INTO sla_clocks ({CLOCK_COLUMNS}) VALUES {}",
        groups(clocks.len(), 14)
    );
    ex.write(q.with_sql(sql)).await?;
    Ok(())
}

/// Enqueues outbox items in one statement; items whose dedupe key exists already are ignored,
/// as `outbox::enqueue` ignores them.
pub async fn enqueue_outbox(
    ex: &mut impl Exec,
    items: &[(Uuid, NewItem)],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut q = query("");
    for (id, item) in items {
        q = q
            .bind(*id)
            .bind(&item.kind)
            .bind(item.payload.clone())
            .bind(item.dedupe_key.clone())
            .bind(now)
            .bind(item.available_at)
            .bind(item.max_attempts);
    }
    let sql = format!(
        "INSERT INTO outbox (id, kind, payload, dedupe_key, created_at, available_at, max_attempts) VALUES {} \
         ON CONFLICT (dedupe_key) DO NOTHING",
        groups(items.len(), 7)
    );
    ex.write(q.with_sql(sql)).await?;
    Ok(())
}

/// Writes search documents in one statement, replacing the body of ones already indexed.
pub async fn put_search_docs(ex: &mut impl Exec, docs: &[(DocKind, Uuid, String)]) -> StoreResult<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let mut q = query("");
    for (kind, id, body) in docs {
        q = q.bind(kind.code()).bind(*id).bind(body.as_str());
    }
    let sql = format!(
        "INSERT INTO search_docs (kind, ref_id, body) VALUES {} \
         ON CONFLICT (ref_id) DO UPDATE SET kind = excluded.kind, body = excluded.body",
        groups(docs.len(), 3)
    );
    ex.write(q.with_sql(sql)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::groups;

    #[test]
    fn numbers_placeholders_row_after_row() {
        assert_eq!(groups(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
