//! Sessions, API tokens and login throttling. Secrets are never stored: only a SHA-256 of each
//! session or API token, computed by `app`.

use chrono::{DateTime, Utc};
use prospector_core::ids::{TokenId, UserId};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// A browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Id.
    pub id: Uuid,
    /// Whose session.
    pub user_id: UserId,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Last request seen.
    pub last_seen_at: DateTime<Utc>,
}

/// Records a new session under the hash of its token.
#[allow(clippy::too_many_arguments)]
pub async fn insert_session(
    ex: &mut impl Exec,
    id: Uuid,
    token_hash: &str,
    user_id: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .bind(now)
        .bind(ip)
        .bind(user_agent),
    )
    .await?;
    Ok(())
}

/// The live session whose token hashes to `token_hash`.
pub async fn session_by_hash(
    ex: &mut impl Exec,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    let row = ex
        .fetch_optional(
            query("SELECT id, user_id, expires_at, last_seen_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(now),
        )
        .await?;
    row.map(|r| {
        Ok(Session {
            id: r.get("id")?,
            user_id: r.get("user_id")?,
            expires_at: r.get("expires_at")?,
            last_seen_at: r.get("last_seen_at")?,
        })
    })
    .transpose()
}

/// Moves a session's expiry forward (sliding expiry).
pub async fn touch_session(
    ex: &mut impl Exec,
    id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind(expires_at)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Ends the session whose token hashes to `token_hash`.
pub async fn delete_session(ex: &mut impl Exec, token_hash: &str) -> StoreResult<u64> {
    ex.execute(query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))
        .await
}

/// Ends every session of a user (deactivation, password change).
pub async fn delete_user_sessions(ex: &mut impl Exec, user_id: UserId) -> StoreResult<u64> {
    ex.execute(query("DELETE FROM sessions WHERE user_id = $1").bind(user_id))
        .await
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: TokenId,
    /// Whose token.
    pub user_id: UserId,
    /// What it is for.
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Last request made with it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_COLUMNS: &str = "id, user_id, name, prefix, created_at, last_used_at, revoked_at";

fn decode_token(r: &Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: r.get("id")?,
        user_id: r.get("user_id")?,
        name: r.get("name")?,
        prefix: r.get("prefix")?,
        created_at: r.get("created_at")?,
        last_used_at: r.get("last_used_at")?,
        revoked_at: r.get("revoked_at")?,
    })
}

/// Records a new token under the hash of its secret.
pub async fn insert_token(
    ex: &mut impl Exec,
    token: &ApiToken,
    token_hash: &str,
    created_by: Option<UserId>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.id)
        .bind(token.user_id)
        .bind(&token.name)
        .bind(token_hash)
        .bind(&token.prefix)
        .bind(token.created_at)
        .bind(created_by),
    )
    .await?;
    Ok(())
}

/// The unrevoked token whose secret hashes to `token_hash`.
pub async fn token_by_hash(ex: &mut impl Exec, token_hash: &str) -> StoreResult<Option<ApiToken>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
            ))
            .bind(token_hash),
        )
        .await?;
    row.as_ref().map(decode_token).transpose()
}

/// The token with `id`.
pub async fn token_by_id(ex: &mut impl Exec, id: TokenId) -> StoreResult<Option<ApiToken>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode_token).transpose()
}

/// Tokens of one user, or of everyone, newest first.
pub async fn list_tokens(ex: &mut impl Exec, user_id: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
    let q = match user_id {
        Some(u) => query(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        ))
        .bind(u),
        None => query(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC")),
    };
    ex.fetch_all(q).await?.iter().map(decode_token).collect()
}

/// Revokes a token; returns whether it was live.
pub async fn revoke_token(ex: &mut impl Exec, id: TokenId, at: DateTime<Utc>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id),
        )
        .await?;
    Ok(n > 0)
}

/// Records a use of the token. Only moves forward once a minute, so busy API clients don't turn
/// every read into a write.
pub async fn touch_token(ex: &mut impl Exec, id: TokenId, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now)
            .bind(id)
            .bind(now - chrono::Duration::seconds(60)),
    )
    .await?;
    Ok(())
}

/// Failed logins counted for one key (an account or an IP).
#[derive(Debug, Clone)]
pub struct Throttle {
    /// Failures in the current window.
    pub failures: i64,
    /// When the window began.
    pub window_started_at: DateTime<Utc>,
    /// Logins are refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The throttle state for `key`.
pub async fn throttle(ex: &mut impl Exec, key: &str) -> StoreResult<Option<Throttle>> {
    let row = ex
        .fetch_optional(
            query("SELECT failures, window_started_at, locked_until FROM login_throttle WHERE key = $1")
                .bind(key),
        )
        .await?;
    row.map(|r| {
        Ok(Throttle {
            failures: r.get("failures")?,
            window_started_at: r.get("window_started_at")?,
            locked_until: r.get("locked_until")?,
        })
    })
    .transpose()
}

/// Stores the throttle state for `key`.
pub async fn save_throttle(ex: &mut impl Exec, key: &str, state: &Throttle) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
             window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(state.failures)
        .bind(state.window_started_at)
        .bind(state.locked_until),
    )
    .await?;
    Ok(())
}

/// Forgets the failures for `key` (after a successful login).
pub async fn clear_throttle(ex: &mut impl Exec, key: &str) -> StoreResult<()> {
    ex.execute(query("DELETE FROM login_throttle WHERE key = $1").bind(key))
        .await?;
    Ok(())
}
