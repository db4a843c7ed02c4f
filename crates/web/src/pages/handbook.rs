//! Handbook pages: the index with search, a page with its table of contents, the edit form that
//! makes a proposal, proposals with their diff and comments, history with restore, and the section
//! fragment the call panel, status dialog and stage view embed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use prospector_app::handbook::{MergeResult, NewProposal, ProposalPatch, StaleMerge, status};
use prospector_app::{Actor, AppError};
use prospector_core::markdown::{DiffHunk, LineChange, MergeOutcome, TocEntry};
use prospector_store::handbook::ProposalFilter;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn parse_uuid(raw: &str, what: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError(AppError::NotFound(what.into())))
}

/// A diff line for templates.
pub struct DiffRow {
    class: &'static str,
    sign: &'static str,
    old_line: String,
    new_line: String,
    text: String,
}

fn diff_rows(hunks: &[DiffHunk]) -> Vec<Vec<DiffRow>> {
    hunks
        .iter()
        .map(|h| {
            h.lines
                .iter()
                .map(|l| {
                    let (class, sign) = match l.change {
                        LineChange::Added => ("add", "+"),
                        LineChange::Removed => ("del", "-"),
                        LineChange::Unchanged => ("ctx", " "),
                    };
                    DiffRow {
                        class,
                        sign,
                        old_line: l.old_line.map(|n| n.to_string()).unwrap_or_default(),
                        new_line: l.new_line.map(|n| n.to_string()).unwrap_or_default(),
                        text: l.text.clone(),
                    }
                })
                .collect()
        })
        .collect()
}

struct IndexEntry {
    slug: String,
    title: String,
    toc: Vec<TocEntry>,
}

struct HitRow {
    title: String,
    url: String,
    snippet: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_index.html")]
struct IndexPage {
    layout: Layout,
    q: String,
    hits: Vec<HitRow>,
    pages: Vec<IndexEntry>,
}

/// The `q` of the index's search.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

/// `GET /handbook`.
pub async fn index(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(params): Query<SearchParams>,
) -> Result<impl IntoResponse, PageError> {
    let mut pages = Vec::new();
    for page in state.app.list_handbook_pages(&actor).await? {
        let view = state.app.handbook_page(&actor, &page.slug).await?;
        pages.push(IndexEntry {
            slug: page.slug,
            title: page.title,
            toc: view.rendered.toc.into_iter().filter(|t| t.level == 2).collect(),
        });
    }
    let hits = state
        .app
        .search_handbook(&actor, &params.q, 30)
        .await?
        .into_iter()
        .map(|h| HitRow {
            title: h.title,
            url: h.url,
            snippet: h.snippet,
        })
        .collect();
    Ok(IndexPage {
        layout: Layout::new(&actor, &csrf, "handbook", "Handbook"),
        q: params.q,
        hits,
        pages,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_page.html")]
struct PageView {
    layout: Layout,
    slug: String,
    html: String,
    toc: Vec<TocEntry>,
    owners: String,
    revision_number: i64,
    updated_at: String,
}

/// `GET /handbook/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    let view = state.app.handbook_page(&actor, &slug).await?;
    Ok(PageView {
        layout: Layout::new(&actor, &csrf, "handbook", view.page.title.clone()),
        slug: view.page.slug,
        html: view.rendered.html,
        toc: view.rendered.toc,
        owners: view
            .owners
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        revision_number: view.revision.number,
        updated_at: fmt_time(view.page.updated_at),
    })
}

#[derive(Template)]
#[template(path = "handbook_section.html")]
struct SectionFragment {
    heading: String,
    page_title: String,
    url: String,
    html: String,
}

/// `GET /handbook/{slug}/section/{anchor}`: just the section, to embed where the work happens.
pub async fn section(
    State(state): State<AppState>,
    PageActor(_actor): PageActor,
    Path((slug, anchor)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let section = state
        .app
        .handbook_section(&slug, &anchor)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("section {slug}#{anchor}")))?;
    let fragment = SectionFragment {
        heading: section.heading,
        page_title: section.page_title,
        url: section.url,
        html: section.html,
    };
    let html = fragment
        .render()
        .map_err(|e| AppError::Internal(format!("rendering a section: {e}")))?;
    Ok(Html(html).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_edit.html")]
struct EditPage {
    layout: Layout,
    action: String,
    new_page: bool,
    slug: String,
    title: String,
    body: String,
    base_revision_id: String,
    error: Option<String>,
}

/// `GET /handbook/{slug}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    let view = state.app.handbook_page(&actor, &slug).await?;
    Ok(EditPage {
        layout: Layout::new(
            &actor,
            &csrf,
            "handbook",
            format!("Propose a change: {}", view.page.title),
        ),
        action: format!("/handbook/{}/edit", view.page.slug),
        new_page: false,
        slug: view.page.slug,
        title: view.page.title,
        body: view.revision.body,
        base_revision_id: view.revision.id.to_string(),
        error: None,
    })
}

/// `GET /handbook/new`.
pub async fn new_page(
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> impl IntoResponse {
    EditPage {
        layout: Layout::new(&actor, &csrf, "handbook", "Propose a new page"),
        action: "/handbook/new".into(),
        new_page: true,
        slug: String::new(),
        title: String::new(),
        body: String::new(),
        base_revision_id: String::new(),
        error: None,
    }
}

/// The edit form.
#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    title: String,
    body: String,
    message: String,
    #[serde(default)]
    base_revision_id: String,
    /// `draft` keeps a draft; anything else submits for review.
    #[serde(default)]
    intent: String,
}

async fn propose(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    slug: String,
    new_page: bool,
    form: EditForm,
) -> Result<Response, PageError> {
    let base = Uuid::parse_str(form.base_revision_id.trim()).ok();
    let input = NewProposal {
        slug: slug.clone(),
        title: Some(form.title.clone()),
        body: form.body.clone(),
        message: form.message.clone(),
        base_revision_id: base,
        submit: form.intent != "draft",
    };
    match state.app.propose_handbook_change(actor, input).await {
        Ok(p) => Ok(Redirect::to(&format!("/handbook/proposals/{}", p.id)).into_response()),
        Err(err @ AppError::Invalid(_)) => {
            let page = EditPage {
                layout: Layout::new(actor, csrf, "handbook", "Propose a change"),
                action: if new_page {
                    "/handbook/new".into()
                } else {
                    format!("/handbook/{slug}/edit")
                },
                new_page,
                slug,
                title: form.title,
                body: form.body,
                base_revision_id: form.base_revision_id,
                error: Some(err.to_string()),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /handbook/{slug}/edit`.
pub async fn submit_edit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    propose(&state, &actor, &csrf, slug, false, form).await
}

/// `POST /handbook/new`.
pub async fn submit_new(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    let slug = form.slug.clone();
    propose(&state, &actor, &csrf, slug, true, form).await
}

struct ProposalRow {
    id: String,
    slug: String,
    message: String,
    status: String,
    author: String,
    updated_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_proposals.html")]
struct ProposalsPage {
    layout: Layout,
    status_filter: String,
    rows: Vec<ProposalRow>,
}

/// Filter of the proposal list.
#[derive(Debug, Deserialize)]
pub struct ProposalsParams {
    status: Option<String>,
}

/// `GET /handbook/proposals`.
pub async fn proposals(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(params): Query<ProposalsParams>,
) -> Result<impl IntoResponse, PageError> {
    let status_filter = params.status.filter(|s| !s.is_empty());
    let filter = ProposalFilter {
        status: status_filter.clone(),
        slug: None,
    };
    let list = state
        .app
        .list_handbook_proposals(&actor, &filter, None, 200)
        .await?;
    Ok(ProposalsPage {
        layout: Layout::new(&actor, &csrf, "handbook", "Handbook proposals"),
        status_filter: status_filter.unwrap_or_default(),
        rows: list
            .iter()
            .map(|p| ProposalRow {
                id: p.id.to_string(),
                slug: p.slug.clone(),
                message: p.message.clone(),
                status: p.status.clone(),
                author: p.author_label.clone(),
                updated_at: fmt_time(p.updated_at),
            })
            .collect(),
    })
}

struct CommentRow {
    author: String,
    at: String,
    body: String,
}

struct ConflictRow {
    base_line: usize,
    base: String,
    current: String,
    proposed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_proposal.html")]
struct ProposalPage {
    layout: Layout,
    id: String,
    slug: String,
    message: String,
    status: String,
    author: String,
    body: String,
    hunks: Vec<Vec<DiffRow>>,
    comments: Vec<CommentRow>,
    stale: bool,
    open: bool,
    can_merge: bool,
    can_edit: bool,
    is_draft: bool,
    is_approved: bool,
    conflicts: Vec<ConflictRow>,
    merged_suggestion: Option<String>,
    current_revision_id: String,
    error: Option<String>,
}

async fn proposal_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Uuid,
    stale_merge: Option<StaleMerge>,
    error: Option<String>,
) -> Result<ProposalPage, AppError> {
    let view = state.app.handbook_proposal(actor, id).await?;
    let p = &view.proposal;
    let open = !matches!(p.status.as_str(), status::MERGED | status::CLOSED);
    let (conflicts, merged_suggestion) = match stale_merge.as_ref().map(|s| &s.merge) {
        Some(MergeOutcome::Conflicts { conflicts }) => (
            conflicts
                .iter()
                .map(|c| ConflictRow {
                    base_line: c.base_line,
                    base: c.base.clone(),
                    current: c.current.clone(),
                    proposed: c.proposed.clone(),
                })
                .collect(),
            None,
        ),
        Some(MergeOutcome::Clean { text }) => (Vec::new(), Some(text.clone())),
        None => (Vec::new(), None),
    };
    let current_revision_id = view
        .page
        .as_ref()
        .and_then(|pg| pg.current_revision_id)
        .map(|r| r.to_string())
        .unwrap_or_default();
    Ok(ProposalPage {
        layout: Layout::new(actor, csrf, "handbook", format!("Proposal: {}", p.message)),
        id: p.id.to_string(),
        slug: p.slug.clone(),
        message: p.message.clone(),
        status: p.status.clone(),
        author: p.author_label.clone(),
        body: merged_suggestion.clone().unwrap_or_else(|| p.body.clone()),
        hunks: diff_rows(&view.diff),
        comments: view
            .comments
            .iter()
            .map(|c| CommentRow {
                author: c.author_label.clone(),
                at: fmt_time(c.created_at),
                body: c.body.clone(),
            })
            .collect(),
        stale: view.stale,
        open,
        can_merge: view.viewer_is_owner,
        can_edit: view.viewer_is_author || view.viewer_is_owner,
        is_draft: p.status == status::DRAFT,
        is_approved: p.status == status::APPROVED,
        conflicts,
        merged_suggestion,
        current_revision_id,
        error,
    })
}

/// `GET /handbook/proposals/{id}`.
pub async fn proposal(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    let id = parse_uuid(&id, "proposal")?;
    Ok(proposal_page(&state, &actor, &csrf, id, None, None).await?)
}

/// `POST /handbook/proposals/{id}/{action}`: submit, approve, merge or close.
pub async fn proposal_action(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = parse_uuid(&id, "proposal")?;
    let back = Redirect::to(&format!("/handbook/proposals/{id}")).into_response();
    let outcome = match action.as_str() {
        "submit" => state.app.submit_handbook_proposal(&actor, id).await.map(|_| back),
        "approve" => state
            .app
            .approve_handbook_proposal(&actor, id)
            .await
            .map(|_| back),
        "close" => state.app.close_handbook_proposal(&actor, id).await.map(|_| back),
        "merge" => match state.app.merge_handbook_proposal(&actor, id).await {
            Ok(MergeResult::Merged { proposal, .. }) => {
                Ok(Redirect::to(&format!("/handbook/{}", proposal.slug)).into_response())
            }
            Ok(MergeResult::Stale(stale)) => {
                let page = proposal_page(
                    &state,
                    &actor,
                    &csrf,
                    id,
                    Some(*stale),
                    Some("The page changed since this proposal was written. Resolve the changes below and update the proposal.".into()),
                )
                .await?;
                return Ok((StatusCode::CONFLICT, page).into_response());
            }
            Err(e) => Err(e),
        },
        _ => Err(AppError::NotFound("action".into())),
    };
    match outcome {
        Ok(r) => Ok(r),
        Err(err @ AppError::Conflict { .. }) => {
            let page = proposal_page(&state, &actor, &csrf, id, None, Some(err.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    body: String,
}

/// `POST /handbook/proposals/{id}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, PageError> {
    let id = parse_uuid(&id, "proposal")?;
    state
        .app
        .comment_on_handbook_proposal(&actor, id, &form.body)
        .await?;
    Ok(Redirect::to(&format!("/handbook/proposals/{id}#comments")).into_response())
}

/// The resolve form: new text, rebased on the current revision.
#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    body: String,
    #[serde(default)]
    base_revision_id: String,
}

/// `POST /handbook/proposals/{id}/update`.
pub async fn update(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
    Form(form): Form<UpdateForm>,
) -> Result<Response, PageError> {
    let id = parse_uuid(&id, "proposal")?;
    let patch = ProposalPatch {
        body: Some(form.body),
        base_revision_id: Uuid::parse_str(form.base_revision_id.trim()).ok(),
        ..ProposalPatch::default()
    };
    state.app.update_handbook_proposal(&actor, id, patch).await?;
    Ok(Redirect::to(&format!("/handbook/proposals/{id}")).into_response())
}

struct RevisionRow {
    id: String,
    number: i64,
    message: String,
    author: String,
    merger: String,
    merged_at: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_history.html")]
struct HistoryPage {
    layout: Layout,
    slug: String,
    rows: Vec<RevisionRow>,
}

/// `GET /handbook/{slug}/history`.
pub async fn history(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    let (page, revisions) = state.app.handbook_history(&actor, &slug).await?;
    Ok(HistoryPage {
        layout: Layout::new(&actor, &csrf, "handbook", format!("History: {}", page.title)),
        slug: page.slug,
        rows: revisions
            .iter()
            .map(|r| RevisionRow {
                id: r.id.to_string(),
                number: r.number,
                message: r.message.clone(),
                author: r.author_name.clone(),
                merger: r.merger_name.clone(),
                merged_at: fmt_time(r.merged_at),
                current: page.current_revision_id == Some(r.id),
            })
            .collect(),
    })
}

/// `POST /handbook/{slug}/revisions/{id}/restore`.
pub async fn restore(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = parse_uuid(&id, "revision")?;
    let p = state.app.restore_handbook_revision(&actor, &slug, id).await?;
    Ok(Redirect::to(&format!("/handbook/proposals/{}", p.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "handbook_revision.html")]
struct RevisionPage {
    layout: Layout,
    slug: String,
    id: String,
    number: i64,
    message: String,
    author: String,
    merger: String,
    merged_at: String,
    current: bool,
    first: bool,
    hunks: Vec<Vec<DiffRow>>,
}

/// `GET /handbook/{slug}/revisions/{id}`: one revision and its diff against the one before.
pub async fn revision(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, PageError> {
    let id = parse_uuid(&id, "revision")?;
    let (page, revision, diff) = state.app.handbook_revision(&actor, &slug, id).await?;
    Ok(RevisionPage {
        layout: Layout::new(
            &actor,
            &csrf,
            "handbook",
            format!("{} · revision {}", page.title, revision.number),
        ),
        current: page.current_revision_id == Some(revision.id),
        slug: page.slug,
        id: revision.id.to_string(),
        number: revision.number,
        message: revision.message,
        author: revision.author_name,
        merger: revision.merger_name,
        merged_at: fmt_time(revision.merged_at),
        first: revision.number == 1,
        hunks: diff_rows(&diff),
    })
}
