//! The handbook as code: pages whose every revision lives in the database, changed only by
//! proposals (draft → in review → approved → merged) that the page's owners (or admins) approve
//! and merge. A proposal written against a revision that is no longer current is not merged: the
//! caller gets a three-way merge of base, current and proposed text to resolve.

pub mod defaults;
pub mod git;
pub mod links;

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_core::ids::{UserId, uuid_v7_at};
use prospector_core::markdown::{
    DiffHunk, FrontMatter, MergeOutcome, RenderOptions, Rendered, diff_lines, headings, merge3, render,
    section, split_front_matter,
};
use prospector_core::role::Role;
use prospector_store::handbook::{self as store, Comment, Page, Proposal, ProposalFilter, Revision};
use prospector_store::users::{self, User};
use prospector_store::{Exec, StoreError, WriteTx};
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// Where pages are served; relative links between pages resolve under it.
pub const BASE_PATH: &str = "/handbook";
const MAX_BODY_BYTES: usize = 512 * 1024;
const MAX_TITLE_CHARS: usize = 200;
const MAX_COMMENT_CHARS: usize = 10_000;
/// Slugs that are routes of their own.
const RESERVED_SLUGS: [&str; 4] = ["new", "proposals", "search", "section"];

/// Proposal statuses, in the order a proposal moves.
pub mod status {
    /// Being written; only the author sees it as theirs to change.
    pub const DRAFT: &str = "draft";
    /// Waiting for an owner.
    pub const IN_REVIEW: &str = "in_review";
    /// An owner said yes; ready to merge.
    pub const APPROVED: &str = "approved";
    /// Part of the page's history.
    pub const MERGED: &str = "merged";
    /// Withdrawn or rejected.
    pub const CLOSED: &str = "closed";
}

/// A page as shown: its current revision rendered, and its owners.
#[derive(Debug, Clone)]
pub struct PageView {
    /// The page.
    pub page: Page,
    /// The revision shown.
    pub revision: Revision,
    /// Sanitised HTML and table of contents (front matter not shown).
    pub rendered: Rendered,
    /// Who approves and merges changes.
    pub owners: Vec<User>,
}

/// One section of a page, rendered, for the call panel, the status dialog and the stage view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RenderedSection {
    /// The page.
    pub page_slug: String,
    /// The page's title.
    pub page_title: String,
    /// The heading's anchor.
    pub anchor: String,
    /// The heading's text.
    pub heading: String,
    /// Sanitised HTML of the section (heading and subsections included).
    pub html: String,
    /// The section's markdown.
    pub markdown: String,
    /// Link to the section on its page.
    pub url: String,
}

/// A page found by search.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandbookHit {
    /// The page.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// A line of text around the first match.
    pub snippet: String,
    /// Where it is.
    pub url: String,
}

/// A proposal with what a reviewer needs: the diff against its base, the comments, and what the
/// viewer may do.
#[derive(Debug, Clone)]
pub struct ProposalView {
    /// The proposal.
    pub proposal: Proposal,
    /// The page, when it exists.
    pub page: Option<Page>,
    /// The base revision's text (empty for a new page).
    pub base_body: String,
    /// Base → proposed.
    pub diff: Vec<DiffHunk>,
    /// Oldest first.
    pub comments: Vec<Comment>,
    /// Whether the page has moved on since the proposal's base.
    pub stale: bool,
    /// Whether the viewer may approve and merge.
    pub viewer_is_owner: bool,
    /// Whether the viewer wrote it.
    pub viewer_is_author: bool,
}

/// A proposal whose base is no longer the page's current revision: what to resolve.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaleMerge {
    /// The proposal.
    pub proposal_id: Uuid,
    /// The revision it was written against.
    pub base_revision_id: Option<Uuid>,
    /// The page's revision now.
    pub current_revision_id: Option<Uuid>,
    /// The three-way merge: `clean` with the merged text to propose, or the `conflicts`.
    pub merge: MergeOutcome,
    /// What changed on the page since the base.
    pub base_to_current: Vec<DiffHunk>,
    /// What the proposal changes.
    pub base_to_proposed: Vec<DiffHunk>,
}

/// What a merge did.
#[derive(Debug, Clone)]
pub enum MergeResult {
    /// Merged: the new revision.
    Merged {
        /// The proposal, now merged.
        proposal: Box<Proposal>,
        /// The revision it made.
        revision: Box<Revision>,
    },
    /// Not merged: the base is stale (the API answers 409 with this).
    Stale(Box<StaleMerge>),
}

/// A new proposal, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewProposal {
    /// The page's slug (new or existing).
    pub slug: String,
    /// The page title; defaults to the current title, the front matter's `title` or the first heading.
    pub title: Option<String>,
    /// The full markdown.
    pub body: String,
    /// What the change is (the commit message).
    pub message: String,
    /// The revision the change was written against; defaults to the current one.
    pub base_revision_id: Option<Uuid>,
    /// Send straight to review instead of keeping a draft.
    pub submit: bool,
}

/// Changes to an open proposal; absent fields stay. Setting `base_revision_id` is how a stale
/// proposal is rebased after resolving the three-way merge.
#[derive(Debug, Clone, Default)]
pub struct ProposalPatch {
    /// New text.
    pub body: Option<String>,
    /// New message.
    pub message: Option<String>,
    /// New page title.
    pub title: Option<String>,
    /// New base revision.
    pub base_revision_id: Option<Uuid>,
}

/// Checks a page slug: lower-case letters, digits and dashes.
pub fn parse_slug(raw: &str) -> Result<String, Invalid> {
    let slug = raw.trim().to_owned();
    let ok = !slug.is_empty()
        && slug.len() <= 80
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if !ok {
        return Err(Invalid::new(
            "slug",
            "invalid_slug",
            format!("'{slug}' is not a page name: use lower-case letters, digits and dashes"),
        ));
    }
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(Invalid::new(
            "slug",
            "reserved_slug",
            format!("'{slug}' is reserved"),
        ));
    }
    Ok(slug)
}

fn check_body(body: &str) -> Result<(), Invalid> {
    if body.trim().is_empty() {
        return Err(Invalid::required("body"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(Invalid::new(
            "body",
            "too_long",
            format!("a page may be at most {} KiB", MAX_BODY_BYTES / 1024),
        ));
    }
    Ok(())
}

/// The title a text gives itself: front matter `title`, else the first heading.
pub fn title_of(body: &str) -> Option<String> {
    if let Ok((Some(fm), _)) = FrontMatter::parse_document(body)
        && let Some(title) = fm.get_text("title")
    {
        return Some(title);
    }
    headings(split_front_matter(body).body)
        .into_iter()
        .next()
        .map(|h| h.text)
}

/// Renders a page's markdown (front matter left out).
pub fn render_page(body: &str) -> Rendered {
    render(split_front_matter(body).body, &RenderOptions::new(BASE_PATH))
}

/// The name and email of whoever acts, as kept in history and the git export.
pub(crate) fn person_of(actor: &Actor) -> (String, String) {
    match actor.as_user() {
        Some(u) => (u.name.clone(), u.email.to_string()),
        None => ("Prospector".into(), "handbook@prospector.invalid".into()),
    }
}

fn snippet(body: &str, needle: &str) -> String {
    let text = split_front_matter(body).body;
    let lower_needle = needle.to_lowercase();
    let line = text
        .lines()
        .find(|l| l.to_lowercase().contains(&lower_needle))
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("");
    let line = line.trim().trim_start_matches('#').trim();
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else {
        line.to_owned()
    }
}

impl App {
    async fn is_owner(&self, ex: &mut impl Exec, actor: &Actor, page_id: Option<Uuid>) -> AppResult<bool> {
        if actor.role() == Role::Admin {
            return Ok(true);
        }
        let (Some(user), Some(page_id)) = (actor.user_id(), page_id) else {
            return Ok(false);
        };
        Ok(store::owners(ex, page_id).await?.contains(&user))
    }

    async fn require_owner(&self, ex: &mut impl Exec, actor: &Actor, page_id: Option<Uuid>) -> AppResult<()> {
        if self.is_owner(ex, actor, page_id).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only the page's owners (or an admin) may approve and merge changes".into(),
            ))
        }
    }

    async fn users_by_ids(&self, ex: &mut impl Exec, ids: &[UserId]) -> AppResult<Vec<User>> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(u) = users::user_by_id(ex, *id).await? {
                found.push(u);
            }
        }
        Ok(found)
    }

    /// Every page, by title.
    pub async fn list_handbook_pages(&self, _actor: &Actor) -> AppResult<Vec<Page>> {
        Ok(store::list_pages(&mut self.store().reader()).await?)
    }

    /// A page with its current revision rendered.
    pub async fn handbook_page(&self, _actor: &Actor, slug: &str) -> AppResult<PageView> {
        let mut reader = self.store().reader();
        let page = store::page_by_slug(&mut reader, slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("handbook page {slug}")))?;
        let revision_id = page
            .current_revision_id
            .ok_or_else(|| AppError::NotFound(format!("handbook page {slug}")))?;
        let revision = store::revision_by_id(&mut reader, revision_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("page {slug} has no current revision")))?;
        let owner_ids = store::owners(&mut reader, page.id).await?;
        let owners = self.users_by_ids(&mut reader, &owner_ids).await?;
        Ok(PageView {
            rendered: render_page(&revision.body),
            page,
            revision,
            owners,
        })
    }

    /// One section of a page by its heading anchor (`lead-lifecycle`, `disqualified`), rendered for
    /// showing where the work happens. `None` when the page or the anchor does not exist.
    pub async fn handbook_section(
        &self,
        page_slug: &str,
        anchor: &str,
    ) -> AppResult<Option<RenderedSection>> {
        let mut reader = self.store().reader();
        let Some(page) = store::page_by_slug(&mut reader, page_slug).await? else {
            return Ok(None);
        };
        let Some(revision_id) = page.current_revision_id else {
            return Ok(None);
        };
        let Some(revision) = store::revision_by_id(&mut reader, revision_id).await? else {
            return Ok(None);
        };
        let body = split_front_matter(&revision.body).body;
        let Some(markdown) = section(body, anchor) else {
            return Ok(None);
        };
        let heading = headings(body)
            .into_iter()
            .find(|h| h.anchor == anchor)
            .map(|h| h.text)
            .unwrap_or_default();
        let html = render(markdown, &RenderOptions::new(BASE_PATH)).html;
        Ok(Some(RenderedSection {
            page_slug: page.slug.clone(),
            page_title: page.title,
            anchor: anchor.to_owned(),
            heading,
            html,
            markdown: markdown.to_owned(),
            url: format!("{BASE_PATH}/{}#{anchor}", page.slug),
        }))
    }

    /// Pages whose title or text contains `q` (case-insensitive), for the global search.
    pub async fn search_handbook(&self, _actor: &Actor, q: &str, limit: i64) -> AppResult<Vec<HandbookHit>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let hits = store::search(&mut self.store().reader(), q, limit.clamp(1, 100)).await?;
        Ok(hits
            .into_iter()
            .map(|h| HandbookHit {
                snippet: snippet(&h.body, q),
                url: format!("{BASE_PATH}/{}", h.page.slug),
                slug: h.page.slug,
                title: h.page.title,
            })
            .collect())
    }

    /// A page's revisions, newest first.
    pub async fn handbook_history(&self, _actor: &Actor, slug: &str) -> AppResult<(Page, Vec<Revision>)> {
        let mut reader = self.store().reader();
        let page = store::page_by_slug(&mut reader, slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("handbook page {slug}")))?;
        let revisions = store::revisions_of(&mut reader, page.id).await?;
        Ok((page, revisions))
    }

    /// One revision of a page, with the diff from the revision before it.
    pub async fn handbook_revision(
        &self,
        _actor: &Actor,
        slug: &str,
        revision_id: Uuid,
    ) -> AppResult<(Page, Revision, Vec<DiffHunk>)> {
        let (page, revisions) = self.handbook_history(_actor, slug).await?;
        let index = revisions
            .iter()
            .position(|r| r.id == revision_id)
            .ok_or_else(|| AppError::NotFound("revision".into()))?;
        let previous = revisions.get(index + 1).map_or("", |r| r.body.as_str());
        let diff = diff_lines(previous, &revisions[index].body, 3);
        Ok((page, revisions[index].clone(), diff))
    }

    /// Replaces a page's owners (owners and admins).
    pub async fn set_handbook_owners(
        &self,
        actor: &Actor,
        slug: &str,
        owners: &[UserId],
    ) -> AppResult<Vec<User>> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let page = store::page_by_slug(&mut tx, slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("handbook page {slug}")))?;
        self.require_owner(&mut tx, actor, Some(page.id)).await?;
        let before = store::owners(&mut tx, page.id).await?;
        let mut unique: Vec<UserId> = owners.to_vec();
        unique.sort();
        unique.dedup();
        let found = self.users_by_ids(&mut tx, &unique).await?;
        if found.len() != unique.len() {
            return Err(Invalid::new(
                "owner_ids",
                "unknown_user",
                "every owner must be an existing user",
            )
            .into());
        }
        store::set_owners(&mut tx, page.id, &unique).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "handbook.owners",
                entity_type: "handbook_page",
                entity_id: Some(page.id.to_string()),
                before: Some(&before),
                after: Some(&unique),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Proposes a change to a page, or a new page. Anyone may propose.
    pub async fn propose_handbook_change(&self, actor: &Actor, input: NewProposal) -> AppResult<Proposal> {
        let slug = parse_slug(&input.slug)?;
        check_body(&input.body)?;
        let message = required_text("message", &input.message, MAX_TITLE_CHARS)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let page = store::page_by_slug(&mut tx, &slug).await?;
        let base_revision_id = match (&page, input.base_revision_id) {
            (Some(_), Some(base)) => {
                let base_rev = store::revision_by_id(&mut tx, base).await?;
                if base_rev.is_none_or(|r| Some(r.page_id) != page.as_ref().map(|p| p.id)) {
                    return Err(Invalid::new(
                        "base_revision_id",
                        "unknown_revision",
                        "the base revision is not a revision of this page",
                    )
                    .into());
                }
                Some(base)
            }
            (Some(p), None) => p.current_revision_id,
            (None, _) => None,
        };
        let title = match input.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => required_text("title", t, MAX_TITLE_CHARS)?,
            None => page
                .as_ref()
                .map(|p| p.title.clone())
                .or_else(|| title_of(&input.body))
                .unwrap_or_else(|| slug.clone()),
        };
        let proposal = Proposal {
            id: uuid_v7_at(now),
            page_id: page.as_ref().map(|p| p.id),
            slug,
            title,
            body: input.body,
            message,
            base_revision_id,
            restores_revision_id: None,
            status: if input.submit {
                status::IN_REVIEW
            } else {
                status::DRAFT
            }
            .into(),
            author_id: actor.user_id(),
            author_label: person_of(actor).0,
            created_at: now,
            updated_at: now,
            approved_by: None,
            approved_at: None,
            merged_by: None,
            merged_at: None,
            merged_revision_id: None,
        };
        self.insert_proposal(&mut tx, actor, &proposal).await?;
        tx.commit().await?;
        Ok(proposal)
    }

    async fn insert_proposal(&self, tx: &mut WriteTx, actor: &Actor, proposal: &Proposal) -> AppResult<()> {
        store::insert_proposal(tx, proposal).await?;
        audit::record::<(), _>(
            tx,
            actor,
            proposal.created_at,
            Change {
                action: "handbook.propose",
                entity_type: "handbook_proposal",
                entity_id: Some(proposal.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({
                    "slug": proposal.slug, "message": proposal.message, "status": proposal.status,
                    "base_revision_id": proposal.base_revision_id,
                })),
            },
        )
        .await
    }

    /// Proposes restoring an older revision: a new proposal whose text is that revision's, written
    /// against the current one.
    pub async fn restore_handbook_revision(
        &self,
        actor: &Actor,
        slug: &str,
        revision_id: Uuid,
    ) -> AppResult<Proposal> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let page = store::page_by_slug(&mut tx, slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("handbook page {slug}")))?;
        let old = store::revision_by_id(&mut tx, revision_id)
            .await?
            .filter(|r| r.page_id == page.id)
            .ok_or_else(|| AppError::NotFound("revision".into()))?;
        let proposal = Proposal {
            id: uuid_v7_at(now),
            page_id: Some(page.id),
            slug: page.slug.clone(),
            title: old.title.clone(),
            body: old.body.clone(),
            message: format!("Restore revision {} of {}", old.number, page.title),
            base_revision_id: page.current_revision_id,
            restores_revision_id: Some(old.id),
            status: status::IN_REVIEW.into(),
            author_id: actor.user_id(),
            author_label: person_of(actor).0,
            created_at: now,
            updated_at: now,
            approved_by: None,
            approved_at: None,
            merged_by: None,
            merged_at: None,
            merged_revision_id: None,
        };
        self.insert_proposal(&mut tx, actor, &proposal).await?;
        tx.commit().await?;
        Ok(proposal)
    }

    /// Proposals, newest first.
    pub async fn list_handbook_proposals(
        &self,
        _actor: &Actor,
        filter: &ProposalFilter,
        before: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<Proposal>> {
        Ok(store::list_proposals(&mut self.store().reader(), filter, before, limit.clamp(1, 500)).await?)
    }

    async fn load_proposal(&self, ex: &mut impl Exec, id: Uuid) -> AppResult<Proposal> {
        store::proposal_by_id(ex, id)
            .await?
            .ok_or_else(|| AppError::NotFound("proposal".into()))
    }

    /// A proposal with its diff, comments and what the viewer may do.
    pub async fn handbook_proposal(&self, actor: &Actor, id: Uuid) -> AppResult<ProposalView> {
        let mut reader = self.store().reader();
        let proposal = self.load_proposal(&mut reader, id).await?;
        let page = match proposal.page_id {
            Some(pid) => store::page_by_id(&mut reader, pid).await?,
            None => store::page_by_slug(&mut reader, &proposal.slug).await?,
        };
        let base_body = match proposal.base_revision_id {
            Some(b) => store::revision_by_id(&mut reader, b)
                .await?
                .map(|r| r.body)
                .unwrap_or_default(),
            None => String::new(),
        };
        let diff = diff_lines(&base_body, &proposal.body, 3);
        let comments = store::comments_of(&mut reader, id).await?;
        let open = !matches!(proposal.status.as_str(), status::MERGED | status::CLOSED);
        let stale = open && page.as_ref().and_then(|p| p.current_revision_id) != proposal.base_revision_id;
        let viewer_is_owner = self
            .is_owner(&mut reader, actor, page.as_ref().map(|p| p.id))
            .await?;
        let viewer_is_author = actor.user_id().is_some() && actor.user_id() == proposal.author_id;
        Ok(ProposalView {
            proposal,
            page,
            base_body,
            diff,
            comments,
            stale,
            viewer_is_owner,
            viewer_is_author,
        })
    }

    /// Changes an open proposal (its author, or an owner). Any change sends an approved proposal
    /// back to review.
    pub async fn update_handbook_proposal(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ProposalPatch,
    ) -> AppResult<Proposal> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut p = self.load_proposal(&mut tx, id).await?;
        self.require_author_or_owner(&mut tx, actor, &p).await?;
        require_open(&p)?;
        let before = p.clone();
        if let Some(body) = patch.body {
            check_body(&body)?;
            p.body = body;
        }
        if let Some(message) = patch.message {
            p.message = required_text("message", &message, MAX_TITLE_CHARS)?;
        }
        if let Some(title) = patch.title {
            p.title = required_text("title", &title, MAX_TITLE_CHARS)?;
        }
        if let Some(base) = patch.base_revision_id {
            let page_id = match p.page_id {
                Some(id) => Some(id),
                None => store::page_by_slug(&mut tx, &p.slug).await?.map(|pg| pg.id),
            };
            let rev = store::revision_by_id(&mut tx, base).await?;
            if page_id.is_none() || rev.as_ref().map(|r| r.page_id) != page_id {
                return Err(Invalid::new(
                    "base_revision_id",
                    "unknown_revision",
                    "the base revision is not a revision of this page",
                )
                .into());
            }
            p.page_id = page_id;
            p.base_revision_id = Some(base);
        }
        if p.status == status::APPROVED {
            p.status = status::IN_REVIEW.into();
            p.approved_by = None;
            p.approved_at = None;
        }
        p.updated_at = now;
        store::update_proposal(&mut tx, &p).await?;
        self.audit_proposal(&mut tx, actor, now, "handbook.proposal_update", &before, &p)
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    async fn audit_proposal(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        now: DateTime<Utc>,
        action: &str,
        before: &Proposal,
        after: &Proposal,
    ) -> AppResult<()> {
        let brief = |p: &Proposal| {
            serde_json::json!({"status": p.status, "message": p.message, "base_revision_id": p.base_revision_id,
                               "body_bytes": p.body.len()})
        };
        audit::record(
            tx,
            actor,
            now,
            Change {
                action,
                entity_type: "handbook_proposal",
                entity_id: Some(after.id.to_string()),
                before: Some(&brief(before)),
                after: Some(&brief(after)),
            },
        )
        .await
    }

    /// Sends a draft to review (its author, or an owner).
    pub async fn submit_handbook_proposal(&self, actor: &Actor, id: Uuid) -> AppResult<Proposal> {
        let mut tx = self.store().begin().await?;
        let mut p = self.load_proposal(&mut tx, id).await?;
        let before = p.clone();
        self.require_author_or_owner(&mut tx, actor, &p).await?;
        if p.status != status::DRAFT {
            return Err(AppError::conflict(
                "not_draft",
                "status",
                "only a draft can be submitted",
            ));
        }
        p.status = status::IN_REVIEW.into();
        self.save_move(tx, actor, &before, p, "handbook.proposal_submit")
            .await
    }

    /// Approves a proposal in review (owners and admins).
    pub async fn approve_handbook_proposal(&self, actor: &Actor, id: Uuid) -> AppResult<Proposal> {
        let mut tx = self.store().begin().await?;
        let mut p = self.load_proposal(&mut tx, id).await?;
        let before = p.clone();
        let page_id = self.page_id_of(&mut tx, &p).await?;
        self.require_owner(&mut tx, actor, page_id).await?;
        if !matches!(p.status.as_str(), status::IN_REVIEW | status::DRAFT) {
            return Err(AppError::conflict(
                "not_in_review",
                "status",
                format!(
                    "a proposal that is {} cannot be approved",
                    p.status.replace('_', " ")
                ),
            ));
        }
        p.status = status::APPROVED.into();
        p.approved_by = actor.user_id();
        p.approved_at = Some(self.now());
        self.save_move(tx, actor, &before, p, "handbook.proposal_approve")
            .await
    }

    /// Closes an open proposal without merging (its author, or an owner).
    pub async fn close_handbook_proposal(&self, actor: &Actor, id: Uuid) -> AppResult<Proposal> {
        let mut tx = self.store().begin().await?;
        let mut p = self.load_proposal(&mut tx, id).await?;
        let before = p.clone();
        self.require_author_or_owner(&mut tx, actor, &p).await?;
        require_open(&p)?;
        p.status = status::CLOSED.into();
        self.save_move(tx, actor, &before, p, "handbook.proposal_close")
            .await
    }

    async fn page_id_of(&self, ex: &mut impl Exec, p: &Proposal) -> AppResult<Option<Uuid>> {
        Ok(match p.page_id {
            Some(id) => Some(id),
            None => store::page_by_slug(ex, &p.slug).await?.map(|pg| pg.id),
        })
    }

    async fn require_author_or_owner(
        &self,
        ex: &mut impl Exec,
        actor: &Actor,
        p: &Proposal,
    ) -> AppResult<()> {
        let is_author = actor.user_id().is_some() && actor.user_id() == p.author_id;
        if is_author {
            return Ok(());
        }
        let page_id = self.page_id_of(ex, p).await?;
        self.require_owner(ex, actor, page_id).await
    }

    async fn save_move(
        &self,
        mut tx: WriteTx,
        actor: &Actor,
        before: &Proposal,
        mut p: Proposal,
        action: &str,
    ) -> AppResult<Proposal> {
        let now = self.now();
        p.updated_at = now;
        store::update_proposal(&mut tx, &p).await?;
        self.audit_proposal(&mut tx, actor, now, action, before, &p)
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Comments on a proposal (anyone).
    pub async fn comment_on_handbook_proposal(
        &self,
        actor: &Actor,
        id: Uuid,
        body: &str,
    ) -> AppResult<Comment> {
        let body = required_text("body", body, MAX_COMMENT_CHARS)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        self.load_proposal(&mut tx, id).await?;
        let comment = Comment {
            id: uuid_v7_at(now),
            proposal_id: id,
            author_id: actor.user_id(),
            author_label: person_of(actor).0,
            body,
            created_at: now,
        };
        store::insert_comment(&mut tx, &comment).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "handbook.comment",
                entity_type: "handbook_proposal",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(&comment),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// Merges an approved proposal (owners and admins). When the page has moved on since the
    /// proposal's base, nothing is merged and the three-way merge is returned to resolve.
    pub async fn merge_handbook_proposal(&self, actor: &Actor, id: Uuid) -> AppResult<MergeResult> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut p = self.load_proposal(&mut tx, id).await?;
        let page = match p.page_id {
            Some(pid) => store::page_by_id(&mut tx, pid).await?,
            None => store::page_by_slug(&mut tx, &p.slug).await?,
        };
        self.require_owner(&mut tx, actor, page.as_ref().map(|pg| pg.id))
            .await?;
        if p.status != status::APPROVED {
            return Err(AppError::conflict(
                "not_approved",
                "status",
                format!(
                    "only an approved proposal can be merged; this one is {}",
                    p.status.replace('_', " ")
                ),
            ));
        }
        let current_id = page.as_ref().and_then(|pg| pg.current_revision_id);
        if current_id != p.base_revision_id {
            let base = match p.base_revision_id {
                Some(b) => store::revision_by_id(&mut tx, b)
                    .await?
                    .map(|r| r.body)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let current = match current_id {
                Some(c) => store::revision_by_id(&mut tx, c)
                    .await?
                    .map(|r| r.body)
                    .unwrap_or_default(),
                None => String::new(),
            };
            tx.rollback().await?;
            return Ok(MergeResult::Stale(Box::new(StaleMerge {
                proposal_id: p.id,
                base_revision_id: p.base_revision_id,
                current_revision_id: current_id,
                merge: merge3(&base, &current, &p.body),
                base_to_current: diff_lines(&base, &current, 3),
                base_to_proposed: diff_lines(&base, &p.body, 3),
            })));
        }
        let before = p.clone();
        let (merger_name, merger_email) = person_of(actor);
        let (author_name, author_email) = match p.author_id {
            Some(a) => match users::user_by_id(&mut tx, a).await? {
                Some(u) => (u.name, u.email.to_string()),
                None => (p.author_label.clone(), String::new()),
            },
            None => (p.author_label.clone(), "handbook@prospector.invalid".into()),
        };
        let page = match page {
            Some(pg) => pg,
            None => {
                let pg = Page {
                    id: uuid_v7_at(now),
                    slug: p.slug.clone(),
                    title: p.title.clone(),
                    current_revision_id: None,
                    created_at: now,
                    updated_at: now,
                };
                match store::insert_page(&mut tx, &pg).await {
                    Err(StoreError::Conflict { .. }) => {
                        return Err(AppError::conflict(
                            "slug_taken",
                            "slug",
                            "a page with this slug exists",
                        ));
                    }
                    other => other?,
                }
                let owner = actor.user_id().or(p.author_id);
                if let Some(owner) = owner {
                    store::set_owners(&mut tx, pg.id, &[owner]).await?;
                }
                pg
            }
        };
        let revision = Revision {
            id: uuid_v7_at(now),
            page_id: page.id,
            number: store::next_revision_number(&mut tx, page.id).await?,
            title: p.title.clone(),
            body: p.body.clone(),
            message: p.message.clone(),
            proposal_id: Some(p.id),
            author_id: p.author_id,
            author_name,
            author_email,
            merged_by_id: actor.user_id(),
            merger_name,
            merger_email,
            merged_at: now,
        };
        store::insert_revision(&mut tx, &revision).await?;
        match store::set_current_revision(&mut tx, page.id, current_id, &revision).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::conflict(
                    "stale_base",
                    "base_revision_id",
                    "the page changed while merging; try again",
                ));
            }
            other => other?,
        }
        p.page_id = Some(page.id);
        p.status = status::MERGED.into();
        p.merged_by = actor.user_id();
        p.merged_at = Some(now);
        p.merged_revision_id = Some(revision.id);
        p.updated_at = now;
        store::update_proposal(&mut tx, &p).await?;
        self.audit_proposal(&mut tx, actor, now, "handbook.merge", &before, &p)
            .await?;
        tx.commit().await?;
        Ok(MergeResult::Merged {
            proposal: Box::new(p),
            revision: Box::new(revision),
        })
    }

    /// Writes a merged revision directly, without a proposal: the shipped defaults and
    /// `handbook import --merge`, both run by whoever owns the server. Returns `None` when the
    /// text equals the current revision.
    pub(crate) async fn write_revision_directly(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        text: PageText<'_>,
        at: DateTime<Utc>,
    ) -> AppResult<Option<Revision>> {
        let PageText {
            slug,
            title,
            body,
            message,
        } = text;
        let (name, email) = person_of(actor);
        let page = match store::page_by_slug(tx, slug).await? {
            Some(p) => p,
            None => {
                let p = Page {
                    id: uuid_v7_at(at),
                    slug: slug.to_owned(),
                    title: title.to_owned(),
                    current_revision_id: None,
                    created_at: at,
                    updated_at: at,
                };
                store::insert_page(tx, &p).await?;
                p
            }
        };
        if let Some(current) = page.current_revision_id
            && let Some(rev) = store::revision_by_id(tx, current).await?
            && rev.body == body
            && rev.title == title
        {
            return Ok(None);
        }
        let revision = Revision {
            id: uuid_v7_at(at),
            page_id: page.id,
            number: store::next_revision_number(tx, page.id).await?,
            title: title.to_owned(),
            body: body.to_owned(),
            message: message.to_owned(),
            proposal_id: None,
            author_id: actor.user_id(),
            author_name: name.clone(),
            author_email: email.clone(),
            merged_by_id: actor.user_id(),
            merger_name: name,
            merger_email: email,
            merged_at: at,
        };
        store::insert_revision(tx, &revision).await?;
        store::set_current_revision(tx, page.id, page.current_revision_id, &revision).await?;
        audit::record::<(), _>(
            tx,
            actor,
            at,
            Change {
                action: "handbook.write",
                entity_type: "handbook_page",
                entity_id: Some(page.id.to_string()),
                before: None,
                after: Some(
                    &serde_json::json!({"slug": slug, "revision": revision.number, "message": message}),
                ),
            },
        )
        .await?;
        Ok(Some(revision))
    }
}

/// A page's text written without a proposal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageText<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub message: &'a str,
}

fn require_open(p: &Proposal) -> AppResult<()> {
    if matches!(p.status.as_str(), status::MERGED | status::CLOSED) {
        return Err(AppError::conflict(
            "proposal_closed",
            "status",
            format!("the proposal is already {}", p.status),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_and_not_routes() {
        assert_eq!(parse_slug(" lead-lifecycle ").as_deref(), Ok("lead-lifecycle"));
        assert_eq!(parse_slug("Lead").map_err(|e| e.code), Err("invalid_slug"));
        assert_eq!(parse_slug("a/b").map_err(|e| e.code), Err("invalid_slug"));
        assert_eq!(parse_slug("proposals").map_err(|e| e.code), Err("reserved_slug"));
    }

    #[test]
    fn a_page_is_titled_by_front_matter_then_first_heading() {
        assert_eq!(
            title_of("---\ntitle: Calls\n---\n# Other\n").as_deref(),
            Some("Calls")
        );
        assert_eq!(
            title_of("# Qualification\n\ntext").as_deref(),
            Some("Qualification")
        );
        assert_eq!(title_of("just text"), None);
    }

    #[test]
    fn front_matter_is_not_rendered() {
        let out = render_page("---\ntitle: Calls\nowner: dana\n---\n# Calls\n");
        assert!(!out.html.contains("owner"), "{}", out.html);
        assert_eq!(out.toc.len(), 1);
    }
}
