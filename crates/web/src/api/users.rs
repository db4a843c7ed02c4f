//! `/api/v1/me`, `/api/v1/users`, `/api/v1/teams`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use prospector_app::users::{NewUserInput, UserPatch};
use prospector_core::ids::{TeamId, UserId};
use prospector_core::role::Role;
use prospector_store::users::UserFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{TeamDto, TeamList, UserDto, UserList};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Parses a path id; an id that cannot exist is simply not found.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError(prospector_app::AppError::NotFound(what.to_owned())))
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = UserDto), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(ApiActor(actor): ApiActor) -> Result<Json<UserDto>, ApiError> {
    let user = actor
        .as_user()
        .ok_or_else(|| ApiError(prospector_app::AppError::Unauthenticated("no user".into())))?;
    Ok(Json(UserDto::from(user)))
}

/// Filters and paging for the user list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserListQuery {
    /// Only this role.
    role: Option<String>,
    /// Only this team id.
    team_id: Option<String>,
    /// Only active or deactivated users.
    active: Option<bool>,
    /// Keyset cursor: the `next_after` of the previous page.
    after: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
}

/// Users, in creation order.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserListQuery),
    responses((status = 200, body = UserList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<UserListQuery>,
) -> Result<Json<UserList>, ApiError> {
    let filter = UserFilter {
        role: q.role.as_deref().map(|r| Role::parse("role", r)).transpose()?,
        team_id: q
            .team_id
            .as_deref()
            .map(|t| t.parse::<TeamId>().map_err(|e| e.in_field("team_id")))
            .transpose()?,
        active: q.active,
    };
    let after = q
        .after
        .as_deref()
        .map(|a| a.parse::<UserId>().map_err(|e| e.in_field("after")))
        .transpose()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let users = state.app.list_users(&actor, &filter, after, limit).await?;
    let next_after = (users.len() as i64 == limit)
        .then(|| users.last().map(|u| u.id.to_string()))
        .flatten();
    Ok(Json(UserList {
        items: users.iter().map(UserDto::from).collect(),
        next_after,
    }))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Login and mail address.
    email: String,
    /// Display name.
    name: String,
    /// admin, team_lead, sdr, ae, marketing, recruiter or interviewer.
    role: String,
    /// Team name; created when new.
    team: Option<String>,
    /// Initial password (at least 8 characters).
    password: Option<String>,
    /// IANA time zone.
    time_zone: Option<String>,
}

/// Adds a user (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = UserDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let input = NewUserInput {
        email: body.email,
        name: body.name,
        role: body.role,
        team: body.team,
        password: body.password,
        time_zone: body.time_zone,
    };
    let user = state.app.add_user(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(UserDto::from(&user))))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    let user = state.app.get_user(&actor, parse_id(&id, "user")?).await?;
    Ok(Json(UserDto::from(&user)))
}

/// Changes to a user; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchBody {
    name: Option<String>,
    role: Option<String>,
    /// Team name; empty removes the team.
    team: Option<String>,
    active: Option<bool>,
    time_zone: Option<String>,
    /// The version you read; a stale one is refused with 409 (or send `If-Match`).
    version: Option<i64>,
}

fn if_match(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(header::IF_MATCH)?
        .to_str()
        .ok()?
        .trim()
        .trim_matches('"')
        .parse()
        .ok()
}

/// Changes a user (admins).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    request_body = UserPatchBody,
    responses((status = 200, body = UserDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UserPatchBody>,
) -> Result<Json<UserDto>, ApiError> {
    let expected = body.version.or_else(|| if_match(&headers));
    let patch = UserPatch {
        name: body.name,
        role: body.role,
        team: body.team,
        active: body.active,
        time_zone: body.time_zone,
    };
    let user = state
        .app
        .update_user(&actor, parse_id(&id, "user")?, patch, expected)
        .await?;
    Ok(Json(UserDto::from(&user)))
}

/// Every team.
#[utoipa::path(get, path = "/api/v1/teams", tag = "users", responses((status = 200, body = TeamList)))]
pub async fn list_teams(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TeamList>, ApiError> {
    let teams = state.app.list_teams(&actor).await?;
    Ok(Json(TeamList {
        items: teams.iter().map(TeamDto::from).collect(),
    }))
}
