//! Offers: approval chain, email with a signed link, acceptance hires and closes the job.

use chrono::Duration;
use prospector_testkit::{ApiClient, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{apply, emails_to, import_ae, import_simple, move_to, recruiter};
use crate::error_of;

on_both_backends!(
    an_offer_goes_through_the_chain_and_accepting_through_the_signed_link_hires,
    tampered_and_expired_offer_links_are_refused,
);

/// A job with a hiring manager; returns (recruiter, manager client, admin/CEO client, job id).
async fn staffed_job(app: &TestApp, slug_title: &str, ae: bool) -> (ApiClient, ApiClient, ApiClient, String) {
    let (_, ceo) = app.api_client("ceo@example.com", "admin").await;
    let (manager, manager_client) = app.api_client("dana.lead@example.com", "team_lead").await;
    let recruiter = recruiter(app).await;
    let job_id = if ae {
        import_ae(app).await.0.id
    } else {
        import_simple(app, slug_title).await.id
    };
    let r = recruiter
        .patch(
            &format!("/api/v1/jobs/{job_id}"),
            &json!({"hiring_manager_id": manager.id.to_string()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (recruiter, manager_client, ceo, job_id.to_string())
}

fn link_path(email: &Value) -> String {
    let text = email["text"].as_str().unwrap();
    let start = text.find("/jobs/offers/").expect("offer link in the letter");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn an_offer_goes_through_the_chain_and_accepting_through_the_signed_link_hires(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (recruiter, manager, ceo, job_id) = staffed_job(&app, "", true).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let b = apply(&app, "account-executive", "Bob Smith", "bob@example.com").await;
    let id = a["application_id"].as_str().unwrap();

    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/offers"),
            &json!({"pay": "USD 90,000 a year + commission", "start_date": "2026-04-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let offer: Value = r.json().await.unwrap();
    let offer_id = offer["id"].as_str().unwrap();
    assert_eq!(offer["status"], "draft");
    assert_eq!(offer["chain"].as_array().unwrap().len(), 2);
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["stage"], "offer",
        "drafting an offer moves the candidate to the Offer stage"
    );

    let post = |client: &ApiClient, action: &str| {
        client
            .post(&format!("/api/v1/offers/{offer_id}/{action}"), &json!({}))
            .send()
    };
    let r = post(&recruiter, "send").await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "not approved yet");
    assert_eq!(post(&recruiter, "submit").await.unwrap().status(), StatusCode::OK);
    let r = post(&ceo, "approve").await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "the hiring manager approves first"
    );
    assert_eq!(error_of(r).await["code"], "not_your_turn");
    assert_eq!(post(&manager, "approve").await.unwrap().status(), StatusCode::OK);
    let r = post(&ceo, "approve").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "approved");

    let r = post(&recruiter, "send").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let letters: Vec<Value> = emails_to(&app, "ada@example.com")
        .await
        .into_iter()
        .filter(|m| m["subject"] == "Your offer for the Account Executive role")
        .collect();
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0]["text"]
            .as_str()
            .unwrap()
            .contains("USD 90,000 a year + commission")
    );
    let path = link_path(&letters[0]);

    let anonymous = reqwest::Client::new();
    let page = anonymous.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Accept the offer"));
    let r = anonymous
        .post(app.url(&format!("{path}/accept")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = anonymous
        .post(app.url(&format!("{path}/accept")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "answered once");

    let job: Value = recruiter
        .get(&format!("/api/v1/jobs/{job_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(job["status"], "closed", "the hire closes the opening");
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "hired");
    assert_eq!(view["stage"], "hired");
    let r = move_to(
        &recruiter,
        b["application_id"].as_str().unwrap(),
        "screening_call",
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(r).await["code"], "job_closed");
    // The others can still be told the position was filled.
    let r = recruiter
        .post(
            &format!(
                "/api/v1/applications/{}/decline",
                b["application_id"].as_str().unwrap()
            ),
            &json!({"reason": "position_filled", "template": "position_filled"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let public = anonymous
        .get(app.url("/jobs/account-executive"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        public.status(),
        StatusCode::NOT_FOUND,
        "closed jobs leave the careers page"
    );
}

async fn tampered_and_expired_offer_links_are_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (recruiter, manager, ceo, _) = staffed_job(&app, "Sales Development Representative", false).await;
    let a = apply(
        &app,
        "sales-development-representative",
        "Ada Lovelace",
        "ada@example.com",
    )
    .await;
    let id = a["application_id"].as_str().unwrap();
    let offer: Value = recruiter
        .post(
            &format!("/api/v1/applications/{id}/offers"),
            &json!({"pay": "EUR 50,000", "start_date": "2026-05-01"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer_id = offer["id"].as_str().unwrap();
    for (client, action) in [(&recruiter, "submit"), (&manager, "approve"), (&ceo, "approve")] {
        let r = client
            .post(&format!("/api/v1/offers/{offer_id}/{action}"), &json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{action}");
    }
    let r = recruiter
        .post(
            &format!("/api/v1/offers/{offer_id}/send"),
            &json!({"valid_days": 3}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let letter = emails_to(&app, "ada@example.com")
        .await
        .into_iter()
        .find(|m| m["subject"].as_str().unwrap().starts_with("Your offer"))
        .unwrap();
    let path = link_path(&letter);
    let anonymous = reqwest::Client::new();

    // Change one character of the payload.
    let mut tampered: Vec<char> = path.chars().collect();
    let at = "/jobs/offers/v1.".len() + 2;
    tampered[at] = if tampered[at] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let r = anonymous.get(app.url(&tampered)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = anonymous
        .post(app.url(&format!("{tampered}/accept")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = anonymous
        .get(app.url("/jobs/offers/garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    app.clock.advance(Duration::days(4));
    let r = anonymous.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("expired"));
    let r = anonymous
        .post(app.url(&format!("{path}/accept")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
