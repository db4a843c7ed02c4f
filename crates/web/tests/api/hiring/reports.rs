//! The job report on a small seeded pipeline, against figures computed by hand.

use chrono::Duration;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{apply, apply_with, form, import_ae, move_to, recruiter, small_pdf};

on_both_backends!(report_figures_equal_the_hand_computed_ones);

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{a} is not a number"));
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

async fn report_figures_equal_the_hand_computed_ones(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (job, _) = import_ae(&app).await;
    let recruiter = recruiter(&app).await;
    // t0: four applications; C came through a referral.
    let a = apply(&app, "account-executive", "A", "a@example.com").await;
    let b = apply(&app, "account-executive", "B", "b@example.com").await;
    let r = apply_with(
        &app,
        "account-executive",
        form("C", "c@example.com", small_pdf(), "cv.pdf").text("source", "referral"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    let d = apply(&app, "account-executive", "D", "d@example.com").await;
    let id = |v: &Value| v["application_id"].as_str().unwrap().to_owned();
    let decline = |v: &Value, reason: &str| {
        recruiter
            .post(
                &format!("/api/v1/applications/{}/decline", id(v)),
                &json!({"reason": reason}),
            )
            .send()
    };

    // t0+1h: A, B, C to the questionnaire; D declined at review.
    app.clock.advance(Duration::hours(1));
    for v in [&a, &b, &c] {
        assert_eq!(
            move_to(&recruiter, &id(v), "questionnaire").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(decline(&d, "not_a_fit").await.unwrap().status(), StatusCode::OK);
    // t0+3h: A and C to screening; B declined.
    app.clock.advance(Duration::hours(2));
    for v in [&a, &c] {
        assert_eq!(
            move_to(&recruiter, &id(v), "screening_call").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        decline(&b, "compensation").await.unwrap().status(),
        StatusCode::OK
    );
    // t0+4h: A declined.
    app.clock.advance(Duration::hours(1));
    assert_eq!(decline(&a, "not_a_fit").await.unwrap().status(), StatusCode::OK);
    // t0+7h: C hired.
    app.clock.advance(Duration::hours(3));
    assert_eq!(
        move_to(&recruiter, &id(&c), "hired").await.status(),
        StatusCode::OK
    );

    let report: Value = recruiter
        .get(&format!("/api/v1/jobs/{}/report", job.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["applications"], 4);
    let stages = report["stages"].as_array().unwrap();
    let reached: Vec<i64> = stages.iter().map(|s| s["reached"].as_i64().unwrap()).collect();
    assert_eq!(reached, [4, 3, 2, 1, 1, 1, 1, 1]);
    close(&stages[0]["pass_through_rate"], 0.75);
    close(&stages[1]["pass_through_rate"], 2.0 / 3.0);
    close(&stages[2]["pass_through_rate"], 0.5);
    close(&stages[3]["pass_through_rate"], 1.0);
    assert!(stages[7]["pass_through_rate"].is_null());
    close(&stages[0]["avg_hours_in_stage"], 1.0);
    close(&stages[1]["avg_hours_in_stage"], 2.0);
    close(&stages[2]["avg_hours_in_stage"], 2.5);
    assert!(stages[3]["avg_hours_in_stage"].is_null(), "C skipped it");
    close(&report["avg_days_to_hire"], 7.0 / 24.0);
    assert_eq!(report["source_of_hire"], json!({"referral": 1}));
    assert_eq!(
        report["decline_reasons"],
        json!({"compensation": 1, "not_a_fit": 2})
    );
}
