//! Candidates (one per person, recognised by email), their applications to jobs, the stages each
//! application passed through and when, and résumé files.

use chrono::{DateTime, Utc};
use prospector_core::hiring::{ApplicationStatus, DeclineReason};
use uuid::Uuid;

use super::{bad_code, from_json};
use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// A person who applied, once, however many applications they make.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// Id.
    pub id: Uuid,
    /// Lower-cased email; `None` once anonymised.
    pub email: Option<String>,
    /// Name (`Anonymised candidate` once anonymised).
    pub name: String,
    /// Phone as typed.
    pub phone: Option<String>,
    /// Profile links (LinkedIn, website).
    pub links: Vec<String>,
    /// Talent-pool tags.
    pub tags: Vec<String>,
    /// First application.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When personal data was erased.
    pub anonymised_at: Option<DateTime<Utc>>,
    /// Their IANA time zone, when known (interview times are shown in it).
    pub time_zone: Option<String>,
}

/// One application of a candidate to a job.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApplicationRow {
    /// Id.
    pub id: Uuid,
    /// The job.
    pub job_id: Uuid,
    /// The candidate.
    pub candidate_id: Uuid,
    /// Current (or last) stage code.
    pub stage: String,
    /// Active, declined, withdrawn or hired.
    pub status: ApplicationStatus,
    /// Where the candidate heard of the job (`careers_page`, `referral`, …).
    pub source: String,
    /// Questionnaire answers, question code → text.
    pub answers: std::collections::BTreeMap<String, String>,
    /// When the candidate consented to processing.
    pub consent_at: DateTime<Utc>,
    /// Why declined.
    pub decline_reason: Option<DeclineReason>,
    /// Note on the decline.
    pub decline_note: Option<String>,
    /// The outbox dedupe key of the decline email, so it can be cancelled before it is sent.
    pub decline_email_key: Option<String>,
    /// Applied.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Declined, withdrawn or hired at.
    pub closed_at: Option<DateTime<Utc>>,
    /// When personal data was erased.
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// A stay of an application in one stage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageStay {
    /// The application.
    pub application_id: Uuid,
    /// Stage code.
    pub stage: String,
    /// Entered.
    pub entered_at: DateTime<Utc>,
    /// Left (still there when `None`).
    pub left_at: Option<DateTime<Utc>>,
}

/// A stored résumé, without its bytes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResumeMeta {
    /// Id.
    pub id: Uuid,
    /// The application.
    pub application_id: Uuid,
    /// `pdf` or `docx`, decided from the content.
    pub kind: String,
    /// The name the uploader gave, for the download.
    pub file_name: String,
    /// Size.
    pub size_bytes: i64,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

/// Parses an application status code.
pub fn application_status(code: &str) -> Option<ApplicationStatus> {
    [
        ApplicationStatus::Active,
        ApplicationStatus::Declined,
        ApplicationStatus::Withdrawn,
        ApplicationStatus::Hired,
    ]
    .into_iter()
    .find(|s| s.code() == code)
}

const CANDIDATE_COLUMNS: &str =
    "id, email, name, phone, links, tags, created_at, updated_at, anonymised_at, time_zone";

fn decode_candidate(row: &Row) -> StoreResult<Candidate> {
    Ok(Candidate {
        id: row.get("id")?,
        email: row.get("email")?,
        name: row.get("name")?,
        phone: row.get("phone")?,
        links: from_json("links", row.get("links")?)?,
        tags: from_json("tags", row.get("tags")?)?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        anonymised_at: row.get("anonymised_at")?,
        time_zone: row.get("time_zone")?,
    })
}

/// Adds a candidate; a taken email is a conflict.
pub async fn insert_candidate(ex: &mut impl Exec, c: &Candidate) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO candidates ({CANDIDATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(c.id)
        .bind(c.email.clone())
        .bind(&c.name)
        .bind(c.phone.clone())
        .bind(serde_json::json!(c.links))
        .bind(serde_json::json!(c.tags))
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(c.anonymised_at)
        .bind(c.time_zone.clone()),
    )
    .await?;
    Ok(())
}

/// Saves a candidate's personal data and tags.
pub async fn update_candidate(ex: &mut impl Exec, c: &Candidate) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE candidates SET email = $1, name = $2, phone = $3, links = $4, tags = $5, updated_at = $6, \
             anonymised_at = $7, time_zone = $8 WHERE id = $9",
        )
        .bind(c.email.clone())
        .bind(&c.name)
        .bind(c.phone.clone())
        .bind(serde_json::json!(c.links))
        .bind(serde_json::json!(c.tags))
        .bind(c.updated_at)
        .bind(c.anonymised_at)
        .bind(c.time_zone.clone())
        .bind(c.id),
    )
    .await?;
    Ok(())
}

/// The candidate with `id`.
pub async fn candidate_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Candidate>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {CANDIDATE_COLUMNS} FROM candidates WHERE id = $1"
            ))
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode_candidate).transpose()
}

/// The candidate with `email` (lower-cased).
pub async fn candidate_by_email(ex: &mut impl Exec, email: &str) -> StoreResult<Option<Candidate>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {CANDIDATE_COLUMNS} FROM candidates WHERE email = $1"
            ))
            .bind(email),
        )
        .await?;
    row.as_ref().map(decode_candidate).transpose()
}

const APPLICATION_COLUMNS: &str = "id, job_id, candidate_id, stage, status, source, answers, consent_at, \
    decline_reason, decline_note, decline_email_key, created_at, updated_at, closed_at, anonymised_at";

fn decode_application(row: &Row) -> StoreResult<ApplicationRow> {
    let status: String = row.get("status")?;
    let reason: Option<String> = row.get("decline_reason")?;
    Ok(ApplicationRow {
        id: row.get("id")?,
        job_id: row.get("job_id")?,
        candidate_id: row.get("candidate_id")?,
        stage: row.get("stage")?,
        status: application_status(&status).ok_or_else(|| bad_code("status", &status))?,
        source: row.get("source")?,
        answers: from_json("answers", row.get("answers")?)?,
        consent_at: row.get("consent_at")?,
        decline_reason: reason
            .map(|r| DeclineReason::parse(&r).map_err(|_| bad_code("decline_reason", &r)))
            .transpose()?,
        decline_note: row.get("decline_note")?,
        decline_email_key: row.get("decline_email_key")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        closed_at: row.get("closed_at")?,
        anonymised_at: row.get("anonymised_at")?,
    })
}

/// Adds an application; a second one of the same candidate to the same job is a conflict.
pub async fn insert_application(ex: &mut impl Exec, a: &ApplicationRow) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO applications ({APPLICATION_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(a.id)
        .bind(a.job_id)
        .bind(a.candidate_id)
        .bind(&a.stage)
        .bind(a.status.code())
        .bind(&a.source)
        .bind(serde_json::json!(a.answers))
        .bind(a.consent_at)
        .bind(a.decline_reason.map(|r| r.code()))
        .bind(a.decline_note.clone())
        .bind(a.decline_email_key.clone())
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(a.closed_at)
        .bind(a.anonymised_at),
    )
    .await?;
    Ok(())
}

/// Saves an application's state.
pub async fn update_application(ex: &mut impl Exec, a: &ApplicationRow) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE applications SET stage = $1, status = $2, answers = $3, decline_reason = $4, decline_note = $5, \
             decline_email_key = $6, updated_at = $7, closed_at = $8, anonymised_at = $9 WHERE id = $10",
        )
        .bind(&a.stage)
        .bind(a.status.code())
        .bind(serde_json::json!(a.answers))
        .bind(a.decline_reason.map(|r| r.code()))
        .bind(a.decline_note.clone())
        .bind(a.decline_email_key.clone())
        .bind(a.updated_at)
        .bind(a.closed_at)
        .bind(a.anonymised_at)
        .bind(a.id),
    )
    .await?;
    Ok(())
}

/// The application with `id`.
pub async fn application_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<ApplicationRow>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1"
            ))
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode_application).transpose()
}

/// The candidate's application to the job, if any.
pub async fn application_for(
    ex: &mut impl Exec,
    job_id: Uuid,
    candidate_id: Uuid,
) -> StoreResult<Option<ApplicationRow>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications WHERE job_id = $1 AND candidate_id = $2"
            ))
            .bind(job_id)
            .bind(candidate_id),
        )
        .await?;
    row.as_ref().map(decode_application).transpose()
}

/// Applications of a job (every job when `None`), oldest first.
pub async fn applications_of_job(
    ex: &mut impl Exec,
    job_id: Option<Uuid>,
) -> StoreResult<Vec<ApplicationRow>> {
    let mut q = query("");
    let mut sql = format!("SELECT {APPLICATION_COLUMNS} FROM applications");
    if let Some(job) = job_id {
        sql.push_str(&format!(" WHERE job_id = ${}", q.push_bind(job)));
    }
    sql.push_str(" ORDER BY id");
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode_application).collect()
}

/// A candidate's applications, oldest first.
pub async fn applications_of_candidate(
    ex: &mut impl Exec,
    candidate_id: Uuid,
) -> StoreResult<Vec<ApplicationRow>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications WHERE candidate_id = $1 ORDER BY id"
            ))
            .bind(candidate_id),
        )
        .await?;
    rows.iter().map(decode_application).collect()
}

/// Records that an application entered `stage` at `at`, closing its previous stay.
pub async fn enter_stage(
    ex: &mut impl Exec,
    application_id: Uuid,
    stage: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query("UPDATE application_stages SET left_at = $1 WHERE application_id = $2 AND left_at IS NULL")
            .bind(at)
            .bind(application_id),
    )
    .await?;
    ex.execute(
        query(
            "INSERT INTO application_stages (id, application_id, stage, entered_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(prospector_core::ids::uuid_v7_at(at))
        .bind(application_id)
        .bind(stage)
        .bind(at),
    )
    .await?;
    Ok(())
}

/// Closes the open stay of an application (it was declined, withdrew or was hired).
pub async fn leave_stage(ex: &mut impl Exec, application_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE application_stages SET left_at = $1 WHERE application_id = $2 AND left_at IS NULL")
            .bind(at)
            .bind(application_id),
    )
    .await?;
    Ok(())
}

/// Every stay of the applications of a job (every job when `None`), in order.
pub async fn stage_stays(ex: &mut impl Exec, job_id: Option<Uuid>) -> StoreResult<Vec<StageStay>> {
    let mut q = query("");
    let mut sql = String::from(
        "SELECT s.application_id, s.stage, s.entered_at, s.left_at FROM application_stages s \
         JOIN applications a ON a.id = s.application_id",
    );
    if let Some(job) = job_id {
        sql.push_str(&format!(" WHERE a.job_id = ${}", q.push_bind(job)));
    }
    sql.push_str(" ORDER BY s.application_id, s.entered_at, s.id");
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            Ok(StageStay {
                application_id: r.get("application_id")?,
                stage: r.get("stage")?,
                entered_at: r.get("entered_at")?,
                left_at: r.get("left_at")?,
            })
        })
        .collect()
}

/// Stores a résumé.
pub async fn insert_resume(ex: &mut impl Exec, meta: &ResumeMeta, content: Vec<u8>) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO resumes (id, application_id, kind, file_name, size_bytes, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(meta.id)
        .bind(meta.application_id)
        .bind(&meta.kind)
        .bind(&meta.file_name)
        .bind(meta.size_bytes)
        .bind(content)
        .bind(meta.created_at),
    )
    .await?;
    Ok(())
}

/// The résumés of an application, newest first, without their bytes.
pub async fn resumes_of(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<Vec<ResumeMeta>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, application_id, kind, file_name, size_bytes, created_at FROM resumes \
                 WHERE application_id = $1 ORDER BY id DESC",
            )
            .bind(application_id),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ResumeMeta {
                id: r.get("id")?,
                application_id: r.get("application_id")?,
                kind: r.get("kind")?,
                file_name: r.get("file_name")?,
                size_bytes: r.get("size_bytes")?,
                created_at: r.get("created_at")?,
            })
        })
        .collect()
}

/// A résumé's bytes.
pub async fn resume_content(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Vec<u8>>> {
    let row = ex
        .fetch_optional(query("SELECT content FROM resumes WHERE id = $1").bind(id))
        .await?;
    row.map(|r| r.get("content")).transpose()
}

/// Deletes an application's résumés.
pub async fn delete_resumes(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<u64> {
    ex.execute(query("DELETE FROM resumes WHERE application_id = $1").bind(application_id))
        .await
}

/// How many résumés are stored (tests check that refused uploads store nothing).
pub async fn count_resumes(ex: &mut impl Exec) -> StoreResult<i64> {
    ex.fetch_one(query("SELECT COUNT(*) AS n FROM resumes"))
        .await?
        .get("n")
}
