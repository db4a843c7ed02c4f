//! Polling a mailbox over IMAP: every message above the last UID seen in INBOX is fetched,
//! parsed, classified (reply, bounce, out-of-office, automatic reply) and recorded once for the
//! sequence engine. A message that cannot be read is recorded as an `error` entry and skipped;
//! the sync goes on. Progress is saved per batch in the same transaction as the batch's
//! messages, and the unique keys (folder + UIDVALIDITY + UID, and Message-ID per mailbox) make a
//! repeated or concurrent sync import nothing twice.

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use prospector_core::sequence::mail_signals::{MailSignal, classify};
use prospector_store::mail::{self as store_mail, FolderState, InboundRow};
use prospector_store::outbox::Claimed;
use serde::Serialize;
use uuid::Uuid;

use super::mailboxes::open_account;
use super::{MAIL_SYNC, imap};
use crate::outbox::{Handler, HandlerFuture};
use crate::{App, AppError, AppResult};

/// The folder polled for answers.
const INBOX: &str = "INBOX";
/// Messages fetched per round trip (and committed per transaction).
const BATCH: usize = 50;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// New messages recorded (errors included).
    pub imported: usize,
    /// Messages seen before (by Message-ID) and skipped.
    pub duplicates: usize,
    /// Messages that could not be read, recorded as errors.
    pub malformed: usize,
    /// The highest UID now synced.
    pub last_uid: u32,
    /// Why the sync stopped, when it could not reach or read the mailbox.
    pub error: Option<String>,
}

/// The outbox dedupe key of the poll due at `at`: one per mailbox per interval, so a retried or
/// concurrent scheduler never queues two polls for the same slot.
pub fn sync_dedupe_key(mailbox_id: Uuid, at: DateTime<Utc>, interval: chrono::Duration) -> String {
    let slot = at.timestamp() / interval.num_seconds().max(1);
    format!("{MAIL_SYNC}:{mailbox_id}:{slot}")
}

/// One parsed inbound message, ready to store.
struct Parsed {
    message_id: Option<String>,
    in_reply_to: Option<String>,
    from_email: Option<String>,
    subject: Option<String>,
    sent_date: Option<DateTime<Utc>>,
    signal: MailSignal,
}

fn bracketed(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

/// Parses and classifies a raw message; `Err` says why it cannot be read.
fn parse(raw: &[u8], now: DateTime<Utc>) -> Result<Parsed, String> {
    if raw.is_empty() {
        return Err("empty message".into());
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or("not an RFC 5322 message")?;
    if message.parts.first().is_none_or(|p| p.headers.is_empty()) {
        return Err("no header section".into());
    }
    let from_email = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_lowercase)
        .ok_or("no From address")?;
    let headers: Vec<(&str, &str)> = message.headers_raw().collect();
    let mut text = String::new();
    let mut html = String::new();
    for part in &message.parts {
        match &part.body {
            PartType::Text(t) => {
                text.push_str(t);
                text.push('\n');
            }
            PartType::Html(h) => {
                html.push_str(h);
                html.push('\n');
            }
            PartType::Binary(_) | PartType::InlineBinary(_) => {
                let is_status = part.content_type().is_some_and(|ct| {
                    ct.ctype().eq_ignore_ascii_case("message")
                        && ct
                            .subtype()
                            .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
                });
                if is_status && let Some(t) = part.text_contents() {
                    text.push_str(t);
                    text.push('\n');
                }
            }
            PartType::Message(_) | PartType::Multipart(_) => {}
        }
    }
    if text.trim().is_empty() {
        text = html;
    }
    let in_reply_to = message
        .in_reply_to()
        .as_text()
        .map(str::to_owned)
        .or_else(|| {
            message
                .in_reply_to()
                .as_text_list()
                .and_then(|l| l.first().map(|s| s.to_string()))
        })
        .map(|id| bracketed(&id));
    Ok(Parsed {
        message_id: message.message_id().map(bracketed),
        in_reply_to,
        from_email: Some(from_email),
        subject: message.subject().map(str::to_owned),
        sent_date: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        signal: classify(&headers, &text, now),
    })
}

fn signal_code(signal: &MailSignal) -> &'static str {
    match signal {
        MailSignal::Reply => "reply",
        MailSignal::Bounce(_) => "bounce",
        MailSignal::OutOfOffice { .. } => "out_of_office",
        MailSignal::AutomaticReply => "automatic_reply",
    }
}

fn row_for(mailbox_id: Uuid, uid_validity: u32, fetched: &imap::Fetched, now: DateTime<Utc>) -> InboundRow {
    let mut row = InboundRow {
        id: prospector_core::ids::uuid_v7_at(now),
        mailbox_id,
        folder: INBOX.into(),
        uid_validity: i64::from(uid_validity),
        uid: i64::from(fetched.uid),
        message_id: None,
        in_reply_to: None,
        from_email: None,
        subject: None,
        sent_date: None,
        signal: "error".into(),
        signal_json: None,
        bounce_recipient: None,
        return_date: None,
        error: None,
        size_bytes: i64::try_from(fetched.raw.len()).unwrap_or(i64::MAX),
        imported_at: now,
        handled_at: None,
    };
    match parse(&fetched.raw, now) {
        Ok(p) => {
            row.signal = signal_code(&p.signal).into();
            row.signal_json = serde_json::to_value(&p.signal).ok();
            if let MailSignal::Bounce(b) = &p.signal {
                row.bounce_recipient = b.recipient.clone();
            }
            if let MailSignal::OutOfOffice { return_date } = &p.signal {
                row.return_date = *return_date;
            }
            row.message_id = p.message_id;
            row.in_reply_to = p.in_reply_to;
            row.from_email = p.from_email;
            row.subject = p.subject.map(|s| s.chars().take(500).collect());
            row.sent_date = p.sent_date;
        }
        Err(e) => row.error = Some(format!("unreadable message: {e}")),
    }
    row
}

impl App {
    /// Polls the mailbox `id` over IMAP now (the scheduled `mail.sync` job and tests call this).
    /// Trouble with the mail server is recorded on the mailbox and returned in the report;
    /// `Err` is for our own failures (database, missing mailbox).
    pub async fn sync_mailbox(&self, id: Uuid) -> AppResult<SyncReport> {
        let row = store_mail::mailbox_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("mailbox".into()))?;
        let Some(imap_row) = &row.imap else {
            return Err(AppError::conflict(
                "no_imap",
                "imap",
                "this mailbox has no IMAP account to sync",
            ));
        };
        let account = open_account(imap_row, &self.mail_key().await?)?;
        let outcome = self.sync_inbox(id, &account).await;
        let mut tx = self.store().begin().await?;
        let report = match outcome {
            Ok(report) => {
                store_mail::record_sync_outcome(&mut tx, id, Ok(()), self.now()).await?;
                report
            }
            Err(SyncError::Remote(error, partial)) => {
                tracing::warn!(mailbox = %id, %error, "mailbox sync failed");
                store_mail::record_sync_outcome(&mut tx, id, Err(&error), self.now()).await?;
                SyncReport {
                    error: Some(error),
                    ..partial
                }
            }
            Err(SyncError::Ours(e)) => return Err(e),
        };
        tx.commit().await?;
        Ok(report)
    }

    async fn sync_inbox(&self, id: Uuid, account: &super::ServerAccount) -> Result<SyncReport, SyncError> {
        let timeout = self.settings().mail.timeout;
        let mut report = SyncReport::default();
        let mut session = imap::connect(account, timeout)
            .await
            .map_err(|e| SyncError::Remote(e, SyncReport::default()))?;
        let remote = |e: String, r: &SyncReport| SyncError::Remote(e, r.clone());
        let uid_validity = imap::examine(&mut session, INBOX)
            .await
            .map_err(|e| remote(e, &report))?;
        let stored = store_mail::folder_state(&mut self.store().reader(), id, INBOX).await?;
        let last_uid = match stored {
            Some(s) if s.uid_validity == i64::from(uid_validity) => u32::try_from(s.last_uid).unwrap_or(0),
            // New folder, or the server renumbered it: start over; Message-IDs keep old
            // messages from being imported twice.
            _ => 0,
        };
        report.last_uid = last_uid;
        let uids = imap::uids_after(&mut session, last_uid)
            .await
            .map_err(|e| remote(e, &report))?;
        for chunk in uids.chunks(BATCH) {
            let fetched = tokio::time::timeout(timeout, imap::fetch(&mut session, chunk))
                .await
                .map_err(|_| remote("UID FETCH did not finish in time".into(), &report))?
                .map_err(|e| remote(e, &report))?;
            let now = self.now();
            let mut tx = self.store().begin().await?;
            for f in &fetched {
                let row = row_for(id, uid_validity, f, now);
                let is_error = row.signal == "error";
                if store_mail::insert_inbound(&mut tx, &row).await? {
                    report.imported += 1;
                    if is_error {
                        report.malformed += 1;
                    }
                } else {
                    report.duplicates += 1;
                }
            }
            // Only UIDs the server returned count as done; a UID that vanished in between is
            // covered by the chunk's highest.
            let chunk_max = chunk.iter().copied().max().unwrap_or(last_uid);
            store_mail::save_folder_state(
                &mut tx,
                id,
                INBOX,
                FolderState {
                    uid_validity: i64::from(uid_validity),
                    last_uid: i64::from(chunk_max),
                },
                now,
            )
            .await?;
            tx.commit().await?;
            report.last_uid = chunk_max;
        }
        if uids.is_empty() {
            let mut tx = self.store().begin().await?;
            store_mail::save_folder_state(
                &mut tx,
                id,
                INBOX,
                FolderState {
                    uid_validity: i64::from(uid_validity),
                    last_uid: i64::from(last_uid),
                },
                self.now(),
            )
            .await?;
            tx.commit().await?;
        }
        let _ = session.logout().await;
        Ok(report)
    }

    /// Queues a poll now for every mailbox with IMAP (at start-up, so a poll chain broken by a
    /// crash resumes); the dedupe key keeps this from doubling an existing chain's slot.
    pub async fn schedule_mailbox_syncs(&self) -> AppResult<usize> {
        let ids = store_mail::mailboxes_with_imap(&mut self.store().reader()).await?;
        let now = self.now();
        let interval = self.settings().mail.sync_interval;
        let mut tx = self.store().begin().await?;
        let mut queued = 0;
        for id in &ids {
            if crate::outbox::enqueue(
                &mut tx,
                now,
                MAIL_SYNC,
                serde_json::json!({ "mailbox_id": id }),
                now,
                Some(sync_dedupe_key(*id, now, interval)),
            )
            .await?
            {
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }
}

enum SyncError {
    /// The mail server: recorded on the mailbox; progress so far is kept.
    Remote(String, SyncReport),
    /// Ours (database): the job is retried.
    Ours(AppError),
}

impl From<prospector_store::StoreError> for SyncError {
    fn from(e: prospector_store::StoreError) -> Self {
        SyncError::Ours(e.into())
    }
}

/// The `mail.sync` outbox handler: polls one mailbox, then queues its next poll.
#[derive(Debug, Default)]
pub struct SyncHandler;

impl SyncHandler {
    async fn poll(app: &App, item: &Claimed) -> Result<(), String> {
        let id: Uuid = item
            .payload
            .get("mailbox_id")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse().ok())
            .ok_or("mail.sync payload has no mailbox_id")?;
        match app.sync_mailbox(id).await {
            Ok(_) => {}
            // The mailbox was deleted or lost its IMAP account: the chain ends here.
            Err(AppError::NotFound(_) | AppError::Conflict { .. }) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
        let interval = app.settings().mail.sync_interval;
        let now = app.now();
        let next = now + interval;
        let mut tx = app.store().begin().await.map_err(|e| e.to_string())?;
        crate::outbox::enqueue(
            &mut tx,
            now,
            MAIL_SYNC,
            serde_json::json!({ "mailbox_id": id }),
            next,
            Some(sync_dedupe_key(id, next, interval)),
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())
    }
}

impl Handler for SyncHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(Self::poll(app, item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_reply_keeps_its_thread() {
        let raw = b"From: Lee <lee@acme.example>\r\nTo: sam@example.com\r\nSubject: Re: hello\r\n\
Message-ID: <r1@acme.example>\r\nIn-Reply-To: <m1@prospector.test>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nSounds good, call me.\r\n";
        let p = parse(raw, now()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.signal, MailSignal::Reply);
        assert_eq!(p.message_id.as_deref(), Some("<r1@acme.example>"));
        assert_eq!(p.in_reply_to.as_deref(), Some("<m1@prospector.test>"));
        assert_eq!(p.from_email.as_deref(), Some("lee@acme.example"));
    }

    #[test]
    fn text_without_headers_is_unreadable() {
        assert!(parse(b"", now()).is_err());
        assert!(parse(b"\x00\x01\x02 just bytes, no headers at all", now()).is_err());
    }
}
