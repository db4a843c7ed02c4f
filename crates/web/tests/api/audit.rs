//! The audit log: who, what, when, before/after and the request id; admins only.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use crate::app_with_admin;

on_both_backends!(
    every_write_is_audited_with_the_request_id,
    only_admins_read_the_audit_log,
    refused_writes_leave_no_audit_entry
);

async fn every_write_is_audited_with_the_request_id(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let sam = app.user("sam@example.com", "sdr", None).await;
    let r = admin
        .patch(
            &format!("/api/v1/users/{}", sam.id),
            &json!({"role": "team_lead"}),
        )
        .header("X-Request-Id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-request-id"], "req-42");

    let log: serde_json::Value = admin
        .get(&format!("/api/v1/audit?entity_type=user&entity_id={}", sam.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "user.update");
    assert_eq!(entries[0]["actor"], "admin@example.com");
    assert_eq!(entries[0]["via"], "token");
    assert_eq!(entries[0]["request_id"], "req-42");
    assert_eq!(entries[0]["before"]["role"], "sdr");
    assert_eq!(entries[0]["after"]["role"], "team_lead");
    assert_eq!(entries[1]["action"], "user.create");
    assert_eq!(entries[1]["via"], "cli");

    let page = reqwest::Client::new()
        .get(app.url("/admin/audit"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("user.update"));
}

async fn only_admins_read_the_audit_log(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, lead) = app.api_client("dana@example.com", "team_lead").await;
    assert_eq!(
        lead.get("/api/v1/audit").send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let page = reqwest::Client::new()
        .get(app.url("/admin/audit"))
        .bearer_auth(&lead.token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}

async fn refused_writes_leave_no_audit_entry(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (_, sdr) = app.api_client("sam@example.com", "sdr").await;
    let count = |admin: prospector_testkit::ApiClient| async move {
        let log: serde_json::Value = admin
            .get("/api/v1/audit?limit=500")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["items"].as_array().unwrap().len()
    };
    let before = count(admin.clone()).await;
    let _ = sdr
        .post(
            "/api/v1/users",
            &json!({"email": "x@example.com", "name": "X", "role": "sdr"}),
        )
        .send()
        .await
        .unwrap();
    let _ = admin
        .post(
            "/api/v1/users",
            &json!({"email": "bad", "name": "X", "role": "sdr"}),
        )
        .send()
        .await
        .unwrap();
    let _ = admin
        .post(
            "/api/v1/users",
            &json!({"email": "sam@example.com", "name": "X", "role": "sdr"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(count(admin).await, before);
}
