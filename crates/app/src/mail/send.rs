//! The `email.send` outbox handler: one queued [`OutgoingEmail`] out through its sender's
//! mailbox, at most once per Message-ID as far as can be known.
//!
//! Before talking SMTP the handler commits a `sent_messages` row in state `sending`; after the
//! server accepts the message it commits `sent`. A later attempt for the same Message-ID (a
//! retry, the lease expiring after a crash, a second worker) therefore finds one of:
//! - `sent`: the message went out; nothing is sent again.
//! - `failed`: the last attempt surely did not reach the server (it answered with an error, or
//!   could not be reached); send.
//! - `sending`: an attempt started and never reported back (the process died, or the connection
//!   broke after the final dot). When the mailbox has IMAP, the handler looks the Message-ID up in
//!   its Sent folder and INBOX and sends only if it is in neither; without IMAP it sends.
//!
//! So the one window in which a message can go out twice is: the server accepted it, and then the
//! process died (or the connection broke) before the `sent` row committed, and the message cannot
//! be found over IMAP (no IMAP account, or a server that keeps no copy of sent mail in Sent or
//! INBOX). Everything else — retries after refusals, expired leases, two workers on one
//! PostgreSQL (which never claim the same item at once) — sends once.

use prospector_core::ids::UserId;
use prospector_store::mail::{self as store_mail, SendState};
use prospector_store::outbox::Claimed;

use super::mailboxes::open_account;
use super::transport::{Transports, build_message};
use super::{Address, OutgoingEmail, ServerAccount, imap};
use crate::outbox::{Handler, HandlerFuture};
use crate::{App, AppError};

/// Folders where a sent message may be found again.
const SENT_FOLDERS: &[&str] = &["Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "INBOX"];

/// Delivers `email.send` items; keeps pooled SMTP connections for the life of the worker.
#[derive(Debug, Default)]
pub struct SendHandler {
    transports: Transports,
}

/// Where a message goes out from.
struct Sender {
    mailbox_id: Option<uuid::Uuid>,
    from: Address,
    smtp: ServerAccount,
    imap: Option<ServerAccount>,
}

fn err(e: AppError) -> String {
    e.to_string()
}

async fn sender_of(app: &App, email: &OutgoingEmail) -> Result<Sender, String> {
    match &email.from_user_id {
        Some(raw) => {
            let user_id: UserId = raw
                .parse()
                .map_err(|_| format!("from_user_id '{raw}' is not a user id"))?;
            let row = store_mail::mailbox_by_user(&mut app.store().reader(), user_id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!("user {user_id} has no mailbox set up; the message waits until they add one")
                })?;
            let key = app.mail_key().await.map_err(err)?;
            Ok(Sender {
                mailbox_id: Some(row.id),
                from: Address {
                    email: row.from_email.clone(),
                    name: row.from_name.clone(),
                },
                smtp: open_account(&row.smtp, &key).map_err(err)?,
                imap: row
                    .imap
                    .as_ref()
                    .map(|i| open_account(i, &key))
                    .transpose()
                    .map_err(err)?,
            })
        }
        None => {
            let system = app
                .settings()
                .mail
                .system_mailbox
                .clone()
                .ok_or("no system mailbox is configured (PROSPECTOR_SYSTEM_SMTP_URL)")?;
            Ok(Sender {
                mailbox_id: None,
                from: Address {
                    email: system.from_email,
                    name: system.from_name,
                },
                smtp: system.smtp,
                imap: None,
            })
        }
    }
}

impl SendHandler {
    /// Delivers one queued message (see the module documentation for the guarantees).
    pub async fn deliver(&self, app: &App, item: &Claimed) -> Result<(), String> {
        let email: OutgoingEmail = serde_json::from_value(item.payload.clone())
            .map_err(|e| format!("unreadable email payload: {e}"))?;
        let sender = sender_of(app, &email).await?;
        let timeout = app.settings().mail.timeout;
        let recipients = email
            .to
            .iter()
            .chain(&email.cc)
            .map(|a| a.email.as_str())
            .collect::<Vec<_>>()
            .join(", ");

        let mut tx = app.store().begin().await.map_err(|e| e.to_string())?;
        let state = store_mail::begin_send(
            &mut tx,
            &email.message_id,
            sender.mailbox_id,
            item.id,
            &recipients,
            &email.subject,
            app.now(),
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;

        match state {
            SendState::Sent => return Ok(()),
            SendState::Uncertain => {
                if let Some(imap_account) = &sender.imap {
                    let found = imap::has_message_id(imap_account, &email.message_id, SENT_FOLDERS, timeout)
                        .await
                        .map_err(|e| {
                            format!("an earlier attempt may have sent this message and the mailbox cannot be checked: {e}")
                        })?;
                    if found {
                        self.record(
                            app,
                            &sender,
                            &email.message_id,
                            Ok("found in the mailbox over IMAP"),
                        )
                        .await?;
                        return Ok(());
                    }
                }
            }
            SendState::New => {}
        }

        let message = build_message(&email, &sender.from, app.now())?;
        match self.transports.send(&sender.smtp, message, timeout).await {
            Ok(response) => self.record(app, &sender, &email.message_id, Ok(&response)).await,
            Err(failure) => {
                let mut tx = app.store().begin().await.map_err(|e| e.to_string())?;
                if !failure.maybe_delivered {
                    store_mail::mark_failed(&mut tx, &email.message_id, &failure.message)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                if let Some(id) = sender.mailbox_id {
                    store_mail::record_send_outcome(&mut tx, id, Err(&failure.message), app.now())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                tx.commit().await.map_err(|e| e.to_string())?;
                Err(failure.message)
            }
        }
    }

    async fn record(
        &self,
        app: &App,
        sender: &Sender,
        message_id: &str,
        outcome: Result<&str, &str>,
    ) -> Result<(), String> {
        let now = app.now();
        let mut tx = app.store().begin().await.map_err(|e| e.to_string())?;
        if let Ok(response) = outcome {
            store_mail::mark_sent(&mut tx, message_id, Some(response), now)
                .await
                .map_err(|e| e.to_string())?;
        }
        if let Some(id) = sender.mailbox_id {
            store_mail::record_send_outcome(&mut tx, id, outcome.map(|_| ()), now)
                .await
                .map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())
    }
}

impl Handler for SendHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(self.deliver(app, item))
    }
}
