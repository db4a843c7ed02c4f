//! The dashboards API: the team dashboard, a rep's dashboard, the hygiene list and ramp targets.
//! Filters are the same query parameters the pages use, so a page's URL and its API call agree.

use axum::Json;
use axum::extract::{Path, Query, State};
use prospector_app::dashboards::ReportQuery;
use prospector_app::dashboards::ramp::RampInput;
use prospector_core::ids::UserId;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The dashboard routes, merged into `api::router()`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(team_dashboard))
        .routes(routes!(rep_dashboard))
        .routes(routes!(hygiene))
        .routes(routes!(get_ramp, put_ramp))
}

/// Report filters. Dates are `YYYY-MM-DD` (UTC days); the range is at most five years.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct Filters {
    /// First day (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, inclusive (default: today).
    pub to: Option<String>,
    /// Team id.
    pub team: Option<String>,
    /// Rep (user) id.
    pub rep: Option<String>,
    /// Lead source.
    pub source: Option<String>,
    /// Account segment: `large`, `mid_market` or `smb`.
    pub segment: Option<String>,
    /// `day`, `week` or `month`.
    pub grain: Option<String>,
}

impl From<Filters> for ReportQuery {
    fn from(f: Filters) -> Self {
        ReportQuery {
            from: f.from,
            to: f.to,
            team: f.team,
            rep: f.rep,
            source: f.source,
            segment: f.segment,
            grain: f.grain,
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError(prospector_app::AppError::Internal(e.to_string())))
}

/// The team dashboard: totals, series, per-rep attainment, funnel, exits, time in status, speed
/// to lead and coverage (team leads and admins).
#[utoipa::path(get, path = "/api/v1/dashboards/team", tag = "dashboards", params(Filters),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn team_dashboard(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(f): Query<Filters>,
) -> Result<Json<Value>, ApiError> {
    let scope = state.app.report_scope(&f.into()).await?;
    to_json(&state.app.team_dashboard(&actor, &scope).await?)
}

/// A rep's dashboard (the rep themself, team leads and admins).
#[utoipa::path(get, path = "/api/v1/dashboards/reps/{id}", tag = "dashboards",
    params(("id" = String, Path), Filters),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn rep_dashboard(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Json<Value>, ApiError> {
    let mut q: ReportQuery = f.into();
    q.rep = Some(id);
    let scope = state.app.report_scope(&q).await?;
    to_json(&state.app.rep_dashboard(&actor, &scope).await?)
}

/// The hygiene list: pending MQLs, stalled Qualifying leads, overdue tasks, failed sequence
/// steps (last 30 days) and opportunities without a next step, each with a link to the record
/// (for failed steps, the person's enrollments).
#[utoipa::path(get, path = "/api/v1/dashboards/hygiene", tag = "dashboards", params(Filters),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn hygiene(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(f): Query<Filters>,
) -> Result<Json<Value>, ApiError> {
    let scope = state.app.report_scope(&f.into()).await?;
    let items = state.app.hygiene(&actor, &scope).await?;
    Ok(Json(json!({ "items": items })))
}

/// A rep's ramp: start day, current month and targets.
#[utoipa::path(get, path = "/api/v1/reps/{id}/ramp", tag = "dashboards", params(("id" = String, Path)),
    responses((status = 200, body = Object)))]
pub async fn get_ramp(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let rep: UserId = parse_id(&id, "rep")?;
    to_json(&state.app.ramp(&actor, rep).await?)
}

/// Sets a rep's start day and targets (team leads and admins); `targets: null` restores the
/// handbook defaults.
#[utoipa::path(put, path = "/api/v1/reps/{id}/ramp", tag = "dashboards", params(("id" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_ramp(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let rep: UserId = parse_id(&id, "rep")?;
    let input: RampInput = serde_json::from_value(body).map_err(|e| {
        ApiError::from(prospector_core::Invalid::new(
            "targets",
            "invalid_body",
            format!("the body does not fit: {e}"),
        ))
    })?;
    to_json(&state.app.set_ramp(&actor, rep, input).await?)
}
