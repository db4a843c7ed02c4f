//! Sequence numbers for the dashboards, read from the step executions and enrollments with
//! indexed, grouped queries (`step_executions_created`, migration 0016): results per sequence
//! step and people sequenced per account. What each execution adds is `core::metrics::step_counts`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use super::Filter;
use crate::error::StoreResult;
use crate::query::{Exec, Query, query};

/// Step executions of one step grouped by outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct StepGroup {
    /// The sequence.
    pub sequence_id: Uuid,
    /// Its name.
    pub sequence: String,
    /// The step's index (0-based).
    pub step_index: i64,
    /// Step kind code.
    pub kind: String,
    /// Execution status.
    pub status: String,
    /// Disposition, `replied` or `bounced`.
    pub outcome: Option<String>,
    /// A call that reached the person.
    pub is_connect: bool,
    /// How many.
    pub n: i64,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The filter's clauses over executions `x` (and their person `p`, account `a`): carried out in
/// the date range, by the rep or a rep of the team, for a person of the source and segment.
fn where_clause(q: &mut Query, filter: &Filter, owner: &str, at: &str) -> String {
    let mut clauses = Vec::new();
    if let Some(f) = filter.from {
        clauses.push(format!("{at} >= ${}", q.push_bind(start_of(f))));
    }
    if let Some(t) = filter.to {
        clauses.push(format!(
            "{at} < ${}",
            q.push_bind(start_of(t + Duration::days(1)))
        ));
    }
    if let Some(r) = filter.rep {
        clauses.push(format!("{owner} = ${}", q.push_bind(r)));
    }
    if let Some(t) = filter.team {
        clauses.push(format!(
            "{owner} IN (SELECT id FROM users WHERE team_id = ${})",
            q.push_bind(t)
        ));
    }
    if let Some(s) = &filter.source {
        clauses.push(format!("p.source = ${}", q.push_bind(s.clone())));
    }
    if let Some(s) = &filter.segment {
        clauses.push(format!("a.segment = ${}", q.push_bind(s.clone())));
    }
    if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    }
}

/// Step executions created in the filter's range, grouped by sequence, step and outcome, in
/// sequence-name and step order.
pub async fn step_groups(ex: &mut impl Exec, filter: &Filter) -> StoreResult<Vec<StepGroup>> {
    let mut q = query("");
    let wh = where_clause(&mut q, filter, "x.owner_id", "x.created_at");
    let sql = format!(
        "SELECT x.sequence_id, s.name, x.step_index, x.kind, x.status, x.outcome, x.is_connect, \
         CAST(COUNT(*) AS BIGINT) AS n FROM step_executions x JOIN sequences s ON s.id = x.sequence_id \
         JOIN people p ON p.id = x.person_id LEFT JOIN accounts a ON a.id = p.account_id{wh} \
         GROUP BY x.sequence_id, s.name, x.step_index, x.kind, x.status, x.outcome, x.is_connect \
         ORDER BY s.name, x.sequence_id, x.step_index"
    );
    ex.fetch_all(q.with_sql(sql))
        .await?
        .iter()
        .map(|r| {
            Ok(StepGroup {
                sequence_id: r.get("sequence_id")?,
                sequence: r.get("name")?,
                step_index: r.get("step_index")?,
                kind: r.get("kind")?,
                status: r.get("status")?,
                outcome: r.get("outcome")?,
                is_connect: r.get("is_connect")?,
                n: r.get("n")?,
            })
        })
        .collect()
}

/// People enrolled in a sequence in the filter's range (by the rep or a rep of the team) and
/// the accounts they belong to: `(people, accounts)`, each counted once; people without an
/// account are not counted.
pub async fn people_sequenced(ex: &mut impl Exec, filter: &Filter) -> StoreResult<(i64, i64)> {
    let mut q = query("");
    let wh = where_clause(&mut q, filter, "e.owner_id", "e.enrolled_at");
    let and = if wh.is_empty() { " WHERE" } else { " AND" };
    let sql = format!(
        "SELECT CAST(COUNT(DISTINCT p.id) AS BIGINT) AS people, CAST(COUNT(DISTINCT a.id) AS BIGINT) AS accounts \
         FROM enrollments e JOIN people p ON p.id = e.person_id JOIN accounts a ON a.id = p.account_id{wh}{and} \
         a.merged_into IS NULL"
    );
    let r = ex.fetch_one(q.with_sql(sql)).await?;
    Ok((r.get("people")?, r.get("accounts")?))
}

/// Failed sequence steps (skipped or bounced, the SQL form of `core::metrics::is_failed_step`)
/// since `since`, of `owners` (everyone when `None`), oldest first, at most `limit`.
pub async fn failed_steps(
    ex: &mut impl Exec,
    owners: Option<&[UserId]>,
    since: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<FailedStep>> {
    let mut q = query("");
    let mut sql = format!(
        "SELECT x.id, x.enrollment_id, x.person_id, x.step_index, x.owner_id, x.created_at, x.note, x.outcome, \
         s.name AS sequence, \
         COALESCE(NULLIF(TRIM(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, '')), ''), p.email, 'Unnamed') AS person \
         FROM step_executions x JOIN sequences s ON s.id = x.sequence_id JOIN people p ON p.id = x.person_id \
         WHERE (x.status = 'skipped' OR x.outcome = 'bounced') AND x.created_at >= ${}",
        q.push_bind(since)
    );
    sql.push_str(&super::hygiene::owners_clause(&mut q, "x.owner_id", owners));
    sql.push_str(&format!(
        " ORDER BY x.created_at, x.id LIMIT ${}",
        q.push_bind(limit)
    ));
    ex.fetch_all(q.with_sql(sql))
        .await?
        .iter()
        .map(|r| {
            let outcome: Option<String> = r.get("outcome")?;
            let note: Option<String> = r.get("note")?;
            Ok(FailedStep {
                id: r.get("id")?,
                enrollment_id: r.get("enrollment_id")?,
                person_id: r.get("person_id")?,
                person: r.get("person")?,
                sequence: r.get("sequence")?,
                step_index: r.get("step_index")?,
                owner_id: r.get("owner_id")?,
                at: r.get("created_at")?,
                why: match outcome.as_deref() {
                    Some("bounced") => "the email bounced".to_owned(),
                    _ => note.unwrap_or_else(|| "skipped".to_owned()),
                },
            })
        })
        .collect()
}

/// One failed step.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedStep {
    /// The execution.
    pub id: Uuid,
    /// Its enrollment.
    pub enrollment_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Their name.
    pub person: String,
    /// The sequence's name.
    pub sequence: String,
    /// The step (0-based).
    pub step_index: i64,
    /// The rep.
    pub owner_id: UserId,
    /// When it failed.
    pub at: DateTime<Utc>,
    /// Why.
    pub why: String,
}
