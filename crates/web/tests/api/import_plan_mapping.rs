//! A data plan's mapping edited file by file on its preview, on both backends: each file's
//! columns sent elsewhere, kept as custom fields or ignored, its list values mapped — and the
//! import storing exactly that for that file and nothing of it for the plan's other files; a
//! choice the import could not follow refused beside the column of the file it is about, with
//! nothing saved; and a job resumed after a restart mapping each file as it was started.

use std::collections::BTreeMap;

use prospector_app::Actor;
use prospector_app::import::ImportOptions;
use prospector_core::import::UserMapping;
use prospector_store::{Exec, query};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::import::count;
use crate::import_housekeeping::{leave_job_running, until_finished};
use crate::import_pages::{get_text, location, logged_in_admin};
use crate::import_plan_pages::{finished, start, table, upload_files};
use crate::{app_with_admin, csrf_in, visible};

on_both_backends!(
    each_file_of_a_plan_is_imported_with_the_mapping_chosen_for_it_on_the_preview,
    a_plan_files_mapping_the_import_could_not_follow_is_refused_beside_its_column_and_not_saved,
    a_list_value_mapped_in_one_file_of_a_plan_is_mapped_in_that_file_only,
    a_plan_job_resumed_after_a_restart_maps_each_file_as_it_was_started,
);

const ACCOUNTS: &str = r#"{"records":[
  {"attributes":{"type":"Account","referenceId":"AccountRef1"},"name":"Analytical Engines","website":"analytical.example"},
  {"attributes":{"type":"Account","referenceId":"AccountRef2"},"name":"Naval Computing","website":"naval.example"}
]}"#;

/// Two files of contacts with the same columns, so an edit to one cannot pass for the other's.
const PEOPLE: &str = r#"{"records":[
  {"attributes":{"type":"Contact","referenceId":"ContactRef1"},"lastName":"Lovelace","firstName":"Ada","email":"ada@example.com","title":"Countess","department":"Mathematics","accountId":"@AccountRef1"}
]}"#;
const COLLEAGUES: &str = r#"{"records":[
  {"attributes":{"type":"Contact","referenceId":"ContactRef2"},"lastName":"Hopper","firstName":"Grace","email":"grace@example.com","title":"Rear Admiral","department":"Navy","accountId":"@AccountRef2"}
]}"#;
const CONTACTS_PLAN: &str = r#"[
  {"sobject":"Account","saveRefs":true,"resolveRefs":false,"files":["accounts.json"]},
  {"sobject":"Contact","saveRefs":true,"resolveRefs":true,"files":["people.json","colleagues.json"]}
]"#;

fn contacts_plan() -> Vec<(String, Vec<u8>)> {
    [
        ("plan.json", CONTACTS_PLAN),
        ("accounts.json", ACCOUNTS),
        ("people.json", PEOPLE),
        ("colleagues.json", COLLEAGUES),
    ]
    .iter()
    .map(|(name, text)| ((*name).to_owned(), text.as_bytes().to_vec()))
    .collect()
}

/// The value of attribute `name` in the tag text `tag` starts.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker).unwrap_or_else(|| panic!("no {name} in {tag}")) + marker.len();
    &tag[start..start + tag[start..].find('"').unwrap()]
}

/// Every select of the page with the value a browser would post for it: the selected option,
/// else the first.
fn selects(html: &str) -> Vec<(String, String)> {
    html.split("<select ")
        .skip(1)
        .map(|chunk| {
            let body = &chunk[..chunk.find("</select>").unwrap()];
            let options: Vec<&str> = body.split("<option ").skip(1).collect();
            let chosen = options
                .iter()
                .find(|o| o[..o.find('>').unwrap()].contains(" selected"))
                .or(options.first())
                .map_or("", |o| attr(o, "value"));
            (attr(chunk, "name").to_owned(), chosen.to_owned())
        })
        .collect()
}

/// Where the select named `name` goes now.
pub(crate) fn goes_to(html: &str, name: &str) -> String {
    selects(html)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no select {name} in {html}"))
        .1
}

/// The preview's form as a browser posts it after the user changed the selects in `changes`.
fn form_of(html: &str, changes: &[(&str, &str)], action: &str) -> Vec<(String, String)> {
    let mut form = selects(html);
    for (name, value) in changes {
        let select = form
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no select {name}"));
        select.1 = (*value).to_owned();
    }
    form.push(("csrf_token".into(), csrf_in(html)));
    form.push(("action".into(), action.into()));
    form
}

/// The table row of the column whose select is `name`.
fn column_row<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name}"));
    let start = html[..at].rfind("<tr>").unwrap();
    &html[start..at + html[at..].find("</tr>").unwrap()]
}

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

/// First name, title and custom fields of the person with `email`.
async fn person(app: &TestApp, email: &str) -> (Option<String>, Option<String>, Value) {
    let row = app
        .store
        .reader()
        .fetch_one(
            query("SELECT first_name, title, custom_fields FROM people WHERE email = $1")
                .bind(email.to_owned()),
        )
        .await
        .unwrap();
    (
        row.get("first_name").unwrap(),
        row.get("title").unwrap(),
        row.get("custom_fields").unwrap(),
    )
}

async fn each_file_of_a_plan_is_imported_with_the_mapping_chosen_for_it_on_the_preview(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let r = upload_files(&app, &browser, contacts_plan()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&r);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    // Every file's columns, each where its Salesforce name sends it until someone chooses.
    for file in ["people.json", "colleagues.json"] {
        assert_eq!(goes_to(&html, &format!("map:{file}:firstName")), "first_name");
        assert_eq!(goes_to(&html, &format!("map:{file}:title")), "title");
        assert_eq!(goes_to(&html, &format!("map:{file}:department")), "custom");
    }
    assert_eq!(goes_to(&html, "map:accounts.json:website"), "website");

    // Ada's file: her first name kept aside, her title dropped, her department as her title.
    let edits = [
        ("map:people.json:firstName", "custom"),
        ("map:people.json:title", "ignore"),
        ("map:people.json:department", "title"),
    ];
    let r = post(&app, &browser, &preview_path, &form_of(&html, &edits, "preview")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), preview_path);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    for (name, target) in edits {
        assert_eq!(goes_to(&html, name), target, "{name}");
    }
    assert_eq!(goes_to(&html, "map:colleagues.json:firstName"), "first_name");
    assert_eq!(goes_to(&html, "map:colleagues.json:department"), "custom");
    // The preview reads each file under its own mapping: Ada's title column is dropped,
    // Grace's is not.
    assert!(
        !visible(column_row(&html, "map:people.json:title")).contains("Countess"),
        "{html}"
    );
    assert!(visible(column_row(&html, "map:colleagues.json:title")).contains("Rear Admiral"));

    // Started without the selects (as a script would): what was saved applies.
    let job_path = start(&app, &browser, &preview_path, &html).await;
    let progress = finished(&app, &browser, &job_path, 4).await;
    assert_eq!(progress["status"], "done", "{progress}");
    assert_eq!(progress["created"], 4, "{progress}");
    let (first, title, custom) = person(&app, "ada@example.com").await;
    assert_eq!(first, None, "firstName went to a custom field");
    assert_eq!(title.as_deref(), Some("Mathematics"), "department went to title");
    assert_eq!(custom["firstName"], "Ada", "{custom}");
    assert!(
        custom.get("title").is_none() && custom.get("department").is_none(),
        "the ignored title is nowhere, the department only in title: {custom}"
    );
    let (first, title, custom) = person(&app, "grace@example.com").await;
    assert_eq!(
        first.as_deref(),
        Some("Grace"),
        "the other file is mapped as before"
    );
    assert_eq!(title.as_deref(), Some("Rear Admiral"));
    assert_eq!(custom["department"], "Navy", "{custom}");
    assert!(custom.get("firstName").is_none(), "{custom}");

    // The job keeps each file's mapping with its options: a resumed job reads it from there.
    let id = uuid::Uuid::parse_str(job_path.trim_start_matches("/imports/")).unwrap();
    let (job, _) = app.app.import_run(&Actor::cli(), id, 0).await.unwrap();
    let options: ImportOptions = serde_json::from_value(job.options).unwrap();
    assert_eq!(options.plan_mappings["people.json"].columns["title"], "ignore");
    assert_eq!(options.plan_mappings["colleagues.json"].columns["title"], "title");
}

async fn a_plan_files_mapping_the_import_could_not_follow_is_refused_beside_its_column_and_not_saved(
    db: TestDb,
) {
    let (app, browser) = logged_in_admin(db).await;
    let preview_path = location(&upload_files(&app, &browser, contacts_plan()).await);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    let refused = async |changes: &[(&str, &str)], action: &str| {
        let r = post(&app, &browser, &preview_path, &form_of(&html, changes, action)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        r.text().await.unwrap()
    };

    // Two of Ada's columns to one field: refused beside the second, in her file only.
    let page = refused(&[("map:people.json:firstName", "last_name")], "preview").await;
    let row = column_row(&page, "map:people.json:lastName");
    assert!(row.contains(r#"aria-invalid="true""#), "{row}");
    assert!(
        visible(row).contains("“firstName” and “lastName” both go to last_name; choose one"),
        "{row}"
    );
    assert_eq!(page.matches("class=\"field-error\"").count(), 1, "{page}");
    assert!(
        !page.contains(r#"class="alert error""#),
        "said once, beside the column"
    );
    // The page shows the mapping as it was, and that is what is still saved.
    assert_eq!(goes_to(&page, "map:people.json:firstName"), "first_name");
    let (_, again) = get_text(&app, &browser, &preview_path).await;
    assert_eq!(goes_to(&again, "map:people.json:firstName"), "first_name");
    assert!(!again.contains("field-error"));

    // A field contacts do not have (a forged form) is refused beside its column too.
    let page = refused(&[("map:people.json:title", "stage")], "preview").await;
    assert!(
        visible(column_row(&page, "map:people.json:title")).contains("unknown contact field 'stage'"),
        "{page}"
    );

    // Every column of a file ignored: the file maps nothing, said in its own section.
    let all: Vec<(String, String)> = selects(&html)
        .into_iter()
        .filter(|(name, _)| name.starts_with("map:colleagues.json:"))
        .map(|(name, _)| (name, "ignore".to_owned()))
        .collect();
    let all: Vec<(&str, &str)> = all.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let page = refused(&all, "preview").await;
    let marker = r#"id="plan-file-3-error">"#;
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no error in the file's section: {page}"));
    let message = &page[at + marker.len()..];
    let message = &message[..message.find("</p>").unwrap()];
    assert!(
        message.starts_with("the header has no column that maps to a contact field"),
        "named by its section, not by where the server keeps it: {message}"
    );
    let section = &page[page.find(r#"id="plan-file-3""#).unwrap()..at];
    assert!(section.contains("colleagues.json"), "in the file's own section");

    // Refused at the start too: nothing is started.
    refused(&[("map:people.json:firstName", "last_name")], "start").await;
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM import_jobs").await, 0);
}

const DEALS_PLAN: &str = r#"[
  {"sobject":"Account","saveRefs":true,"resolveRefs":false,"files":["accounts.json"]},
  {"sobject":"Opportunity","saveRefs":true,"resolveRefs":true,"files":["deals.json","more-deals.json"]}
]"#;
/// A stage of the apex-recipes org's own, in two files.
const DEALS: &str = r#"{"records":[
  {"attributes":{"type":"Opportunity","referenceId":"OpportunityRef1"},"name":"Engine order","StageName":"Assigned dynamically","accountId":"@AccountRef1"}
]}"#;
const MORE_DEALS: &str = r#"{"records":[
  {"attributes":{"type":"Opportunity","referenceId":"OpportunityRef2"},"name":"Compiler order","StageName":"Assigned dynamically","accountId":"@AccountRef2"}
]}"#;

async fn a_list_value_mapped_in_one_file_of_a_plan_is_mapped_in_that_file_only(db: TestDb) {
    let (app, browser) = logged_in_admin(db).await;
    let files = [
        ("plan.json", DEALS_PLAN),
        ("accounts.json", ACCOUNTS),
        ("deals.json", DEALS),
        ("more-deals.json", MORE_DEALS),
    ]
    .iter()
    .map(|(name, text)| ((*name).to_owned(), text.as_bytes().to_vec()))
    .collect();
    let preview_path = location(&upload_files(&app, &browser, files).await);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    for n in [2, 3] {
        let values = visible(table(&html, &format!("plan-file-{n}-values")));
        assert!(
            values.contains("opportunity_stage Assigned dynamically 1 Leave out"),
            "{values}"
        );
    }
    let pick = "pick:deals.json:opportunity_stage:Assigned dynamically";
    let r = post(
        &app,
        &browser,
        &preview_path,
        &form_of(&html, &[(pick, "discovery")], "preview"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_text(&app, &browser, &preview_path).await;
    assert_eq!(goes_to(&html, pick), "discovery");
    let values = visible(table(&html, "plan-file-2-values"));
    assert!(
        values.contains("opportunity_stage Assigned dynamically mapped"),
        "{values}"
    );
    let values = visible(table(&html, "plan-file-3-values"));
    assert!(values.contains("Assigned dynamically 1 Leave out"), "{values}");
    let facts = visible(table(&html, "preview-facts"));
    assert!(facts.contains("Values that will be left out 1"), "{facts}");

    let job_path = start(&app, &browser, &preview_path, &html).await;
    let progress = finished(&app, &browser, &job_path, 4).await;
    assert_eq!(progress["status"], "done", "{progress}");
    assert_eq!(progress["issues"], 1, "the other file's value: {progress}");
    let stage = async |name: &str| -> String {
        app.store
            .reader()
            .fetch_one(query("SELECT stage AS v FROM opportunities WHERE name = $1").bind(name.to_owned()))
            .await
            .unwrap()
            .get("v")
            .unwrap()
    };
    assert_eq!(stage("Engine order").await, "discovery");
    assert_eq!(stage("Compiler order").await, "pending_acceptance");
}

async fn a_plan_job_resumed_after_a_restart_maps_each_file_as_it_was_started(db: TestDb) {
    let (app, _admin) = app_with_admin(db).await;
    // A job started from the page whose process died before it ran: all it has is its row and
    // the uploaded files.
    let id = prospector_core::ids::uuid_v7_at(app.app.now());
    let dir = app.app.upload_dir(id);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in contacts_plan() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let options = ImportOptions {
        plan_mappings: BTreeMap::from([(
            "people.json".to_owned(),
            UserMapping {
                columns: BTreeMap::from([
                    ("firstName".to_owned(), "custom".to_owned()),
                    ("title".to_owned(), "ignore".to_owned()),
                ]),
                ..UserMapping::default()
            },
        )]),
        ..ImportOptions::default()
    };
    let options = serde_json::to_value(&options).unwrap();
    leave_job_running(&app, id, "plan", "plan.json", options, 4).await;

    app.app.resume_import_job(&Actor::cli(), id).await.unwrap();
    let job = until_finished(&app, id).await;
    assert_eq!(job.status, "done", "{:?}", job.summary);
    let (first, title, custom) = person(&app, "ada@example.com").await;
    assert_eq!((first, title), (None, None), "people.json as it was started");
    assert_eq!(custom["firstName"], "Ada", "{custom}");
    let (first, title, _) = person(&app, "grace@example.com").await;
    assert_eq!(
        (first.as_deref(), title.as_deref()),
        (Some("Grace"), Some("Rear Admiral"))
    );
}
