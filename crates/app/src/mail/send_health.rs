//! A mailbox's sending health: the owner's emails still in the outbox, so an unreachable SMTP
//! server shows as emails retrying with backoff (the error, the next attempt), never as silence.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use prospector_store::Exec;
use prospector_store::send_queue::{self, PendingEmail, QueueCounts};
use serde::Serialize;

use crate::AppResult;

/// Undelivered emails listed on the mailbox page.
const PENDING_SHOWN: i64 = 20;

/// One undelivered email as the mailbox page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingSend {
    /// `queued`, `retrying` or `failed`.
    pub state: &'static str,
    /// Subject line.
    pub subject: String,
    /// First recipient.
    pub to: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt runs (none once it failed for good).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Queued.
    pub queued_at: DateTime<Utc>,
}

/// Undelivered emails of one sender.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendHealth {
    /// Waiting for their first attempt.
    pub queued: i64,
    /// Failed at least once, waiting for their next attempt.
    pub retrying: i64,
    /// Gave up after their last attempt.
    pub failed: i64,
    /// The newest few, newest first.
    pub pending: Vec<PendingSend>,
}

fn view(p: &PendingEmail) -> PendingSend {
    let state = match (p.failed_at, p.attempts) {
        (Some(_), _) => "failed",
        (None, 0) => "queued",
        (None, _) => "retrying",
    };
    PendingSend {
        state,
        subject: p.payload["subject"].as_str().unwrap_or_default().to_owned(),
        to: p.payload["to"][0]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        attempts: p.attempts,
        last_error: p.last_error.clone(),
        next_attempt_at: p.failed_at.is_none().then_some(p.available_at),
        queued_at: p.created_at,
    }
}

/// The sending health of `owner`'s mailbox.
pub(crate) async fn send_health(ex: &mut impl Exec, owner: UserId) -> AppResult<SendHealth> {
    let QueueCounts {
        queued,
        retrying,
        failed,
    } = send_queue::counts(ex, owner).await?;
    let pending = send_queue::pending(ex, owner, PENDING_SHOWN).await?;
    Ok(SendHealth {
        queued,
        retrying,
        failed,
        pending: pending.iter().map(view).collect(),
    })
}
