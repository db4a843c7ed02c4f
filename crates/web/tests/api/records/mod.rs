//! The records API on both backends: leads, contacts, accounts, opportunities, activities,
//! tasks, lifecycle, conversion, duplicates and merges, permissions, search.

mod follow_ups;
mod lifecycle;
mod lists_admin;
mod merge;
mod people;
mod permissions;
mod search;
mod timeline;

use prospector_testkit::{ApiClient, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// POSTs `body` to `path` and returns the status and JSON body.
pub async fn post(client: &ApiClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client.post(path, &body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// GETs `path`.
pub async fn get(client: &ApiClient, path: &str) -> (StatusCode, Value) {
    let r = client.get(path).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// PATCHes `path`.
pub async fn patch(client: &ApiClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client.patch(path, &body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Creates a lead and returns it, asserting 201.
pub async fn new_lead(client: &ApiClient, body: Value) -> Value {
    let (status, lead) = post(client, "/api/v1/leads", body).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    lead
}

/// A user of `role` in `team` with an API client.
pub async fn member(
    app: &TestApp,
    admin: &ApiClient,
    email: &str,
    role: &str,
    team: &str,
) -> (String, ApiClient) {
    let (user, client) = app.api_client(email, role).await;
    let (status, _) = patch(
        admin,
        &format!("/api/v1/users/{}", user.id),
        json!({"team": team}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    (user.id.to_string(), client)
}

/// Moves a lead to `status` (asserting 200).
pub async fn move_to(client: &ApiClient, id: &str, body: Value) -> Value {
    let (status, lead) = post(client, &format!("/api/v1/leads/{id}/status"), body).await;
    assert_eq!(status, StatusCode::OK, "{lead}");
    lead
}
