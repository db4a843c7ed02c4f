//! Handbook pages, their revisions, proposals and proposal comments. Every revision is kept, so
//! every app node serves the same handbook and any revision can be restored.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

/// A handbook page: a slug, a title and the revision now shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page {
    /// Id.
    pub id: Uuid,
    /// URL name, unique (`lead-lifecycle`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// The merged revision shown; `None` only while a page is being created.
    pub current_revision_id: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last merge.
    pub updated_at: DateTime<Utc>,
}

/// One merged version of a page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Revision {
    /// Id.
    pub id: Uuid,
    /// The page.
    pub page_id: Uuid,
    /// 1, 2, 3… per page.
    pub number: i64,
    /// The page title at this revision.
    pub title: String,
    /// The full markdown, front matter included.
    pub body: String,
    /// What changed (the proposal's title).
    pub message: String,
    /// The proposal merged, if any (seeds and `import --merge` have none).
    pub proposal_id: Option<Uuid>,
    /// Who wrote the change.
    pub author_id: Option<UserId>,
    /// The author's name, kept for history and the git export.
    pub author_name: String,
    /// The author's email.
    pub author_email: String,
    /// Who merged it.
    pub merged_by_id: Option<UserId>,
    /// The merger's name (the git author of the exported commit).
    pub merger_name: String,
    /// The merger's email.
    pub merger_email: String,
    /// When it was merged.
    pub merged_at: DateTime<Utc>,
}

/// A proposed change to a page (or a new page).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Proposal {
    /// Id.
    pub id: Uuid,
    /// The page changed; `None` for a new page until merged.
    pub page_id: Option<Uuid>,
    /// The page's slug.
    pub slug: String,
    /// The page title proposed.
    pub title: String,
    /// The full proposed markdown.
    pub body: String,
    /// The proposal's title, used as the commit message.
    pub message: String,
    /// The revision the change was written against (`None` for a new page).
    pub base_revision_id: Option<Uuid>,
    /// Set when the proposal restores an older revision.
    pub restores_revision_id: Option<Uuid>,
    /// `draft`, `in_review`, `approved`, `merged` or `closed`.
    pub status: String,
    /// Who proposed it.
    pub author_id: Option<UserId>,
    /// The proposer as shown.
    pub author_label: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who approved it.
    pub approved_by: Option<UserId>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// Who merged it.
    pub merged_by: Option<UserId>,
    /// When.
    pub merged_at: Option<DateTime<Utc>>,
    /// The revision the merge made.
    pub merged_revision_id: Option<Uuid>,
}

/// A comment on a proposal.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comment {
    /// Id.
    pub id: Uuid,
    /// The proposal.
    pub proposal_id: Uuid,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// As shown.
    pub author_label: String,
    /// Plain text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

const PAGE_COLUMNS: &str = "id, slug, title, current_revision_id, created_at, updated_at";
const REVISION_COLUMNS: &str = "id, page_id, number, title, body, message, proposal_id, author_id, author_name, \
     author_email, merged_by_id, merger_name, merger_email, merged_at";
const PROPOSAL_COLUMNS: &str = "id, page_id, slug, title, body, message, base_revision_id, restores_revision_id, \
     status, author_id, author_label, created_at, updated_at, approved_by, approved_at, merged_by, merged_at, \
     merged_revision_id";

fn decode_page(r: &Row) -> StoreResult<Page> {
    Ok(Page {
        id: r.get("id")?,
        slug: r.get("slug")?,
        title: r.get("title")?,
        current_revision_id: r.get("current_revision_id")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

fn decode_revision(r: &Row) -> StoreResult<Revision> {
    Ok(Revision {
        id: r.get("id")?,
        page_id: r.get("page_id")?,
        number: r.get("number")?,
        title: r.get("title")?,
        body: r.get("body")?,
        message: r.get("message")?,
        proposal_id: r.get("proposal_id")?,
        author_id: r.get("author_id")?,
        author_name: r.get("author_name")?,
        author_email: r.get("author_email")?,
        merged_by_id: r.get("merged_by_id")?,
        merger_name: r.get("merger_name")?,
        merger_email: r.get("merger_email")?,
        merged_at: r.get("merged_at")?,
    })
}

fn decode_proposal(r: &Row) -> StoreResult<Proposal> {
    Ok(Proposal {
        id: r.get("id")?,
        page_id: r.get("page_id")?,
        slug: r.get("slug")?,
        title: r.get("title")?,
        body: r.get("body")?,
        message: r.get("message")?,
        base_revision_id: r.get("base_revision_id")?,
        restores_revision_id: r.get("restores_revision_id")?,
        status: r.get("status")?,
        author_id: r.get("author_id")?,
        author_label: r.get("author_label")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        approved_by: r.get("approved_by")?,
        approved_at: r.get("approved_at")?,
        merged_by: r.get("merged_by")?,
        merged_at: r.get("merged_at")?,
        merged_revision_id: r.get("merged_revision_id")?,
    })
}

/// Adds a page; a taken slug is [`StoreError::Conflict`].
pub async fn insert_page(ex: &mut impl Exec, page: &Page) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO handbook_pages ({PAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(page.id)
        .bind(&page.slug)
        .bind(&page.title)
        .bind(page.current_revision_id)
        .bind(page.created_at)
        .bind(page.updated_at),
    )
    .await?;
    Ok(())
}

/// Points a page at a newly merged revision, if the page is still at `expected_current` (so two
/// merges racing on one page cannot both win).
pub async fn set_current_revision(
    ex: &mut impl Exec,
    page_id: Uuid,
    expected_current: Option<Uuid>,
    revision: &Revision,
) -> StoreResult<()> {
    let mut sql = String::from(
        "UPDATE handbook_pages SET current_revision_id = $1, title = $2, updated_at = $3 WHERE id = $4",
    );
    let mut q = query("")
        .bind(revision.id)
        .bind(&revision.title)
        .bind(revision.merged_at)
        .bind(page_id);
    match expected_current {
        Some(current) => sql.push_str(&format!(" AND current_revision_id = ${}", q.push_bind(current))),
        None => sql.push_str(" AND current_revision_id IS NULL"),
    }
    if ex.execute(q.with_sql(sql)).await? == 0 {
        return Err(StoreError::Conflict {
            constraint: "handbook_pages.current_revision_id".into(),
        });
    }
    Ok(())
}

/// The page called `slug`.
pub async fn page_by_slug(ex: &mut impl Exec, slug: &str) -> StoreResult<Option<Page>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {PAGE_COLUMNS} FROM handbook_pages WHERE slug = $1"
            ))
            .bind(slug),
        )
        .await?;
    row.as_ref().map(decode_page).transpose()
}

/// The page with `id`.
pub async fn page_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Page>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {PAGE_COLUMNS} FROM handbook_pages WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode_page).transpose()
}

/// Every page by title.
pub async fn list_pages(ex: &mut impl Exec) -> StoreResult<Vec<Page>> {
    let rows = ex
        .fetch_all(query(format!(
            "SELECT {PAGE_COLUMNS} FROM handbook_pages WHERE current_revision_id IS NOT NULL ORDER BY lower(title), id"
        )))
        .await?;
    rows.iter().map(decode_page).collect()
}

/// How many pages exist (defaults are seeded only into an empty handbook).
pub async fn count_pages(ex: &mut impl Exec) -> StoreResult<i64> {
    ex.fetch_one(query("SELECT COUNT(*) AS n FROM handbook_pages"))
        .await?
        .get("n")
}

/// A page's owners.
pub async fn owners(ex: &mut impl Exec, page_id: Uuid) -> StoreResult<Vec<UserId>> {
    let rows = ex
        .fetch_all(
            query("SELECT user_id FROM handbook_page_owners WHERE page_id = $1 ORDER BY user_id")
                .bind(page_id),
        )
        .await?;
    rows.iter().map(|r| r.get("user_id")).collect()
}

/// Replaces a page's owners.
pub async fn set_owners(ex: &mut impl Exec, page_id: Uuid, owners: &[UserId]) -> StoreResult<()> {
    ex.execute(query("DELETE FROM handbook_page_owners WHERE page_id = $1").bind(page_id))
        .await?;
    for owner in owners {
        ex.execute(
            query("INSERT INTO handbook_page_owners (page_id, user_id) VALUES ($1, $2)")
                .bind(page_id)
                .bind(*owner),
        )
        .await?;
    }
    Ok(())
}

/// Adds a revision.
pub async fn insert_revision(ex: &mut impl Exec, r: &Revision) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO handbook_revisions ({REVISION_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(r.id)
        .bind(r.page_id)
        .bind(r.number)
        .bind(&r.title)
        .bind(&r.body)
        .bind(&r.message)
        .bind(r.proposal_id)
        .bind(r.author_id)
        .bind(&r.author_name)
        .bind(&r.author_email)
        .bind(r.merged_by_id)
        .bind(&r.merger_name)
        .bind(&r.merger_email)
        .bind(r.merged_at),
    )
    .await?;
    Ok(())
}

/// The revision with `id`.
pub async fn revision_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Revision>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {REVISION_COLUMNS} FROM handbook_revisions WHERE id = $1"
            ))
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode_revision).transpose()
}

/// A page's revisions, newest first.
pub async fn revisions_of(ex: &mut impl Exec, page_id: Uuid) -> StoreResult<Vec<Revision>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {REVISION_COLUMNS} FROM handbook_revisions WHERE page_id = $1 ORDER BY number DESC"
            ))
            .bind(page_id),
        )
        .await?;
    rows.iter().map(decode_revision).collect()
}

/// The next revision number of a page.
pub async fn next_revision_number(ex: &mut impl Exec, page_id: Uuid) -> StoreResult<i64> {
    let n: Option<i64> = ex
        .fetch_one(query("SELECT MAX(number) AS n FROM handbook_revisions WHERE page_id = $1").bind(page_id))
        .await?
        .get("n")?;
    Ok(n.unwrap_or(0) + 1)
}

/// Every revision of every page in merge order, with its page's slug (for the git export).
pub async fn all_revisions_in_merge_order(ex: &mut impl Exec) -> StoreResult<Vec<(String, Revision)>> {
    let columns = REVISION_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = ex
        .fetch_all(query(format!(
            "SELECT p.slug AS slug, {columns} FROM handbook_revisions r JOIN handbook_pages p ON p.id = r.page_id \
             ORDER BY r.merged_at, r.id"
        )))
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("slug")?, decode_revision(r)?)))
        .collect()
}

/// A page found by a search, with its current text.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The page.
    pub page: Page,
    /// Its current markdown.
    pub body: String,
}

/// Pages whose current title or text contains `needle` (case-insensitive), best title matches first.
pub async fn search(ex: &mut impl Exec, needle: &str, limit: i64) -> StoreResult<Vec<SearchHit>> {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let columns = PAGE_COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {columns}, r.body AS body FROM handbook_pages p \
                 JOIN handbook_revisions r ON r.id = p.current_revision_id \
                 WHERE lower(p.title) LIKE $1 ESCAPE '\\' OR lower(r.body) LIKE $1 ESCAPE '\\' \
                 ORDER BY CASE WHEN lower(p.title) LIKE $1 ESCAPE '\\' THEN 0 ELSE 1 END, lower(p.title) LIMIT $2"
            ))
            .bind(pattern)
            .bind(limit),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SearchHit {
                page: decode_page(r)?,
                body: r.get("body")?,
            })
        })
        .collect()
}

/// Adds a proposal.
pub async fn insert_proposal(ex: &mut impl Exec, p: &Proposal) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO handbook_proposals ({PROPOSAL_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .bind(p.id)
        .bind(p.page_id)
        .bind(&p.slug)
        .bind(&p.title)
        .bind(&p.body)
        .bind(&p.message)
        .bind(p.base_revision_id)
        .bind(p.restores_revision_id)
        .bind(&p.status)
        .bind(p.author_id)
        .bind(&p.author_label)
        .bind(p.created_at)
        .bind(p.updated_at)
        .bind(p.approved_by)
        .bind(p.approved_at)
        .bind(p.merged_by)
        .bind(p.merged_at)
        .bind(p.merged_revision_id),
    )
    .await?;
    Ok(())
}

/// Saves every mutable field of a proposal.
pub async fn update_proposal(ex: &mut impl Exec, p: &Proposal) -> StoreResult<()> {
    let n = ex
        .execute(
            query(
                "UPDATE handbook_proposals SET page_id = $1, title = $2, body = $3, message = $4, \
                 base_revision_id = $5, status = $6, updated_at = $7, approved_by = $8, approved_at = $9, \
                 merged_by = $10, merged_at = $11, merged_revision_id = $12 WHERE id = $13",
            )
            .bind(p.page_id)
            .bind(&p.title)
            .bind(&p.body)
            .bind(&p.message)
            .bind(p.base_revision_id)
            .bind(&p.status)
            .bind(p.updated_at)
            .bind(p.approved_by)
            .bind(p.approved_at)
            .bind(p.merged_by)
            .bind(p.merged_at)
            .bind(p.merged_revision_id)
            .bind(p.id),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The proposal with `id`.
pub async fn proposal_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Proposal>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {PROPOSAL_COLUMNS} FROM handbook_proposals WHERE id = $1"
            ))
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode_proposal).transpose()
}

/// Which proposals to list.
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only for this page slug.
    pub slug: Option<String>,
}

/// Proposals newest first, before the keyset cursor `before`, at most `limit`.
pub async fn list_proposals(
    ex: &mut impl Exec,
    filter: &ProposalFilter,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<Proposal>> {
    let mut sql = format!("SELECT {PROPOSAL_COLUMNS} FROM handbook_proposals WHERE 1 = 1");
    let mut q = query("");
    if let Some(status) = &filter.status {
        sql.push_str(&format!(" AND status = ${}", q.push_bind(status.as_str())));
    }
    if let Some(slug) = &filter.slug {
        sql.push_str(&format!(" AND slug = ${}", q.push_bind(slug.as_str())));
    }
    if let Some(before) = before {
        sql.push_str(&format!(" AND id < ${}", q.push_bind(before)));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", q.push_bind(limit)));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode_proposal).collect()
}

/// Adds a comment.
pub async fn insert_comment(ex: &mut impl Exec, c: &Comment) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO handbook_comments (id, proposal_id, author_id, author_label, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.id)
        .bind(c.proposal_id)
        .bind(c.author_id)
        .bind(&c.author_label)
        .bind(&c.body)
        .bind(c.created_at),
    )
    .await?;
    Ok(())
}

/// A proposal's comments, oldest first.
pub async fn comments_of(ex: &mut impl Exec, proposal_id: Uuid) -> StoreResult<Vec<Comment>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, proposal_id, author_id, author_label, body, created_at FROM handbook_comments \
                 WHERE proposal_id = $1 ORDER BY id",
            )
            .bind(proposal_id),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Comment {
                id: r.get("id")?,
                proposal_id: r.get("proposal_id")?,
                author_id: r.get("author_id")?,
                author_label: r.get("author_label")?,
                body: r.get("body")?,
                created_at: r.get("created_at")?,
            })
        })
        .collect()
}

/// A handbook section linked from a place in the product, as changed by an admin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// `disposition`, `status`, `reason`, `criterion`, `stage`, `routing_rule`, `sequence_step`.
    pub context: String,
    /// The code within the context (`disqualified`, `soft_bant:budget`), or `*` for all of them.
    pub key: String,
    /// The page.
    pub page_slug: String,
    /// The heading anchor on it.
    pub anchor: String,
    /// Who changed it last.
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// Every link admins have set, by context and key.
pub async fn list_links(ex: &mut impl Exec) -> StoreResult<Vec<Link>> {
    let rows = ex
        .fetch_all(query(
            "SELECT context, key, page_slug, anchor, updated_by, updated_at FROM handbook_links \
             ORDER BY context, key",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Link {
                context: r.get("context")?,
                key: r.get("key")?,
                page_slug: r.get("page_slug")?,
                anchor: r.get("anchor")?,
                updated_by: r.get("updated_by")?,
                updated_at: r.get("updated_at")?,
            })
        })
        .collect()
}

/// Sets the section a context links to.
pub async fn upsert_link(ex: &mut impl Exec, link: &Link) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO handbook_links (context, key, page_slug, anchor, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (context, key) DO UPDATE SET page_slug = excluded.page_slug, \
             anchor = excluded.anchor, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(link.context.clone())
        .bind(link.key.clone())
        .bind(link.page_slug.clone())
        .bind(link.anchor.clone())
        .bind(link.updated_by)
        .bind(link.updated_at),
    )
    .await?;
    Ok(())
}

/// Forgets an admin's link, so the shipped default applies again.
pub async fn delete_link(ex: &mut impl Exec, context: &str, key: &str) -> StoreResult<()> {
    ex.execute(
        query("DELETE FROM handbook_links WHERE context = $1 AND key = $2")
            .bind(context.to_owned())
            .bind(key.to_owned()),
    )
    .await?;
    Ok(())
}
