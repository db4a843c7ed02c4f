//! `prospector bench sequences`: on a fresh SQLite file and a scratch PostgreSQL database, loads
//! `--enrollments` people enrolled in the default cadence (bulk-inserted: enrolling 100,000 people
//! one by one through the use case is not what is measured), makes `--due` of them due for their
//! first automatic email, and times
//!
//! - the sweep that finds the due steps and writes each one's execution and `email.send` outbox
//!   row (rendered template, unsubscribe headers) with the enrollment's next step;
//! - a sweep with nothing due (the cost of running it every minute);
//! - sending the queued emails through the outbox worker (as `serve` runs it) to a local SMTP
//!   sink, in messages/s, counting the Message-IDs that arrived to prove none went twice;
//! - Today for one rep with `--today-items` open calls: its first and second page (p50/p99 over 30
//!   runs each, through the app).

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use prospector_app::sequences::today::TodayRequest;
use prospector_app::{Actor, App, AppSettings, ManualClock, Via};
use prospector_core::email::Email;
use prospector_core::ids::{UserId, uuid_v7_at};
use prospector_core::records::LeadStatus;
use prospector_core::role::Role;
use prospector_core::sequence::Enrollment;
use prospector_store::records::PersonId;
use prospector_store::records::people::{self, Person, PersonKind};
use prospector_store::sequences::{self, EnrollmentRow, ExecutionRow};
use prospector_store::users::{self, User};
use prospector_store::{Exec, Store, StoreOptions, query};

use super::percentiles;
use super::smtp_sink::SmtpSink;

const REPS: usize = 10;
const BATCH: usize = 2_000;

/// What to load and time.
#[derive(Debug, Clone)]
pub struct Options {
    /// People enrolled.
    pub enrollments: usize,
    /// Of them, due for an automatic email now.
    pub due: usize,
    /// Open calls on one rep's Today list.
    pub today_items: usize,
    /// Outbox workers sending at once (each as one `serve` process runs it).
    pub senders: usize,
    /// PostgreSQL server for a scratch database; `none` skips PostgreSQL.
    pub postgres_url: String,
}

fn now() -> DateTime<Utc> {
    // A Monday, 10:00 UTC: inside the sending window in London.
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Runs the benchmark on both databases.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    println!(
        "prospector bench sequences --enrollments {} --due {} --today-items {} --senders {}",
        opts.enrollments, opts.due, opts.today_items, opts.senders
    );
    let dir = std::env::temp_dir().join(format!("prospector-bench-seq-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let outcome = bench_one("sqlite", &url, &opts).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    if opts.postgres_url != "none" {
        let name = format!("prospector_bench_seq_{}", std::process::id());
        let root = opts
            .postgres_url
            .rsplit_once('/')
            .map_or(opts.postgres_url.as_str(), |(r, _)| r);
        // CREATE DATABASE cannot run inside a transaction: psql runs it on its own.
        let status = std::process::Command::new("psql")
            .arg(&opts.postgres_url)
            .arg("-q")
            .arg("-c")
            .arg(format!("CREATE DATABASE {name}"))
            .status()?;
        anyhow::ensure!(status.success(), "could not create the scratch database");
        let outcome = bench_one("postgres", &format!("{root}/{name}"), &opts).await;
        let _ = std::process::Command::new("psql")
            .arg(&opts.postgres_url)
            .arg("-q")
            .arg("-c")
            .arg(format!("DROP DATABASE IF EXISTS {name}"))
            .status();
        outcome?;
    }
    Ok(())
}

async fn make_reps(store: &Store, smtp_port: u16) -> anyhow::Result<Vec<User>> {
    let mut tx = store.begin().await?;
    let at = now();
    let mut out = Vec::new();
    for i in 0..REPS {
        let user = User {
            id: UserId::new_at(at),
            email: Email::parse(&format!("rep{i}@bench.example"))?,
            name: format!("Rep {i}"),
            role: Role::Sdr,
            team_id: None,
            active: true,
            time_zone: "Europe/London".into(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        users::insert_user(&mut tx, &user, None).await?;
        tx.execute(
            query(
                "INSERT INTO mailboxes (id, user_id, from_email, from_name, smtp_host, smtp_port, smtp_security, \
                 daily_cap, created_at, updated_at, min_spacing_seconds) \
                 VALUES ($1, $2, $3, $4, '127.0.0.1', $5, 'none', 2000, $6, $6, 0)",
            )
            .bind(uuid_v7_at(at))
            .bind(user.id)
            .bind(user.email.as_str())
            .bind(user.name.clone())
            .bind(i64::from(smtp_port))
            .bind(at),
        )
        .await?;
        out.push(user);
    }
    tx.commit().await?;
    Ok(out)
}

fn person(i: usize, owner: UserId, at: DateTime<Utc>) -> anyhow::Result<Person> {
    Ok(Person {
        id: PersonId(uuid_v7_at(at)),
        kind: PersonKind::Lead,
        first_name: Some(["Ada", "Grace", "Alan", "Barbara"][i % 4].into()),
        last_name: Some(format!("Person{i}")),
        email: Some(Email::parse(&format!("p{i}@company{}.example", i % 5000))?),
        phone: Some(format!("+44 20 7946 {:04}", i % 10_000)),
        title: Some("Engineering Manager".into()),
        company: Some(format!("Company {}", i % 5000)),
        account_id: None,
        country: Some("GB".into()),
        region: Some("emea".into()),
        time_zone: Some("Europe/London".into()),
        owner_id: Some(owner),
        status: LeadStatus::Accepted,
        status_reason: None,
        source: Some("bench".into()),
        score: i64::try_from(i % 200).unwrap_or(0),
        mql_count: 0,
        first_mql_at: None,
        last_mql_at: None,
        do_not_call: false,
        unsubscribed: false,
        framework: None,
        qualification: serde_json::json!({}),
        custom_fields: serde_json::json!({}),
        merged_into: None,
        created_at: at,
        updated_at: at,
        version: 1,
    })
}

async fn bench_one(label: &str, url: &str, opts: &Options) -> anyhow::Result<()> {
    let store = Store::connect(url, &StoreOptions::default()).await?;
    store.migrate().await?;
    let clock = ManualClock::new(now());
    let app = App::new(store.clone(), Arc::new(clock.clone()), AppSettings::default());
    app.set_public_url(&Actor::cli(), "https://prospector.example")
        .await?;
    app.ensure_outbound_defaults().await?;
    let seq = sequences::sequences(&mut store.reader())
        .await?
        .into_iter()
        .find(|s| s.is_default)
        .ok_or_else(|| anyhow::anyhow!("no default cadence"))?;
    let seq = sequences::sequence(&mut store.reader(), seq.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no default cadence"))?;
    let sink = SmtpSink::start().await?;
    let reps = make_reps(&store, sink.port()).await?;
    let started = Instant::now();
    let enrolled_at = now() - chrono::Duration::hours(1);
    let mut rep0_enrollments = Vec::new();
    let mut done = 0;
    while done < opts.enrollments {
        let n = BATCH.min(opts.enrollments - done);
        let mut batch = Vec::with_capacity(n);
        for i in done..done + n {
            batch.push(person(i, reps[i % REPS].id, enrolled_at)?);
        }
        let mut tx = store.begin().await?;
        people::insert_many(&mut tx, &batch).await?;
        for (k, p) in batch.iter().enumerate() {
            let i = done + k;
            let mut machine = Enrollment::start(seq.steps.len(), enrolled_at)?.enrollment;
            let due_now = i < opts.due;
            // Due ones have made their first call; step 1 of the default cadence is the intro email.
            machine.next_step = usize::from(due_now);
            let next_due_at = if due_now {
                now() - chrono::Duration::minutes(1)
            } else {
                now() + chrono::Duration::days(1 + i64::try_from(i % 20).unwrap_or(0))
            };
            let row = EnrollmentRow {
                id: uuid_v7_at(enrolled_at),
                sequence_id: seq.id,
                person_id: p.id,
                owner_id: reps[i % REPS].id,
                machine: serde_json::to_value(machine)?,
                status: "active".into(),
                reason: None,
                next_step: i64::from(due_now),
                next_due_at: Some(next_due_at),
                resume_at: None,
                recycle_at: None,
                unsubscribe_token: format!("tok{i:08}"),
                enrolled_at,
                finished_at: None,
                updated_at: enrolled_at,
                version: 1,
            };
            sequences::insert_enrollment(&mut tx, &row).await?;
            if i % REPS == 0 && !due_now && rep0_enrollments.len() < opts.today_items {
                rep0_enrollments.push((row.id, p.id));
            }
        }
        tx.commit().await?;
        done += n;
        eprint!(
            "\r{label}: enrollments {done}/{} ({:.0?})   ",
            opts.enrollments,
            started.elapsed()
        );
    }
    eprintln!();
    // One rep's Today: open calls, due this morning.
    let mut tx = store.begin().await?;
    for (k, (enrollment, person)) in rep0_enrollments.iter().enumerate() {
        let x = ExecutionRow {
            id: uuid_v7_at(enrolled_at),
            enrollment_id: *enrollment,
            sequence_id: seq.id,
            step_index: 0,
            kind: "call".into(),
            owner_id: reps[0].id,
            person_id: *person,
            due_at: now() - chrono::Duration::minutes(i64::try_from(k % 120).unwrap_or(0)),
            created_at: enrolled_at,
            status: "open".into(),
            message_id: None,
            outcome: None,
            is_connect: false,
            note: None,
            done_at: None,
        };
        sequences::insert_execution(&mut tx, &x).await?;
    }
    tx.commit().await?;
    if label == "postgres" {
        let mut tx = store.begin().await?;
        tx.execute(query("ANALYZE")).await?;
        tx.commit().await?;
    }

    let t = Instant::now();
    let report = app.sweep_sequences().await?;
    let sweep = t.elapsed();
    println!(
        "{label:8} sweep with {} due: {:>8.1?}  ({} emails queued, {} postponed, {:.0} steps/s)",
        opts.due,
        sweep,
        report.emails_queued,
        report.postponed,
        report.emails_queued as f64 / sweep.as_secs_f64().max(1e-9)
    );
    let t = Instant::now();
    let idle = app.sweep_sequences().await?;
    println!(
        "{label:8} sweep with nothing due: {:>8.1?}  ({} emails)",
        t.elapsed(),
        idle.emails_queued
    );
    let outbox: i64 = store
        .reader()
        .fetch_one(query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE kind = 'email.send'",
        ))
        .await?
        .get("n")?;
    println!("{label:8} email.send outbox rows: {outbox} (one per due step)");
    send_outbox(label, &app, &store, &sink, opts.senders).await?;

    let actor = Actor::user(reps[0].clone(), Via::Session);
    let first_page = TodayRequest::default();
    let mut samples = Vec::new();
    let mut total = 0;
    let mut next = None;
    for _ in 0..30 {
        let t = Instant::now();
        let today = app.today(&actor, &first_page).await?;
        samples.push(t.elapsed());
        total = today.total;
        next = today.next;
    }
    let (p50, p99) = percentiles(&mut samples);
    println!("{label:8} Today with {total} due items, first page: p50 {p50:.1?}  p99 {p99:.1?}");
    let next_page = TodayRequest {
        after: next,
        limit: None,
    };
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        app.today(&actor, &next_page).await?;
        samples.push(t.elapsed());
    }
    let (p50, p99) = percentiles(&mut samples);
    println!("{label:8} Today with {total} due items, second page: p50 {p50:.1?}  p99 {p99:.1?}");
    store.close().await;
    Ok(())
}

/// Drains the outbox through the mail handlers as `serve`'s worker does (`senders` of them at
/// once, like that many `serve` processes), then once more (a second pass must find nothing), and
/// checks that the sink got every message exactly once.
async fn send_outbox(
    label: &str,
    app: &App,
    store: &Store,
    sink: &SmtpSink,
    senders: usize,
) -> anyhow::Result<()> {
    let workers: Vec<_> = (0..senders.max(1))
        .map(|i| {
            prospector_app::mail::with_mail_handlers(prospector_app::outbox::Worker::new(
                app.clone(),
                format!("bench-sender-{i}"),
            ))
        })
        .collect();
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in workers.clone() {
        tasks.spawn(async move {
            while worker.run_once().await? > 0 {}
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let elapsed = t.elapsed();
    let again = workers[0].run_once().await?;
    let (accepted, distinct) = sink.counts();
    let failed: i64 = store
        .reader()
        .fetch_one(query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE kind = 'email.send' AND done_at IS NULL",
        ))
        .await?
        .get("n")?;
    println!(
        "{label:8} SMTP send of {accepted} emails by {senders} worker(s): {elapsed:>8.1?}  ({:.0} messages/s; \
         {distinct} distinct Message-IDs, {} duplicates, {failed} not sent, {again} items on a second pass)",
        accepted as f64 / elapsed.as_secs_f64().max(1e-9),
        accepted - distinct
    );
    anyhow::ensure!(
        accepted == distinct && failed == 0 && again == 0,
        "the SMTP send lost or doubled messages"
    );
    Ok(())
}
