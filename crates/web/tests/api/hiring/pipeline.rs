//! The board: forward moves, declines with a delayed (cancelable) email, withdrawals, tags.

use chrono::Duration;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{apply, emails, emails_to, import_ae, move_to, recruiter, worker};
use crate::error_of;

on_both_backends!(
    the_board_moves_forward_only,
    a_delayed_decline_email_can_be_cancelled_before_it_goes,
    a_decline_email_without_delay_is_queued_now_and_withdrawals_close_the_application,
);

async fn the_board_moves_forward_only(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (job, _) = import_ae(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let recruiter = recruiter(&app).await;

    let r = move_to(&recruiter, id, "screening_call").await;
    assert_eq!(r.status(), StatusCode::OK);
    let board: serde_json::Value = recruiter
        .get(&format!("/api/v1/jobs/{}/board", job.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let column = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["code"] == "screening_call")
        .unwrap();
    assert_eq!(column["applications"][0]["id"], id);

    let r = move_to(&recruiter, id, "questionnaire").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(r).await["code"], "stage_not_forward");
    let r = move_to(&recruiter, id, "no_such_stage").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let candidate = a["candidate_id"].as_str().unwrap();
    let r = recruiter
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/candidates/{candidate}/tags"),
        )
        .json(&json!({"tags": ["Talent pool", "German speaker", "talent pool"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tags: serde_json::Value = r.json().await.unwrap();
    assert_eq!(tags["tags"], json!(["german speaker", "talent pool"]));

    // Closing the job freezes the board.
    let r = recruiter
        .patch(&format!("/api/v1/jobs/{}", job.id), &json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = move_to(&recruiter, id, "offer").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(r).await["code"], "job_closed");
}

async fn a_delayed_decline_email_can_be_cancelled_before_it_goes(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/decline"),
            &json!({"reason": "not_enough_experience", "template": "standard", "delay_hours": 48}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "declined");
    assert_eq!(body["decline_reason"], "not_enough_experience");
    assert_eq!(body["decline_email_pending"], true);
    let queued: Vec<_> = emails(&app)
        .await
        .into_iter()
        .filter(|(p, _)| p["subject"] == "Your application for Account Executive")
        .collect();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].1, app.app.now() + Duration::hours(48));

    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/decline-email/cancel"),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.clock.advance(Duration::hours(49));
    worker(&app).run_once().await.unwrap();
    assert!(
        emails_to(&app, "ada@example.com")
            .await
            .iter()
            .all(|e| e["subject"] != "Your application for Account Executive"),
        "nothing is sent"
    );
    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/decline-email/cancel"),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = move_to(&recruiter, id, "offer").await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "a declined application does not move"
    );
}

async fn a_decline_email_without_delay_is_queued_now_and_withdrawals_close_the_application(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let b = apply(&app, "account-executive", "Bob Smith", "bob@example.com").await;
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .post(
            &format!(
                "/api/v1/applications/{}/decline",
                a["application_id"].as_str().unwrap()
            ),
            &json!({"reason": "other"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "other needs a note");
    let r = recruiter
        .post(
            &format!(
                "/api/v1/applications/{}/decline",
                a["application_id"].as_str().unwrap()
            ),
            &json!({"reason": "location", "template": "after_interview"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let sent = emails_to(&app, "ada@example.com").await;
    assert!(
        sent.iter()
            .any(|e| e["subject"] == "Your interviews for Account Executive"
                && e["text"].as_str().unwrap().starts_with("Hi Ada,"))
    );
    let r = recruiter
        .post(
            &format!(
                "/api/v1/applications/{}/withdraw",
                b["application_id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "withdrawn");
}
