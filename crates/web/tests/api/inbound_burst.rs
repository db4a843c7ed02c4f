//! A burst of form posts at once, as a webinar's last minute or a launch brings: captures that
//! arrive together are written together, and that must change nothing a user sees — each post
//! gets its own answer, refusals in the burst are kept, the same person posting twice at once is
//! one person, and round-robin turns stay fair.

use std::collections::BTreeMap;

use prospector_app::Actor;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_with_admin;
use crate::records::get;

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

async fn post(http: &reqwest::Client, app: &TestApp, form: &str, body: Value) -> (StatusCode, Value) {
    let r = http
        .post(app.url(&format!("/inbound/forms/{form}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

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
