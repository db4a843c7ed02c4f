//! The outbox: mail and background work recorded in the same transaction as the change that
//! causes it, then claimed by workers under a lease. PostgreSQL claims with
//! `FOR UPDATE SKIP LOCKED` so several `serve` processes never take the same item; SQLite's single
//! writer serialises claims by itself.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, query};

/// Work to do later.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The handler that will run it, e.g. `email.send`.
    pub kind: String,
    /// Its input.
    pub payload: serde_json::Value,
    /// When it may run.
    pub available_at: DateTime<Utc>,
    /// A key that makes enqueueing idempotent: a second item with the same key is ignored.
    pub dedupe_key: Option<String>,
    /// Attempts before it is given up and shown as failed.
    pub max_attempts: i64,
}

/// A claimed item.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Id.
    pub id: Uuid,
    /// Handler name.
    pub kind: String,
    /// Input.
    pub payload: serde_json::Value,
    /// This is attempt number…
    pub attempts: i64,
    /// …out of.
    pub max_attempts: i64,
}

/// Records `item`; returns false when an item with the same dedupe key already exists.
pub async fn enqueue(ex: &mut impl Exec, id: Uuid, item: &NewItem, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "INSERT INTO outbox (id, kind, payload, dedupe_key, created_at, available_at, max_attempts) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(id)
            .bind(&item.kind)
            .bind(item.payload.clone())
            .bind(item.dedupe_key.clone())
            .bind(now)
            .bind(item.available_at)
            .bind(item.max_attempts),
        )
        .await?;
    Ok(n > 0)
}

/// Records several items in one statement per 500 (the sweep's emails of one batch); returns how
/// many were new: an item whose dedupe key exists already is skipped, as with [`enqueue`].
pub async fn enqueue_many(
    ex: &mut impl Exec,
    items: &[(Uuid, NewItem)],
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut written = 0;
    for chunk in items.chunks(500) {
        let mut q = query("");
        for (id, item) in chunk {
            q = q
                .bind(*id)
                .bind(item.kind.clone())
                .bind(item.payload.clone())
                .bind(item.dedupe_key.clone())
                .bind(now)
                .bind(item.available_at)
                .bind(item.max_attempts);
        }
        let sql = format!(
            "INSERT INTO outbox (id, kind, payload, dedupe_key, created_at, available_at, max_attempts) \
             VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
            crate::bulk::values_rows(ex.backend(), chunk.len(), 7)
        );
        written += ex.execute(q.with_sql(sql)).await?;
    }
    Ok(written)
}

/// Claims up to `limit` due items for `worker` until `now + lease`.
pub async fn claim(
    ex: &mut impl Exec,
    worker: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<Claimed>> {
    let lock = match ex.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM outbox WHERE done_at IS NULL AND failed_at IS NULL AND available_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY available_at LIMIT $4{lock}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let rows = ex
        .fetch_all(query(sql).bind(worker).bind(now + lease).bind(now).bind(limit))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.get("id")?,
                kind: r.get("kind")?,
                payload: r.get("payload")?,
                attempts: r.get("attempts")?,
                max_attempts: r.get("max_attempts")?,
            })
        })
        .collect()
}

/// Marks a claimed item done.
pub async fn complete(ex: &mut impl Exec, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE outbox SET done_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2")
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up when out of attempts.
pub async fn fail(
    ex: &mut impl Exec,
    id: Uuid,
    error: &str,
    retry_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE outbox SET last_error = $1, claimed_until = NULL, available_at = $2, \
             failed_at = CASE WHEN attempts >= max_attempts THEN $3 ELSE NULL END WHERE id = $4",
        )
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Counts of pending, failed and done items by kind, for the admin page and metrics.
pub async fn counts(ex: &mut impl Exec) -> StoreResult<Vec<(String, i64, i64, i64)>> {
    let rows = ex
        .fetch_all(query(
            "SELECT kind, \
             CAST(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS pending, \
             CAST(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS failed, \
             CAST(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS done \
             FROM outbox GROUP BY kind ORDER BY kind",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.get("kind")?,
                r.get("pending")?,
                r.get("failed")?,
                r.get("done")?,
            ))
        })
        .collect()
}
