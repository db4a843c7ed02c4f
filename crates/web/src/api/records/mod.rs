//! The records API: `/api/v1/{leads,contacts,accounts,opportunities,activities,tasks}`,
//! `/api/v1/search`, `/api/v1/merges`, and the editable lists. Handlers only translate: every
//! rule, permission and transaction is in `prospector_app::records`.

pub mod accounts;
pub mod activities;
pub mod dto;
pub mod lists;
pub mod merges;
pub mod opportunities;
pub mod people;
pub mod search;
pub mod tasks;

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

/// The records routes, merged into `api::router()`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(people::leads::list, people::leads::create))
        .routes(routes!(people::leads::get, people::leads::update))
        .routes(routes!(people::leads::status))
        .routes(routes!(people::leads::timeline))
        .routes(routes!(people::convert))
        .routes(routes!(people::contacts::list, people::contacts::create))
        .routes(routes!(people::contacts::get, people::contacts::update))
        .routes(routes!(people::contacts::status))
        .routes(routes!(people::contacts::timeline))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, accounts::update))
        .routes(routes!(accounts::timeline))
        .routes(routes!(opportunities::list, opportunities::create))
        .routes(routes!(opportunities::get, opportunities::update))
        .routes(routes!(opportunities::stage))
        .routes(routes!(opportunities::timeline))
        .routes(routes!(activities::create))
        .routes(routes!(activities::retract))
        .routes(routes!(activities::get, activities::patch, activities::delete))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update))
        .routes(routes!(merges::create))
        .routes(routes!(merges::undo))
        .routes(routes!(search::search))
        .routes(routes!(lists::reasons))
        .routes(routes!(lists::edit_reason))
        .routes(routes!(lists::dispositions, lists::replace_dispositions))
        .routes(routes!(lists::frameworks, lists::replace_frameworks))
}

/// The version to check: the body's `version`, else the `If-Match` header.
pub(crate) fn expected_version(body: Option<i64>, headers: &HeaderMap) -> Option<i64> {
    body.or_else(|| {
        headers
            .get(header::IF_MATCH)?
            .to_str()
            .ok()?
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .ok()
    })
}

/// Parses an optional id given in a body or query, as 422 on `field`.
pub(crate) fn opt_id<T: std::str::FromStr<Err = Invalid>>(
    raw: Option<&str>,
    field: &str,
) -> Result<Option<T>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(s.parse::<T>().map_err(|e| e.in_field(field))?)),
        None => Ok(None),
    }
}

/// Parses an RFC 3339 instant, as 422 on `field`.
pub(crate) fn opt_time(raw: Option<&str>, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                Invalid::new(
                    field,
                    "invalid_time",
                    format!("{field} must be an RFC 3339 time such as 2026-03-02T09:00:00Z"),
                )
                .into()
            }),
        None => Ok(None),
    }
}

/// A user id that may be `me`; `none` (for owners) is handled by the caller.
pub(crate) fn user_id(
    raw: &str,
    field: &str,
    actor: &prospector_app::Actor,
) -> Result<prospector_core::ids::UserId, ApiError> {
    if raw.trim() == "me" {
        return actor
            .user_id()
            .ok_or_else(|| Invalid::new(field, "invalid_id", "`me` needs a signed-in user").into());
    }
    Ok(raw.parse().map_err(|e: Invalid| e.in_field(field))?)
}

/// An owner in a PATCH body: absent = unchanged, `null` or `""` = unassigned.
pub(crate) fn owner_patch(
    raw: Option<Option<String>>,
    field: &str,
    actor: &prospector_app::Actor,
) -> Result<Option<Option<prospector_core::ids::UserId>>, ApiError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(Some(s)) => Ok(Some(Some(user_id(&s, field, actor)?))),
    }
}

/// Deserialises a field that may be absent (outer `None`) or `null` (inner `None`).
pub(crate) fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}
