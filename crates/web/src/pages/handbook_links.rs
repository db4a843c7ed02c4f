//! `/admin/handbook-links`: where admins choose the handbook section shown in place for each
//! routing rule (and all of them), and for each lead exit reason (else its status's section).
//! Sequence steps carry their own section, set in the sequence builder (`/sequences/{id}`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::handbook::links::LinkInput;
use prospector_app::{Actor, AppError};
use prospector_core::records::LeadStatus;
use prospector_core::role::Role;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// One place that can link to a section.
struct LinkRow {
    context: String,
    /// The row's element id (`link-reason-disqualified-competitor`).
    dom_id: String,
    label: String,
    /// `page › heading`, or empty when nothing is linked.
    current: String,
    /// `slug#anchor` of the section in effect.
    selected: String,
    customised: bool,
    /// Where the section would come from when unset (the status's, the default).
    fallback: &'static str,
}

struct Group {
    id: &'static str,
    title: &'static str,
    help: &'static str,
    rows: Vec<LinkRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_links.html")]
struct LinksPage {
    layout: Layout,
    groups: Vec<Group>,
    /// `(slug#anchor, "Page › Heading")` for every heading of every page.
    sections: Vec<(String, String)>,
    notice: Option<String>,
    /// The context a refusal is about, and its message.
    error_for: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    notice: Option<String>,
    error: Option<(String, String)>,
) -> Result<LinksPage, AppError> {
    if actor.role() != Role::Admin {
        return Err(AppError::Forbidden(
            "only admins change where the handbook is linked".into(),
        ));
    }
    let app = &state.app;
    let mut sections = Vec::new();
    for p in app.list_handbook_pages(actor).await? {
        let view = app.handbook_page(actor, &p.slug).await?;
        for h in view.rendered.toc.iter().filter(|h| h.level >= 2) {
            sections.push((
                format!("{}#{}", p.slug, h.anchor),
                format!("{} › {}", p.title, h.text),
            ));
        }
    }
    let title_of = |key: &str| {
        sections
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.to_owned(), |(_, t)| t.clone())
    };
    let links = app.handbook_links(actor).await?;
    let row = |context: String, label: String, fallback: &'static str| {
        let link = links.iter().find(|l| l.context == context);
        let selected = link.map_or_else(String::new, |l| format!("{}#{}", l.page_slug, l.anchor));
        LinkRow {
            current: if selected.is_empty() {
                String::new()
            } else {
                title_of(&selected)
            },
            customised: link.is_some_and(|l| l.customised),
            dom_id: format!("link-{}", context.replace(':', "-").replace('*', "all")),
            context,
            label,
            selected,
            fallback,
        }
    };
    let mut routing = vec![row(
        "routing_rule:*".into(),
        "Every routing rule".into(),
        "nothing shown",
    )];
    for rule in app.routing_rules(actor).await?.rules {
        routing.push(row(
            format!("routing_rule:{}", rule.code),
            format!("Rule “{}”", rule.code),
            "the section for every rule",
        ));
    }
    let reasons = app.lead_reasons(actor).await?;
    let mut exit_rows = Vec::new();
    for status in LeadStatus::ALL.iter().filter(|s| s.is_exit()) {
        for r in reasons.choices(*status) {
            exit_rows.push(row(
                format!("reason:{}:{}", status.code(), r.code),
                format!("{} — {}", status.label(), r.label),
                "the status's section",
            ));
        }
    }
    let (error_for, error) = match error {
        Some((context, message)) => (context, Some(message)),
        None => (String::new(), None),
    };
    Ok(LinksPage {
        layout: Layout::new(actor, csrf, "admin", "Handbook links"),
        groups: vec![
            Group {
                id: "routing",
                title: "Routing rules",
                help: "Shown with the result of “Route this lead” on the inbound rules page.",
                rows: routing,
            },
            Group {
                id: "reasons",
                title: "Lead exit reasons",
                help: "Shown in the status dialog when the reason is chosen; without one, the status's section is shown.",
                rows: exit_rows,
            },
        ],
        sections,
        notice,
        error_for,
        error,
    })
}

/// `GET /admin/handbook-links`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let page = page(&state, &actor, &csrf, flash.notice, None).await?;
    Ok((jar, page).into_response())
}

/// One row's form: the context and `slug#anchor`, or empty for the default.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    context: String,
    #[serde(default)]
    section: String,
}

/// `POST /admin/handbook-links`.
pub async fn save(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(f): Form<LinkForm>,
) -> Result<Response, PageError> {
    let section = f.section.trim();
    let input = LinkInput {
        context: f.context.clone(),
        section: if section.is_empty() {
            None
        } else {
            let (slug, anchor) = section.split_once('#').unwrap_or((section, ""));
            Some((slug.to_owned(), anchor.to_owned()))
        },
    };
    match state.app.set_handbook_links(&actor, vec![input]).await {
        Ok(_) => {
            let notice = if section.is_empty() {
                format!("{} uses its default section again.", f.context)
            } else {
                format!("{} now shows {section}.", f.context)
            };
            let flash = Flash {
                notice: Some(notice),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to("/admin/handbook-links"),
            )
                .into_response())
        }
        Err(err @ AppError::Invalid(_)) => {
            let status = crate::error::classify(&err).0;
            let page = page(&state, &actor, &csrf, None, Some((f.context, err.to_string()))).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
