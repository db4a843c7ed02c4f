//! `/api/v1/accounts`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use prospector_app::records::accounts::{AccountInput, TechStackInput};
use prospector_core::records::{ProspectingStatus, Segment};
use prospector_store::records::Direction;
use prospector_store::records::accounts::AccountFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{AccountDto, AccountList, Timeline};
use super::people::TimelineQuery;
use super::{double_option, expected_version, opt_id, opt_time, owner_patch, user_id};
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// One tech-stack fact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TechStackBody {
    /// scm, ci_cd, issue_tracking, cloud, languages, competitor.
    category: String,
    value: String,
    /// Where it was learnt.
    source: String,
    /// When it was learnt.
    as_of: NaiveDate,
}

/// Account fields (create: `name` required; update: absent fields stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    name: Option<String>,
    /// Web domains (replaces the list); a domain another account has is 409.
    domains: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    parent_id: Option<Option<String>>,
    employees: Option<i64>,
    country: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    sdr_id: Option<Option<String>>,
    /// queued, actively_working, worked_this_year, restricted.
    prospecting_status: Option<String>,
    developer_count: Option<i64>,
    it_headcount: Option<i64>,
    tech_stack: Option<Vec<TechStackBody>>,
    teams: Option<Vec<String>>,
    triggers: Option<Vec<String>>,
    strategy: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    next_step_on: Option<Option<NaiveDate>>,
    #[schema(value_type = Option<Object>)]
    custom_fields: Option<serde_json::Value>,
    /// The version you read (updates; or send `If-Match`).
    version: Option<i64>,
}

fn input_of(b: AccountBody, actor: &prospector_app::Actor) -> Result<(AccountInput, Option<i64>), ApiError> {
    let parent_id = match b.parent_id {
        None => None,
        Some(None) => Some(None),
        Some(Some(p)) => Some(opt_id(Some(&p), "parent_id")?),
    };
    Ok((
        AccountInput {
            name: b.name,
            domains: b.domains,
            parent_id,
            employees: b.employees,
            country: b.country,
            owner_id: owner_patch(b.owner_id, "owner_id", actor)?,
            sdr_id: owner_patch(b.sdr_id, "sdr_id", actor)?,
            prospecting_status: b.prospecting_status,
            developer_count: b.developer_count,
            it_headcount: b.it_headcount,
            tech_stack: b.tech_stack.map(|s| {
                s.into_iter()
                    .map(|e| TechStackInput {
                        category: e.category,
                        value: e.value,
                        source: e.source,
                        as_of: e.as_of,
                    })
                    .collect()
            }),
            teams: b.teams,
            triggers: b.triggers,
            strategy: b.strategy,
            next_step_on: b.next_step_on,
            custom_fields: b.custom_fields,
        },
        b.version,
    ))
}

/// Account filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AccountListQuery {
    /// Owner user id or `me`.
    owner: Option<String>,
    /// Assigned SDR user id or `me`.
    sdr: Option<String>,
    /// large, mid_market, smb.
    segment: Option<String>,
    /// queued, actively_working, worked_this_year, restricted.
    prospecting_status: Option<String>,
    parent_id: Option<String>,
    /// RFC 3339 time.
    updated_since: Option<String>,
    /// Words of the name or domain.
    q: Option<String>,
    /// desc (default) or asc, by last change.
    order: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
    count: Option<bool>,
}

/// Accounts, most recently changed first.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "account", params(AccountListQuery),
    responses((status = 200, body = AccountList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<AccountListQuery>,
) -> Result<Json<AccountList>, ApiError> {
    let blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = AccountFilter {
        owner_id: blank(&q.owner)
            .map(|o| user_id(&o, "owner", &actor))
            .transpose()?,
        sdr_id: blank(&q.sdr).map(|o| user_id(&o, "sdr", &actor)).transpose()?,
        segment: blank(&q.segment)
            .map(|s| Segment::parse("segment", &s).map(|s| s.code().to_owned()))
            .transpose()?,
        prospecting_status: blank(&q.prospecting_status)
            .map(|s| ProspectingStatus::parse("prospecting_status", &s).map(|s| s.code().to_owned()))
            .transpose()?,
        parent_id: opt_id(q.parent_id.as_deref(), "parent_id")?,
        updated_since: opt_time(q.updated_since.as_deref(), "updated_since")?,
        text: blank(&q.q),
    };
    let direction = match q.order.as_deref() {
        Some("asc") => Direction::Asc,
        None | Some("desc") | Some("") => Direction::Desc,
        Some(other) => {
            return Err(prospector_core::Invalid::unknown_value("order", other, &["asc", "desc"]).into());
        }
    };
    let page = state
        .app
        .list_accounts(
            &actor,
            &filter,
            direction,
            q.after.as_deref().filter(|a| !a.is_empty()),
            q.limit.unwrap_or(50),
            q.count.unwrap_or(true),
        )
        .await?;
    Ok(Json(AccountList {
        items: page.items.iter().map(AccountDto::from).collect(),
        next_after: page.next_after,
        count: page.count.map(|c| c.value),
        count_capped: page.count.map(|c| c.capped),
    }))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "account", request_body = AccountBody,
    responses((status = 201, body = AccountDto), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<(StatusCode, Json<AccountDto>), ApiError> {
    let (input, _) = input_of(body, &actor)?;
    let a = state.app.create_account(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&a))))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "account", params(("id" = String, Path)),
    responses((status = 200, body = AccountDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<AccountDto>, ApiError> {
    let a = state.app.get_account(&actor, parse_id(&id, "account")?).await?;
    Ok(Json(AccountDto::from(&a)))
}

/// Changes an account.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "account", params(("id" = String, Path)),
    request_body = AccountBody,
    responses((status = 200, body = AccountDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<Json<AccountDto>, ApiError> {
    let (input, version) = input_of(body, &actor)?;
    let expected = expected_version(version, &headers);
    let a = state
        .app
        .update_account(&actor, parse_id(&id, "account")?, input, expected)
        .await?;
    Ok(Json(AccountDto::from(&a)))
}

/// The account's activities, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/timeline", tag = "account", params(("id" = String, Path), TimelineQuery),
    responses((status = 200, body = Timeline), (status = 404, body = crate::error::ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Timeline>, ApiError> {
    let page = state
        .app
        .account_timeline(
            &actor,
            parse_id(&id, "account")?,
            q.before.as_deref(),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(Timeline::from(page)))
}
