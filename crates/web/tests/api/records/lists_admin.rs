//! Admins edit the call dispositions and qualification frameworks through the API; bad lists are
//! refused naming the field, others are 403, and every change is audited.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{get, new_lead, patch, post};
use crate::app_with_admin;
use crate::put_json as put;

on_both_backends!(
    admins_replace_the_call_dispositions_and_reps_log_with_the_new_ones,
    admins_replace_frameworks_and_qualifying_follows_the_new_rule,
    bad_lists_are_422_naming_the_field_and_non_admins_are_403,
    the_lists_page_shows_and_saves_the_lists_and_keeps_a_bad_draft_with_its_error,
);

async fn admins_replace_the_call_dispositions_and_reps_log_with_the_new_ones(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (_, sdr) = app.api_client("sdr@example.com", "sdr").await;
    let body = json!({"items": [
        {"code": "connected", "label": "Connected", "counts_as_connect": true},
        {"code": "gatekeeper", "label": "Stopped by a gatekeeper"},
    ]});
    let (status, saved) = put(&admin, "/api/v1/dispositions", body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, list) = get(&sdr, "/api/v1/dispositions").await;
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["connected", "gatekeeper"]);
    assert_eq!(list["items"][1]["counts_as_connect"], false);

    let lead = new_lead(&sdr, json!({"last_name": "Lovelace", "email": "ada@acme.com"})).await;
    let id = lead["id"].as_str().unwrap();
    let (status, _) = post(
        &sdr,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": id, "disposition": "gatekeeper"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the new disposition is usable at once"
    );
    let (status, body) = post(
        &sdr,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": id, "disposition": "no_answer"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a removed one is refused"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("gatekeeper"),
        "{body}"
    );

    let (_, audit) = get(&admin, "/api/v1/audit?entity_type=call_dispositions").await;
    assert_eq!(audit["items"][0]["action"], "dispositions.replace", "{audit}");
}

async fn admins_replace_frameworks_and_qualifying_follows_the_new_rule(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let (_, before) = get(&admin, "/api/v1/qualification-frameworks").await;
    let mut items = before["items"].as_array().unwrap().clone();
    // Soft BANT now needs 3 of its 4 criteria.
    let bant = items.iter_mut().find(|f| f["code"] == "soft_bant").unwrap();
    bant["required"] = json!(3);
    let (status, saved) = put(
        &admin,
        "/api/v1/qualification-frameworks",
        json!({"items": items}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    let lead = new_lead(
        &admin,
        json!({"last_name": "Hopper", "email": "grace@navy.example", "status": "mql"}),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let (status, body) = post(
        &admin,
        &format!("/api/v1/leads/{id}/status"),
        json!({"status": "qualified", "answers": {"budget": true, "authority": true}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "2 of 4 is no longer enough: {body}"
    );

    // A framework in use cannot be removed.
    let (status, body) = post(
        &admin,
        &format!("/api/v1/leads/{id}/status"),
        json!({"status": "qualified", "answers": {"budget": true, "authority": true, "need": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let only_aift: Vec<Value> = items.into_iter().filter(|f| f["code"] != "soft_bant").collect();
    let (status, body) = put(
        &admin,
        "/api/v1/qualification-frameworks",
        json!({"items": only_aift}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("soft_bant"),
        "{body}"
    );

    let (_, audit) = get(&admin, "/api/v1/audit?entity_type=qualification_frameworks").await;
    assert_eq!(
        audit["items"].as_array().unwrap().len(),
        1,
        "only the saved change: {audit}"
    );
    assert_eq!(audit["items"][0]["action"], "frameworks.replace");
}

async fn bad_lists_are_422_naming_the_field_and_non_admins_are_403(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let cases = [
        (
            "/api/v1/dispositions",
            json!({"items": [{"code": "ok", "label": ""}]}),
            "dispositions[0].label",
        ),
        (
            "/api/v1/dispositions",
            json!({"items": [{"code": "ok", "label": "Fine"}, {"code": "ok", "label": "Again"}]}),
            "dispositions[1].code",
        ),
        ("/api/v1/dispositions", json!({"items": []}), "dispositions"),
        (
            "/api/v1/qualification-frameworks",
            json!({"items": [{"code": "meddic", "name": " ", "criteria": [{"code": "metrics", "label": "Metrics"}], "required": 1}]}),
            "frameworks[0].name",
        ),
        (
            "/api/v1/qualification-frameworks",
            json!({"items": [{"code": "meddic", "name": "MEDDIC", "criteria": [{"code": "metrics", "label": ""}], "required": 1}]}),
            "frameworks[0].criteria[0].label",
        ),
        (
            "/api/v1/qualification-frameworks",
            json!({"items": [{"code": "meddic", "name": "MEDDIC", "criteria": [{"code": "metrics", "label": "Metrics"}], "required": 2}]}),
            "frameworks[0].required",
        ),
    ];
    for (path, body, field) in cases {
        let (status, err) = put(&admin, path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
    }
    // Unknown keys are refused, naming the key.
    let (status, err) = put(
        &admin,
        "/api/v1/dispositions",
        json!({"items": [{"code": "ok", "label": "Fine", "colour": "red"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("colour"),
        "{err}"
    );

    let (_, lead) = app.api_client("lead@example.com", "team_lead").await;
    let (status, _) = put(
        &lead,
        "/api/v1/dispositions",
        json!({"items": [{"code": "ok", "label": "Fine"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = get(&admin, "/api/v1/dispositions").await;
    assert!(list["items"].as_array().unwrap().len() > 1, "nothing was written");
    let (_, audit) = get(&admin, "/api/v1/audit?entity_type=call_dispositions").await;
    assert!(audit["items"].as_array().unwrap().is_empty(), "{audit}");
    let _ = patch;
}

async fn the_lists_page_shows_and_saves_the_lists_and_keeps_a_bad_draft_with_its_error(db: TestDb) {
    let app = prospector_testkit::TestApp::spawn(db).await;
    app.user("ada@example.com", "admin", None).await;
    app.user("sam@example.com", "sdr", None).await;
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = crate::form_login(
        &app,
        &client,
        "ada@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let page = client
        .get(app.url("/admin/lists"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Left voicemail") && page.contains("Soft BANT"),
        "{page}"
    );
    let csrf = crate::csrf_in(&page);

    let bad = r#"[{"code": "ok", "label": ""}]"#;
    let r = client
        .post(app.url("/admin/lists/dispositions"))
        .form(&[("csrf_token", csrf.as_str()), ("items", bad)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"dispositions-error\""), "{page}");
    assert!(
        page.contains("dispositions[0].label"),
        "the error names the field"
    );
    let unescaped = page.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(
        unescaped.contains(r#"[{"code": "ok", "label": ""}]"#),
        "the draft is kept"
    );

    let good = r#"[{"code": "connected", "label": "Connected", "counts_as_connect": true}, {"code": "gatekeeper", "label": "Gatekeeper"}]"#;
    let r = client
        .post(app.url("/admin/lists/dispositions"))
        .form(&[("csrf_token", csrf.as_str()), ("items", good)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "redirected back: {}", r.status());
    let page = r.text().await.unwrap();
    assert!(page.contains("Saved the call dispositions."), "{page}");
    assert!(page.contains("Gatekeeper") && !page.contains("Left voicemail"));

    let sdr = reqwest::Client::builder().cookie_store(true).build().unwrap();
    crate::form_login(&app, &sdr, "sam@example.com", prospector_testkit::TEST_PASSWORD).await;
    let r = sdr.get(app.url("/admin/lists")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
