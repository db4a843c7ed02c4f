//! `prospector bench dashboards`: a year of a 50-rep team's activity (≈ 10M activities at the
//! defaults) generated with a fixed seed and bulk inserts straight into the tables, with the day
//! rollups computed alongside by the same `core::metrics` functions the writes use; then the team
//! dashboard is timed through the `App` layer (the handler's call without HTTP).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use prospector_app::dashboards::ReportQuery;
use prospector_app::{Actor, App};
use prospector_core::email::Email;
use prospector_core::ids::{TeamId, UserId, uuid_v7_at};
use prospector_core::metrics::{Counts, StatusMetric, activity_counts, status_change_metrics};
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{ActivityId, EmailDirection, LeadStatus};
use prospector_core::role::Role;
use prospector_store::dashboards::Dims;
use prospector_store::dashboards::rollups;
use prospector_store::records::accounts::{self, Account};
use prospector_store::records::activities::{self, Activity};
use prospector_store::records::people::{self, Person, PersonKind};
use prospector_store::records::{AccountId, PersonId};
use prospector_store::users::{self, Team, User};
use prospector_store::{Exec, Store, query};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::percentiles;

const SEED: u64 = 20_261_125;
const REPS_PER_TEAM: usize = 10;
const LEADS_PER_REP: usize = 400;
const ACCOUNTS: usize = 1_000;
/// Activities per rep per day: 548 ≈ 10M / (50 reps × 365 days).
const PER_REP_DAY: usize = 548;
const REQUESTS: usize = 50;
const SOURCES: &[&str] = &[
    "webinar",
    "trial",
    "contact_us",
    "gated_content",
    "event",
    "linkedin",
    "outbound",
];
const SEGMENTS: &[&str] = &["large", "mid_market", "smb"];

/// Options of `prospector bench dashboards`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Reps (in teams of ten).
    pub reps: usize,
    /// Days of activity, ending on the last day of 2026-10.
    pub days: i64,
    /// Time a database that already holds data instead of refusing it.
    pub reuse: bool,
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default()
}

fn at(day: NaiveDate, second: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &day.and_hms_opt(8 + second / 3600 % 10, second / 60 % 60, second % 60)
            .unwrap_or_default(),
    )
}

struct Lead {
    id: PersonId,
    source: &'static str,
    segment: &'static str,
}

async fn generate(store: &Store, opts: &Options) -> anyhow::Result<Vec<TeamId>> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let first = last_day() - chrono::Duration::days(opts.days - 1);
    let t0 = at(first, 0) - chrono::Duration::days(30);
    let started = Instant::now();

    // Teams of ten reps, one lead each; accounts with segments; leads owned by the reps.
    let mut tx = store.begin().await?;
    let mut teams = Vec::new();
    let mut reps: Vec<(UserId, TeamId)> = Vec::new();
    for t in 0..opts.reps.div_ceil(REPS_PER_TEAM) {
        let team = Team {
            id: TeamId::new_at(t0),
            name: format!("Bench team {t}"),
            lead_id: None,
            time_zone: "UTC".into(),
            created_at: t0,
        };
        users::insert_team(&mut tx, &team).await?;
        teams.push(team.id);
        let lead = user(
            format!("lead{t}@bench.example"),
            format!("Lead {t}"),
            Role::TeamLead,
            team.id,
            t0,
        )?;
        users::insert_user(&mut tx, &lead, None).await?;
        users::set_team_lead(&mut tx, team.id, Some(lead.id)).await?;
        for r in 0..REPS_PER_TEAM.min(opts.reps - t * REPS_PER_TEAM) {
            let n = t * REPS_PER_TEAM + r;
            let rep = user(
                format!("rep{n}@bench.example"),
                format!("Rep {n}"),
                Role::Sdr,
                team.id,
                t0,
            )?;
            users::insert_user(&mut tx, &rep, None).await?;
            reps.push((rep.id, team.id));
        }
    }
    let mut account_ids = Vec::new();
    for i in 0..ACCOUNTS {
        let a = Account {
            id: AccountId(uuid_v7_at(t0)),
            name: format!("Company {i}"),
            domains: Vec::new(),
            parent_id: None,
            employees: Some(50 + i as i64 * 7),
            segment: Some(SEGMENTS[i % SEGMENTS.len()].to_owned()),
            country: Some("US".into()),
            region: Some("amer".into()),
            owner_id: None,
            sdr_id: Some(reps[i % reps.len()].0),
            prospecting_status: if i % 3 == 0 { "actively_working" } else { "queued" }.into(),
            developer_count: (i % 2 == 0).then_some(40),
            it_headcount: None,
            tech_stack: serde_json::json!([]),
            teams: serde_json::json!([]),
            triggers: serde_json::json!([]),
            strategy: None,
            next_step_on: None,
            custom_fields: serde_json::json!({}),
            merged_into: None,
            created_at: t0,
            updated_at: t0,
            version: 1,
        };
        accounts::insert(&mut tx, &a).await?;
        account_ids.push((a.id, SEGMENTS[i % SEGMENTS.len()]));
    }
    let mut leads: Vec<Vec<Lead>> = Vec::new();
    let mut batch = Vec::new();
    for (r, (rep, _)) in reps.iter().enumerate() {
        let mut own = Vec::new();
        for i in 0..LEADS_PER_REP {
            let (account, segment) = account_ids[rng.random_range(0..account_ids.len())];
            let source = SOURCES[rng.random_range(0..SOURCES.len())];
            let p = Person {
                id: PersonId(uuid_v7_at(t0)),
                kind: PersonKind::Lead,
                first_name: Some("Lead".into()),
                last_name: Some(format!("R{r}N{i}")),
                email: Some(Email::parse(&format!("lead{r}.{i}@company.example"))?),
                phone: None,
                title: None,
                company: None,
                account_id: Some(account),
                country: None,
                region: None,
                time_zone: None,
                owner_id: Some(*rep),
                status: LeadStatus::Accepted,
                status_reason: None,
                source: Some(source.to_owned()),
                score: 0,
                mql_count: 1,
                first_mql_at: None,
                last_mql_at: None,
                do_not_call: false,
                unsubscribed: false,
                framework: None,
                qualification: serde_json::json!({}),
                custom_fields: serde_json::json!({}),
                merged_into: None,
                created_at: t0,
                updated_at: t0,
                version: 1,
            };
            own.push(Lead {
                id: p.id,
                source,
                segment,
            });
            batch.push(p);
        }
        leads.push(own);
    }
    people::insert_many(&mut tx, &batch).await?;
    tx.commit().await?;

    // A day at a time: every rep's activities (bulk insert) and the day rows they add up to.
    let total = opts.reps * opts.days as usize * PER_REP_DAY;
    let mut done = 0usize;
    let mut day = first;
    let mut pending: Vec<Activity> = Vec::with_capacity(60_000);
    while day <= last_day() {
        let mut counts: HashMap<(usize, &'static str, &'static str), Counts> = HashMap::new();
        let mut status: Vec<(Dims, StatusMetric)> = Vec::new();
        for (r, (rep, _)) in reps.iter().enumerate() {
            for k in 0..PER_REP_DAY {
                let lead = &leads[r][rng.random_range(0..LEADS_PER_REP)];
                let roll = rng.random_range(0..100);
                let (detail, connect) = match roll {
                    0..45 => {
                        let connect = rng.random_range(0..100) < 18;
                        let disposition = if connect { "connected" } else { "no_answer" };
                        (
                            ActivityDetail::Call {
                                disposition: disposition.into(),
                                duration_seconds: None,
                                notes: None,
                            },
                            connect,
                        )
                    }
                    45..85 => (
                        ActivityDetail::Email {
                            direction: if roll < 80 {
                                EmailDirection::Sent
                            } else {
                                EmailDirection::Received
                            },
                            message_id: None,
                            thread_id: None,
                            subject: None,
                        },
                        false,
                    ),
                    85..97 => (ActivityDetail::Linkedin { notes: None }, false),
                    _ => (
                        ActivityDetail::Meeting {
                            starts_at: at(day, 0),
                            notes: None,
                        },
                        false,
                    ),
                };
                counts
                    .entry((r, lead.source, lead.segment))
                    .or_default()
                    .add(&activity_counts(&detail, connect));
                let when = at(day, k as u32 * 60);
                pending.push(Activity {
                    id: ActivityId(uuid_v7_at(when)),
                    kind: detail.kind(),
                    person_id: Some(lead.id),
                    account_id: None,
                    opportunity_id: None,
                    occurred_at: when,
                    detail,
                    corrects_id: None,
                    is_connect: connect,
                    actor_id: Some(*rep),
                    created_at: when,
                });
            }
            // The day's lifecycle movement and opportunities for this rep, as day rows.
            let lead = &leads[r][rng.random_range(0..LEADS_PER_REP)];
            let dims = dims(day, reps[r], lead.source, lead.segment);
            for m in status_change_metrics("mql", "accepted", None, Some(3_600 * rng.random_range(1..48)))
                .into_iter()
                .chain(status_change_metrics(
                    "accepted",
                    "qualifying",
                    None,
                    Some(86_400),
                ))
                .chain(
                    status_change_metrics("qualifying", "recycle", Some("no_budget"), None)
                        .into_iter()
                        .take(2),
                )
            {
                status.push((dims.clone(), m));
            }
            let c = counts.entry((r, lead.source, lead.segment)).or_default();
            if rng.random_range(0..5) == 0 {
                c.opportunities += 1;
                c.pipeline_cents += 1_000_000;
                c.saos += 1;
            }
        }
        // Status rows for one key may repeat within a day: merge them so keys stay unique.
        let mut merged: HashMap<(String, Uuid, String, String), StatusMetric> = HashMap::new();
        for (d, m) in status {
            let e = merged
                .entry((m.metric.clone(), d.rep, d.source.clone(), d.segment.clone()))
                .or_insert(StatusMetric {
                    metric: m.metric.clone(),
                    value: 0,
                    events: 0,
                });
            e.value += m.value;
            e.events += m.events;
        }
        let status_rows: Vec<(Dims, StatusMetric)> = merged
            .into_iter()
            .map(|((_, rep, source, segment), m)| {
                let team = reps
                    .iter()
                    .find(|(r, _)| r.0 == rep)
                    .map_or(Uuid::nil(), |(_, t)| t.0);
                (
                    Dims {
                        day,
                        rep,
                        team,
                        source,
                        segment,
                    },
                    m,
                )
            })
            .collect();
        let rows: Vec<(Dims, Counts)> = counts
            .into_iter()
            .map(|((r, source, segment), c)| (dims(day, reps[r], source, segment), c))
            .collect();
        let mut tx = store.begin().await?;
        activities::insert_many(&mut tx, &pending).await?;
        rollups::insert_many(&mut tx, &rows).await?;
        rollups::insert_status_many(&mut tx, &status_rows).await?;
        tx.commit().await?;
        done += pending.len();
        pending.clear();
        eprint!(
            "\r{day}: activities {done}/{total} ({:.0?})   ",
            started.elapsed()
        );
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    eprintln!();
    if store.backend() == prospector_store::Backend::Postgres {
        store.reader().execute(query("VACUUM ANALYZE")).await?;
    } else {
        store.reader().fetch_all(query("PRAGMA optimize")).await.ok();
    }
    eprintln!("generated in {:.0?}", started.elapsed());
    Ok(teams)
}

fn dims(day: NaiveDate, (rep, team): (UserId, TeamId), source: &str, segment: &str) -> Dims {
    Dims {
        day,
        rep: rep.0,
        team: team.0,
        source: source.to_owned(),
        segment: segment.to_owned(),
    }
}

fn user(email: String, name: String, role: Role, team: TeamId, now: DateTime<Utc>) -> anyhow::Result<User> {
    Ok(User {
        id: UserId::new_at(now),
        email: Email::parse(&email)?,
        name,
        role,
        team_id: Some(team),
        active: true,
        time_zone: "UTC".into(),
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

/// Times `REQUESTS` team dashboards of `q` and returns (p50, p99).
async fn time(app: &App, q: &ReportQuery) -> anyhow::Result<(Duration, Duration)> {
    let actor = Actor::cli();
    let mut samples = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let scope = app.report_scope(q).await?;
        let d = app.team_dashboard(&actor, &scope).await?;
        std::hint::black_box(d);
        samples.push(t.elapsed());
    }
    Ok(percentiles(&mut samples))
}

/// `prospector bench dashboards`: opens (and migrates) `database_url`, fills it, times it.
pub async fn command(database_url: &str, opts: Options) -> anyhow::Result<()> {
    let store = Store::connect(database_url, &prospector_store::StoreOptions::default()).await?;
    store.migrate().await?;
    let app = App::new(
        store.clone(),
        std::sync::Arc::new(prospector_app::SystemClock),
        prospector_app::AppSettings::default(),
    );
    let existing: i64 = store
        .reader()
        .fetch_one(query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM activity_rollups",
        ))
        .await?
        .get("n")?;
    let teams = if existing > 0 {
        anyhow::ensure!(
            opts.reuse,
            "the database already holds rollups; pass --reuse to time it as it is"
        );
        users::list_teams(&mut store.reader())
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect()
    } else {
        generate(&store, &opts).await?
    };
    let activities: i64 = store
        .reader()
        .fetch_one(query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM activities"))
        .await?
        .get("n")?;
    let rollup_rows: i64 = store
        .reader()
        .fetch_one(query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM activity_rollups",
        ))
        .await?
        .get("n")?;
    println!(
        "{:?} backend, {activities} activities, {rollup_rows} activity rollup rows, {} teams",
        store.backend(),
        teams.len()
    );
    let team = teams.first().map(|t| t.to_string());
    let end = last_day();
    let views = [
        ("team dashboard, one team, last 30 days", team.clone(), 30),
        ("team dashboard, one team, last 365 days", team.clone(), 365),
        ("team dashboard, all teams, last 90 days", None, 90),
    ];
    for (name, team, days) in views {
        let q = ReportQuery {
            from: Some((end - chrono::Duration::days(days - 1)).to_string()),
            to: Some(end.to_string()),
            team,
            ..ReportQuery::default()
        };
        let (p50, p99) = time(&app, &q).await?;
        println!(
            "{name:<45} p50 {:>8.2} ms   p99 {:>8.2} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
