//! Export, erasure on request, anonymisation after the retention period.

use chrono::Duration;
use prospector_store::hiring::applications::count_resumes;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{apply, import_ae, recruiter, worker};

on_both_backends!(
    a_candidate_is_exported_and_erased_on_request,
    declined_candidates_are_anonymised_after_six_months,
);

async fn a_candidate_is_exported_and_erased_on_request(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let candidate = a["candidate_id"].as_str().unwrap();
    let id = a["application_id"].as_str().unwrap();
    let recruiter = recruiter(&app).await;
    let export: Value = recruiter
        .get(&format!("/api/v1/candidates/{candidate}/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["candidate"]["email"], "ada@example.com");
    assert_eq!(export["applications"][0]["job"]["slug"], "account-executive");
    assert_eq!(
        export["applications"][0]["application"]["answers"]["time_zone"],
        "Europe/Berlin"
    );
    assert_eq!(export["applications"][0]["resumes"][0]["kind"], "pdf");

    let r = recruiter
        .post(&format!("/api/v1/candidates/{candidate}/erase"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["candidate"]["name"], "Anonymised candidate");
    assert!(view["candidate"]["email"].is_null());
    assert!(view["candidate"]["phone"].is_null());
    assert_eq!(view["answers"], json!({}));
    assert_eq!(view["stage"], "application_review", "pipeline facts stay");
    assert_eq!(count_resumes(&mut app.store.reader()).await.unwrap(), 0);

    let (_, sdr) = app.api_client("sam.sdr@example.com", "sdr").await;
    let r = sdr
        .get(&format!("/api/v1/candidates/{candidate}/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn declined_candidates_are_anonymised_after_six_months(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let kept = apply(&app, "account-executive", "Bob Smith", "bob@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/decline"),
            &json!({"reason": "not_a_fit"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let worker = worker(&app);
    app.clock.advance(Duration::days(150));
    worker.run_once().await.unwrap();
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["candidate"]["name"], "Ada Lovelace",
        "five months: still kept"
    );

    app.clock.advance(Duration::days(35));
    worker.run_once().await.unwrap();
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["candidate"]["name"], "Anonymised candidate");
    assert!(view["candidate"]["email"].is_null());
    assert_eq!(view["answers"], json!({}));
    assert_eq!(
        view["decline_reason"], "not_a_fit",
        "the reason stays for reports"
    );
    assert!(!view["anonymised_at"].is_null());
    let other: Value = recruiter
        .get(&format!(
            "/api/v1/applications/{}",
            kept["application_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        other["candidate"]["name"], "Bob Smith",
        "active candidates are kept"
    );
    assert_eq!(count_resumes(&mut app.store.reader()).await.unwrap(), 1);
}
