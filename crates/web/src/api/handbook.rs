//! `/api/v1/handbook/…`: pages, sections, search, history, proposals, comments and merges.
//! A merge whose base revision is no longer current answers 409 with the three-way merge.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use prospector_app::handbook::{
    HandbookHit, MergeResult, NewProposal, PageView, ProposalPatch, ProposalView, RenderedSection,
};
use prospector_core::ids::UserId;
use prospector_store::handbook::{Comment, Page, Proposal, ProposalFilter, Revision};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;

/// A page in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageSummaryDto {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The current revision.
    pub current_revision_id: Option<String>,
    /// Last merge.
    pub updated_at: DateTime<Utc>,
}

impl From<&Page> for PageSummaryDto {
    fn from(p: &Page) -> Self {
        Self {
            slug: p.slug.clone(),
            title: p.title.clone(),
            current_revision_id: p.current_revision_id.map(|r| r.to_string()),
            updated_at: p.updated_at,
        }
    }
}

/// Every page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageList {
    /// By title.
    pub items: Vec<PageSummaryDto>,
}

/// One line of a table of contents.
#[derive(Debug, Serialize, ToSchema)]
pub struct TocDto {
    /// 1–6.
    pub level: u8,
    /// Heading text.
    pub text: String,
    /// `#anchor`.
    pub anchor: String,
}

/// A page owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerDto {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// A page, rendered.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The revision shown.
    pub revision_id: String,
    /// Its number.
    pub revision_number: i64,
    /// The markdown (front matter included).
    pub markdown: String,
    /// Sanitised HTML.
    pub html: String,
    /// Table of contents.
    pub toc: Vec<TocDto>,
    /// Who approves and merges.
    pub owners: Vec<OwnerDto>,
    /// Last merge.
    pub updated_at: DateTime<Utc>,
}

impl From<PageView> for PageDto {
    fn from(v: PageView) -> Self {
        Self {
            slug: v.page.slug,
            title: v.page.title,
            revision_id: v.revision.id.to_string(),
            revision_number: v.revision.number,
            markdown: v.revision.body,
            html: v.rendered.html,
            toc: v
                .rendered
                .toc
                .into_iter()
                .map(|t| TocDto {
                    level: t.level,
                    text: t.text,
                    anchor: t.anchor,
                })
                .collect(),
            owners: v
                .owners
                .iter()
                .map(|u| OwnerDto {
                    id: u.id.to_string(),
                    name: u.name.clone(),
                    email: u.email.to_string(),
                })
                .collect(),
            updated_at: v.page.updated_at,
        }
    }
}

/// One section of a page.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionDto {
    /// The page.
    pub page_slug: String,
    /// Its title.
    pub page_title: String,
    /// The heading's anchor.
    pub anchor: String,
    /// The heading's text.
    pub heading: String,
    /// Sanitised HTML.
    pub html: String,
    /// Markdown.
    pub markdown: String,
    /// Link to the section.
    pub url: String,
}

impl From<RenderedSection> for SectionDto {
    fn from(s: RenderedSection) -> Self {
        Self {
            page_slug: s.page_slug,
            page_title: s.page_title,
            anchor: s.anchor,
            heading: s.heading,
            html: s.html,
            markdown: s.markdown,
            url: s.url,
        }
    }
}

/// A merged revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
    /// Id.
    pub id: String,
    /// 1, 2, 3…
    pub number: i64,
    /// Title at this revision.
    pub title: String,
    /// What changed.
    pub message: String,
    /// The proposal merged.
    pub proposal_id: Option<String>,
    /// Who wrote it.
    pub author_name: String,
    /// Who merged it.
    pub merger_name: String,
    /// When.
    pub merged_at: DateTime<Utc>,
}

impl From<&Revision> for RevisionDto {
    fn from(r: &Revision) -> Self {
        Self {
            id: r.id.to_string(),
            number: r.number,
            title: r.title.clone(),
            message: r.message.clone(),
            proposal_id: r.proposal_id.map(|p| p.to_string()),
            author_name: r.author_name.clone(),
            merger_name: r.merger_name.clone(),
            merged_at: r.merged_at,
        }
    }
}

/// A page's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// Newest first.
    pub items: Vec<RevisionDto>,
}

/// A proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDto {
    /// Id.
    pub id: String,
    /// The page.
    pub slug: String,
    /// The page title proposed.
    pub title: String,
    /// What the change is.
    pub message: String,
    /// The proposed markdown.
    pub body: String,
    /// `draft`, `in_review`, `approved`, `merged`, `closed`.
    pub status: String,
    /// The revision it was written against.
    pub base_revision_id: Option<String>,
    /// The revision it restores, for a restore.
    pub restores_revision_id: Option<String>,
    /// Who proposed it.
    pub author_id: Option<String>,
    /// As shown.
    pub author_name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Who merged it.
    pub merged_by: Option<String>,
    /// The revision the merge made.
    pub merged_revision_id: Option<String>,
}

impl From<&Proposal> for ProposalDto {
    fn from(p: &Proposal) -> Self {
        Self {
            id: p.id.to_string(),
            slug: p.slug.clone(),
            title: p.title.clone(),
            message: p.message.clone(),
            body: p.body.clone(),
            status: p.status.clone(),
            base_revision_id: p.base_revision_id.map(|r| r.to_string()),
            restores_revision_id: p.restores_revision_id.map(|r| r.to_string()),
            author_id: p.author_id.map(|a| a.to_string()),
            author_name: p.author_label.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            approved_by: p.approved_by.map(|a| a.to_string()),
            merged_by: p.merged_by.map(|a| a.to_string()),
            merged_revision_id: p.merged_revision_id.map(|r| r.to_string()),
        }
    }
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    /// Id.
    pub id: String,
    /// Who.
    pub author_name: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<&Comment> for CommentDto {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id.to_string(),
            author_name: c.author_label.clone(),
            body: c.body.clone(),
            created_at: c.created_at,
        }
    }
}

/// A proposal with its diff and comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDetail {
    /// The proposal.
    pub proposal: ProposalDto,
    /// Line diff from the base revision: hunks of `{change, old_line, new_line, text}`.
    #[schema(value_type = Vec<Object>)]
    pub diff: serde_json::Value,
    /// Oldest first.
    pub comments: Vec<CommentDto>,
    /// The page moved on since the base: merging will answer 409.
    pub stale: bool,
    /// The caller may approve and merge.
    pub can_merge: bool,
}

impl From<ProposalView> for ProposalDetail {
    fn from(v: ProposalView) -> Self {
        Self {
            proposal: ProposalDto::from(&v.proposal),
            diff: serde_json::to_value(&v.diff).unwrap_or_default(),
            comments: v.comments.iter().map(CommentDto::from).collect(),
            stale: v.stale,
            can_merge: v.viewer_is_owner,
        }
    }
}

/// A page of proposals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalList {
    /// Newest first.
    pub items: Vec<ProposalDto>,
    /// Pass as `before` for the next page.
    pub next_before: Option<String>,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitList {
    /// Best first.
    pub items: Vec<HitDto>,
}

/// A page found by search.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    /// The page.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Text around the match.
    pub snippet: String,
    /// Link.
    pub url: String,
}

impl From<HandbookHit> for HitDto {
    fn from(h: HandbookHit) -> Self {
        Self {
            slug: h.slug,
            title: h.title,
            snippet: h.snippet,
            url: h.url,
        }
    }
}

fn parse_uuid(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    parse_id::<Uuid>(raw, what)
}

fn body_uuid(raw: Option<&str>, field: &str) -> Result<Option<Uuid>, ApiError> {
    raw.map(|r| {
        Uuid::parse_str(r.trim()).map_err(|_| {
            ApiError::from(prospector_core::Invalid::new(
                field,
                "invalid_id",
                format!("'{r}' is not a valid id"),
            ))
        })
    })
    .transpose()
}

/// Every handbook page.
#[utoipa::path(get, path = "/api/v1/handbook/pages", tag = "handbook", responses((status = 200, body = PageList)))]
pub async fn list_pages(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<PageList>, ApiError> {
    let pages = state.app.list_handbook_pages(&actor).await?;
    Ok(Json(PageList {
        items: pages.iter().map(PageSummaryDto::from).collect(),
    }))
}

/// One page, rendered to sanitised HTML with its table of contents.
#[utoipa::path(get, path = "/api/v1/handbook/pages/{slug}", tag = "handbook", params(("slug" = String, Path)),
    responses((status = 200, body = PageDto), (status = 404, body = ErrorBody)))]
pub async fn get_page(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<PageDto>, ApiError> {
    Ok(Json(PageDto::from(state.app.handbook_page(&actor, &slug).await?)))
}

/// One section of a page by heading anchor, for showing where the work happens.
#[utoipa::path(get, path = "/api/v1/handbook/pages/{slug}/sections/{anchor}", tag = "handbook",
    params(("slug" = String, Path), ("anchor" = String, Path)),
    responses((status = 200, body = SectionDto), (status = 404, body = ErrorBody)))]
pub async fn get_section(
    State(state): State<AppState>,
    ApiActor(_actor): ApiActor,
    Path((slug, anchor)): Path<(String, String)>,
) -> Result<Json<SectionDto>, ApiError> {
    let section = state.app.handbook_section(&slug, &anchor).await?.ok_or_else(|| {
        ApiError(prospector_app::AppError::NotFound(format!(
            "section {slug}#{anchor}"
        )))
    })?;
    Ok(Json(SectionDto::from(section)))
}

/// New owners of a page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnersBody {
    /// User ids.
    owner_ids: Vec<String>,
}

/// Replaces a page's owners (owners and admins).
#[utoipa::path(put, path = "/api/v1/handbook/pages/{slug}/owners", tag = "handbook", params(("slug" = String, Path)),
    request_body = OwnersBody,
    responses((status = 200, body = Vec<OwnerDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_owners(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<OwnersBody>,
) -> Result<Json<Vec<OwnerDto>>, ApiError> {
    let ids = body
        .owner_ids
        .iter()
        .map(|i| i.parse::<UserId>().map_err(|e| e.in_field("owner_ids")))
        .collect::<Result<Vec<_>, _>>()?;
    let owners = state.app.set_handbook_owners(&actor, &slug, &ids).await?;
    Ok(Json(
        owners
            .iter()
            .map(|u| OwnerDto {
                id: u.id.to_string(),
                name: u.name.clone(),
                email: u.email.to_string(),
            })
            .collect(),
    ))
}

/// A page's history, newest first.
#[utoipa::path(get, path = "/api/v1/handbook/pages/{slug}/revisions", tag = "handbook", params(("slug" = String, Path)),
    responses((status = 200, body = RevisionList), (status = 404, body = ErrorBody)))]
pub async fn list_revisions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<RevisionList>, ApiError> {
    let (_, revisions) = state.app.handbook_history(&actor, &slug).await?;
    Ok(Json(RevisionList {
        items: revisions.iter().map(RevisionDto::from).collect(),
    }))
}

/// Proposes restoring a revision: a new proposal in review with that revision's text.
#[utoipa::path(post, path = "/api/v1/handbook/pages/{slug}/revisions/{id}/restore", tag = "handbook",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 201, body = ProposalDto), (status = 404, body = ErrorBody)))]
pub async fn restore_revision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ProposalDto>), ApiError> {
    let proposal = state
        .app
        .restore_handbook_revision(&actor, &slug, parse_uuid(&id, "revision")?)
        .await?;
    Ok((StatusCode::CREATED, Json(ProposalDto::from(&proposal))))
}

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words in the title or text.
    q: String,
    /// At most (default 20).
    limit: Option<i64>,
}

/// Pages whose title or text contains `q`.
#[utoipa::path(get, path = "/api/v1/handbook/search", tag = "handbook", params(SearchQuery),
    responses((status = 200, body = HitList)))]
pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<SearchQuery>,
) -> Result<Json<HitList>, ApiError> {
    let hits = state
        .app
        .search_handbook(&actor, &q.q, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(HitList {
        items: hits.into_iter().map(HitDto::from).collect(),
    }))
}

/// Filters for the proposal list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProposalListQuery {
    /// Only this status.
    status: Option<String>,
    /// Only for this page.
    slug: Option<String>,
    /// Keyset cursor: the `next_before` of the previous page.
    before: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
}

/// Proposals, newest first.
#[utoipa::path(get, path = "/api/v1/handbook/proposals", tag = "handbook", params(ProposalListQuery),
    responses((status = 200, body = ProposalList)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ProposalListQuery>,
) -> Result<Json<ProposalList>, ApiError> {
    let filter = ProposalFilter {
        status: q.status,
        slug: q.slug,
    };
    let before = body_uuid(q.before.as_deref(), "before")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = state
        .app
        .list_handbook_proposals(&actor, &filter, before, limit)
        .await?;
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|p| p.id.to_string()))
        .flatten();
    Ok(Json(ProposalList {
        items: items.iter().map(ProposalDto::from).collect(),
        next_before,
    }))
}

/// A proposed change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposalBody {
    /// The page (new or existing).
    slug: String,
    /// Page title; defaults to the current title, front matter or first heading.
    title: Option<String>,
    /// The full markdown.
    body: String,
    /// What the change is (becomes the commit message).
    message: String,
    /// The revision you edited; defaults to the current one.
    base_revision_id: Option<String>,
    /// Send to review at once (default: keep as a draft).
    #[serde(default)]
    submit: bool,
}

/// Proposes a change (anyone).
#[utoipa::path(post, path = "/api/v1/handbook/proposals", tag = "handbook", request_body = NewProposalBody,
    responses((status = 201, body = ProposalDto), (status = 422, body = ErrorBody)))]
pub async fn create_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewProposalBody>,
) -> Result<(StatusCode, Json<ProposalDto>), ApiError> {
    let input = NewProposal {
        slug: body.slug,
        title: body.title,
        body: body.body,
        message: body.message,
        base_revision_id: body_uuid(body.base_revision_id.as_deref(), "base_revision_id")?,
        submit: body.submit,
    };
    let proposal = state.app.propose_handbook_change(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(ProposalDto::from(&proposal))))
}

/// A proposal with its diff and comments.
#[utoipa::path(get, path = "/api/v1/handbook/proposals/{id}", tag = "handbook", params(("id" = String, Path)),
    responses((status = 200, body = ProposalDetail), (status = 404, body = ErrorBody)))]
pub async fn get_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProposalDetail>, ApiError> {
    let view = state
        .app
        .handbook_proposal(&actor, parse_uuid(&id, "proposal")?)
        .await?;
    Ok(Json(ProposalDetail::from(view)))
}

/// Changes to an open proposal. Send `base_revision_id` with the resolved `body` to rebase a
/// proposal whose merge answered 409.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalPatchBody {
    body: Option<String>,
    message: Option<String>,
    title: Option<String>,
    base_revision_id: Option<String>,
}

/// Changes an open proposal (its author or an owner); an approved one goes back to review.
#[utoipa::path(patch, path = "/api/v1/handbook/proposals/{id}", tag = "handbook", params(("id" = String, Path)),
    request_body = ProposalPatchBody,
    responses((status = 200, body = ProposalDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProposalPatchBody>,
) -> Result<Json<ProposalDto>, ApiError> {
    let patch = ProposalPatch {
        body: body.body,
        message: body.message,
        title: body.title,
        base_revision_id: body_uuid(body.base_revision_id.as_deref(), "base_revision_id")?,
    };
    let p = state
        .app
        .update_handbook_proposal(&actor, parse_uuid(&id, "proposal")?, patch)
        .await?;
    Ok(Json(ProposalDto::from(&p)))
}

/// Sends a draft to review.
#[utoipa::path(post, path = "/api/v1/handbook/proposals/{id}/submit", tag = "handbook", params(("id" = String, Path)),
    responses((status = 200, body = ProposalDto), (status = 409, body = ErrorBody)))]
pub async fn submit_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProposalDto>, ApiError> {
    let p = state
        .app
        .submit_handbook_proposal(&actor, parse_uuid(&id, "proposal")?)
        .await?;
    Ok(Json(ProposalDto::from(&p)))
}

/// Approves a proposal (owners and admins).
#[utoipa::path(post, path = "/api/v1/handbook/proposals/{id}/approve", tag = "handbook", params(("id" = String, Path)),
    responses((status = 200, body = ProposalDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProposalDto>, ApiError> {
    let p = state
        .app
        .approve_handbook_proposal(&actor, parse_uuid(&id, "proposal")?)
        .await?;
    Ok(Json(ProposalDto::from(&p)))
}

/// Closes a proposal without merging.
#[utoipa::path(post, path = "/api/v1/handbook/proposals/{id}/close", tag = "handbook", params(("id" = String, Path)),
    responses((status = 200, body = ProposalDto), (status = 403, body = ErrorBody)))]
pub async fn close_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProposalDto>, ApiError> {
    let p = state
        .app
        .close_handbook_proposal(&actor, parse_uuid(&id, "proposal")?)
        .await?;
    Ok(Json(ProposalDto::from(&p)))
}

/// A merged proposal and the revision it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedDto {
    /// The proposal, now merged.
    pub proposal: ProposalDto,
    /// The new revision.
    pub revision: RevisionDto,
}

/// Merges an approved proposal (owners and admins). When the page moved on since the proposal's
/// base: 409 with `merge` = the three-way merge (`clean` with the merged text, or `conflicts`
/// with base/current/proposed lines) and the two diffs; resolve by PATCHing the proposal with the
/// resolved body and `base_revision_id` = `current_revision_id`.
#[utoipa::path(post, path = "/api/v1/handbook/proposals/{id}/merge", tag = "handbook", params(("id" = String, Path)),
    responses((status = 200, body = MergedDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn merge_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match state
        .app
        .merge_handbook_proposal(&actor, parse_uuid(&id, "proposal")?)
        .await?
    {
        MergeResult::Merged { proposal, revision } => Ok(Json(MergedDto {
            proposal: ProposalDto::from(proposal.as_ref()),
            revision: RevisionDto::from(revision.as_ref()),
        })
        .into_response()),
        MergeResult::Stale(stale) => {
            let body = serde_json::json!({
                "error": {
                    "code": "stale_base",
                    "message": "the page changed since this proposal was written; resolve the three-way merge and update the proposal",
                    "field": "base_revision_id",
                },
                "merge": stale,
            });
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
    }
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Plain text.
    body: String,
}

/// Comments on a proposal (anyone).
#[utoipa::path(post, path = "/api/v1/handbook/proposals/{id}/comments", tag = "handbook", params(("id" = String, Path)),
    request_body = CommentBody,
    responses((status = 201, body = CommentDto), (status = 404, body = ErrorBody)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<CommentDto>), ApiError> {
    let c = state
        .app
        .comment_on_handbook_proposal(&actor, parse_uuid(&id, "proposal")?, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(CommentDto::from(&c))))
}

/// A place in the product linked to a handbook section.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandbookLinkDto {
    /// `kind:key`: `disposition:*`, `status:disqualified`, `reason:competitor`,
    /// `criterion:soft_bant:*`, `stage:screening`, `routing_rule:*`, `sequence_step:3`.
    pub context: String,
    /// The page.
    pub page_slug: String,
    /// The heading anchor.
    pub anchor: String,
    /// `/handbook/{slug}#{anchor}`.
    pub url: String,
    /// Whether an admin set it (else it is the shipped default).
    pub customised: bool,
}

/// The links in effect.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandbookLinkList {
    /// By context.
    pub items: Vec<HandbookLinkDto>,
}

fn link_list(links: Vec<prospector_app::handbook::links::HandbookLink>) -> HandbookLinkList {
    HandbookLinkList {
        items: links
            .into_iter()
            .map(|l| HandbookLinkDto {
                url: format!("/handbook/{}#{}", l.page_slug, l.anchor),
                context: l.context,
                page_slug: l.page_slug,
                anchor: l.anchor,
                customised: l.customised,
            })
            .collect(),
    }
}

/// One link to set; without `page_slug` the context goes back to its default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandbookLinkBody {
    /// `kind:key`.
    context: String,
    /// The page; absent or null to remove the admin's link.
    #[serde(default)]
    page_slug: Option<String>,
    /// The heading anchor (required with `page_slug`).
    #[serde(default)]
    anchor: Option<String>,
}

/// Links to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandbookLinksBody {
    /// Applied together.
    links: Vec<HandbookLinkBody>,
}

/// Where the handbook is linked from: the call panel, the status control, the checklists, the
/// hiring board.
#[utoipa::path(get, path = "/api/v1/handbook/links", tag = "handbook",
    responses((status = 200, body = HandbookLinkList)))]
pub async fn list_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<HandbookLinkList>, ApiError> {
    Ok(Json(link_list(state.app.handbook_links(&actor).await?)))
}

/// Changes links (admins); each section must exist.
#[utoipa::path(put, path = "/api/v1/handbook/links", tag = "handbook",
    request_body = HandbookLinksBody,
    responses((status = 200, body = HandbookLinkList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<HandbookLinksBody>,
) -> Result<Json<HandbookLinkList>, ApiError> {
    let mut changes = Vec::with_capacity(body.links.len());
    for l in body.links {
        let section = match (l.page_slug, l.anchor) {
            (Some(slug), Some(anchor)) => Some((slug, anchor)),
            (None, _) => None,
            (Some(_), None) => {
                return Err(prospector_core::Invalid::required("anchor").into());
            }
        };
        changes.push(prospector_app::handbook::links::LinkInput {
            context: l.context,
            section,
        });
    }
    Ok(Json(link_list(
        state.app.set_handbook_links(&actor, changes).await?,
    )))
}
