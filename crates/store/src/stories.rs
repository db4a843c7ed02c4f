//! Customer stories: nominated from an activity or an account, moved across marketing's board.
//! The source is named by text (`source_type`, `source_id`) and an optional `account_id`, without
//! foreign keys, until the records tables exist on this branch.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

/// A customer story (the consent file's bytes are read separately, see [`consent_file`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Story {
    /// Id.
    pub id: Uuid,
    /// `why_chose_us`, `how_they_use_it`, `switched_from`, `innersourcing`, `contributor`.
    pub story_type: String,
    /// For `switched_from`: the tool they left.
    pub switched_from: Option<String>,
    /// `activity` or `account`.
    pub source_type: String,
    /// The activity's or account's id.
    pub source_id: String,
    /// The account the story is about, when known.
    pub account_id: Option<String>,
    /// The account's name as typed, for display until accounts land.
    pub account_name: Option<String>,
    /// What the customer said.
    pub quote: String,
    /// Why it is a story.
    pub summary: String,
    /// Board column: `suggested` … `published`, or `dropped`.
    pub stage: String,
    /// Who nominated it.
    pub nominated_by: UserId,
    /// When.
    pub nominated_at: DateTime<Utc>,
    /// Last move.
    pub updated_at: DateTime<Utc>,
    /// The customer person who consented.
    pub consent_given_by: Option<String>,
    /// When they consented.
    pub consent_given_at: Option<DateTime<Utc>>,
    /// Who recorded the consent.
    pub consent_recorded_by: Option<UserId>,
    /// The consent file's name.
    pub consent_file_name: Option<String>,
    /// Its media type.
    pub consent_file_type: Option<String>,
    /// Where it was published.
    pub published_url: Option<String>,
    /// Why it was dropped.
    pub dropped_reason: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

const COLUMNS: &str = "id, story_type, switched_from, source_type, source_id, account_id, account_name, quote, \
     summary, stage, nominated_by, nominated_at, updated_at, consent_given_by, consent_given_at, \
     consent_recorded_by, consent_file_name, consent_file_type, published_url, dropped_reason, version";

fn decode(r: &Row) -> StoreResult<Story> {
    Ok(Story {
        id: r.get("id")?,
        story_type: r.get("story_type")?,
        switched_from: r.get("switched_from")?,
        source_type: r.get("source_type")?,
        source_id: r.get("source_id")?,
        account_id: r.get("account_id")?,
        account_name: r.get("account_name")?,
        quote: r.get("quote")?,
        summary: r.get("summary")?,
        stage: r.get("stage")?,
        nominated_by: r.get("nominated_by")?,
        nominated_at: r.get("nominated_at")?,
        updated_at: r.get("updated_at")?,
        consent_given_by: r.get("consent_given_by")?,
        consent_given_at: r.get("consent_given_at")?,
        consent_recorded_by: r.get("consent_recorded_by")?,
        consent_file_name: r.get("consent_file_name")?,
        consent_file_type: r.get("consent_file_type")?,
        published_url: r.get("published_url")?,
        dropped_reason: r.get("dropped_reason")?,
        version: r.get("version")?,
    })
}

/// Adds a story.
pub async fn insert(ex: &mut impl Exec, s: &Story) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO customer_stories ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        ))
        .bind(s.id)
        .bind(&s.story_type)
        .bind(s.switched_from.clone())
        .bind(&s.source_type)
        .bind(&s.source_id)
        .bind(s.account_id.clone())
        .bind(s.account_name.clone())
        .bind(&s.quote)
        .bind(&s.summary)
        .bind(&s.stage)
        .bind(s.nominated_by)
        .bind(s.nominated_at)
        .bind(s.updated_at)
        .bind(s.consent_given_by.clone())
        .bind(s.consent_given_at)
        .bind(s.consent_recorded_by)
        .bind(s.consent_file_name.clone())
        .bind(s.consent_file_type.clone())
        .bind(s.published_url.clone())
        .bind(s.dropped_reason.clone())
        .bind(s.version),
    )
    .await?;
    Ok(())
}

/// Saves a story's board fields if its stored version is `s.version - 1`.
pub async fn update(ex: &mut impl Exec, s: &Story) -> StoreResult<()> {
    let n = ex
        .execute(
            query(
                "UPDATE customer_stories SET stage = $1, updated_at = $2, consent_given_by = $3, \
                 consent_given_at = $4, consent_recorded_by = $5, consent_file_name = $6, consent_file_type = $7, \
                 published_url = $8, dropped_reason = $9, version = $10 WHERE id = $11 AND version = $12",
            )
            .bind(&s.stage)
            .bind(s.updated_at)
            .bind(s.consent_given_by.clone())
            .bind(s.consent_given_at)
            .bind(s.consent_recorded_by)
            .bind(s.consent_file_name.clone())
            .bind(s.consent_file_type.clone())
            .bind(s.published_url.clone())
            .bind(s.dropped_reason.clone())
            .bind(s.version)
            .bind(s.id)
            .bind(s.version - 1),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            constraint: "customer_stories.version".into(),
        });
    }
    Ok(())
}

/// Stores the consent file's bytes.
pub async fn set_consent_file(ex: &mut impl Exec, id: Uuid, bytes: Vec<u8>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE customer_stories SET consent_file = $1 WHERE id = $2")
            .bind(bytes)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// The consent file's bytes, when one was recorded.
pub async fn consent_file(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Vec<u8>>> {
    let row = ex
        .fetch_optional(query("SELECT consent_file FROM customer_stories WHERE id = $1").bind(id))
        .await?;
    match row {
        Some(r) => r.get("consent_file"),
        None => Ok(None),
    }
}

/// The story with `id`.
pub async fn by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Story>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM customer_stories WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Which stories to list.
#[derive(Debug, Clone, Default)]
pub struct StoryFilter {
    /// Only this board column.
    pub stage: Option<String>,
    /// Only nominated by this user.
    pub nominated_by: Option<UserId>,
    /// Only about this account.
    pub account_id: Option<String>,
}

/// Stories newest first, before the keyset cursor `before`, at most `limit`.
pub async fn list(
    ex: &mut impl Exec,
    filter: &StoryFilter,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<Story>> {
    let mut sql = format!("SELECT {COLUMNS} FROM customer_stories WHERE 1 = 1");
    let mut q = query("");
    if let Some(stage) = &filter.stage {
        sql.push_str(&format!(" AND stage = ${}", q.push_bind(stage.as_str())));
    }
    if let Some(user) = filter.nominated_by {
        sql.push_str(&format!(" AND nominated_by = ${}", q.push_bind(user)));
    }
    if let Some(account) = &filter.account_id {
        sql.push_str(&format!(" AND account_id = ${}", q.push_bind(account.as_str())));
    }
    if let Some(before) = before {
        sql.push_str(&format!(" AND id < ${}", q.push_bind(before)));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", q.push_bind(limit)));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}

/// Who nominates most: (user, name, count), most first.
pub async fn top_nominators(ex: &mut impl Exec, limit: i64) -> StoreResult<Vec<(UserId, String, i64)>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT s.nominated_by AS user_id, u.name AS name, COUNT(*) AS n FROM customer_stories s \
                 JOIN users u ON u.id = s.nominated_by GROUP BY s.nominated_by, u.name \
                 ORDER BY n DESC, u.name LIMIT $1",
            )
            .bind(limit),
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("user_id")?, r.get("name")?, r.get("n")?)))
        .collect()
}
