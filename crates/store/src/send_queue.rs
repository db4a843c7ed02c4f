//! A rep's outgoing mail still in the outbox (`email.send` items not yet delivered), for the
//! mailbox page's sending health: what waits, what is being retried and why, what gave up.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, Row, query};

/// One undelivered email.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEmail {
    /// The outbox item.
    pub id: Uuid,
    /// The queued message (`OutgoingEmail` as JSON).
    pub payload: serde_json::Value,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt may run.
    pub available_at: DateTime<Utc>,
    /// Set when the item gave up after its last attempt.
    pub failed_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
}

/// How many of the rep's emails are queued (never tried), retrying, and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting for their first attempt.
    pub queued: i64,
    /// Tried, failed, waiting for their next attempt.
    pub retrying: i64,
    /// Gave up.
    pub failed: i64,
}

/// The condition on the sender, which sits inside the JSON payload.
fn sender_is(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "payload->>'from_user_id' = $1",
        Backend::Sqlite => "json_extract(payload, '$.from_user_id') = $1",
    }
}

const PENDING: &str = "kind = 'email.send' AND done_at IS NULL";

/// The rep's undelivered emails, newest first, at most `limit`.
pub async fn pending(ex: &mut impl Exec, owner: UserId, limit: i64) -> StoreResult<Vec<PendingEmail>> {
    let sql = format!(
        "SELECT id, payload, attempts, last_error, available_at, failed_at, created_at FROM outbox \
         WHERE {PENDING} AND {} ORDER BY created_at DESC, id DESC LIMIT $2",
        sender_is(ex.backend())
    );
    let rows = ex
        .fetch_all(query(sql).bind(owner.to_string()).bind(limit))
        .await?;
    rows.iter().map(decode).collect()
}

fn decode(r: &Row) -> StoreResult<PendingEmail> {
    Ok(PendingEmail {
        id: r.get("id")?,
        payload: r.get("payload")?,
        attempts: r.get("attempts")?,
        last_error: r.get("last_error")?,
        available_at: r.get("available_at")?,
        failed_at: r.get("failed_at")?,
        created_at: r.get("created_at")?,
    })
}

/// The rep's undelivered emails counted by state.
pub async fn counts(ex: &mut impl Exec, owner: UserId) -> StoreResult<QueueCounts> {
    let sql = format!(
        "SELECT CASE WHEN failed_at IS NOT NULL THEN 'failed' WHEN attempts > 0 THEN 'retrying' \
         ELSE 'queued' END AS state, CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE {PENDING} AND {} \
         GROUP BY 1",
        sender_is(ex.backend())
    );
    let mut out = QueueCounts::default();
    for r in ex.fetch_all(query(sql).bind(owner.to_string())).await? {
        let n: i64 = r.get("n")?;
        match r.get::<String>("state")?.as_str() {
            "failed" => out.failed = n,
            "retrying" => out.retrying = n,
            _ => out.queued = n,
        }
    }
    Ok(out)
}
