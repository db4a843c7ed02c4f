//! Inbound setup API: capture forms (create, edit, archive, restore) and business calendars per
//! user or team. Bodies are the app's input shapes; refusals are 422 naming the field.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use prospector_app::inbound::calendars::CalendarInput;
use prospector_app::inbound::forms::FormInput;
use prospector_core::Invalid;
use prospector_store::inbound::calendars::CalendarOwner;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The routes, merged into `api::router()`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_form))
        .routes(routes!(get_form, put_form))
        .routes(routes!(archive_form))
        .routes(routes!(restore_form))
        .routes(routes!(list_calendars))
        .routes(routes!(put_calendar, delete_calendar))
}

fn body_as<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v)
        .map_err(|e| Invalid::new("body", "invalid_body", format!("the body does not fit: {e}")).into())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError(prospector_app::AppError::Internal(e.to_string())))
}

/// Creates a capture form (admins): `{"slug","name","behaviour","source","fields":[{"name","label",
/// "required"}],"hidden_fields":{…},"honeypot_field"}`. 409 when the slug is taken.
#[utoipa::path(post, path = "/api/v1/inbound/forms", tag = "inbound", request_body = Object,
    responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input: FormInput = body_as(body)?;
    let form = state.app.create_inbound_form(&actor, input).await?;
    Ok((StatusCode::CREATED, to_json(&form)?))
}

/// One capture form.
#[utoipa::path(get, path = "/api/v1/inbound/forms/{slug}", tag = "inbound", params(("slug" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.inbound_form(&actor, &slug).await?)
}

/// Replaces a capture form (admins); its slug stays.
#[utoipa::path(put, path = "/api/v1/inbound/forms/{slug}", tag = "inbound", params(("slug" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let input: FormInput = body_as(body)?;
    to_json(&state.app.update_inbound_form(&actor, &slug, input).await?)
}

/// Archives a form (admins): it answers 404 from then on; its submissions stay.
#[utoipa::path(post, path = "/api/v1/inbound/forms/{slug}/archive", tag = "inbound", params(("slug" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn archive_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.archive_inbound_form(&actor, &slug, true).await?)
}

/// Brings an archived form back (admins).
#[utoipa::path(post, path = "/api/v1/inbound/forms/{slug}/restore", tag = "inbound", params(("slug" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn restore_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.archive_inbound_form(&actor, &slug, false).await?)
}

/// Business calendars set per user or team (others use the team-wide settings).
#[utoipa::path(get, path = "/api/v1/inbound/calendars", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn list_calendars(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.inbound_calendars(&actor).await?;
    Ok(Json(json!({ "items": items })))
}

fn owner(kind: &str, id: &str) -> Result<(CalendarOwner, uuid::Uuid), ApiError> {
    let kind = CalendarOwner::from_path(kind)
        .ok_or_else(|| Invalid::unknown_value("kind", kind, &["users", "teams"]))?;
    let id = id
        .parse()
        .map_err(|_| ApiError(prospector_app::AppError::NotFound(kind.code().into())))?;
    Ok((kind, id))
}

/// Sets a user's or team's business calendar (admins; a user their own):
/// `{"time_zone","work_start_hour","work_end_hour","workdays":[1..7],"holidays":["YYYY-MM-DD"]}`.
/// SLA clocks owned by that user (or a member of that team) run on it.
#[utoipa::path(put, path = "/api/v1/inbound/calendars/{kind}/{id}", tag = "inbound",
    params(("kind" = String, Path, description = "users or teams"), ("id" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let (kind, id) = owner(&kind, &id)?;
    let input: CalendarInput = body_as(body)?;
    to_json(&state.app.save_inbound_calendar(&actor, kind, id, input).await?)
}

/// Removes a user's or team's calendar; they fall back to their team's, then the team-wide one.
#[utoipa::path(delete, path = "/api/v1/inbound/calendars/{kind}/{id}", tag = "inbound",
    params(("kind" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_calendar(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (kind, id) = owner(&kind, &id)?;
    state.app.remove_inbound_calendar(&actor, kind, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
