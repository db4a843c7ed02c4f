//! Admin pages: users and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::users::{NewUserInput, UserPatch};
use prospector_app::{Actor, AppError};
use prospector_core::role::{Permission, Role};
use prospector_store::users::UserFilter;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::api::audit::AuditQuery;
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

struct UserRow {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    team: String,
    active: bool,
    version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    teams: Vec<String>,
    roles: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, AppError> {
    actor.require(Permission::ManageUsers)?;
    let teams = state.app.list_teams(actor).await?;
    let team_name = |id| {
        teams
            .iter()
            .find(|t| Some(t.id) == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let users = state
        .app
        .list_users(actor, &UserFilter::default(), None, 500)
        .await?;
    Ok(UsersPage {
        layout: Layout::new(actor, csrf, "admin", "Users"),
        users: users
            .iter()
            .map(|u| UserRow {
                id: u.id.to_string(),
                name: u.name.clone(),
                email: u.email.to_string(),
                role: u.role.label(),
                team: team_name(u.team_id),
                active: u.active,
                version: u.version,
            })
            .collect(),
        teams: teams.iter().map(|t| t.name.clone()).collect(),
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        notice,
        error,
    })
}

/// `GET /admin`.
pub async fn users(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    let (jar, flash) = flash::take(jar);
    Ok((jar, users_page(&state, &actor, &csrf, flash.notice, None).await?))
}

/// The add-user form.
#[derive(Debug, Deserialize)]
pub struct AddUserForm {
    email: String,
    name: String,
    role: String,
    team: Option<String>,
    password: Option<String>,
}

/// `POST /admin/users`: redirects on success, so a reload does not submit the form again.
pub async fn add_user(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<AddUserForm>,
) -> Result<Response, PageError> {
    let input = NewUserInput {
        email: form.email,
        name: form.name,
        role: form.role,
        team: form.team,
        password: form.password.filter(|p| !p.is_empty()),
        time_zone: None,
    };
    match state.app.add_user(&actor, input).await {
        Ok(user) => {
            let flash = Flash {
                notice: Some(format!("Added {} ({}).", user.name, user.email)),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to("/admin"),
            )
                .into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            let page = users_page(&state, &actor, &csrf, None, Some(err.to_string())).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The activate/deactivate form.
#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
    version: Option<i64>,
}

/// `POST /admin/users/{id}/active`.
pub async fn set_active(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| AppError::NotFound("user".into()))?;
    let patch = UserPatch {
        active: Some(form.active),
        ..UserPatch::default()
    };
    state.app.update_user(&actor, id, patch, form.version).await?;
    Ok(Redirect::to("/admin").into_response())
}

struct AuditRow {
    at: String,
    at_iso: String,
    actor: String,
    via: String,
    action: String,
    entity: String,
    change: String,
    request_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
    entity_type: String,
    action: String,
    older: Option<String>,
}

/// `GET /admin/audit`.
pub async fn audit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, PageError> {
    let (filter, before) = q.filter().map_err(|e| e.0)?;
    const PAGE: i64 = 100;
    let entries = state.app.list_audit(&actor, &filter, before, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id.to_string()))
        .flatten();
    let pretty =
        |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok());
    Ok(AuditPage {
        layout: Layout::new(&actor, &csrf, "admin", "Audit log"),
        entries: entries
            .iter()
            .map(|e| AuditRow {
                at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                at_iso: e.at.to_rfc3339(),
                actor: e.actor_label.clone(),
                via: e.via.clone(),
                action: e.action.clone(),
                entity: format!("{} {}", e.entity_type, e.entity_id.clone().unwrap_or_default()),
                change: match (pretty(&e.before), pretty(&e.after)) {
                    (Some(b), Some(a)) => format!("before:\n{b}\nafter:\n{a}"),
                    (None, Some(a)) => a,
                    (Some(b), None) => format!("before:\n{b}"),
                    (None, None) => String::new(),
                },
                request_id: e.request_id.clone().unwrap_or_default(),
            })
            .collect(),
        entity_type: filter.entity_type.unwrap_or_default(),
        action: filter.action.unwrap_or_default(),
        older,
    })
}
