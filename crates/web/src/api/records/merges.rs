//! `/api/v1/merges`: merge two people or two accounts, and undo it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use prospector_core::Invalid;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::MergeDto;
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// What to merge into what.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// person (leads and contacts) or account.
    kind: String,
    /// The record kept.
    survivor_id: String,
    /// The record merged away (its activities, tasks, opportunities move to the survivor).
    loser_id: String,
}

/// Merges two people or two accounts; every activity is kept.
#[utoipa::path(post, path = "/api/v1/merges", tag = "merge", request_body = MergeBody,
    responses((status = 201, body = MergeDto), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<MergeBody>,
) -> Result<(StatusCode, Json<MergeDto>), ApiError> {
    let id = |raw: &str, field: &str| {
        raw.parse()
            .map_err(|e: Invalid| ApiError::from(e.in_field(field)))
    };
    let merge = match b.kind.trim() {
        "person" | "lead" | "contact" => {
            state
                .app
                .merge_people(
                    &actor,
                    id(&b.survivor_id, "survivor_id")?,
                    id(&b.loser_id, "loser_id")?,
                )
                .await?
        }
        "account" => {
            let s = b
                .survivor_id
                .parse()
                .map_err(|e: Invalid| e.in_field("survivor_id"))?;
            let l = b.loser_id.parse().map_err(|e: Invalid| e.in_field("loser_id"))?;
            state.app.merge_accounts(&actor, s, l).await?
        }
        other => return Err(Invalid::unknown_value("kind", other, &["person", "account"]).into()),
    };
    Ok((StatusCode::CREATED, Json(MergeDto::from(&merge))))
}

/// Undoes a merge: the merged-away record comes back with everything that moved.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "merge", params(("id" = String, Path)),
    responses((status = 200, body = MergeDto), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn undo(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<MergeDto>, ApiError> {
    let merge = state.app.undo_merge(&actor, parse_id(&id, "merge")?).await?;
    Ok(Json(MergeDto::from(&merge)))
}
