//! Open tracking, for sequences that opt in: each automatic email carries a 1×1 image whose URL
//! holds an unguessable token; fetching it records the email's first open (later fetches change
//! nothing) and an `email_opened` entry in the audit log.

use prospector_store::sequences;

use crate::audit::{self, Change};
use crate::{Actor, App, AppResult};

/// Longest token accepted; anything longer is not one of ours.
const MAX_TOKEN_CHARS: usize = 200;

/// What fetching a pixel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenRecorded {
    /// The email's first open, now recorded.
    First,
    /// Opened before; nothing changed.
    Again,
    /// No email carries this token.
    Unknown,
}

/// The path of the pixel for `token`, under the public URL.
pub fn pixel_path(token: &str) -> String {
    format!("/o/{token}.gif")
}

/// The HTML image appended to a tracked email.
pub(crate) fn pixel_tag(public_url: &str, token: &str) -> String {
    format!(
        "<img src=\"{}{}\" width=\"1\" height=\"1\" alt=\"\" style=\"border:0\">",
        public_url.trim_end_matches('/'),
        pixel_path(token)
    )
}

fn plausible(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN_CHARS && token.chars().all(|c| c.is_ascii_hexdigit())
}

impl App {
    /// Someone (or their mail client) fetched the pixel with `token`. No login: the token is the
    /// credential, and it only ever records an open.
    pub async fn record_email_open(&self, token: &str) -> AppResult<OpenRecorded> {
        if !plausible(token) {
            return Ok(OpenRecorded::Unknown);
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let outcome = match sequences::record_open(&mut tx, token, now).await? {
            None => OpenRecorded::Unknown,
            Some((_, false)) => OpenRecorded::Again,
            Some((x, true)) => {
                let signal = serde_json::json!({
                    "person_id": x.person_id.to_string(),
                    "enrollment_id": x.enrollment_id,
                    "sequence_id": x.sequence_id,
                    "step": x.step_index + 1,
                    "message_id": x.message_id,
                    "opened_at": now,
                });
                audit::record::<(), _>(
                    &mut tx,
                    &Actor::system(),
                    now,
                    Change {
                        action: "email_opened",
                        entity_type: "step_execution",
                        entity_id: Some(x.id.to_string()),
                        before: None,
                        after: Some(&signal),
                    },
                )
                .await?;
                OpenRecorded::First
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}
