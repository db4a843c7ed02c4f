//! One search across people, accounts and notes.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, new_lead, post};
use crate::app_with_admin;

on_both_backends!(search_finds_people_accounts_and_notes);

async fn search_finds_people_accounts_and_notes(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(
        &admin,
        json!({"first_name": "Katherine", "last_name": "Johnson", "email": "k.johnson@nasa.example", "company": "NASA"}),
    )
    .await;
    new_lead(
        &admin,
        json!({"first_name": "Dorothy", "last_name": "Vaughan", "email": "dorothy@nasa.example"}),
    )
    .await;
    let (status, _) = post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Langley Research", "domains": ["langley.example"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "note", "person_id": lead["id"], "text": "Wants trajectory calculations for Friendship 7"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, mistaken) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "note", "person_id": lead["id"], "text": "Asked about the Mercury capsule"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let kinds_of = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, by_name) = get(&admin, "/api/v1/search?q=kath").await;
    assert_eq!(kinds_of(&by_name), ["lead"]);
    assert_eq!(by_name["items"][0]["id"], lead["id"]);
    let (_, by_email) = get(&admin, "/api/v1/search?q=K.Johnson@NASA.example").await;
    assert_eq!(by_email["items"][0]["id"], lead["id"], "{by_email}");
    let (_, by_note) = get(&admin, "/api/v1/search?q=trajectory").await;
    assert_eq!(kinds_of(&by_note), ["activity"]);
    assert_eq!(by_note["items"][0]["person_id"], lead["id"]);
    let (_, by_account) = get(&admin, "/api/v1/search?q=langley").await;
    assert_eq!(kinds_of(&by_account), ["account"]);
    let (_, both) = get(&admin, "/api/v1/search?q=nasa").await;
    assert_eq!(both["items"].as_array().unwrap().len(), 2);
    // A note deleted as logged by mistake is no longer found, nor is its correction.
    let (_, found) = get(&admin, "/api/v1/search?q=mercury").await;
    assert_eq!(kinds_of(&found), ["activity"]);
    let (status, _) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "note", "person_id": lead["id"], "corrects_id": mistaken["id"],
               "text": "Asked about the Mercury capsule hatch"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post(
        &admin,
        &format!("/api/v1/activities/{}/retract", mistaken["id"].as_str().unwrap()),
        json!({"reason": "wrong lead"}),
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (_, gone) = get(&admin, "/api/v1/search?q=mercury").await;
    assert_eq!(kinds_of(&gone), Vec::<String>::new(), "{gone}");
    let (_, kept) = get(&admin, "/api/v1/search?q=trajectory").await;
    assert_eq!(kinds_of(&kept), ["activity"]);
    let (_, none) = get(&admin, "/api/v1/search?q=%22%27--").await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}
