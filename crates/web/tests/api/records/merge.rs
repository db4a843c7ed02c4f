//! Duplicates on entry, merges and undo.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, new_lead, post};
use crate::app_with_admin;

on_both_backends!(
    creating_someone_who_exists_is_409_with_the_match,
    duplicates_can_be_merged_on_entry,
    merging_keeps_every_activity_and_can_be_undone,
);

async fn creating_someone_who_exists_is_409_with_the_match(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let first = new_lead(
        &admin,
        json!({"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@gmail.com"}),
    )
    .await;
    let (status, body) = post(
        &admin,
        "/api/v1/leads",
        json!({"first_name": "Jane", "last_name": "Doe", "email": "JaneDoe+crm@gmail.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "duplicate");
    assert_eq!(body["error"]["field"], "email");
    assert_eq!(body["matches"][0]["id"], first["id"]);
    assert!(body["matches"][0]["score"].as_f64().unwrap() > 0.9);

    // Same phone, different email.
    let by_phone = new_lead(&admin, json!({"last_name": "Roe", "phone": "+1 415 555 2671"})).await;
    let (status, body) = post(
        &admin,
        "/api/v1/leads",
        json!({"last_name": "Roe", "phone": "(415) 555-2671", "country": "US"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["field"], "phone");
    assert_eq!(body["matches"][0]["id"], by_phone["id"]);

    // Someone else entirely is fine; and "create" adds anyway.
    new_lead(
        &admin,
        json!({"first_name": "John", "last_name": "Smith", "email": "john@smith.example"}),
    )
    .await;
    let (status, _) = post(
        &admin,
        "/api/v1/leads",
        json!({"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@gmail.com", "on_duplicate": "create"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn duplicates_can_be_merged_on_entry(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let first = new_lead(
        &admin,
        json!({"last_name": "Curie", "email": "marie@radium.example"}),
    )
    .await;
    let r = admin
        .post(
            "/api/v1/leads?merge=true",
            &json!({"first_name": "Marie", "last_name": "Curie", "email": "Marie@Radium.example", "title": "Physicist"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let merged: serde_json::Value = r.json().await.unwrap();
    assert_eq!(merged["id"], first["id"]);
    assert_eq!(merged["first_name"], "Marie");
    assert_eq!(merged["title"], "Physicist");
    let (_, list) = get(&admin, "/api/v1/leads").await;
    assert_eq!(list["count"], 1);
}

async fn merging_keeps_every_activity_and_can_be_undone(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let keep = new_lead(
        &admin,
        json!({"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.example"}),
    )
    .await;
    let (status, lose) = post(
        &admin,
        "/api/v1/leads",
        json!({"first_name": "A.", "last_name": "Turing", "phone": "+44 20 7946 0018", "on_duplicate": "create"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (k, l) = (keep["id"].as_str().unwrap(), lose["id"].as_str().unwrap());
    for (id, text) in [
        (k, "spoke about the enigma project"),
        (l, "left a voicemail"),
        (l, "sent the bombe paper"),
    ] {
        let (status, _) = post(
            &admin,
            "/api/v1/activities",
            json!({"kind": "note", "person_id": id, "text": text}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, merge) = post(
        &admin,
        "/api/v1/merges",
        json!({"kind": "person", "survivor_id": k, "loser_id": l}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{merge}");
    let (_, timeline) = get(&admin, &format!("/api/v1/leads/{k}/timeline")).await;
    let notes: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["detail"]["text"].as_str())
        .collect();
    assert!(
        notes.contains(&"left a voicemail") && notes.contains(&"sent the bombe paper"),
        "{notes:?}"
    );
    let (_, survivor) = get(&admin, &format!("/api/v1/leads/{k}")).await;
    assert_eq!(
        survivor["phone"], "+442079460018",
        "blank fields are filled from the loser"
    );
    let (status, _) = get(&admin, &format!("/api/v1/leads/{l}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = get(&admin, "/api/v1/leads").await;
    assert_eq!(list["count"], 1);
    let (_, audit) = get(&admin, "/api/v1/audit?action=person.merge").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);

    let merge_id = merge["id"].as_str().unwrap();
    let (status, undone) = post(&admin, &format!("/api/v1/merges/{merge_id}/undo"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{undone}");
    let (status, back) = get(&admin, &format!("/api/v1/leads/{l}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back["first_name"], "A.");
    let (_, lt) = get(&admin, &format!("/api/v1/leads/{l}/timeline")).await;
    assert_eq!(
        lt["items"].as_array().unwrap().len(),
        2,
        "the loser's activities come back"
    );
    let (_, kt) = get(&admin, &format!("/api/v1/leads/{k}/timeline")).await;
    let texts: Vec<&str> = kt["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["detail"]["text"].as_str())
        .collect();
    assert!(
        texts.contains(&"spoke about the enigma project") && !texts.contains(&"left a voicemail"),
        "{texts:?}"
    );
    let (_, survivor) = get(&admin, &format!("/api/v1/leads/{k}")).await;
    assert!(survivor["phone"].is_null());
    let (status, _) = post(&admin, &format!("/api/v1/merges/{merge_id}/undo"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "undo twice");
}
