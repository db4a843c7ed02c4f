//! `/api/v1/users`, `/api/v1/me`, `/api/v1/teams`.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use crate::{app_with_admin, error_of};

on_both_backends!(
    admins_add_users_who_can_then_use_the_api,
    unknown_role_is_422_naming_the_field_and_allowed_values,
    invalid_email_is_422_and_duplicate_email_is_409,
    non_admins_cannot_add_users_and_nothing_is_written,
    stale_updates_are_refused_with_409,
    users_page_through_with_a_keyset_cursor,
);

async fn admins_add_users_who_can_then_use_the_api(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = admin
        .post(
            "/api/v1/users",
            &json!({"email": " Priya.Nair@Example.com ", "name": "Priya Nair", "role": "sdr", "team": "West", "password": "long enough"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let user: serde_json::Value = r.json().await.unwrap();
    assert_eq!(user["email"], "priya.nair@example.com");
    assert_eq!(user["role"], "sdr");
    assert_eq!(user["version"], 1);

    let teams: serde_json::Value = admin
        .get("/api/v1/teams")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(teams["items"][0]["name"], "West");
    assert_eq!(user["team_id"], teams["items"][0]["id"]);

    let token = app.token_for("priya.nair@example.com").await;
    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], user["id"]);
}

async fn unknown_role_is_422_naming_the_field_and_allowed_values(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let r = admin
        .post(
            "/api/v1/users",
            &json!({"email": "a@example.com", "name": "A", "role": "king"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(r).await;
    assert_eq!(error["field"], "role");
    assert_eq!(error["code"], "unknown_value");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("admin, team_lead, sdr, ae, marketing, recruiter, interviewer")
    );
}

async fn invalid_email_is_422_and_duplicate_email_is_409(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let r = admin
        .post(
            "/api/v1/users",
            &json!({"email": "not-an-email", "name": "A", "role": "sdr"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["field"], "email");

    let r = admin
        .post(
            "/api/v1/users",
            &json!({"email": "ADMIN@example.com", "name": "Again", "role": "sdr"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let error = error_of(r).await;
    assert_eq!(error["code"], "email_taken");
    assert_eq!(error["field"], "email");

    let r = admin
        .post(
            "/api/v1/users",
            &json!({"email": "b@example.com", "name": "B", "role": "sdr", "password": "short"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["field"], "password");
}

async fn non_admins_cannot_add_users_and_nothing_is_written(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (_, sdr) = app.api_client("sam@example.com", "sdr").await;
    let r = sdr
        .post(
            "/api/v1/users",
            &json!({"email": "x@example.com", "name": "X", "role": "admin"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(r).await["code"], "forbidden");
    let users: serde_json::Value = admin
        .get("/api/v1/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["admin@example.com", "sam@example.com"]);
}

async fn stale_updates_are_refused_with_409(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let sam = app.user("sam@example.com", "sdr", None).await;
    let path = format!("/api/v1/users/{}", sam.id);
    let first = admin
        .patch(&path, &json!({"name": "Sam Ortiz", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let updated: serde_json::Value = first.json().await.unwrap();
    assert_eq!(updated["version"], 2);

    let stale = admin
        .patch(&path, &json!({"name": "Someone Else"}))
        .header("If-Match", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(stale).await["code"], "stale_version");
    let now: serde_json::Value = admin.get(&path).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["name"], "Sam Ortiz");

    let missing = admin
        .get("/api/v1/users/0192f000-0000-7000-8000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let garbage = admin.get("/api/v1/users/garbage").send().await.unwrap();
    assert_eq!(garbage.status(), StatusCode::NOT_FOUND);
}

async fn users_page_through_with_a_keyset_cursor(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    for i in 0..5 {
        app.clock.advance(chrono::Duration::seconds(1));
        app.user(&format!("rep{i}@example.com"), "sdr", None).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/users?role=sdr&limit=2&after={a}"),
            None => "/api/v1/users?role=sdr&limit=2".to_owned(),
        };
        let page: serde_json::Value = admin.get(&path).send().await.unwrap().json().await.unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (0..5).map(|i| format!("rep{i}@example.com")).collect::<Vec<_>>()
    );
    let bad = admin.get("/api/v1/users?role=wizard").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
