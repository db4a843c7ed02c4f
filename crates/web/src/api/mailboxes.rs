//! `/api/v1/mailboxes`: each user's own SMTP/IMAP mailbox, its health (last send and sync, last
//! errors) and the messages imported from it. Passwords go in, never out.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use prospector_app::mail::mailboxes::{MailboxInput, MailboxView, ServerInput, ServerView};
use prospector_app::mail::send_health::SendHealth;
use prospector_app::mail::sync::SyncReport;
use prospector_store::mail::InboundRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// A mail server account as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerBody {
    /// Host name.
    host: String,
    /// Port; the usual one for `security` when absent.
    port: Option<u16>,
    /// `tls`, `starttls` or `none`.
    security: String,
    /// Login.
    username: Option<String>,
    /// Password; on a change, absent keeps the stored one and `""` removes it.
    password: Option<String>,
}

impl From<ServerBody> for ServerInput {
    fn from(b: ServerBody) -> Self {
        ServerInput {
            host: b.host,
            port: b.port,
            security: b.security,
            username: b.username,
            password: b.password,
        }
    }
}

/// A mailbox as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxBody {
    /// Whose mailbox (admins only); yourself when absent.
    user_id: Option<String>,
    /// The From address.
    from_email: String,
    /// The From name; your name when absent.
    from_name: Option<String>,
    /// Outgoing server.
    smtp: ServerBody,
    /// Incoming server, to pick up replies, bounces and out-of-office answers.
    imap: Option<ServerBody>,
    /// Messages per day at most (default 200).
    daily_cap: Option<i64>,
    /// On a change: the version you read; a stale one is refused with 409.
    version: Option<i64>,
}

impl MailboxBody {
    fn into_input(self) -> (MailboxInput, Option<i64>) {
        (
            MailboxInput {
                user_id: self.user_id,
                from_email: self.from_email,
                from_name: self.from_name,
                smtp: self.smtp.into(),
                imap: self.imap.map(Into::into),
                daily_cap: self.daily_cap,
            },
            self.version,
        )
    }
}

/// A server account as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerDto {
    /// Host.
    host: String,
    /// Port.
    port: i64,
    /// `tls`, `starttls` or `none`.
    security: String,
    /// Login.
    username: Option<String>,
    /// Whether a password is stored (it is never shown).
    password_set: bool,
}

impl From<&ServerView> for ServerDto {
    fn from(s: &ServerView) -> Self {
        Self {
            host: s.host.clone(),
            port: s.port,
            security: s.security.clone(),
            username: s.username.clone(),
            password_set: s.password_set,
        }
    }
}

/// A mailbox and its health.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxDto {
    /// Id.
    id: String,
    /// Whose.
    user_id: String,
    /// From address.
    from_email: String,
    /// From name.
    from_name: Option<String>,
    /// Outgoing server.
    smtp: ServerDto,
    /// Incoming server.
    imap: Option<ServerDto>,
    /// Messages per day at most.
    daily_cap: i64,
    /// Messages accepted by the server since midnight UTC.
    sent_today: i64,
    /// Last message accepted.
    last_sent_at: Option<DateTime<Utc>>,
    /// Why the last send failed; it is retried with backoff.
    last_send_error: Option<String>,
    /// When.
    last_send_error_at: Option<DateTime<Utc>>,
    /// `ok`, `error`, `never_synced` or `no_imap`.
    sync_status: String,
    /// Last successful sync.
    last_sync_at: Option<DateTime<Utc>>,
    /// Why the last sync failed.
    last_sync_error: Option<String>,
    /// When.
    last_sync_error_at: Option<DateTime<Utc>>,
    /// Imported messages by signal: `reply`, `bounce`, `out_of_office`, `automatic_reply`, `error`.
    inbound_counts: BTreeMap<String, i64>,
    /// The owner's emails not yet delivered: counts of `queued`, `retrying` and `failed`, and the
    /// newest few with their last error and next attempt.
    #[schema(value_type = Object)]
    sending: SendHealth,
    /// Version, for changes.
    version: i64,
}

impl From<&MailboxView> for MailboxDto {
    fn from(m: &MailboxView) -> Self {
        Self {
            id: m.id.to_string(),
            user_id: m.user_id.to_string(),
            from_email: m.from_email.clone(),
            from_name: m.from_name.clone(),
            smtp: ServerDto::from(&m.smtp),
            imap: m.imap.as_ref().map(ServerDto::from),
            daily_cap: m.daily_cap,
            sent_today: m.sent_today,
            last_sent_at: m.last_sent_at,
            last_send_error: m.last_send_error.clone(),
            last_send_error_at: m.last_send_error_at,
            sync_status: m.sync_health().to_owned(),
            last_sync_at: m.last_sync_at,
            last_sync_error: m.last_sync_error.clone(),
            last_sync_error_at: m.last_sync_error_at,
            inbound_counts: m.inbound_counts.iter().cloned().collect(),
            sending: m.sending.clone(),
            version: m.version,
        }
    }
}

/// A page of mailboxes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxList {
    /// The mailboxes.
    items: Vec<MailboxDto>,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<String>,
}

/// Whose mailboxes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MailboxListQuery {
    /// Everyone's (admins) instead of one's own.
    all: Option<bool>,
    /// Keyset cursor.
    after: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
}

/// Mailboxes: yours, or everyone's with `all=true` (admins).
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "mail", params(MailboxListQuery),
    responses((status = 200, body = MailboxList), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_mailboxes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<MailboxListQuery>,
) -> Result<Json<MailboxList>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let after = q
        .after
        .as_deref()
        .map(|a| parse_id::<Uuid>(a, "mailbox"))
        .transpose()?;
    let items = state
        .app
        .list_mailboxes(&actor, q.all.unwrap_or(false), after, limit)
        .await?;
    let next_after = (items.len() as i64 == limit)
        .then(|| items.last().map(|m| m.id.to_string()))
        .flatten();
    Ok(Json(MailboxList {
        items: items.iter().map(MailboxDto::from).collect(),
        next_after,
    }))
}

/// Adds a mailbox; passwords are stored encrypted and never shown again.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "mail", request_body = MailboxBody,
    responses((status = 201, body = MailboxDto), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_mailbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<MailboxBody>,
) -> Result<(StatusCode, Json<MailboxDto>), ApiError> {
    let (input, _) = body.into_input();
    let view = state.app.create_mailbox(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(MailboxDto::from(&view))))
}

/// One mailbox and its health.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", tag = "mail", params(("id" = String, Path)),
    responses((status = 200, body = MailboxDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_mailbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<MailboxDto>, ApiError> {
    let view = state.app.get_mailbox(&actor, parse_id(&id, "mailbox")?).await?;
    Ok(Json(MailboxDto::from(&view)))
}

/// Changes a mailbox; passwords left out stay as they are.
#[utoipa::path(patch, path = "/api/v1/mailboxes/{id}", tag = "mail", params(("id" = String, Path)),
    request_body = MailboxBody,
    responses((status = 200, body = MailboxDto), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_mailbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MailboxBody>,
) -> Result<Json<MailboxDto>, ApiError> {
    let (input, version) = body.into_input();
    let view = state
        .app
        .update_mailbox(&actor, parse_id(&id, "mailbox")?, input, version)
        .await?;
    Ok(Json(MailboxDto::from(&view)))
}

/// What a sync did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncReportDto {
    /// New messages recorded (unreadable ones included).
    imported: usize,
    /// Messages seen before and skipped.
    duplicates: usize,
    /// Unreadable messages, recorded as errors and skipped.
    malformed: usize,
    /// Highest UID synced.
    last_uid: u32,
    /// Why the sync stopped early, if it did.
    error: Option<String>,
}

impl From<SyncReport> for SyncReportDto {
    fn from(r: SyncReport) -> Self {
        Self {
            imported: r.imported,
            duplicates: r.duplicates,
            malformed: r.malformed,
            last_uid: r.last_uid,
            error: r.error,
        }
    }
}

/// Polls the mailbox over IMAP now.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/sync", tag = "mail", params(("id" = String, Path)),
    responses((status = 200, body = SyncReportDto), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn sync_mailbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SyncReportDto>, ApiError> {
    let report = state
        .app
        .sync_mailbox_as(&actor, parse_id(&id, "mailbox")?)
        .await?;
    Ok(Json(report.into()))
}

/// An imported message.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundDto {
    /// Id.
    id: String,
    /// Folder.
    folder: String,
    /// IMAP UID.
    uid: i64,
    /// Message-ID.
    message_id: Option<String>,
    /// The Message-ID it answers.
    in_reply_to: Option<String>,
    /// Sender.
    from_email: Option<String>,
    /// Subject.
    subject: Option<String>,
    /// `reply`, `bounce`, `out_of_office`, `automatic_reply` or `error`.
    signal: String,
    /// For a bounce: the address that failed.
    bounce_recipient: Option<String>,
    /// For an out-of-office: the first day back.
    return_date: Option<NaiveDate>,
    /// For `error`: why it could not be read.
    error: Option<String>,
    /// When it was imported.
    imported_at: DateTime<Utc>,
}

impl From<&InboundRow> for InboundDto {
    fn from(r: &InboundRow) -> Self {
        Self {
            id: r.id.to_string(),
            folder: r.folder.clone(),
            uid: r.uid,
            message_id: r.message_id.clone(),
            in_reply_to: r.in_reply_to.clone(),
            from_email: r.from_email.clone(),
            subject: r.subject.clone(),
            signal: r.signal.clone(),
            bounce_recipient: r.bounce_recipient.clone(),
            return_date: r.return_date,
            error: r.error.clone(),
            imported_at: r.imported_at,
        }
    }
}

/// A page of imported messages, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundList {
    /// The messages.
    items: Vec<InboundDto>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<String>,
}

/// Paging for imported messages.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InboundQuery {
    /// Keyset cursor: the `next_before` of the previous page.
    before: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
}

/// Messages imported from the mailbox, unreadable ones included.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/inbound", tag = "mail",
    params(("id" = String, Path), InboundQuery),
    responses((status = 200, body = InboundList), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_inbound(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(q): Query<InboundQuery>,
) -> Result<Json<InboundList>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let before = q
        .before
        .as_deref()
        .map(|b| parse_id::<Uuid>(b, "message"))
        .transpose()?;
    let rows = state
        .app
        .mailbox_inbound(&actor, parse_id(&id, "mailbox")?, before, limit)
        .await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(InboundList {
        items: rows.iter().map(InboundDto::from).collect(),
        next_before,
    }))
}
