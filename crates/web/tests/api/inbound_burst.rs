//! A burst of form posts at once, as a webinar's last minute or a launch brings: captures that
//! arrive together are written together, and that must change nothing a user sees — each post
//! gets its own answer, refusals in the burst are kept, the same person posting twice at once is
//! one person, and round-robin turns stay fair.

use std::collections::BTreeMap;

use prospector_app::Actor;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::records::get;
use crate::{app_with_admin, post_form as post};

on_both_backends!(a_burst_of_posts_is_answered_one_by_one_deduplicated_and_routed_fairly);

const GOOD: usize = 24;

/// Different people: the duplicate check on entry would rightly merge "Buyer1" and "Buyer11".
const SURNAMES: [&str; GOOD] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Kowalski",
    "Haddad",
    "Ferreira",
    "Novak",
    "Brennan",
    "Castillo",
    "Nakamura",
    "Osei",
    "Petrov",
    "Quinn",
    "Rahman",
    "Schultz",
    "Varga",
    "Wiśniewski",
    "Yilmaz",
    "Zhou",
    "Abbott",
    "Delgado",
    "Eriksen",
    "Gallo",
];

async fn a_burst_of_posts_is_answered_one_by_one_deduplicated_and_routed_fairly(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let mut sdrs = Vec::new();
    for (i, team) in ["East", "West", "East"].into_iter().enumerate() {
        sdrs.push(
            app.user(&format!("sdr{i}@example.com"), "sdr", Some(team))
                .await
                .id
                .to_string(),
        );
    }
    // A company the team already works: its owner gets its people, whatever the turn.
    let owner = app
        .user("ae@example.com", "ae", Some("West"))
        .await
        .id
        .to_string();
    let (status, account) = crate::records::post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Initech", "domains": ["initech.com"], "employees": 800, "owner_id": owner}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    // All posts come from the test's one address: lift the per-IP limit above the burst.
    let mut settings = app.app.inbound_settings(&Actor::cli()).await.unwrap();
    settings.forms_per_minute_per_ip = 1_000;
    app.app
        .save_inbound_settings(&Actor::cli(), settings)
        .await
        .unwrap();
    let http = reqwest::Client::new();

    // Every request is in flight before any answer is read.
    let mut posts = Vec::new();
    for (i, surname) in SURNAMES.iter().enumerate() {
        let body = json!({"email": format!("buyer{i}@firm{i}.com"), "last_name": surname,
                          "company": format!("{surname} Systems")});
        posts.push(("contact-us", body, StatusCode::CREATED));
    }
    // The same person twice, a post with no way to reach anyone, and an unknown form.
    let twice = json!({"email": "twice@twins.com", "last_name": "Twice", "first_name": "Tess"});
    posts.push(("contact-us", twice.clone(), StatusCode::CREATED));
    posts.push(("contact-us", twice, StatusCode::CREATED));
    posts.push((
        "contact-us",
        json!({"email": "peter@initech.com", "last_name": "Gibbons"}),
        StatusCode::CREATED,
    ));
    posts.push((
        "contact-us",
        json!({"last_name": "Nobody", "company": "Acme"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    ));
    posts.push((
        "no-such-form",
        json!({"email": "lost@acme.com"}),
        StatusCode::NOT_FOUND,
    ));
    let answers = futures::future::join_all(
        posts
            .iter()
            .map(|(form, body, _)| post(&http, &app, form, body.clone())),
    )
    .await;
    for ((form, body, expected), (status, answer)) in posts.iter().zip(&answers) {
        assert_eq!(status, expected, "{form} {body} got {answer}");
    }
    let missing = &answers[GOOD + 3].1;
    assert_eq!(missing["error"]["code"], "missing_contact", "{missing}");

    // Every good post is a lead once; the twice-posting person is one lead with both forms.
    let (_, leads) = get(&admin, "/api/v1/leads?limit=200").await;
    let leads = leads["items"].as_array().unwrap().clone();
    assert_eq!(leads.len(), GOOD + 2, "{leads:?}");
    let peter = leads.iter().find(|l| l["email"] == "peter@initech.com").unwrap();
    assert_eq!(peter["owner_id"], owner, "the account owner wins: {peter}");
    let twice: Vec<&Value> = leads.iter().filter(|l| l["email"] == "twice@twins.com").collect();
    assert_eq!(twice.len(), 1);
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted&limit=200").await;
    let of_twice = subs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person_id"] == twice[0]["id"])
        .count();
    assert_eq!(of_twice, 2, "both posts are kept against the one person");

    // Refusals in the burst are kept with their data.
    let (_, rejected) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    let mut codes: Vec<&str> = rejected["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reject_code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["missing_contact", "unknown_form"]);

    // Each contact-us is an MQL routed in turn: three SDRs at full share get the leads evenly.
    let mut per_owner: BTreeMap<String, usize> = BTreeMap::new();
    for lead in leads.iter().filter(|l| l["owner_id"] != owner.as_str()) {
        assert_eq!(lead["status"], "mql", "{lead}");
        *per_owner
            .entry(lead["owner_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_owner.len(), 3, "{per_owner:?}");
    for sdr in &sdrs {
        let n = per_owner.get(sdr).copied().unwrap_or(0);
        assert!(
            (8..=9).contains(&n),
            "{sdr} got {n} of {}: {per_owner:?}",
            GOOD + 1
        );
    }

    // The dashboards hold what a recount from the records gives: each MQL credited to the rep and
    // team it was routed to, though the burst filed them without reading the people back.
    crate::assert_rollups_match_a_recount(&app.store, "the burst").await;

    // The per-address limit counts every post of a burst: with room for three more this minute,
    // three of a burst of seven get in and four are told when to come back.
    let mut settings = app.app.inbound_settings(&Actor::cli()).await.unwrap();
    settings.forms_per_minute_per_ip = i64::try_from(posts.len()).unwrap() + 3;
    app.app
        .save_inbound_settings(&Actor::cli(), settings)
        .await
        .unwrap();
    let late = futures::future::join_all((0..7).map(|i| {
        post(
            &http,
            &app,
            "contact-us",
            json!({"email": format!("late{i}@late{i}.com"), "last_name": SURNAMES[i]}),
        )
    }))
    .await;
    let mut statuses: Vec<u16> = late.iter().map(|(s, _)| s.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 201, 201, 429, 429, 429, 429], "{late:?}");
    let (_, limited) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected&limit=200").await;
    let limited = limited["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reject_code"] == "rate_limited")
        .count();
    assert_eq!(limited, 4, "each refused post is kept");
}

/// How many database sessions of this test wait for a row lock.
async fn lock_waiters(app: &TestApp) -> i64 {
    prospector_store::Exec::fetch_one(
        &mut app.store.reader(),
        prospector_store::query(
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE wait_event_type = 'Lock' AND datname = current_database()",
        ),
    )
    .await
    .unwrap()
    .get::<i64>("n")
    .unwrap()
}

/// Polls `check` until it holds, failing the test after ten seconds.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::task::yield_now().await;
    }
}

/// On PostgreSQL another writer can change a person between a batch's reads and its writes (an SDR
/// saving the lead as a form for them arrives). The batch then fails as a whole; its forms must be
/// written again one by one — each answered, the SDR's edit kept, nothing written twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_failed_by_a_concurrent_edit_is_written_again_form_by_form() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (app, admin) = app_with_admin(db).await;
    app.user("sdr@example.com", "sdr", None).await;
    let http = reqwest::Client::new();
    let form = |email: &str, surname: &str| json!({"email": email, "last_name": surname});
    let (status, _) = post(&http, &app, "contact-us", form("pat@paxton.com", "Paxton")).await;
    assert_eq!(status, StatusCode::CREATED);

    // 1. A batch that will wait: its form routes, and the round-robin turn is locked.
    let mut turn_lock = app.store.begin().await.unwrap();
    prospector_store::Exec::fetch_one(
        &mut turn_lock,
        prospector_store::query("SELECT body FROM inbound_rule_sets WHERE name = 'round_robin' FOR UPDATE"),
    )
    .await
    .unwrap();
    let first = tokio::spawn({
        let (http, url) = (http.clone(), app.url("/inbound/forms/contact-us"));
        async move {
            http.post(url)
                .json(&form("first@one.com", "First"))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    until("the first batch waits for the turn", || async {
        lock_waiters(&app).await == 1
    })
    .await;

    // 2. An SDR's edit of Pat, not yet committed, and two forms lined up behind the first batch:
    // Pat again, and someone new.
    let mut edit = app.store.begin().await.unwrap();
    prospector_store::Exec::execute(
        &mut edit,
        prospector_store::query(
            "UPDATE people SET title = 'Head of Platform', version = version + 1 WHERE email = 'pat@paxton.com'",
        ),
    )
    .await
    .unwrap();
    let lined_up: Vec<_> = [form("pat@paxton.com", "Paxton"), form("new@two.com", "Newman")]
        .into_iter()
        .map(|body| {
            let (http, url) = (http.clone(), app.url("/inbound/forms/contact-us"));
            tokio::spawn(async move { http.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    until("both forms wait for the next batch", || async {
        app.app.captures_waiting() == 2
    })
    .await;

    // 3. The first batch goes; the second reads Pat as before the edit and waits on the edit's lock.
    turn_lock.commit().await.unwrap();
    assert_eq!(first.await.unwrap(), StatusCode::CREATED);
    until("the second batch waits for the edit", || async {
        lock_waiters(&app).await == 1
    })
    .await;

    // 4. The edit commits: the batch's update of Pat finds a newer version and the batch fails.
    edit.commit().await.unwrap();
    for answer in lined_up {
        assert_eq!(
            answer.await.unwrap(),
            StatusCode::CREATED,
            "each form is answered on its own"
        );
    }
    let (_, leads) = get(&admin, "/api/v1/leads?limit=50").await;
    let leads = leads["items"].as_array().unwrap();
    let emails: Vec<&str> = leads.iter().map(|l| l["email"].as_str().unwrap()).collect();
    assert_eq!(leads.len(), 3, "nobody written twice: {emails:?}");
    let pat = leads.iter().find(|l| l["email"] == "pat@paxton.com").unwrap();
    assert_eq!(pat["title"], "Head of Platform", "the SDR's edit is kept: {pat}");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted&limit=50").await;
    let subs = subs["items"].as_array().unwrap();
    assert_eq!(subs.len(), 4, "every post kept once: {subs:?}");
    assert_eq!(subs.iter().filter(|s| s["person_id"] == pat["id"]).count(), 2);
}
