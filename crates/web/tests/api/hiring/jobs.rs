//! Job pages in, careers pages out.

use prospector_app::Actor;
use prospector_core::markdown::split_front_matter;
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{import_ae, import_simple, recruiter};

on_both_backends!(
    the_published_page_imports_byte_for_byte_with_its_hiring_process_as_stages,
    pages_without_front_matter_or_title_are_refused_naming_the_file,
    careers_pages_are_public_and_render_the_page_as_written_but_sanitised,
    stages_are_editable_per_job_but_review_and_hired_stay,
    the_questionnaire_is_configurable_per_job,
    the_demo_has_a_job_with_candidates_at_different_stages,
);

async fn the_published_page_imports_byte_for_byte_with_its_hiring_process_as_stages(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (job, text) = import_ae(&app).await;
    assert_eq!(job.slug, "account-executive");
    assert_eq!(job.title, "Account Executive");
    assert_eq!(job.layout.as_deref(), Some("job_page"));
    assert_eq!(job.source, text, "the file is stored byte for byte");
    assert_eq!(job.body, split_front_matter(&text).body);
    assert!(
        job.body.contains("developers and managers  \n"),
        "trailing spaces kept"
    );

    let recruiter = recruiter(&app).await;
    let stored: serde_json::Value = recruiter
        .get(&format!("/api/v1/jobs/{}", job.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["source"],
        text.as_str(),
        "read back unchanged from the database"
    );
    let names: Vec<&str> = stored["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Application review",
            "Questionnaire",
            "Screening call",
            "Interview: sales director",
            "Mock call: account executives",
            "Interview: CRO",
            "Offer",
            "Hired"
        ]
    );
    // Importing the same file again changes nothing.
    let again = app
        .app
        .import_job(&Actor::cli(), "again.md", &text)
        .await
        .unwrap();
    assert_eq!(again.id, job.id);
    assert_eq!(again.source, text);
}

async fn pages_without_front_matter_or_title_are_refused_naming_the_file(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let err = app
        .app
        .import_job(&Actor::cli(), "jobs/sdr.md", "# SDR\n\nNo front matter.\n")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("jobs/sdr.md"), "{err}");
    assert!(err.to_string().contains("front matter"), "{err}");
    let err = app
        .app
        .import_job(
            &Actor::cli(),
            "jobs/untitled.md",
            "---\nlayout: job_page\n---\nBody\n",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("jobs/untitled.md"), "{err}");
    assert!(err.to_string().contains("title"), "{err}");

    let recruiter = recruiter(&app).await;
    let r = recruiter
        .post("/api/v1/jobs", &json!({"source": "no front matter"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn careers_pages_are_public_and_render_the_page_as_written_but_sanitised(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .post(
            "/api/v1/jobs",
            &json!({"source": "---\ntitle: Draft role\nstatus: draft\n---\nSecret.\n"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = recruiter
        .post(
            "/api/v1/jobs",
            &json!({"source": "---\ntitle: “Curly” SDR\n---\n## About\n\n<script>alert(1)</script>\n\n* [team](../team.md) “quoted”\n"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let curly: serde_json::Value = r.json().await.unwrap();

    let anonymous = reqwest::Client::new();
    let list = anonymous.get(app.url("/jobs")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let list = list.text().await.unwrap();
    assert!(list.contains("href=\"/jobs/account-executive\""), "{list}");
    assert!(!list.contains("Draft role"));

    let page = anonymous
        .get(app.url("/jobs/account-executive"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("<h2 id=\"responsibilities\">Responsibilities</h2>"),
        "headings kept"
    );
    assert!(
        page.contains("href=\"/handbook/sales-development/\""),
        "links kept"
    );
    assert!(page.contains("<li>"), "lists kept");
    assert!(page.contains("enctype=\"multipart/form-data\""), "apply form");
    assert!(page.contains("name=\"q_why_this_role\""), "questionnaire");

    let page = anonymous
        .get(app.url(&format!("/jobs/{}", curly["slug"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert(1)"), "HTML sanitised");
    assert!(page.contains("“quoted”"), "curly quotes kept");
    assert!(page.contains("“Curly” SDR"));

    let draft = anonymous.get(app.url("/jobs/draft-role")).send().await.unwrap();
    assert_eq!(draft.status(), StatusCode::NOT_FOUND);
}

async fn stages_are_editable_per_job_but_review_and_hired_stay(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let job = import_simple(&app, "Sales Development Representative").await;
    assert_eq!(job.stages.len(), 8, "default template");
    let recruiter = recruiter(&app).await;
    let path = format!("/api/v1/jobs/{}", job.id);
    let r = recruiter
        .patch(
            &path,
            &json!({"stages": [
                {"name": "Application review", "kind": "review", "code": "application_review"},
                {"name": "Screening call", "kind": "screening"},
                {"name": "Hired", "kind": "hired"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["stages"].as_array().unwrap().len(), 3);
    let r = recruiter
        .patch(
            &path,
            &json!({"stages": [{"name": "Screening call", "kind": "screening"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_questionnaire_is_configurable_per_job(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let job = import_simple(&app, "Sales Development Representative").await;
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .patch(
            &format!("/api/v1/jobs/{}", job.id),
            &json!({"questionnaire": [{"code": "languages", "prompt": "Which languages do you speak?", "required": true}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = reqwest::Client::new()
        .get(app.url("/jobs/sales-development-representative"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"q_languages\""));
    assert!(!page.contains("name=\"q_why_this_role\""));
    let r = recruiter
        .patch(
            &format!("/api/v1/jobs/{}", job.id),
            &json!({"questionnaire": [{"code": "Bad Code", "prompt": "x"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_demo_has_a_job_with_candidates_at_different_stages(db: TestDb) {
    let app = TestApp::spawn(db).await;
    assert!(app.app.seed_demo().await.unwrap());
    let jobs = app.app.public_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].stages.first().unwrap().name, "Application review");
    assert!(
        jobs[0].stages.iter().any(|s| s.name == "Interview: team lead"),
        "{:?}",
        jobs[0].stages
    );
    let apps = app
        .app
        .list_applications(&Actor::cli(), Some(jobs[0].id))
        .await
        .unwrap();
    let mut stages: Vec<String> = apps
        .iter()
        .map(|a| format!("{}:{}", a.application.stage, a.application.status.code()))
        .collect();
    stages.sort();
    assert_eq!(apps.len(), 4, "{stages:?}");
    assert!(stages.iter().any(|s| s.ends_with(":declined")), "{stages:?}");
    assert!(
        stages.iter().any(|s| s.starts_with("screening_call")),
        "{stages:?}"
    );
}
