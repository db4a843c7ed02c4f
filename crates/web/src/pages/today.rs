//! `/today`: the rep's work queue. Due calls, manual emails, LinkedIn touches and tasks in the
//! order to work them (people who can be called now first), a call panel with the step's script
//! and handbook link, one button — or one digit key — per disposition, and the day's counts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::AppError;
use prospector_app::sequences::today::{DayCounts, DoneInput, TodayRequest, WorkItem};
use serde::Deserialize;
use uuid::Uuid;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

struct Item {
    id: String,
    kind: &'static str,
    kind_label: &'static str,
    is_call: bool,
    name: String,
    href: String,
    company: String,
    title: String,
    phone: String,
    email: String,
    local_time: String,
    callable: bool,
    do_not_call: bool,
    score: i64,
    sequence: String,
    step: i64,
    script: String,
    handbook_href: String,
}

struct Choice {
    key: usize,
    code: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "today.html")]
struct TodayPage {
    layout: Layout,
    items: Vec<Item>,
    counts: DayCounts,
    /// Everything still to do today, on this page and the next ones.
    total: i64,
    /// Link to the next page of the queue.
    more_href: Option<String>,
    /// The cursor this page started after (empty on the first page): a step done here comes back
    /// to this page, not the first.
    after: String,
    dispositions: Vec<Choice>,
    notice: Option<String>,
    error: Option<String>,
}

fn kind_of(code: &str) -> (&'static str, &'static str) {
    match code {
        "call" => ("call", "Call"),
        "manual_email" => ("manual_email", "Email"),
        "linkedin" => ("linkedin", "LinkedIn"),
        _ => ("task", "Task"),
    }
}

fn item(w: &WorkItem) -> Item {
    let r = &w.row;
    let (kind, kind_label) = kind_of(&r.execution.kind);
    let name = [r.first_name.as_deref(), r.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Item {
        id: r.execution.id.to_string(),
        kind,
        kind_label,
        is_call: kind == "call",
        name: if name.is_empty() { "(no name)".into() } else { name },
        href: format!("/leads/{}", r.execution.person_id),
        company: r.company.clone().unwrap_or_default(),
        title: r.title.clone().unwrap_or_default(),
        phone: r.phone.clone().unwrap_or_default(),
        email: r.email.clone().unwrap_or_default(),
        local_time: w.local_time.clone(),
        callable: w.callable_now,
        do_not_call: r.do_not_call,
        score: r.score,
        sequence: r.sequence_name.clone(),
        step: r.execution.step_index + 1,
        script: r.script.clone().unwrap_or_default(),
        handbook_href: r
            .handbook_page
            .as_ref()
            .map(|p| {
                let anchor = r.handbook_anchor.as_deref().unwrap_or_default();
                if anchor.is_empty() {
                    format!("/handbook/{p}")
                } else {
                    format!("/handbook/{p}#{anchor}")
                }
            })
            .unwrap_or_default(),
    }
}

async fn render(
    state: &AppState,
    actor: &prospector_app::Actor,
    csrf: &CsrfToken,
    request: &TodayRequest,
    notice: Option<String>,
    error: Option<String>,
) -> Result<TodayPage, PageError> {
    let today = state.app.today(actor, request).await?;
    // A step without its own section shows the one linked for every sequence step.
    let every_step = state
        .app
        .linked_section("sequence_step:*")
        .await?
        .map(|s| s.url)
        .unwrap_or_default();
    Ok(TodayPage {
        layout: Layout::new(actor, csrf, "today", "Today"),
        items: today
            .items
            .iter()
            .map(|w| {
                let mut i = item(w);
                if i.handbook_href.is_empty() {
                    i.handbook_href.clone_from(&every_step);
                }
                i
            })
            .collect(),
        counts: today.counts,
        total: today.total,
        more_href: today
            .next
            .map(|n| format!("/today?after={}", crate::auth::urlencode(&n))),
        after: request.after.clone().unwrap_or_default(),
        dispositions: today
            .dispositions
            .all()
            .iter()
            .take(9)
            .enumerate()
            .map(|(i, d)| Choice {
                key: i + 1,
                code: d.code.clone(),
                label: d.label.clone(),
            })
            .collect(),
        notice,
        error,
    })
}

/// Which page of the queue.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// The cursor after the previous page's last item.
    after: Option<String>,
}

/// `GET /today`: the first page of the queue, or the one after `?after=`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let request = TodayRequest {
        after: q.after.filter(|a| !a.trim().is_empty()),
        limit: None,
    };
    let page = render(&state, &actor, &csrf, &request, flash.notice, None).await?;
    Ok((jar, page).into_response())
}

/// The done form.
#[derive(Debug, Deserialize)]
pub struct DoneForm {
    /// For calls.
    disposition: Option<String>,
    /// A note.
    note: Option<String>,
    /// The page the form was on (its cursor), to come back to.
    after: Option<String>,
}

/// `POST /today/{id}/done`: logs the call (or marks the step done) and moves on.
pub async fn done(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(form): Form<DoneForm>,
) -> Result<Response, PageError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("work item".into())))?;
    let input = DoneInput {
        disposition: form.disposition.filter(|d| !d.trim().is_empty()),
        note: form.note,
    };
    let label = input.disposition.clone();
    let page = TodayRequest {
        after: form.after.filter(|a| !a.trim().is_empty()),
        limit: None,
    };
    let back = page.after.as_deref().map_or_else(
        || "/today".to_owned(),
        |a| format!("/today?after={}", crate::auth::urlencode(a)),
    );
    match state.app.complete_work_item(&actor, id, input).await {
        Ok(()) => {
            let notice = match label {
                Some(d) => format!("Call logged: {}.", d.replace('_', " ")),
                None => "Marked done.".to_owned(),
            };
            let flash = Flash {
                notice: Some(notice),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to(&back),
            )
                .into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let page = render(&state, &actor, &csrf, &page, None, Some(e.to_string())).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
