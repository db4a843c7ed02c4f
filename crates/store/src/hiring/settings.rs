//! Server settings shared by every node (the offer-link signing key), and the few outbox queries
//! hiring needs: finding and cancelling a queued message by its dedupe key.

use chrono::{DateTime, Utc};

use crate::error::StoreResult;
use crate::query::{Exec, query};

/// The value of setting `key`.
pub async fn get(ex: &mut impl Exec, key: &str) -> StoreResult<Option<String>> {
    let row = ex
        .fetch_optional(query("SELECT value FROM settings WHERE key = $1").bind(key))
        .await?;
    row.map(|r| r.get("value")).transpose()
}

/// Stores `value` under `key` unless the key exists; returns the value that is now stored, so two
/// nodes generating a secret at once both end up with the same one.
pub async fn get_or_insert(
    ex: &mut impl Exec,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> StoreResult<String> {
    ex.execute(
        query(
            "INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .bind(now),
    )
    .await?;
    Ok(get(ex, key).await?.unwrap_or_else(|| value.to_owned()))
}

/// Sets `key` to `value`.
pub async fn set(ex: &mut impl Exec, key: &str, value: &str, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Deletes the queued outbox item with `dedupe_key` if no worker has claimed or finished it;
/// returns whether it was deleted (false: too late, it is being sent or was sent).
pub async fn cancel_outbox(ex: &mut impl Exec, dedupe_key: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "DELETE FROM outbox WHERE dedupe_key = $1 AND done_at IS NULL AND failed_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < $2)",
            )
            .bind(dedupe_key)
            .bind(now),
        )
        .await?;
    Ok(n > 0)
}

/// Whether an outbox item with `dedupe_key` exists (queued, sent or failed).
pub async fn outbox_exists(ex: &mut impl Exec, dedupe_key: &str) -> StoreResult<bool> {
    Ok(ex
        .fetch_optional(query("SELECT id FROM outbox WHERE dedupe_key = $1").bind(dedupe_key))
        .await?
        .is_some())
}
