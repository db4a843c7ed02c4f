//! `/sequences/templates`: email templates — the list, a new one, editing one — with the
//! variables a template may use and their fallbacks. Saving checks every variable (an unknown one
//! is shown beside the form and nothing is saved); a preview renders the saved template with a
//! real record chosen on the page. The sequence builder offers these templates for email steps.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::sequences::templates::TemplateInput;
use prospector_app::{Actor, AppError};
use prospector_core::template::RenderedEmail;
use prospector_core::template::email_template::KNOWN_VARIABLES;
use prospector_store::records::PersonId;
use prospector_store::records::people::PersonFilter;

use super::flash;
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// People offered for the preview.
const PREVIEW_CHOICES: i64 = 50;

struct TemplateLine {
    id: String,
    name: String,
    subject: String,
    updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "email_templates.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<TemplateLine>,
    notice: Option<String>,
}

struct PersonChoice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "email_template_edit.html")]
pub struct EditPage {
    layout: Layout,
    is_new: bool,
    id: String,
    name: String,
    subject: String,
    body: String,
    variables: Vec<(&'static str, &'static str)>,
    people: Vec<PersonChoice>,
    preview: Option<RenderedEmail>,
    preview_error: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    error_field: String,
}

/// `GET /sequences/templates`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let rows = state
        .app
        .list_templates(&actor)
        .await?
        .into_iter()
        .map(|t| TemplateLine {
            id: t.id,
            name: t.name,
            subject: t.subject,
            updated: t.updated_at.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let page = ListPage {
        layout: Layout::new(&actor, &csrf, "sequences", "Email templates"),
        rows,
        notice: flash.notice,
    };
    Ok((jar, page).into_response())
}

/// The template as typed (or stored), what to show about it, and who to preview it with.
#[derive(Default)]
struct Draft {
    is_new: bool,
    id: String,
    input: TemplateInput,
    person: Option<PersonId>,
    notice: Option<String>,
    error: Option<(String, String)>,
}

async fn edit_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    d: Draft,
) -> Result<EditPage, PageError> {
    let filter = PersonFilter::default();
    let people = state
        .app
        .list_people(
            actor,
            &filter,
            Default::default(),
            Default::default(),
            None,
            PREVIEW_CHOICES,
            false,
        )
        .await?
        .items
        .into_iter()
        .map(|p| {
            let name = p.full_name();
            let email = p
                .email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default();
            PersonChoice {
                selected: Some(p.id) == d.person,
                value: p.id.to_string(),
                label: if email.is_empty() {
                    name
                } else {
                    format!("{name} <{email}>")
                },
            }
        })
        .collect();
    let (preview, preview_error) = match (d.person, d.is_new) {
        (Some(person), false) => match state.app.preview_template(actor, &d.id, person).await {
            Ok(r) => (Some(r), None),
            Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => (None, Some(e.to_string())),
            Err(e) => return Err(e.into()),
        },
        _ => (None, None),
    };
    let (error, error_field) = d.error.map_or((None, String::new()), |(m, f)| (Some(m), f));
    let title = if d.is_new {
        "New template".to_owned()
    } else {
        d.input.name.clone()
    };
    Ok(EditPage {
        layout: Layout::new(actor, csrf, "sequences", title),
        is_new: d.is_new,
        id: d.id,
        name: d.input.name,
        subject: d.input.subject,
        body: d.input.body,
        variables: KNOWN_VARIABLES.iter().map(|v| (v.name, v.description)).collect(),
        people,
        preview,
        preview_error,
        notice: d.notice,
        error,
        error_field,
    })
}

/// `GET /sequences/templates/new`.
pub async fn new(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<EditPage, PageError> {
    let draft = Draft {
        is_new: true,
        input: TemplateInput {
            body: "Hi {{ first_name | default(\"there\") }},\n\n".into(),
            ..TemplateInput::default()
        },
        ..Draft::default()
    };
    edit_page(&state, &actor, &csrf, draft).await
}

/// `GET /sequences/templates/{id}?person_id=`: the editor, with a preview for the chosen person.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let stored = state.app.get_template(&actor, &id).await?;
    let (jar, flash) = flash::take(jar);
    let person = match q.get("person_id").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        Some(raw) => Some(
            raw.parse::<PersonId>()
                .map_err(|_| PageError(AppError::NotFound("person".into())))?,
        ),
        None => None,
    };
    let draft = Draft {
        id: stored.id,
        input: TemplateInput {
            name: stored.name,
            subject: stored.subject,
            body: stored.body,
        },
        person,
        notice: flash.notice,
        ..Draft::default()
    };
    let page = edit_page(&state, &actor, &csrf, draft).await?;
    Ok((jar, page).into_response())
}

async fn save(
    state: AppState,
    actor: Actor,
    csrf: CsrfToken,
    jar: CookieJar,
    id: Option<String>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let is_new = id.is_none();
    let id = id.unwrap_or_else(|| get("id").trim().to_owned());
    let input = TemplateInput {
        name: get("name"),
        subject: get("subject"),
        body: get("body"),
    };
    let outcome = if is_new && state.app.get_template(&actor, &id).await.is_ok() {
        Err(AppError::Invalid(prospector_core::Invalid::new(
            "id",
            "taken",
            format!("a template with the id '{id}' already exists; pick another id or edit that one"),
        )))
    } else {
        state.app.save_template(&actor, &id, input.clone()).await
    };
    match outcome {
        Ok(t) => Ok(flash::redirect_with_notice(
            jar,
            state.settings.secure_cookies,
            &format!("/sequences/templates/{}", t.id),
            format!("Saved {}.", t.name),
        )),
        Err(AppError::Invalid(e)) => {
            let draft = Draft {
                is_new,
                id,
                input,
                error: Some((e.message.clone(), e.field.clone())),
                ..Draft::default()
            };
            let page = edit_page(&state, &actor, &csrf, draft).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /sequences/templates`.
pub async fn create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(state, actor, csrf, jar, None, form).await
}

/// `POST /sequences/templates/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(state, actor, csrf, jar, Some(id), form).await
}
