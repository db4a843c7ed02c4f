//! Jobs: imported from markdown pages (the CLI and the editor share [`App::import_job`]), edited,
//! listed, and shown on the public careers pages.

use prospector_core::Invalid;
use prospector_core::hiring::{JobPage, JobStatus, Questionnaire, Stage, StageKind, stages_for};
use prospector_core::ids::UserId;
use prospector_store::hiring::applications as store_apps;
use prospector_store::hiring::jobs::{self as store_jobs, Job, stage_kind};
use serde::Deserialize;
use uuid::Uuid;

use super::{is_recruiter, require_job, require_recruiter};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A stage as edited: a name and a kind code; the code is derived from the name when absent.
#[derive(Debug, Clone, Deserialize)]
pub struct StageInput {
    /// Stable code; keep it to keep the candidates at this stage.
    #[serde(default)]
    pub code: Option<String>,
    /// Short name.
    pub name: String,
    /// `review`, `questionnaire`, `screening`, `interview`, `offer` or `hired`.
    pub kind: String,
}

/// Changes to a job; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobPatch {
    /// The whole page (front matter and body) as it should be saved.
    #[serde(default)]
    pub source: Option<String>,
    /// `open`, `closed` or `draft`.
    #[serde(default)]
    pub status: Option<String>,
    /// The hiring manager's user id (empty string clears it).
    #[serde(default)]
    pub hiring_manager_id: Option<String>,
    /// The final offer approver's user id (empty string clears it: the first admin approves).
    #[serde(default)]
    pub ceo_id: Option<String>,
    /// The pipeline, replacing the current one.
    #[serde(default)]
    pub stages: Option<Vec<StageInput>>,
    /// The questionnaire, replacing the current one.
    #[serde(default)]
    pub questionnaire: Option<Vec<QuestionInput>>,
}

/// A question as edited.
#[derive(Debug, Clone, Deserialize)]
pub struct QuestionInput {
    /// snake_case code (the answer's key).
    pub code: String,
    /// The question as the candidate reads it.
    pub prompt: String,
    /// Whether an answer is needed.
    #[serde(default)]
    pub required: bool,
    /// Longest answer in characters (default 2,000).
    #[serde(default)]
    pub max_chars: Option<usize>,
}

/// Checks an edited questionnaire: snake_case codes, unique, prompts present, sane limits.
pub fn parse_questionnaire(input: &[QuestionInput]) -> Result<Questionnaire, Invalid> {
    let mut questions: Vec<prospector_core::hiring::Question> = Vec::with_capacity(input.len());
    for q in input {
        let code = q.code.trim().to_owned();
        let snake = !code.is_empty()
            && code.len() <= 60
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            return Err(Invalid::new(
                "questionnaire",
                "invalid_code",
                format!("'{code}' is not a snake_case code"),
            ));
        }
        if questions.iter().any(|x| x.code == code) {
            return Err(Invalid::new(
                "questionnaire",
                "duplicate",
                format!("two questions have the code {code}"),
            ));
        }
        let max_chars = q.max_chars.unwrap_or(2_000);
        if !(1..=10_000).contains(&max_chars) {
            return Err(Invalid::new(
                "questionnaire",
                "out_of_range",
                "max_chars must be between 1 and 10000",
            ));
        }
        questions.push(prospector_core::hiring::Question {
            code,
            prompt: prospector_core::error::required_text("questionnaire", &q.prompt, 500)?,
            required: q.required,
            max_chars,
        });
    }
    Ok(Questionnaire { questions })
}

/// Prefixes a refusal with the file or page it came from, so `jobs import a.md b.md` says which.
fn in_origin(origin: &str, invalid: Invalid) -> Invalid {
    Invalid {
        message: format!("{origin}: {}", invalid.message),
        ..invalid
    }
}

fn code_from_name(name: &str) -> String {
    let mut code = String::new();
    let mut pending = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending && !code.is_empty() {
                code.push('_');
            }
            pending = false;
            code.extend(c.to_lowercase());
        } else {
            pending = true;
        }
    }
    if code.is_empty() { "stage".into() } else { code }
}

/// Checks an edited pipeline: review first, Hired last, names present, codes unique.
pub fn parse_stages(input: &[StageInput]) -> Result<Vec<Stage>, Invalid> {
    let mut stages: Vec<Stage> = Vec::with_capacity(input.len());
    for s in input {
        let name = prospector_core::error::required_text("stages", &s.name, 80)?;
        let kind = stage_kind(s.kind.trim()).ok_or_else(|| {
            Invalid::unknown_value(
                "stages",
                s.kind.trim(),
                &[
                    "review",
                    "questionnaire",
                    "screening",
                    "interview",
                    "offer",
                    "hired",
                ],
            )
        })?;
        let code = s
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map_or_else(|| code_from_name(&name), str::to_owned);
        if stages.iter().any(|x| x.code == code) {
            return Err(Invalid::new(
                "stages",
                "duplicate",
                format!("two stages have the code {code}"),
            ));
        }
        stages.push(Stage {
            code,
            name,
            kind,
            description: None,
        });
    }
    if stages.first().is_none_or(|s| s.kind != StageKind::Review) {
        return Err(Invalid::new(
            "stages",
            "review_first",
            "the first stage must be the application review",
        ));
    }
    if stages.last().is_none_or(|s| s.kind != StageKind::Hired)
        || stages.iter().filter(|s| s.kind == StageKind::Hired).count() != 1
    {
        return Err(Invalid::new(
            "stages",
            "hired_last",
            "the last stage, and only the last, must be Hired",
        ));
    }
    Ok(stages)
}

fn parse_user_id(field: &str, raw: &str) -> Result<Option<UserId>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<UserId>().map(Some).map_err(|e| e.in_field(field))
}

impl App {
    /// Imports a job page (front matter with at least a title) exactly as written. A page whose
    /// slug already exists replaces that job's page; its stages are re-read from the page only while
    /// nobody has applied. `origin` (the file name) prefixes any refusal.
    pub async fn import_job(&self, actor: &Actor, origin: &str, text: &str) -> AppResult<Job> {
        require_recruiter(actor)?;
        let page = JobPage::parse(text).map_err(|e| in_origin(origin, e))?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if let Some(existing) = store_jobs::job_by_slug(&mut tx, &page.slug).await? {
            let before = existing.clone();
            let mut job = existing;
            let has_applications = !store_apps::applications_of_job(&mut tx, Some(job.id))
                .await?
                .is_empty();
            apply_page(&mut job, &page, text);
            if !has_applications {
                job.stages = stages_for(&page.body);
            }
            job.updated_at = now;
            store_jobs::update_job(&mut tx, &job).await?;
            audit::record(
                &mut tx,
                actor,
                now,
                Change {
                    action: "job.import",
                    entity_type: "job",
                    entity_id: Some(job.id.to_string()),
                    before: Some(&summary(&before)),
                    after: Some(&summary(&job)),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(job);
        }
        let job = Job {
            id: prospector_core::ids::uuid_v7_at(now),
            slug: page.slug.clone(),
            title: page.title.clone(),
            layout: page.layout.clone(),
            location: page.location.clone(),
            team: page.team.clone(),
            status: page.status,
            source: text.to_owned(),
            body: page.body.clone(),
            stages: stages_for(&page.body),
            questionnaire: Questionnaire::default_for_sales(),
            hiring_manager_id: None,
            ceo_id: None,
            created_at: now,
            updated_at: now,
            closed_at: None,
        };
        store_jobs::insert_job(&mut tx, &job).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "job.create",
                entity_type: "job",
                entity_id: Some(job.id.to_string()),
                before: None,
                after: Some(&summary(&job)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Creates a job from a page typed in the editor; a title whose slug is taken is a 409.
    pub async fn create_job(&self, actor: &Actor, text: &str) -> AppResult<Job> {
        require_recruiter(actor)?;
        let page = JobPage::parse(text).map_err(|e| in_origin("source", e))?;
        if store_jobs::slug_taken(&mut self.store().reader(), &page.slug).await? {
            return Err(AppError::conflict(
                "slug_taken",
                "source",
                format!(
                    "a job at /jobs/{} exists already; edit it or change the title",
                    page.slug
                ),
            ));
        }
        self.import_job(actor, "source", text).await
    }

    /// Edits a job: its page, status, people and stages.
    pub async fn update_job(&self, actor: &Actor, id: Uuid, patch: JobPatch) -> AppResult<Job> {
        let job = self.job(id).await?;
        require_job(actor, &job)?;
        let now = self.now();
        let before = job.clone();
        let mut job = job;
        if let Some(source) = &patch.source {
            let page = JobPage::parse(source).map_err(|e| in_origin("source", e))?;
            // The slug (the public URL) stays as it was when a title is reworded.
            apply_page(&mut job, &page, source);
        }
        if let Some(status) = &patch.status {
            job.status = JobStatus::parse(status)?;
            job.closed_at = (job.status == JobStatus::Closed).then_some(job.closed_at.unwrap_or(now));
        }
        if let Some(raw) = &patch.hiring_manager_id {
            if !is_recruiter(actor) {
                return Err(AppError::Forbidden(
                    "only recruiters assign hiring managers".into(),
                ));
            }
            job.hiring_manager_id = parse_user_id("hiring_manager_id", raw)?;
            self.require_user(job.hiring_manager_id, "hiring_manager_id")
                .await?;
        }
        if let Some(raw) = &patch.ceo_id {
            if !is_recruiter(actor) {
                return Err(AppError::Forbidden("only recruiters choose approvers".into()));
            }
            job.ceo_id = parse_user_id("ceo_id", raw)?;
            self.require_user(job.ceo_id, "ceo_id").await?;
        }
        let mut tx = self.store().begin().await?;
        if let Some(stages) = &patch.stages {
            let stages = parse_stages(stages)?;
            let apps = store_apps::applications_of_job(&mut tx, Some(job.id)).await?;
            if let Some(orphan) = apps.iter().find(|a| !stages.iter().any(|s| s.code == a.stage)) {
                return Err(AppError::conflict(
                    "stage_in_use",
                    "stages",
                    format!("candidates are at the stage {}; keep it", orphan.stage),
                ));
            }
            job.stages = stages;
        }
        if let Some(questions) = &patch.questionnaire {
            job.questionnaire = parse_questionnaire(questions)?;
        }
        job.updated_at = now;
        store_jobs::update_job(&mut tx, &job).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "job.update",
                entity_type: "job",
                entity_id: Some(job.id.to_string()),
                before: Some(&summary(&before)),
                after: Some(&summary(&job)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(job)
    }

    async fn require_user(&self, id: Option<UserId>, field: &str) -> AppResult<()> {
        if let Some(id) = id
            && prospector_store::users::user_by_id(&mut self.store().reader(), id)
                .await?
                .is_none()
        {
            return Err(Invalid::new(field, "unknown_user", format!("no user with id {id}")).into());
        }
        Ok(())
    }

    /// A job, for recruiters and its hiring manager.
    pub async fn get_job(&self, actor: &Actor, id: Uuid) -> AppResult<Job> {
        let job = self.job(id).await?;
        require_job(actor, &job)?;
        Ok(job)
    }

    /// Jobs the actor may work on: all for recruiters, the ones they manage otherwise. Interviewers
    /// who manage none get an empty list; everyone else a 403.
    pub async fn list_jobs(&self, actor: &Actor) -> AppResult<Vec<Job>> {
        let mut reader = self.store().reader();
        if is_recruiter(actor) {
            return Ok(store_jobs::list_jobs(&mut reader, None, None).await?);
        }
        let Some(user) = actor.user_id() else {
            return Err(AppError::Forbidden("hiring is open to recruiters".into()));
        };
        let managed = store_jobs::list_jobs(&mut reader, None, Some(user)).await?;
        if managed.is_empty() && actor.role() != prospector_core::role::Role::Interviewer {
            return Err(AppError::Forbidden(
                "hiring is open to recruiters, hiring managers and interviewers".into(),
            ));
        }
        Ok(managed)
    }

    /// Open jobs, for the public careers page.
    pub async fn public_jobs(&self) -> AppResult<Vec<Job>> {
        Ok(store_jobs::list_jobs(&mut self.store().reader(), Some(JobStatus::Open), None).await?)
    }

    /// An open job by slug, for the public careers page (drafts and closed jobs are not found).
    pub async fn public_job(&self, slug: &str) -> AppResult<Job> {
        store_jobs::job_by_slug(&mut self.store().reader(), slug)
            .await?
            .filter(|j| j.status == JobStatus::Open)
            .ok_or_else(|| AppError::NotFound("job".into()))
    }
}

fn apply_page(job: &mut Job, page: &JobPage, source: &str) {
    job.title = page.title.clone();
    job.layout = page.layout.clone();
    job.location = page.location.clone();
    job.team = page.team.clone();
    job.source = source.to_owned();
    job.body = page.body.clone();
}

/// What the audit log keeps of a job (not the whole page).
fn summary(job: &Job) -> serde_json::Value {
    serde_json::json!({
        "slug": job.slug, "title": job.title, "status": job.status.code(),
        "stages": job.stages.iter().map(|s| s.code.clone()).collect::<Vec<_>>(),
        "hiring_manager_id": job.hiring_manager_id, "ceo_id": job.ceo_id,
    })
}
