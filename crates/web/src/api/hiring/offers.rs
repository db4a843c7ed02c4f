//! `/api/v1/applications/{id}/offers` and `/api/v1/offers/{id}/…`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use prospector_app::hiring::offers::OfferInput;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{id, offer_json};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// An offer's terms.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OfferBody {
    /// Pay as written.
    pay: String,
    /// YYYY-MM-DD.
    start_date: chrono::NaiveDate,
    /// The letter (a default when blank).
    letter: Option<String>,
}

/// Drafts an offer (approval chain: hiring manager, then CEO).
#[utoipa::path(post, path = "/api/v1/applications/{id}/offers", tag = "hiring", request_body = OfferBody,
    responses((status = 201, description = "the offer"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = OfferInput {
        pay: body.pay,
        start_date: body.start_date,
        letter: body.letter,
    };
    let o = state
        .app
        .create_offer(&actor, id(&raw, "application")?, input)
        .await?;
    Ok((StatusCode::CREATED, Json(offer_json(&o))))
}

/// One offer, for its approvers (from any team) and the job's deciders; an overdue offer reads
/// `expired`.
#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "hiring",
    responses((status = 200, description = "the offer"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = state.app.offer_for_approver(&actor, id(&raw, "offer")?).await?;
    let mut body = offer_json(&view.offer);
    body["job_title"] = Value::from(view.job_title);
    body["candidate_name"] = Value::from(view.candidate_name);
    Ok(Json(body))
}

/// Sends a draft to its approvers.
#[utoipa::path(post, path = "/api/v1/offers/{id}/submit", tag = "hiring",
    responses((status = 200, description = "the offer"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn submit_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(offer_json(
        &state.app.submit_offer(&actor, id(&raw, "offer")?).await?,
    )))
}

/// Approves, when it is the caller's turn.
#[utoipa::path(post, path = "/api/v1/offers/{id}/approve", tag = "hiring",
    responses((status = 200, description = "the offer"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn approve_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(offer_json(
        &state.app.approve_offer(&actor, id(&raw, "offer")?).await?,
    )))
}

/// A rejection.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RejectBody {
    /// Why.
    note: String,
}

/// Rejects, when it is the caller's turn; the offer returns to draft.
#[utoipa::path(post, path = "/api/v1/offers/{id}/reject", tag = "hiring", request_body = RejectBody,
    responses((status = 200, description = "the offer"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn reject_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(offer_json(
        &state
            .app
            .reject_offer(&actor, id(&raw, "offer")?, &body.note)
            .await?,
    )))
}

/// How long the candidate has.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SendBody {
    /// Days until the offer and its links expire (default 14).
    valid_days: Option<i64>,
}

/// Emails an approved offer with signed accept/decline links (send `{}` for the defaults).
#[utoipa::path(post, path = "/api/v1/offers/{id}/send", tag = "hiring", request_body = SendBody,
    responses((status = 200, description = "the offer"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn send_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<Json<Value>, ApiError> {
    let days = body.valid_days;
    Ok(Json(offer_json(
        &state.app.send_offer(&actor, id(&raw, "offer")?, days).await?,
    )))
}
