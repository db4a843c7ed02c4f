//! The hiring pages for the team: jobs, a job's board, its editor and report, one application.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use prospector_app::hiring::is_recruiter;
use prospector_app::hiring::jobs::{JobPatch, StageInput};
use prospector_app::hiring::pipeline::DeclineInput;
use prospector_app::{Actor, App, AppError};
use prospector_core::hiring::{ApplicationStatus, DeclineReason, JobStatus};
use prospector_store::hiring::jobs::Job;
use serde::Deserialize;
use uuid::Uuid;

use super::candidate::after;
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

pub(super) fn uuid(raw: &str, what: &str) -> Result<Uuid, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound(what.into())))
}

struct JobRow {
    id: String,
    slug: String,
    title: String,
    location: Option<String>,
    status: String,
    status_label: String,
    active: usize,
    total: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_jobs.html")]
struct JobsPage {
    layout: Layout,
    jobs: Vec<JobRow>,
    can_create: bool,
    /// The actor's interviews in the order they take place: (application id, candidate, job · stage, when).
    interviews: Vec<(String, String, String, String)>,
    error: Option<String>,
}

async fn jobs_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    error: Option<String>,
) -> Result<JobsPage, AppError> {
    let jobs = state.app.list_jobs(actor).await?;
    let mut rows = Vec::with_capacity(jobs.len());
    for j in jobs {
        let apps = state.app.list_applications(actor, Some(j.id)).await?;
        rows.push(JobRow {
            id: j.id.to_string(),
            slug: j.slug,
            title: j.title,
            location: j.location,
            status: j.status.code().to_owned(),
            status_label: j.status.label().to_owned(),
            active: apps
                .iter()
                .filter(|a| a.application.status == ApplicationStatus::Active)
                .count(),
            total: apps.len(),
        });
    }
    let mut interviews = Vec::new();
    if actor.user_id().is_some() {
        for i in state.app.my_interviews(actor).await? {
            let (view, job, _) = state.app.get_application(actor, i.application_id).await?;
            interviews.push((
                i.application_id.to_string(),
                view.candidate.name,
                format!("{} · {}", job.title, App::stage_name(&job, &i.stage)),
                prospector_core::hiring::format_in_zone(i.starts_at, &super::candidate::viewer_zone(actor)),
            ));
        }
    }
    Ok(JobsPage {
        layout: Layout::new(actor, csrf, "hiring", "Hiring"),
        jobs: rows,
        can_create: is_recruiter(actor),
        interviews,
        error,
    })
}

/// `GET /hiring`.
pub async fn jobs(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    Ok(jobs_page(&state, &actor, &csrf, None).await?.into_response())
}

/// The new-job form.
#[derive(Debug, Deserialize)]
pub struct SourceForm {
    source: String,
}

/// `POST /hiring/jobs`.
pub async fn create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<SourceForm>,
) -> Result<Response, PageError> {
    match state.app.create_job(&actor, &form.source).await {
        Ok(job) => Ok(Redirect::to(&format!("/hiring/jobs/{}", job.id)).into_response()),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                jobs_page(&state, &actor, &csrf, Some(err.to_string())).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct Card {
    id: String,
    name: String,
    tags: String,
}

struct Column {
    code: String,
    name: String,
    cards: Vec<Card>,
    later: Vec<(String, String)>,
    guide: Option<prospector_app::handbook::RenderedSection>,
}

struct ClosedRow {
    id: String,
    name: String,
    status: String,
    stage: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_board.html")]
struct BoardPage {
    layout: Layout,
    job_id: String,
    slug: String,
    title: String,
    status_label: String,
    columns: Vec<Column>,
    closed: Vec<ClosedRow>,
    error: Option<String>,
}

pub(super) fn later_stages(job: &Job, code: &str) -> Vec<(String, String)> {
    let at = job
        .stages
        .iter()
        .position(|s| s.code == code)
        .unwrap_or(usize::MAX);
    if job.status != JobStatus::Open {
        return Vec::new();
    }
    job.stages
        .iter()
        .enumerate()
        .filter(|(i, _)| at != usize::MAX && *i > at)
        .map(|(_, s)| (s.code.clone(), s.name.clone()))
        .collect()
}

/// `GET /hiring/jobs/{id}`.
pub async fn board(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let board = state.app.board(&actor, uuid(&raw, "job")?).await?;
    let job = &board.job;
    let kinds: Vec<String> = board
        .columns
        .iter()
        .map(|c| format!("stage:{}", c.stage.kind.code()))
        .collect();
    let guides: std::collections::HashMap<_, _> =
        state.app.linked_sections(&kinds).await?.into_iter().collect();
    let columns = board
        .columns
        .iter()
        .map(|c| Column {
            code: c.stage.code.clone(),
            name: c.stage.name.clone(),
            cards: c
                .applications
                .iter()
                .map(|v| Card {
                    id: v.application.id.to_string(),
                    name: v.candidate.name.clone(),
                    tags: v.candidate.tags.join(", "),
                })
                .collect(),
            later: later_stages(job, &c.stage.code),
            guide: guides.get(&format!("stage:{}", c.stage.kind.code())).cloned(),
        })
        .collect();
    Ok(BoardPage {
        layout: Layout::new(&actor, &csrf, "hiring", job.title.clone()),
        job_id: job.id.to_string(),
        slug: job.slug.clone(),
        title: job.title.clone(),
        status_label: job.status.label().to_owned(),
        columns,
        closed: board
            .closed
            .iter()
            .map(|v| ClosedRow {
                id: v.application.id.to_string(),
                name: v.candidate.name.clone(),
                status: v.application.status.label().to_owned(),
                stage: App::stage_name(job, &v.application.stage),
            })
            .collect(),
        error: None,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_edit.html")]
struct EditPage {
    layout: Layout,
    job_id: String,
    title: String,
    source: String,
    status: String,
    statuses: Vec<(String, String)>,
    is_recruiter: bool,
    users: Vec<(String, String)>,
    hiring_manager_id: String,
    ceo_id: String,
    stages: String,
    saved: bool,
    error: Option<String>,
}

async fn edit_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    job: &Job,
    saved: bool,
    error: Option<String>,
) -> Result<EditPage, AppError> {
    let users = if is_recruiter(actor) {
        let filter = prospector_store::users::UserFilter {
            active: Some(true),
            ..Default::default()
        };
        state
            .app
            .list_users(actor, &filter, None, 500)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.role.label())))
            .collect()
    } else {
        Vec::new()
    };
    Ok(EditPage {
        layout: Layout::new(actor, csrf, "hiring", format!("Edit {}", job.title)),
        job_id: job.id.to_string(),
        title: job.title.clone(),
        source: job.source.clone(),
        status: job.status.code().to_owned(),
        statuses: JobStatus::ALL
            .iter()
            .map(|s| (s.code().to_owned(), s.label().to_owned()))
            .collect(),
        is_recruiter: is_recruiter(actor),
        users,
        hiring_manager_id: job.hiring_manager_id.map(|u| u.to_string()).unwrap_or_default(),
        ceo_id: job.ceo_id.map(|u| u.to_string()).unwrap_or_default(),
        stages: job
            .stages
            .iter()
            .map(|s| format!("{} | {} | {}", s.kind.code(), s.name, s.code))
            .collect::<Vec<_>>()
            .join("\n"),
        saved,
        error,
    })
}

/// `GET /hiring/jobs/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let job = state.app.get_job(&actor, uuid(&raw, "job")?).await?;
    Ok(edit_page(&state, &actor, &csrf, &job, false, None)
        .await?
        .into_response())
}

/// The editor form.
#[derive(Debug, Deserialize)]
pub struct EditForm {
    source: String,
    status: String,
    stages: String,
    hiring_manager_id: Option<String>,
    ceo_id: Option<String>,
}

fn parse_stage_lines(text: &str) -> Vec<StageInput> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split('|').map(str::trim);
            let kind = parts.next().unwrap_or("").to_owned();
            let name = parts.next().unwrap_or("").to_owned();
            let code = parts.next().map(str::to_owned).filter(|c| !c.is_empty());
            StageInput { code, name, kind }
        })
        .collect()
}

/// `POST /hiring/jobs/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "job")?;
    let recruiter = is_recruiter(&actor);
    let patch = JobPatch {
        // Browsers send textarea line breaks as CRLF; the page is stored with the breaks it was written with.
        source: Some(form.source.replace("\r\n", "\n")),
        status: Some(form.status),
        hiring_manager_id: form.hiring_manager_id.filter(|_| recruiter),
        ceo_id: form.ceo_id.filter(|_| recruiter),
        stages: Some(parse_stage_lines(&form.stages)),
        questionnaire: None,
    };
    match state.app.update_job(&actor, id, patch).await {
        Ok(job) => Ok(edit_page(&state, &actor, &csrf, &job, true, None)
            .await?
            .into_response()),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let job = state.app.get_job(&actor, id).await?;
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                edit_page(&state, &actor, &csrf, &job, false, Some(err.to_string())).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_report.html")]
struct ReportPage {
    layout: Layout,
    job_id: String,
    title: String,
    applications: i64,
    time_to_hire: String,
    rows: Vec<(String, i64, String, String)>,
    sources: Vec<(String, i64)>,
    reasons: Vec<(String, i64)>,
}

/// `GET /hiring/jobs/{id}/report`.
pub async fn report(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "job")?;
    let job = state.app.get_job(&actor, id).await?;
    let r = state.app.job_report(&actor, id).await?;
    Ok(ReportPage {
        layout: Layout::new(&actor, &csrf, "hiring", format!("{} report", job.title)),
        job_id: job.id.to_string(),
        title: job.title.clone(),
        applications: r.applications,
        time_to_hire: r
            .avg_days_to_hire
            .map_or_else(|| "—".into(), |d| format!("{d:.1} days")),
        rows: r
            .stages
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.reached,
                    s.pass_through_rate
                        .map_or_else(|| "—".into(), |p| format!("{:.0}%", p * 100.0)),
                    s.avg_hours_in_stage
                        .map_or_else(|| "—".into(), |h| format!("{h:.1} h")),
                )
            })
            .collect(),
        sources: r.source_of_hire.into_iter().collect(),
        reasons: r
            .decline_reasons
            .into_iter()
            .map(|(code, n)| {
                (
                    DeclineReason::parse(&code).map_or(code, |r| r.label().to_owned()),
                    n,
                )
            })
            .collect(),
    }
    .into_response())
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    stage: String,
}

/// `POST /hiring/applications/{id}/move`.
pub async fn move_to(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let outcome = state
        .app
        .move_application(&actor, id, &form.stage)
        .await
        .map(|_| ());
    after(&state, &actor, &csrf, id, outcome).await
}

/// The decline form.
#[derive(Debug, Deserialize)]
pub struct DeclineForm {
    reason: String,
    note: Option<String>,
    template: Option<String>,
    delay_hours: Option<String>,
}

/// `POST /hiring/applications/{id}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
    Form(form): Form<DeclineForm>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let input = DeclineInput {
        reason: form.reason,
        note: form.note,
        template: form.template,
        delay_hours: form.delay_hours.and_then(|d| d.trim().parse().ok()),
    };
    let outcome = state.app.decline_application(&actor, id, input).await.map(|_| ());
    after(&state, &actor, &csrf, id, outcome).await
}

/// `POST /hiring/applications/{id}/cancel-email`.
pub async fn cancel_email(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let outcome = state.app.cancel_decline_email(&actor, id).await.map(|_| ());
    after(&state, &actor, &csrf, id, outcome).await
}

/// `POST /hiring/applications/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let outcome = state.app.withdraw_application(&actor, id).await.map(|_| ());
    after(&state, &actor, &csrf, id, outcome).await
}
