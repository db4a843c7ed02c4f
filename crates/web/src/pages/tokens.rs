//! Token pages: one's own under settings, everyone's under admin.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::{Actor, AppError};
use prospector_core::email::Email;
use prospector_core::role::Permission;
use prospector_store::users::UserFilter;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

struct TokenRow {
    id: String,
    owner: String,
    name: String,
    prefix: String,
    created_at: String,
    last_used_at: String,
    revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    heading: &'static str,
    admin_view: bool,
    base: &'static str,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    admin_view: bool,
    new_secret: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, AppError> {
    let tokens = state.app.list_tokens(actor, admin_view).await?;
    let owners = if admin_view {
        state
            .app
            .list_users(actor, &UserFilter::default(), None, 500)
            .await?
    } else {
        Vec::new()
    };
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    Ok(TokensPage {
        layout: Layout::new(
            actor,
            csrf,
            if admin_view { "admin" } else { "settings" },
            "API tokens",
        ),
        heading: if admin_view { "API tokens" } else { "My API tokens" },
        admin_view,
        base: if admin_view {
            "/admin/tokens"
        } else {
            "/settings/tokens"
        },
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.id.to_string(),
                owner: owners
                    .iter()
                    .find(|u| u.id == t.user_id)
                    .map(|u| u.email.to_string())
                    .unwrap_or_default(),
                name: t.name.clone(),
                prefix: t.prefix.clone(),
                created_at: fmt(t.created_at),
                last_used_at: t.last_used_at.map(fmt).unwrap_or_else(|| "never".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_secret,
        error,
    })
}

/// The create-token form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    email: Option<String>,
}

async fn create(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    jar: CookieJar,
    admin_view: bool,
    form: CreateForm,
) -> Result<Response, PageError> {
    let email = form
        .email
        .filter(|e| !e.trim().is_empty())
        .map(|e| Email::parse(&e))
        .transpose();
    let outcome = match email {
        Ok(email) => state.app.create_token(actor, email.as_ref(), &form.name).await,
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    match outcome {
        Ok(created) => {
            // Redirect, so a reload does not make a second token; the secret is shown once on the next view.
            let flash = Flash {
                notice: None,
                secret: Some(created.secret),
            };
            let jar = flash::set(jar, &flash, state.settings.secure_cookies);
            let target = if admin_view {
                "/admin/tokens"
            } else {
                "/settings/tokens"
            };
            Ok((jar, Redirect::to(target)).into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::NotFound(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                page(state, actor, csrf, admin_view, None, Some(err.to_string())).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /settings/tokens`.
pub async fn own_list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    let (jar, flash) = flash::take(jar);
    Ok((jar, page(&state, &actor, &csrf, false, flash.secret, None).await?))
}

/// `POST /settings/tokens`.
pub async fn own_create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    create(
        &state,
        &actor,
        &csrf,
        jar,
        false,
        CreateForm { email: None, ..form },
    )
    .await
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn own_revoke(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| AppError::NotFound("token".into()))?;
    state.app.revoke_token(&actor, id).await?;
    Ok(Redirect::to("/settings/tokens").into_response())
}

/// `GET /admin/tokens`.
pub async fn admin_list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    actor.require(Permission::ManageAllTokens)?;
    let (jar, flash) = flash::take(jar);
    Ok((jar, page(&state, &actor, &csrf, true, flash.secret, None).await?))
}

/// `POST /admin/tokens`.
pub async fn admin_create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    actor.require(Permission::ManageAllTokens)?;
    create(&state, &actor, &csrf, jar, true, form).await
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn admin_revoke(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| AppError::NotFound("token".into()))?;
    state.app.revoke_token(&actor, id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
