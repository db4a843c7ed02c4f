//! The inbound API: forms and submissions, scores with their explanation, routing rules with the
//! preview, rep settings, the team calendar, the queue and SLA report, notifications, hand-offs.
//! Rule bodies are core's own JSON shapes (`ScoringRules`, `RoutingRule`), so what the API takes
//! is exactly what the engine runs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use prospector_app::inbound::handoff::BookingInput;
use prospector_app::inbound::rules::{PreviewInput, RepInput};
use prospector_core::Invalid;
use prospector_core::inbound::{RoutingRule, ScoringRules};
use prospector_store::inbound::Settings;
use prospector_store::records::{OpportunityId, PersonId};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The inbound routes, merged into `api::router()`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(forms))
        .routes(routes!(submissions))
        .routes(routes!(lead_score))
        .routes(routes!(lead_routing))
        .routes(routes!(lead_sla))
        .routes(routes!(record_event))
        .routes(routes!(get_scoring, put_scoring))
        .routes(routes!(get_routing, put_routing))
        .routes(routes!(preview_routing))
        .routes(routes!(reps))
        .routes(routes!(put_rep))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(queue))
        .routes(routes!(sla_report))
        .routes(routes!(notifications))
        .routes(routes!(list_handoffs, book_handoff))
        .routes(routes!(accept_handoff))
        .routes(routes!(reject_handoff))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError(prospector_app::AppError::Internal(e.to_string())))
}

fn body_as<T: serde::de::DeserializeOwned>(v: Value, field: &str) -> Result<T, ApiError> {
    serde_json::from_value(v)
        .map_err(|e| Invalid::new(field, "invalid_body", format!("the body does not fit: {e}")).into())
}

/// The capture forms (`POST /inbound/forms/{slug}` takes each).
#[utoipa::path(get, path = "/api/v1/inbound/forms", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn forms(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.inbound_forms(&actor).await?;
    Ok(Json(json!({ "items": items })))
}

/// Submission filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SubmissionQuery {
    /// `accepted` or `rejected`.
    outcome: Option<String>,
    limit: Option<i64>,
}

/// Submissions, newest first; rejected ones keep all submitted data (admins).
#[utoipa::path(get, path = "/api/v1/inbound/submissions", tag = "inbound", params(SubmissionQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn submissions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<SubmissionQuery>,
) -> Result<Json<Value>, ApiError> {
    let items = state
        .app
        .inbound_submissions(
            &actor,
            q.outcome.as_deref().filter(|o| !o.is_empty()),
            q.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// A person's score and the lines that make it up (rule, points, when).
#[utoipa::path(get, path = "/api/v1/leads/{id}/score", tag = "inbound", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn lead_score(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let score = state
        .app
        .lead_score(&actor, parse_id::<PersonId>(&id, "lead")?)
        .await?;
    let mut v = serde_json::to_value(&score).unwrap_or_default();
    v["is_mql"] = json!(score.is_mql());
    Ok(Json(v))
}

/// A person's routing decisions (owner, rule, why, reps skipped), newest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/routing", tag = "inbound", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn lead_routing(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state
        .app
        .routing_history(&actor, parse_id::<PersonId>(&id, "lead")?)
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// A person's SLA clocks.
#[utoipa::path(get, path = "/api/v1/leads/{id}/sla", tag = "inbound", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn lead_sla(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let person = parse_id::<PersonId>(&id, "lead")?;
    state.app.stop_sla_clocks_for(person).await?;
    let items = state.app.clocks_of(&actor, person).await?;
    Ok(Json(json!({ "items": items })))
}

/// A behaviour to record for an existing person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    person_id: String,
    /// contact_us, trial, form, webcast, gated_content, unsubscribe.
    behaviour: String,
}

/// Records a behaviour (e.g. a webcast attended, an unsubscribe, which resets the score) and
/// rescores the person.
#[utoipa::path(post, path = "/api/v1/inbound/events", tag = "inbound", request_body = EventBody,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_event(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<Json<Value>, ApiError> {
    let person = parse_id::<PersonId>(&body.person_id, "lead")?;
    let (person, score) = state
        .app
        .record_behaviour(&actor, person, &body.behaviour)
        .await?;
    Ok(Json(json!({
        "person_id": person.id.to_string(),
        "status": person.status.code(),
        "score": score,
    })))
}

/// The scoring rules in force (`behaviour`, `demographic`, `mql_threshold`).
#[utoipa::path(get, path = "/api/v1/inbound/scoring", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn get_scoring(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.scoring_rules(&actor).await?)
}

/// Replaces the scoring rules (admins).
#[utoipa::path(put, path = "/api/v1/inbound/scoring", tag = "inbound", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_scoring(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let rules: ScoringRules = body_as(body, "rules")?;
    to_json(&state.app.save_scoring_rules(&actor, rules).await?)
}

/// The routing rules in force, with warnings about pool members who are deactivated or unknown.
#[utoipa::path(get, path = "/api/v1/inbound/routing", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn get_routing(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.routing_rules(&actor).await?)
}

/// Routing rules.
#[derive(Debug, Deserialize)]
struct RoutingBody {
    rules: Vec<RoutingRule>,
}

/// Replaces the routing rules (admins): `{"rules":[{"code","segment","region","pool":[user ids]}]}`.
/// Deactivated or unknown pool members are saved and flagged in `warnings`.
#[utoipa::path(put, path = "/api/v1/inbound/routing", tag = "inbound", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_routing(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let body: RoutingBody = body_as(body, "rules")?;
    to_json(&state.app.save_routing_rules(&actor, body.rules).await?)
}

/// A lead to route in the preview.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    person_id: Option<String>,
    employees: Option<u32>,
    country: Option<String>,
    account_owner_id: Option<String>,
}

/// "Route this lead": who would get it now and why, without assigning.
#[utoipa::path(post, path = "/api/v1/inbound/routing/preview", tag = "inbound", request_body = PreviewBody,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn preview_routing(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PreviewBody>,
) -> Result<Json<Value>, ApiError> {
    let input = PreviewInput {
        person_id: body
            .person_id
            .as_deref()
            .map(|p| parse_id(p, "lead"))
            .transpose()?,
        employees: body.employees,
        country: body.country,
        account_owner: body
            .account_owner_id
            .as_deref()
            .map(|u| u.parse().map_err(|e: Invalid| e.in_field("account_owner_id")))
            .transpose()?,
    };
    let d = state.app.preview_routing(&actor, input).await?;
    Ok(Json(json!({
        "owner_id": d.owner.map(|o| o.to_string()),
        "rule_code": d.rule_code,
        "why": d.why,
        "skipped": d.skipped,
    })))
}

/// Every user with their inbound settings and open inbound leads.
#[utoipa::path(get, path = "/api/v1/inbound/reps", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn reps(State(state): State<AppState>, ApiActor(actor): ApiActor) -> Result<Json<Value>, ApiError> {
    let items = state.app.inbound_reps(&actor).await?;
    Ok(Json(json!({ "items": items })))
}

/// A rep's inbound settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepBody {
    /// 0–100 (ramping reps: 0 or 50).
    share_percent: i64,
    capacity: Option<i64>,
    #[serde(default)]
    out_of_office: bool,
}

/// Sets a rep's ramp share, capacity and out-of-office flag (admins).
#[utoipa::path(put, path = "/api/v1/inbound/reps/{user_id}", tag = "inbound", params(("user_id" = String, Path)),
    request_body = RepBody,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_rep(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<RepBody>,
) -> Result<Json<Value>, ApiError> {
    let row = state
        .app
        .save_inbound_rep(
            &actor,
            parse_id(&user_id, "user")?,
            RepInput {
                share_percent: body.share_percent,
                capacity: body.capacity,
                out_of_office: body.out_of_office,
            },
        )
        .await?;
    to_json(&row)
}

/// The team calendar (time zone, working hours, holidays), form rate limit and hand-off SLA.
#[utoipa::path(get, path = "/api/v1/inbound/settings", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.inbound_settings(&actor).await?)
}

/// Replaces the inbound settings (admins).
#[utoipa::path(put, path = "/api/v1/inbound/settings", tag = "inbound", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let settings: Settings = body_as(body, "settings")?;
    to_json(&state.app.save_inbound_settings(&actor, settings).await?)
}

/// Running first-touch clocks, earliest deadline first.
#[utoipa::path(get, path = "/api/v1/inbound/queue", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.inbound_queue(&actor).await?;
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            json!({
                "clock_id": i.clock.id.to_string(),
                "kind": i.clock.kind,
                "person_id": i.person.id.to_string(),
                "name": i.person.full_name(),
                "source": i.person.source,
                "score": i.person.score,
                "owner_id": i.clock.owner_id.map(|o| o.to_string()),
                "owner_name": i.owner_name,
                "started_at": i.clock.started_at,
                "warn_at": i.clock.warn_at,
                "due_at": i.clock.due_at,
                "sla": i.status,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Report window.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Days back (default 30).
    days: Option<i64>,
}

/// Speed to lead: median business minutes to first touch by rep and by source, breach rate.
#[utoipa::path(get, path = "/api/v1/inbound/sla-report", tag = "inbound", params(ReportQuery),
    responses((status = 200, body = Object)))]
pub async fn sla_report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Value>, ApiError> {
    to_json(&state.app.sla_report(&actor, q.days.unwrap_or(30)).await?)
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "inbound", responses((status = 200, body = Object)))]
pub async fn notifications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.my_notifications(&actor, 100).await?;
    Ok(Json(json!({ "items": items })))
}

/// Hand-offs for the caller (AEs: theirs; SDRs: the ones they booked; leads and admins: all).
#[utoipa::path(get, path = "/api/v1/handoffs", tag = "handoff", responses((status = 200, body = Object)))]
pub async fn list_handoffs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let items = state.app.handoffs(&actor).await?;
    Ok(Json(json!({ "items": items })))
}

/// A meeting to book.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    /// The lead or contact.
    person_id: String,
    /// The AE.
    ae_id: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    summary: Option<String>,
    description: Option<String>,
    location: Option<String>,
}

/// Books a meeting: ICS invitation (METHOD:REQUEST) to the AE and the prospect, and an
/// opportunity at stage 0 for the AE.
#[utoipa::path(post, path = "/api/v1/handoffs", tag = "handoff", request_body = BookBody,
    responses((status = 201, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn book_handoff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<BookBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = BookingInput {
        person_id: parse_id(&body.person_id, "person")?,
        ae_id: body.ae_id.parse().map_err(|e: Invalid| e.in_field("ae_id"))?,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        summary: body.summary,
        description: body.description,
        location: body.location,
    };
    let view = state.app.book_meeting(&actor, input).await?;
    Ok((StatusCode::CREATED, to_json(&view)?))
}

/// Accepts a hand-off: stage 1 Discovery (an SAO), the accepted date set.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/accept", tag = "handoff", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub async fn accept_handoff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: OpportunityId = parse_id(&id, "hand-off")?;
    to_json(&state.app.decide_handoff(&actor, id, true, None).await?)
}

/// A rejection.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// An Unqualified reason: no_pain, no_authority, no_budget, no_timeline, bad_fit, no_show.
    reason: Option<String>,
}

/// Rejects a hand-off: stage 9 Unqualified with a reason; the SDR's team lead is told.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/reject", tag = "handoff", params(("id" = String, Path)),
    request_body = RejectBody,
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn reject_handoff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Value>, ApiError> {
    let id: OpportunityId = parse_id(&id, "hand-off")?;
    to_json(
        &state
            .app
            .decide_handoff(&actor, id, false, body.reason.as_deref())
            .await?,
    )
}
