//! A Salesforce DX data plan through the import pages, on both backends: the plan and its
//! sObject-tree files uploaded together (the apex-recipes files as they are), each file previewed
//! as it will be mapped, the plan imported in order as one job with references resolved; and
//! references that lead nowhere shown in the preview — by line, column and reason — exactly as the
//! import then reports them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use prospector_app::Actor;
use prospector_app::import::ImportOptions;
use prospector_core::import::ObjectKind;
use prospector_store::{Exec, query};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::import::count;
use crate::import_pages::{get_text, location, logged_in_admin, upload};
use crate::import_plan_mapping::goes_to;
use crate::{csrf_in, visible};

on_both_backends!(
    a_data_plan_uploaded_with_its_files_is_previewed_per_file_and_imported_as_one_job,
    references_that_lead_nowhere_are_in_the_plan_preview_and_the_import_reports_the_same,
    references_of_a_csv_are_checked_against_the_database_in_the_preview,
    a_plan_without_its_files_or_files_without_their_plan_are_refused_next_to_the_file_field,
    a_plan_job_stopped_after_its_first_file_resumes_with_the_next_without_duplicates,
    all_or_nothing_over_a_plan_imports_no_file_when_one_record_of_any_file_is_bad,
);

/// `shared/data/salesforce/apex-recipes`, found by walking up from this crate.
fn apex_recipes() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared/data/salesforce/apex-recipes");
        if candidate.is_dir() {
            return candidate;
        }
        assert!(dir.pop(), "no shared/data above {}", env!("CARGO_MANIFEST_DIR"));
    }
}

fn apex_file(name: &str) -> (String, Vec<u8>) {
    (name.to_owned(), std::fs::read(apex_recipes().join(name)).unwrap())
}

/// From the element with `id` to the end of its table.
pub(crate) fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let end = html[start..].find("</table>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// Uploads several files through the one file input, as a browser sends a multiple selection.
pub(crate) async fn upload_files(
    app: &TestApp,
    browser: &reqwest::Client,
    files: Vec<(String, Vec<u8>)>,
) -> reqwest::Response {
    let (_, page) = get_text(app, browser, "/imports/new").await;
    assert!(page.contains(r#"type="file" multiple"#), "{page}");
    let csrf = csrf_in(&page);
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .text("object", "auto")
        .text("preset", "auto");
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str("application/json")
                .unwrap(),
        );
    }
    browser
        .post(app.url(&format!("/imports/new?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Starts the previewed upload at `preview_path`; returns the job page's path.
pub(crate) async fn start(
    app: &TestApp,
    browser: &reqwest::Client,
    preview_path: &str,
    html: &str,
) -> String {
    let csrf = csrf_in(html);
    let r = browser
        .post(app.url(preview_path))
        .form(&[("csrf_token", csrf.as_str()), ("action", "start")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// Polls the job's progress until it is no longer running; every poll knows the total.
pub(crate) async fn finished(app: &TestApp, browser: &reqwest::Client, job_path: &str, total: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let p: Value = browser
            .get(app.url(&format!("{job_path}/progress")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            p["rows_total"], total,
            "the preview's count is the job's total: {p}"
        );
        if p["status"] != "running" {
            return p;
        }
        assert!(Instant::now() < deadline, "the import did not finish: {p}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_data_plan_uploaded_with_its_files_is_previewed_per_file_and_imported_as_one_job(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    // In the order a file picker may list them, not the plan's.
    let r = upload_files(
        &app,
        &browser,
        vec![
            apex_file("Opportunities.json"),
            apex_file("Contacts.json"),
            apex_file("data-plan.json"),
            apex_file("Accounts.json"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&r);
    let (status, html) = get_text(&app, &browser, &preview_path).await;
    assert_eq!(status, StatusCode::OK);
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Files, in load order 3"), "{facts}");
    assert!(facts.contains("Records in the files 250"), "{facts}");
    assert!(facts.contains("Rows that will be left out none"), "{facts}");
    // The files' own quirks (phones without a country, a stage of theirs), none a reference.
    assert!(facts.contains("Values that will be left out 158"), "{facts}");
    // Each file in plan order, as it will be mapped.
    let order: Vec<usize> = ["Accounts.json", "Contacts.json", "Opportunities.json"]
        .iter()
        .map(|f| {
            html.find(&format!("{f} <span class=\"muted\">"))
                .unwrap_or_else(|| panic!("{f}: {html}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        visible(&html).contains("2. Contacts.json — Contacts, 150 records"),
        "{html}"
    );
    assert_eq!(goes_to(&html, "map:Contacts.json:accountId"), "account_ref");
    assert_eq!(goes_to(&html, "map:Contacts.json:lastName"), "last_name");
    let contacts = visible(table(&html, "plan-file-2-columns"));
    assert!(
        contacts.contains("AccountRef10") && contacts.contains("Sinisbury"),
        "{contacts}"
    );
    assert!(visible(table(&html, "plan-file-1-columns")).contains("Record 1"));
    // Contacts refer to accounts of the first file: nothing is unresolved.
    assert!(!html.contains("refers to no"), "{html}");

    let job_path = start(&app, &browser, &preview_path, &html).await;
    let progress = finished(&app, &browser, &job_path, 250).await;
    assert_eq!(progress["status"], "done", "{progress}");
    assert_eq!(progress["rows_done"], 250);
    assert_eq!(progress["refused"], 0);
    assert_eq!(progress["issues"], 158, "what the preview counted: {progress}");
    assert_eq!(
        progress["created"].as_i64().unwrap() + progress["duplicates"].as_i64().unwrap(),
        250
    );
    // Every account is known by its referenceId (a duplicate by the record it matched).
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM external_ids WHERE object = 'account'"
        )
        .await,
        50
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM people WHERE kind = 'contact'").await,
        150
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM people WHERE account_id IS NULL").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM opportunities WHERE account_id IS NOT NULL"
        )
        .await,
        50
    );
    // Lianna Sinisbury is at @AccountRef10.
    assert_eq!(
        account_of(&app, "lsinisbury0@dropbox.com").await,
        account_named(&apex_file("Accounts.json").1, "AccountRef10")
    );

    // One job, listed once, with its files.
    let (_, page) = get_text(&app, &browser, &job_path).await;
    assert!(page.contains(r#"id="job-status">Done"#), "{page}");
    let files = visible(table(&page, "plan-files"));
    assert!(
        files
            .contains("Accounts.json account 50 Contacts.json contact 150 Opportunities.json opportunity 50"),
        "{files}"
    );
    assert!(page.contains(r#"href="/accounts" id="see-records""#));
    let (_, list) = get_text(&app, &browser, "/imports").await;
    let list = visible(table(&list, "imports-table"));
    assert!(list.contains("data-plan.json plan Done 250"), "{list}");
    assert_eq!(list.matches("Done").count(), 1, "{list}");
}

/// A contacts tree of the apex-recipes shape: one contact at a real account, one at an account
/// no file has.
const CONTACTS_WITH_A_STRAY: &str = r#"{"records":[
  {"attributes":{"type":"Contact","referenceId":"ContactRef1"},"lastName":"Lovelace","firstName":"Ada","email":"ada@example.com","accountId":"@AccountRef1"},
  {"attributes":{"type":"Contact","referenceId":"ContactRef2"},"lastName":"Babbage","firstName":"Charles","email":"charles@example.com","accountId":"@AccountRef99"}
]}"#;

const PLAN: &str = r#"[
  {"sobject":"Account","saveRefs":true,"resolveRefs":false,"files":["Accounts.json"]},
  {"sobject":"Contact","saveRefs":true,"resolveRefs":true,"files":["people.json"]}
]"#;

async fn references_that_lead_nowhere_are_in_the_plan_preview_and_the_import_reports_the_same(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let r = upload_files(
        &app,
        &browser,
        vec![
            ("Account-Contact-plan.json".to_owned(), PLAN.as_bytes().to_vec()),
            apex_file("Accounts.json"),
            (
                "people.json".to_owned(),
                CONTACTS_WITH_A_STRAY.as_bytes().to_vec(),
            ),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Values that will be left out 1"), "{facts}");
    assert!(
        !html.contains("plan-file-1-problems"),
        "the accounts file is clean"
    );
    let problems = visible(table(&html, "plan-file-2-problems"));
    // Record 2, the accountId column (the referenceId is column 1, then the fields by name).
    assert!(
        problems.contains("2 2 accountId 'AccountRef99' refers to no account imported so far value left out"),
        "{problems}"
    );
    assert!(!problems.contains("AccountRef1 "), "{problems}");

    let job_path = start(&app, &browser, &preview_path, &html).await;
    let progress = finished(&app, &browser, &job_path, 52).await;
    assert_eq!(progress["status"], "done", "{progress}");
    assert_eq!(progress["issues"], 1, "{progress}");
    let (_, page) = get_text(&app, &browser, &job_path).await;
    let reported = visible(table(&page, "job-problems"));
    assert!(
        reported.starts_with("id=\"job-problems\" File Line Column Header Problem Effect"),
        "{reported}"
    );
    assert!(
        reported.contains(
            "people.json 2 2 accountId 'AccountRef99' refers to no account imported so far value left out"
        ),
        "the import reports what the preview showed: {reported}"
    );
    let csv = browser
        .get(app.url(&format!("{job_path}/errors.csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("file,line,column,header,field,code,refused,message\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\npeople.json,2,2,accountId,account_ref,unresolved_reference,false,"),
        "{csv}"
    );
    // Both contacts are kept; the one whose reference resolved is at @AccountRef1.
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people").await, 2);
    assert_eq!(
        account_of(&app, "ada@example.com").await,
        account_named(&apex_file("Accounts.json").1, "AccountRef1")
    );
}

/// The name of the account of the person with `email`.
async fn account_of(app: &TestApp, email: &str) -> String {
    app.store
        .reader()
        .fetch_one(
            query(
                "SELECT a.name AS v FROM people p JOIN accounts a ON a.id = p.account_id \
                 WHERE p.email = $1",
            )
            .bind(email.to_owned()),
        )
        .await
        .unwrap()
        .get("v")
        .unwrap()
}

/// The name of the record with `reference_id` in an accounts tree.
fn account_named(tree: &[u8], reference_id: &str) -> String {
    let tree: Value = serde_json::from_slice(tree).unwrap();
    tree["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attributes"]["referenceId"] == reference_id)
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn references_of_a_csv_are_checked_against_the_database_in_the_preview(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    // Accounts imported earlier are known by their Salesforce ids.
    let accounts = "Id,Name,Website\n001A,Analytical Engines,analytical.example\n";
    let r = upload(
        &app,
        &browser,
        "accounts.csv",
        accounts.as_bytes().to_vec(),
        "account",
    )
    .await;
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    let job_path = start(&app, &browser, &preview_path, &html).await;
    assert_eq!(finished(&app, &browser, &job_path, 1).await["created"], 1);

    let contacts = "Id,FirstName,LastName,Email,AccountId,OwnerId\n\
                    003A,Ada,Lovelace,ada@example.com,001A,\n\
                    003B,Charles,Babbage,charles@example.com,001MISSING,\n\
                    003C,Mary,Somerville,mary@example.com,,005NOBODY\n";
    let r = upload(
        &app,
        &browser,
        "contacts.csv",
        contacts.as_bytes().to_vec(),
        "contact",
    )
    .await;
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Rows that will be left out none"), "{facts}");
    assert!(facts.contains("Values that will be left out 2"), "{facts}");
    let problems = visible(table(&html, "preview-problems"));
    assert!(
        problems.contains("3 5 AccountId '001MISSING' refers to no account imported so far value left out"),
        "{problems}"
    );
    assert!(
        problems.contains("4 6 OwnerId '005NOBODY' refers to no user imported so far value left out"),
        "{problems}"
    );
    assert!(
        !problems.contains("001A"),
        "a stored account resolves: {problems}"
    );

    let job_path = start(&app, &browser, &preview_path, &html).await;
    let progress = finished(&app, &browser, &job_path, 3).await;
    assert_eq!(
        (progress["created"].as_i64(), progress["issues"].as_i64()),
        (Some(3), Some(2))
    );
    let (_, page) = get_text(&app, &browser, &job_path).await;
    let reported = visible(table(&page, "job-problems"));
    assert!(reported.contains("3 5 AccountId '001MISSING'"), "{reported}");
    assert!(reported.contains("4 6 OwnerId '005NOBODY'"), "{reported}");
    assert!(
        !reported.contains("File"),
        "one file needs no file column: {reported}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM people WHERE account_id IS NOT NULL"
        )
        .await,
        1
    );
}

async fn a_plan_without_its_files_or_files_without_their_plan_are_refused_next_to_the_file_field(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let refused = |html: &str| {
        assert!(html.contains(r#"id="im-file-error""#), "{html}");
        visible(html)
    };
    let r = upload_files(
        &app,
        &browser,
        vec![apex_file("data-plan.json"), apex_file("Accounts.json")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused(&r.text().await.unwrap());
    assert!(
        text.contains("the data plan names Contacts.json; choose it together with the plan"),
        "{text}"
    );

    let r = upload_files(
        &app,
        &browser,
        vec![apex_file("Accounts.json"), apex_file("Contacts.json")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused(&r.text().await.unwrap());
    assert!(text.contains("only with the Salesforce data plan"), "{text}");

    let mut files: Vec<(String, Vec<u8>)> = [
        "data-plan.json",
        "Accounts.json",
        "Contacts.json",
        "Opportunities.json",
    ]
    .iter()
    .map(|f| apex_file(f))
    .collect();
    files.push(("Leads.csv".to_owned(), b"LastName\nLovelace\n".to_vec()));
    let r = upload_files(&app, &browser, files).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused(&r.text().await.unwrap());
    assert!(text.contains("Leads.csv is not named by the data plan"), "{text}");

    let (_, list) = get_text(&app, &browser, "/imports").await;
    assert!(list.contains("No imports yet"), "nothing was started");
    let left: Vec<_> = std::fs::read_dir(app.import_dir.path()).unwrap().collect();
    assert!(left.is_empty(), "refused uploads are removed: {left:?}");
}

async fn a_plan_job_stopped_after_its_first_file_resumes_with_the_next_without_duplicates(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "data-plan.json",
        "Accounts.json",
        "Contacts.json",
        "Opportunities.json",
    ] {
        std::fs::copy(apex_recipes().join(name), dir.path().join(name)).unwrap();
    }
    // The job committed the first file, then its process died.
    let id = prospector_core::ids::uuid_v7_at(app.app.now());
    let accounts = ImportOptions {
        object: Some(ObjectKind::Account),
        ..ImportOptions::default()
    };
    let first = app
        .app
        .import_file(
            &Actor::cli(),
            &dir.path().join("Accounts.json"),
            &accounts,
            &|_| {},
            Some(id),
        )
        .await
        .unwrap();
    let accounts_stored = count(&app, "SELECT COUNT(*) AS n FROM accounts").await;
    let mut tx = app.store.begin().await.unwrap();
    tx.execute(
        query(
            "UPDATE import_jobs SET status = 'running', object = 'plan', file_name = 'data-plan.json', \
             rows_total = 250, finished_at = NULL WHERE id = $1",
        )
        .bind(id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let report = app
        .app
        .import_plan(
            &Actor::cli(),
            &dir.path().join("data-plan.json"),
            &ImportOptions::default(),
            id,
        )
        .await
        .unwrap();
    assert_eq!(report.status, "done");
    let c = &report.counts;
    assert_eq!(c.rows, 250, "{}", report.one_line());
    assert_eq!(
        c.created + c.duplicates,
        first.counts.created + first.counts.duplicates + 200,
        "the accounts were not read again: {}",
        report.one_line()
    );
    assert_eq!(c.unchanged, 0, "{}", report.one_line());
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM accounts").await,
        accounts_stored
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM people WHERE kind = 'contact' AND account_id IS NOT NULL"
        )
        .await,
        150
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM opportunities WHERE account_id IS NOT NULL"
        )
        .await,
        50
    );
}

async fn all_or_nothing_over_a_plan_imports_no_file_when_one_record_of_any_file_is_bad(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let contacts = r#"{"records":[
      {"attributes":{"type":"Contact","referenceId":"ContactRef1"},"lastName":"Lovelace","email":"ada@example.com","accountId":"@AccountRef1"},
      42
    ]}"#;
    let r = upload_files(
        &app,
        &browser,
        vec![
            ("Account-Contact-plan.json".to_owned(), PLAN.as_bytes().to_vec()),
            apex_file("Accounts.json"),
            ("people.json".to_owned(), contacts.as_bytes().to_vec()),
        ],
    )
    .await;
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Rows that will be left out 1"), "{facts}");
    let csrf = csrf_in(&html);
    let r = browser
        .post(app.url(&preview_path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("strict", "1"),
            ("action", "start"),
        ])
        .send()
        .await
        .unwrap();
    let job_path = location(&r);
    let progress = finished(&app, &browser, &job_path, 52).await;
    assert_eq!(progress["status"], "rejected", "{progress}");
    assert_eq!(progress["created"], 0, "{progress}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM accounts").await,
        0,
        "not even the good file"
    );
    let (_, page) = get_text(&app, &browser, &job_path).await;
    let reported = visible(table(&page, "job-problems"));
    assert!(
        reported.contains("people.json 2 expected a JSON object row left out"),
        "{reported}"
    );
}
