//! Who may do what in hiring.

use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{apply, import_ae, import_simple, move_to, recruiter};

on_both_backends!(recruiters_do_everything_managers_their_jobs_and_others_nothing);

async fn recruiters_do_everything_managers_their_jobs_and_others_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (ae, _) = import_ae(&app).await;
    let sdr_job = import_simple(&app, "Sales Development Representative").await;
    let recruiter = recruiter(&app).await;
    let (manager, manager_client) = app.api_client("dana.lead@example.com", "team_lead").await;
    let (_, sdr) = app.api_client("sam.sdr@example.com", "sdr").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();

    for path in [
        "/api/v1/jobs".to_owned(),
        format!("/api/v1/jobs/{}", ae.id),
        format!("/api/v1/applications/{id}"),
        "/api/v1/applications".to_owned(),
        format!("/api/v1/jobs/{}/report", ae.id),
    ] {
        let r = sdr.get(&path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let r = sdr
        .post("/api/v1/jobs", &json!({"source": "---\ntitle: X\n---\n"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        move_to(&sdr, id, "questionnaire").await.status(),
        StatusCode::FORBIDDEN
    );

    // The team lead manages the AE job only.
    let r = recruiter
        .patch(
            &format!("/api/v1/jobs/{}", ae.id),
            &json!({"hiring_manager_id": manager.id.to_string()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let jobs: serde_json::Value = manager_client
        .get("/api/v1/jobs")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jobs["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        manager_client
            .get(&format!("/api/v1/jobs/{}/board", ae.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        move_to(&manager_client, id, "questionnaire").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        manager_client
            .get(&format!("/api/v1/jobs/{}/board", sdr_job.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = manager_client
        .patch(
            &format!("/api/v1/jobs/{}", ae.id),
            &json!({"hiring_manager_id": ""}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "only recruiters assign managers"
    );

    // Pages follow the same rules.
    let r = sdr.get("/hiring").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = recruiter.get("/hiring").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Account Executive"));
    let board = recruiter
        .get(&format!("/hiring/jobs/{}", ae.id))
        .send()
        .await
        .unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    assert!(board.text().await.unwrap().contains("Ada Lovelace"));
    let detail = recruiter
        .get(&format!("/hiring/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), StatusCode::OK);
    let edit = recruiter
        .get(&format!("/hiring/jobs/{}/edit", ae.id))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::OK);
    let report = recruiter
        .get(&format!("/hiring/jobs/{}/report", ae.id))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
}
