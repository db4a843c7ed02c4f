//! The public apply form.

use prospector_store::hiring::applications::count_resumes;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use super::{apply, apply_with, emails_to, form, import_ae, import_simple, recruiter, small_pdf};
use crate::error_of;

on_both_backends!(
    a_real_pdf_is_stored_acknowledged_and_downloadable_only_as_an_attachment,
    a_renamed_png_or_an_oversized_resume_is_refused_and_nothing_is_stored,
    the_same_person_is_recognised_across_applications_and_jobs,
    honeypot_and_rate_limit_protect_the_public_form,
);

async fn a_real_pdf_is_stored_acknowledged_and_downloadable_only_as_an_attachment(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let outcome = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    assert_eq!(outcome["returning_candidate"], false);
    let application_id = outcome["application_id"].as_str().unwrap();
    assert_eq!(count_resumes(&mut app.store.reader()).await.unwrap(), 1);

    let ack = emails_to(&app, "ada@example.com").await;
    assert_eq!(ack.len(), 1);
    assert_eq!(
        ack[0]["subject"],
        "We received your application for Account Executive"
    );

    let recruiter = recruiter(&app).await;
    let view: serde_json::Value = recruiter
        .get(&format!("/api/v1/applications/{application_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["stage"], "application_review");
    assert_eq!(view["answers"]["crm_experience"], "Salesforce and HubSpot.");
    assert_eq!(
        view["candidate"]["links"][0],
        "https://www.linkedin.com/in/example"
    );
    let file = recruiter
        .get(&format!("/api/v1/applications/{application_id}/resume"))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.bytes().await.unwrap().to_vec(), small_pdf());

    // Without Accept: JSON the browser gets a thank-you page.
    let page = reqwest::Client::new()
        .post(app.url("/jobs/account-executive/apply"))
        .multipart(form("Grace Hopper", "grace@example.com", small_pdf(), "cv.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("We received your application")
    );
}

async fn a_renamed_png_or_an_oversized_resume_is_refused_and_nothing_is_stored(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake image".to_vec();
    let r = apply_with(
        &app,
        "account-executive",
        form("Eve", "eve@example.com", png, "cv.pdf"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(r).await;
    assert_eq!(error["field"], "resume");
    assert_eq!(error["code"], "unsupported_file_type");

    let mut big = small_pdf();
    big.resize(10 * 1024 * 1024 + 10, b' ');
    let r = apply_with(
        &app,
        "account-executive",
        form("Eve", "eve@example.com", big, "cv.pdf"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(r).await;
    assert_eq!(error["field"], "resume");
    assert!(error["message"].as_str().unwrap().contains("10 MB"), "{error}");

    let mut huge = small_pdf();
    huge.resize(12 * 1024 * 1024, b' ');
    let r = apply_with(
        &app,
        "account-executive",
        form("Eve", "eve@example.com", huge, "cv.pdf"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(r).await["message"].as_str().unwrap().contains("10 MB"));

    assert_eq!(count_resumes(&mut app.store.reader()).await.unwrap(), 0);
    assert!(emails_to(&app, "eve@example.com").await.is_empty());
    let recruiter = recruiter(&app).await;
    let list: serde_json::Value = recruiter
        .get("/api/v1/applications")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

async fn the_same_person_is_recognised_across_applications_and_jobs(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    import_simple(&app, "Sales Development Representative").await;
    let first = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let again = apply(&app, "account-executive", "Ada Lovelace", " ADA@example.com ").await;
    assert_eq!(again["returning_candidate"], true);
    assert_eq!(again["already_applied"], true);
    assert_eq!(again["application_id"], first["application_id"]);
    assert_eq!(again["candidate_id"], first["candidate_id"]);
    let other = apply(
        &app,
        "sales-development-representative",
        "Ada L.",
        "ada@example.com",
    )
    .await;
    assert_eq!(other["returning_candidate"], true);
    assert_eq!(other["already_applied"], false);
    assert_eq!(other["candidate_id"], first["candidate_id"]);
    assert_ne!(other["application_id"], first["application_id"]);
}

async fn honeypot_and_rate_limit_protect_the_public_form(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let bot = form("Bot", "bot@example.com", small_pdf(), "cv.pdf").text("nickname", "buy pills");
    let r = apply_with(&app, "account-executive", bot).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["application_id"].is_null());
    assert_eq!(count_resumes(&mut app.store.reader()).await.unwrap(), 0);

    for n in 0..10 {
        apply(&app, "account-executive", "Person", &format!("p{n}@example.com")).await;
    }
    let r = apply_with(
        &app,
        "account-executive",
        form("Eleventh", "p11@example.com", small_pdf(), "cv.pdf"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(chrono::Duration::minutes(61));
    apply(&app, "account-executive", "Eleventh", "p11@example.com").await;
}
