//! The import pages over HTTP as a browser uses them, on both backends: upload, a preview that
//! shows bad rows by line and column, an edited mapping, the import started from the page, its
//! progress endpoint reaching done, the job page and the error report.

use std::time::{Duration, Instant};

use prospector_store::{Exec, query};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{app_with_admin, csrf_in, form_login, visible};

on_both_backends!(
    the_preview_shows_bad_rows_by_line_and_column_and_the_started_import_reports_them,
    an_edited_mapping_is_previewed_and_a_clash_is_shown_next_to_the_column,
    a_file_that_cannot_be_imported_is_refused_next_to_the_file_field,
    only_admins_reach_the_import_pages,
    the_preview_says_which_rows_are_new_updates_unchanged_or_duplicates,
);

/// The part of a page from the element with `id` to the end of its table.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let end = html[start..].find("</table>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

fn opportunities_csv() -> String {
    let long = "x".repeat(32_001);
    format!(
        "Id,Name,CloseDate,AccountId,Description\n\
         006A,Good one,2024-05-01,,fine\n\
         006B,Too many,2024-05-01,,a,b\n\
         006C,Oversized,2024-05-01,,{long}\n\
         006D,Bad date,31/31/2024,,fine\n\
         006E,Nowhere,2024-05-01,001MISSING,fine\n\
         006F,Last one,2024-06-30,,fine\n"
    )
}

pub(crate) async fn logged_in_admin(db: TestDb) -> (TestApp, reqwest::Client) {
    let (app, _admin) = app_with_admin(db).await;
    let browser = app.browser();
    form_login(&app, &browser, "admin@example.com", TEST_PASSWORD).await;
    (app, browser)
}

/// Uploads `bytes` as `name` through the form; returns the response (a redirect on success).
pub(crate) async fn upload(
    app: &TestApp,
    browser: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
    object: &str,
) -> reqwest::Response {
    let page = browser
        .get(app.url("/imports/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"upload-form\""), "{page}");
    let csrf = csrf_in(&page);
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .text("object", object.to_owned())
        .text("preset", "auto")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("text/csv")
                .unwrap(),
        );
    browser
        .post(app.url(&format!("/imports/new?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect: {}", r.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn get_text(app: &TestApp, browser: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = browser.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn the_preview_shows_bad_rows_by_line_and_column_and_the_started_import_reports_them(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let r = upload(
        &app,
        &browser,
        "opportunities.csv",
        opportunities_csv().into_bytes(),
        "opportunity",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&r);
    assert!(preview_path.starts_with("/imports/uploads/"), "{preview_path}");

    let (status, html) = get_text(&app, &browser, &preview_path).await;
    assert_eq!(status, StatusCode::OK);
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Rows are Opportunities"), "{facts}");
    assert!(facts.contains("Records in the file 6"), "{facts}");
    assert!(facts.contains("Rows that will be left out 2"), "{facts}");
    // The bad date, and the AccountId that names no stored account.
    assert!(facts.contains("Values that will be left out 2"), "{facts}");
    // Each bad row by line and column, in file order.
    let problems = visible(table(&html, "preview-problems"));
    assert!(
        problems.contains("Line Column Header Problem Effect 3 6 "),
        "{problems}"
    );
    assert!(problems.contains("4 5 Description"), "{problems}");
    assert!(problems.contains("5 3 CloseDate"), "{problems}");
    assert!(
        problems.contains("6 4 AccountId '001MISSING' refers to no account imported so far value left out"),
        "{problems}"
    );
    // The first rows as they will be mapped, column by column.
    let columns = visible(table(&html, "preview-columns"));
    assert!(columns.contains("Line 2 new Line 3 left out"), "{columns}");
    assert!(columns.contains("2 Name"), "{columns}");
    assert!(columns.contains("Good one"), "{columns}");
    assert!(
        html.contains(r#"<option value="close_date" selected>"#),
        "CloseDate maps to close_date"
    );

    // Start it from the page.
    let csrf = csrf_in(&html);
    let r = browser
        .post(app.url(&preview_path))
        .form(&[("csrf_token", csrf.as_str()), ("action", "start")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job_path = location(&r);
    let id = job_path.trim_start_matches("/imports/").to_owned();
    assert_eq!(id, preview_path.trim_start_matches("/imports/uploads/"));

    let deadline = Instant::now() + Duration::from_secs(60);
    let progress = loop {
        let p: Value = browser
            .get(app.url(&format!("{job_path}/progress")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(p["rows_total"], 6, "the preview's count is the job's total: {p}");
        if p["status"] != "running" {
            break p;
        }
        assert!(Instant::now() < deadline, "the import did not finish: {p}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(progress["status"], "done", "{progress}");
    assert_eq!(progress["rows_done"], 6);
    assert_eq!(progress["created"], 4);
    assert_eq!(progress["refused"], 2);
    assert_eq!(progress["percent"], 100);
    let n: i64 = app
        .store
        .reader()
        .fetch_one(query("SELECT COUNT(*) AS n FROM opportunities"))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(n, 4);

    let (status, html) = get_text(&app, &browser, &job_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="job-status">Done"#), "{html}");
    assert!(html.contains(r#"href="/opportunities" id="see-records""#));
    let problems = visible(table(&html, "job-problems"));
    // The import reports the reference the preview showed.
    assert!(problems.contains("6 4 AccountId"), "{problems}");
    assert!(problems.contains("5 3 CloseDate"), "{problems}");

    let r = browser
        .get(app.url(&format!("{job_path}/errors.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("opportunities.errors.csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("line,column,header,field,code,refused,message\n3,6,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 5, "{csv}");

    // The list shows it, and the preview of a started upload leads to its job.
    let (_, list) = get_text(&app, &browser, "/imports").await;
    let list = visible(table(&list, "imports-table"));
    assert!(
        list.contains("opportunities.csv opportunity Done 6 4 0 2"),
        "{list}"
    );
    let r = browser.get(app.url(&preview_path)).send().await.unwrap();
    assert_eq!(location(&r), job_path);
}

async fn an_edited_mapping_is_previewed_and_a_clash_is_shown_next_to_the_column(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let csv = "Id,Vorname,Nachname,E-Mail,Firma,Status\n\
               00Q1,Ada,Lovelace,ada@example.com,Analytical Engines,Lauwarm\n\
               00Q2,Alan,Turing,alan@example.com,Bletchley,MQL\n";
    let r = upload(&app, &browser, "leads.csv", csv.as_bytes().to_vec(), "lead").await;
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    // German headers are not ours: kept as custom fields until mapped.
    assert!(
        html.contains(r#"<select id="map-2" name="map:Vorname">"#),
        "{html}"
    );
    // A status of the file's own that is not ours: listed with its rows, to be chosen.
    let values = visible(table(&html, "preview-values"));
    assert!(values.contains("lead_status Lauwarm 1 Leave out"), "{values}");
    let csrf = csrf_in(&html);
    let mapping = |first: &'static str| {
        vec![
            ("map:Status", "status".to_owned()),
            ("pick:lead_status:Lauwarm", "qualifying".to_owned()),
            ("csrf_token", csrf.clone()),
            ("action", "preview".to_owned()),
            ("map:Id", "external_id".to_owned()),
            ("map:Vorname", first.to_owned()),
            ("map:Nachname", "last_name".to_owned()),
            ("map:E-Mail", "email".to_owned()),
            ("map:Firma", "company".to_owned()),
        ]
    };
    let r = browser
        .post(app.url(&preview_path))
        .form(&mapping("first_name"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    assert!(html.contains(r#"<option value="first_name" selected>"#), "{html}");
    assert!(html.contains(r#"<option value="email" selected>"#));
    let values = visible(table(&html, "preview-values"));
    assert!(values.contains("lead_status Lauwarm mapped"), "{values}");
    assert!(html.contains(r#"<option value="qualifying" selected>"#));
    assert!(!html.contains("id=\"preview-problems\""), "no problems are left");

    // Two columns for one field: refused, the message next to the second, the old mapping kept.
    let r = browser
        .post(app.url(&preview_path))
        .form(&mapping("last_name"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let row = &html[html.find(r#"name="map:Vorname""#).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("field-error"), "{row}");
    assert!(
        visible(row).contains("“Nachname” and “Vorname” both go to last_name"),
        "{row}"
    );
    assert!(html.contains(r#"<option value="first_name" selected>"#));

    // Started with the edited mapping, the names land where they were mapped.
    let r = browser
        .post(app.url(&preview_path))
        .form(&[("csrf_token", csrf.as_str()), ("action", "start")])
        .send()
        .await
        .unwrap();
    let job_path = location(&r);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let p: Value = browser
            .get(app.url(&format!("{job_path}/progress")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if p["status"] == "done" {
            assert_eq!(p["created"], 2, "{p}");
            break;
        }
        assert!(p["status"] == "running" && Instant::now() < deadline, "{p}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first: String = app
        .store
        .reader()
        .fetch_one(query(
            "SELECT first_name AS v FROM people WHERE email = 'ada@example.com'",
        ))
        .await
        .unwrap()
        .get("v")
        .unwrap();
    assert_eq!(first, "Ada");
    let status: String = app
        .store
        .reader()
        .fetch_one(query(
            "SELECT status AS v FROM people WHERE email = 'ada@example.com'",
        ))
        .await
        .unwrap()
        .get("v")
        .unwrap();
    assert_eq!(status, "qualifying", "the value mapped on the page");
}

async fn a_file_that_cannot_be_imported_is_refused_next_to_the_file_field(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let r = upload(&app, &browser, "logo.csv", png, "auto").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="im-file-error""#), "{html}");
    assert!(visible(&html).contains("not a CSV or JSON"), "{html}");
    assert!(
        visible(&html).contains("logo.csv: ") && !html.contains("/logo.csv"),
        "the file is named, not the server's folder it waits in: {html}"
    );

    let r = upload(
        &app,
        &browser,
        "colours.csv",
        b"colour,size\nred,L\n".to_vec(),
        "lead",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="im-file-error""#));
    assert!(visible(&html).contains("colour, size"), "{html}");

    let r = upload(&app, &browser, "empty.csv", Vec::new(), "lead").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(visible(&r.text().await.unwrap()).contains("the file is empty"));

    let (_, list) = get_text(&app, &browser, "/imports").await;
    assert!(list.contains("No imports yet"), "nothing was started");
}

async fn only_admins_reach_the_import_pages(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    app.user("sam@example.com", "sdr", None).await;
    let browser = app.browser();
    form_login(&app, &browser, "sam@example.com", TEST_PASSWORD).await;
    for path in ["/imports", "/imports/new"] {
        let (status, _) = get_text(&app, &browser, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// Importing again is the common case (a newer export of the same Salesforce org): before anything
/// is written, each previewed row says whether it is new, updates a record an earlier import made,
/// changes nothing, or will be skipped as a duplicate of a stored record or of an earlier row.
async fn the_preview_says_which_rows_are_new_updates_unchanged_or_duplicates(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("leads.csv");
    std::fs::write(
        &first,
        "Id,FirstName,LastName,Email,Company\n\
         00Q1,Ada,Lovelace,ada@engines.com,Analytical Engines\n\
         00Q2,Alan,Turing,alan@bletchley.org,Bletchley\n",
    )
    .unwrap();
    let options = prospector_app::import::ImportOptions::default();
    app.app
        .import_path(&prospector_app::Actor::cli(), &first, &options, &|_| {})
        .await
        .unwrap();
    let alan = prospector_store::records::people::by_email(
        &mut app.store.reader(),
        "alan@bletchley.org",
        prospector_store::records::Scope::All,
        5,
    )
    .await
    .unwrap()[0]
        .id;

    let newer = "Id,FirstName,LastName,Email,Company\n\
                 00Q1,Ada,Lovelace,ada@engines.com,Analytical Engines\n\
                 00Q2,Alan,Turing,alan@bletchley.org,Bletchley Park\n\
                 00Q3,Alan,Turing,alan@bletchley.org,Bletchley\n\
                 00Q4,Grace,Hopper,grace@navy.mil,US Navy\n\
                 00Q5,Grace,Hopper,grace@navy.mil,US Navy\n";
    let r = upload(&app, &browser, "newer.csv", newer.as_bytes().to_vec(), "lead").await;
    let (_, html) = get_text(&app, &browser, &location(&r)).await;
    let heads = table(&html, "preview-columns");
    let heads = &heads[..heads.find("</thead>").unwrap()];
    assert_eq!(
        visible(heads)
            .split("Line ")
            .skip(1)
            .map(str::trim)
            .collect::<Vec<_>>(),
        [
            "2 unchanged",
            "3 updates",
            "4 duplicate of alan@bletchley.org",
            "5 new",
            "6 duplicate of a row earlier in the file",
        ],
        "{heads}"
    );
    assert!(
        heads.contains(&format!("href=\"/leads/{alan}\"")),
        "the stored record is a link: {heads}"
    );

    // The import then does what the preview said.
    let newer_path = dir.path().join("newer.csv");
    std::fs::write(&newer_path, newer).unwrap();
    let report = app
        .app
        .import_path(&prospector_app::Actor::cli(), &newer_path, &options, &|_| {})
        .await
        .unwrap()
        .remove(0);
    let c = &report.counts;
    assert_eq!(
        (c.unchanged, c.updated, c.duplicates, c.created),
        (1, 1, 2, 1),
        "{c:?}"
    );
}
