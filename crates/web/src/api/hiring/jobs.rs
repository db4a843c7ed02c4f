//! `/api/v1/jobs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use prospector_app::hiring::jobs::{JobPatch, QuestionInput, StageInput};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{application_json, id, job_json};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Jobs the caller works on.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "hiring",
    responses((status = 200, description = "jobs"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let jobs = state.app.list_jobs(&actor).await?;
    Ok(Json(
        json!({"items": jobs.iter().map(job_json).collect::<Vec<_>>()}),
    ))
}

/// A new job page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJobBody {
    /// The whole markdown file: front matter (`layout`, `title`, optional `location`, `team`, `status`) and body.
    source: String,
}

/// Creates a job from a markdown page (recruiters).
#[utoipa::path(post, path = "/api/v1/jobs", tag = "hiring", request_body = NewJobBody,
    responses((status = 201, description = "the job"), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_job(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewJobBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job = state.app.create_job(&actor, &body.source).await?;
    Ok((StatusCode::CREATED, Json(job_json(&job))))
}

/// A job.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "hiring",
    responses((status = 200, description = "the job"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = state.app.get_job(&actor, id(&raw, "job")?).await?;
    Ok(Json(job_json(&job)))
}

/// A stage as edited.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StageBody {
    /// Keep a stage's code to keep its candidates.
    code: Option<String>,
    /// Short name.
    name: String,
    /// review, questionnaire, screening, interview, offer or hired.
    kind: String,
}

/// Changes to a job.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatchBody {
    /// The whole page.
    source: Option<String>,
    /// open, closed or draft.
    status: Option<String>,
    /// User id ("" clears).
    hiring_manager_id: Option<String>,
    /// User id of the last offer approver ("" clears: the first admin approves).
    ceo_id: Option<String>,
    /// The pipeline: review first, Hired last.
    stages: Option<Vec<StageBody>>,
    /// The questionnaire applicants answer.
    questionnaire: Option<Vec<QuestionBody>>,
}

/// A question as edited.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionBody {
    /// snake_case code.
    code: String,
    /// The question.
    prompt: String,
    /// Whether an answer is needed.
    #[serde(default)]
    required: bool,
    /// Longest answer (default 2000).
    max_chars: Option<usize>,
}

/// Edits a job.
#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "hiring", request_body = JobPatchBody,
    responses((status = 200, description = "the job"), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_job(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<JobPatchBody>,
) -> Result<Json<Value>, ApiError> {
    let patch = JobPatch {
        source: body.source,
        status: body.status,
        hiring_manager_id: body.hiring_manager_id,
        ceo_id: body.ceo_id,
        stages: body.stages.map(|v| {
            v.into_iter()
                .map(|s| StageInput {
                    code: s.code,
                    name: s.name,
                    kind: s.kind,
                })
                .collect()
        }),
        questionnaire: body.questionnaire.map(|v| {
            v.into_iter()
                .map(|q| QuestionInput {
                    code: q.code,
                    prompt: q.prompt,
                    required: q.required,
                    max_chars: q.max_chars,
                })
                .collect()
        }),
    };
    let job = state.app.update_job(&actor, id(&raw, "job")?, patch).await?;
    Ok(Json(job_json(&job)))
}

/// The job's board: each stage with its active candidates, and the closed applications.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/board", tag = "hiring",
    responses((status = 200, description = "the board"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let board = state.app.board(&actor, id(&raw, "job")?).await?;
    Ok(Json(json!({
        "job": job_json(&board.job),
        "columns": board.columns.iter().map(|c| json!({
            "stage": {"code": c.stage.code, "name": c.stage.name, "kind": c.stage.kind.code()},
            "applications": c.applications.iter().map(application_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "closed": board.closed.iter().map(application_json).collect::<Vec<_>>(),
    })))
}

/// The job's report: pass-through rate and time per stage, time to hire, source of hire, decline reasons.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/report", tag = "hiring",
    responses((status = 200, description = "the report"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let report = state.app.job_report(&actor, id(&raw, "job")?).await?;
    Ok(Json(serde_json::to_value(report).unwrap_or_default()))
}
