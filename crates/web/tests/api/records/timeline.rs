//! Activities: logged, corrected, never edited; timelines newest first; tasks.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, new_lead, patch, post};
use crate::app_with_admin;

on_both_backends!(
    activities_are_append_only_with_corrections,
    tasks_are_created_and_done
);

async fn activities_are_append_only_with_corrections(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let lead = new_lead(&admin, json!({"last_name": "Call", "email": "call@acme.com"})).await;
    let id = lead["id"].as_str().unwrap();
    let (status, call) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": id, "disposition": "connected", "duration_seconds": 300, "notes": "good talk"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(call["is_connect"], true);
    app.clock.advance(chrono::Duration::minutes(5));
    let (status, _) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "linkedin", "person_id": id, "notes": "InMail"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    app.clock.advance(chrono::Duration::minutes(5));
    let (status, fix) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "call", "corrects_id": call["id"], "disposition": "left_voicemail", "duration_seconds": 30}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fix}");
    assert_eq!(fix["corrects_id"], call["id"]);
    assert_eq!(
        fix["person_id"], lead["id"],
        "a correction belongs where the original is"
    );
    assert_eq!(fix["is_connect"], false);

    let (status, body) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "note", "corrects_id": call["id"], "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "kind_mismatch");
    let (status, body) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": id, "disposition": "busy"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "disposition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("connected, left_voicemail")
    );
    let (status, body) = post(
        &admin,
        "/api/v1/activities",
        json!({"kind": "status_change", "person_id": id}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let path = format!("/api/v1/activities/{}", call["id"].as_str().unwrap());
    let (status, body) = patch(&admin, &path, json!({"notes": "rewritten"})).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "append_only");
    let r = admin.delete(&path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);

    let (_, timeline) = get(&admin, &format!("/api/v1/leads/{id}/timeline?limit=2")).await;
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["call", "linkedin"], "newest first");
    assert_eq!(timeline["items"][0]["id"], fix["id"]);
    let before = timeline["next_before"].as_str().unwrap();
    let (_, older) = get(
        &admin,
        &format!("/api/v1/leads/{id}/timeline?limit=2&before={before}"),
    )
    .await;
    assert_eq!(older["items"][0]["id"], call["id"]);
    assert_eq!(older["items"].as_array().unwrap().len(), 1);
}

async fn tasks_are_created_and_done(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (_, sdr) = app.api_client("sam@example.com", "sdr").await;
    let lead = new_lead(&sdr, json!({"last_name": "Task", "email": "task@acme.com"})).await;
    let (status, task) = post(
        &sdr,
        "/api/v1/tasks",
        json!({"title": "Call back", "due_at": "2026-03-03T10:00:00Z", "priority": "high", "person_id": lead["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    assert_eq!(task["status"], "open");
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let (status, done) = patch(&sdr, &path, json!({"status": "done", "version": 1})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["completed_at"].is_string());
    let (status, body) = patch(&sdr, &path, json!({"status": "cancelled"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, list) = get(&sdr, "/api/v1/tasks?owner=me").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, body) = post(&sdr, "/api/v1/tasks", json!({"title": "No due"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "due_at");
    let (_, other) = app.api_client("tess@example.com", "sdr").await;
    assert_eq!(get(&other, &path).await.0, StatusCode::NOT_FOUND);
    let (_, _) = (admin, ());
}
