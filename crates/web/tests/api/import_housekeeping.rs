//! Imports started on the upload page survive the process that ran them: a job left `running` by a
//! process that died is resumed by the periodic housekeeping job — by exactly one process when two
//! share the database — and uploads are removed once their import is done or when nobody started
//! them within a week. Both backends.

use std::time::{Duration, Instant};

use chrono::Duration as Span;
use prospector_app::outbox::Worker;
use prospector_app::{App, AppSettings};
use prospector_store::import::{self as import_store, ImportJob};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::import::count;
use crate::import_pages::{get_text, location, logged_in_admin, upload};

on_both_backends!(
    a_stalled_uploaded_import_is_resumed_by_one_process_and_finishes_without_duplicates,
    a_stalled_import_whose_file_is_gone_is_marked_failed_with_the_reason,
    uploads_are_removed_when_their_import_is_done_or_nobody_started_them_in_a_week,
);

const CONTACTS: &str = "Id,FirstName,LastName,Email\n\
    003A,Ada,Lovelace,ada@analytical.example\n\
    003B,Grace,Hopper,grace@navy.example\n\
    003C,Alan,Turing,alan@bletchley.example\n";

/// Uploads the contacts file through the page and returns its upload id.
async fn uploaded(app: &TestApp, browser: &reqwest::Client) -> Uuid {
    let r = upload(
        app,
        browser,
        "contacts.csv",
        CONTACTS.as_bytes().to_vec(),
        "contact",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let path = location(&r);
    Uuid::parse_str(path.trim_start_matches("/imports/uploads/")).unwrap()
}

/// Leaves job `id` as a process that died right after starting it would: `running`, nothing done.
async fn leave_running(app: &TestApp, id: Uuid) {
    let options = serde_json::json!({"object": "contact", "preset": "salesforce"});
    leave_job_running(app, id, "contact", "contacts.csv", options, 3).await;
}

/// Leaves job `id` of the upload `file_name` (whose rows are `object`, or `plan`) as a process
/// that died right after starting it with `options` would: `running`, nothing done, started by
/// admin@example.com.
pub(crate) async fn leave_job_running(
    app: &TestApp,
    id: Uuid,
    object: &str,
    file_name: &str,
    options: serde_json::Value,
    rows_total: i64,
) {
    let admin = app
        .app
        .user_by_email(&prospector_core::email::Email::parse("admin@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = app.app.now();
    let job = ImportJob {
        id,
        object: object.into(),
        file_name: file_name.into(),
        file_sha256: "0".repeat(64),
        options,
        status: "running".into(),
        rows_done: 0,
        rows_total: Some(rows_total),
        created: 0,
        updated: 0,
        unchanged: 0,
        duplicates: 0,
        refused: 0,
        issues: 0,
        summary: serde_json::json!({}),
        actor_id: Some(admin.id),
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    let mut tx = app.store.begin().await.unwrap();
    import_store::insert_job(&mut tx, &job).await.unwrap();
    tx.commit().await.unwrap();
}

async fn job(app: &TestApp, id: Uuid) -> ImportJob {
    import_store::get_job(&mut app.store.reader(), id)
        .await
        .unwrap()
        .unwrap()
}

/// Job `id` once it is no longer running.
pub(crate) async fn until_finished(app: &TestApp, id: Uuid) -> ImportJob {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let j = job(app, id).await;
        if j.status != "running" {
            return j;
        }
        assert!(Instant::now() < deadline, "the import did not finish: {j:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn until_gone(dir: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while dir.exists() {
        assert!(Instant::now() < deadline, "{} was not removed", dir.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn worker(app: &App) -> Worker {
    prospector_app::import::register_handlers(Worker::new(app.clone(), "test-worker"))
}

async fn a_stalled_uploaded_import_is_resumed_by_one_process_and_finishes_without_duplicates(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let id = uploaded(&app, &browser).await;
    leave_running(&app, id).await;

    // Not yet stalled: a job that made progress a moment ago may be running in another process.
    app.app.schedule_import_housekeeping().await.unwrap();
    app.clock.advance(Span::seconds(61));
    worker(&app.app).run_once().await.unwrap();
    assert_eq!(job(&app, id).await.status, "running");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people").await, 0);

    // Stalled now. A second process on the same database looks at the same moment as this one.
    app.clock.advance(Span::seconds(60));
    let other = App::new(
        app.store.clone(),
        std::sync::Arc::new(app.clock.clone()),
        AppSettings {
            import_dir: app.import_dir.path().to_owned(),
            ..AppSettings::default()
        },
    );
    let (mine, theirs) = tokio::join!(app.app.import_housekeeping(), other.import_housekeeping());
    let resumed = mine.unwrap().resumed.len() + theirs.unwrap().resumed.len();
    assert_eq!(resumed, 1, "exactly one process resumes the job");

    let done = until_finished(&app, id).await;
    assert_eq!(done.status, "done", "{done:?}");
    assert_eq!((done.rows_done, done.created), (3, 3));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people").await, 3);
    // The job page shows it done, and its upload is cleaned away.
    let (status, html) = get_text(&app, &browser, &format!("/imports/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="job-status">Done"#), "{html}");
    until_gone(&app.import_dir.path().join(id.to_string())).await;

    // Nothing is resumed twice.
    app.clock.advance(Span::minutes(10));
    let again = app.app.import_housekeeping().await.unwrap();
    assert!(again.resumed.is_empty(), "{again:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people").await, 3);
}

async fn a_stalled_import_whose_file_is_gone_is_marked_failed_with_the_reason(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let id = uploaded(&app, &browser).await;
    leave_running(&app, id).await;
    std::fs::remove_file(app.import_dir.path().join(id.to_string()).join("contacts.csv")).unwrap();

    app.clock.advance(Span::minutes(5));
    let pass = app.app.import_housekeeping().await.unwrap();
    assert_eq!(pass.failed, vec![id]);
    let failed = job(&app, id).await;
    assert_eq!(failed.status, "failed");
    let (_, html) = get_text(&app, &browser, &format!("/imports/{id}")).await;
    assert!(html.contains("is no longer in"), "the page says why: {html}");
    assert!(html.contains("upload it again"), "{html}");
}

async fn uploads_are_removed_when_their_import_is_done_or_nobody_started_them_in_a_week(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let dir_of = |id: Uuid| app.import_dir.path().join(id.to_string());

    // Started and finished: removed as soon as it is done.
    let started = uploaded(&app, &browser).await;
    let (_, html) = get_text(&app, &browser, &format!("/imports/uploads/{started}")).await;
    let csrf = crate::csrf_in(&html);
    let r = browser
        .post(app.url(&format!("/imports/uploads/{started}")))
        .form(&[("csrf_token", csrf.as_str()), ("action", "start")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(until_finished(&app, started).await.status, "done");
    until_gone(&dir_of(started)).await;
    // Its preview address still leads to the job.
    let r = browser
        .get(app.url(&format!("/imports/uploads/{started}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), format!("/imports/{started}"));

    // Never started: kept for a week, then removed.
    let abandoned = uploaded(&app, &browser).await;
    app.clock.advance(Span::days(6));
    let fresh = uploaded(&app, &browser).await;
    app.app.import_housekeeping().await.unwrap();
    assert!(dir_of(abandoned).exists(), "six days old: kept");
    app.clock.advance(Span::days(2));
    let pass = app.app.import_housekeeping().await.unwrap();
    assert_eq!(pass.removed_uploads, 1);
    assert!(!dir_of(abandoned).exists(), "eight days old: removed");
    assert!(dir_of(fresh).exists(), "two days old: kept");
    let (status, _) = get_text(&app, &browser, &format!("/imports/uploads/{abandoned}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
