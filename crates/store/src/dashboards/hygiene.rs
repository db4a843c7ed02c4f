//! The hygiene list: records that need a rep's attention now, read from their current state
//! (these are short lists of open work, not history, so no rollup is needed).

use chrono::{DateTime, Duration, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, Query, query};

/// How long a lead may sit in Qualifying without a change before it counts as stalled.
pub const STALLED_QUALIFYING_DAYS: i64 = 14;
/// How far back a failed sequence step stays on the list.
pub const FAILED_STEP_DAYS: i64 = 30;

/// Which list an item is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HygieneKind {
    /// An MQL nobody has accepted yet.
    PendingMql,
    /// A lead in Qualifying with no change for two weeks.
    StalledQualifying,
    /// An open task past its due time.
    OverdueTask,
    /// A sequence step skipped or bounced in the last 30 days.
    FailedSequenceStep,
    /// An open opportunity with no next step.
    NoNextStep,
}

impl HygieneKind {
    /// The heading of the list.
    pub fn label(self) -> &'static str {
        match self {
            HygieneKind::PendingMql => "Pending MQLs",
            HygieneKind::StalledQualifying => "Stalled in Qualifying",
            HygieneKind::OverdueTask => "Overdue tasks",
            HygieneKind::FailedSequenceStep => "Failed sequence steps",
            HygieneKind::NoNextStep => "Opportunities without a next step",
        }
    }
}

/// One record on the hygiene list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HygieneItem {
    /// Which list.
    pub kind: HygieneKind,
    /// The record's id.
    pub id: Uuid,
    /// What to show (name or title).
    pub title: String,
    /// Whose it is.
    pub owner_id: Option<UserId>,
    /// Since when it has needed attention (MQL time, last change, due time, creation).
    pub since: DateTime<Utc>,
    /// The record's page.
    pub href: String,
}

/// ` AND {column} IN (…owners)`; nothing for everyone, no rows for an empty list.
pub(super) fn owners_clause(q: &mut Query, column: &str, owners: Option<&[UserId]>) -> String {
    match owners {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(list) => {
            let ns: Vec<String> = list.iter().map(|o| format!("${}", q.push_bind(*o))).collect();
            format!(" AND {column} IN ({})", ns.join(", "))
        }
    }
}

/// The hygiene list for `owners` (everyone when `None`) as of `now`, at most `limit` per kind,
/// oldest first.
pub async fn list(
    ex: &mut impl Exec,
    owners: Option<&[UserId]>,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<HygieneItem>> {
    let mut out = Vec::new();
    let name = "COALESCE(NULLIF(TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')), ''), email, 'Unnamed')";

    let mut q = query("");
    let w = owners_clause(&mut q, "owner_id", owners);
    let sql = format!(
        "SELECT id, {name} AS title, owner_id, COALESCE(last_mql_at, updated_at) AS since FROM people \
         WHERE kind = 'lead' AND status = 'mql'{w} ORDER BY since, id LIMIT ${}",
        q.push_bind(limit)
    );
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        let id: Uuid = r.get("id")?;
        out.push(HygieneItem {
            kind: HygieneKind::PendingMql,
            id,
            title: r.get("title")?,
            owner_id: r.get("owner_id")?,
            since: r.get("since")?,
            href: format!("/leads/{id}"),
        });
    }

    let mut q = query("");
    let w = owners_clause(&mut q, "owner_id", owners);
    let stale = now - Duration::days(STALLED_QUALIFYING_DAYS);
    let sql = format!(
        "SELECT id, {name} AS title, owner_id, updated_at FROM people WHERE kind = 'lead' AND status = 'qualifying' \
         AND updated_at < ${}{w} ORDER BY updated_at, id LIMIT ${}",
        q.push_bind(stale),
        q.push_bind(limit)
    );
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        let id: Uuid = r.get("id")?;
        out.push(HygieneItem {
            kind: HygieneKind::StalledQualifying,
            id,
            title: r.get("title")?,
            owner_id: r.get("owner_id")?,
            since: r.get("updated_at")?,
            href: format!("/leads/{id}"),
        });
    }

    let mut q = query("");
    let w = owners_clause(&mut q, "owner_id", owners);
    let sql = format!(
        "SELECT id, title, owner_id, due_at, person_id, account_id, opportunity_id, \
         (SELECT kind FROM people WHERE people.id = tasks.person_id) AS person_kind FROM tasks \
         WHERE status = 'open' AND due_at < ${}{w} ORDER BY due_at, id LIMIT ${}",
        q.push_bind(now),
        q.push_bind(limit)
    );
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        let id: Uuid = r.get("id")?;
        let href = match (
            r.get::<Option<Uuid>>("person_id")?,
            r.get::<Option<Uuid>>("account_id")?,
            r.get::<Option<Uuid>>("opportunity_id")?,
        ) {
            (Some(p), _, _) if r.get::<Option<String>>("person_kind")?.as_deref() == Some("contact") => {
                format!("/contacts/{p}")
            }
            (Some(p), _, _) => format!("/leads/{p}"),
            (_, _, Some(o)) => format!("/opportunities/{o}"),
            (_, Some(a), _) => format!("/accounts/{a}"),
            _ => "/today".to_owned(),
        };
        out.push(HygieneItem {
            kind: HygieneKind::OverdueTask,
            id,
            title: r.get("title")?,
            owner_id: r.get("owner_id")?,
            since: r.get("due_at")?,
            href,
        });
    }

    let since = now - Duration::days(FAILED_STEP_DAYS);
    for f in super::sequences::failed_steps(ex, owners, since, limit).await? {
        out.push(HygieneItem {
            kind: HygieneKind::FailedSequenceStep,
            id: f.enrollment_id,
            title: format!(
                "{} · {}, step {}: {}",
                f.person,
                f.sequence,
                f.step_index + 1,
                f.why
            ),
            owner_id: Some(f.owner_id),
            since: f.at,
            // The person's enrollments, with the record one click away.
            href: format!("/sequences/people/{}", f.person_id),
        });
    }

    let mut q = query("");
    let w = owners_clause(&mut q, "sdr_id", owners);
    let sql = format!(
        "SELECT id, name, sdr_id, created_at FROM opportunities \
         WHERE stage NOT IN ('closed_won', 'closed_lost', 'unqualified', 'duplicate') \
         AND (next_step IS NULL OR TRIM(next_step) = ''){w} ORDER BY created_at, id LIMIT ${}",
        q.push_bind(limit)
    );
    for r in ex.fetch_all(q.with_sql(sql)).await? {
        let id: Uuid = r.get("id")?;
        out.push(HygieneItem {
            kind: HygieneKind::NoNextStep,
            id,
            title: r.get("name")?,
            owner_id: r.get("sdr_id")?,
            since: r.get("created_at")?,
            href: format!("/opportunities/{id}"),
        });
    }
    Ok(out)
}

/// Account coverage of `reps` (everyone's accounts when empty): how many accounts they are SDR
/// of, how many are actively worked, and how many have any research (headcount, stack or a
/// strategy).
pub async fn coverage(ex: &mut impl Exec, reps: &[UserId]) -> StoreResult<(i64, i64, i64)> {
    let mut q = query("");
    let w = if reps.is_empty() {
        String::new()
    } else {
        owners_clause(&mut q, "sdr_id", Some(reps))
    };
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(CASE WHEN prospecting_status = 'actively_working' THEN 1 ELSE 0 END), 0) AS BIGINT) AS working, \
         CAST(COALESCE(SUM(CASE WHEN developer_count IS NOT NULL OR strategy IS NOT NULL \
              OR CAST(tech_stack AS TEXT) <> '[]' THEN 1 ELSE 0 END), 0) AS BIGINT) AS researched \
         FROM accounts WHERE merged_into IS NULL{w}"
    );
    let r = ex.fetch_one(q.with_sql(sql)).await?;
    Ok((r.get("total")?, r.get("working")?, r.get("researched")?))
}
