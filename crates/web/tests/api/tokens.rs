//! `/api/v1/tokens`: shown once, hashed at rest, revocable, last use recorded.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use crate::{app_with_admin, error_of};

on_both_backends!(
    a_token_is_shown_once_and_works_until_revoked,
    tokens_are_stored_only_as_hashes,
    users_cannot_revoke_or_make_tokens_for_others,
    missing_or_garbage_tokens_are_401,
);

async fn a_token_is_shown_once_and_works_until_revoked(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    let created = sam
        .post("/api/v1/tokens", &json!({"name": "zapier"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: serde_json::Value = created.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(created["token"]["prefix"].as_str().unwrap()));

    let http = reqwest::Client::new();
    let me = http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let list: serde_json::Value = sam
        .get("/api/v1/tokens")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(listed.get("secret").is_none(), "the secret is never listed");
    assert!(listed["last_used_at"].is_string(), "use was recorded");

    let revoked = sam.delete(&format!("/api/v1/tokens/{id}")).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert!(after.headers().contains_key("www-authenticate"));
    let twice = sam.delete(&format!("/api/v1/tokens/{id}")).send().await.unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
}

async fn tokens_are_stored_only_as_hashes(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let created: serde_json::Value = admin
        .post("/api/v1/tokens", &json!({"name": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap();
    let mut reader = app.store.reader();
    let rows = prospector_store::Exec::fetch_all(
        &mut reader,
        prospector_store::query("SELECT token_hash FROM api_tokens"),
    )
    .await
    .unwrap();
    let hashes: Vec<String> = rows.iter().map(|r| r.get("token_hash").unwrap()).collect();
    assert!(!hashes.is_empty());
    assert!(
        hashes
            .iter()
            .all(|h| h.len() == 64 && !h.contains(secret) && !secret.contains(h.as_str()))
    );
}

async fn users_cannot_revoke_or_make_tokens_for_others(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    let admin_token: serde_json::Value = admin
        .post("/api/v1/tokens", &json!({"name": "ops"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = admin_token["token"]["id"].as_str().unwrap();
    let r = sam.delete(&format!("/api/v1/tokens/{id}")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "someone else's token is not even confirmed to exist"
    );
    let r = sam
        .post(
            "/api/v1/tokens",
            &json!({"name": "x", "email": "admin@example.com"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sam.get("/api/v1/tokens?all=true").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Admins may.
    let r = admin
        .post(
            "/api/v1/tokens",
            &json!({"name": "for sam", "email": "sam@example.com"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn missing_or_garbage_tokens_are_401(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let http = reqwest::Client::new();
    let none = http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(none).await["code"], "unauthenticated");
    let garbage = http
        .get(app.url("/api/v1/me"))
        .bearer_auth("pt_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
}
