//! SMTP out: the MIME message built from an [`OutgoingEmail`], and connections kept open per
//! server account (lettre on rustls/ring), so a burst of sends pays for one TCP + TLS + AUTH
//! handshake.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

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

/// Open SMTP connections, kept between messages per server account for the life of the worker.
///
/// Our own small pool rather than lettre's: lettre writes the message body and the final
/// `.` in two writes, and on a socket without `TCP_NODELAY` Nagle's algorithm holds the second
/// until the server's delayed ACK (40 ms) — capping a connection near 25 messages a second. We
/// open the socket ourselves with `TCP_NODELAY` (plain and STARTTLS; implicit TLS goes through
/// lettre's connector, which does not expose the socket).
#[derive(Default)]
pub struct Transports {
    idle: Mutex<HashMap<String, Vec<(AsyncSmtpConnection, Instant)>>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transports")
    }
}

/// Idle connections kept per account.
const MAX_IDLE: usize = 4;
/// An idle connection older than this is dropped rather than reused.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

fn pool_key(account: &ServerAccount) -> String {
    use sha2::{Digest, Sha256};
    // The password is part of the key (so a changed password gets fresh connections) but only hashed.
    let secret = hex::encode(Sha256::digest(account.password.as_deref().unwrap_or_default()));
    format!(
        "{}:{}:{}:{}:{secret}",
        account.host,
        account.port,
        account.security.code(),
        account.username.as_deref().unwrap_or_default()
    )
}

/// Connects, says EHLO, upgrades to TLS as configured and logs in. Nothing can have been
/// delivered when this fails.
async fn open(account: &ServerAccount, timeout: Duration) -> Result<AsyncSmtpConnection, String> {
    let addr = format!("{}:{}", account.host, account.port);
    let hello = ClientId::default();
    let tls = || TlsParameters::new(account.host.clone()).map_err(|e| format!("TLS setup for {addr}: {e}"));
    let connect = async {
        let mut conn = match account.security {
            Security::Tls => AsyncSmtpConnection::connect_tokio1(
                (account.host.as_str(), account.port),
                Some(timeout),
                &hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(|e| format!("cannot connect to SMTP server {addr}: {e}"))?,
            Security::Starttls | Security::None => {
                let tcp = tokio::net::TcpStream::connect((account.host.as_str(), account.port))
                    .await
                    .map_err(|e| format!("cannot connect to SMTP server {addr}: {e}"))?;
                tcp.set_nodelay(true)
                    .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))?;
                let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                    .await
                    .map_err(|e| format!("SMTP server {addr} refused EHLO: {e}"))?;
                if account.security == Security::Starttls {
                    conn.starttls(tls()?, &hello)
                        .await
                        .map_err(|e| format!("STARTTLS with {addr} failed: {e}"))?;
                }
                conn
            }
        };
        if let (Some(user), Some(password)) = (&account.username, &account.password) {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(user.clone(), password.clone()),
            )
            .await
            .map_err(|e| format!("SMTP login as {user} at {addr} failed: {e}"))?;
        }
        Ok(conn)
    };
    tokio::time::timeout(timeout, connect)
        .await
        .map_err(|_| format!("SMTP server {addr} did not answer in time"))?
}

impl Transports {
    fn take_idle(&self, key: &str) -> Option<(AsyncSmtpConnection, Instant)> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        idle.get_mut(key).and_then(Vec::pop)
    }

    fn put_idle(&self, key: String, conn: AsyncSmtpConnection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = idle.entry(key).or_default();
        if slot.len() < MAX_IDLE {
            slot.push((conn, Instant::now()));
        }
    }

    /// Sends `message` through `account`; returns the server's reply to the message.
    pub async fn send(
        &self,
        account: &ServerAccount,
        message: Message,
        timeout: Duration,
    ) -> Result<String, SendFailure> {
        let key = pool_key(account);
        let mut reused = None;
        if let Some((mut conn, at)) = self.take_idle(&key)
            && at.elapsed() < IDLE_TIMEOUT
            && conn.test_connected().await
        {
            reused = Some(conn);
        }
        let mut conn = match reused {
            Some(c) => c,
            None => open(account, timeout).await.map_err(|message| SendFailure {
                message,
                maybe_delivered: false,
            })?,
        };
        let bytes = message.formatted();
        let outcome = tokio::time::timeout(timeout, conn.send(message.envelope(), &bytes)).await;
        let addr = format!("{}:{}", account.host, account.port);
        match outcome {
            Ok(Ok(response)) => {
                if !conn.has_broken() {
                    self.put_idle(key, conn);
                }
                Ok(response.message().collect::<Vec<_>>().join(" "))
            }
            Ok(Err(e)) => Err(SendFailure {
                message: format!("SMTP server {addr}: {e}"),
                maybe_delivered: maybe_delivered(&e),
            }),
            Err(_) => Err(SendFailure {
                message: format!("SMTP server {addr} did not answer in time"),
                maybe_delivered: true,
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
    !(e.is_response() || e.is_transient() || e.is_permanent() || e.is_client() || e.is_tls())
}
