//! `/api/v1/stories`: nominate, list (SDRs see their own), move on the board (marketing), record
//! consent with its file (base64 in JSON, at most 5 MB), and who nominates most.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use prospector_app::stories::{NewConsent, NewStory, StoryMove};
use prospector_store::stories::{Story, StoryFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;

/// A customer story.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryDto {
    /// Id.
    pub id: String,
    /// `why_chose_us`, `how_they_use_it`, `switched_from`, `innersourcing`, `contributor`.
    pub story_type: String,
    /// For `switched_from`.
    pub switched_from: Option<String>,
    /// `activity` or `account`.
    pub source_type: String,
    /// The source's id.
    pub source_id: String,
    /// The account.
    pub account_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// What the customer said.
    pub quote: String,
    /// Why it is a story.
    pub summary: String,
    /// `suggested`, `accepted`, `interviewed`, `drafted`, `customer_approved`, `published`, `dropped`.
    pub stage: String,
    /// Who nominated it.
    pub nominated_by: String,
    /// When.
    pub nominated_at: DateTime<Utc>,
    /// Last move.
    pub updated_at: DateTime<Utc>,
    /// Consent, once recorded.
    pub consent: Option<ConsentDto>,
    /// Where it was published.
    pub published_url: Option<String>,
    /// Why it was dropped.
    pub dropped_reason: Option<String>,
    /// Version.
    pub version: i64,
}

/// Recorded consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    /// The customer person who approved.
    pub given_by: String,
    /// When.
    pub given_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// The signed file's name (download at `…/consent/file`).
    pub file_name: Option<String>,
}

impl From<&Story> for StoryDto {
    fn from(s: &Story) -> Self {
        Self {
            id: s.id.to_string(),
            story_type: s.story_type.clone(),
            switched_from: s.switched_from.clone(),
            source_type: s.source_type.clone(),
            source_id: s.source_id.clone(),
            account_id: s.account_id.clone(),
            account_name: s.account_name.clone(),
            quote: s.quote.clone(),
            summary: s.summary.clone(),
            stage: s.stage.clone(),
            nominated_by: s.nominated_by.to_string(),
            nominated_at: s.nominated_at,
            updated_at: s.updated_at,
            consent: s.consent_given_by.as_ref().map(|by| ConsentDto {
                given_by: by.clone(),
                given_at: s.consent_given_at,
                recorded_by: s.consent_recorded_by.map(|u| u.to_string()),
                file_name: s.consent_file_name.clone(),
            }),
            published_url: s.published_url.clone(),
            dropped_reason: s.dropped_reason.clone(),
            version: s.version,
        }
    }
}

/// A page of stories.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryList {
    /// Newest first.
    pub items: Vec<StoryDto>,
    /// Pass as `before` for the next page.
    pub next_before: Option<String>,
}

/// Filters for the story list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StoryListQuery {
    /// Only this stage.
    stage: Option<String>,
    /// Only about this account.
    account_id: Option<String>,
    /// Keyset cursor.
    before: Option<String>,
    /// Page size, 1–1000 (default 100).
    limit: Option<i64>,
}

/// Stories the caller may see (SDRs: their own nominations).
#[utoipa::path(get, path = "/api/v1/stories", tag = "stories", params(StoryListQuery),
    responses((status = 200, body = StoryList)))]
pub async fn list_stories(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<StoryListQuery>,
) -> Result<Json<StoryList>, ApiError> {
    let filter = StoryFilter {
        stage: q.stage,
        account_id: q.account_id,
        nominated_by: None,
    };
    let before = q
        .before
        .as_deref()
        .map(|b| parse_id::<Uuid>(b, "story"))
        .transpose()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let items = state.app.list_stories(&actor, &filter, before, limit).await?;
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|s| s.id.to_string()))
        .flatten();
    Ok(Json(StoryList {
        items: items.iter().map(StoryDto::from).collect(),
        next_before,
    }))
}

/// A nomination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominateBody {
    story_type: String,
    switched_from: Option<String>,
    /// `activity` or `account`.
    source_type: String,
    source_id: String,
    account_id: Option<String>,
    account_name: Option<String>,
    quote: String,
    summary: String,
}

/// Nominates a story; marketing is emailed.
#[utoipa::path(post, path = "/api/v1/stories", tag = "stories", request_body = NominateBody,
    responses((status = 201, body = StoryDto), (status = 422, body = ErrorBody)))]
pub async fn nominate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<NominateBody>,
) -> Result<(StatusCode, Json<StoryDto>), ApiError> {
    let story = state
        .app
        .nominate_story(
            &actor,
            NewStory {
                story_type: b.story_type,
                switched_from: b.switched_from,
                source_type: b.source_type,
                source_id: b.source_id,
                account_id: b.account_id,
                account_name: b.account_name,
                quote: b.quote,
                summary: b.summary,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(StoryDto::from(&story))))
}

/// One story.
#[utoipa::path(get, path = "/api/v1/stories/{id}", tag = "stories", params(("id" = String, Path)),
    responses((status = 200, body = StoryDto), (status = 404, body = ErrorBody)))]
pub async fn get_story(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<StoryDto>, ApiError> {
    let story = state.app.get_story(&actor, parse_id(&id, "story")?).await?;
    Ok(Json(StoryDto::from(&story)))
}

/// A move on the board.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The target stage.
    stage: String,
    /// Why, when dropping.
    reason: Option<String>,
    /// Where, when publishing.
    url: Option<String>,
}

/// Moves a story (marketing). Published or customer-approved without consent is 422.
#[utoipa::path(post, path = "/api/v1/stories/{id}/move", tag = "stories", params(("id" = String, Path)),
    request_body = MoveBody,
    responses((status = 200, body = StoryDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn move_story(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<Json<StoryDto>, ApiError> {
    let story = state
        .app
        .move_story(
            &actor,
            parse_id(&id, "story")?,
            StoryMove {
                stage: b.stage,
                reason: b.reason,
                url: b.url,
            },
        )
        .await?;
    Ok(Json(StoryDto::from(&story)))
}

/// Consent to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// The customer person who approved.
    given_by: String,
    /// When (default now).
    given_at: Option<DateTime<Utc>>,
    /// The signed file's name.
    file_name: String,
    /// Its media type.
    content_type: Option<String>,
    /// The file, base64 (at most 5 MB decoded).
    file_base64: String,
}

/// Records consent with the signed file (marketing).
#[utoipa::path(post, path = "/api/v1/stories/{id}/consent", tag = "stories", params(("id" = String, Path)),
    request_body = ConsentBody,
    responses((status = 200, body = StoryDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_consent(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConsentBody>,
) -> Result<Json<StoryDto>, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b.file_base64.trim())
        .map_err(|_| {
            prospector_core::Invalid::new("file_base64", "invalid_base64", "the file is not valid base64")
        })?;
    let story = state
        .app
        .record_story_consent(
            &actor,
            parse_id(&id, "story")?,
            NewConsent {
                given_by: b.given_by,
                given_at: b.given_at,
                file_name: b.file_name,
                content_type: b.content_type,
                bytes,
            },
        )
        .await?;
    Ok(Json(StoryDto::from(&story)))
}

/// The signed consent file.
#[utoipa::path(get, path = "/api/v1/stories/{id}/consent/file", tag = "stories", params(("id" = String, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
pub async fn consent_file(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (name, media_type, bytes) = state
        .app
        .story_consent_file(&actor, parse_id(&id, "story")?)
        .await?;
    Ok(file_response(&name, &media_type, bytes))
}

/// A download with a safe file name.
pub(crate) fn file_response(name: &str, media_type: &str, bytes: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response.into_response()
}

/// Who nominates most.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominatorDto {
    /// User id.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// Nominations.
    pub nominations: i64,
}

/// Who nominates most, most first.
#[utoipa::path(get, path = "/api/v1/stories/nominators", tag = "stories",
    responses((status = 200, body = Vec<NominatorDto>)))]
pub async fn top_nominators(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<NominatorDto>>, ApiError> {
    let top = state.app.top_story_nominators(&actor, 10).await?;
    Ok(Json(
        top.into_iter()
            .map(|(id, name, n)| NominatorDto {
                user_id: id.to_string(),
                name,
                nominations: n,
            })
            .collect(),
    ))
}
