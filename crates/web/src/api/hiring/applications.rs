//! `/api/v1/applications`, `/api/v1/candidates`, `/api/v1/interviews`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prospector_app::hiring::interviews::{ScheduleInput, ScorecardSubmission};
use prospector_app::hiring::pipeline::DeclineInput;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::{application_json, id, interview_json, offer_json, scorecard_json};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Which applications.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Only this job's.
    job_id: Option<String>,
}

/// Applications the caller may see (an interviewer: only the candidates they interview).
#[utoipa::path(get, path = "/api/v1/applications", tag = "hiring", params(ApplicationQuery),
    responses((status = 200, description = "applications"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_applications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ApplicationQuery>,
) -> Result<Json<Value>, ApiError> {
    let job = q.job_id.as_deref().map(|j| id(j, "job")).transpose()?;
    let items = state.app.list_applications(&actor, job).await?;
    Ok(Json(
        json!({"items": items.iter().map(application_json).collect::<Vec<_>>()}),
    ))
}

/// An application with its candidate.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "hiring",
    responses((status = 200, description = "the application"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (view, _, _) = state
        .app
        .get_application(&actor, id(&raw, "application")?)
        .await?;
    Ok(Json(application_json(&view)))
}

/// A move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveBody {
    /// The code of a later stage.
    stage: String,
}

/// Moves an application to a later stage (409 backwards or on a closed job).
#[utoipa::path(post, path = "/api/v1/applications/{id}/move", tag = "hiring", request_body = MoveBody,
    responses((status = 200, description = "the application"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn move_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<Value>, ApiError> {
    let id = id(&raw, "application")?;
    state.app.move_application(&actor, id, &body.stage).await?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    Ok(Json(application_json(&view)))
}

/// A decline.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineBody {
    /// not_enough_experience, location, compensation, position_filled, not_a_fit, no_response, other.
    reason: String,
    /// Required for `other`.
    note: Option<String>,
    /// Email template: standard, after_interview, position_filled; no email when absent.
    template: Option<String>,
    /// Hold the email back this many hours (up to 336).
    delay_hours: Option<i64>,
}

/// Declines an application, optionally emailing the candidate now or later.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decline", tag = "hiring", request_body = DeclineBody,
    responses((status = 200, description = "the application"), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn decline_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> Result<Json<Value>, ApiError> {
    let id = id(&raw, "application")?;
    let input = DeclineInput {
        reason: body.reason,
        note: body.note,
        template: body.template,
        delay_hours: body.delay_hours,
    };
    state.app.decline_application(&actor, id, input).await?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    Ok(Json(application_json(&view)))
}

/// Cancels a decline email that has not gone yet (409 once sent).
#[utoipa::path(post, path = "/api/v1/applications/{id}/decline-email/cancel", tag = "hiring",
    responses((status = 200, description = "the application"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel_decline_email(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id(&raw, "application")?;
    state.app.cancel_decline_email(&actor, id).await?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    Ok(Json(application_json(&view)))
}

/// Records that the candidate withdrew.
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "hiring",
    responses((status = 200, description = "the application"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn withdraw_application(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id(&raw, "application")?;
    state.app.withdraw_application(&actor, id).await?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    Ok(Json(application_json(&view)))
}

/// Downloads the latest résumé, always as an attachment and never sniffed by the browser.
#[utoipa::path(get, path = "/api/v1/applications/{id}/resume", tag = "hiring",
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn download_resume(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = state
        .app
        .resume_download(&actor, id(&raw, "application")?)
        .await?;
    Ok(resume_response(&meta, bytes))
}

/// The response for a stored résumé: its sniffed type, as an attachment, `nosniff`, sandboxed.
pub fn resume_response(
    meta: &prospector_store::hiring::applications::ResumeMeta,
    bytes: Vec<u8>,
) -> Response {
    let content_type = if meta.kind == "pdf" {
        "application/pdf"
    } else {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    };
    let name: String = meta
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// The application's interviews the caller may see.
#[utoipa::path(get, path = "/api/v1/applications/{id}/interviews", tag = "hiring",
    responses((status = 200, description = "interviews")))]
pub async fn list_interviews(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state
        .app
        .application_interviews(&actor, id(&raw, "application")?)
        .await?;
    Ok(Json(
        json!({"items": items.iter().map(interview_json).collect::<Vec<_>>()}),
    ))
}

/// An interview to schedule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScheduleBody {
    /// RFC 3339.
    starts_at: chrono::DateTime<chrono::Utc>,
    /// RFC 3339.
    ends_at: chrono::DateTime<chrono::Utc>,
    /// User ids.
    interviewer_ids: Vec<String>,
    /// Room or video link.
    location: Option<String>,
    /// Stage code (default: the current one).
    stage: Option<String>,
}

/// Schedules an interview; the candidate and every interviewer get an ICS invitation.
#[utoipa::path(post, path = "/api/v1/applications/{id}/interviews", tag = "hiring", request_body = ScheduleBody,
    responses((status = 201, description = "the interview"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn schedule_interview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let interviewer_ids = body
        .interviewer_ids
        .iter()
        .map(|i| {
            i.parse()
                .map_err(|e: prospector_core::Invalid| e.in_field("interviewer_ids"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = ScheduleInput {
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        interviewer_ids,
        location: body.location,
        stage: body.stage,
    };
    let iv = state
        .app
        .schedule_interview(&actor, id(&raw, "application")?, input)
        .await?;
    Ok((StatusCode::CREATED, Json(interview_json(&iv))))
}

/// Scorecards the caller may read; an interviewer sees colleagues' only after submitting theirs.
#[utoipa::path(get, path = "/api/v1/applications/{id}/scorecards", tag = "hiring",
    responses((status = 200, description = "scorecards and how many are hidden")))]
pub async fn list_scorecards(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = state.app.scorecards(&actor, id(&raw, "application")?).await?;
    Ok(Json(
        json!({"items": v.items.iter().map(scorecard_json).collect::<Vec<_>>(), "hidden": v.hidden}),
    ))
}

/// The application's offers.
#[utoipa::path(get, path = "/api/v1/applications/{id}/offers", tag = "hiring",
    responses((status = 200, description = "offers")))]
pub async fn list_offers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state
        .app
        .application_offers(&actor, id(&raw, "application")?)
        .await?;
    Ok(Json(
        json!({"items": items.iter().map(offer_json).collect::<Vec<_>>()}),
    ))
}

/// Talent-pool tags.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagsBody {
    /// The tags, replacing the current ones.
    tags: Vec<String>,
}

/// Replaces a candidate's talent-pool tags.
#[utoipa::path(put, path = "/api/v1/candidates/{id}/tags", tag = "hiring", request_body = TagsBody,
    responses((status = 200, description = "the tags")))]
pub async fn set_tags(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<TagsBody>,
) -> Result<Json<Value>, ApiError> {
    let c = state
        .app
        .set_candidate_tags(&actor, id(&raw, "candidate")?, &body.tags)
        .await?;
    Ok(Json(json!({"candidate_id": c.id, "tags": c.tags})))
}

/// A candidate's time zone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TimeZoneBody {
    /// An IANA name (`Europe/Berlin`); blank clears it.
    time_zone: String,
}

/// Sets the candidate's time zone, in which interview times are written for them.
#[utoipa::path(put, path = "/api/v1/candidates/{id}/time-zone", tag = "hiring", request_body = TimeZoneBody,
    responses((status = 200, description = "the time zone"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_time_zone(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<TimeZoneBody>,
) -> Result<Json<Value>, ApiError> {
    let c = state
        .app
        .set_candidate_time_zone(&actor, id(&raw, "candidate")?, &body.time_zone)
        .await?;
    Ok(Json(json!({"candidate_id": c.id, "time_zone": c.time_zone})))
}

/// Everything stored about a candidate.
#[utoipa::path(get, path = "/api/v1/candidates/{id}/export", tag = "hiring",
    responses((status = 200, description = "the export")))]
pub async fn export_candidate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        state.app.export_candidate(&actor, id(&raw, "candidate")?).await?,
    ))
}

/// Erases a candidate's personal data now.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/erase", tag = "hiring",
    responses((status = 204, description = "erased")))]
pub async fn erase_candidate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.erase_candidate(&actor, id(&raw, "candidate")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's interviews.
#[utoipa::path(get, path = "/api/v1/interviews", tag = "hiring",
    responses((status = 200, description = "interviews")))]
pub async fn my_interviews(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.my_interviews(&actor).await?;
    Ok(Json(
        json!({"items": items.iter().map(interview_json).collect::<Vec<_>>()}),
    ))
}

/// A scorecard.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScorecardBody {
    /// strong_yes, yes, no, strong_no.
    overall: String,
    /// Attribute → rating code.
    #[serde(default)]
    ratings: std::collections::BTreeMap<String, String>,
    /// What speaks for the candidate.
    #[serde(default)]
    pros: String,
    /// What speaks against.
    #[serde(default)]
    cons: String,
    /// Anything else.
    #[serde(default)]
    notes: String,
}

/// Submits the caller's scorecard for an interview (once: a second is 409).
#[utoipa::path(post, path = "/api/v1/interviews/{id}/scorecard", tag = "hiring", request_body = ScorecardBody,
    responses((status = 201, description = "the scorecard"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn submit_scorecard(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ScorecardBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = ScorecardSubmission {
        overall: body.overall,
        ratings: body.ratings,
        pros: body.pros,
        cons: body.cons,
        notes: body.notes,
    };
    let s = state
        .app
        .submit_scorecard(&actor, id(&raw, "interview")?, input)
        .await?;
    Ok((StatusCode::CREATED, Json(scorecard_json(&s))))
}
