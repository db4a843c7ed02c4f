//! SMTP out: the MIME message built from an [`OutgoingEmail`], and pooled connections per
//! server account (lettre on rustls/ring). A pooled connection stays open between messages, so a
//! burst of sends pays for one TCP + TLS + AUTH handshake.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Address, OutgoingEmail, Security, ServerAccount};

/// Headers a caller may not set through `headers`: we set them ourselves.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "message-id",
    "in-reply-to",
    "references",
    "date",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
];

fn mailbox(a: &Address) -> Result<Mailbox, String> {
    let email = a
        .email
        .parse()
        .map_err(|e| format!("invalid address {}: {e}", a.email))?;
    Ok(Mailbox::new(a.name.clone(), email))
}

/// The MIME message for `email` from `from`, dated `now`: text, an HTML alternative when given,
/// and a `text/calendar; method=…` alternative when an invitation is attached (the form Outlook
/// and Gmail show as an invitation with accept/decline buttons).
pub fn build_message(email: &OutgoingEmail, from: &Address, now: DateTime<Utc>) -> Result<Message, String> {
    if email.to.is_empty() {
        return Err("a message needs at least one recipient".into());
    }
    let mut builder = Message::builder()
        .from(mailbox(from)?)
        .subject(email.subject.replace(['\r', '\n'], " "))
        .message_id(Some(email.message_id.clone()))
        .date(SystemTime::from(now));
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &email.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    if let Some(parent) = &email.in_reply_to {
        builder = builder.in_reply_to(parent.clone()).references(parent.clone());
    }
    for (name, value) in &email.headers {
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(format!("header {name} is set by the mailer, not by callers"));
        }
        let header_name =
            HeaderName::new_from_ascii(name.clone()).map_err(|_| format!("invalid header name {name}"))?;
        builder = builder.raw_header(HeaderValue::new(header_name, value.replace(['\r', '\n'], " ")));
    }
    let text = SinglePart::plain(email.text.clone());
    let message = match (&email.html, &email.calendar) {
        (None, None) => builder.singlepart(text),
        (html, calendar) => {
            let mut alt = MultiPart::alternative().singlepart(text);
            if let Some(html) = html {
                alt = alt.singlepart(SinglePart::html(html.clone()));
            }
            if let Some(cal) = calendar {
                let method = cal.method.trim().to_ascii_uppercase();
                if !method.chars().all(|c| c.is_ascii_alphabetic()) || method.is_empty() {
                    return Err(format!("invalid calendar method {}", cal.method));
                }
                let content_type =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|e| format!("calendar content type: {e}"))?;
                alt = alt.singlepart(
                    SinglePart::builder()
                        .content_type(content_type)
                        .body(cal.ics.clone()),
                );
            }
            builder.multipart(alt)
        }
    };
    message.map_err(|e| format!("cannot build the message: {e}"))
}

/// Pooled SMTP transports, one per server account, kept for the life of the worker.
#[derive(Default)]
pub struct Transports {
    pools: Mutex<HashMap<String, AsyncSmtpTransport<Tokio1Executor>>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transports")
    }
}

fn pool_key(account: &ServerAccount) -> String {
    use sha2::{Digest, Sha256};
    // The password is part of the key (so a changed password gets a fresh pool) but only hashed.
    let secret = hex::encode(Sha256::digest(account.password.as_deref().unwrap_or_default()));
    format!(
        "{}:{}:{}:{}:{secret}",
        account.host,
        account.port,
        account.security.code(),
        account.username.as_deref().unwrap_or_default()
    )
}

fn build_transport(
    account: &ServerAccount,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = match account.security {
        Security::None => Tls::None,
        Security::Tls | Security::Starttls => {
            let params = TlsParameters::new(account.host.clone()).map_err(|e| format!("TLS setup: {e}"))?;
            if account.security == Security::Tls {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(account.host.clone())
        .port(account.port)
        .tls(tls)
        .timeout(Some(timeout))
        .pool_config(
            PoolConfig::new()
                .max_size(4)
                .idle_timeout(Duration::from_secs(60)),
        );
    if let (Some(user), Some(password)) = (&account.username, &account.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

impl Transports {
    fn get(
        &self,
        account: &ServerAccount,
        timeout: Duration,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let key = pool_key(account);
        let mut pools = self
            .pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(t) = pools.get(&key) {
            return Ok(t.clone());
        }
        let transport = build_transport(account, timeout)?;
        pools.insert(key, transport.clone());
        Ok(transport)
    }

    /// Sends `message` through `account`; returns the server's reply to the message.
    pub async fn send(
        &self,
        account: &ServerAccount,
        message: Message,
        timeout: Duration,
    ) -> Result<String, SendFailure> {
        let transport = self.get(account, timeout).map_err(|message| SendFailure {
            message,
            maybe_delivered: false,
        })?;
        match transport.send(message).await {
            Ok(response) => Ok(response.message().collect::<Vec<_>>().join(" ")),
            Err(e) => Err(SendFailure {
                message: format!("SMTP server {}:{}: {e}", account.host, account.port),
                maybe_delivered: maybe_delivered(&e),
            }),
        }
    }
}

/// A failed send.
#[derive(Debug, Clone)]
pub struct SendFailure {
    /// What went wrong.
    pub message: String,
    /// False when the server surely does not have the message: it answered with an error code,
    /// or could not be reached at all. True when the connection broke or timed out mid-way, so
    /// the server may have accepted it without us hearing.
    pub maybe_delivered: bool,
}

fn maybe_delivered(e: &lettre::transport::smtp::Error) -> bool {
    if e.is_response() || e.is_transient() || e.is_permanent() || e.is_client() || e.is_tls() {
        return false;
    }
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::AddrNotAvailable
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
            )
        {
            return false;
        }
        source = err.source();
    }
    true
}
