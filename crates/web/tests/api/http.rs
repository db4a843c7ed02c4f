//! Health, metrics, OpenAPI, request ids and the error shape for bad requests.

use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{app_with_admin, error_of};

on_both_backends!(
    healthz_answers_ok_and_503_when_the_database_is_gone,
    metrics_count_requests_by_route_and_status,
    malformed_json_is_400_with_the_parser_position,
    a_nul_character_anywhere_is_422_naming_the_field_and_nothing_is_written,
    bodies_over_the_limit_are_413,
    unknown_api_routes_are_json_404s,
);

async fn healthz_answers_ok_and_503_when_the_database_is_gone(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ok");
    app.store.close().await;
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

async fn metrics_count_requests_by_route_and_status(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    assert_eq!(
        admin.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total")
                && l.contains("route=\"/api/v1/me\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no request counter for /api/v1/me in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0);
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "latency histogram"
    );
    assert!(text.contains("db_pool_connections"), "pool gauge");
    assert!(
        text.lines().any(|l| l == "inbound_captures_waiting 0"),
        "capture queue gauge: {text}"
    );
}

/// PostgreSQL cannot store U+0000: a NUL in a JSON body, a form or a query string is refused
/// before it reaches a write, with the field it is in, on both backends alike.
async fn a_nul_character_anywhere_is_422_naming_the_field_and_nothing_is_written(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let r = admin
        .request(reqwest::Method::POST, "/api/v1/leads")
        .json(
            &serde_json::json!({"last_name": "Null\u{0}Byte", "email": "nul@acme.com",
                                  "custom_fields": {"notes": ["fine", "not\u{0}fine"]}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(r).await;
    assert_eq!(error["code"], "nul_character", "{error}");
    assert_eq!(error["field"], "custom_fields.notes.1", "{error}");
    let r = admin.get("/api/v1/search?q=a%00b").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["field"], "q");
    let (_, leads) = crate::records::get(&admin, "/api/v1/leads").await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 0, "{leads}");
}

async fn malformed_json_is_400_with_the_parser_position(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let r = admin
        .request(reqwest::Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body("{\"email\": \"a@example.com\",\n \"name\": }")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let error = error_of(r).await;
    assert_eq!(error["code"], "malformed_json");
    assert!(
        error["message"].as_str().unwrap().contains("line 2 column"),
        "{error}"
    );

    let r = admin
        .request(reqwest::Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body(r#"{"email": "a@example.com", "role": "sdr"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["field"], "name");
}

async fn bodies_over_the_limit_are_413(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let huge = format!(
        r#"{{"email":"a@example.com","name":"{}","role":"sdr"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let r = admin
        .request(reqwest::Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(r).await["code"], "payload_too_large");
}

async fn unknown_api_routes_are_json_404s(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = admin.get("/api/v1/nope").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(r).await["code"], "not_found");
    let r = admin
        .request(reqwest::Method::PUT, "/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(r).await["code"], "method_not_allowed");
    let r = reqwest::get(app.url("/definitely-not-a-page")).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/teams",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/audit",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn assets_are_embedded_and_cacheable() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let css = reqwest::get(app.url("/assets/app.css")).await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(css.text().await.unwrap().contains(":focus-visible"));
}
