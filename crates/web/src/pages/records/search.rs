//! `/search?q=`: people, accounts and notes the actor may see, and handbook pages, grouped, with links. With
//! `fragment=1` the results come as a bare HTML fragment for the header box's instant dropdown.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use prospector_app::records::search::SearchResult;
use serde::Deserialize;

use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

/// The search box.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    fragment: Option<String>,
}

/// One result as a link.
struct Hit {
    href: String,
    title: String,
    subtitle: String,
    kind: &'static str,
}

struct Group {
    id: &'static str,
    label: &'static str,
    hits: Vec<Hit>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    groups: Vec<Group>,
    total: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_search_fragment.html")]
struct SearchFragment {
    q: String,
    groups: Vec<Group>,
    total: usize,
}

fn hit(r: &SearchResult) -> Hit {
    let href = match r.kind {
        "lead" => format!("/leads/{}", r.id),
        "contact" => format!("/contacts/{}", r.id),
        "account" => format!("/accounts/{}", r.id),
        _ => match (r.person_id, r.account_id) {
            (Some(p), _) => format!("/leads/{p}#activity-{}", r.id),
            (None, Some(a)) => format!("/accounts/{a}#activity-{}", r.id),
            (None, None) => "/search".into(),
        },
    };
    Hit {
        href,
        title: if r.title.is_empty() {
            "(no name)".into()
        } else {
            r.title.clone()
        },
        subtitle: r.subtitle.clone().unwrap_or_default(),
        kind: match r.kind {
            "lead" => "Lead",
            "contact" => "Contact",
            "account" => "Account",
            _ => "Note",
        },
    }
}

fn grouped(results: &[SearchResult]) -> Vec<Group> {
    let pick = |kinds: &[&str]| -> Vec<Hit> {
        results
            .iter()
            .filter(|r| kinds.contains(&r.kind))
            .map(hit)
            .collect()
    };
    vec![
        Group {
            id: "people",
            label: "People",
            hits: pick(&["lead", "contact"]),
        },
        Group {
            id: "accounts",
            label: "Accounts",
            hits: pick(&["account"]),
        },
        Group {
            id: "notes",
            label: "Notes and activities",
            hits: pick(&["activity"]),
        },
    ]
    .into_iter()
    .filter(|g| !g.hits.is_empty())
    .collect()
}

/// `GET /search?q=…[&fragment=1]`.
pub async fn search(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let q = query.q.unwrap_or_default().trim().to_owned();
    let fragment = query.fragment.as_deref() == Some("1");
    let results = if q.is_empty() {
        Vec::new()
    } else {
        state
            .app
            .search(&actor, &q, if fragment { 8 } else { 50 })
            .await?
    };
    let handbook = if q.is_empty() {
        Vec::new()
    } else {
        state
            .app
            .search_handbook(&actor, &q, if fragment { 5 } else { 20 })
            .await?
    };
    let mut groups = grouped(&results);
    if !handbook.is_empty() {
        groups.push(Group {
            id: "handbook",
            label: "Handbook",
            hits: handbook
                .into_iter()
                .map(|h| Hit {
                    href: h.url,
                    title: h.title,
                    subtitle: h.snippet,
                    kind: "Handbook",
                })
                .collect(),
        });
    }
    let total = groups.iter().map(|g| g.hits.len()).sum();
    if fragment {
        return Ok(SearchFragment { q, groups, total }.into_response());
    }
    Ok(SearchPage {
        layout: Layout::new(&actor, &csrf, "search", "Search"),
        q,
        groups,
        total,
    }
    .into_response())
}
