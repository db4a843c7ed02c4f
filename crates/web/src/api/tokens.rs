//! `/api/v1/tokens`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use prospector_core::email::Email;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{CreatedTokenDto, TokenDto, TokenList};
use super::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Whose tokens.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenListQuery {
    /// Everyone's (admins) instead of one's own.
    all: Option<bool>,
}

/// Tokens, newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokenListQuery),
    responses((status = 200, body = TokenList), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<TokenListQuery>,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = state.app.list_tokens(&actor, q.all.unwrap_or(false)).await?;
    Ok(Json(TokenList {
        items: tokens.iter().map(TokenDto::from).collect(),
    }))
}

/// A new token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What it is for, e.g. "Zapier".
    name: String,
    /// For another user (admins); default yourself.
    email: Option<String>,
}

/// Creates a token; its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewTokenBody,
    responses((status = 201, body = CreatedTokenDto), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<CreatedTokenDto>), ApiError> {
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let created = state.app.create_token(&actor, email.as_ref(), &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            token: TokenDto::from(&created.token),
            secret: created.secret,
        }),
    ))
}

/// Revokes a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 200, body = TokenDto), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<TokenDto>, ApiError> {
    let token = state.app.revoke_token(&actor, parse_id(&id, "token")?).await?;
    Ok(Json(TokenDto::from(&token)))
}
