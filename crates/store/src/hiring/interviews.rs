//! Interviews, who conducts them, and the blind scorecards they submit.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use super::from_json;
use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// A scheduled interview.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Interview {
    /// Id.
    pub id: Uuid,
    /// The application.
    pub application_id: Uuid,
    /// The stage it belongs to.
    pub stage: String,
    /// Starts.
    pub starts_at: DateTime<Utc>,
    /// Ends.
    pub ends_at: DateTime<Utc>,
    /// Room or video link.
    pub location: Option<String>,
    /// Scorecards are due by then.
    pub scorecard_due_at: DateTime<Utc>,
    /// Who scheduled it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The interviewers.
    pub interviewer_ids: Vec<UserId>,
}

/// A submitted scorecard as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScorecardRow {
    /// Id.
    pub id: Uuid,
    /// The interview.
    pub interview_id: Uuid,
    /// The application.
    pub application_id: Uuid,
    /// Who wrote it.
    pub interviewer_id: UserId,
    /// Overall recommendation code.
    pub overall: String,
    /// Attribute → rating code (null when not covered).
    pub ratings: Vec<(String, Option<String>)>,
    /// Pros.
    pub pros: String,
    /// Cons.
    pub cons: String,
    /// Notes.
    pub notes: String,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, application_id, stage, starts_at, ends_at, location, scorecard_due_at, created_by, created_at";

async fn decode(ex: &mut impl Exec, row: &Row) -> StoreResult<Interview> {
    let id: Uuid = row.get("id")?;
    let people = ex
        .fetch_all(
            query("SELECT user_id FROM interview_interviewers WHERE interview_id = $1 ORDER BY user_id")
                .bind(id),
        )
        .await?;
    Ok(Interview {
        id,
        application_id: row.get("application_id")?,
        stage: row.get("stage")?,
        starts_at: row.get("starts_at")?,
        ends_at: row.get("ends_at")?,
        location: row.get("location")?,
        scorecard_due_at: row.get("scorecard_due_at")?,
        created_by: row.get("created_by")?,
        created_at: row.get("created_at")?,
        interviewer_ids: people
            .iter()
            .map(|r| r.get("user_id"))
            .collect::<StoreResult<_>>()?,
    })
}

async fn decode_all(ex: &mut impl Exec, rows: Vec<Row>) -> StoreResult<Vec<Interview>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(decode(ex, row).await?);
    }
    Ok(out)
}

/// Adds an interview and its interviewers.
pub async fn insert_interview(ex: &mut impl Exec, i: &Interview) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO interviews ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(i.id)
        .bind(i.application_id)
        .bind(&i.stage)
        .bind(i.starts_at)
        .bind(i.ends_at)
        .bind(i.location.clone())
        .bind(i.scorecard_due_at)
        .bind(i.created_by)
        .bind(i.created_at),
    )
    .await?;
    for user in &i.interviewer_ids {
        ex.execute(
            query("INSERT INTO interview_interviewers (interview_id, user_id) VALUES ($1, $2)")
                .bind(i.id)
                .bind(*user),
        )
        .await?;
    }
    Ok(())
}

/// The interview with `id`.
pub async fn interview_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Interview>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM interviews WHERE id = $1")).bind(id))
        .await?;
    match row {
        Some(r) => Ok(Some(decode(ex, &r).await?)),
        None => Ok(None),
    }
}

/// An application's interviews by start.
pub async fn interviews_of(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<Vec<Interview>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {COLUMNS} FROM interviews WHERE application_id = $1 ORDER BY starts_at, id"
            ))
            .bind(application_id),
        )
        .await?;
    decode_all(ex, rows).await
}

/// The interviews `user` conducts, by start.
pub async fn interviews_for_user(ex: &mut impl Exec, user: UserId) -> StoreResult<Vec<Interview>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {} FROM interviews i JOIN interview_interviewers p ON p.interview_id = i.id \
                 WHERE p.user_id = $1 ORDER BY i.starts_at, i.id",
                COLUMNS
                    .split(", ")
                    .map(|c| format!("i.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .bind(user),
        )
        .await?;
    decode_all(ex, rows).await
}

/// Whether `user` interviews the candidate of `application_id`.
pub async fn is_interviewer_of(ex: &mut impl Exec, application_id: Uuid, user: UserId) -> StoreResult<bool> {
    Ok(ex
        .fetch_optional(
            query(
                "SELECT i.id FROM interviews i JOIN interview_interviewers p ON p.interview_id = i.id \
                 WHERE i.application_id = $1 AND p.user_id = $2",
            )
            .bind(application_id)
            .bind(user),
        )
        .await?
        .is_some())
}

const SCORECARD_COLUMNS: &str =
    "id, interview_id, application_id, interviewer_id, overall, ratings, pros, cons, notes, submitted_at";

fn decode_scorecard(row: &Row) -> StoreResult<ScorecardRow> {
    Ok(ScorecardRow {
        id: row.get("id")?,
        interview_id: row.get("interview_id")?,
        application_id: row.get("application_id")?,
        interviewer_id: row.get("interviewer_id")?,
        overall: row.get("overall")?,
        ratings: from_json("ratings", row.get("ratings")?)?,
        pros: row.get("pros")?,
        cons: row.get("cons")?,
        notes: row.get("notes")?,
        submitted_at: row.get("submitted_at")?,
    })
}

/// Stores a scorecard; a second one by the same interviewer for the same interview is a conflict.
pub async fn insert_scorecard(ex: &mut impl Exec, s: &ScorecardRow) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO scorecards ({SCORECARD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(s.id)
        .bind(s.interview_id)
        .bind(s.application_id)
        .bind(s.interviewer_id)
        .bind(&s.overall)
        .bind(serde_json::json!(s.ratings))
        .bind(&s.pros)
        .bind(&s.cons)
        .bind(&s.notes)
        .bind(s.submitted_at),
    )
    .await?;
    Ok(())
}

/// Scorecards of an application, oldest first.
pub async fn scorecards_of(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<Vec<ScorecardRow>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {SCORECARD_COLUMNS} FROM scorecards WHERE application_id = $1 ORDER BY id"
            ))
            .bind(application_id),
        )
        .await?;
    rows.iter().map(decode_scorecard).collect()
}

/// Whether `user` submitted a scorecard for `interview_id`.
pub async fn has_scorecard(ex: &mut impl Exec, interview_id: Uuid, user: UserId) -> StoreResult<bool> {
    Ok(ex
        .fetch_optional(
            query("SELECT id FROM scorecards WHERE interview_id = $1 AND interviewer_id = $2")
                .bind(interview_id)
                .bind(user),
        )
        .await?
        .is_some())
}

/// Blanks the free text of an application's scorecards (anonymisation keeps the ratings).
pub async fn blank_scorecard_text(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<()> {
    ex.execute(
        query("UPDATE scorecards SET pros = '', cons = '', notes = '' WHERE application_id = $1")
            .bind(application_id),
    )
    .await?;
    Ok(())
}
