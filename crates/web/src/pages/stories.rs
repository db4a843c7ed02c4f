//! The customer-story board: columns by stage, a move form on each card (marketing), the
//! nomination form, and who nominates most. SDRs see only their own nominations.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use prospector_app::stories::{MAX_CONSENT_BYTES, NewConsent, NewStory, STAGES, StoryMove, label_of};
use prospector_app::{Actor, AppError};
use prospector_core::role::Role;
use prospector_store::stories::StoryFilter;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

struct Card {
    id: String,
    type_label: String,
    about: String,
    quote: String,
    summary: String,
    consent: Option<String>,
    published_url: Option<String>,
    dropped_reason: Option<String>,
}

struct Column {
    code: &'static str,
    label: &'static str,
    cards: Vec<Card>,
}

#[derive(Template, WebTemplate)]
#[template(path = "stories_board.html")]
struct BoardPage {
    layout: Layout,
    columns: Vec<Column>,
    can_move: bool,
    own_only: bool,
    stages: Vec<(&'static str, &'static str)>,
    nominators: Vec<(String, i64)>,
    error: Option<String>,
}

async fn board(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    error: Option<String>,
) -> Result<BoardPage, AppError> {
    let stories = state
        .app
        .list_stories(actor, &StoryFilter::default(), None, 1000)
        .await?;
    let columns = STAGES
        .iter()
        .map(|(code, label)| Column {
            code,
            label,
            cards: stories
                .iter()
                .filter(|s| s.stage == *code)
                .map(|s| Card {
                    id: s.id.to_string(),
                    type_label: match &s.switched_from {
                        Some(from) => format!("Switched from {from}"),
                        None => label_of(&s.story_type).to_owned(),
                    },
                    about: s
                        .account_name
                        .clone()
                        .unwrap_or_else(|| format!("{} {}", s.source_type, s.source_id)),
                    quote: s.quote.clone(),
                    summary: s.summary.clone(),
                    consent: s.consent_given_by.as_ref().map(|by| {
                        let at = s
                            .consent_given_at
                            .map(|t| t.format("%Y-%m-%d").to_string())
                            .unwrap_or_default();
                        format!("{by}, {at}")
                    }),
                    published_url: s.published_url.clone(),
                    dropped_reason: s.dropped_reason.clone(),
                })
                .collect(),
        })
        .collect();
    let role = actor.role();
    Ok(BoardPage {
        layout: Layout::new(actor, csrf, "stories", "Customer stories"),
        columns,
        can_move: matches!(role, Role::Marketing | Role::Admin),
        own_only: !matches!(role, Role::Marketing | Role::Admin | Role::TeamLead),
        stages: STAGES.to_vec(),
        nominators: state
            .app
            .top_story_nominators(actor, 5)
            .await?
            .into_iter()
            .map(|(_, name, n)| (name, n))
            .collect(),
        error,
    })
}

/// `GET /stories`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    Ok(board(&state, &actor, &csrf, None).await?)
}

async fn refused(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    err: AppError,
) -> Result<Response, PageError> {
    match err {
        AppError::Invalid(_) | AppError::Conflict { .. } | AppError::BadRequest { .. } => {
            let status = crate::error::classify(&err).0;
            Ok((status, board(state, actor, csrf, Some(err.to_string())).await?).into_response())
        }
        other => Err(other.into()),
    }
}

/// The nomination form.
#[derive(Debug, Deserialize)]
pub struct NominateForm {
    story_type: String,
    #[serde(default)]
    switched_from: String,
    source_type: String,
    source_id: String,
    #[serde(default)]
    account_name: String,
    quote: String,
    summary: String,
}

/// `POST /stories`.
pub async fn nominate(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(f): Form<NominateForm>,
) -> Result<Response, PageError> {
    let input = NewStory {
        story_type: f.story_type,
        switched_from: Some(f.switched_from),
        source_type: f.source_type,
        source_id: f.source_id,
        account_id: None,
        account_name: Some(f.account_name),
        quote: f.quote,
        summary: f.summary,
    };
    match state.app.nominate_story(&actor, input).await {
        Ok(_) => Ok(Redirect::to("/stories").into_response()),
        Err(err) => refused(&state, &actor, &csrf, err).await,
    }
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    stage: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    url: String,
}

/// `POST /stories/{id}/move`.
pub async fn move_story(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError(AppError::NotFound("story".into())))?;
    let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
    let input = StoryMove {
        stage: f.stage,
        reason: non_empty(f.reason),
        url: non_empty(f.url),
    };
    match state.app.move_story(&actor, id, input).await {
        Ok(_) => Ok(Redirect::to("/stories").into_response()),
        Err(err) => refused(&state, &actor, &csrf, err).await,
    }
}

/// `GET /stories/{id}/consent`: the signed consent file.
pub async fn consent_file(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError(AppError::NotFound("story".into())))?;
    let (name, media_type, bytes) = state.app.story_consent_file(&actor, id).await?;
    let _ = StatusCode::OK;
    Ok(crate::api::stories::file_response(&name, &media_type, bytes))
}

/// The largest consent form body: the file at its limit plus the other fields and multipart framing.
pub const CONSENT_BODY_LIMIT: usize = MAX_CONSENT_BYTES + 64 * 1024;

fn unreadable(e: &axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::Invalid(prospector_core::Invalid::new(
            "file",
            "too_large",
            "the consent file may be at most 5 MB",
        ))
    } else {
        AppError::BadRequest {
            code: "bad_form",
            message: format!("the form could not be read: {}", e.body_text()),
        }
    }
}

/// Reads the consent form: who approved, when (a date, default today) and the signed file.
async fn read_consent(mut form: Multipart) -> Result<NewConsent, AppError> {
    let mut consent = NewConsent::default();
    while let Some(field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            consent.file_name = field.file_name().unwrap_or("").to_owned();
            consent.content_type = field.content_type().map(str::to_owned);
            consent.bytes = field.bytes().await.map_err(|e| unreadable(&e))?.to_vec();
            continue;
        }
        let text = field.text().await.map_err(|e| unreadable(&e))?;
        match name.as_str() {
            "given_by" => consent.given_by = text,
            "given_at" if !text.trim().is_empty() => {
                let day = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                    prospector_core::Invalid::new("given_at", "invalid_date", "write the date as YYYY-MM-DD")
                })?;
                consent.given_at = day.and_hms_opt(12, 0, 0).map(|t| t.and_utc());
            }
            _ => {}
        }
    }
    Ok(consent)
}

/// `POST /stories/{id}/consent` (multipart, CSRF token in the query): records consent through the
/// same use case as the API, then back to the board.
pub async fn record_consent(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError(AppError::NotFound("story".into())))?;
    let form = match form {
        Ok(f) => f,
        Err(rejection) => {
            let err = AppError::BadRequest {
                code: "bad_form",
                message: format!("the form could not be read: {}", rejection.body_text()),
            };
            return refused(&state, &actor, &csrf, err).await;
        }
    };
    let consent = match read_consent(form).await {
        Ok(c) => c,
        Err(err) => return refused(&state, &actor, &csrf, err).await,
    };
    match state.app.record_story_consent(&actor, id, consent).await {
        Ok(_) => Ok(Redirect::to(&format!("/stories#story-{id}")).into_response()),
        Err(err) => refused(&state, &actor, &csrf, err).await,
    }
}
