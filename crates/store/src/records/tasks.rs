//! Tasks.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use prospector_core::records::{TaskPriority, TaskStatus};
use serde::Serialize;

use super::{AccountId, OpportunityId, PersonId, Scope, Scoped, TaskId, scope_sql};
use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Query, Row, query};

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// Id.
    pub id: TaskId,
    /// What to do.
    pub title: String,
    /// Details.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Priority.
    pub priority: TaskPriority,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// Whose task.
    pub owner_id: Option<UserId>,
    /// The person it is about.
    pub person_id: Option<PersonId>,
    /// The account it is about.
    pub account_id: Option<AccountId>,
    /// The opportunity it is about.
    pub opportunity_id: Option<OpportunityId>,
    /// When it was done or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// The sequence step this task stands for (a manual step that came due); finishing one
    /// finishes the other.
    pub step_execution_id: Option<uuid::Uuid>,
}

const COLUMNS: &str = "tasks.id, tasks.title, tasks.notes, tasks.due_at, tasks.priority, tasks.status, tasks.owner_id, \
    tasks.person_id, tasks.account_id, tasks.opportunity_id, tasks.completed_at, tasks.created_at, tasks.updated_at, \
    tasks.version, tasks.step_execution_id";

fn decode(row: &Row) -> StoreResult<Task> {
    let priority: String = row.get("priority")?;
    let status: String = row.get("status")?;
    let bad = |column: &str, e: prospector_core::Invalid| StoreError::Decode {
        column: column.into(),
        message: e.message,
    };
    Ok(Task {
        id: row.get("id")?,
        title: row.get("title")?,
        notes: row.get("notes")?,
        due_at: row.get("due_at")?,
        priority: TaskPriority::parse("priority", &priority).map_err(|e| bad("priority", e))?,
        status: TaskStatus::parse("status", &status).map_err(|e| bad("status", e))?,
        owner_id: row.get("owner_id")?,
        person_id: row.get("person_id")?,
        account_id: row.get("account_id")?,
        opportunity_id: row.get("opportunity_id")?,
        completed_at: row.get("completed_at")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
        step_execution_id: row.get("step_execution_id")?,
    })
}

fn bind_all(q: Query, t: &Task) -> Query {
    q.bind(&t.title)
        .bind(t.notes.clone())
        .bind(t.due_at)
        .bind(t.priority.code())
        .bind(t.status.code())
        .bind(t.owner_id)
        .bind(t.person_id)
        .bind(t.account_id)
        .bind(t.opportunity_id)
        .bind(t.completed_at)
        .bind(t.created_at)
        .bind(t.updated_at)
        .bind(t.version)
}

/// Adds a task.
pub async fn insert(ex: &mut impl Exec, t: &Task) -> StoreResult<()> {
    let q = query(
        "INSERT INTO tasks (title, notes, due_at, priority, status, owner_id, person_id, account_id, \
         opportunity_id, completed_at, created_at, updated_at, version, id, step_execution_id) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    );
    ex.execute(bind_all(q, t).bind(t.id).bind(t.step_execution_id))
        .await?;
    Ok(())
}

/// Saves `t` if its stored version is `t.version - 1`.
pub async fn update(ex: &mut impl Exec, t: &Task) -> StoreResult<()> {
    let q = query(
        "UPDATE tasks SET title = $1, notes = $2, due_at = $3, priority = $4, status = $5, owner_id = $6, \
         person_id = $7, account_id = $8, opportunity_id = $9, completed_at = $10, created_at = $11, \
         updated_at = $12, version = $13 WHERE id = $14 AND version = $15",
    );
    let changed = ex.execute(bind_all(q, t).bind(t.id).bind(t.version - 1)).await?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            constraint: "tasks.version".into(),
        });
    }
    Ok(())
}

/// The task with `id`.
pub async fn get(ex: &mut impl Exec, id: TaskId) -> StoreResult<Option<Task>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM tasks WHERE tasks.id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The task standing for the sequence step `execution_id`, if one was opened for it.
pub async fn for_step(ex: &mut impl Exec, execution_id: uuid::Uuid) -> StoreResult<Option<Task>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {COLUMNS} FROM tasks WHERE tasks.step_execution_id = $1"
            ))
            .bind(execution_id),
        )
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Whether `scope` may see the task `id`.
pub async fn visible(ex: &mut impl Exec, scope: Scope, id: TaskId) -> StoreResult<bool> {
    let mut q = query("");
    q.push_bind(id);
    let cond = scope_sql(scope, Scoped::Tasks, &mut q);
    let sql = format!("SELECT 1 AS one FROM tasks WHERE tasks.id = $1{cond}");
    Ok(ex.fetch_optional(q.with_sql(sql)).await?.is_some())
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this owner.
    pub owner_id: Option<UserId>,
    /// Only this status.
    pub status: Option<TaskStatus>,
    /// Only about this person.
    pub person_id: Option<PersonId>,
    /// Only about this account.
    pub account_id: Option<AccountId>,
    /// Only about this opportunity.
    pub opportunity_id: Option<OpportunityId>,
    /// Due at or before.
    pub due_before: Option<DateTime<Utc>>,
    /// Done or cancelled at or after (the recently finished ones).
    pub completed_since: Option<DateTime<Utc>>,
}

/// A page of tasks, soonest due first, after the keyset cursor `(due_at, id)`.
pub async fn list(
    ex: &mut impl Exec,
    f: &TaskFilter,
    scope: Scope,
    after: Option<(DateTime<Utc>, TaskId)>,
    limit: i64,
) -> StoreResult<Vec<Task>> {
    let mut q = query("");
    let mut sql = format!("SELECT {COLUMNS} FROM tasks WHERE 1 = 1");
    if let Some(v) = f.owner_id {
        sql.push_str(&format!(" AND tasks.owner_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.status {
        sql.push_str(&format!(" AND tasks.status = ${}", q.push_bind(v.code())));
    }
    if let Some(v) = f.person_id {
        sql.push_str(&format!(" AND tasks.person_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.account_id {
        sql.push_str(&format!(" AND tasks.account_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.opportunity_id {
        sql.push_str(&format!(" AND tasks.opportunity_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.due_before {
        sql.push_str(&format!(" AND tasks.due_at <= ${}", q.push_bind(v)));
    }
    if let Some(v) = f.completed_since {
        sql.push_str(&format!(" AND tasks.completed_at >= ${}", q.push_bind(v)));
    }
    sql.push_str(&scope_sql(scope, Scoped::Tasks, &mut q));
    if let Some((t, id)) = after {
        let v = q.push_bind(t);
        let i = q.push_bind(id);
        sql.push_str(&format!(
            " AND (tasks.due_at > ${v} OR (tasks.due_at = ${v} AND tasks.id > ${i}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY tasks.due_at, tasks.id LIMIT ${}",
        q.push_bind(limit)
    ));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}
