//! `/admin/lists`: the call dispositions and qualification frameworks every rep works from,
//! edited by admins as JSON (like the inbound rules), with the saved lists shown as tables.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::records::catalogues::FrameworkInput;
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::records::activity::CallDisposition;
use prospector_core::records::qualification::Criterion;
use prospector_core::role::Permission;
use serde::{Deserialize, Serialize};

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// One disposition as the JSON in the form spells it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DispositionJson {
    code: String,
    label: String,
    #[serde(default)]
    counts_as_connect: bool,
}

/// One criterion as the JSON spells it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionJson {
    code: String,
    label: String,
    #[serde(default)]
    help: String,
}

/// One framework as the JSON spells it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkJson {
    code: String,
    name: String,
    criteria: Vec<CriterionJson>,
    required: usize,
}

struct DispositionRow {
    code: String,
    label: String,
    connect: bool,
}

struct FrameworkRow {
    code: String,
    name: String,
    rule: String,
    criteria: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_lists.html")]
struct ListsPage {
    layout: Layout,
    notice: Option<String>,
    dispositions: Vec<DispositionRow>,
    frameworks: Vec<FrameworkRow>,
    dispositions_json: String,
    frameworks_json: String,
    dispositions_error: Option<String>,
    frameworks_error: Option<String>,
}

/// What a failed save puts back on the page: the draft and the error, for one of the forms.
#[derive(Default)]
struct Draft {
    dispositions: Option<(String, String)>,
    frameworks: Option<(String, String)>,
}

async fn lists_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    notice: Option<String>,
    draft: Draft,
) -> Result<ListsPage, AppError> {
    actor.require(Permission::ManageUsers)?;
    let dispositions = state.app.call_dispositions(actor).await?;
    let frameworks = state.app.qualification_frameworks(actor).await?;
    let d_json: Vec<DispositionJson> = dispositions
        .all()
        .iter()
        .map(|d| DispositionJson {
            code: d.code.clone(),
            label: d.label.clone(),
            counts_as_connect: d.counts_as_connect,
        })
        .collect();
    let f_json: Vec<FrameworkJson> = frameworks
        .iter()
        .map(|f| FrameworkJson {
            code: f.code.clone(),
            name: f.name.clone(),
            criteria: f
                .criteria
                .iter()
                .map(|c| CriterionJson {
                    code: c.code.clone(),
                    label: c.label.clone(),
                    help: c.help.clone(),
                })
                .collect(),
            required: f.required,
        })
        .collect();
    let (dispositions_json, dispositions_error) = match draft.dispositions {
        Some((text, error)) => (text, Some(error)),
        None => (pretty(&d_json), None),
    };
    let (frameworks_json, frameworks_error) = match draft.frameworks {
        Some((text, error)) => (text, Some(error)),
        None => (pretty(&f_json), None),
    };
    Ok(ListsPage {
        layout: Layout::new(actor, csrf, "admin", "Lists"),
        notice,
        dispositions: dispositions
            .all()
            .iter()
            .map(|d| DispositionRow {
                code: d.code.clone(),
                label: d.label.clone(),
                connect: d.counts_as_connect,
            })
            .collect(),
        frameworks: frameworks
            .iter()
            .map(|f| FrameworkRow {
                code: f.code.clone(),
                name: f.name.clone(),
                rule: format!("{} of {}", f.required, f.criteria.len()),
                criteria: f
                    .criteria
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        dispositions_json,
        frameworks_json,
        dispositions_error,
        frameworks_error,
    })
}

/// Pretty JSON of a list for the textareas.
fn pretty<T: Serialize>(list: &[T]) -> String {
    serde_json::to_string_pretty(list).unwrap_or_default()
}

/// `GET /admin/lists`.
pub async fn lists(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    let (jar, flash) = flash::take(jar);
    Ok((
        jar,
        lists_page(&state, &actor, &csrf, flash.notice, Draft::default()).await?,
    ))
}

/// The JSON textarea of either form.
#[derive(Debug, Deserialize)]
pub struct ListForm {
    items: String,
}

/// A JSON syntax or shape error, named like the API names fields.
fn json_error(field: &str, e: &serde_json::Error) -> AppError {
    Invalid::new(
        field,
        "invalid_json",
        format!("line {}, column {}: {e}", e.line(), e.column()),
    )
    .into()
}

/// Redirects with a notice on success; on a refusal shows the page again with the draft and the
/// error beside the form.
async fn answer<T>(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    jar: CookieJar,
    (text, frameworks): (String, bool),
    outcome: Result<T, AppError>,
    notice: &str,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => {
            let flash = Flash {
                notice: Some(notice.to_owned()),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to("/admin/lists"),
            )
                .into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            let message = match &err {
                AppError::Invalid(i) => format!("{}: {}", i.field, i.message),
                other => other.to_string(),
            };
            let mut draft = Draft::default();
            if frameworks {
                draft.frameworks = Some((text, message));
            } else {
                draft.dispositions = Some((text, message));
            }
            let page = lists_page(state, actor, csrf, None, draft).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/lists/dispositions`.
pub async fn save_dispositions(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<ListForm>,
) -> Result<Response, PageError> {
    let outcome = match serde_json::from_str::<Vec<DispositionJson>>(&form.items) {
        Err(e) => Err(json_error("dispositions", &e)),
        Ok(list) => {
            let list = list
                .into_iter()
                .map(|d| CallDisposition {
                    code: d.code,
                    label: d.label,
                    counts_as_connect: d.counts_as_connect,
                })
                .collect();
            state.app.replace_dispositions(&actor, list).await.map(|_| ())
        }
    };
    answer(
        &state,
        &actor,
        &csrf,
        jar,
        (form.items, false),
        outcome,
        "Saved the call dispositions.",
    )
    .await
}

/// `POST /admin/lists/frameworks`.
pub async fn save_frameworks(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<ListForm>,
) -> Result<Response, PageError> {
    let outcome = match serde_json::from_str::<Vec<FrameworkJson>>(&form.items) {
        Err(e) => Err(json_error("frameworks", &e)),
        Ok(list) => {
            let list = list
                .into_iter()
                .map(|f| FrameworkInput {
                    code: f.code,
                    name: f.name,
                    criteria: f
                        .criteria
                        .into_iter()
                        .map(|c| Criterion {
                            code: c.code,
                            label: c.label,
                            help: c.help,
                        })
                        .collect(),
                    required: f.required,
                })
                .collect();
            state.app.replace_frameworks(&actor, list).await.map(|_| ())
        }
    };
    answer(
        &state,
        &actor,
        &csrf,
        jar,
        (form.items, true),
        outcome,
        "Saved the qualification frameworks.",
    )
    .await
}
