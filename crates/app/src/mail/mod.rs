//! Outgoing mail, through the outbox. A use case that sends mail calls [`enqueue_email`] inside its
//! transaction; the `email.send` outbox handler (the mail transport) delivers it. So a rolled-back
//! change sends nothing, and a crash after commit still sends — once: each message carries its
//! own Message-ID and dedupe key.
//!
//! Delivery: [`send::SendHandler`] builds the MIME message ([`transport`]) and sends it through
//! the sender's own mailbox ([`mailboxes`], credentials sealed by [`crypto`]) or the system
//! mailbox; [`sync`] polls each mailbox over IMAP ([`imap`]) and records replies, bounces and
//! out-of-office answers for the sequence engine.

pub mod crypto;
pub mod imap;
pub mod mailboxes;
pub mod send;
pub mod send_health;
pub mod sync;
pub mod transport;

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
    let item = email_item(email, send_at)?;
    crate::outbox::enqueue(tx, now, &item.kind, item.payload, send_at, item.dedupe_key).await?;
    Ok(())
}

/// The `email.send` outbox item for `email` (what [`enqueue_email`] writes), for callers that
/// write many at once.
pub fn email_item(
    email: &OutgoingEmail,
    send_at: DateTime<Utc>,
) -> AppResult<prospector_store::outbox::NewItem> {
    let payload = serde_json::to_value(email).map_err(|e| crate::AppError::Internal(e.to_string()))?;
    Ok(prospector_store::outbox::NewItem {
        kind: EMAIL_SEND.to_owned(),
        payload,
        available_at: send_at,
        dedupe_key: Some(format!("email:{}", email.message_id)),
        max_attempts: crate::outbox::MAX_ATTEMPTS,
    })
}

/// The outbox kind that polls one mailbox over IMAP and schedules the next poll.
pub const MAIL_SYNC: &str = "mail.sync";

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (SMTPS 465, IMAPS 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (submission 587, IMAP 143); refused if the server
    /// does not offer it.
    Starttls,
    /// No encryption: only for servers on the same host or a trusted network.
    None,
}

impl Security {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }

    /// Parses a stored or typed code.
    pub fn parse(field: &str, raw: &str) -> Result<Security, prospector_core::Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" => Ok(Security::Tls),
            "starttls" => Ok(Security::Starttls),
            "none" | "plain" => Ok(Security::None),
            other => Err(prospector_core::Invalid::new(
                field,
                "invalid_security",
                format!("'{other}' is not one of tls, starttls, none"),
            )),
        }
    }
}

/// A server account with its password in the clear (only ever in memory).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerAccount {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection.
    pub security: Security,
    /// Login.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
}

impl std::fmt::Debug for ServerAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The mailbox that sends mail with `from_user_id: None` (invitations, password resets,
/// candidate emails), from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemMailbox {
    /// From address.
    pub from_email: String,
    /// From name.
    pub from_name: Option<String>,
    /// Outgoing server.
    pub smtp: ServerAccount,
}

impl SystemMailbox {
    /// Reads `smtps://USER:PASSWORD@HOST[:PORT]` (TLS), `smtp://…` (STARTTLS) or
    /// `smtp://…?security=none` (a local relay), sending as `from` (`Name <addr>` or `addr`).
    pub fn from_url(url: &str, from: &str) -> Result<SystemMailbox, String> {
        let bad = |why: &str| format!("system SMTP URL: {why} (expected smtp[s]://user:password@host:port)");
        let (scheme, rest) = url.trim().split_once("://").ok_or_else(|| bad("no scheme"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut security = match scheme {
            "smtps" => Security::Tls,
            "smtp" => Security::Starttls,
            _ => return Err(bad("scheme must be smtp or smtps")),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("security", v)) => {
                    security = Security::parse("security", v).map_err(|e| bad(&e.message))?
                }
                _ => return Err(bad(&format!("unknown option {pair}"))),
            }
        }
        let (creds, hostport) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, rest),
        };
        let (username, password) = match creds.map(|c| c.split_once(':').unwrap_or((c, ""))) {
            Some((u, p)) => (Some(u.to_owned()), Some(p.to_owned()).filter(|p| !p.is_empty())),
            None => (None, None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("bad port"))?),
            None => (
                hostport,
                match security {
                    Security::Tls => 465,
                    Security::Starttls => 587,
                    Security::None => 25,
                },
            ),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let from = from.trim();
        let (from_name, from_email) = match from.split_once('<') {
            Some((name, addr)) => (
                Some(name.trim().trim_matches('"').to_owned()).filter(|n| !n.is_empty()),
                addr.trim_end_matches('>').trim().to_owned(),
            ),
            None => (None, from.to_owned()),
        };
        prospector_core::email::Email::parse_field("system_mail_from", &from_email).map_err(|e| e.message)?;
        Ok(SystemMailbox {
            from_email,
            from_name,
            smtp: ServerAccount {
                host: host.to_owned(),
                port,
                security,
                username,
                password,
            },
        })
    }
}

/// Mail settings of the application.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Base64 of 32 bytes sealing mailbox passwords; `None` generates one into the database (see
    /// [`crypto`] for the trade-off).
    pub secret_key: Option<String>,
    /// The system mailbox, when configured.
    pub system_mailbox: Option<SystemMailbox>,
    /// How often each mailbox is polled over IMAP.
    pub sync_interval: chrono::Duration,
    /// Give up on a mail server that does not answer within this.
    pub timeout: std::time::Duration,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            system_mailbox: None,
            sync_interval: chrono::Duration::minutes(5),
            timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// A worker that also delivers mail and polls mailboxes.
pub fn with_mail_handlers(worker: crate::outbox::Worker) -> crate::outbox::Worker {
    worker
        .with_handler(EMAIL_SEND, std::sync::Arc::new(send::SendHandler::default()))
        .with_handler(MAIL_SYNC, std::sync::Arc::new(sync::SyncHandler))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_smtp_url_names_server_login_and_security() {
        let m = SystemMailbox::from_url(
            "smtps://app:pa55@mail.example.com",
            "Prospector <noreply@example.com>",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.smtp.port, m.smtp.security), (465, Security::Tls));
        assert_eq!(m.smtp.password.as_deref(), Some("pa55"));
        assert_eq!(
            (m.from_email.as_str(), m.from_name.as_deref()),
            ("noreply@example.com", Some("Prospector"))
        );
        let local = SystemMailbox::from_url("smtp://127.0.0.1:2525?security=none", "a@example.com")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (local.smtp.port, local.smtp.security, local.smtp.username),
            (2525, Security::None, None)
        );
        assert!(SystemMailbox::from_url("http://x", "a@example.com").is_err());
        assert!(format!("{:?}", m.smtp).contains("***") && !format!("{:?}", m.smtp).contains("pa55"));
    }
}
