//! The day rollups. Every write that changes a metric calls one of the `on_*` functions in its
//! own transaction, so the rollups can never disagree with the records they summarise;
//! [`rebuild`] replays everything through the same functions (after a bulk load, or to check).

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::ids::{TeamId, UserId};
use prospector_core::metrics::{
    Counts, StatusMetric, activity_counts, stage_change_counts, status_change_metrics,
};
use prospector_core::records::{ActivityDetail, ActivityId};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Query, Row, query};
use crate::records::activities::Activity;
use crate::records::{AccountId, OpportunityId, PersonId};

/// Where a metric is filed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dims {
    /// The UTC day it happened.
    pub day: NaiveDate,
    /// The rep it is credited to (the nil UUID when nobody).
    pub rep: Uuid,
    /// The rep's team (the nil UUID when none).
    pub team: Uuid,
    /// The person's lead source ('' when unknown).
    pub source: String,
    /// The account's segment ('' when unknown).
    pub segment: String,
}

const COUNT_COLUMNS: [&str; 11] = [
    "calls",
    "connects",
    "emails_sent",
    "replies",
    "linkedin",
    "meetings",
    "opportunities",
    "pipeline_cents",
    "saos",
    "rejected",
    "sqos",
];

fn count_values(c: &Counts) -> [i64; 11] {
    [
        c.calls,
        c.connects,
        c.emails_sent,
        c.replies,
        c.linkedin,
        c.meetings,
        c.opportunities,
        c.pipeline_cents,
        c.saos,
        c.rejected,
        c.sqos,
    ]
}

fn counts_from(row: &Row) -> StoreResult<Counts> {
    Ok(Counts {
        calls: row.get("calls")?,
        connects: row.get("connects")?,
        emails_sent: row.get("emails_sent")?,
        replies: row.get("replies")?,
        linkedin: row.get("linkedin")?,
        meetings: row.get("meetings")?,
        opportunities: row.get("opportunities")?,
        pipeline_cents: row.get("pipeline_cents")?,
        saos: row.get("saos")?,
        rejected: row.get("rejected")?,
        sqos: row.get("sqos")?,
    })
}

/// Adds `counts` to the day row of `dims` and to its rep × day row.
pub async fn add_counts(ex: &mut impl Exec, dims: &Dims, counts: &Counts) -> StoreResult<()> {
    if counts.is_zero() {
        return Ok(());
    }
    upsert_counts(ex, Level::Slices, dims, counts).await?;
    upsert_counts(ex, Level::RepDay, dims, counts).await
}

/// The two levels counters are kept at.
#[derive(Debug, Clone, Copy)]
enum Level {
    /// Every dimension (`activity_rollups`): for source and segment filters.
    Slices,
    /// Rep × day (`rep_day_rollups`, sources and segments summed): for every other view.
    RepDay,
}

impl Level {
    fn table(self) -> &'static str {
        match self {
            Level::Slices => "activity_rollups",
            Level::RepDay => "rep_day_rollups",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Level::Slices => &["day", "rep_id", "team_id", "source", "segment"],
            Level::RepDay => &["day", "rep_id", "team_id"],
        }
    }

    /// The level to read for `filter`.
    fn for_filter(filter: &Filter) -> Level {
        if filter.source.is_some() || filter.segment.is_some() {
            Level::Slices
        } else {
            Level::RepDay
        }
    }
}

async fn upsert_counts(ex: &mut impl Exec, level: Level, dims: &Dims, counts: &Counts) -> StoreResult<()> {
    let mut q = query("").bind(dims.day).bind(dims.rep).bind(dims.team);
    if let Level::Slices = level {
        q = q.bind(dims.source.clone()).bind(dims.segment.clone());
    }
    let keys = level.keys();
    for v in count_values(counts) {
        q = q.bind(v);
    }
    let table = level.table();
    let placeholders: Vec<String> = (1..=keys.len() + COUNT_COLUMNS.len())
        .map(|i| format!("${i}"))
        .collect();
    let updates: Vec<String> = COUNT_COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}, {}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        COUNT_COLUMNS.join(", "),
        placeholders.join(", "),
        keys.join(", "),
        updates.join(", ")
    );
    ex.write(q.with_sql(sql)).await
}

/// Adds lifecycle counters to the day of `dims`; `sign` -1 takes them back.
pub async fn add_status(
    ex: &mut impl Exec,
    dims: &Dims,
    metrics: &[StatusMetric],
    sign: i64,
) -> StoreResult<()> {
    for m in metrics {
        ex.write(
            query(
                "INSERT INTO status_rollups (day, rep_id, team_id, source, segment, metric, value, events) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (day, rep_id, team_id, source, segment, metric) \
                 DO UPDATE SET value = status_rollups.value + excluded.value, \
                 events = status_rollups.events + excluded.events",
            )
            .bind(dims.day)
            .bind(dims.rep)
            .bind(dims.team)
            .bind(dims.source.clone())
            .bind(dims.segment.clone())
            .bind(m.metric.clone())
            .bind(m.value * sign)
            .bind(m.events * sign),
        )
        .await?;
    }
    Ok(())
}

/// The rep's team (nil when none).
async fn team_of(ex: &mut impl Exec, rep: Option<UserId>) -> StoreResult<Uuid> {
    let Some(rep) = rep else { return Ok(Uuid::nil()) };
    let row = ex
        .fetch_optional(query("SELECT team_id FROM users WHERE id = $1").bind(rep))
        .await?;
    Ok(match row {
        Some(r) => r.get::<Option<TeamId>>("team_id")?.map_or(Uuid::nil(), |t| t.0),
        None => Uuid::nil(),
    })
}

/// Dimensions of something about `person` / `account`, credited to `rep` (or, when none, the
/// person's owner) on the day of `at`.
pub async fn dims_for(
    ex: &mut impl Exec,
    at: DateTime<Utc>,
    rep: Option<UserId>,
    person: Option<PersonId>,
    account: Option<AccountId>,
) -> StoreResult<Dims> {
    let (mut owner, mut source, mut account) = (None, None, account);
    if let Some(p) = person
        && let Some(r) = ex
            .fetch_optional(query("SELECT owner_id, source, account_id FROM people WHERE id = $1").bind(p))
            .await?
    {
        owner = r.get::<Option<UserId>>("owner_id")?;
        source = r.get::<Option<String>>("source")?;
        account = account.or(r.get::<Option<AccountId>>("account_id")?);
    }
    let mut segment = None;
    if let Some(a) = account
        && let Some(r) = ex
            .fetch_optional(query("SELECT segment FROM accounts WHERE id = $1").bind(a))
            .await?
    {
        segment = r.get::<Option<String>>("segment")?;
    }
    let rep = rep.or(owner);
    Ok(Dims {
        day: at.date_naive(),
        rep: rep.map_or(Uuid::nil(), |r| r.0),
        team: team_of(ex, rep).await?,
        source: source.unwrap_or_default(),
        segment: segment.unwrap_or_default(),
    })
}

/// The version of activity `original`'s chain that counted just before `before`: the latest
/// correction logged earlier, or the original itself.
async fn counted_version(
    ex: &mut impl Exec,
    original: ActivityId,
    before: &Activity,
) -> StoreResult<Option<Activity>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT id FROM activities WHERE (id = $1 OR corrects_id = $1) \
                 AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(original)
            .bind(before.created_at)
            .bind(before.id),
        )
        .await?;
    match row {
        Some(r) => crate::records::activities::get(ex, r.get("id")?).await,
        None => Ok(None),
    }
}

/// Seconds the person spent in the status they are leaving: since the status change before
/// `before`, `None` when there was none (the status was set at creation or import).
async fn seconds_in_previous(
    ex: &mut impl Exec,
    person: PersonId,
    before: &Activity,
) -> StoreResult<Option<i64>> {
    let row = ex
        .fetch_optional(
            query(
                "SELECT occurred_at FROM activities WHERE person_id = $1 AND kind = 'status_change' \
                 AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(person)
            .bind(before.created_at)
            .bind(before.id),
        )
        .await?;
    Ok(match row {
        Some(r) => Some((before.occurred_at - r.get::<DateTime<Utc>>("occurred_at")?).num_seconds()),
        None => None,
    })
}

/// Files activity `a` (about to be, or just, written): its counters, or its lifecycle
/// counters for a status change; a correction first takes back what the version it replaces
/// added, so reports count only the latest version, and a retraction only takes it back.
pub async fn on_activity(ex: &mut impl Exec, a: &Activity) -> StoreResult<()> {
    if let Some(original) = a.corrects_id
        && let Some(old) = counted_version(ex, original, a).await?
    {
        let dims = dims_for(ex, old.occurred_at, old.actor_id, old.person_id, old.account_id).await?;
        add_counts(ex, &dims, &activity_counts(&old.detail, old.is_connect).negated()).await?;
    }
    if matches!(a.detail, ActivityDetail::Retraction { .. }) {
        // Taking back the retracted version is all a retraction does.
        return Ok(());
    }
    if let (ActivityDetail::StatusChange { from, to, .. }, Some(opp), None) =
        (&a.detail, a.opportunity_id, a.person_id)
    {
        return on_stage_change(ex, a, opp, from, to).await;
    }
    let dims = dims_for(ex, a.occurred_at, a.actor_id, a.person_id, a.account_id).await?;
    match &a.detail {
        ActivityDetail::StatusChange { from, to, reason } => {
            let seconds = match a.person_id {
                Some(p) => seconds_in_previous(ex, p, a).await?,
                None => None,
            };
            add_status(
                ex,
                &dims,
                &status_change_metrics(from, to, reason.as_deref(), seconds),
                1,
            )
            .await
        }
        detail => add_counts(ex, &dims, &activity_counts(detail, a.is_connect)).await,
    }
}

/// An opportunity's stage change: an SQO, credited to its SDR, when it first passes into
/// Scoping or later (see `core::metrics::stage_change_counts`).
async fn on_stage_change(
    ex: &mut impl Exec,
    a: &Activity,
    opp: OpportunityId,
    from: &str,
    to: &str,
) -> StoreResult<()> {
    let counts = stage_change_counts(from, to);
    if counts.is_zero() {
        return Ok(());
    }
    let Some(o) = ex
        .fetch_optional(
            query("SELECT sdr_id, person_id, account_id FROM opportunities WHERE id = $1").bind(opp),
        )
        .await?
    else {
        return Ok(());
    };
    let dims = dims_for(
        ex,
        a.occurred_at,
        o.get("sdr_id")?,
        o.get("person_id")?,
        o.get("account_id")?,
    )
    .await?;
    add_counts(ex, &dims, &counts).await
}

/// Files a new opportunity: one opportunity and its amount as pipeline created, credited to its
/// SDR on the day it was created.
pub async fn on_opportunity_created(
    ex: &mut impl Exec,
    id: OpportunityId,
    sdr: Option<UserId>,
    person: Option<PersonId>,
    account: Option<AccountId>,
    amount_cents: Option<i64>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let _ = id;
    let dims = dims_for(ex, at, sdr, person, account).await?;
    let counts = Counts {
        opportunities: 1,
        pipeline_cents: amount_cents.unwrap_or(0),
        ..Counts::default()
    };
    add_counts(ex, &dims, &counts).await
}

/// Files an AE's decision on a hand-off: an SAO when accepted, a rejection otherwise, credited to
/// the SDR who booked it.
pub async fn on_handoff_decided(
    ex: &mut impl Exec,
    sdr: Option<UserId>,
    person: PersonId,
    accepted: bool,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let dims = dims_for(ex, at, sdr, Some(person), None).await?;
    let counts = Counts {
        saos: i64::from(accepted),
        rejected: i64::from(!accepted),
        ..Counts::default()
    };
    add_counts(ex, &dims, &counts).await
}

/// Which rollups a report sums.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// Only this team.
    pub team: Option<TeamId>,
    /// Only this rep.
    pub rep: Option<UserId>,
    /// Only this lead source.
    pub source: Option<String>,
    /// Only this segment.
    pub segment: Option<String>,
}

impl Filter {
    fn push(&self, q: &mut Query) -> String {
        let mut clauses = Vec::new();
        if let Some(f) = self.from {
            clauses.push(format!("day >= ${}", q.push_bind(f)));
        }
        if let Some(t) = self.to {
            clauses.push(format!("day <= ${}", q.push_bind(t)));
        }
        if let Some(t) = self.team {
            clauses.push(format!("team_id = ${}", q.push_bind(t)));
        }
        if let Some(r) = self.rep {
            clauses.push(format!("rep_id = ${}", q.push_bind(r)));
        }
        if let Some(s) = &self.source {
            clauses.push(format!("source = ${}", q.push_bind(s.clone())));
        }
        if let Some(s) = &self.segment {
            clauses.push(format!("segment = ${}", q.push_bind(s.clone())));
        }
        if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        }
    }
}

/// Counters of one rep on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupRow {
    /// The day.
    pub day: NaiveDate,
    /// The rep (nil when nobody).
    pub rep: Uuid,
    /// The counters.
    pub counts: Counts,
}

/// The counters matching `filter`, summed per day and rep (from the rep × day rows unless the
/// filter names a source or segment).
pub async fn counts_by_day_and_rep(ex: &mut impl Exec, filter: &Filter) -> StoreResult<Vec<RollupRow>> {
    let mut q = query("");
    let wh = filter.push(&mut q);
    let sums: Vec<String> = COUNT_COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect();
    let sql = format!(
        "SELECT day, rep_id, {} FROM {}{wh} GROUP BY day, rep_id ORDER BY day, rep_id",
        sums.join(", "),
        Level::for_filter(filter).table()
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            Ok(RollupRow {
                day: r.get("day")?,
                rep: r.get("rep_id")?,
                counts: counts_from(r)?,
            })
        })
        .collect()
}

/// Counters of lifecycle metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    /// `entered:…`, `exit:…:…` or `time_in:…`.
    pub metric: String,
    /// The summed value.
    pub value: i64,
    /// The summed events.
    pub events: i64,
}

/// Lifecycle metrics matching `filter`, summed over the range.
pub async fn status_totals(ex: &mut impl Exec, filter: &Filter) -> StoreResult<Vec<StatusRow>> {
    let mut q = query("");
    let wh = filter.push(&mut q);
    let sql = format!(
        "SELECT metric, CAST(SUM(value) AS BIGINT) AS value, CAST(SUM(events) AS BIGINT) AS events \
         FROM status_rollups{wh} GROUP BY metric ORDER BY metric"
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            Ok(StatusRow {
                metric: r.get("metric")?,
                value: r.get("value")?,
                events: r.get("events")?,
            })
        })
        .collect()
}

/// Every rollup row with a non-zero value, in a fixed order: what a recount is compared with.
pub async fn snapshot(ex: &mut impl Exec) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    let sql = format!(
        "SELECT day, rep_id, team_id, {} FROM rep_day_rollups ORDER BY day, rep_id, team_id",
        COUNT_COLUMNS.join(", ")
    );
    for r in ex.fetch_all(query(sql)).await? {
        let c = counts_from(&r)?;
        if !c.is_zero() {
            out.push(format!(
                "rep-day {} {} {} {:?}",
                r.get::<NaiveDate>("day")?,
                r.get::<Uuid>("rep_id")?,
                r.get::<Uuid>("team_id")?,
                count_values(&c)
            ));
        }
    }
    let sql = format!(
        "SELECT day, rep_id, team_id, source, segment, {} FROM activity_rollups ORDER BY day, rep_id, team_id, source, segment",
        COUNT_COLUMNS.join(", ")
    );
    for r in ex.fetch_all(query(sql)).await? {
        let c = counts_from(&r)?;
        if !c.is_zero() {
            out.push(format!(
                "{} {} {} {} {} {:?}",
                r.get::<NaiveDate>("day")?,
                r.get::<Uuid>("rep_id")?,
                r.get::<Uuid>("team_id")?,
                r.get::<String>("source")?,
                r.get::<String>("segment")?,
                count_values(&c)
            ));
        }
    }
    let rows = ex
        .fetch_all(query(
            "SELECT day, rep_id, team_id, source, segment, metric, value, events FROM status_rollups \
             ORDER BY day, rep_id, team_id, source, segment, metric",
        ))
        .await?;
    for r in rows {
        let (value, events): (i64, i64) = (r.get("value")?, r.get("events")?);
        if value != 0 || events != 0 {
            out.push(format!(
                "{} {} {} {} {} {} {value} {events}",
                r.get::<NaiveDate>("day")?,
                r.get::<Uuid>("rep_id")?,
                r.get::<Uuid>("team_id")?,
                r.get::<String>("source")?,
                r.get::<String>("segment")?,
                r.get::<String>("metric")?,
            ));
        }
    }
    Ok(out)
}

/// Recounts every rollup from the records: empties them and replays each activity (in the order
/// written), opportunity and decided hand-off through the same functions the writes use.
/// For bulk loads that bypass the use cases, and to check the incremental rollups.
pub async fn rebuild(ex: &mut impl Exec) -> StoreResult<()> {
    ex.execute(query("DELETE FROM activity_rollups")).await?;
    ex.execute(query("DELETE FROM rep_day_rollups")).await?;
    ex.execute(query("DELETE FROM status_rollups")).await?;
    let ids = ex
        .fetch_all(query("SELECT id FROM activities ORDER BY created_at, id"))
        .await?;
    for r in ids {
        let id: ActivityId = r.get("id")?;
        let a = crate::records::activities::get(ex, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        on_activity(ex, &a).await?;
    }
    let opps = ex
        .fetch_all(query(
            "SELECT id, sdr_id, person_id, account_id, amount_cents, created_at FROM opportunities ORDER BY created_at, id",
        ))
        .await?;
    for o in opps {
        on_opportunity_created(
            ex,
            o.get("id")?,
            o.get("sdr_id")?,
            o.get("person_id")?,
            o.get("account_id")?,
            o.get("amount_cents")?,
            o.get("created_at")?,
        )
        .await?;
    }
    let handoffs = ex
        .fetch_all(query(
            "SELECT sdr_id, person_id, decision, decided_at FROM handoffs WHERE decided_at IS NOT NULL ORDER BY decided_at",
        ))
        .await?;
    for h in handoffs {
        let decision: Option<String> = h.get("decision")?;
        on_handoff_decided(
            ex,
            h.get("sdr_id")?,
            h.get("person_id")?,
            decision.as_deref() == Some("accepted"),
            h.get("decided_at")?,
        )
        .await?;
    }
    Ok(())
}

/// Writes day rows in multi-row statements, for bulk loads that compute their own rollups
/// (`prospector bench dashboards`); each `(dims, counts)` must be a distinct key not yet stored.
/// The rep × day rows are added to one per rep and day.
pub async fn insert_many(ex: &mut impl Exec, rows: &[(Dims, Counts)]) -> StoreResult<()> {
    const COLS: usize = 16;
    for chunk in rows.chunks(1000) {
        let mut q = query("");
        let mut values = Vec::with_capacity(chunk.len());
        for (i, (d, c)) in chunk.iter().enumerate() {
            q = q
                .bind(d.day)
                .bind(d.rep)
                .bind(d.team)
                .bind(d.source.clone())
                .bind(d.segment.clone());
            for v in count_values(c) {
                q = q.bind(v);
            }
            let ns: Vec<String> = (1..=COLS).map(|k| format!("${}", i * COLS + k)).collect();
            values.push(format!("({})", ns.join(", ")));
        }
        let sql = format!(
            "INSERT INTO activity_rollups (day, rep_id, team_id, source, segment, {}) VALUES {}",
            COUNT_COLUMNS.join(", "),
            values.join(", ")
        );
        ex.execute(q.with_sql(sql)).await?;
    }
    // The rep × day level: summed here, added to what earlier calls wrote for the same days.
    let mut by_rep_day: std::collections::BTreeMap<(NaiveDate, Uuid, Uuid), Counts> = Default::default();
    for (d, c) in rows {
        by_rep_day.entry((d.day, d.rep, d.team)).or_default().add(c);
    }
    for ((day, rep, team), c) in by_rep_day {
        let dims = Dims {
            day,
            rep,
            team,
            source: String::new(),
            segment: String::new(),
        };
        upsert_counts(ex, Level::RepDay, &dims, &c).await?;
    }
    Ok(())
}

/// Writes lifecycle day rows in multi-row statements (bulk loads); keys must be new.
pub async fn insert_status_many(ex: &mut impl Exec, rows: &[(Dims, StatusMetric)]) -> StoreResult<()> {
    const COLS: usize = 8;
    for chunk in rows.chunks(2000) {
        let mut q = query("");
        let mut values = Vec::with_capacity(chunk.len());
        for (i, (d, m)) in chunk.iter().enumerate() {
            q = q
                .bind(d.day)
                .bind(d.rep)
                .bind(d.team)
                .bind(d.source.clone())
                .bind(d.segment.clone())
                .bind(m.metric.clone())
                .bind(m.value)
                .bind(m.events);
            let ns: Vec<String> = (1..=COLS).map(|k| format!("${}", i * COLS + k)).collect();
            values.push(format!("({})", ns.join(", ")));
        }
        let sql = format!(
            "INSERT INTO status_rollups (day, rep_id, team_id, source, segment, metric, value, events) VALUES {}",
            values.join(", ")
        );
        ex.execute(q.with_sql(sql)).await?;
    }
    Ok(())
}
