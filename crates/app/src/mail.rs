//! Outgoing mail, through the outbox. A use case that sends mail calls [`enqueue_email`] inside its
//! transaction; the `email.send` outbox handler (the mail transport) delivers it. So a rolled-back
//! change sends nothing, and a crash after commit still sends — once: each message carries its
//! own Message-ID and dedupe key.

use chrono::{DateTime, Utc};
use prospector_store::WriteTx;
use serde::{Deserialize, Serialize};

use crate::AppResult;

/// The outbox kind that delivers an [`OutgoingEmail`].
pub const EMAIL_SEND: &str = "email.send";

/// A mailbox address with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The address.
    pub email: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A calendar invitation attached as `text/calendar; method=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPart {
    /// `REQUEST` or `CANCEL`.
    pub method: String,
    /// The iCalendar text (CRLF line endings).
    pub ics: String,
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// Send through this user's own mailbox; `None` sends from the system mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user_id: Option<String>,
    /// Recipients.
    pub to: Vec<Address>,
    /// Copies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Address>,
    /// Subject (one line).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// Optional HTML body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Optional calendar invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarPart>,
    /// `<id@host>`: fixed when enqueued, so a retried send is recognisably the same message.
    pub message_id: String,
    /// Threading: the Message-ID this replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// Extra headers such as `List-Unsubscribe`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// What the message is about (e.g. `application`, an id), for the record's timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<(String, String)>,
}

/// A new Message-ID for `host`, unique and time-ordered.
pub fn new_message_id(now: DateTime<Utc>, host: &str) -> String {
    format!("<{}@{host}>", prospector_core::ids::uuid_v7_at(now).simple())
}

/// Queues `email` inside `tx` to be sent at `send_at` (now, or later for delayed mail such as a
/// declined candidate's email). The Message-ID doubles as the dedupe key.
pub async fn enqueue_email(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    email: &OutgoingEmail,
    send_at: DateTime<Utc>,
) -> AppResult<()> {
    let payload = serde_json::to_value(email).map_err(|e| crate::AppError::Internal(e.to_string()))?;
    crate::outbox::enqueue(
        tx,
        now,
        EMAIL_SEND,
        payload,
        send_at,
        Some(format!("email:{}", email.message_id)),
    )
    .await?;
    Ok(())
}
