//! Jobs: the page as written (front matter and body), its stages and questionnaire, and who decides.

use chrono::{DateTime, Utc};
use prospector_core::hiring::questionnaire::Question;
use prospector_core::hiring::{JobStatus, Questionnaire, Stage, StageKind};
use prospector_core::ids::UserId;
use uuid::Uuid;

use super::{bad_code, from_json};
use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// A job opening.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// URL slug, unique.
    pub slug: String,
    /// Title from the front matter.
    pub title: String,
    /// `layout` from the front matter.
    pub layout: Option<String>,
    /// `location` from the front matter.
    pub location: Option<String>,
    /// `team` from the front matter.
    pub team: Option<String>,
    /// Open, closed or draft.
    pub status: JobStatus,
    /// The whole file as imported or last saved, byte for byte.
    pub source: String,
    /// The markdown after the front matter, byte for byte.
    pub body: String,
    /// The pipeline.
    pub stages: Vec<Stage>,
    /// The questions applicants answer.
    pub questionnaire: Questionnaire,
    /// The user who manages the hire (first approver of offers).
    pub hiring_manager_id: Option<UserId>,
    /// The final approver of offers; the first admin when unset.
    pub ceo_id: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When a hire closed it.
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StageJson {
    code: String,
    name: String,
    kind: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct QuestionJson {
    code: String,
    prompt: String,
    required: bool,
    max_chars: usize,
}

/// Parses a stage kind code.
pub fn stage_kind(code: &str) -> Option<StageKind> {
    [
        StageKind::Review,
        StageKind::Questionnaire,
        StageKind::Screening,
        StageKind::Interview,
        StageKind::Offer,
        StageKind::Hired,
    ]
    .into_iter()
    .find(|k| k.code() == code)
}

/// Parses a job status code.
pub fn job_status(code: &str) -> Option<JobStatus> {
    JobStatus::ALL.into_iter().find(|s| s.code() == code)
}

/// Stages as stored.
pub fn stages_to_json(stages: &[Stage]) -> serde_json::Value {
    serde_json::Value::Array(
        stages
            .iter()
            .map(|s| {
                serde_json::json!({"code": s.code, "name": s.name, "kind": s.kind.code(), "description": s.description})
            })
            .collect(),
    )
}

/// Stages from their stored JSON.
pub fn stages_from_json(value: serde_json::Value) -> StoreResult<Vec<Stage>> {
    let raw: Vec<StageJson> = from_json("stages", value)?;
    raw.into_iter()
        .map(|s| {
            Ok(Stage {
                kind: stage_kind(&s.kind).ok_or_else(|| bad_code("stages", &s.kind))?,
                code: s.code,
                name: s.name,
                description: s.description,
            })
        })
        .collect()
}

/// A questionnaire as stored.
pub fn questionnaire_to_json(q: &Questionnaire) -> serde_json::Value {
    serde_json::to_value(&q.questions).unwrap_or(serde_json::Value::Null)
}

/// A questionnaire from its stored JSON.
pub fn questionnaire_from_json(value: serde_json::Value) -> StoreResult<Questionnaire> {
    let raw: Vec<QuestionJson> = from_json("questionnaire", value)?;
    Ok(Questionnaire {
        questions: raw
            .into_iter()
            .map(|q| Question {
                code: q.code,
                prompt: q.prompt,
                required: q.required,
                max_chars: q.max_chars,
            })
            .collect(),
    })
}

const COLUMNS: &str = "id, slug, title, layout, location, team, status, source, body, stages, questionnaire, \
                       hiring_manager_id, ceo_id, created_at, updated_at, closed_at";

fn decode(row: &Row) -> StoreResult<Job> {
    let status: String = row.get("status")?;
    Ok(Job {
        id: row.get("id")?,
        slug: row.get("slug")?,
        title: row.get("title")?,
        layout: row.get("layout")?,
        location: row.get("location")?,
        team: row.get("team")?,
        status: job_status(&status).ok_or_else(|| bad_code("status", &status))?,
        source: row.get("source")?,
        body: row.get("body")?,
        stages: stages_from_json(row.get("stages")?)?,
        questionnaire: questionnaire_from_json(row.get("questionnaire")?)?,
        hiring_manager_id: row.get("hiring_manager_id")?,
        ceo_id: row.get("ceo_id")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        closed_at: row.get("closed_at")?,
    })
}

/// Adds a job; a taken slug is a conflict.
pub async fn insert_job(ex: &mut impl Exec, job: &Job) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ))
        .bind(job.id)
        .bind(&job.slug)
        .bind(&job.title)
        .bind(job.layout.clone())
        .bind(job.location.clone())
        .bind(job.team.clone())
        .bind(job.status.code())
        .bind(&job.source)
        .bind(&job.body)
        .bind(stages_to_json(&job.stages))
        .bind(questionnaire_to_json(&job.questionnaire))
        .bind(job.hiring_manager_id)
        .bind(job.ceo_id)
        .bind(job.created_at)
        .bind(job.updated_at)
        .bind(job.closed_at),
    )
    .await?;
    Ok(())
}

/// Saves every field of `job` but its id, slug and creation time.
pub async fn update_job(ex: &mut impl Exec, job: &Job) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE jobs SET title = $1, layout = $2, location = $3, team = $4, status = $5, source = $6, body = $7, \
             stages = $8, questionnaire = $9, hiring_manager_id = $10, ceo_id = $11, updated_at = $12, closed_at = $13 \
             WHERE id = $14",
        )
        .bind(&job.title)
        .bind(job.layout.clone())
        .bind(job.location.clone())
        .bind(job.team.clone())
        .bind(job.status.code())
        .bind(&job.source)
        .bind(&job.body)
        .bind(stages_to_json(&job.stages))
        .bind(questionnaire_to_json(&job.questionnaire))
        .bind(job.hiring_manager_id)
        .bind(job.ceo_id)
        .bind(job.updated_at)
        .bind(job.closed_at)
        .bind(job.id),
    )
    .await?;
    Ok(())
}

/// The job with `id`.
pub async fn job_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Job>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM jobs WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The job with `slug`.
pub async fn job_by_slug(ex: &mut impl Exec, slug: &str) -> StoreResult<Option<Job>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM jobs WHERE slug = $1")).bind(slug))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Whether a slug is taken.
pub async fn slug_taken(ex: &mut impl Exec, slug: &str) -> StoreResult<bool> {
    Ok(ex
        .fetch_optional(query("SELECT id FROM jobs WHERE slug = $1").bind(slug))
        .await?
        .is_some())
}

/// Jobs by title; only `status` when given; only those managed by `manager` when given.
pub async fn list_jobs(
    ex: &mut impl Exec,
    status: Option<JobStatus>,
    manager: Option<UserId>,
) -> StoreResult<Vec<Job>> {
    let mut sql = format!("SELECT {COLUMNS} FROM jobs WHERE 1 = 1");
    let mut q = query("");
    if let Some(status) = status {
        sql.push_str(&format!(" AND status = ${}", q.push_bind(status.code())));
    }
    if let Some(manager) = manager {
        sql.push_str(&format!(" AND hiring_manager_id = ${}", q.push_bind(manager)));
    }
    sql.push_str(" ORDER BY lower(title), id");
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}
