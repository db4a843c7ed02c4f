//! The HTTP API and pages of the foundation, on SQLite and PostgreSQL, over real connections.

// Test helpers outside #[test] functions unwrap freely: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod audit;
mod auth;
mod dashboards;
mod email_template_pages;
mod handbook;
mod handbook_places;
mod hiring;
mod http;
mod import;
mod import_housekeeping;
mod import_pages;
mod import_plan_mapping;
mod import_plan_pages;
mod inbound;
mod inbound_burst;
mod inbound_setup;
mod mail;
mod mailbox_send_health;
mod records;
mod records_pages;
mod sequence_tasks_opens;
mod sequences;
mod sequences_pages;
mod stories;
mod tasks_pages;
mod today_follows_people;
mod tokens;
mod users;

use prospector_testkit::{TestApp, TestDb};
use serde_json::Value;

/// Spawns the app with an admin and returns it with an admin API client.
pub async fn app_with_admin(db: TestDb) -> (TestApp, prospector_testkit::ApiClient) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = app.api_client("admin@example.com", "admin").await;
    (app, admin)
}

/// The `error` object of a JSON error response.
pub async fn error_of(response: reqwest::Response) -> Value {
    let body: Value = response.json().await.expect("JSON error body");
    body["error"].clone()
}

/// The visible text of a page or fragment — tags removed, whitespace collapsed, the entities our
/// templates escape decoded — for asserting what a person reads.
pub fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The hidden CSRF token in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

/// Logs a browser-like client in through the login form; returns the response.
pub async fn form_login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&page);
    client
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", csrf.as_str()),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap()
}

/// Asserts the dashboard rollups in `store` hold exactly what a recount from the records gives
/// (the recount is committed, so a later check sees it too).
pub async fn assert_rollups_match_a_recount(store: &prospector_store::Store, what: &str) {
    let incremental = prospector_store::dashboards::rollups::snapshot(&mut store.reader())
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    prospector_store::dashboards::rollups::rebuild(&mut tx)
        .await
        .unwrap();
    let recount = prospector_store::dashboards::rollups::snapshot(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(incremental, recount, "{what}'s rollups differ from a recount");
}

/// Posts `body` as JSON to the public form `form` with `http` (no auth: the endpoint is public);
/// the status and the JSON answer (null when there is none).
pub async fn post_form(
    http: &reqwest::Client,
    app: &TestApp,
    form: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let r = http
        .post(app.url(&format!("/inbound/forms/{form}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `PUT path` with a JSON body as `client`: the status and the JSON answer (null when none).
pub async fn put_json(
    client: &prospector_testkit::ApiClient,
    path: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let r = client.put(path, &body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}
