//! Activities: append-only. There is no update or delete here on purpose; a correction is a new
//! row whose `corrects_id` names the one it corrects.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use prospector_core::records::{ActivityDetail, ActivityId, ActivityKind};
use serde::Serialize;

use super::{AccountId, OpportunityId, PersonId};
use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    /// Id.
    pub id: ActivityId,
    /// Kind.
    pub kind: ActivityKind,
    /// The person it is about.
    pub person_id: Option<PersonId>,
    /// The account it is about.
    pub account_id: Option<AccountId>,
    /// The opportunity it is about.
    pub opportunity_id: Option<OpportunityId>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    pub detail: ActivityDetail,
    /// The activity this one corrects.
    pub corrects_id: Option<ActivityId>,
    /// Whether a call counted as a connect.
    pub is_connect: bool,
    /// Who logged it (none for the product's own entries).
    pub actor_id: Option<UserId>,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
}

impl Activity {
    /// The searchable text of the activity, if it has any.
    pub fn search_body(&self) -> Option<String> {
        match &self.detail {
            ActivityDetail::Note { text } => Some(text.clone()),
            ActivityDetail::Call { notes, .. }
            | ActivityDetail::Linkedin { notes }
            | ActivityDetail::Meeting { notes, .. } => notes.clone(),
            ActivityDetail::Email { subject, .. } => subject.clone(),
            ActivityDetail::Retraction { reason } => reason.clone(),
            ActivityDetail::StatusChange { .. } => None,
        }
        .filter(|t| !t.trim().is_empty())
    }
}

const COLUMNS: &str = "id, kind, person_id, account_id, opportunity_id, occurred_at, detail, corrects_id, \
    is_connect, actor_id, created_at";

fn decode(row: &Row) -> StoreResult<Activity> {
    let kind: String = row.get("kind")?;
    let detail: serde_json::Value = row.get("detail")?;
    Ok(Activity {
        id: row.get("id")?,
        kind: ActivityKind::parse("kind", &kind).map_err(|e| StoreError::Decode {
            column: "kind".into(),
            message: e.message,
        })?,
        person_id: row.get("person_id")?,
        account_id: row.get("account_id")?,
        opportunity_id: row.get("opportunity_id")?,
        occurred_at: row.get("occurred_at")?,
        detail: serde_json::from_value(detail).map_err(|e| StoreError::Decode {
            column: "detail".into(),
            message: e.to_string(),
        })?,
        corrects_id: row.get("corrects_id")?,
        is_connect: row.get("is_connect")?,
        actor_id: row.get("actor_id")?,
        created_at: row.get("created_at")?,
    })
}

/// Appends an activity and files it in the dashboard rollups in the same transaction (a
/// correction first takes back the version it replaces).
pub async fn insert(ex: &mut impl Exec, a: &Activity) -> StoreResult<()> {
    crate::dashboards::rollups::on_activity(ex, a).await?;
    let detail = serde_json::to_value(&a.detail).map_err(|e| StoreError::Database(e.to_string()))?;
    ex.execute(
        query(
            "INSERT INTO activities (id, kind, person_id, account_id, opportunity_id, occurred_at, detail, \
             corrects_id, is_connect, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(a.id)
        .bind(a.kind.code())
        .bind(a.person_id)
        .bind(a.account_id)
        .bind(a.opportunity_id)
        .bind(a.occurred_at)
        .bind(detail)
        .bind(a.corrects_id)
        .bind(a.is_connect)
        .bind(a.actor_id)
        .bind(a.created_at),
    )
    .await?;
    Ok(())
}

/// Appends many activities in multi-row statements (bulk loads). This does not touch the
/// dashboard rollups: a bulk load ends with `dashboards::rollups::rebuild` or writes its own.
pub async fn insert_many(ex: &mut impl Exec, list: &[Activity]) -> StoreResult<()> {
    const COLS: usize = 11;
    for chunk in list.chunks(2500) {
        let mut q = query("");
        for a in chunk {
            let detail = serde_json::to_value(&a.detail).map_err(|e| StoreError::Database(e.to_string()))?;
            q = q
                .bind(a.id)
                .bind(a.kind.code())
                .bind(a.person_id)
                .bind(a.account_id)
                .bind(a.opportunity_id)
                .bind(a.occurred_at)
                .bind(detail)
                .bind(a.corrects_id)
                .bind(a.is_connect)
                .bind(a.actor_id)
                .bind(a.created_at);
        }
        let rows = crate::bulk::values_rows(ex.backend(), chunk.len(), COLS);
        let sql = format!(
            "INSERT INTO activities (id, kind, person_id, account_id, opportunity_id, occurred_at, detail, \
             corrects_id, is_connect, actor_id, created_at) VALUES {rows}"
        );
        ex.write(q.with_sql(sql)).await?;
    }
    Ok(())
}

/// The activity with `id`.
pub async fn get(ex: &mut impl Exec, id: ActivityId) -> StoreResult<Option<Activity>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM activities WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The activity `root` and every correction of it.
pub async fn chain(ex: &mut impl Exec, root: ActivityId) -> StoreResult<Vec<ActivityId>> {
    let rows = ex
        .fetch_all(query("SELECT id FROM activities WHERE id = $1 OR corrects_id = $1").bind(root))
        .await?;
    rows.iter().map(|r| r.get("id")).collect()
}

/// The retraction of the activity chain starting at `root`, if it was retracted.
pub async fn retraction_of(ex: &mut impl Exec, root: ActivityId) -> StoreResult<Option<ActivityId>> {
    let row = ex
        .fetch_optional(
            query("SELECT id FROM activities WHERE corrects_id = $1 AND kind = 'retraction'").bind(root),
        )
        .await?;
    row.map(|r| r.get("id")).transpose()
}

/// Which of `items` were logged by mistake: retracted originals and every correction of one
/// (a retraction names the first version of its chain). One indexed lookup per page.
pub async fn retracted_among(ex: &mut impl Exec, items: &[Activity]) -> StoreResult<HashSet<ActivityId>> {
    let roots: Vec<ActivityId> = items
        .iter()
        .filter(|a| a.kind != ActivityKind::Retraction)
        .map(|a| a.corrects_id.unwrap_or(a.id))
        .collect();
    if roots.is_empty() {
        return Ok(HashSet::new());
    }
    let mut q = query("");
    let marks: Vec<String> = roots.iter().map(|r| format!("${}", q.push_bind(*r))).collect();
    let sql = format!(
        "SELECT corrects_id FROM activities WHERE kind = 'retraction' AND corrects_id IN ({})",
        marks.join(", ")
    );
    let mut retracted_roots = HashSet::new();
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        retracted_roots.insert(r.get::<ActivityId>("corrects_id")?);
    }
    Ok(items
        .iter()
        .filter(|a| a.kind != ActivityKind::Retraction)
        .filter(|a| retracted_roots.contains(&a.corrects_id.unwrap_or(a.id)))
        .map(|a| a.id)
        .collect())
}

/// Whose timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A person's.
    Person(PersonId),
    /// An account's.
    Account(AccountId),
    /// An opportunity's.
    Opportunity(OpportunityId),
}

/// A timeline, newest first (by when it happened, then by id), before the keyset cursor
/// `before` (from [`cursor`]), at most `limit`.
pub async fn timeline(
    ex: &mut impl Exec,
    subject: Subject,
    before: Option<(DateTime<Utc>, ActivityId)>,
    limit: i64,
) -> StoreResult<Vec<Activity>> {
    let (column, mut q) = match subject {
        Subject::Person(id) => ("person_id", query("").bind(id)),
        Subject::Account(id) => ("account_id", query("").bind(id)),
        Subject::Opportunity(id) => ("opportunity_id", query("").bind(id)),
    };
    let mut sql = format!("SELECT {COLUMNS} FROM activities WHERE {column} = $1");
    if let Some((t, id)) = before {
        let v = q.push_bind(t);
        let i = q.push_bind(id);
        sql.push_str(&format!(
            " AND (occurred_at < ${v} OR (occurred_at = ${v} AND id < ${i}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY occurred_at DESC, id DESC LIMIT ${}",
        q.push_bind(limit)
    ));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}

/// The keyset cursor after `a` in a timeline.
pub fn cursor(a: &Activity) -> String {
    format!("{}~{}", a.occurred_at.timestamp_micros(), a.id)
}

/// Reads a cursor made by [`cursor`].
pub fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, ActivityId)> {
    let (t, id) = raw.split_once('~')?;
    Some((
        DateTime::from_timestamp_micros(t.parse().ok()?)?,
        id.parse().ok()?,
    ))
}
