//! `/api/v1/activities`: log and read; never edited or deleted (corrections are new entries, and
//! an activity logged by mistake is retracted by one).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prospector_app::records::activities::ActivityInput;
use prospector_core::Invalid;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{ActivityKind, EmailDirection};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::ActivityDto;
use super::{opt_id, opt_time};
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson, json_error};
use crate::state::AppState;

/// An activity to log. Which fields apply depends on `kind`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    /// call, email, linkedin, meeting, note, or retraction (with `corrects_id`: the activity was
    /// logged by mistake).
    kind: String,
    person_id: Option<String>,
    account_id: Option<String>,
    opportunity_id: Option<String>,
    /// When it happened (RFC 3339; default now).
    occurred_at: Option<String>,
    /// The activity this corrects (same kind, same record) or retracts.
    corrects_id: Option<String>,
    /// Calls: a disposition code from `GET /api/v1/dispositions`.
    disposition: Option<String>,
    /// Calls: seconds.
    duration_seconds: Option<u32>,
    /// Calls, LinkedIn, meetings: what was said.
    notes: Option<String>,
    /// Email: sent, received, bounced.
    direction: Option<String>,
    /// Email.
    subject: Option<String>,
    /// Email.
    message_id: Option<String>,
    /// Email.
    thread_id: Option<String>,
    /// Meetings: when it starts.
    starts_at: Option<String>,
    /// Notes: the text.
    text: Option<String>,
    /// Retractions: why it was a mistake.
    reason: Option<String>,
}

fn detail_of(b: &ActivityBody) -> Result<ActivityDetail, ApiError> {
    let kind = ActivityKind::parse("kind", &b.kind)?;
    Ok(match kind {
        ActivityKind::Call => ActivityDetail::Call {
            disposition: b
                .disposition
                .clone()
                .ok_or_else(|| Invalid::required("disposition"))?,
            duration_seconds: b.duration_seconds,
            notes: b.notes.clone(),
        },
        ActivityKind::Email => ActivityDetail::Email {
            direction: EmailDirection::parse("direction", b.direction.as_deref().unwrap_or("sent"))?,
            message_id: b.message_id.clone(),
            thread_id: b.thread_id.clone(),
            subject: b.subject.clone(),
        },
        ActivityKind::Linkedin => ActivityDetail::Linkedin {
            notes: b.notes.clone(),
        },
        ActivityKind::Meeting => ActivityDetail::Meeting {
            starts_at: opt_time(b.starts_at.as_deref(), "starts_at")?
                .ok_or_else(|| Invalid::required("starts_at"))?,
            notes: b.notes.clone(),
        },
        ActivityKind::Note => ActivityDetail::Note {
            text: b.text.clone().unwrap_or_default(),
        },
        ActivityKind::Retraction => ActivityDetail::Retraction {
            reason: b.reason.clone(),
        },
        ActivityKind::StatusChange => {
            return Err(Invalid::new(
                "kind",
                "written_by_product",
                "status changes are recorded by moving the record's status, not logged by hand",
            )
            .into());
        }
    })
}

/// Logs an activity (or a correction of one).
#[utoipa::path(post, path = "/api/v1/activities", tag = "activity", request_body = ActivityBody,
    responses((status = 201, body = ActivityDto), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ActivityBody>,
) -> Result<(StatusCode, Json<ActivityDto>), ApiError> {
    let input = ActivityInput {
        person_id: opt_id(body.person_id.as_deref(), "person_id")?,
        account_id: opt_id(body.account_id.as_deref(), "account_id")?,
        opportunity_id: opt_id(body.opportunity_id.as_deref(), "opportunity_id")?,
        occurred_at: opt_time(body.occurred_at.as_deref(), "occurred_at")?,
        detail: detail_of(&body)?,
        corrects_id: opt_id(body.corrects_id.as_deref(), "corrects_id")?,
    };
    let a = state.app.log_activity(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(ActivityDto::from(&a))))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = String, Path)),
    responses((status = 200, body = ActivityDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ActivityDto>, ApiError> {
    let a = state.app.get_activity(&actor, parse_id(&id, "activity")?).await?;
    let retracted = state.app.retracted_among(std::slice::from_ref(&a)).await?;
    Ok(Json(ActivityDto::with_retracted(&a, &retracted)))
}

/// Why an activity was logged by mistake (send `{}` to give no reason).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetractBody {
    /// Optional, in the rep's words.
    reason: Option<String>,
}

/// Deletes an activity logged by mistake, as a new `retraction` entry naming it: reports take it
/// (and its corrections) back; the timeline shows it as deleted. 409 when already deleted, 422
/// for a retraction or a status change.
#[utoipa::path(post, path = "/api/v1/activities/{id}/retract", tag = "activity", params(("id" = String, Path)),
    request_body = RetractBody,
    responses((status = 201, body = ActivityDto), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn retract(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RetractBody>,
) -> Result<(StatusCode, Json<ActivityDto>), ApiError> {
    let id = parse_id(&id, "activity")?;
    // Only activities the actor can see can be named; others are "not found", not "invalid".
    state.app.get_activity(&actor, id).await?;
    let a = state.app.retract_activity(&actor, id, body.reason).await?;
    Ok((StatusCode::CREATED, Json(ActivityDto::from(&a))))
}

fn append_only() -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "append_only",
        "activities are never edited or deleted: log a correction with \"corrects_id\", or POST /api/v1/activities/{id}/retract for one logged by mistake",
        None,
    )
    .into_response()
}

/// Refused: activities are append-only (log a correction instead).
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = String, Path)),
    responses((status = 405, body = crate::error::ErrorBody)))]
pub async fn patch(Path(_id): Path<String>) -> Response {
    append_only()
}

/// Refused: activities are append-only (log a correction instead).
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = String, Path)),
    responses((status = 405, body = crate::error::ErrorBody)))]
pub async fn delete(Path(_id): Path<String>) -> Response {
    append_only()
}
