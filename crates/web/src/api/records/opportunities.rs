//! `/api/v1/opportunities`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use prospector_app::records::opportunities::OpportunityInput;
use prospector_core::records::OpportunityStage;
use prospector_store::records::opportunities::OpportunityFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{OpportunityDto, OpportunityList, Timeline};
use super::people::TimelineQuery;
use super::{expected_version, opt_id, opt_time, user_id};
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Opportunity fields (create: `name` required; update: absent fields stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityBody {
    name: Option<String>,
    account_id: Option<String>,
    person_id: Option<String>,
    /// The account executive.
    ae_id: Option<String>,
    /// The SDR who keeps the credit.
    sdr_id: Option<String>,
    amount_cents: Option<i64>,
    currency: Option<String>,
    close_date: Option<NaiveDate>,
    next_step: Option<String>,
    version: Option<i64>,
}

fn input_of(
    b: OpportunityBody,
    actor: &prospector_app::Actor,
) -> Result<(OpportunityInput, Option<i64>), ApiError> {
    Ok((
        OpportunityInput {
            name: b.name,
            account_id: opt_id(b.account_id.as_deref(), "account_id")?,
            person_id: opt_id(b.person_id.as_deref(), "person_id")?,
            ae_id: b
                .ae_id
                .as_deref()
                .map(|u| user_id(u, "ae_id", actor))
                .transpose()?,
            sdr_id: b
                .sdr_id
                .as_deref()
                .map(|u| user_id(u, "sdr_id", actor))
                .transpose()?,
            amount_cents: b.amount_cents,
            currency: b.currency,
            close_date: b.close_date,
            next_step: b.next_step,
        },
        b.version,
    ))
}

/// A stage move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// pending_acceptance, discovery, scoping, technical_evaluation, proposal, negotiating,
    /// awaiting_signature, closed_won, closed_lost, unqualified, duplicate.
    stage: String,
    /// Required for unqualified and closed_lost.
    reason: Option<String>,
    version: Option<i64>,
}

/// Opportunity filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OpportunityListQuery {
    /// AE user id or `me`.
    ae: Option<String>,
    /// SDR user id or `me`.
    sdr: Option<String>,
    stage: Option<String>,
    account_id: Option<String>,
    person_id: Option<String>,
    updated_since: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

/// Opportunities, most recently changed first.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunity", params(OpportunityListQuery),
    responses((status = 200, body = OpportunityList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<OpportunityListQuery>,
) -> Result<Json<OpportunityList>, ApiError> {
    let blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = OpportunityFilter {
        ae_id: blank(&q.ae).map(|u| user_id(&u, "ae", &actor)).transpose()?,
        sdr_id: blank(&q.sdr).map(|u| user_id(&u, "sdr", &actor)).transpose()?,
        stage: blank(&q.stage)
            .map(|s| OpportunityStage::parse("stage", &s))
            .transpose()?,
        account_id: opt_id(q.account_id.as_deref(), "account_id")?,
        person_id: opt_id(q.person_id.as_deref(), "person_id")?,
        updated_since: opt_time(q.updated_since.as_deref(), "updated_since")?,
    };
    let page = state
        .app
        .list_opportunities(
            &actor,
            &filter,
            q.after.as_deref().filter(|a| !a.is_empty()),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(OpportunityList {
        items: page.items.iter().map(OpportunityDto::from).collect(),
        next_after: page.next_after,
    }))
}

/// Creates an opportunity at stage 0 (pending acceptance).
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunity", request_body = OpportunityBody,
    responses((status = 201, body = OpportunityDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<OpportunityBody>,
) -> Result<(StatusCode, Json<OpportunityDto>), ApiError> {
    let (input, _) = input_of(body, &actor)?;
    let o = state.app.create_opportunity(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(OpportunityDto::from(&o))))
}

/// One opportunity.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunity", params(("id" = String, Path)),
    responses((status = 200, body = OpportunityDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<OpportunityDto>, ApiError> {
    let o = state
        .app
        .get_opportunity(&actor, parse_id(&id, "opportunity")?)
        .await?;
    Ok(Json(OpportunityDto::from(&o)))
}

/// Changes an opportunity (not its stage).
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunity", params(("id" = String, Path)),
    request_body = OpportunityBody,
    responses((status = 200, body = OpportunityDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OpportunityBody>,
) -> Result<Json<OpportunityDto>, ApiError> {
    let (input, version) = input_of(body, &actor)?;
    let o = state
        .app
        .update_opportunity(
            &actor,
            parse_id(&id, "opportunity")?,
            input,
            expected_version(version, &headers),
        )
        .await?;
    Ok(Json(OpportunityDto::from(&o)))
}

/// Moves an opportunity to another stage.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/stage", tag = "opportunity", params(("id" = String, Path)),
    request_body = StageBody,
    responses((status = 200, body = OpportunityDto), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn stage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<StageBody>,
) -> Result<Json<OpportunityDto>, ApiError> {
    let o = state
        .app
        .change_opportunity_stage(
            &actor,
            parse_id(&id, "opportunity")?,
            &body.stage,
            body.reason.as_deref(),
            expected_version(body.version, &headers),
        )
        .await?;
    Ok(Json(OpportunityDto::from(&o)))
}

/// The opportunity's activities, newest first.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/timeline", tag = "opportunity",
    params(("id" = String, Path), TimelineQuery),
    responses((status = 200, body = Timeline), (status = 404, body = crate::error::ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Timeline>, ApiError> {
    let page = state
        .app
        .opportunity_timeline(
            &actor,
            parse_id(&id, "opportunity")?,
            q.before.as_deref(),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(Timeline::from(page)))
}
