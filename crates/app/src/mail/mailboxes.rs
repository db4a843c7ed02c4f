//! Each user's own mailbox: SMTP to send from it, IMAP to read replies, with passwords sealed
//! before they reach the database. A user manages their own; admins manage everyone's.

use chrono::{DateTime, NaiveTime, Utc};
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::error::required_text;
use prospector_core::ids::UserId;
use prospector_core::role::Permission;
use prospector_store::mail::{self as store_mail, InboundRow, MailboxRow, ServerRow};
use prospector_store::{StoreError, WriteTx};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::crypto::{GENERATED_KEY_SETTING, SecretKey};
use super::{MAIL_SYNC, Security, ServerAccount};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

const DEFAULT_DAILY_CAP: i64 = 200;
const MAX_DAILY_CAP: i64 = 10_000;

/// A server account as typed. A missing password on an update keeps the stored one.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServerInput {
    /// Host name.
    pub host: String,
    /// Port; the usual one for the security when absent.
    #[serde(default)]
    pub port: Option<u16>,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    /// Login.
    #[serde(default)]
    pub username: Option<String>,
    /// Password.
    #[serde(default)]
    pub password: Option<String>,
}

/// A mailbox as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MailboxInput {
    /// Whose mailbox (admins); yourself when absent.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The From address.
    pub from_email: String,
    /// The From name; the user's name when absent.
    #[serde(default)]
    pub from_name: Option<String>,
    /// Outgoing server.
    pub smtp: ServerInput,
    /// Incoming server; without it replies are not picked up.
    #[serde(default)]
    pub imap: Option<ServerInput>,
    /// Messages per day at most.
    #[serde(default)]
    pub daily_cap: Option<i64>,
}

/// A server account as shown: never the password, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    /// Host.
    pub host: String,
    /// Port.
    pub port: i64,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    /// Login.
    pub username: Option<String>,
    /// Whether a password is stored.
    pub password_set: bool,
}

impl From<&ServerRow> for ServerView {
    fn from(s: &ServerRow) -> Self {
        Self {
            host: s.host.clone(),
            port: s.port,
            security: s.security.clone(),
            username: s.username.clone(),
            password_set: s.password_enc.is_some(),
        }
    }
}

/// A mailbox with its health, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxView {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub user_id: UserId,
    /// From address.
    pub from_email: String,
    /// From name.
    pub from_name: Option<String>,
    /// Outgoing server.
    pub smtp: ServerView,
    /// Incoming server.
    pub imap: Option<ServerView>,
    /// Messages per day at most.
    pub daily_cap: i64,
    /// Messages the server accepted since midnight UTC.
    pub sent_today: i64,
    /// Last message accepted.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Why the last send failed (it is being retried).
    pub last_send_error: Option<String>,
    /// When.
    pub last_send_error_at: Option<DateTime<Utc>>,
    /// Last successful IMAP sync.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last sync failed.
    pub last_sync_error: Option<String>,
    /// When.
    pub last_sync_error_at: Option<DateTime<Utc>>,
    /// Imported messages per signal (`reply`, `bounce`, `out_of_office`, `automatic_reply`, `error`).
    pub inbound_counts: Vec<(String, i64)>,
    /// The owner's emails not yet delivered: queued, retrying, failed.
    pub sending: super::send_health::SendHealth,
    /// Optimistic-lock version.
    pub version: i64,
}

impl MailboxView {
    /// `ok`, `error` or `never_synced`: one word for a status pill.
    pub fn sync_health(&self) -> &'static str {
        match (&self.imap, &self.last_sync_error, self.last_sync_at) {
            (None, _, _) => "no_imap",
            (Some(_), Some(_), _) => "error",
            (Some(_), None, None) => "never_synced",
            (Some(_), None, Some(_)) => "ok",
        }
    }
}

fn check_host(field: &str, raw: &str) -> Result<String, Invalid> {
    let host = required_text(field, raw, 253)?;
    if host.contains(|c: char| c.is_whitespace() || "/@:".contains(c)) {
        return Err(Invalid::new(
            field,
            "invalid_host",
            format!("'{host}' is not a host name"),
        ));
    }
    Ok(host)
}

fn server_row(
    prefix: &str,
    input: &ServerInput,
    default_port: fn(Security) -> u16,
    previous: Option<&ServerRow>,
    key: &SecretKey,
) -> AppResult<ServerRow> {
    let security = Security::parse(&format!("{prefix}.security"), &input.security)?;
    let host = check_host(&format!("{prefix}.host"), &input.host)?;
    let port = input.port.unwrap_or_else(|| default_port(security));
    if port == 0 {
        return Err(Invalid::new(format!("{prefix}.port"), "invalid_port", "port must be 1–65535").into());
    }
    let username = input
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let password_enc = match input.password.as_deref() {
        Some("") => None,
        Some(p) => Some(key.seal(p)?),
        None => previous.and_then(|p| p.password_enc.clone()),
    };
    Ok(ServerRow {
        host,
        port: i64::from(port),
        security: security.code().to_owned(),
        username,
        password_enc,
    })
}

fn smtp_port(s: Security) -> u16 {
    match s {
        Security::Tls => 465,
        Security::Starttls => 587,
        Security::None => 25,
    }
}

fn imap_port(s: Security) -> u16 {
    match s {
        Security::Tls => 993,
        Security::Starttls | Security::None => 143,
    }
}

/// Opens a stored server account for use.
pub(crate) fn open_account(row: &ServerRow, key: &SecretKey) -> AppResult<ServerAccount> {
    Ok(ServerAccount {
        host: row.host.clone(),
        port: u16::try_from(row.port).map_err(|_| AppError::Internal("stored port out of range".into()))?,
        security: Security::parse("security", &row.security)?,
        username: row.username.clone(),
        password: row.password_enc.as_deref().map(|p| key.open(p)).transpose()?,
    })
}

/// Whether `actor` may see and change the mailbox of `owner`.
fn may_manage(actor: &Actor, owner: UserId) -> bool {
    actor.user_id() == Some(owner) || actor.require(Permission::ManageUsers).is_ok()
}

impl App {
    /// The key that seals mailbox passwords: configured, or generated into the database once.
    pub async fn mail_key(&self) -> AppResult<SecretKey> {
        if let Some(configured) = &self.settings().mail.secret_key {
            return SecretKey::from_base64(configured).map_err(AppError::Internal);
        }
        let stored = store_mail::setting(&mut self.store().reader(), GENERATED_KEY_SETTING).await?;
        let text = match stored {
            Some(t) => t,
            None => {
                let mut tx = self.store().begin().await?;
                let t = store_mail::setting_or_insert(
                    &mut tx,
                    GENERATED_KEY_SETTING,
                    &SecretKey::generate_base64(),
                    self.now(),
                )
                .await?;
                tx.commit().await?;
                t
            }
        };
        SecretKey::from_base64(&text).map_err(AppError::Internal)
    }

    async fn mailbox_view(&self, row: &MailboxRow) -> AppResult<MailboxView> {
        let mut reader = self.store().reader();
        let midnight = self.now().date_naive().and_time(NaiveTime::MIN).and_utc();
        Ok(MailboxView {
            id: row.id,
            user_id: row.user_id,
            from_email: row.from_email.clone(),
            from_name: row.from_name.clone(),
            smtp: ServerView::from(&row.smtp),
            imap: row.imap.as_ref().map(ServerView::from),
            daily_cap: row.daily_cap,
            sent_today: store_mail::count_sent_since(&mut reader, row.id, midnight).await?,
            last_sent_at: row.last_sent_at,
            last_send_error: row.last_send_error.clone(),
            last_send_error_at: row.last_send_error_at,
            last_sync_at: row.last_sync_at,
            last_sync_error: row.last_sync_error.clone(),
            last_sync_error_at: row.last_sync_error_at,
            inbound_counts: store_mail::inbound_counts(&mut reader, row.id).await?,
            sending: super::send_health::send_health(&mut reader, row.user_id).await?,
            version: row.version,
        })
    }

    async fn build_row(
        &self,
        actor: &Actor,
        input: &MailboxInput,
        previous: Option<&MailboxRow>,
    ) -> AppResult<MailboxRow> {
        let owner = match (
            previous,
            input.user_id.as_deref().filter(|u| !u.trim().is_empty()),
        ) {
            (Some(p), _) => p.user_id,
            (None, Some(raw)) => raw
                .trim()
                .parse::<UserId>()
                .map_err(|_| Invalid::new("user_id", "invalid_id", "not a user id"))?,
            (None, None) => actor.user_id().ok_or_else(|| Invalid::required("user_id"))?,
        };
        if !may_manage(actor, owner) {
            return Err(AppError::Forbidden(
                "only admins manage other users' mailboxes".into(),
            ));
        }
        let user = self.get_user(actor, owner).await?;
        let key = self.mail_key().await?;
        let from_email = Email::parse_field("from_email", &input.from_email)?;
        let daily_cap = input.daily_cap.unwrap_or(DEFAULT_DAILY_CAP);
        if !(1..=MAX_DAILY_CAP).contains(&daily_cap) {
            return Err(Invalid::new(
                "daily_cap",
                "out_of_range",
                format!("daily cap must be between 1 and {MAX_DAILY_CAP}"),
            )
            .into());
        }
        let smtp = server_row("smtp", &input.smtp, smtp_port, previous.map(|p| &p.smtp), &key)?;
        let imap = input
            .imap
            .as_ref()
            .filter(|i| !i.host.trim().is_empty())
            .map(|i| server_row("imap", i, imap_port, previous.and_then(|p| p.imap.as_ref()), &key))
            .transpose()?;
        let now = self.now();
        Ok(MailboxRow {
            id: previous.map_or_else(|| prospector_core::ids::uuid_v7_at(now), |p| p.id),
            user_id: owner,
            from_email: from_email.to_string(),
            from_name: input
                .from_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| Some(user.name.clone()), |n| Some(n.to_owned())),
            smtp,
            imap,
            daily_cap,
            last_sent_at: previous.and_then(|p| p.last_sent_at),
            last_send_error: previous.and_then(|p| p.last_send_error.clone()),
            last_send_error_at: previous.and_then(|p| p.last_send_error_at),
            last_sync_at: previous.and_then(|p| p.last_sync_at),
            last_sync_error: previous.and_then(|p| p.last_sync_error.clone()),
            last_sync_error_at: previous.and_then(|p| p.last_sync_error_at),
            created_at: previous.map_or(now, |p| p.created_at),
            updated_at: now,
            version: previous.map_or(1, |p| p.version + 1),
        })
    }

    /// Queues the first IMAP poll of a mailbox (the poll then schedules the next).
    async fn schedule_first_sync(&self, tx: &mut WriteTx, row: &MailboxRow) -> AppResult<()> {
        if row.imap.is_some() {
            let now = self.now();
            crate::outbox::enqueue(
                tx,
                now,
                MAIL_SYNC,
                serde_json::json!({ "mailbox_id": row.id }),
                now,
                Some(super::sync::sync_dedupe_key(
                    row.id,
                    now,
                    self.settings().mail.sync_interval,
                )),
            )
            .await?;
        }
        Ok(())
    }

    /// Adds a mailbox for the actor (or, for admins, for `input.user_id`).
    pub async fn create_mailbox(&self, actor: &Actor, input: MailboxInput) -> AppResult<MailboxView> {
        let row = self.build_row(actor, &input, None).await?;
        let mut tx = self.store().begin().await?;
        match store_mail::insert_mailbox(&mut tx, &row).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::conflict(
                    "mailbox_exists",
                    "user_id",
                    "this user has a mailbox already; change it instead",
                ));
            }
            other => other?,
        }
        let shown = ServerSummary::of(&row);
        audit::record::<(), _>(
            &mut tx,
            actor,
            row.updated_at,
            Change {
                action: "mailbox.create",
                entity_type: "mailbox",
                entity_id: Some(row.id.to_string()),
                before: None,
                after: Some(&shown),
            },
        )
        .await?;
        self.schedule_first_sync(&mut tx, &row).await?;
        tx.commit().await?;
        self.mailbox_view(&row).await
    }

    /// Changes a mailbox; passwords left out stay as they were. With `expected_version`, a stale
    /// edit is refused with 409.
    pub async fn update_mailbox(
        &self,
        actor: &Actor,
        id: Uuid,
        input: MailboxInput,
        expected_version: Option<i64>,
    ) -> AppResult<MailboxView> {
        let before = self.mailbox_row(actor, id).await?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(AppError::conflict(
                "stale_version",
                "version",
                format!(
                    "the mailbox was changed by someone else (version {} is current)",
                    before.version
                ),
            ));
        }
        let after = self.build_row(actor, &input, Some(&before)).await?;
        let mut tx = self.store().begin().await?;
        if !store_mail::update_mailbox_settings(&mut tx, &after).await? {
            return Err(AppError::conflict(
                "stale_version",
                "version",
                "the mailbox was changed by someone else; reload and try again",
            ));
        }
        audit::record(
            &mut tx,
            actor,
            after.updated_at,
            Change {
                action: "mailbox.update",
                entity_type: "mailbox",
                entity_id: Some(id.to_string()),
                before: Some(&ServerSummary::of(&before)),
                after: Some(&ServerSummary::of(&after)),
            },
        )
        .await?;
        if before.imap.is_none() {
            self.schedule_first_sync(&mut tx, &after).await?;
        }
        tx.commit().await?;
        self.mailbox_view(&after).await
    }

    async fn mailbox_row(&self, actor: &Actor, id: Uuid) -> AppResult<MailboxRow> {
        let row = store_mail::mailbox_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("mailbox".into()))?;
        if !may_manage(actor, row.user_id) {
            // Someone else's mailbox is not even admitted to exist.
            return Err(AppError::NotFound("mailbox".into()));
        }
        Ok(row)
    }

    /// One mailbox with its health.
    pub async fn get_mailbox(&self, actor: &Actor, id: Uuid) -> AppResult<MailboxView> {
        let row = self.mailbox_row(actor, id).await?;
        self.mailbox_view(&row).await
    }

    /// The actor's own mailbox, if they have one.
    pub async fn my_mailbox(&self, actor: &Actor) -> AppResult<Option<MailboxView>> {
        let Some(user_id) = actor.user_id() else {
            return Ok(None);
        };
        match store_mail::mailbox_by_user(&mut self.store().reader(), user_id).await? {
            Some(row) => Ok(Some(self.mailbox_view(&row).await?)),
            None => Ok(None),
        }
    }

    /// Mailboxes: one's own, or everyone's for admins with `all`.
    pub async fn list_mailboxes(
        &self,
        actor: &Actor,
        all: bool,
        after: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<MailboxView>> {
        let user = if all {
            actor.require(Permission::ManageUsers)?;
            None
        } else {
            Some(actor.user_id().ok_or_else(|| Invalid::required("user_id"))?)
        };
        let rows =
            store_mail::list_mailboxes(&mut self.store().reader(), user, after, limit.clamp(1, 500)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.mailbox_view(row).await?);
        }
        Ok(out)
    }

    /// Messages imported into a mailbox, newest first, errors included.
    pub async fn mailbox_inbound(
        &self,
        actor: &Actor,
        id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<InboundRow>> {
        self.mailbox_row(actor, id).await?;
        Ok(store_mail::list_inbound(&mut self.store().reader(), id, before, limit.clamp(1, 500)).await?)
    }

    /// Polls a mailbox now, on behalf of `actor` (its owner or an admin).
    pub async fn sync_mailbox_as(&self, actor: &Actor, id: Uuid) -> AppResult<super::sync::SyncReport> {
        self.mailbox_row(actor, id).await?;
        self.sync_mailbox(id).await
    }
}

/// What the audit log keeps of a mailbox: never a password, sealed or not.
#[derive(Debug, Serialize)]
struct ServerSummary {
    from_email: String,
    smtp: ServerView,
    imap: Option<ServerView>,
    daily_cap: i64,
}

impl ServerSummary {
    fn of(row: &MailboxRow) -> Self {
        Self {
            from_email: row.from_email.clone(),
            smtp: ServerView::from(&row.smtp),
            imap: row.imap.as_ref().map(ServerView::from),
            daily_cap: row.daily_cap,
        }
    }
}
