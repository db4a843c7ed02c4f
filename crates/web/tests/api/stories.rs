//! Customer stories over HTTP: nominations notify marketing, the board moves, consent before
//! publishing, and SDRs see only their own nominations.

use base64::Engine;
use prospector_store::{Exec, query};
use prospector_testkit::{TEST_PASSWORD, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{app_with_admin, error_of, form_login};

on_both_backends!(
    the_board_moves_a_story_to_published_only_after_consent,
    sdrs_see_only_their_own_nominations,
    a_nomination_emails_marketing_in_the_outbox,
    the_board_page_shows_columns_and_who_nominates_most,
    consent_uploaded_on_the_board_lets_the_story_be_published,
);

fn nomination(kind: &str, account: &str) -> Value {
    json!({
        "story_type": kind, "switched_from": if kind == "switched_from" { Some("Jenkins") } else { None },
        "source_type": "account", "source_id": account, "account_name": account,
        "quote": "We shipped twice as often.", "summary": "Platform team lead on a call."
    })
}

async fn the_board_moves_a_story_to_published_only_after_consent(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    let (_, nora) = app.api_client("nora@example.com", "marketing").await;
    let r = sam
        .post("/api/v1/stories", &nomination("switched_from", "acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let story: Value = r.json().await.unwrap();
    assert_eq!(story["stage"], "suggested");
    assert_eq!(story["account_id"], "acme");
    let id = story["id"].as_str().unwrap().to_owned();
    let mv = |stage: &str| json!({"stage": stage});

    let r = sam
        .post(&format!("/api/v1/stories/{id}/move"), &mv("accepted"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "only marketing moves stories");
    for stage in ["accepted", "interviewed", "drafted"] {
        let r = nora
            .post(&format!("/api/v1/stories/{id}/move"), &mv(stage))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{stage}");
    }
    let r = nora
        .post(
            &format!("/api/v1/stories/{id}/move"),
            &json!({"stage": "published", "url": "https://example.com/acme"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["code"], "consent_required");
    let r = nora
        .post(&format!("/api/v1/stories/{id}/move"), &mv("customer_approved"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let file = b"%PDF-1.4 signed consent".to_vec();
    let r = nora
        .post(
            &format!("/api/v1/stories/{id}/consent"),
            &json!({"given_by": "Pat Jones, VP Engineering", "file_name": "consent.pdf", "content_type": "application/pdf",
                    "file_base64": base64::engine::general_purpose::STANDARD.encode(&file)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let story: Value = r.json().await.unwrap();
    assert_eq!(story["consent"]["given_by"], "Pat Jones, VP Engineering");
    assert_eq!(story["consent"]["file_name"], "consent.pdf");
    let download = nora
        .get(&format!("/api/v1/stories/{id}/consent/file"))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().to_vec(), file);

    let r = nora
        .post(&format!("/api/v1/stories/{id}/move"), &mv("customer_approved"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = nora
        .post(&format!("/api/v1/stories/{id}/move"), &mv("published"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await["code"], "url_required");
    let r = nora
        .post(
            &format!("/api/v1/stories/{id}/move"),
            &json!({"stage": "published", "url": "https://example.com/acme"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let story: Value = r.json().await.unwrap();
    assert_eq!(
        (story["stage"].as_str(), story["published_url"].as_str()),
        (Some("published"), Some("https://example.com/acme"))
    );

    // Dropping needs a reason.
    let other: Value = sam
        .post("/api/v1/stories", &nomination("why_chose_us", "globex"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = other["id"].as_str().unwrap();
    let r = nora
        .post(&format!("/api/v1/stories/{other}/move"), &mv("dropped"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await["code"], "reason_required");
    let r = nora
        .post(
            &format!("/api/v1/stories/{other}/move"),
            &json!({"stage": "dropped", "reason": "customer declined"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The account page's stories.
    let acme: Value = nora
        .get("/api/v1/stories?account_id=acme")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(acme["items"].as_array().unwrap().len(), 1);
}

async fn sdrs_see_only_their_own_nominations(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    let (_, priya) = app.api_client("priya@example.com", "sdr").await;
    let (_, nora) = app.api_client("nora@example.com", "marketing").await;
    let mine: Value = sam
        .post("/api/v1/stories", &nomination("how_they_use_it", "acme"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    priya
        .post("/api/v1/stories", &nomination("innersourcing", "globex"))
        .send()
        .await
        .unwrap();
    priya
        .post("/api/v1/stories", &nomination("contributor", "initech"))
        .send()
        .await
        .unwrap();

    let sams: Value = sam
        .get("/api/v1/stories")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = sams["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], mine["id"]);
    let all: Value = nora
        .get("/api/v1/stories")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let priyas_id = all["items"][0]["id"].as_str().unwrap();
    let r = sam
        .get(&format!("/api/v1/stories/{priyas_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let top: Value = nora
        .get("/api/v1/stories/nominators")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(top[0]["nominations"], 2);
    assert_eq!(top[0]["name"], "Test sdr");

    let r = sam
        .post(
            "/api/v1/stories",
            &json!({"story_type": "switched_from", "source_type": "account", "source_id": "x",
                                          "quote": "q", "summary": "s"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(r).await["field"], "switched_from");
}

async fn a_nomination_emails_marketing_in_the_outbox(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    app.user("nora@example.com", "marketing", None).await;
    app.user("mo@example.com", "marketing", None).await;
    let story: Value = sam
        .post("/api/v1/stories", &nomination("why_chose_us", "acme"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = app
        .store
        .reader()
        .fetch_all(query("SELECT payload FROM outbox WHERE kind = 'email.send'"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let payload: Value = rows[0].get("payload").unwrap();
    let to: Vec<&str> = payload["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(to.len(), 2);
    assert!(to.contains(&"nora@example.com") && to.contains(&"mo@example.com"));
    assert!(payload["subject"].as_str().unwrap().contains("Why they chose us"));
    assert_eq!(payload["about"][1], story["id"]);
}

async fn the_board_page_shows_columns_and_who_nominates_most(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    app.user("nora@example.com", "marketing", None).await;
    sam.post("/api/v1/stories", &nomination("why_chose_us", "acme"))
        .send()
        .await
        .unwrap();
    let browser = app.browser();
    form_login(&app, &browser, "nora@example.com", TEST_PASSWORD).await;
    let html = browser
        .get(app.url("/stories"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-stage=\"customer_approved\""));
    assert!(html.contains("We shipped twice as often."));
    assert!(
        html.contains("action=\"/stories/") && html.contains("/move\""),
        "marketing gets move forms"
    );
    assert!(html.contains("Who nominates most"));
    // A move through the form without JavaScript; publishing without consent is refused with 422.
    let id = html
        .split("<article class=\"story-card card\" id=\"story-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csrf = crate::csrf_in(&html);
    let r = browser
        .post(app.url(&format!("/stories/{id}/move")))
        .form(&[
            ("stage", "published"),
            ("url", "https://example.com/x"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = browser
        .post(app.url(&format!("/stories/{id}/move")))
        .form(&[("stage", "accepted"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn consent_uploaded_on_the_board_lets_the_story_be_published(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    app.user("nora@example.com", "marketing", None).await;
    let r = sam
        .post("/api/v1/stories", &nomination("why_chose_us", "acme"))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = app.browser();
    form_login(&app, &browser, "nora@example.com", TEST_PASSWORD).await;
    let board = |b: reqwest::Client| {
        let url = app.url("/stories");
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = board(browser.clone()).await;
    let csrf = crate::csrf_in(&html);
    assert!(
        html.contains(&format!(r#"id="consent-{id}""#)),
        "a consent form on the card"
    );
    assert!(html.contains(r#"enctype="multipart/form-data""#));
    let publish = |b: reqwest::Client, csrf: String| {
        let url = app.url(&format!("/stories/{id}/move"));
        async move {
            b.post(url)
                .form(&[
                    ("stage", "published"),
                    ("url", "https://example.com/acme"),
                    ("csrf_token", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = publish(browser.clone(), csrf.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("consent (who, when and the signed file) first")
    );

    // Without the token the upload is refused; with it the consent is recorded.
    let form = || {
        reqwest::multipart::Form::new()
            .text("given_by", "Pat Jones, VP Engineering")
            .text("given_at", "2026-03-02")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 signed".to_vec())
                    .file_name("consent.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            )
    };
    let url = app.url(&format!("/stories/{id}/consent"));
    let r = browser.post(&url).multipart(form()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = browser
        .post(format!("{url}?csrf_token={csrf}"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = board(browser.clone()).await;
    assert!(html.contains("Consent: Pat Jones, VP Engineering, 2026-03-02"));
    let file = browser.get(&url).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 signed");

    // A file over the limit is refused with the page, not stored.
    let big = reqwest::multipart::Form::new().text("given_by", "Someone").part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'x'; 6 * 1024 * 1024]).file_name("big.pdf"),
    );
    let r = browser
        .post(format!("{url}?csrf_token={csrf}"))
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at most 5 MB"));

    let r = publish(browser.clone(), csrf.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let story: Value = app
        .api_client("nora2@example.com", "marketing")
        .await
        .1
        .get(&format!("/api/v1/stories/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(story["stage"], "published");
    assert_eq!(story["consent"]["file_name"], "consent.pdf");
}
