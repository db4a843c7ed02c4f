//! Merges of two people or two accounts, recorded so they can be undone: which rows of which
//! tables were moved from the loser to the survivor, and both records as they were.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::MergeId;
use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

/// The rows a merge moved from one table's foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// Table.
    pub table: String,
    /// The foreign-key column that was repointed.
    pub column: String,
    /// The moved rows' ids.
    pub ids: Vec<Uuid>,
}

/// The tables and columns that may be repointed by a merge (never taken from input).
const MOVABLE: &[(&str, &str)] = &[
    ("activities", "person_id"),
    ("tasks", "person_id"),
    ("opportunities", "person_id"),
    ("activities", "account_id"),
    ("tasks", "account_id"),
    ("opportunities", "account_id"),
    ("people", "account_id"),
    ("accounts", "parent_id"),
    ("account_domains", "account_id"),
];

fn movable(table: &str, column: &str) -> StoreResult<(&'static str, &'static str)> {
    MOVABLE
        .iter()
        .copied()
        .find(|(t, c)| *t == table && *c == column)
        .ok_or_else(|| StoreError::Database(format!("{table}.{column} is not movable by a merge")))
}

/// Repoints every row of `table` whose `column` is `from` to `to`, returning what moved.
pub async fn move_rows(
    ex: &mut impl Exec,
    table: &str,
    column: &str,
    from: Uuid,
    to: Uuid,
) -> StoreResult<Moved> {
    let (t, c) = movable(table, column)?;
    let rows = ex
        .fetch_all(query(format!("SELECT id FROM {t} WHERE {c} = $1")).bind(from))
        .await?;
    let ids = rows
        .iter()
        .map(|r| r.get("id"))
        .collect::<StoreResult<Vec<Uuid>>>()?;
    ex.execute(
        query(format!("UPDATE {t} SET {c} = $1 WHERE {c} = $2"))
            .bind(to)
            .bind(from),
    )
    .await?;
    Ok(Moved {
        table: t.into(),
        column: c.into(),
        ids,
    })
}

/// Points the rows `moved` lists back at `to` (the loser, on undo).
pub async fn move_back(ex: &mut impl Exec, moved: &Moved, to: Uuid) -> StoreResult<()> {
    let (t, c) = movable(&moved.table, &moved.column)?;
    for chunk in moved.ids.chunks(500) {
        let mut q = query("");
        let first = q.push_bind(to);
        let ns: Vec<String> = chunk.iter().map(|id| format!("${}", q.push_bind(*id))).collect();
        let sql = format!("UPDATE {t} SET {c} = ${first} WHERE id IN ({})", ns.join(", "));
        ex.execute(q.with_sql(sql)).await?;
    }
    Ok(())
}

/// A recorded merge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    /// Id.
    pub id: MergeId,
    /// `person` or `account`.
    pub kind: String,
    /// The record kept.
    pub survivor_id: Uuid,
    /// The record merged away.
    pub loser_id: Uuid,
    /// What undo needs: both records before and the moved rows.
    pub snapshot: serde_json::Value,
    /// Who merged.
    pub actor_id: Option<UserId>,
    /// When.
    pub merged_at: DateTime<Utc>,
    /// When it was undone.
    pub undone_at: Option<DateTime<Utc>>,
}

fn decode(row: &Row) -> StoreResult<Merge> {
    Ok(Merge {
        id: row.get("id")?,
        kind: row.get("kind")?,
        survivor_id: row.get("survivor_id")?,
        loser_id: row.get("loser_id")?,
        snapshot: row.get("snapshot")?,
        actor_id: row.get("actor_id")?,
        merged_at: row.get("merged_at")?,
        undone_at: row.get("undone_at")?,
    })
}

/// Records a merge.
pub async fn insert(ex: &mut impl Exec, m: &Merge) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO merges (id, kind, survivor_id, loser_id, snapshot, actor_id, merged_at, undone_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id)
        .bind(&m.kind)
        .bind(m.survivor_id)
        .bind(m.loser_id)
        .bind(m.snapshot.clone())
        .bind(m.actor_id)
        .bind(m.merged_at)
        .bind(m.undone_at),
    )
    .await?;
    Ok(())
}

/// The merge with `id`.
pub async fn get(ex: &mut impl Exec, id: MergeId) -> StoreResult<Option<Merge>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT id, kind, survivor_id, loser_id, snapshot, actor_id, merged_at, undone_at FROM merges \
                 WHERE id = $1",
            )
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Marks a merge undone; false when it already was.
pub async fn mark_undone(ex: &mut impl Exec, id: MergeId, at: DateTime<Utc>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query("UPDATE merges SET undone_at = $1 WHERE id = $2 AND undone_at IS NULL")
                .bind(at)
                .bind(id),
        )
        .await?;
    Ok(n == 1)
}
