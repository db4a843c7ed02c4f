//! `/api/v1/tasks`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use prospector_app::records::tasks::{TaskInput, TaskPatch};
use prospector_core::records::TaskStatus;
use prospector_store::records::tasks::TaskFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{TaskDto, TaskList};
use super::{expected_version, opt_id, opt_time, user_id};
use crate::api::users::parse_id;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// A new task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    title: String,
    notes: Option<String>,
    /// RFC 3339.
    due_at: Option<String>,
    /// high, normal (default), low.
    priority: Option<String>,
    /// Default: you.
    owner_id: Option<String>,
    person_id: Option<String>,
    account_id: Option<String>,
    opportunity_id: Option<String>,
}

/// Changes to a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatchBody {
    title: Option<String>,
    notes: Option<String>,
    due_at: Option<String>,
    priority: Option<String>,
    /// open, done, cancelled.
    status: Option<String>,
    owner_id: Option<String>,
    version: Option<i64>,
}

/// Task filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TaskListQuery {
    /// Owner user id or `me`.
    owner: Option<String>,
    /// open, done, cancelled.
    status: Option<String>,
    person_id: Option<String>,
    account_id: Option<String>,
    opportunity_id: Option<String>,
    /// RFC 3339: due at or before.
    due_before: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

/// Tasks, soonest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "task", params(TaskListQuery),
    responses((status = 200, body = TaskList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<TaskListQuery>,
) -> Result<Json<TaskList>, ApiError> {
    let blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = TaskFilter {
        owner_id: blank(&q.owner)
            .map(|u| user_id(&u, "owner", &actor))
            .transpose()?,
        status: blank(&q.status)
            .map(|s| TaskStatus::parse("status", &s))
            .transpose()?,
        person_id: opt_id(q.person_id.as_deref(), "person_id")?,
        account_id: opt_id(q.account_id.as_deref(), "account_id")?,
        opportunity_id: opt_id(q.opportunity_id.as_deref(), "opportunity_id")?,
        due_before: opt_time(q.due_before.as_deref(), "due_before")?,
        completed_since: None,
    };
    let page = state
        .app
        .list_tasks(
            &actor,
            &filter,
            q.after.as_deref().filter(|a| !a.is_empty()),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(TaskList {
        items: page.items.iter().map(TaskDto::from).collect(),
        next_after: page.next_after,
    }))
}

/// Creates a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "task", request_body = NewTaskBody,
    responses((status = 201, body = TaskDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<NewTaskBody>,
) -> Result<(StatusCode, Json<TaskDto>), ApiError> {
    let input = TaskInput {
        title: b.title,
        notes: b.notes,
        due_at: opt_time(b.due_at.as_deref(), "due_at")?,
        priority: b.priority,
        owner_id: b
            .owner_id
            .as_deref()
            .map(|u| user_id(u, "owner_id", &actor))
            .transpose()?,
        person_id: opt_id(b.person_id.as_deref(), "person_id")?,
        account_id: opt_id(b.account_id.as_deref(), "account_id")?,
        opportunity_id: opt_id(b.opportunity_id.as_deref(), "opportunity_id")?,
    };
    let t = state.app.create_task(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(TaskDto::from(&t))))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "task", params(("id" = String, Path)),
    responses((status = 200, body = TaskDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<TaskDto>, ApiError> {
    let t = state.app.get_task(&actor, parse_id(&id, "task")?).await?;
    Ok(Json(TaskDto::from(&t)))
}

/// Changes a task (done, cancelled, reopened, rescheduled, reassigned).
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "task", params(("id" = String, Path)),
    request_body = TaskPatchBody,
    responses((status = 200, body = TaskDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<TaskPatchBody>,
) -> Result<Json<TaskDto>, ApiError> {
    let patch = TaskPatch {
        title: b.title,
        notes: b.notes,
        due_at: opt_time(b.due_at.as_deref(), "due_at")?,
        priority: b.priority,
        status: b.status,
        owner_id: b
            .owner_id
            .as_deref()
            .map(|u| user_id(u, "owner_id", &actor))
            .transpose()?,
    };
    let t = state
        .app
        .update_task(
            &actor,
            parse_id(&id, "task")?,
            patch,
            expected_version(b.version, &headers),
        )
        .await?;
    Ok(Json(TaskDto::from(&t)))
}
