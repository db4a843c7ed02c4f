//! Nominating a customer story from where it was heard: `GET /stories/nominate?activity=…` (the
//! button on each timeline entry) or `?account=…` (the account page). The source is resolved and
//! shown, never typed; the form asks only for the type, the quote and the summary, and returns to
//! the record with a notice.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::stories::{NewStory, STORY_TYPES};
use prospector_app::stories_source::StorySource;
use prospector_app::{Actor, AppError};
use serde::Deserialize;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "stories_nominate.html")]
struct NominatePage {
    layout: Layout,
    source: StorySource,
    types: Vec<(&'static str, &'static str)>,
    story_type: String,
    switched_from: String,
    quote: String,
    summary: String,
    /// The field a refusal is about, and its message.
    error_field: String,
    error: Option<String>,
    /// A refusal about no field of the form, shown at the top.
    top_error: Option<String>,
}

/// The fields the form shows; a refusal about another is shown above it.
const FIELDS: [&str; 4] = ["story_type", "switched_from", "quote", "summary"];

/// `?activity=<id>` or `?account=<id>`.
#[derive(Debug, Deserialize)]
pub struct SourceQuery {
    activity: Option<String>,
    account: Option<String>,
}

async fn source_of(state: &AppState, actor: &Actor, q: &SourceQuery) -> Result<StorySource, AppError> {
    match (&q.activity, &q.account) {
        (Some(id), _) => state.app.story_source(actor, "activity", id).await,
        (None, Some(id)) => state.app.story_source(actor, "account", id).await,
        (None, None) => Err(AppError::NotFound("story source".into())),
    }
}

/// `GET /stories/nominate`.
pub async fn form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<SourceQuery>,
) -> Result<Response, PageError> {
    let source = source_of(&state, &actor, &q).await?;
    Ok(NominatePage {
        layout: Layout::new(&actor, &csrf, "stories", "Nominate a customer story"),
        quote: source.excerpt.clone(),
        source,
        types: STORY_TYPES.to_vec(),
        story_type: String::new(),
        switched_from: String::new(),
        summary: String::new(),
        error_field: String::new(),
        error: None,
        top_error: None,
    }
    .into_response())
}

/// The nomination as submitted.
#[derive(Debug, Deserialize)]
pub struct NominateFields {
    #[serde(default)]
    story_type: String,
    #[serde(default)]
    switched_from: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    summary: String,
}

/// `POST /stories/nominate?activity=…|account=…`.
pub async fn submit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Query(q): Query<SourceQuery>,
    Form(f): Form<NominateFields>,
) -> Result<Response, PageError> {
    let source = source_of(&state, &actor, &q).await?;
    let input = NewStory {
        story_type: f.story_type.clone(),
        switched_from: Some(f.switched_from.clone()),
        source_type: source.source_type.clone(),
        source_id: source.source_id.clone(),
        account_id: source.account_id.clone(),
        account_name: source.account_name.clone(),
        quote: f.quote.clone(),
        summary: f.summary.clone(),
    };
    match state.app.nominate_story(&actor, input).await {
        Ok(_) => {
            let flash = Flash {
                notice: Some("Story nominated; marketing has been told.".into()),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to(&source.back),
            )
                .into_response())
        }
        Err(err @ AppError::Invalid(_)) => {
            let field = match &err {
                AppError::Invalid(i) => i.field.to_string(),
                _ => String::new(),
            };
            let status = crate::error::classify(&err).0;
            let page = NominatePage {
                layout: Layout::new(&actor, &csrf, "stories", "Nominate a customer story"),
                source,
                types: STORY_TYPES.to_vec(),
                story_type: f.story_type,
                switched_from: f.switched_from,
                quote: f.quote,
                summary: f.summary,
                top_error: (!FIELDS.contains(&field.as_str())).then(|| err.to_string()),
                error_field: field,
                error: Some(err.to_string()),
            };
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
