//! Inbound: capture forms and submissions, the per-IP form throttle, rule sets (scoring, routing,
//! round-robin state) stored as core's JSON shapes, score events, rep settings, routing decisions,
//! SLA clocks, notifications and hand-offs. Rules live in `core::inbound` and `core::schedule`;
//! these are only the rows.

use chrono::{DateTime, Utc};
use prospector_core::ids::{TeamId, UserId};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, Row, query};
use crate::records::{OpportunityId, PersonId};

pub mod batch;
pub mod calendars;

/// A field a capture form asks for (defined with the form rules in core).
pub use prospector_core::inbound::FormField;

/// A capture form: where it posts (`slug`), what filling it in means (`behaviour`), the lead
/// source it records, the fields it asks for, hidden fields stamped on every submission and the
/// honeypot field bots fill in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Form {
    /// The path segment in `/inbound/forms/{slug}`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// A `core::inbound::Behaviour` code.
    pub behaviour: String,
    /// The lead source recorded on people it creates.
    pub source: String,
    /// Inactive (archived) forms answer 404.
    pub active: bool,
    /// The fields it asks for, in order.
    pub fields: Vec<FormField>,
    /// Values added to every submission (a campaign code, a product), by field name; a posted
    /// value of the same name is overridden, so visitors cannot change them.
    pub hidden_fields: std::collections::BTreeMap<String, String>,
    /// The field a person never sees and bots fill in.
    pub honeypot_field: String,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

const FORM_COLUMNS: &str =
    "slug, name, behaviour, source, active, fields, hidden_fields, honeypot_field, archived_at";

fn form_of(r: &Row) -> StoreResult<Form> {
    let fields: serde_json::Value = r.get("fields")?;
    let hidden: serde_json::Value = r.get("hidden_fields")?;
    Ok(Form {
        slug: r.get("slug")?,
        name: r.get("name")?,
        behaviour: r.get("behaviour")?,
        source: r.get("source")?,
        active: r.get("active")?,
        fields: serde_json::from_value(fields).unwrap_or_default(),
        hidden_fields: serde_json::from_value(hidden).unwrap_or_default(),
        honeypot_field: r.get("honeypot_field")?,
        archived_at: r.get("archived_at")?,
    })
}

/// The form posted to at `slug`.
pub async fn form_by_slug(ex: &mut impl Exec, slug: &str) -> StoreResult<Option<Form>> {
    ex.fetch_optional(
        query(format!(
            "SELECT {FORM_COLUMNS} FROM inbound_forms WHERE slug = $1"
        ))
        .bind(slug),
    )
    .await?
    .as_ref()
    .map(form_of)
    .transpose()
}

/// Every form, by slug.
pub async fn list_forms(ex: &mut impl Exec) -> StoreResult<Vec<Form>> {
    let rows = ex
        .fetch_all(query(format!(
            "SELECT {FORM_COLUMNS} FROM inbound_forms ORDER BY slug"
        )))
        .await?;
    rows.iter().map(form_of).collect()
}

/// Inserts or replaces the form at `f.slug`.
pub async fn save_form(ex: &mut impl Exec, f: &Form) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO inbound_forms (slug, name, behaviour, source, active, fields, hidden_fields, honeypot_field, \
             archived_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (slug) DO UPDATE SET \
             name = excluded.name, behaviour = excluded.behaviour, source = excluded.source, active = excluded.active, \
             fields = excluded.fields, hidden_fields = excluded.hidden_fields, \
             honeypot_field = excluded.honeypot_field, archived_at = excluded.archived_at",
        )
        .bind(&f.slug)
        .bind(&f.name)
        .bind(&f.behaviour)
        .bind(&f.source)
        .bind(f.active)
        .bind(serde_json::to_value(&f.fields).unwrap_or_else(|_| serde_json::json!([])))
        .bind(serde_json::to_value(&f.hidden_fields).unwrap_or_else(|_| serde_json::json!({})))
        .bind(&f.honeypot_field)
        .bind(f.archived_at),
    )
    .await?;
    Ok(())
}

/// One received submission, accepted or refused; refused ones keep the whole payload so an admin
/// can recover them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Submission {
    /// Id.
    pub id: Uuid,
    /// The form slug as posted (may name no form).
    pub form_slug: String,
    /// The client address.
    pub ip: Option<String>,
    /// Every field as submitted.
    pub payload: serde_json::Value,
    /// The UTM fields.
    pub utm: serde_json::Value,
    /// The person created or updated.
    pub person_id: Option<PersonId>,
    /// `accepted` or `rejected`.
    pub outcome: String,
    /// Why it was refused: `unknown_form`, `missing_contact`, `invalid`, `rate_limited`, `honeypot`.
    pub reject_code: Option<String>,
    /// The refusal's message.
    pub reject_message: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Records a submission.
pub async fn insert_submission(ex: &mut impl Exec, s: &Submission) -> StoreResult<()> {
    ex.write(
        query(
            "INSERT INTO inbound_submissions (id, form_slug, ip, payload, utm, person_id, outcome, reject_code, \
             reject_message, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(s.id)
        .bind(&s.form_slug)
        .bind(s.ip.clone())
        .bind(s.payload.clone())
        .bind(s.utm.clone())
        .bind(s.person_id)
        .bind(&s.outcome)
        .bind(s.reject_code.clone())
        .bind(s.reject_message.clone())
        .bind(s.received_at),
    )
    .await?;
    Ok(())
}

/// The newest submissions with `outcome` (or any), newest first.
pub async fn list_submissions(
    ex: &mut impl Exec,
    outcome: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<Submission>> {
    let mut q = query("");
    let sql = match outcome {
        Some(o) => {
            let n = q.push_bind(o);
            format!(
                "SELECT * FROM inbound_submissions WHERE outcome = ${n} ORDER BY id DESC LIMIT ${}",
                q.push_bind(limit)
            )
        }
        None => format!(
            "SELECT * FROM inbound_submissions ORDER BY id DESC LIMIT ${}",
            q.push_bind(limit)
        ),
    };
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            Ok(Submission {
                id: r.get("id")?,
                form_slug: r.get("form_slug")?,
                ip: r.get("ip")?,
                payload: r.get("payload")?,
                utm: r.get("utm")?,
                person_id: r.get("person_id")?,
                outcome: r.get("outcome")?,
                reject_code: r.get("reject_code")?,
                reject_message: r.get("reject_message")?,
                received_at: r.get("received_at")?,
            })
        })
        .collect()
}

/// Counts `hits` hits for `key` in a fixed window of `window` starting at its first hit, in one
/// atomic upsert (so concurrent requests on PostgreSQL are all counted), and returns the hits in
/// the current window (these included) and when that window started.
pub async fn throttle_hit(
    ex: &mut impl Exec,
    key: &str,
    hits: i64,
    now: DateTime<Utc>,
    window: chrono::Duration,
) -> StoreResult<(i64, DateTime<Utc>)> {
    let r = ex
        .fetch_one(
            query(
                "INSERT INTO inbound_throttle (key, hits, window_started_at) VALUES ($1, $4, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                 hits = CASE WHEN inbound_throttle.window_started_at <= $3 THEN excluded.hits \
                 ELSE inbound_throttle.hits + excluded.hits END, \
                 window_started_at = CASE WHEN inbound_throttle.window_started_at <= $3 THEN excluded.window_started_at \
                 ELSE inbound_throttle.window_started_at END \
                 RETURNING hits, window_started_at",
            )
            .bind(key)
            .bind(now)
            .bind(now - window)
            .bind(hits),
        )
        .await?;
    Ok((r.get("hits")?, r.get("window_started_at")?))
}

/// The team calendar, form rate limit and hand-off SLA.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// IANA time zone of the team's working hours.
    pub time_zone: String,
    /// Working hours start (Monday to Friday), hour of the day.
    pub work_start_hour: i64,
    /// Working hours end, hour of the day.
    pub work_end_hour: i64,
    /// Dates (`YYYY-MM-DD`) nobody works.
    pub holidays: Vec<chrono::NaiveDate>,
    /// Form posts allowed per IP per minute.
    pub forms_per_minute_per_ip: i64,
    /// Business days an AE has to accept or reject a hand-off.
    pub handoff_sla_days: i64,
}

/// The settings row.
pub async fn settings(ex: &mut impl Exec) -> StoreResult<Settings> {
    let r = ex
        .fetch_one(query(
            "SELECT time_zone, work_start_hour, work_end_hour, holidays, forms_per_minute_per_ip, \
             handoff_sla_days FROM inbound_settings WHERE id = 1",
        ))
        .await?;
    let holidays: serde_json::Value = r.get("holidays")?;
    Ok(Settings {
        time_zone: r.get("time_zone")?,
        work_start_hour: r.get("work_start_hour")?,
        work_end_hour: r.get("work_end_hour")?,
        holidays: serde_json::from_value(holidays).unwrap_or_default(),
        forms_per_minute_per_ip: r.get("forms_per_minute_per_ip")?,
        handoff_sla_days: r.get("handoff_sla_days")?,
    })
}

/// Replaces the settings row.
pub async fn save_settings(ex: &mut impl Exec, s: &Settings) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE inbound_settings SET time_zone = $1, work_start_hour = $2, work_end_hour = $3, holidays = $4, \
             forms_per_minute_per_ip = $5, handoff_sla_days = $6 WHERE id = 1",
        )
        .bind(&s.time_zone)
        .bind(s.work_start_hour)
        .bind(s.work_end_hour)
        .bind(serde_json::to_value(&s.holidays).unwrap_or_else(|_| serde_json::json!([])))
        .bind(s.forms_per_minute_per_ip)
        .bind(s.handoff_sla_days),
    )
    .await?;
    Ok(())
}

/// The stored rule set `name` (`scoring`, `routing`, `round_robin`), if saved.
pub async fn rule_set(ex: &mut impl Exec, name: &str) -> StoreResult<Option<serde_json::Value>> {
    ex.fetch_optional(query("SELECT body FROM inbound_rule_sets WHERE name = $1").bind(name))
        .await?
        .map(|r| r.get("body"))
        .transpose()
}

/// Reads the rule set `name` for update inside a write transaction: PostgreSQL locks the row, so
/// concurrent captures on several servers take round-robin turns one after the other; SQLite's
/// single writer serialises them already.
pub async fn rule_set_for_update(ex: &mut impl Exec, name: &str) -> StoreResult<Option<serde_json::Value>> {
    let lock = match ex.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    ex.fetch_optional(
        query(format!(
            "SELECT body FROM inbound_rule_sets WHERE name = $1{lock}"
        ))
        .bind(name),
    )
    .await?
    .map(|r| r.get("body"))
    .transpose()
}

/// Saves the rule set `name`.
pub async fn save_rule_set(
    ex: &mut impl Exec,
    name: &str,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.write(
        query(
            "INSERT INTO inbound_rule_sets (name, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(body)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// A scored behaviour of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreEvent {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub person_id: PersonId,
    /// A `core::inbound::Behaviour` code.
    pub behaviour: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The form, when captured by one.
    pub form_slug: Option<String>,
    /// The submission, when captured by one.
    pub submission_id: Option<Uuid>,
}

/// Records a score event.
pub async fn insert_score_event(ex: &mut impl Exec, e: &ScoreEvent) -> StoreResult<()> {
    ex.write(
        query(
            "INSERT INTO score_events (id, person_id, behaviour, at, form_slug, submission_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.id)
        .bind(e.person_id)
        .bind(&e.behaviour)
        .bind(e.at)
        .bind(e.form_slug.clone())
        .bind(e.submission_id),
    )
    .await?;
    Ok(())
}

/// A person's score events, oldest first.
pub async fn score_events(ex: &mut impl Exec, person: PersonId) -> StoreResult<Vec<ScoreEvent>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, person_id, behaviour, at, form_slug, submission_id FROM score_events \
                 WHERE person_id = $1 ORDER BY at, id",
            )
            .bind(person),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ScoreEvent {
                id: r.get("id")?,
                person_id: r.get("person_id")?,
                behaviour: r.get("behaviour")?,
                at: r.get("at")?,
                form_slug: r.get("form_slug")?,
                submission_id: r.get("submission_id")?,
            })
        })
        .collect()
}

/// A user as routing sees them: active, ramp share, capacity, out of office, open inbound leads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepRow {
    /// The user.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Active user.
    pub active: bool,
    /// Ramp share, percent (100 when never set).
    pub share_percent: i64,
    /// Open inbound leads they may hold; `None` for no limit.
    pub capacity: Option<i64>,
    /// Out of office.
    pub out_of_office: bool,
    /// Leads they own that are MQLs not yet worked.
    pub open_inbound_leads: i64,
    /// Their team.
    pub team_id: Option<TeamId>,
}

/// Every user with their inbound settings (defaults when none are stored). Open inbound leads are
/// counted for reps with a capacity (routing needs nothing else, and counting costs a walk over
/// each rep's open leads on every decision), or for everyone when `count_all`.
pub async fn reps(ex: &mut impl Exec, count_all: bool) -> StoreResult<Vec<RepRow>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT u.id, u.name, u.role, u.active, u.team_id, COALESCE(r.share_percent, 100) AS share_percent, \
                 r.capacity, COALESCE(r.out_of_office, FALSE) AS out_of_office, \
                 CASE WHEN $1 OR r.capacity IS NOT NULL THEN \
                 (SELECT COUNT(*) FROM people p WHERE p.kind = 'lead' AND p.owner_id = u.id AND p.status = 'mql') \
                 ELSE 0 END AS open_inbound_leads \
                 FROM users u LEFT JOIN inbound_reps r ON r.user_id = u.id ORDER BY u.name, u.id",
            )
            .bind(count_all),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RepRow {
                user_id: r.get("id")?,
                name: r.get("name")?,
                role: r.get("role")?,
                active: r.get("active")?,
                share_percent: r.get("share_percent")?,
                capacity: r.get("capacity")?,
                out_of_office: r.get("out_of_office")?,
                open_inbound_leads: r.get("open_inbound_leads")?,
                team_id: r.get("team_id")?,
            })
        })
        .collect()
}

/// Stores a rep's share, capacity and out-of-office flag.
pub async fn save_rep(
    ex: &mut impl Exec,
    user: UserId,
    share_percent: i64,
    capacity: Option<i64>,
    out_of_office: bool,
) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO inbound_reps (user_id, share_percent, capacity, out_of_office) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET share_percent = excluded.share_percent, \
             capacity = excluded.capacity, out_of_office = excluded.out_of_office",
        )
        .bind(user)
        .bind(share_percent)
        .bind(capacity)
        .bind(out_of_office),
    )
    .await?;
    Ok(())
}

/// An assignment and why it was made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    /// Id.
    pub id: Uuid,
    /// Who was routed.
    pub person_id: PersonId,
    /// The new owner, if any.
    pub owner_id: Option<UserId>,
    /// The rule that placed them.
    pub rule_code: String,
    /// The sentence.
    pub why: String,
    /// Reps passed over, as core's `SkippedRep` JSON.
    pub skipped: serde_json::Value,
    /// When.
    pub decided_at: DateTime<Utc>,
}

/// Records a routing decision.
pub async fn insert_decision(ex: &mut impl Exec, d: &Decision) -> StoreResult<()> {
    ex.write(
        query(
            "INSERT INTO routing_decisions (id, person_id, owner_id, rule_code, why, skipped, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.id)
        .bind(d.person_id)
        .bind(d.owner_id)
        .bind(&d.rule_code)
        .bind(&d.why)
        .bind(d.skipped.clone())
        .bind(d.decided_at),
    )
    .await?;
    Ok(())
}

/// A person's routing decisions, newest first.
pub async fn decisions(ex: &mut impl Exec, person: PersonId) -> StoreResult<Vec<Decision>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, person_id, owner_id, rule_code, why, skipped, decided_at FROM routing_decisions \
                 WHERE person_id = $1 ORDER BY id DESC",
            )
            .bind(person),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Decision {
                id: r.get("id")?,
                person_id: r.get("person_id")?,
                owner_id: r.get("owner_id")?,
                rule_code: r.get("rule_code")?,
                why: r.get("why")?,
                skipped: r.get("skipped")?,
                decided_at: r.get("decided_at")?,
            })
        })
        .collect()
}

/// A stored SLA clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Clock {
    /// Id.
    pub id: Uuid,
    /// A `core::schedule::SlaKind` code.
    pub kind: String,
    /// The person timed (first-touch clocks).
    pub person_id: Option<PersonId>,
    /// The opportunity timed (hand-off clocks).
    pub opportunity_id: Option<OpportunityId>,
    /// Who must act.
    pub owner_id: Option<UserId>,
    /// The lead source, for reports.
    pub source: Option<String>,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// Allowance in business minutes.
    pub business_minutes: i64,
    /// Half time.
    pub warn_at: DateTime<Utc>,
    /// Deadline.
    pub due_at: DateTime<Utc>,
    /// When it stopped (acted on).
    pub stopped_at: Option<DateTime<Utc>>,
    /// The first touch (or the hand-off decision).
    pub first_touch_at: Option<DateTime<Utc>>,
    /// When the warning went out.
    pub warned_at: Option<DateTime<Utc>>,
    /// When the breach was escalated.
    pub breached_at: Option<DateTime<Utc>>,
}

pub(crate) const CLOCK_COLUMNS: &str = "id, kind, person_id, opportunity_id, owner_id, source, started_at, business_minutes, \
    warn_at, due_at, stopped_at, first_touch_at, warned_at, breached_at";

fn clock_of(r: &Row) -> StoreResult<Clock> {
    Ok(Clock {
        id: r.get("id")?,
        kind: r.get("kind")?,
        person_id: r.get("person_id")?,
        opportunity_id: r.get("opportunity_id")?,
        owner_id: r.get("owner_id")?,
        source: r.get("source")?,
        started_at: r.get("started_at")?,
        business_minutes: r.get("business_minutes")?,
        warn_at: r.get("warn_at")?,
        due_at: r.get("due_at")?,
        stopped_at: r.get("stopped_at")?,
        first_touch_at: r.get("first_touch_at")?,
        warned_at: r.get("warned_at")?,
        breached_at: r.get("breached_at")?,
    })
}

/// Starts a clock.
pub async fn insert_clock(ex: &mut impl Exec, c: &Clock) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO sla_clocks ({CLOCK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(c.id)
        .bind(&c.kind)
        .bind(c.person_id)
        .bind(c.opportunity_id)
        .bind(c.owner_id)
        .bind(c.source.clone())
        .bind(c.started_at)
        .bind(c.business_minutes)
        .bind(c.warn_at)
        .bind(c.due_at)
        .bind(c.stopped_at)
        .bind(c.first_touch_at)
        .bind(c.warned_at)
        .bind(c.breached_at),
    )
    .await?;
    Ok(())
}

/// One clock.
pub async fn clock(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<Clock>> {
    ex.fetch_optional(query(format!("SELECT {CLOCK_COLUMNS} FROM sla_clocks WHERE id = $1")).bind(id))
        .await?
        .as_ref()
        .map(clock_of)
        .transpose()
}

/// Which clocks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockFilter {
    /// Still running.
    Running,
    /// Every clock started at or after this instant.
    StartedSince(DateTime<Utc>),
    /// A person's clocks.
    Person(PersonId),
    /// An opportunity's clocks.
    Opportunity(OpportunityId),
}

/// Clocks by `filter`, earliest deadline first, at most `limit`.
pub async fn clocks(ex: &mut impl Exec, filter: ClockFilter, limit: i64) -> StoreResult<Vec<Clock>> {
    let mut q = query("");
    let clause = match filter {
        ClockFilter::Running => "stopped_at IS NULL".to_owned(),
        ClockFilter::StartedSince(t) => format!("started_at >= ${}", q.push_bind(t)),
        ClockFilter::Person(p) => format!("person_id = ${}", q.push_bind(p)),
        ClockFilter::Opportunity(o) => format!("opportunity_id = ${}", q.push_bind(o)),
    };
    let sql = format!(
        "SELECT {CLOCK_COLUMNS} FROM sla_clocks WHERE {clause} ORDER BY due_at, id LIMIT ${}",
        q.push_bind(limit)
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(clock_of).collect()
}

/// Stops a running clock at `stopped_at` with its first touch (none when the clock is called off,
/// e.g. the person unsubscribed); false when it had stopped already.
pub async fn stop_clock(
    ex: &mut impl Exec,
    id: Uuid,
    stopped_at: DateTime<Utc>,
    first_touch_at: Option<DateTime<Utc>>,
) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "UPDATE sla_clocks SET stopped_at = $1, first_touch_at = $2 WHERE id = $3 AND stopped_at IS NULL",
            )
            .bind(stopped_at)
            .bind(first_touch_at)
            .bind(id),
        )
        .await?;
    Ok(n > 0)
}

/// Marks the warning (`warned_at`) or breach (`breached_at`) of a running clock as sent; false
/// when it was sent already or the clock has stopped, so a retried handler notifies once.
pub async fn mark_clock(ex: &mut impl Exec, id: Uuid, breach: bool, now: DateTime<Utc>) -> StoreResult<bool> {
    let column = if breach { "breached_at" } else { "warned_at" };
    let n = ex
        .execute(
            query(format!(
                "UPDATE sla_clocks SET {column} = $1 WHERE id = $2 AND {column} IS NULL AND stopped_at IS NULL"
            ))
            .bind(now)
            .bind(id),
        )
        .await?;
    Ok(n > 0)
}

/// The first call or outgoing email logged about `person` at or after `since`.
pub async fn first_touch(
    ex: &mut impl Exec,
    person: PersonId,
    since: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT occurred_at, kind, detail FROM activities WHERE person_id = $1 AND occurred_at >= $2 \
                 AND kind IN ('call', 'email') ORDER BY occurred_at, id LIMIT 50",
            )
            .bind(person)
            .bind(since),
        )
        .await?;
    for r in &rows {
        let kind: String = r.get("kind")?;
        let detail: serde_json::Value = r.get("detail")?;
        // A received email is the prospect touching us, not a first touch.
        if kind == "call" || detail.get("direction").and_then(|d| d.as_str()) == Some("sent") {
            return Ok(Some(r.get("occurred_at")?));
        }
    }
    Ok(None)
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    /// Id.
    pub id: Uuid,
    /// For whom.
    pub user_id: UserId,
    /// `sla_warning`, `sla_breach`, `handoff_rejected`, `handoff_reminder`, `handoff_booked`.
    pub kind: String,
    /// What to show.
    pub message: String,
    /// The person concerned.
    pub person_id: Option<PersonId>,
    /// The opportunity concerned.
    pub opportunity_id: Option<OpportunityId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Adds a notification.
pub async fn insert_notification(ex: &mut impl Exec, n: &Notification) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO notifications (id, user_id, kind, message, person_id, opportunity_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(n.id)
        .bind(n.user_id)
        .bind(&n.kind)
        .bind(&n.message)
        .bind(n.person_id)
        .bind(n.opportunity_id)
        .bind(n.created_at),
    )
    .await?;
    Ok(())
}

/// A user's notifications, newest first.
pub async fn notifications(ex: &mut impl Exec, user: UserId, limit: i64) -> StoreResult<Vec<Notification>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, user_id, kind, message, person_id, opportunity_id, created_at FROM notifications \
                 WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(user)
            .bind(limit),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.get("id")?,
                user_id: r.get("user_id")?,
                kind: r.get("kind")?,
                message: r.get("message")?,
                person_id: r.get("person_id")?,
                opportunity_id: r.get("opportunity_id")?,
                created_at: r.get("created_at")?,
            })
        })
        .collect()
}

/// A booked meeting handed to an AE.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handoff {
    /// The opportunity created at stage 0.
    pub opportunity_id: OpportunityId,
    /// The prospect.
    pub person_id: PersonId,
    /// The AE.
    pub ae_id: UserId,
    /// The SDR credited.
    pub sdr_id: Option<UserId>,
    /// Meeting start.
    pub starts_at: DateTime<Utc>,
    /// Meeting end.
    pub ends_at: DateTime<Utc>,
    /// When it was booked.
    pub booked_at: DateTime<Utc>,
    /// `accepted` or `rejected` once decided.
    pub decision: Option<String>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When accepted (the SAO date).
    pub accepted_at: Option<DateTime<Utc>>,
    /// The rejection reason.
    pub reason: Option<String>,
}

fn handoff_of(r: &Row) -> StoreResult<Handoff> {
    Ok(Handoff {
        opportunity_id: r.get("opportunity_id")?,
        person_id: r.get("person_id")?,
        ae_id: r.get("ae_id")?,
        sdr_id: r.get("sdr_id")?,
        starts_at: r.get("starts_at")?,
        ends_at: r.get("ends_at")?,
        booked_at: r.get("booked_at")?,
        decision: r.get("decision")?,
        decided_at: r.get("decided_at")?,
        accepted_at: r.get("accepted_at")?,
        reason: r.get("reason")?,
    })
}

/// Records a hand-off.
pub async fn insert_handoff(ex: &mut impl Exec, h: &Handoff) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO handoffs (opportunity_id, person_id, ae_id, sdr_id, starts_at, ends_at, booked_at, decision, \
             decided_at, accepted_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(h.opportunity_id)
        .bind(h.person_id)
        .bind(h.ae_id)
        .bind(h.sdr_id)
        .bind(h.starts_at)
        .bind(h.ends_at)
        .bind(h.booked_at)
        .bind(h.decision.clone())
        .bind(h.decided_at)
        .bind(h.accepted_at)
        .bind(h.reason.clone()),
    )
    .await?;
    Ok(())
}

/// One hand-off.
pub async fn handoff(ex: &mut impl Exec, opportunity: OpportunityId) -> StoreResult<Option<Handoff>> {
    ex.fetch_optional(query("SELECT * FROM handoffs WHERE opportunity_id = $1").bind(opportunity))
        .await?
        .as_ref()
        .map(handoff_of)
        .transpose()
}

/// Records the AE's decision (and files it as an SAO or a rejection in the dashboard rollups);
/// false when it was decided already.
pub async fn decide_handoff(ex: &mut impl Exec, h: &Handoff) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "UPDATE handoffs SET decision = $1, decided_at = $2, accepted_at = $3, reason = $4 \
                 WHERE opportunity_id = $5 AND decision IS NULL",
            )
            .bind(h.decision.clone())
            .bind(h.decided_at)
            .bind(h.accepted_at)
            .bind(h.reason.clone())
            .bind(h.opportunity_id),
        )
        .await?;
    if n > 0
        && let Some(at) = h.decided_at
    {
        let accepted = h.decision.as_deref() == Some("accepted");
        crate::dashboards::rollups::on_handoff_decided(ex, h.sdr_id, h.person_id, accepted, at).await?;
    }
    Ok(n > 0)
}

/// Hand-offs for `ae` (or everyone), undecided first, then newest.
pub async fn handoffs(ex: &mut impl Exec, ae: Option<UserId>, limit: i64) -> StoreResult<Vec<Handoff>> {
    let mut q = query("");
    let clause = match ae {
        Some(ae) => format!("WHERE ae_id = ${}", q.push_bind(ae)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT * FROM handoffs {clause} ORDER BY CASE WHEN decision IS NULL THEN 0 ELSE 1 END, booked_at DESC \
         LIMIT ${}",
        q.push_bind(limit)
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(handoff_of).collect()
}
