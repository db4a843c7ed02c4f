//! `/api/v1/email-templates`, `/api/v1/sequences`, `/api/v1/enrollments`, `/api/v1/today`: the
//! outbound engine. What may be done is decided in `app::sequences`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use prospector_app::sequences::definitions::SequenceSummary;
use prospector_app::sequences::enroll::{EnrollOutcome, ManualAction};
use prospector_app::sequences::templates::TemplateInput;
use prospector_app::sequences::today::{DoneInput, Today, TodayRequest};
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::sequence::SequenceDraft;
use prospector_store::records::PersonId;
use prospector_store::sequences::{EnrollmentRow, ExecutionRow, TemplateRow};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The outbound routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates))
        .routes(routes!(get_template, save_template))
        .routes(routes!(preview_template))
        .routes(routes!(list_sequences, create_sequence))
        .routes(routes!(get_sequence, update_sequence))
        .routes(routes!(enroll))
        .routes(routes!(get_enrollment))
        .routes(routes!(act_on_enrollment))
        .routes(routes!(person_enrollments))
        .routes(routes!(today))
        .routes(routes!(complete_item))
}

fn template_json(t: &TemplateRow) -> Value {
    json!({"id": t.id, "name": t.name, "subject": t.subject, "body": t.body,
           "created_at": t.created_at, "updated_at": t.updated_at})
}

/// A sequence with its settings, steps and per-step results.
pub fn sequence_json(s: &SequenceSummary) -> Value {
    let draft = SequenceDraft::from(s.def.clone());
    let steps: Vec<Value> = draft
        .steps
        .iter()
        .zip(&s.steps)
        .enumerate()
        .map(|(i, (step, results))| {
            json!({"index": i, "kind": step.kind, "day_offset": step.day_offset, "template_id": step.template_id,
                   "script": step.script, "handbook_page": step.handbook_page,
                   "handbook_anchor": step.handbook_anchor, "results": results})
        })
        .collect();
    json!({"id": s.row.id, "name": s.row.name, "is_default": s.row.is_default, "settings": draft.settings,
           "steps": steps, "enrollments": {"active": s.active, "paused": s.paused, "finished": s.finished},
           "version": s.row.version, "updated_at": s.row.updated_at})
}

/// An enrollment as JSON.
pub fn enrollment_json(e: &EnrollmentRow) -> Value {
    json!({"id": e.id, "sequence_id": e.sequence_id, "person_id": e.person_id.to_string(),
           "owner_id": e.owner_id.to_string(), "status": e.status, "reason": e.reason, "next_step": e.next_step,
           "next_due_at": e.next_due_at, "resume_at": e.resume_at, "recycle_at": e.recycle_at,
           "enrolled_at": e.enrolled_at, "finished_at": e.finished_at, "version": e.version})
}

fn execution_json(x: &ExecutionRow) -> Value {
    json!({"id": x.id, "step_index": x.step_index, "kind": x.kind, "status": x.status, "due_at": x.due_at,
           "created_at": x.created_at, "message_id": x.message_id, "outcome": x.outcome,
           "is_connect": x.is_connect, "note": x.note, "done_at": x.done_at})
}

fn outcome_json(o: &EnrollOutcome) -> Value {
    json!({"enrolled": o.enrolled.iter().map(enrollment_json).collect::<Vec<_>>(), "refused": o.refused})
}

/// Today as JSON.
pub fn today_json(t: &Today) -> Value {
    let items: Vec<Value> = t
        .items
        .iter()
        .map(|i| {
            let r = &i.row;
            json!({"id": r.execution.id, "kind": r.execution.kind, "due_at": r.execution.due_at,
                   "enrollment_id": r.execution.enrollment_id, "step_index": r.execution.step_index,
                   "sequence_name": r.sequence_name, "script": r.script, "handbook_page": r.handbook_page,
                   "handbook_anchor": r.handbook_anchor,
                   "person": {"id": r.execution.person_id.to_string(), "first_name": r.first_name,
                              "last_name": r.last_name, "company": r.company, "title": r.title, "phone": r.phone,
                              "email": r.email, "time_zone": r.time_zone, "score": r.score,
                              "do_not_call": r.do_not_call},
                   "callable_now": i.callable_now, "local_time": i.local_time})
        })
        .collect();
    json!({"items": items, "total": t.total, "callable": t.callable, "next": t.next, "counts": t.counts,
           "dispositions": t.dispositions.all()})
}

/// Email templates.
#[utoipa::path(get, path = "/api/v1/email-templates", tag = "outbound",
    responses((status = 200, description = "templates"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_templates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.list_templates(&actor).await?;
    Ok(Json(
        json!({"items": items.iter().map(template_json).collect::<Vec<_>>()}),
    ))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/email-templates/{id}", tag = "outbound",
    responses((status = 200, description = "the template"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(template_json(&state.app.get_template(&actor, &id).await?)))
}

/// A template as typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// Name shown in lists.
    name: String,
    /// Subject, e.g. `Quick question, {{ first_name | default("there") }}`.
    subject: String,
    /// Plain-text body with variables.
    body: String,
}

/// Creates or replaces a template; an unknown variable is refused (422) naming it.
#[utoipa::path(put, path = "/api/v1/email-templates/{id}", tag = "outbound", request_body = TemplateBody,
    responses((status = 200, description = "the template"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<Json<Value>, ApiError> {
    let input = TemplateInput {
        name: body.name,
        subject: body.subject,
        body: body.body,
    };
    Ok(Json(template_json(
        &state.app.save_template(&actor, &id, input).await?,
    )))
}

/// Whom to preview for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PreviewQuery {
    /// A real lead or contact.
    person_id: String,
}

/// The template rendered for a real person.
#[utoipa::path(get, path = "/api/v1/email-templates/{id}/preview", tag = "outbound", params(PreviewQuery),
    responses((status = 200, description = "subject, text and html"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn preview_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<Value>, ApiError> {
    let person: PersonId = parse_id(&q.person_id, "person")?;
    let r = state.app.preview_template(&actor, &id, person).await?;
    Ok(Json(
        json!({"subject": r.subject, "text": r.text, "html": r.html}),
    ))
}

/// Sequences with their per-step results.
#[utoipa::path(get, path = "/api/v1/sequences", tag = "outbound",
    responses((status = 200, description = "sequences"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_sequences(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.list_sequences(&actor).await?;
    Ok(Json(
        json!({"items": items.iter().map(sequence_json).collect::<Vec<_>>()}),
    ))
}

/// Creates a sequence: `{name, steps: [{kind, day_offset, template_id?, script?, handbook_page?,
/// handbook_anchor?}], settings?}`.
#[utoipa::path(post, path = "/api/v1/sequences", tag = "outbound",
    responses((status = 201, description = "the sequence"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_sequence(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(draft): ApiJson<SequenceDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let s = state.app.create_sequence(&actor, &draft).await?;
    Ok((StatusCode::CREATED, Json(sequence_json(&s))))
}

/// One sequence.
#[utoipa::path(get, path = "/api/v1/sequences/{id}", tag = "outbound",
    responses((status = 200, description = "the sequence"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_sequence(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let s = state.app.get_sequence(&actor, parse_id(&id, "sequence")?).await?;
    Ok(Json(sequence_json(&s)))
}

/// A changed sequence with the version it was read at.
#[derive(Debug, Deserialize)]
pub struct SequenceUpdate {
    /// The whole new definition.
    #[serde(flatten)]
    draft: SequenceDraft,
    /// The version read.
    version: i64,
}

/// Replaces a sequence's definition (409 when someone changed it since `version`).
#[utoipa::path(put, path = "/api/v1/sequences/{id}", tag = "outbound",
    responses((status = 200, description = "the sequence"), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_sequence(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SequenceUpdate>,
) -> Result<Json<Value>, ApiError> {
    let s = state
        .app
        .update_sequence(&actor, parse_id(&id, "sequence")?, &body.draft, body.version)
        .await?;
    Ok(Json(sequence_json(&s)))
}

/// Whom to enroll.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    /// One person or many (at most 500).
    person_ids: Vec<String>,
    /// The rep who works them (default: you).
    owner_id: Option<String>,
}

/// Enrolls people; each refusal (unsubscribed, already in a sequence, inside the re-contact
/// window) is reported with its reason.
#[utoipa::path(post, path = "/api/v1/sequences/{id}/enrollments", tag = "outbound", request_body = EnrollBody,
    responses((status = 200, description = "enrolled and refused"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EnrollBody>,
) -> Result<Json<Value>, ApiError> {
    let mut ids = Vec::with_capacity(body.person_ids.len());
    for (i, raw) in body.person_ids.iter().enumerate() {
        ids.push(raw.trim().parse::<PersonId>().map_err(|_| {
            prospector_core::Invalid::new(
                format!("person_ids[{i}]"),
                "invalid_id",
                format!("'{raw}' is not an id"),
            )
        })?);
    }
    let owner = body
        .owner_id
        .as_deref()
        .map(|o| {
            o.trim()
                .parse::<UserId>()
                .map_err(|_| prospector_core::Invalid::new("owner_id", "invalid_id", "not a user id"))
        })
        .transpose()?;
    let outcome = state
        .app
        .enroll(&actor, parse_id(&id, "sequence")?, &ids, owner)
        .await?;
    Ok(Json(outcome_json(&outcome)))
}

/// One enrollment and its steps so far.
#[utoipa::path(get, path = "/api/v1/enrollments/{id}", tag = "outbound",
    responses((status = 200, description = "the enrollment"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_enrollment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (row, steps) = state
        .app
        .get_enrollment(&actor, parse_id(&id, "enrollment")?)
        .await?;
    let mut v = enrollment_json(&row);
    v["steps"] = steps.iter().map(execution_json).collect();
    Ok(Json(v))
}

/// A manual action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `pause`, `resume` or `finish`.
    action: String,
}

/// Pauses, resumes or finishes an enrollment by hand (422 when it makes no sense now).
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/actions", tag = "outbound", request_body = ActionBody,
    responses((status = 200, description = "the enrollment"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn act_on_enrollment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<Json<Value>, ApiError> {
    let action = ManualAction::parse(&body.action)?;
    let row = state
        .app
        .act_on_enrollment(&actor, parse_id(&id, "enrollment")?, action)
        .await?;
    Ok(Json(enrollment_json(&row)))
}

/// A person's enrollment history, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/enrollments", tag = "outbound",
    responses((status = 200, description = "enrollments"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn person_enrollments(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let history = state
        .app
        .person_enrollments(&actor, parse_id(&id, "person")?)
        .await?;
    let items: Vec<Value> = history
        .iter()
        .map(|(row, name, steps)| {
            let mut v = enrollment_json(row);
            v["sequence_name"] = json!(name);
            v["steps"] = steps.iter().map(execution_json).collect();
            v
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

/// Your work queue: due calls, manual emails, LinkedIn touches and tasks in working order, and
/// the day's counts.
#[utoipa::path(get, path = "/api/v1/today", tag = "outbound", params(TodayQuery),
    responses((status = 200, description = "one page of today, with `next` when there is more"),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn today(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<TodayQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q
        .limit
        .as_deref()
        .map(|l| {
            l.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("limit", "invalid_number", format!("'{l}' is not a whole number")))
        })
        .transpose()?;
    let request = TodayRequest {
        after: q.after,
        limit,
    };
    Ok(Json(today_json(&state.app.today(&actor, &request).await?)))
}

/// Which page of Today.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TodayQuery {
    /// The `next` cursor of the page before.
    after: Option<String>,
    /// Items per page (default 50, at most 500).
    limit: Option<String>,
}

/// How an item went.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneBody {
    /// For calls: a disposition code.
    disposition: Option<String>,
    /// A note.
    note: Option<String>,
}

/// Marks a Today item done; the sequence moves on.
#[utoipa::path(post, path = "/api/v1/today/{id}/done", tag = "outbound", request_body = DoneBody,
    responses((status = 204, description = "done"), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn complete_item(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DoneBody>,
) -> Result<StatusCode, ApiError> {
    let id: Uuid = parse_id(&id, "work item")?;
    let input = DoneInput {
        disposition: body.disposition,
        note: body.note,
    };
    state.app.complete_work_item(&actor, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}
