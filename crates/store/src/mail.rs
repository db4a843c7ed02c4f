//! Mailboxes (each user's own SMTP and IMAP account), the record of messages handed to SMTP, and
//! inbound messages imported over IMAP. Credentials arrive here already sealed by `app`; this
//! module never sees a password in the clear.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

// ---- settings ------------------------------------------------------------------------------

/// The value of a process-wide setting.
pub async fn setting(ex: &mut impl Exec, key: &str) -> StoreResult<Option<String>> {
    let row = ex
        .fetch_optional(query("SELECT value FROM settings WHERE key = $1").bind(key))
        .await?;
    row.map(|r| r.get("value")).transpose()
}

/// Stores `value` under `key` unless a value is there already (the first writer wins, so two
/// processes starting at once agree), and returns the value that is stored.
pub async fn setting_or_insert(
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
    let row = ex
        .fetch_one(query("SELECT value FROM settings WHERE key = $1").bind(key))
        .await?;
    row.get("value")
}

// ---- mailboxes -----------------------------------------------------------------------------

/// One server account (SMTP or IMAP) as stored; the password is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRow {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i64,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    /// Login, when the server needs one.
    pub username: Option<String>,
    /// The sealed password.
    pub password_enc: Option<String>,
}

/// A user's mailbox as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxRow {
    /// Id.
    pub id: Uuid,
    /// Whose mailbox.
    pub user_id: UserId,
    /// The From address.
    pub from_email: String,
    /// The From display name.
    pub from_name: Option<String>,
    /// Outgoing server.
    pub smtp: ServerRow,
    /// Incoming server, when replies are to be picked up.
    pub imap: Option<ServerRow>,
    /// Messages per day at most (the sequence scheduler paces by it).
    pub daily_cap: i64,
    /// Last message accepted by the SMTP server.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Why the last send failed (cleared by the next success).
    pub last_send_error: Option<String>,
    /// When it failed.
    pub last_send_error_at: Option<DateTime<Utc>>,
    /// Last successful IMAP sync.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last sync failed (cleared by the next success).
    pub last_sync_error: Option<String>,
    /// When it failed.
    pub last_sync_error_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock version.
    pub version: i64,
}

const MAILBOX_COLUMNS: &str = "id, user_id, from_email, from_name, smtp_host, smtp_port, smtp_security, \
     smtp_username, smtp_password_enc, imap_host, imap_port, imap_security, imap_username, \
     imap_password_enc, daily_cap, last_sent_at, last_send_error, last_send_error_at, last_sync_at, \
     last_sync_error, last_sync_error_at, created_at, updated_at, version";

fn decode_mailbox(r: &Row) -> StoreResult<MailboxRow> {
    let imap_host: Option<String> = r.get("imap_host")?;
    let imap = match imap_host {
        Some(host) => Some(ServerRow {
            host,
            port: r.get::<Option<i64>>("imap_port")?.unwrap_or(993),
            security: r
                .get::<Option<String>>("imap_security")?
                .unwrap_or_else(|| "tls".into()),
            username: r.get("imap_username")?,
            password_enc: r.get("imap_password_enc")?,
        }),
        None => None,
    };
    Ok(MailboxRow {
        id: r.get("id")?,
        user_id: r.get("user_id")?,
        from_email: r.get("from_email")?,
        from_name: r.get("from_name")?,
        smtp: ServerRow {
            host: r.get("smtp_host")?,
            port: r.get("smtp_port")?,
            security: r.get("smtp_security")?,
            username: r.get("smtp_username")?,
            password_enc: r.get("smtp_password_enc")?,
        },
        imap,
        daily_cap: r.get("daily_cap")?,
        last_sent_at: r.get("last_sent_at")?,
        last_send_error: r.get("last_send_error")?,
        last_send_error_at: r.get("last_send_error_at")?,
        last_sync_at: r.get("last_sync_at")?,
        last_sync_error: r.get("last_sync_error")?,
        last_sync_error_at: r.get("last_sync_error_at")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        version: r.get("version")?,
    })
}

/// Records a new mailbox; [`crate::StoreError::Conflict`] when the user has one already.
pub async fn insert_mailbox(ex: &mut impl Exec, m: &MailboxRow) -> StoreResult<()> {
    let imap = m.imap.as_ref();
    ex.execute(
        query(format!(
            "INSERT INTO mailboxes ({MAILBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
        ))
        .bind(m.id)
        .bind(m.user_id)
        .bind(&m.from_email)
        .bind(m.from_name.clone())
        .bind(&m.smtp.host)
        .bind(m.smtp.port)
        .bind(&m.smtp.security)
        .bind(m.smtp.username.clone())
        .bind(m.smtp.password_enc.clone())
        .bind(imap.map(|i| i.host.clone()))
        .bind(imap.map(|i| i.port))
        .bind(imap.map(|i| i.security.clone()))
        .bind(imap.and_then(|i| i.username.clone()))
        .bind(imap.and_then(|i| i.password_enc.clone()))
        .bind(m.daily_cap)
        .bind(m.last_sent_at)
        .bind(m.last_send_error.clone())
        .bind(m.last_send_error_at)
        .bind(m.last_sync_at)
        .bind(m.last_sync_error.clone())
        .bind(m.last_sync_error_at)
        .bind(m.created_at)
        .bind(m.updated_at)
        .bind(m.version),
    )
    .await?;
    Ok(())
}

/// Saves the settings of `m` (not its health columns) if its stored version is `m.version - 1`;
/// returns whether it did.
pub async fn update_mailbox_settings(ex: &mut impl Exec, m: &MailboxRow) -> StoreResult<bool> {
    let imap = m.imap.as_ref();
    let n = ex
        .execute(
            query(
                "UPDATE mailboxes SET from_email = $1, from_name = $2, smtp_host = $3, smtp_port = $4, \
                 smtp_security = $5, smtp_username = $6, smtp_password_enc = $7, imap_host = $8, \
                 imap_port = $9, imap_security = $10, imap_username = $11, imap_password_enc = $12, \
                 daily_cap = $13, updated_at = $14, version = $15 WHERE id = $16 AND version = $17",
            )
            .bind(&m.from_email)
            .bind(m.from_name.clone())
            .bind(&m.smtp.host)
            .bind(m.smtp.port)
            .bind(&m.smtp.security)
            .bind(m.smtp.username.clone())
            .bind(m.smtp.password_enc.clone())
            .bind(imap.map(|i| i.host.clone()))
            .bind(imap.map(|i| i.port))
            .bind(imap.map(|i| i.security.clone()))
            .bind(imap.and_then(|i| i.username.clone()))
            .bind(imap.and_then(|i| i.password_enc.clone()))
            .bind(m.daily_cap)
            .bind(m.updated_at)
            .bind(m.version)
            .bind(m.id)
            .bind(m.version - 1),
        )
        .await?;
    Ok(n > 0)
}

/// The mailbox with `id`.
pub async fn mailbox_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<MailboxRow>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode_mailbox).transpose()
}

/// The mailbox of `user_id`.
pub async fn mailbox_by_user(ex: &mut impl Exec, user_id: UserId) -> StoreResult<Option<MailboxRow>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE user_id = $1"
            ))
            .bind(user_id),
        )
        .await?;
    row.as_ref().map(decode_mailbox).transpose()
}

/// Mailboxes in id order after `after`, of one user or of everyone.
pub async fn list_mailboxes(
    ex: &mut impl Exec,
    user_id: Option<UserId>,
    after: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<MailboxRow>> {
    let mut q = query("");
    let mut sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE 1 = 1");
    if let Some(u) = user_id {
        sql.push_str(&format!(" AND user_id = ${}", q.push_bind(u)));
    }
    if let Some(a) = after {
        sql.push_str(&format!(" AND id > ${}", q.push_bind(a)));
    }
    sql.push_str(&format!(" ORDER BY id LIMIT ${}", q.push_bind(limit)));
    ex.fetch_all(q.with_sql(sql))
        .await?
        .iter()
        .map(decode_mailbox)
        .collect()
}

/// Mailboxes with an IMAP account, for scheduling syncs.
pub async fn mailboxes_with_imap(ex: &mut impl Exec) -> StoreResult<Vec<Uuid>> {
    let rows = ex
        .fetch_all(query(
            "SELECT id FROM mailboxes WHERE imap_host IS NOT NULL ORDER BY id",
        ))
        .await?;
    rows.iter().map(|r| r.get("id")).collect()
}

/// Records the outcome of a send on the mailbox: `Ok` clears the last error.
pub async fn record_send_outcome(
    ex: &mut impl Exec,
    id: Uuid,
    outcome: Result<(), &str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let q = match outcome {
        Ok(()) => query(
            "UPDATE mailboxes SET last_sent_at = $1, last_send_error = NULL, last_send_error_at = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id),
        Err(e) => query("UPDATE mailboxes SET last_send_error = $1, last_send_error_at = $2 WHERE id = $3")
            .bind(e)
            .bind(now)
            .bind(id),
    };
    ex.execute(q).await?;
    Ok(())
}

/// Records the outcome of an IMAP sync on the mailbox: `Ok` clears the last error.
pub async fn record_sync_outcome(
    ex: &mut impl Exec,
    id: Uuid,
    outcome: Result<(), &str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let q = match outcome {
        Ok(()) => query(
            "UPDATE mailboxes SET last_sync_at = $1, last_sync_error = NULL, last_sync_error_at = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id),
        Err(e) => query("UPDATE mailboxes SET last_sync_error = $1, last_sync_error_at = $2 WHERE id = $3")
            .bind(e)
            .bind(now)
            .bind(id),
    };
    ex.execute(q).await?;
    Ok(())
}

// ---- IMAP folder state ---------------------------------------------------------------------

/// Where sync stands in one folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    /// The folder's UIDVALIDITY when `last_uid` was read.
    pub uid_validity: i64,
    /// Every UID up to this one has been imported.
    pub last_uid: i64,
}

/// The sync state of `folder`.
pub async fn folder_state(
    ex: &mut impl Exec,
    mailbox_id: Uuid,
    folder: &str,
) -> StoreResult<Option<FolderState>> {
    let row = ex
        .fetch_optional(
            query("SELECT uid_validity, last_uid FROM mailbox_folders WHERE mailbox_id = $1 AND folder = $2")
                .bind(mailbox_id)
                .bind(folder),
        )
        .await?;
    row.map(|r| {
        Ok(FolderState {
            uid_validity: r.get("uid_validity")?,
            last_uid: r.get("last_uid")?,
        })
    })
    .transpose()
}

/// Stores the sync state of `folder`. Never moves `last_uid` backwards under the same
/// UIDVALIDITY, so two syncs racing each other cannot undo one another's progress.
pub async fn save_folder_state(
    ex: &mut impl Exec,
    mailbox_id: Uuid,
    folder: &str,
    state: FolderState,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, uid_validity, last_uid, synced_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mailbox_id, folder) DO UPDATE SET \
             last_uid = CASE WHEN mailbox_folders.uid_validity = excluded.uid_validity \
               AND mailbox_folders.last_uid > excluded.last_uid THEN mailbox_folders.last_uid \
               ELSE excluded.last_uid END, \
             uid_validity = excluded.uid_validity, synced_at = excluded.synced_at",
        )
        .bind(mailbox_id)
        .bind(folder)
        .bind(state.uid_validity)
        .bind(state.last_uid)
        .bind(now),
    )
    .await?;
    Ok(())
}

// ---- sent messages -------------------------------------------------------------------------

/// What is known about a Message-ID handed to SMTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// Never tried.
    New,
    /// An attempt started and did not report back: the server may or may not have it.
    Uncertain,
    /// The server accepted it.
    Sent,
}

/// Notes that an SMTP attempt for `message_id` starts now and returns what was known before:
/// [`SendState::New`] for a first attempt, [`SendState::Uncertain`] when an earlier attempt
/// started and never finished, [`SendState::Sent`] when it already went out.
#[allow(clippy::too_many_arguments)]
pub async fn begin_send(
    ex: &mut impl Exec,
    message_id: &str,
    mailbox_id: Option<Uuid>,
    outbox_id: Uuid,
    recipients: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> StoreResult<SendState> {
    let before = ex
        .fetch_optional(query("SELECT state FROM sent_messages WHERE message_id = $1").bind(message_id))
        .await?;
    match before {
        Some(r) => {
            let state: String = r.get("state")?;
            if state == "sent" {
                return Ok(SendState::Sent);
            }
            ex.execute(
                query(
                    "UPDATE sent_messages SET state = 'sending', attempts = attempts + 1, started_at = $1 \
                     WHERE message_id = $2",
                )
                .bind(now)
                .bind(message_id),
            )
            .await?;
            // 'failed' means the last attempt surely did not reach the server.
            Ok(if state == "failed" {
                SendState::New
            } else {
                SendState::Uncertain
            })
        }
        None => {
            ex.execute(
                query(
                    "INSERT INTO sent_messages (message_id, mailbox_id, outbox_id, state, recipients, subject, started_at) \
                     VALUES ($1, $2, $3, 'sending', $4, $5, $6)",
                )
                .bind(message_id)
                .bind(mailbox_id)
                .bind(outbox_id)
                .bind(recipients)
                .bind(subject)
                .bind(now),
            )
            .await?;
            Ok(SendState::New)
        }
    }
}

/// Records that the server accepted `message_id`.
pub async fn mark_sent(
    ex: &mut impl Exec,
    message_id: &str,
    response: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE sent_messages SET state = 'sent', sent_at = $1, smtp_response = $2 WHERE message_id = $3",
        )
        .bind(now)
        .bind(response)
        .bind(message_id),
    )
    .await?;
    Ok(())
}

/// Records that an attempt surely did not deliver `message_id` (the server refused it or could
/// not be reached), so the next attempt need not wonder.
pub async fn mark_failed(ex: &mut impl Exec, message_id: &str, error: &str) -> StoreResult<()> {
    ex.execute(
        query("UPDATE sent_messages SET state = 'failed', smtp_response = $1 WHERE message_id = $2 AND state = 'sending'")
            .bind(error)
            .bind(message_id),
    )
    .await?;
    Ok(())
}

/// Forgets that `message_id` was accepted, as if the process had died between the server's
/// answer and recording it. Only for tests of that window.
pub async fn forget_sent(ex: &mut impl Exec, message_id: &str) -> StoreResult<()> {
    ex.execute(
        query("UPDATE sent_messages SET state = 'sending', sent_at = NULL WHERE message_id = $1")
            .bind(message_id),
    )
    .await?;
    Ok(())
}

/// The state of `message_id`, and how many SMTP attempts it took.
pub async fn sent_message(ex: &mut impl Exec, message_id: &str) -> StoreResult<Option<(String, i64)>> {
    let row = ex
        .fetch_optional(
            query("SELECT state, attempts FROM sent_messages WHERE message_id = $1").bind(message_id),
        )
        .await?;
    row.map(|r| Ok((r.get("state")?, r.get("attempts")?))).transpose()
}

/// Messages the mailbox's server accepted since `since`.
pub async fn count_sent_since(
    ex: &mut impl Exec,
    mailbox_id: Uuid,
    since: DateTime<Utc>,
) -> StoreResult<i64> {
    let row = ex
        .fetch_one(
            query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sent_messages \
                 WHERE mailbox_id = $1 AND state = 'sent' AND sent_at >= $2",
            )
            .bind(mailbox_id)
            .bind(since),
        )
        .await?;
    row.get("n")
}

// ---- inbound messages ----------------------------------------------------------------------

/// An imported message and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundRow {
    /// Id.
    pub id: Uuid,
    /// Mailbox it came into.
    pub mailbox_id: Uuid,
    /// IMAP folder.
    pub folder: String,
    /// The folder's UIDVALIDITY.
    pub uid_validity: i64,
    /// IMAP UID.
    pub uid: i64,
    /// Its Message-ID, when it had one.
    pub message_id: Option<String>,
    /// The Message-ID it answers.
    pub in_reply_to: Option<String>,
    /// Sender address.
    pub from_email: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Its Date header.
    pub sent_date: Option<DateTime<Utc>>,
    /// `reply`, `bounce`, `out_of_office`, `automatic_reply`, or `error`.
    pub signal: String,
    /// The classified signal in full.
    pub signal_json: Option<serde_json::Value>,
    /// For a bounce, the address that failed.
    pub bounce_recipient: Option<String>,
    /// For an out-of-office, the first day back.
    pub return_date: Option<NaiveDate>,
    /// Why it could not be read, for `error`.
    pub error: Option<String>,
    /// Size of the raw message.
    pub size_bytes: i64,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// When the sequence engine acted on it.
    pub handled_at: Option<DateTime<Utc>>,
}

const INBOUND_COLUMNS: &str = "id, mailbox_id, folder, uid_validity, uid, message_id, in_reply_to, \
     from_email, subject, sent_date, signal, signal_json, bounce_recipient, return_date, error, size_bytes, \
     imported_at, handled_at";

fn decode_inbound(r: &Row) -> StoreResult<InboundRow> {
    Ok(InboundRow {
        id: r.get("id")?,
        mailbox_id: r.get("mailbox_id")?,
        folder: r.get("folder")?,
        uid_validity: r.get("uid_validity")?,
        uid: r.get("uid")?,
        message_id: r.get("message_id")?,
        in_reply_to: r.get("in_reply_to")?,
        from_email: r.get("from_email")?,
        subject: r.get("subject")?,
        sent_date: r.get("sent_date")?,
        signal: r.get("signal")?,
        signal_json: r.get("signal_json")?,
        bounce_recipient: r.get("bounce_recipient")?,
        return_date: r.get("return_date")?,
        error: r.get("error")?,
        size_bytes: r.get("size_bytes")?,
        imported_at: r.get("imported_at")?,
        handled_at: r.get("handled_at")?,
    })
}

/// Records an imported message; returns false when it was imported before (same UID, or same
/// Message-ID in this mailbox).
pub async fn insert_inbound(ex: &mut impl Exec, m: &InboundRow) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(format!(
                "INSERT INTO inbound_messages ({INBOUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING"
            ))
            .bind(m.id)
            .bind(m.mailbox_id)
            .bind(&m.folder)
            .bind(m.uid_validity)
            .bind(m.uid)
            .bind(m.message_id.clone())
            .bind(m.in_reply_to.clone())
            .bind(m.from_email.clone())
            .bind(m.subject.clone())
            .bind(m.sent_date)
            .bind(&m.signal)
            .bind(m.signal_json.clone())
            .bind(m.bounce_recipient.clone())
            .bind(m.return_date)
            .bind(m.error.clone())
            .bind(m.size_bytes)
            .bind(m.imported_at)
            .bind(m.handled_at),
        )
        .await?;
    Ok(n > 0)
}

/// Imported messages of a mailbox, newest first, before `before` (keyset on the id).
pub async fn list_inbound(
    ex: &mut impl Exec,
    mailbox_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<InboundRow>> {
    let q = match before {
        Some(b) => query(format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE mailbox_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(mailbox_id)
        .bind(b)
        .bind(limit),
        None => query(format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE mailbox_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(mailbox_id)
        .bind(limit),
    };
    ex.fetch_all(q).await?.iter().map(decode_inbound).collect()
}

/// How many imported messages of each signal a mailbox has.
pub async fn inbound_counts(ex: &mut impl Exec, mailbox_id: Uuid) -> StoreResult<Vec<(String, i64)>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT signal, CAST(COUNT(*) AS BIGINT) AS n FROM inbound_messages WHERE mailbox_id = $1 \
                 GROUP BY signal ORDER BY signal",
            )
            .bind(mailbox_id),
        )
        .await?;
    rows.iter().map(|r| Ok((r.get("signal")?, r.get("n")?))).collect()
}

/// One imported message.
pub async fn inbound_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<InboundRow>> {
    ex.fetch_optional(
        query(format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .as_ref()
    .map(decode_inbound)
    .transpose()
}
