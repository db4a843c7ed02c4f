//! `prospector bench inbound`: serves the app on 127.0.0.1 over a fresh SQLite database and posts
//! contact-us forms to `/inbound/forms/contact-us` from concurrent clients — each post scores the
//! person, makes them an MQL, routes them by weighted round-robin and starts two SLA clocks, in one
//! transaction — then times routing decisions on their own (the core decision, and the preview
//! through the app, which reads reps and rules from the database).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use prospector_app::inbound::rules::PreviewInput;
use prospector_app::users::NewUserInput;
use prospector_app::{Actor, App, AppSettings, SystemClock};
use prospector_core::ids::UserId;
use prospector_core::inbound::{LeadFacts, Region, Rep, RoundRobinState, RoutingRule, Segment, route};
use prospector_store::{Store, StoreOptions};
use prospector_web::WebSettings;

use super::names::{FIRST, KINDS, LAST, WORDS};

const REPS: usize = 8;
const COUNTRIES: [&str; 6] = ["US", "DE", "GB", "FR", "JP", "BR"];
/// Every tenth post is a person posting again (the same email): an update, not a new lead.
const REPEAT_EVERY: usize = 10;

/// The `i`-th post's person: a real first name and surname (double-barrelled past the single
/// pairs, so nobody is generated twice) at one of 997 companies; every tenth post repeats an
/// earlier person.
fn person(i: usize) -> serde_json::Value {
    let n = if i % REPEAT_EVERY == REPEAT_EVERY - 1 {
        i - (REPEAT_EVERY - 1)
    } else {
        i
    };
    let first = FIRST[n % FIRST.len()];
    let pairs = FIRST.len() * LAST.len();
    let surname = match n / pairs {
        0 => LAST[(n / FIRST.len()) % LAST.len()].to_owned(),
        k => format!(
            "{}-{}",
            LAST[(n / FIRST.len()) % LAST.len()],
            LAST[(k - 1) % LAST.len()]
        ),
    };
    let c = n % 997;
    let company = format!(
        "{} {}",
        WORDS[c % WORDS.len()],
        KINDS[(c / WORDS.len()) % KINDS.len()]
    );
    let domain: String = format!("{company}{c}.example")
        .to_lowercase()
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '.')
        .collect();
    let local: String = format!("{first}.{surname}")
        .to_lowercase()
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '.')
        .collect();
    serde_json::json!({
        "first_name": first,
        "last_name": surname,
        "email": format!("{local}@{domain}"),
        "company": company,
        "country": COUNTRIES[n % COUNTRIES.len()],
        "employees": (n * 37) % 5000,
        "utm_source": "bench",
    })
}

/// Runs the benchmark and prints the figures.
pub async fn run(forms: usize, clients: usize, postgres_url: Option<String>) -> anyhow::Result<()> {
    let clients = clients.max(1);
    let dir = std::env::temp_dir().join(format!("prospector-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let backend = if postgres_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let url = postgres_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = Store::connect(&url, &StoreOptions::default()).await?;
    store.migrate().await?;
    let app = App::new(store.clone(), Arc::new(SystemClock), AppSettings::default());
    let cli = Actor::cli();
    for i in 0..REPS {
        app.add_user(
            &cli,
            NewUserInput {
                email: format!("sdr{i}@bench.example"),
                name: format!("SDR {i}"),
                role: "sdr".into(),
                team: Some("Bench".into()),
                password: None,
                time_zone: None,
            },
        )
        .await?;
    }
    let mut settings = app.inbound_settings(&cli).await?;
    settings.forms_per_minute_per_ip = 100_000_000;
    app.save_inbound_settings(&cli, settings).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server_app = app.clone();
    let server = tokio::spawn(async move {
        let _ =
            prospector_web::launch_with_listener(server_app, WebSettings::default(), listener, async move {
                let _ = stopped.await;
            })
            .await;
    });

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let http = http.clone();
        let url = format!("{base}/inbound/forms/contact-us");
        tasks.push(tokio::spawn(async move {
            let mut failures = 0usize;
            for i in (c..forms).step_by(clients) {
                let body = person(i);
                match http.post(&url).json(&body).send().await {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {}
                    _ => failures += 1,
                }
            }
            failures
        }));
    }
    let mut failures = 0;
    for t in tasks {
        failures += t.await.context("client task")?;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = server.await;

    let rate = forms as f64 / elapsed.as_secs_f64();
    let people: i64 = prospector_store::Exec::fetch_one(
        &mut store.reader(),
        prospector_store::query("SELECT COUNT(*) AS n FROM people"),
    )
    .await?
    .get("n")?;
    println!(
        "capture: {forms} forms from {clients} clients in {:.2} s = {rate:.0} forms/s ({failures} failed) [{backend}, contact-us: score + MQL + route + 2 SLA clocks per new person; {people} people, the other {} posts matched one of them]",
        elapsed.as_secs_f64(),
        i64::try_from(forms).unwrap_or(i64::MAX) - people
    );

    // One routing decision in core: 50 reps, 10 rules, with skips.
    let reps: Vec<Rep> = (0..50u32)
        .map(|i| Rep {
            id: UserId::new_at(chrono::Utc::now()),
            name: format!("Rep {i}"),
            active: i % 17 != 0,
            out_of_office: i % 11 == 0,
            share_percent: [0, 50, 100][(i % 3) as usize],
            capacity: Some(40),
            open_inbound_leads: i % 45,
        })
        .collect();
    let rules: Vec<RoutingRule> = (0..10usize)
        .map(|r| RoutingRule {
            code: format!("rule{r}"),
            segment: Some(Segment::ALL[r % 3]),
            region: if r == 9 { None } else { Some(Region::ALL[r % 4]) },
            pool: reps.iter().skip(r * 5).take(10).map(|rep| rep.id).collect(),
        })
        .collect();
    let mut state = RoundRobinState::default();
    let decisions = 100_000u32;
    let t = Instant::now();
    for i in 0..decisions {
        let lead = LeadFacts {
            account_owner: None,
            working_owner: None,
            employees: Some(i % 4000),
            region: Some(Region::ALL[(i % 4) as usize]),
        };
        state = route(&lead, &rules, &reps, state).new_state;
    }
    let per = t.elapsed().as_secs_f64() / f64::from(decisions);
    println!(
        "routing decision (core, 50 reps, 10 rules): {:.2} µs mean over {decisions}",
        per * 1e6
    );

    // The same through the app, reading reps (with open-lead counts), rules and state from SQLite.
    let previews = 1_000u32;
    let t = Instant::now();
    for i in 0..previews {
        app.preview_routing(
            &cli,
            PreviewInput {
                employees: Some(i * 7 % 5000),
                country: Some(COUNTRIES[(i % 6) as usize].into()),
                ..PreviewInput::default()
            },
        )
        .await?;
    }
    let per = t.elapsed().as_secs_f64() / f64::from(previews);
    println!(
        "routing decision (app, with database reads, {forms} people stored): {:.3} ms mean over {previews}",
        per * 1e3
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
