//! `prospector bench records`: generates leads and activities with a fixed seed (bulk multi-row
//! inserts in large transactions), then times five kinds of request through the `App` layer — the
//! same calls the API handlers make, without HTTP — 1,000 times each as an admin, and prints p50 and
//! p99 of each.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use prospector_app::records::people::PersonPage;
use prospector_app::{Actor, App};
use prospector_core::email::Email;
use prospector_core::ids::{UserId, uuid_v7_at};
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{ActivityId, ActivityKind, LeadStatus};
use prospector_core::role::Role;
use prospector_store::records::activities::{self, Activity};
use prospector_store::records::people::{self, OwnerFilter, Person, PersonFilter, PersonKind, PersonSort};
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{Direction, PersonId};
use prospector_store::users::{self, User};
use prospector_store::{Exec, Store, query};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::percentiles;

const SEED: u64 = 20_260_302;
const REPS: usize = 50;
const REQUESTS: usize = 1_000;
const BATCH: usize = 50_000;

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Donald",
    "Katherine",
    "John",
    "Hedy",
    "Tim",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Shafi",
    "Leslie",
    "Lynn",
    "Niklaus",
    "Joan",
    "Vint",
    "Mary",
    "Robert",
    "Jean",
    "Brian",
    "Fran",
    "Peter",
    "Carol",
    "Rasmus",
    "Ruth",
    "James",
];
const SYLLABLES: &[&str] = &[
    "ba", "ker", "son", "mi", "lo", "ra", "vic", "ten", "dal", "mor", "ish", "ga", "ne", "tor", "ly", "win",
    "hol", "ber", "sto", "kin", "fe", "ro", "zu", "mat", "qui", "der", "pa", "ell", "on", "ve",
];
const SOURCES: &[&str] = &[
    "webinar",
    "trial",
    "contact_us",
    "gated_content",
    "event",
    "linkedin",
    "import",
];
const WORDS: &[&str] = &[
    "pipeline",
    "migration",
    "kubernetes",
    "budget",
    "renewal",
    "jenkins",
    "security",
    "audit",
    "devops",
    "roadmap",
    "pricing",
    "seats",
    "trial",
    "champion",
    "procurement",
    "quarter",
    "onboarding",
    "gitlab",
    "runner",
    "compliance",
];

/// Options of `prospector bench records`.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many leads.
    pub leads: usize,
    /// How many activities.
    pub activities: usize,
    /// Skip generation when the database already holds data.
    pub reuse: bool,
}

fn surname(rng: &mut StdRng) -> String {
    let n = rng.random_range(2..=3);
    let mut s: String = (0..n)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn make_reps(store: &Store) -> anyhow::Result<Vec<UserId>> {
    let mut tx = store.begin().await?;
    let now = base_time();
    let mut ids = Vec::new();
    for i in 0..REPS {
        let user = User {
            id: UserId::new_at(now),
            email: Email::parse(&format!("rep{i}@bench.example"))?,
            name: format!("Rep {i}"),
            role: Role::Sdr,
            team_id: None,
            active: true,
            time_zone: "UTC".into(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        users::insert_user(&mut tx, &user, None).await?;
        ids.push(user.id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// The tables the generator fills.
const LOADED: &str = "('people', 'activities', 'search_docs')";

/// Secondary indexes of the loaded tables (and SQLite's FTS triggers), dropped for the load and
/// rebuilt after it: building an index once over the whole table is far faster than keeping it
/// sorted row by row, and FTS5's `rebuild` beats a trigger per document. The definitions are read
/// from the database, so they always match the migrations.
struct Deferred {
    /// `CREATE INDEX …` statements.
    indexes: Vec<String>,
    /// `CREATE TRIGGER …` statements (SQLite).
    triggers: Vec<String>,
}

async fn defer_indexes(store: &Store) -> anyhow::Result<Deferred> {
    let sql = match store.backend() {
        prospector_store::Backend::Sqlite => format!(
            "SELECT type AS kind, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
             AND tbl_name IN {LOADED} AND sql IS NOT NULL"
        ),
        // Indexes behind a primary key or unique constraint stay: they cannot be dropped alone.
        prospector_store::Backend::Postgres => format!(
            "SELECT 'index' AS kind, indexname AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN {LOADED} \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
    };
    let rows = store.reader().fetch_all(query(sql)).await?;
    let mut deferred = Deferred {
        indexes: Vec::new(),
        triggers: Vec::new(),
    };
    let mut tx = store.begin().await?;
    if store.backend() == prospector_store::Backend::Sqlite {
        // The writer connection's page cache (32 MB by default) is too small for the foreign-key
        // look-ups of 10M activities into 1M people; the bench process alone uses this connection.
        tx.execute(query("PRAGMA cache_size = -524288")).await?;
    }
    for row in rows {
        let kind: String = row.get("kind")?;
        let name: String = row.get("name")?;
        let sql: String = row.get("sql")?;
        if kind == "trigger" {
            tx.execute(query(format!("DROP TRIGGER {name}"))).await?;
            deferred.triggers.push(sql);
        } else {
            tx.execute(query(format!("DROP INDEX {name}"))).await?;
            deferred.indexes.push(sql);
        }
    }
    tx.commit().await?;
    Ok(deferred)
}

async fn restore_indexes(store: &Store, deferred: Deferred) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    if store.backend() == prospector_store::Backend::Postgres {
        tx.execute(query("SET LOCAL maintenance_work_mem = '256MB'"))
            .await?;
    }
    for sql in deferred.indexes {
        tx.execute(query(sql)).await?;
    }
    if store.backend() == prospector_store::Backend::Sqlite {
        tx.execute(query("INSERT INTO search_fts (search_fts) VALUES ('rebuild')"))
            .await?;
    }
    for sql in deferred.triggers {
        tx.execute(query(sql)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Generates `opts.leads` leads and `opts.activities` activities.
async fn generate(store: &Store, opts: &Options) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let reps = make_reps(store).await?;
    let deferred = defer_indexes(store)
        .await
        .context("dropping indexes for the load")?;
    let started = Instant::now();
    let base = base_time();
    let mut person_ids: Vec<PersonId> = Vec::with_capacity(opts.leads);
    let mut done = 0;
    while done < opts.leads {
        let n = BATCH.min(opts.leads - done);
        let mut batch = Vec::with_capacity(n);
        let mut docs = Vec::with_capacity(n);
        for i in done..done + n {
            let created = base + chrono::Duration::seconds(i as i64 * 20);
            let updated = created + chrono::Duration::seconds(rng.random_range(0..30 * 86_400));
            let first = FIRST[rng.random_range(0..FIRST.len())].to_owned();
            let last = surname(&mut rng);
            let email = Email::parse(&format!(
                "{}.{}{i}@company{}.example",
                first.to_lowercase(),
                last.to_lowercase(),
                i % 5000
            ))?;
            let status = match rng.random_range(0..100) {
                0..30 => LeadStatus::Raw,
                30..45 => LeadStatus::Inquiry,
                45..60 => LeadStatus::Mql,
                60..70 => LeadStatus::Accepted,
                70..75 => LeadStatus::Qualifying,
                75..85 => LeadStatus::Recycle,
                85..95 => LeadStatus::Disqualified,
                _ => LeadStatus::BadData,
            };
            let p = Person {
                id: PersonId(uuid_v7_at(created)),
                kind: PersonKind::Lead,
                first_name: Some(first),
                last_name: Some(last),
                email: Some(email),
                phone: None,
                title: Some("Engineering Manager".into()),
                company: Some(format!("Company {}", i % 5000)),
                account_id: None,
                country: Some("US".into()),
                region: Some("amer".into()),
                time_zone: Some("America/New_York".into()),
                owner_id: (rng.random_range(0..10) > 0).then(|| reps[rng.random_range(0..reps.len())]),
                status,
                status_reason: status.is_exit().then(|| "no_data".to_owned()),
                source: Some(SOURCES[rng.random_range(0..SOURCES.len())].to_owned()),
                score: rng.random_range(0..200),
                mql_count: 0,
                first_mql_at: None,
                last_mql_at: None,
                do_not_call: false,
                unsubscribed: false,
                framework: None,
                qualification: serde_json::json!({}),
                custom_fields: serde_json::json!({}),
                merged_into: None,
                created_at: created,
                updated_at: updated,
                version: 1,
            };
            docs.push((DocKind::Person, p.id.0, p.search_body()));
            person_ids.push(p.id);
            batch.push(p);
        }
        let mut tx = store.begin().await?;
        people::insert_many(&mut tx, &batch).await?;
        search::put_many(&mut tx, &docs).await?;
        tx.commit().await?;
        done += n;
        eprint!("\rleads {done}/{} ({:.0?})   ", opts.leads, started.elapsed());
    }
    eprintln!();
    let started = Instant::now();
    let mut done = 0;
    while done < opts.activities {
        let n = BATCH.min(opts.activities - done);
        let mut batch = Vec::with_capacity(n);
        let mut docs = Vec::new();
        for i in done..done + n {
            let at = base + chrono::Duration::seconds(i as i64 * 2);
            let person = person_ids[rng.random_range(0..person_ids.len())];
            let detail = match rng.random_range(0..100) {
                0..55 => ActivityDetail::Call {
                    disposition: ["connected", "left_voicemail", "no_answer"][rng.random_range(0..3)].into(),
                    duration_seconds: Some(rng.random_range(0..900)),
                    notes: None,
                },
                55..90 => ActivityDetail::Email {
                    direction: prospector_core::records::EmailDirection::Sent,
                    message_id: None,
                    thread_id: None,
                    subject: None,
                },
                90..95 => ActivityDetail::Linkedin { notes: None },
                _ => ActivityDetail::Note {
                    text: (0..8)
                        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
                        .collect::<Vec<_>>()
                        .join(" "),
                },
            };
            let a = Activity {
                id: ActivityId(uuid_v7_at(at)),
                kind: detail.kind(),
                person_id: Some(person),
                account_id: None,
                opportunity_id: None,
                occurred_at: at,
                detail,
                corrects_id: None,
                is_connect: false,
                actor_id: None,
                created_at: at,
            };
            if a.kind == ActivityKind::Note
                && let Some(body) = a.search_body()
            {
                docs.push((DocKind::Activity, a.id.0, body));
            }
            batch.push(a);
        }
        let mut tx = store.begin().await?;
        activities::insert_many(&mut tx, &batch).await?;
        search::put_many(&mut tx, &docs).await?;
        tx.commit().await?;
        done += n;
        eprint!(
            "\ractivities {done}/{} ({:.0?})   ",
            opts.activities,
            started.elapsed()
        );
    }
    eprintln!();
    let started = Instant::now();
    restore_indexes(store, deferred)
        .await
        .context("rebuilding indexes")?;
    eprintln!("indexes and search index rebuilt ({:.0?})", started.elapsed());
    if store.backend() == prospector_store::Backend::Postgres {
        // VACUUM also flushes the GIN index's pending list, which bulk inserts leave long.
        store.reader().execute(query("VACUUM ANALYZE")).await?;
    } else {
        store.reader().fetch_all(query("PRAGMA optimize")).await.ok();
    }
    Ok(())
}

/// Times `f` `REQUESTS` times and returns (p50, p99).
async fn time<F, Fut>(mut f: F) -> anyhow::Result<(Duration, Duration)>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut samples = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        let t = Instant::now();
        f(i).await?;
        samples.push(t.elapsed());
    }
    Ok(percentiles(&mut samples))
}

/// Runs the benchmark; prints one line per request kind.
pub async fn run(store: Store, app: App, opts: Options) -> anyhow::Result<()> {
    let existing: i64 = store
        .reader()
        .fetch_one(query("SELECT COUNT(*) AS n FROM people"))
        .await?
        .get("n")?;
    if existing == 0 {
        generate(&store, &opts).await.context("generating data")?;
    } else if !opts.reuse {
        anyhow::bail!(
            "the database already holds {existing} people: use an empty database, or --reuse to time it as it is"
        );
    }
    let actor = Actor::cli();
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let reps: Vec<UserId> = store
        .reader()
        .fetch_all(query(
            "SELECT id FROM users WHERE email LIKE 'rep%@bench.example' ORDER BY id",
        ))
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<Result<_, _>>()?;
    // A sample of people to open, page after and search for, picked with the seed.
    let total: i64 = store
        .reader()
        .fetch_one(query("SELECT COUNT(*) AS n FROM people"))
        .await?
        .get("n")?;
    let mut sample: Vec<Person> = Vec::new();
    while sample.len() < 200 {
        let offset = rng.random_range(0..total.max(1));
        let page = store
            .reader()
            .fetch_all(query("SELECT id FROM people ORDER BY id LIMIT 1 OFFSET $1").bind(offset))
            .await?;
        for row in page {
            let id: PersonId = row.get("id")?;
            if let Some(p) = people::get(&mut store.reader(), id).await? {
                sample.push(p);
            }
        }
    }
    let statuses = [
        LeadStatus::Raw,
        LeadStatus::Mql,
        LeadStatus::Accepted,
        LeadStatus::Recycle,
    ];
    let lead_filter = |owner: UserId, status: LeadStatus| PersonFilter {
        kind: Some(PersonKind::Lead),
        owner: Some(OwnerFilter::User(owner)),
        status: vec![status],
        ..PersonFilter::default()
    };
    println!(
        "backend={:?} people={total} activities={} requests={REQUESTS} (through the App layer, as an admin)",
        store.backend(),
        store
            .reader()
            .fetch_one(query("SELECT COUNT(*) AS n FROM activities"))
            .await?
            .get::<i64>("n")?
    );
    let report = |name: &str, (p50, p99): (Duration, Duration)| {
        println!(
            "{name:<40} p50 {:>8.2} ms   p99 {:>8.2} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    };

    let r = time(|i| {
        let filter = lead_filter(reps[i % reps.len()], statuses[i % statuses.len()]);
        let app = app.clone();
        let actor = actor.clone();
        async move {
            let page: PersonPage = app
                .list_people(
                    &actor,
                    &filter,
                    PersonSort::UpdatedAt,
                    Direction::Desc,
                    None,
                    50,
                    true,
                )
                .await?;
            anyhow::ensure!(page.count.is_some());
            Ok(())
        }
    })
    .await?;
    report("list: owner+status, first page + count", r);

    let r = time(|i| {
        let filter = PersonFilter {
            kind: Some(PersonKind::Lead),
            ..PersonFilter::default()
        };
        let cursor = PersonSort::UpdatedAt.cursor(&sample[i % sample.len()]);
        let app = app.clone();
        let actor = actor.clone();
        async move {
            app.list_people(
                &actor,
                &filter,
                PersonSort::UpdatedAt,
                Direction::Desc,
                Some(&cursor),
                50,
                false,
            )
            .await?;
            Ok(())
        }
    })
    .await?;
    report("list: a page deep in all leads", r);

    let r = time(|i| {
        let id = sample[i % sample.len()].id;
        let app = app.clone();
        let actor = actor.clone();
        async move {
            app.get_person(&actor, None, id).await?;
            app.person_timeline(&actor, None, id, None, 50).await?;
            Ok(())
        }
    })
    .await?;
    report("record page: person + timeline (50)", r);

    let r = time(|i| {
        let p = &sample[i % sample.len()];
        let q = format!(
            "{} {}",
            p.first_name.clone().unwrap_or_default(),
            p.last_name.clone().unwrap_or_default()
        );
        let app = app.clone();
        let actor = actor.clone();
        async move {
            app.search(&actor, &q, 20).await?;
            Ok(())
        }
    })
    .await?;
    report("search: by name (first + last)", r);

    let r = time(|i| {
        let q = sample[i % sample.len()]
            .email
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let app = app.clone();
        let actor = actor.clone();
        async move {
            let found = app.search(&actor, &q, 20).await?;
            anyhow::ensure!(!found.is_empty(), "email search found nothing for {q}");
            Ok(())
        }
    })
    .await?;
    report("search: by email", r);
    Ok(())
}

/// `prospector bench records`: opens (and migrates) `database_url`, fills it, times it.
pub async fn command(database_url: &str, opts: Options) -> anyhow::Result<()> {
    let store = Store::connect(database_url, &prospector_store::StoreOptions::default()).await?;
    store.migrate().await?;
    let app = App::new(
        store.clone(),
        std::sync::Arc::new(prospector_app::SystemClock),
        prospector_app::AppSettings::default(),
    );
    run(store, app, opts).await
}
