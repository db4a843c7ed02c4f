//! The Today queries: a rep's open steps grouped by what decides whether the person can be called
//! now (the sequence, for its window and days, and the person's time zone), and one page of them in
//! working order, ordered and cut in SQL so a list of thousands costs one short, indexed read.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use super::{WorkItemRow, decode_execution};
use crate::error::StoreResult;
use crate::query::{Exec, Query, query};

/// Open steps of one sequence for people in one time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkGroup {
    /// The sequence (its window and business days decide calling hours).
    pub sequence_id: Uuid,
    /// The person's IANA time zone as stored (`None` when unknown).
    pub time_zone: Option<String>,
    /// How many open steps.
    pub count: i64,
}

/// Where a page of Today starts: the sort key of the last item of the page before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCursor {
    /// 0 when the person could be called, else 1.
    pub callable_rank: i64,
    /// Step kind rank (calls first).
    pub kind_rank: i64,
    /// The person's score.
    pub score: i64,
    /// When the step fell due.
    pub due_at: DateTime<Utc>,
    /// The step's id (the tie-break).
    pub id: Uuid,
}

/// What to read: whose list, due before when, which groups can be called now, and the page.
#[derive(Debug, Clone)]
pub struct WorkPage<'a> {
    /// The rep.
    pub owner: UserId,
    /// Steps due before this instant.
    pub until: DateTime<Utc>,
    /// The (sequence, time zone) pairs whose people can be called now.
    pub callable: &'a [(Uuid, Option<String>)],
    /// Start after this item.
    pub after: Option<&'a WorkCursor>,
    /// At most this many items.
    pub limit: i64,
}

const OPEN: &str = "x.owner_id = $1 AND x.status = 'open' AND x.due_at <= $2";

/// The rep's open steps due before `until`, counted by sequence and person's time zone. Few
/// groups: the app decides per group whether its people can be called now.
pub async fn open_work_groups(
    ex: &mut impl Exec,
    owner: UserId,
    until: DateTime<Utc>,
) -> StoreResult<Vec<WorkGroup>> {
    ex.fetch_all(
        query(format!(
            "SELECT x.sequence_id, x.person_time_zone AS time_zone, CAST(COUNT(*) AS BIGINT) AS n \
             FROM step_executions x WHERE {OPEN} GROUP BY x.sequence_id, x.person_time_zone"
        ))
        .bind(owner)
        .bind(until),
    )
    .await?
    .iter()
    .map(|r| {
        Ok(WorkGroup {
            sequence_id: r.get("sequence_id")?,
            time_zone: r.get("time_zone")?,
            count: r.get("n")?,
        })
    })
    .collect()
}

/// `CASE … END` giving 0 for a step whose person can be called now (never a call to someone
/// marked do-not-call), binding the callable groups' parameters.
fn callable_rank_sql(q: &mut Query, callable: &[(Uuid, Option<String>)]) -> String {
    let mut groups: Vec<String> = Vec::with_capacity(callable.len());
    for (sequence, zone) in callable {
        let s = q.push_bind(*sequence);
        let z = q.push_bind(zone.clone().unwrap_or_default());
        groups.push(format!(
            "(x.sequence_id = ${s} AND COALESCE(x.person_time_zone, '') = ${z})"
        ));
    }
    let any = if groups.is_empty() {
        "1 = 0".to_owned()
    } else {
        groups.join(" OR ")
    };
    format!(
        "CAST(CASE WHEN x.kind = 'call' AND x.person_do_not_call THEN 1 WHEN {any} THEN 0 ELSE 1 END AS BIGINT)"
    )
}

/// Calls first, then manual emails, LinkedIn touches, and tasks.
const KIND_RANK: &str = "CAST(CASE x.kind WHEN 'call' THEN 0 WHEN 'manual_email' THEN 1 WHEN 'linkedin' THEN 2 \
     ELSE 3 END AS BIGINT)";

/// One page of the rep's open steps in working order: callable now first, then by step kind,
/// highest score, earliest due, id. Each row comes with its cursor for the next page.
///
/// The page is chosen from the covering index alone (the inner select), and only its rows are
/// then read with their person, sequence and step.
pub async fn open_work_page(
    ex: &mut impl Exec,
    page: &WorkPage<'_>,
) -> StoreResult<Vec<(WorkItemRow, WorkCursor)>> {
    let mut q = query("").bind(page.owner).bind(page.until);
    let callable = callable_rank_sql(&mut q, page.callable);
    let key = format!("{callable}, {KIND_RANK}, -x.person_score, x.due_at, x.id");
    let mut filter = OPEN.to_owned();
    if let Some(c) = page.after {
        let params = [
            q.push_bind(c.callable_rank),
            q.push_bind(c.kind_rank),
            q.push_bind(-c.score),
            q.push_bind(c.due_at),
            q.push_bind(c.id),
        ]
        .map(|n| format!("${n}"))
        .join(", ");
        filter.push_str(&format!(" AND ({key}) > ({params})"));
    }
    let limit = q.push_bind(page.limit);
    let sql = format!(
        "SELECT x.*, w.callable_rank, w.kind_rank, s.name AS sequence_name, st.script, st.handbook_page, \
         st.handbook_anchor, p.first_name, p.last_name, p.company, p.title, p.phone, p.email, p.time_zone, \
         p.score, p.do_not_call \
         FROM (SELECT x.id, {callable} AS callable_rank, {KIND_RANK} AS kind_rank, x.person_score AS score, \
         x.due_at FROM step_executions x WHERE {filter} ORDER BY {key} LIMIT ${limit}) w \
         JOIN step_executions x ON x.id = w.id JOIN people p ON p.id = x.person_id \
         JOIN sequences s ON s.id = x.sequence_id \
         LEFT JOIN sequence_steps st ON st.sequence_id = x.sequence_id AND st.position = x.step_index \
         ORDER BY w.callable_rank, w.kind_rank, -w.score, w.due_at, w.id"
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            let item = WorkItemRow {
                execution: decode_execution(r)?,
                sequence_name: r.get("sequence_name")?,
                script: r.get("script")?,
                handbook_page: r.get("handbook_page")?,
                handbook_anchor: r.get("handbook_anchor")?,
                first_name: r.get("first_name")?,
                last_name: r.get("last_name")?,
                company: r.get("company")?,
                title: r.get("title")?,
                phone: r.get("phone")?,
                email: r.get("email")?,
                time_zone: r.get("time_zone")?,
                score: r.get("score")?,
                do_not_call: r.get("do_not_call")?,
            };
            let cursor = WorkCursor {
                callable_rank: r.get("callable_rank")?,
                kind_rank: r.get("kind_rank")?,
                score: r.get("person_score")?,
                due_at: item.execution.due_at,
                id: item.execution.id,
            };
            Ok((item, cursor))
        })
        .collect()
}
