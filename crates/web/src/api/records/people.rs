//! `/api/v1/leads` and `/api/v1/contacts`: one table, one lifecycle, two paths.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use prospector_app::Actor;
use prospector_app::records::people::{
    ConvertInput, Created, OnDuplicate, PersonInput, PersonPatch, StatusInput,
};
use prospector_core::Invalid;
use prospector_core::records::{LeadStatus, RawPerson};
use prospector_store::records::people::{OwnerFilter, PersonFilter, PersonKind, PersonSort};
use prospector_store::records::{Direction, PersonId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{
    ConvertedDto, DuplicateBody, DuplicateDto, DuplicateError, PersonDto, PersonList, Timeline,
};
use super::{double_option, expected_version, opt_id, opt_time, owner_patch, user_id};
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// A new lead or contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonBody {
    first_name: Option<String>,
    last_name: Option<String>,
    /// Parsed and lower-cased; invalid is 422 on `email`.
    email: Option<String>,
    /// National (with `country`) or international; stored as E.164; invalid is 422 on `phone`.
    phone: Option<String>,
    company: Option<String>,
    title: Option<String>,
    /// ISO code or English name.
    country: Option<String>,
    /// IANA name; derived from the country when absent.
    time_zone: Option<String>,
    source: Option<String>,
    /// Owner user id (`me`); default: you when you are an SDR, else the unowned pool.
    owner_id: Option<String>,
    /// raw (default), inquiry or mql.
    status: Option<String>,
    score: Option<i64>,
    account_id: Option<String>,
    do_not_call: Option<bool>,
    #[schema(value_type = Option<Object>)]
    custom_fields: Option<serde_json::Value>,
    /// refuse (default: 409 with the matches), merge (into the best match) or create (anyway).
    on_duplicate: Option<String>,
}

/// `?merge=true` is the same as `"on_duplicate": "merge"`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CreateQuery {
    /// Merge into an existing match instead of refusing.
    merge: Option<bool>,
}

/// Changes to a person; absent fields stay, `""` clears text, `null` owner returns to the pool.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatchBody {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    company: Option<String>,
    country: Option<String>,
    time_zone: Option<String>,
    source: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    account_id: Option<Option<String>>,
    score: Option<i64>,
    do_not_call: Option<bool>,
    unsubscribed: Option<bool>,
    #[schema(value_type = Option<Object>)]
    custom_fields: Option<serde_json::Value>,
    /// Qualification framework code (soft_bant, aift, …).
    framework: Option<String>,
    /// Qualification answers to record: criterion code → met.
    qualification: Option<BTreeMap<String, bool>>,
    /// The version you read (or send `If-Match`).
    version: Option<i64>,
}

/// A lifecycle move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// Target status code.
    status: String,
    /// Reason code, required for disqualified, recycle, bad_data and ineligible.
    reason: Option<String>,
    /// A note for the timeline.
    note: Option<String>,
    /// For qualified: the framework (default: the person's, else soft_bant).
    framework: Option<String>,
    /// For qualified: answers to record first (criterion code → met).
    answers: Option<BTreeMap<String, bool>>,
    /// The version you read (or send `If-Match`).
    version: Option<i64>,
}

/// Converting a qualified lead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertBody {
    /// The AE who gets the opportunity.
    ae_id: String,
    /// Use this account instead of matching one.
    account_id: Option<String>,
    opportunity_name: Option<String>,
    amount_cents: Option<i64>,
    close_date: Option<NaiveDate>,
    version: Option<i64>,
}

/// List filters, sort and paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PersonListQuery {
    /// Owner user id, `me`, or `none` for the unowned pool.
    owner: Option<String>,
    /// Status code, or several separated by commas.
    status: Option<String>,
    source: Option<String>,
    /// Account segment: large, mid_market, smb.
    segment: Option<String>,
    account_id: Option<String>,
    score_min: Option<i64>,
    score_max: Option<i64>,
    /// RFC 3339 time.
    updated_since: Option<String>,
    /// Text: an email prefix when it has `@`, else words of the name, company, title.
    q: Option<String>,
    /// updated_at (default), created_at or score.
    sort: Option<String>,
    /// desc (default) or asc.
    order: Option<String>,
    /// Keyset cursor: `next_after` of the previous page.
    after: Option<String>,
    /// 1–500, default 50.
    limit: Option<i64>,
    /// Include the (capped) count; default true.
    count: Option<bool>,
}

/// Timeline paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TimelineQuery {
    /// `next_before` of the previous page.
    pub(crate) before: Option<String>,
    /// 1–500, default 50.
    pub(crate) limit: Option<i64>,
}

fn filter_of(kind: PersonKind, q: &PersonListQuery, actor: &Actor) -> Result<PersonFilter, ApiError> {
    let blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let owner = match blank(&q.owner).as_deref().map(str::trim) {
        None => None,
        Some("none") => Some(OwnerFilter::Unowned),
        Some(u) => Some(OwnerFilter::User(user_id(u, "owner", actor)?)),
    };
    let status = match blank(&q.status) {
        None => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|part| LeadStatus::parse("status", part))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let segment = match blank(&q.segment) {
        Some(s) => Some(
            prospector_core::records::Segment::parse("segment", &s)?
                .code()
                .to_owned(),
        ),
        None => None,
    };
    Ok(PersonFilter {
        kind: Some(kind),
        owner,
        status,
        source: blank(&q.source),
        segment,
        account_id: opt_id(q.account_id.as_deref(), "account_id")?,
        score_min: q.score_min,
        score_max: q.score_max,
        updated_since: opt_time(q.updated_since.as_deref(), "updated_since")?,
        text: blank(&q.q),
    })
}

async fn list_people(
    state: AppState,
    actor: Actor,
    kind: PersonKind,
    q: PersonListQuery,
) -> Result<Json<PersonList>, ApiError> {
    let filter = filter_of(kind, &q, &actor)?;
    let sort = match q.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => PersonSort::default(),
        Some(s) => {
            PersonSort::parse(s).ok_or_else(|| Invalid::unknown_value("sort", s, PersonSort::CODES))?
        }
    };
    let direction = match q.order.as_deref().map(str::trim) {
        None | Some("") | Some("desc") => Direction::Desc,
        Some("asc") => Direction::Asc,
        Some(other) => return Err(Invalid::unknown_value("order", other, &["asc", "desc"]).into()),
    };
    let page = state
        .app
        .list_people(
            &actor,
            &filter,
            sort,
            direction,
            q.after.as_deref().filter(|a| !a.is_empty()),
            q.limit.unwrap_or(50),
            q.count.unwrap_or(true),
        )
        .await?;
    Ok(Json(PersonList::new(&page.items, page.next_after, page.count)))
}

async fn create_person(
    state: AppState,
    actor: Actor,
    kind: PersonKind,
    merge: Option<bool>,
    body: NewPersonBody,
) -> Result<Response, ApiError> {
    let on_duplicate = match (&body.on_duplicate, merge) {
        (Some(raw), _) => OnDuplicate::parse(raw)?,
        (None, Some(true)) => OnDuplicate::Merge,
        _ => OnDuplicate::Refuse,
    };
    let input = PersonInput {
        raw: RawPerson {
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            phone: body.phone,
            title: body.title,
            company: body.company,
            country: body.country,
            time_zone: body.time_zone,
            source: body.source,
            custom_fields: body.custom_fields,
        },
        owner_id: match body
            .owner_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "none")
        {
            Some(o) => Some(user_id(o, "owner_id", &actor)?),
            None => None,
        },
        unowned: body.owner_id.as_deref().map(str::trim) == Some("none"),
        status: body.status,
        score: body.score,
        account_id: opt_id(body.account_id.as_deref(), "account_id")?,
        do_not_call: body.do_not_call.unwrap_or(false),
        on_duplicate,
    };
    match state.app.create_person(&actor, kind, input).await? {
        Created::New(p) => Ok((StatusCode::CREATED, Json(PersonDto::from(&p))).into_response()),
        Created::MergedInto(p) => Ok((StatusCode::OK, Json(PersonDto::from(&p))).into_response()),
        Created::Duplicate(matches) => {
            let best = &matches[0];
            let message = format!(
                "this person already exists (matched on {}); send \"on_duplicate\": \"merge\" to merge into it or \"create\" to add anyway",
                best.field
            );
            let body = DuplicateBody {
                error: DuplicateError {
                    code: "duplicate".into(),
                    message,
                    field: best.field.into(),
                },
                matches: matches.iter().map(DuplicateDto::from).collect(),
            };
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
    }
}

fn patch_of(body: PersonPatchBody, actor: &Actor) -> Result<PersonPatch, ApiError> {
    Ok(PersonPatch {
        first_name: body.first_name,
        last_name: body.last_name,
        email: body.email,
        phone: body.phone,
        title: body.title,
        company: body.company,
        country: body.country,
        time_zone: body.time_zone,
        source: body.source,
        owner_id: owner_patch(body.owner_id, "owner_id", actor)?,
        account_id: match body.account_id {
            None => None,
            Some(None) => Some(None),
            Some(Some(a)) => Some(opt_id(Some(&a), "account_id")?),
        },
        score: body.score,
        do_not_call: body.do_not_call,
        unsubscribed: body.unsubscribed,
        custom_fields: body.custom_fields,
        framework: body.framework,
        qualification: body.qualification,
    })
}

macro_rules! person_routes {
    ($module:ident, $kind:expr, $tag:literal, $plural:literal, $one:literal, $status:literal, $timeline:literal) => {
        /// The handlers for one kind of person.
        pub mod $module {
            use super::*;

            /// List with filters, sort, keyset pagination and a capped count.
            #[utoipa::path(get, path = $plural, tag = $tag, params(PersonListQuery),
                responses((status = 200, body = PersonList), (status = 422, body = crate::error::ErrorBody)))]
            pub async fn list(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Query(q): Query<PersonListQuery>,
            ) -> Result<Json<PersonList>, ApiError> {
                list_people(state, actor, $kind, q).await
            }

            /// Create; 409 with the matches when the person exists (unless merging).
            #[utoipa::path(post, path = $plural, tag = $tag, params(CreateQuery), request_body = NewPersonBody,
                responses((status = 201, body = PersonDto), (status = 200, description = "merged into an existing person", body = PersonDto),
                          (status = 409, body = DuplicateBody), (status = 422, body = crate::error::ErrorBody),
                          (status = 403, body = crate::error::ErrorBody)))]
            pub async fn create(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Query(q): Query<CreateQuery>,
                ApiJson(body): ApiJson<NewPersonBody>,
            ) -> Result<Response, ApiError> {
                create_person(state, actor, $kind, q.merge, body).await
            }

            /// One record (404 when it is not yours to see).
            #[utoipa::path(get, path = $one, tag = $tag, params(("id" = String, Path)),
                responses((status = 200, body = PersonDto), (status = 404, body = crate::error::ErrorBody)))]
            pub async fn get(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Path(id): Path<String>,
            ) -> Result<Json<PersonDto>, ApiError> {
                let p = state.app.get_person(&actor, Some($kind), parse_id(&id, $tag)?).await?;
                Ok(Json(PersonDto::from(&p)))
            }

            /// Change fields (not the status); another rep's record is 403, a stale version 409.
            #[utoipa::path(patch, path = $one, tag = $tag, params(("id" = String, Path)), request_body = PersonPatchBody,
                responses((status = 200, body = PersonDto), (status = 403, body = crate::error::ErrorBody),
                          (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
            pub async fn update(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Path(id): Path<String>,
                headers: HeaderMap,
                ApiJson(body): ApiJson<PersonPatchBody>,
            ) -> Result<Json<PersonDto>, ApiError> {
                let expected = expected_version(body.version, &headers);
                let patch = patch_of(body, &actor)?;
                let p = state
                    .app
                    .update_person(&actor, Some($kind), parse_id(&id, $tag)?, patch, expected)
                    .await?;
                Ok(Json(PersonDto::from(&p)))
            }

            /// Move through the lifecycle: 422 for a missing/unknown reason or an unmet framework,
            /// 409 for an illegal move (naming the allowed ones).
            #[utoipa::path(post, path = $status, tag = $tag, params(("id" = String, Path)), request_body = StatusBody,
                responses((status = 200, body = PersonDto), (status = 409, body = crate::error::ErrorBody),
                          (status = 422, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
            pub async fn status(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Path(id): Path<String>,
                headers: HeaderMap,
                ApiJson(body): ApiJson<StatusBody>,
            ) -> Result<Json<PersonDto>, ApiError> {
                let expected = expected_version(body.version, &headers);
                let input = StatusInput {
                    status: body.status,
                    reason: body.reason,
                    note: body.note,
                    framework: body.framework,
                    answers: body.answers,
                };
                let p = state
                    .app
                    .change_status(&actor, Some($kind), parse_id(&id, $tag)?, input, expected)
                    .await?;
                Ok(Json(PersonDto::from(&p)))
            }

            /// The activities, newest first.
            #[utoipa::path(get, path = $timeline, tag = $tag, params(("id" = String, Path), TimelineQuery),
                responses((status = 200, body = Timeline), (status = 404, body = crate::error::ErrorBody)))]
            pub async fn timeline(
                State(state): State<AppState>,
                ApiActor(actor): ApiActor,
                Path(id): Path<String>,
                Query(q): Query<TimelineQuery>,
            ) -> Result<Json<Timeline>, ApiError> {
                let page = state
                    .app
                    .person_timeline(&actor, Some($kind), parse_id(&id, $tag)?, q.before.as_deref(), q.limit.unwrap_or(50))
                    .await?;
                Ok(Json(Timeline::from(page)))
            }
        }
    };
}

person_routes!(
    leads,
    PersonKind::Lead,
    "lead",
    "/api/v1/leads",
    "/api/v1/leads/{id}",
    "/api/v1/leads/{id}/status",
    "/api/v1/leads/{id}/timeline"
);
person_routes!(
    contacts,
    PersonKind::Contact,
    "contact",
    "/api/v1/contacts",
    "/api/v1/contacts/{id}",
    "/api/v1/contacts/{id}/status",
    "/api/v1/contacts/{id}/timeline"
);

/// Convert a qualified lead into a contact on a matched or new account, with an opportunity at
/// stage 0 for the AE — in one transaction.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "lead", params(("id" = String, Path)),
    request_body = ConvertBody,
    responses((status = 200, body = ConvertedDto), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ConvertBody>,
) -> Result<Json<ConvertedDto>, ApiError> {
    let expected = expected_version(body.version, &headers);
    let input = ConvertInput {
        ae_id: Some(user_id(&body.ae_id, "ae_id", &actor)?),
        account_id: opt_id(body.account_id.as_deref(), "account_id")?,
        opportunity_name: body.opportunity_name,
        amount_cents: body.amount_cents,
        close_date: body.close_date,
    };
    let id: PersonId = parse_id(&id, "lead")?;
    let done = state.app.convert_lead(&actor, id, input, expected).await?;
    Ok(Json(ConvertedDto {
        contact: PersonDto::from(&done.contact),
        account: super::dto::AccountDto::from(&done.account),
        account_created: done.account_created,
        opportunity: super::dto::OpportunityDto::from(&done.opportunity),
    }))
}
