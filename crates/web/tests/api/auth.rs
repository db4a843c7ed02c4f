//! Logging in and out, throttling and CSRF.

use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{csrf_in, error_of, form_login};

on_both_backends!(
    login_sets_an_http_only_session_cookie_and_logout_ends_it,
    wrong_password_and_unknown_account_get_the_same_401,
    repeated_failures_lock_the_account_with_retry_after,
    forms_without_the_csrf_token_are_refused,
    deactivated_users_lose_their_sessions,
    sessions_expire_after_their_lifetime,
);

async fn login_sets_an_http_only_session_cookie_and_logout_ends_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.user("dana@example.com", "team_lead", Some("West")).await;
    let client = app.browser();

    let response = form_login(&app, &client, "dana@example.com", TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/admin");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("prospector_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "not configured for TLS: {cookie}");

    let me: serde_json::Value = client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "dana@example.com");
    assert_eq!(me["role"], "team_lead");

    let today = client.get(app.url("/today")).send().await.unwrap();
    assert_eq!(today.status(), StatusCode::OK);
    let html = today.text().await.unwrap();
    for section in [
        "Today",
        "Leads",
        "Accounts",
        "Sequences",
        "Inbound",
        "Dashboards",
        "Handbook",
        "Stories",
        "Hiring",
    ] {
        assert!(html.contains(&format!(">{section}</a>")), "nav lacks {section}");
    }
    assert!(!html.contains(">Admin</a>"), "a team lead does not see Admin");

    let csrf = csrf_in(&html);
    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let page = client.get(app.url("/today")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/login?next=/today");
}

async fn wrong_password_and_unknown_account_get_the_same_401(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.user("sam@example.com", "sdr", None).await;
    let wrong = form_login(&app, &app.browser(), "sam@example.com", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong_html = wrong.text().await.unwrap();
    let unknown = form_login(&app, &app.browser(), "nobody@example.com", "not the password").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown_html = unknown.text().await.unwrap();
    assert!(wrong_html.contains("email or password is wrong"));
    assert!(unknown_html.contains("email or password is wrong"));
}

async fn repeated_failures_lock_the_account_with_retry_after(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.user("sam@example.com", "sdr", None).await;
    let client = app.browser();
    for _ in 0..5 {
        let r = form_login(&app, &client, "sam@example.com", "guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password.
    let locked = form_login(&app, &client, "sam@example.com", TEST_PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");

    // The lock lifts when its time has passed.
    app.clock.advance(chrono::Duration::minutes(16));
    let ok = form_login(&app, &client, "sam@example.com", TEST_PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

async fn forms_without_the_csrf_token_are_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.user("sam@example.com", "sdr", None).await;
    let client = app.browser();
    // The login form itself is protected.
    let _ = client.get(app.url("/login")).send().await.unwrap();
    let forged = client
        .post(app.url("/login"))
        .form(&[
            ("email", "sam@example.com"),
            ("password", TEST_PASSWORD),
            ("csrf_token", "forged-token-forged-token-forged-token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(forged).await["code"], "csrf_failed");

    // A logged-in browser cannot be made to post a form without the token.
    assert_eq!(
        form_login(&app, &client, "sam@example.com", TEST_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let forged = client
        .post(app.url("/settings/tokens"))
        .form(&[("name", "evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let json = client
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "evil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json.status(),
        StatusCode::FORBIDDEN,
        "cookie-authenticated JSON needs X-CSRF-Token too"
    );
    let tokens: serde_json::Value = client
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        tokens["items"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );
}

async fn deactivated_users_lose_their_sessions(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = app.api_client("admin@example.com", "admin").await;
    let sam = app.user("sam@example.com", "sdr", None).await;
    let client = app.browser();
    assert_eq!(
        form_login(&app, &client, "sam@example.com", TEST_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        client.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::OK
    );

    let r = admin
        .patch(
            &format!("/api/v1/users/{}", sam.id),
            &serde_json::json!({"active": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        client.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let again = form_login(&app, &app.browser(), "sam@example.com", TEST_PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}

async fn sessions_expire_after_their_lifetime(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.user("sam@example.com", "sdr", None).await;
    let client = app.browser();
    assert_eq!(
        form_login(&app, &client, "sam@example.com", TEST_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(chrono::Duration::days(13));
    assert_eq!(
        client.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::OK,
        "use slides the expiry"
    );
    app.clock.advance(chrono::Duration::days(13));
    assert_eq!(
        client.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::days(15));
    assert_eq!(
        client.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
