//! `/settings/mailboxes`: set up one's own mailbox and watch its health (last send, last sync,
//! last errors, what came in); admins also see every mailbox.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use prospector_app::mail::mailboxes::{MailboxInput, MailboxView, ServerInput};
use prospector_app::mail::send_health::PendingSend;
use prospector_app::{Actor, AppError};
use prospector_core::role::Role;
use prospector_store::mail::InboundRow;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

fn fmt_time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

struct HealthRow {
    id: String,
    owner: String,
    from_email: String,
    sent_today: i64,
    daily_cap: i64,
    last_sent_at: String,
    send_error: Option<String>,
    sync_status: &'static str,
    last_sync_at: String,
    sync_error: Option<String>,
    replies: i64,
    bounces: i64,
    out_of_office: i64,
    errors: i64,
    imported: i64,
    queued: i64,
    retrying: i64,
    failed: i64,
    pending: Vec<PendingLine>,
}

/// An email not yet delivered.
struct PendingLine {
    state: &'static str,
    to: String,
    subject: String,
    attempts: i64,
    last_error: String,
    next_attempt: String,
}

fn pending_line(p: &PendingSend) -> PendingLine {
    PendingLine {
        state: p.state,
        to: p.to.clone(),
        subject: p.subject.clone(),
        attempts: p.attempts,
        last_error: p.last_error.clone().unwrap_or_default(),
        next_attempt: p
            .next_attempt_at
            .map_or_else(|| "given up".into(), |t| fmt_time(Some(t))),
    }
}

fn count(view: &MailboxView, signal: &str) -> i64 {
    view.inbound_counts
        .iter()
        .find(|(s, _)| s == signal)
        .map_or(0, |(_, n)| *n)
}

fn health(view: &MailboxView, owner: String) -> HealthRow {
    HealthRow {
        id: view.id.to_string(),
        owner,
        from_email: view.from_email.clone(),
        sent_today: view.sent_today,
        daily_cap: view.daily_cap,
        last_sent_at: fmt_time(view.last_sent_at),
        send_error: view.last_send_error.clone(),
        sync_status: view.sync_health(),
        last_sync_at: fmt_time(view.last_sync_at),
        sync_error: view.last_sync_error.clone(),
        replies: count(view, "reply"),
        bounces: count(view, "bounce"),
        out_of_office: count(view, "out_of_office"),
        errors: count(view, "error"),
        imported: view.inbound_counts.iter().map(|(_, n)| n).sum(),
        queued: view.sending.queued,
        retrying: view.sending.retrying,
        failed: view.sending.failed,
        pending: view.sending.pending.iter().map(pending_line).collect(),
    }
}

struct InboundLine {
    imported_at: String,
    from_email: String,
    subject: String,
    signal: String,
    detail: String,
}

fn inbound_line(r: &InboundRow) -> InboundLine {
    let detail = match r.signal.as_str() {
        "bounce" => r.bounce_recipient.clone().unwrap_or_default(),
        "out_of_office" => r.return_date.map(|d| format!("back {d}")).unwrap_or_default(),
        "error" => r.error.clone().unwrap_or_default(),
        _ => r.in_reply_to.clone().unwrap_or_default(),
    };
    InboundLine {
        imported_at: fmt_time(Some(r.imported_at)),
        from_email: r.from_email.clone().unwrap_or_default(),
        subject: r.subject.clone().unwrap_or_default(),
        signal: r.signal.replace('_', " "),
        detail,
    }
}

/// The form's current values (never a password).
#[derive(Default)]
struct FormValues {
    from_email: String,
    from_name: String,
    smtp_host: String,
    smtp_port: String,
    smtp_security: String,
    smtp_username: String,
    smtp_password_set: bool,
    imap_host: String,
    imap_port: String,
    imap_security: String,
    imap_username: String,
    imap_password_set: bool,
    daily_cap: String,
}

impl FormValues {
    fn of(view: &MailboxView) -> Self {
        let imap = view.imap.as_ref();
        Self {
            from_email: view.from_email.clone(),
            from_name: view.from_name.clone().unwrap_or_default(),
            smtp_host: view.smtp.host.clone(),
            smtp_port: view.smtp.port.to_string(),
            smtp_security: view.smtp.security.clone(),
            smtp_username: view.smtp.username.clone().unwrap_or_default(),
            smtp_password_set: view.smtp.password_set,
            imap_host: imap.map(|i| i.host.clone()).unwrap_or_default(),
            imap_port: imap.map(|i| i.port.to_string()).unwrap_or_default(),
            imap_security: imap.map_or_else(|| "tls".into(), |i| i.security.clone()),
            imap_username: imap.and_then(|i| i.username.clone()).unwrap_or_default(),
            imap_password_set: imap.is_some_and(|i| i.password_set),
            daily_cap: view.daily_cap.to_string(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mailboxes.html")]
struct MailboxesPage {
    layout: Layout,
    mine: Option<HealthRow>,
    form: FormValues,
    inbound: Vec<InboundLine>,
    all: Vec<HealthRow>,
    is_admin: bool,
    error: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    error: Option<String>,
    notice: Option<String>,
) -> Result<MailboxesPage, AppError> {
    let mine = state.app.my_mailbox(actor).await?;
    let inbound = match &mine {
        Some(m) => state.app.mailbox_inbound(actor, m.id, None, 20).await?,
        None => Vec::new(),
    };
    let is_admin = actor.role() == Role::Admin;
    let all = if is_admin {
        let views = state.app.list_mailboxes(actor, true, None, 500).await?;
        let users = state
            .app
            .list_users(actor, &prospector_store::users::UserFilter::default(), None, 500)
            .await?;
        views
            .iter()
            .map(|v| {
                let owner = users
                    .iter()
                    .find(|u| u.id == v.user_id)
                    .map(|u| u.email.to_string())
                    .unwrap_or_default();
                health(v, owner)
            })
            .collect()
    } else {
        Vec::new()
    };
    let form = mine.as_ref().map(FormValues::of).unwrap_or_else(|| FormValues {
        from_email: actor.as_user().map(|u| u.email.to_string()).unwrap_or_default(),
        smtp_security: "starttls".into(),
        imap_security: "tls".into(),
        daily_cap: "200".into(),
        ..FormValues::default()
    });
    Ok(MailboxesPage {
        layout: Layout::new(actor, csrf, "settings", "Mailboxes"),
        mine: mine.as_ref().map(|m| health(m, String::new())),
        form,
        inbound: inbound.iter().map(inbound_line).collect(),
        all,
        is_admin,
        error,
        notice,
    })
}

/// `GET /settings/mailboxes`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    Ok(page(&state, &actor, &csrf, None, None).await?)
}

/// The mailbox form.
#[derive(Debug, Deserialize)]
pub struct MailboxForm {
    from_email: String,
    #[serde(default)]
    from_name: String,
    smtp_host: String,
    #[serde(default)]
    smtp_port: String,
    smtp_security: String,
    #[serde(default)]
    smtp_username: String,
    #[serde(default)]
    smtp_password: String,
    #[serde(default)]
    imap_host: String,
    #[serde(default)]
    imap_port: String,
    #[serde(default)]
    imap_security: String,
    #[serde(default)]
    imap_username: String,
    #[serde(default)]
    imap_password: String,
    #[serde(default)]
    daily_cap: String,
}

fn port(raw: &str, field: &str) -> Result<Option<u16>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::Invalid(prospector_core::Invalid::new(
            field,
            "invalid_port",
            "port must be 1–65535",
        ))
    })
}

fn blank_to_none(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn input_of(form: &MailboxForm) -> Result<MailboxInput, AppError> {
    let daily_cap = match form.daily_cap.trim() {
        "" => None,
        raw => Some(raw.parse().map_err(|_| {
            AppError::Invalid(prospector_core::Invalid::new(
                "daily_cap",
                "invalid_number",
                "not a number",
            ))
        })?),
    };
    Ok(MailboxInput {
        user_id: None,
        from_email: form.from_email.clone(),
        from_name: blank_to_none(&form.from_name),
        smtp: ServerInput {
            host: form.smtp_host.clone(),
            port: port(&form.smtp_port, "smtp.port")?,
            security: form.smtp_security.clone(),
            username: blank_to_none(&form.smtp_username),
            // An empty password box keeps the stored password.
            password: Some(form.smtp_password.clone()).filter(|p| !p.is_empty()),
        },
        imap: blank_to_none(&form.imap_host)
            .map(|host| -> Result<ServerInput, AppError> {
                Ok(ServerInput {
                    host,
                    port: port(&form.imap_port, "imap.port")?,
                    security: form.imap_security.clone(),
                    username: blank_to_none(&form.imap_username),
                    password: Some(form.imap_password.clone()).filter(|p| !p.is_empty()),
                })
            })
            .transpose()?,
        daily_cap,
    })
}

/// `POST /settings/mailboxes`: creates or changes one's own mailbox.
pub async fn save(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<MailboxForm>,
) -> Result<Response, PageError> {
    let outcome = match input_of(&form) {
        Ok(input) => match state.app.my_mailbox(&actor).await? {
            Some(existing) => state.app.update_mailbox(&actor, existing.id, input, None).await,
            None => state.app.create_mailbox(&actor, input).await,
        },
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/settings/mailboxes").into_response()),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                page(&state, &actor, &csrf, Some(err.to_string()), None).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /settings/mailboxes/{id}/sync`: polls the mailbox now and shows the outcome.
pub async fn sync_now(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound("mailbox".into()))?;
    let report = state.app.sync_mailbox_as(&actor, id).await?;
    let (error, notice) = match report.error {
        Some(e) => (Some(format!("Sync failed: {e}")), None),
        None => (
            None,
            Some(format!(
                "Synced: {} new, {} unreadable, {} seen before.",
                report.imported, report.malformed, report.duplicates
            )),
        ),
    };
    Ok(page(&state, &actor, &csrf, error, notice).await?.into_response())
}
