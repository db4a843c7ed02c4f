//! What a records move sets off in the same transaction: a call stops the lead's SLA clock at
//! once, and an opportunity moved to Unqualified tells the SDR's team lead.

use chrono::Duration;
use prospector_app::Clock;
use prospector_store::{Exec, query};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{get, member, post};
use crate::app_with_admin;

on_both_backends!(
    a_logged_call_stops_the_sla_clock_at_that_moment_without_a_reader,
    unqualifying_an_opportunity_tells_the_sdrs_team_lead_in_app_and_by_email,
);

/// `(stopped_at, first_touch_at)` of every clock of `person`, read straight from the table so
/// nothing on the way (the queue, the SLA endpoint) can stop a clock lazily first.
async fn clocks_of(app: &TestApp, person: &str) -> Vec<(Option<String>, Option<String>)> {
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT person_id, stopped_at, first_touch_at FROM sla_clocks",
        ))
        .await
        .unwrap();
    let time = |r: &prospector_store::Row, col: &str| {
        r.get::<Option<chrono::DateTime<chrono::Utc>>>(col)
            .unwrap()
            .map(|t| t.to_rfc3339())
    };
    rows.iter()
        .filter(|r| {
            r.get::<Option<prospector_store::records::PersonId>>("person_id")
                .unwrap()
                .is_some_and(|p| p.to_string() == person)
        })
        .map(|r| (time(r, "stopped_at"), time(r, "first_touch_at")))
        .collect()
}

async fn notifications_of(app: &TestApp, user: &str) -> Vec<(String, String)> {
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT user_id, kind, message FROM notifications ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .filter(|r| {
            r.get::<prospector_core::ids::UserId>("user_id")
                .unwrap()
                .to_string()
                == user
        })
        .map(|r| (r.get("kind").unwrap(), r.get("message").unwrap()))
        .collect()
}

async fn emails_to(app: &TestApp, to: &str) -> Vec<String> {
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT payload FROM outbox WHERE kind = 'email.send' ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.get::<Value>("payload").unwrap())
        .filter(|p| p["to"][0]["email"] == to)
        .map(|p| p["subject"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_logged_call_stops_the_sla_clock_at_that_moment_without_a_reader(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    // Webcast 30 + trial 65 + business email 20: an MQL, whose first-touch clock starts.
    for form in ["webcast", "trial"] {
        let r = reqwest::Client::new()
            .post(app.url(&format!("/inbound/forms/{form}")))
            .json(&json!({"email": "grace@navy.example", "last_name": "Hopper"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    let person = subs["items"][0]["person_id"].as_str().unwrap().to_owned();
    let running = clocks_of(&app, &person).await;
    assert_eq!(running.len(), 1, "an MQL clock is running");
    assert_eq!(running[0], (None, None));

    // A note is no touch; a call ten minutes later is, and stops the clock right then.
    app.clock.advance(Duration::minutes(10));
    let (status, _) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "note", "person_id": person, "text": "read their blog"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(clocks_of(&app, &person).await[0], (None, None));
    let (status, call) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": person, "disposition": "connected"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let called_at = app.clock.now().to_rfc3339();
    let stopped = clocks_of(&app, &person).await;
    assert_eq!(
        stopped[0],
        (Some(called_at.clone()), Some(called_at)),
        "stopped at the call, before anyone read the clocks"
    );
}

async fn unqualifying_an_opportunity_tells_the_sdrs_team_lead_in_app_and_by_email(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let lead = app.user("lead@example.com", "team_lead", Some("West")).await;
    let (sdr_id, _sdr) = member(&app, &admin, "sdr@example.com", "sdr", "West").await;
    let ae = app.user("ae@example.com", "ae", None).await;
    let (status, opp) = post(
        &admin,
        "/api/v1/opportunities",
        json!({"name": "Navy pilot", "sdr_id": sdr_id, "ae_id": ae.id.to_string()}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    let path = format!("/api/v1/opportunities/{}/stage", opp["id"].as_str().unwrap());

    // Refused without a reason: nobody is told.
    let (status, _) = post(&admin, &path, json!({"stage": "unqualified"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let lead_id = lead.id.to_string();
    assert!(notifications_of(&app, &lead_id).await.is_empty());

    let (status, body) = post(
        &admin,
        &path,
        json!({"stage": "unqualified", "reason": "no_budget"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let told = notifications_of(&app, &lead_id).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "opportunity_unqualified");
    assert!(
        told[0].1.contains("Navy pilot") && told[0].1.contains("no_budget"),
        "{told:?}"
    );
    let mail = emails_to(&app, "lead@example.com").await;
    assert_eq!(mail.len(), 1, "one email through the outbox: {mail:?}");
    assert!(mail[0].contains("Navy pilot"));
    assert!(
        notifications_of(&app, &ae.id.to_string()).await.is_empty(),
        "only the team lead is told"
    );
}
