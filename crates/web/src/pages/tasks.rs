//! `/tasks`: the follow-up board. A rep's tasks overdue, due today, upcoming and done in the last
//! week; each open one is marked done or rescheduled in place, and a new one is added here or from
//! a person's page. Team leads switch to a member's board or the whole team's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use prospector_app::records::task_board::{BoardOwner, BoardTask, DONE_RECENTLY_DAYS};
use prospector_app::records::tasks::{TaskInput, TaskPatch};
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::records::TaskPriority;
use prospector_core::role::Role;
use prospector_core::sequence::schedule::local_instant;
use prospector_store::records::people::PersonKind;
use prospector_store::users::UserFilter;
use serde::Deserialize;

use super::flash;
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// When a new task's due time is only a date, it is due at this local time.
const DEFAULT_DUE_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

struct Row {
    id: String,
    title: String,
    notes: String,
    person_name: String,
    person_href: String,
    owner: String,
    /// Due, in the viewer's time zone (`YYYY-MM-DD HH:MM`).
    due: String,
    /// The same for a `datetime-local` input.
    due_input: String,
    done_at: String,
    priority: &'static str,
    priority_label: &'static str,
    from_sequence: bool,
}

struct Column {
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    rows: Vec<Row>,
}

struct OwnerChoice {
    value: String,
    label: String,
    selected: bool,
}

/// What a failed form asked for, so it comes back filled in beside its error.
#[derive(Default)]
struct Again {
    /// The new-task form failed (not a reschedule).
    from_new: bool,
    title: String,
    due: String,
    person_id: String,
    field: String,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    columns: Vec<Column>,
    done: Column,
    done_days: i64,
    owners: Vec<OwnerChoice>,
    team_view: bool,
    own_board: bool,
    truncated: bool,
    /// This page's own URL, where the forms come back to.
    back: String,
    priorities: Vec<(&'static str, &'static str)>,
    again: Again,
    notice: Option<String>,
}

fn tz_of(actor: &Actor) -> Tz {
    actor
        .as_user()
        .and_then(|u| u.time_zone.parse::<Tz>().ok())
        .unwrap_or(chrono_tz::UTC)
}

fn local(tz: Tz, t: DateTime<Utc>, format: &str) -> String {
    t.with_timezone(&tz).format(format).to_string()
}

/// `?owner=`: `me` (default), `team`, or a user id.
fn board_owner(raw: Option<&str>) -> Result<BoardOwner, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("me") => Ok(BoardOwner::Me),
        Some("team") => Ok(BoardOwner::Team),
        Some(id) => id
            .parse()
            .map(BoardOwner::User)
            .map_err(|e: Invalid| AppError::Invalid(e.in_field("owner"))),
    }
}

fn owner_code(owner: BoardOwner) -> String {
    match owner {
        BoardOwner::Me => "me".into(),
        BoardOwner::Team => "team".into(),
        BoardOwner::User(id) => id.to_string(),
    }
}

/// Where a form goes back to: a path on this site only (never another host).
fn safe_back(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/tasks".into(),
    }
}

/// A due time from a `datetime-local` (or date) input, in the user's time zone.
fn parse_due(tz: Tz, raw: &str) -> Result<DateTime<Utc>, Invalid> {
    let raw = raw.trim();
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(|d| d.and_time(DEFAULT_DUE_TIME)))
        .map_err(|_| {
            Invalid::new(
                "due_at",
                "invalid_time",
                "give the due date as YYYY-MM-DD and a time",
            )
        })?;
    Ok(local_instant(tz, naive))
}

async fn owner_choices(state: &AppState, actor: &Actor, current: &str) -> Result<Vec<OwnerChoice>, AppError> {
    let Some(me) = actor.as_user() else {
        return Ok(Vec::new());
    };
    let team_id = match me.role {
        Role::Admin => None,
        Role::TeamLead => me.team_id,
        _ => return Ok(Vec::new()),
    };
    let filter = UserFilter {
        team_id,
        active: Some(true),
        ..UserFilter::default()
    };
    let members = state.app.list_users(actor, &filter, None, 500).await?;
    let team_label = if me.role == Role::Admin {
        "Everyone"
    } else {
        "My team"
    };
    let mut out = vec![
        OwnerChoice {
            value: "me".into(),
            label: "Me".into(),
            selected: current == "me",
        },
        OwnerChoice {
            value: "team".into(),
            label: team_label.into(),
            selected: current == "team",
        },
    ];
    out.extend(
        members
            .into_iter()
            .filter(|u| u.id != me.id && matches!(u.role, Role::Sdr | Role::TeamLead | Role::Ae))
            .map(|u| OwnerChoice {
                selected: current == u.id.to_string(),
                value: u.id.to_string(),
                label: u.name,
            }),
    );
    Ok(out)
}

fn row(tz: Tz, t: &BoardTask, owners: &[OwnerChoice]) -> Row {
    let task = &t.task;
    let person_href = match (task.person_id, t.person_kind) {
        (Some(id), Some(PersonKind::Contact)) => format!("/contacts/{id}"),
        (Some(id), _) => format!("/leads/{id}"),
        _ => String::new(),
    };
    let owner = task
        .owner_id
        .map(|id| id.to_string())
        .and_then(|id| owners.iter().find(|o| o.value == id).map(|o| o.label.clone()))
        .unwrap_or_else(|| {
            if task.owner_id.is_some() {
                "Me".into()
            } else {
                "Unassigned".into()
            }
        });
    Row {
        id: task.id.to_string(),
        title: task.title.clone(),
        notes: task.notes.clone().unwrap_or_default(),
        person_name: t.person_name.clone().unwrap_or_default(),
        person_href,
        owner,
        due: local(tz, task.due_at, "%Y-%m-%d %H:%M"),
        due_input: local(tz, task.due_at, "%Y-%m-%dT%H:%M"),
        done_at: task
            .completed_at
            .map(|t| local(tz, t, "%Y-%m-%d %H:%M"))
            .unwrap_or_default(),
        priority: task.priority.code(),
        priority_label: task.priority.label(),
        from_sequence: task.step_execution_id.is_some(),
    }
}

async fn render(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    owner: BoardOwner,
    notice: Option<String>,
    again: Again,
) -> Result<TasksPage, PageError> {
    let board = state.app.task_board(actor, owner).await?;
    let tz = tz_of(actor);
    let code = owner_code(owner);
    let owners = owner_choices(state, actor, &code).await?;
    let rows = |tasks: &[BoardTask]| tasks.iter().map(|t| row(tz, t, &owners)).collect();
    let columns = vec![
        Column {
            id: "overdue",
            title: "Overdue",
            empty: "Nothing overdue.",
            rows: rows(&board.overdue),
        },
        Column {
            id: "due-today",
            title: "Due today",
            empty: "Nothing else due today.",
            rows: rows(&board.today),
        },
        Column {
            id: "upcoming",
            title: "Upcoming",
            empty: "Nothing scheduled later.",
            rows: rows(&board.upcoming),
        },
    ];
    let done = Column {
        id: "done-recently",
        title: "Done recently",
        empty: "Nothing done in the last week.",
        rows: rows(&board.done_recently),
    };
    Ok(TasksPage {
        layout: Layout::new(actor, csrf, "tasks", "Tasks"),
        columns,
        done,
        done_days: DONE_RECENTLY_DAYS,
        team_view: owner != BoardOwner::Me,
        own_board: owner == BoardOwner::Me || actor.user_id().is_some_and(|me| owner == BoardOwner::User(me)),
        owners,
        truncated: board.truncated,
        back: if code == "me" {
            "/tasks".into()
        } else {
            format!("/tasks?owner={code}")
        },
        priorities: TaskPriority::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        again,
        notice,
    })
}

/// `?owner=`.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    owner: Option<String>,
}

/// `GET /tasks`: the board.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let owner = board_owner(q.owner.as_deref())?;
    let page = render(&state, &actor, &csrf, owner, flash.notice, Again::default()).await?;
    Ok((jar, page).into_response())
}

/// A refused form: the actor's own board again, with the error beside the field (422).
async fn refused(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    err: AppError,
    mut again: Again,
) -> Result<Response, PageError> {
    let AppError::Invalid(invalid) = &err else {
        return Err(err.into());
    };
    again.field = invalid.field.clone();
    again.message = invalid.message.clone();
    let page = render(state, actor, csrf, BoardOwner::Me, None, again).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The new-task form (here or on a person's page).
#[derive(Debug, Deserialize)]
pub struct NewTaskForm {
    title: String,
    due: Option<String>,
    priority: Option<String>,
    person_id: Option<String>,
    back: Option<String>,
}

/// `POST /tasks`: adds a task for the actor, about a person when the form names one.
pub async fn create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<NewTaskForm>,
) -> Result<Response, PageError> {
    let tz = tz_of(&actor);
    let again = Again {
        from_new: true,
        title: form.title.clone(),
        due: form.due.clone().unwrap_or_default(),
        person_id: form.person_id.clone().unwrap_or_default(),
        ..Again::default()
    };
    let due = form.due.as_deref().filter(|d| !d.trim().is_empty());
    let person = form.person_id.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let input = (|| -> Result<TaskInput, Invalid> {
        Ok(TaskInput {
            title: form.title.clone(),
            due_at: due.map(|d| parse_due(tz, d)).transpose()?,
            priority: form.priority.clone().filter(|p| !p.is_empty()),
            person_id: person
                .map(|p| p.parse().map_err(|e: Invalid| e.in_field("person_id")))
                .transpose()?,
            ..TaskInput::default()
        })
    })();
    let result = match input {
        Ok(input) => state.app.create_task(&actor, input).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(task) => Ok(flash::redirect_with_notice(
            jar,
            state.settings.secure_cookies,
            &safe_back(form.back.as_deref()),
            format!("Task added: {}.", task.title),
        )),
        Err(e) => refused(&state, &actor, &csrf, e, again).await,
    }
}

/// Marking a task done.
#[derive(Debug, Deserialize)]
pub struct DoneForm {
    back: Option<String>,
}

/// `POST /tasks/{id}/done`.
pub async fn done(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(form): Form<DoneForm>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| AppError::NotFound("task".into()))?;
    let patch = TaskPatch {
        status: Some("done".into()),
        ..TaskPatch::default()
    };
    let task = state.app.update_task(&actor, id, patch, None).await?;
    Ok(flash::redirect_with_notice(
        jar,
        state.settings.secure_cookies,
        &safe_back(form.back.as_deref()),
        format!("Done: {}.", task.title),
    ))
}

/// A new due time.
#[derive(Debug, Deserialize)]
pub struct RescheduleForm {
    due: String,
    back: Option<String>,
}

/// `POST /tasks/{id}/reschedule`.
pub async fn reschedule(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(form): Form<RescheduleForm>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| AppError::NotFound("task".into()))?;
    let result = match parse_due(tz_of(&actor), &form.due) {
        Ok(due) => {
            let patch = TaskPatch {
                due_at: Some(due),
                ..TaskPatch::default()
            };
            state.app.update_task(&actor, id, patch, None).await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(task) => Ok(flash::redirect_with_notice(
            jar,
            state.settings.secure_cookies,
            &safe_back(form.back.as_deref()),
            format!(
                "Rescheduled: {} to {}.",
                task.title,
                local(tz_of(&actor), task.due_at, "%Y-%m-%d %H:%M")
            ),
        )),
        Err(e) => {
            let again = Again {
                due: form.due,
                ..Again::default()
            };
            refused(&state, &actor, &csrf, e, again).await
        }
    }
}
