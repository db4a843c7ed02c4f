//! `/api/v1/search`.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{SearchResultDto, SearchResults};
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words (matched as prefixes) or an email address.
    q: String,
    /// 1–100, default 20.
    limit: Option<i64>,
}

/// Searches people, accounts and notes you may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResults)))]
pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let found = state.app.search(&actor, &q.q, q.limit.unwrap_or(20)).await?;
    Ok(Json(SearchResults {
        items: found.iter().map(SearchResultDto::from).collect(),
    }))
}
