//! Today orders open steps by what it keeps of each person on the step (time zone, score,
//! do-not-call; migration 0020): a change to the person, made anywhere, must show in Today's order
//! at once — also for a step that a pause cancelled and a resume opened again.

use chrono::Duration;
use prospector_testkit::{ApiClient, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::records::{get, patch, post};
use crate::sequences::{call_step, enroll, lead, rep_with_mailbox, sequence_with, settings};

on_both_backends!(
    todays_order_follows_a_persons_score_time_zone_and_do_not_call,
    a_step_reopened_after_a_pause_is_ordered_by_the_persons_score_now,
);

/// (first name, callable now) of Today's first page, in order.
async fn order(rep: &ApiClient) -> Vec<(String, bool)> {
    let (status, today) = get(rep, "/api/v1/today").await;
    assert_eq!(status, StatusCode::OK, "{today}");
    today["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["person"]["first_name"].as_str().unwrap().to_owned(),
                i["callable_now"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn change(rep: &ApiClient, id: &str, body: Value) {
    let (status, out) = patch(rep, &format!("/api/v1/leads/{id}"), body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

fn pair(a: &str, a_callable: bool, b: &str, b_callable: bool) -> Vec<(String, bool)> {
    vec![(a.to_owned(), a_callable), (b.to_owned(), b_callable)]
}

async fn todays_order_follows_a_persons_score_time_zone_and_do_not_call(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let steps = json!([call_step(0), call_step(3)]);
    let seq = sequence_with(
        &r.rep,
        "Calls",
        steps,
        settings("08:00", "18:00", json!([]), "finish"),
    )
    .await;
    // Monday 09:00 UTC; Ada is enrolled first, so her call falls due first.
    let ada = lead(&r.rep, "Ada", "UTC").await;
    let bob = lead(&r.rep, "Bob", "UTC").await;
    enroll(&r.rep, &seq, &[&ada]).await;
    enroll(&r.rep, &seq, &[&bob]).await;
    r.app.clock.advance(Duration::hours(1));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);
    assert_eq!(order(&r.rep).await, pair("Ada", true, "Bob", true));

    // A higher score puts Bob first.
    change(&r.rep, &bob, json!({"score": 50})).await;
    assert_eq!(order(&r.rep).await, pair("Bob", true, "Ada", true));

    // Moved to Tokyo (19:00 there), Bob cannot be called now: Ada comes first.
    change(&r.rep, &bob, json!({"time_zone": "Asia/Tokyo"})).await;
    assert_eq!(order(&r.rep).await, pair("Ada", true, "Bob", false));
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert_eq!(
        (today["total"].as_i64(), today["callable"].as_i64()),
        (Some(2), Some(1))
    );

    // Ada asks not to be called: nobody can be called now, and the score decides.
    change(&r.rep, &ada, json!({"do_not_call": true})).await;
    assert_eq!(order(&r.rep).await, pair("Bob", false, "Ada", false));

    // Bob back in London (10:00 there): callable again, first.
    change(&r.rep, &bob, json!({"time_zone": "Europe/London"})).await;
    assert_eq!(order(&r.rep).await, pair("Bob", true, "Ada", false));
}

async fn a_step_reopened_after_a_pause_is_ordered_by_the_persons_score_now(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let steps = json!([call_step(0), call_step(3)]);
    let seq = sequence_with(
        &r.rep,
        "Calls",
        steps,
        settings("08:00", "18:00", json!([]), "finish"),
    )
    .await;
    let ada = lead(&r.rep, "Ada", "UTC").await;
    let bob = lead(&r.rep, "Bob", "UTC").await;
    enroll(&r.rep, &seq, &[&ada]).await;
    enroll(&r.rep, &seq, &[&bob]).await;
    r.app.clock.advance(Duration::hours(1));
    r.app.app.sweep_sequences().await.unwrap();
    assert_eq!(order(&r.rep).await, pair("Ada", true, "Bob", true));

    // Paused, Bob's call leaves Today; his score rises meanwhile; resumed, it comes back first.
    let (_, history) = get(&r.rep, &format!("/api/v1/people/{bob}/enrollments")).await;
    let enrollment = history["items"][0]["id"].as_str().unwrap().to_owned();
    let actions = format!("/api/v1/enrollments/{enrollment}/actions");
    let (status, out) = post(&r.rep, &actions, json!({"action": "pause"})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(order(&r.rep).await, vec![("Ada".to_owned(), true)]);
    change(&r.rep, &bob, json!({"score": 80})).await;
    let (status, out) = post(&r.rep, &actions, json!({"action": "resume"})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 1);
    assert_eq!(order(&r.rep).await, pair("Bob", true, "Ada", true));
}
