//! `/api/v1/audit`.

use axum::Json;
use axum::extract::{Query, State};
use prospector_core::ids::UserId;
use prospector_store::audit::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AuditDto, AuditList};
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;

/// Audit filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// e.g. `user`.
    pub entity_type: Option<String>,
    /// A record id.
    pub entity_id: Option<String>,
    /// A user id.
    pub actor_id: Option<String>,
    /// e.g. `user.create`.
    pub action: Option<String>,
    /// Keyset cursor: the `next_before` of the previous page.
    pub before: Option<String>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> Result<(AuditFilter, Option<uuid::Uuid>), ApiError> {
        let blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let actor_id = blank(&self.actor_id)
            .map(|a| a.parse::<UserId>().map_err(|e| e.in_field("actor_id")))
            .transpose()?;
        let before = blank(&self.before)
            .map(|b| {
                uuid::Uuid::parse_str(&b).map_err(|_| {
                    prospector_core::Invalid::new(
                        "before",
                        "invalid_cursor",
                        format!("'{b}' is not a cursor from this API"),
                    )
                })
            })
            .transpose()?;
        Ok((
            AuditFilter {
                entity_type: blank(&self.entity_type),
                entity_id: blank(&self.entity_id),
                actor_id,
                action: blank(&self.action),
            },
            before,
        ))
    }
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    let (filter, before) = q.filter()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let entries = state.app.list_audit(&actor, &filter, before, limit).await?;
    let next_before = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.id.to_string()))
        .flatten();
    Ok(Json(AuditList {
        items: entries.iter().map(AuditDto::from).collect(),
        next_before,
    }))
}
