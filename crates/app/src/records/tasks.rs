//! Tasks: something to do, due at a time, about a record.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::records::{NewTask, TaskPriority, TaskStatus};
use prospector_store::Exec;
use prospector_store::records::tasks::{self, Task, TaskFilter};
use prospector_store::records::{AccountId, OpportunityId, PersonId, TaskId};

use super::{check_owner, page_size, refuse_invisible, require_records, scope_for, stale, stale_on_write};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A new task.
#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    /// What to do.
    pub title: String,
    /// Details.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// high, normal (default), low.
    pub priority: Option<String>,
    /// Whose task (default: the actor).
    pub owner_id: Option<UserId>,
    /// About this person.
    pub person_id: Option<PersonId>,
    /// About this account.
    pub account_id: Option<AccountId>,
    /// About this opportunity.
    pub opportunity_id: Option<OpportunityId>,
}

/// Changes to a task; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    /// Title.
    pub title: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Due time.
    pub due_at: Option<DateTime<Utc>>,
    /// Priority code.
    pub priority: Option<String>,
    /// open, done, cancelled.
    pub status: Option<String>,
    /// New owner.
    pub owner_id: Option<UserId>,
}

/// A page of tasks.
#[derive(Debug, Clone)]
pub struct TaskPage {
    /// Soonest due first.
    pub items: Vec<Task>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
}

/// The cursor after `t`.
pub fn task_cursor(t: &Task) -> String {
    format!("{}~{}", t.due_at.timestamp_micros(), t.id)
}

fn parse_cursor(raw: &str) -> Result<(DateTime<Utc>, TaskId), Invalid> {
    let bad = || Invalid::new("after", "invalid_cursor", "not a cursor from this list");
    let (t, id) = raw.split_once('~').ok_or_else(bad)?;
    let t = t
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok((t, id.parse().map_err(|_| bad())?))
}

impl App {
    async fn task_for(
        &self,
        ex: &mut impl Exec,
        actor: &Actor,
        id: TaskId,
        for_edit: bool,
    ) -> AppResult<Task> {
        let t = tasks::get(ex, id)
            .await?
            .ok_or_else(|| AppError::NotFound("task".into()))?;
        if !tasks::visible(ex, scope_for(actor), id).await? {
            return Err(refuse_invisible("task", for_edit));
        }
        Ok(t)
    }

    /// Creates a task.
    pub async fn create_task(&self, actor: &Actor, input: TaskInput) -> AppResult<Task> {
        require_records(actor)?;
        let new = NewTask::parse(
            &input.title,
            input.notes.as_deref(),
            input.due_at,
            input.priority.as_deref(),
        )?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let owner = input.owner_id.or(actor.user_id());
        check_owner(&mut tx, actor, owner).await?;
        if let Some(p) = input.person_id {
            self.person_for(&mut tx, actor, None, p, true).await?;
        }
        if let Some(a) = input.account_id {
            self.account_for(&mut tx, actor, a, true).await?;
        }
        if let Some(o) = input.opportunity_id {
            self.opportunity_for(&mut tx, actor, o, true).await?;
        }
        let task = Task {
            id: TaskId::new_at(now),
            title: new.title,
            notes: new.notes,
            due_at: new.due_at,
            priority: new.priority,
            status: TaskStatus::Open,
            owner_id: owner,
            person_id: input.person_id,
            account_id: input.account_id,
            opportunity_id: input.opportunity_id,
            completed_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
            step_execution_id: None,
        };
        tasks::insert(&mut tx, &task).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "task.create",
                entity_type: "task",
                entity_id: Some(task.id.to_string()),
                before: None,
                after: Some(&task),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// One task.
    pub async fn get_task(&self, actor: &Actor, id: TaskId) -> AppResult<Task> {
        self.task_for(&mut self.store().reader(), actor, id, false).await
    }

    /// A page of tasks the actor may see, soonest due first.
    pub async fn list_tasks(
        &self,
        actor: &Actor,
        filter: &TaskFilter,
        after: Option<&str>,
        limit: i64,
    ) -> AppResult<TaskPage> {
        let limit = page_size(limit);
        let after = after.map(parse_cursor).transpose()?;
        let items = tasks::list(&mut self.store().reader(), filter, scope_for(actor), after, limit).await?;
        let next_after = (items.len() as i64 == limit)
            .then(|| items.last().map(task_cursor))
            .flatten();
        Ok(TaskPage { items, next_after })
    }

    /// Changes a task; status moves follow [`TaskStatus::may_become`] (409 otherwise).
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: TaskId,
        patch: TaskPatch,
        expected_version: Option<i64>,
    ) -> AppResult<Task> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.task_for(&mut tx, actor, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale("task", before.version));
        }
        let merged = NewTask::parse(
            patch.title.as_deref().unwrap_or(&before.title),
            patch.notes.as_deref().or(before.notes.as_deref()),
            Some(patch.due_at.unwrap_or(before.due_at)),
            Some(patch.priority.as_deref().unwrap_or(before.priority.code())),
        )?;
        let mut after = before.clone();
        after.title = merged.title;
        after.notes = merged.notes;
        after.due_at = merged.due_at;
        after.priority = merged.priority;
        if let Some(s) = &patch.status {
            let to = TaskStatus::parse("status", s)?;
            if to != before.status {
                if !before.status.may_become(to) {
                    return Err(AppError::Conflict {
                        code: "illegal_transition",
                        message: format!("a {} task cannot become {to}", before.status),
                        field: Some("status".into()),
                    });
                }
                after.status = to;
                after.completed_at = (to != TaskStatus::Open).then_some(now);
            }
        }
        if let Some(owner) = patch.owner_id {
            check_owner(&mut tx, actor, Some(owner)).await?;
            after.owner_id = Some(owner);
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        tasks::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("task"))?;
        // A sequence step's task: its step is carried out (or skipped) with it.
        self.step_task_changed(&mut tx, actor, &before, &after, now)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "task.update",
                entity_type: "task",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The priority codes, for forms.
pub fn priorities() -> &'static [TaskPriority] {
    TaskPriority::ALL
}
