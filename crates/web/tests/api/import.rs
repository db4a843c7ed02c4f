//! Imports and exports through the app, on both backends: every real file under shared/data as it is,
//! bad input pinned to line and column, re-import idempotence, strict mode and export round trips.

use std::path::{Path, PathBuf};

use prospector_app::Actor;
use prospector_app::import::export::{ExportFormat, ExportOptions};
use prospector_app::import::{ImportOptions, ImportReport};
use prospector_core::import::ObjectKind;
use prospector_store::{Exec, query};
use prospector_testkit::{TestApp, TestDb, on_both_backends};

/// `shared/data`, found by walking up from this crate.
fn data_dir() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("data");
        if candidate.is_dir() {
            return candidate;
        }
        assert!(dir.pop(), "no shared/data above {}", env!("CARGO_MANIFEST_DIR"));
    }
}

fn options(object: Option<ObjectKind>) -> ImportOptions {
    ImportOptions {
        object,
        ..ImportOptions::default()
    }
}

async fn import(app: &TestApp, path: &Path, object: Option<ObjectKind>) -> Vec<ImportReport> {
    app.app
        .import_path(&Actor::cli(), path, &options(object), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store
        .reader()
        .fetch_one(query(sql))
        .await
        .unwrap()
        .get("n")
        .unwrap()
}

async fn text(app: &TestApp, sql: &'static str) -> Option<String> {
    app.store
        .reader()
        .fetch_one(query(sql))
        .await
        .unwrap()
        .get("v")
        .unwrap()
}

async fn sobject_tree_data_plan_imports_with_references_and_reimports_unchanged(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let plan = data_dir().join("salesforce/apex-recipes/data-plan.json");
    let reports = import(&app, &plan, None).await;
    let objects: Vec<&str> = reports.iter().map(|r| r.object.as_str()).collect();
    assert_eq!(objects, ["account", "contact", "opportunity"]);
    let c = &reports[0].counts;
    assert_eq!((c.rows, c.created + c.duplicates, c.refused), (50, 50, 0));
    assert_eq!((reports[1].counts.rows, reports[1].counts.created), (150, 150));
    assert_eq!((reports[2].counts.rows, reports[2].counts.created), (50, 50));
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM people WHERE kind = 'contact'").await,
        150
    );
    // Every contact's @AccountRefN resolved to an account from the first step.
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM people WHERE account_id IS NULL").await,
        0
    );
    assert_eq!(
        text(
            &app,
            "SELECT email AS v FROM people WHERE last_name = 'Sinisbury'"
        )
        .await
        .as_deref(),
        Some("lsinisbury0@dropbox.com")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM opportunities WHERE account_id IS NOT NULL"
        )
        .await,
        50
    );
    let people_before = count(&app, "SELECT COUNT(*) AS n FROM people").await;

    let again = import(&app, &plan, None).await;
    for report in &again {
        assert_eq!(
            report.counts.created + report.counts.updated,
            0,
            "{}",
            report.one_line()
        );
        assert_eq!(
            report.counts.unchanged,
            report.counts.rows,
            "{}",
            report.one_line()
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM people").await,
        people_before
    );
}

async fn apex_recipes_csv_files_import_and_unknown_references_are_reported(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let dir = data_dir().join("salesforce/apex-recipes");
    let accounts = import(&app, &dir.join("Accounts.csv"), None).await.remove(0);
    assert_eq!(accounts.object, "account");
    assert_eq!(accounts.counts.rows, 50);
    assert_eq!(accounts.counts.created + accounts.counts.duplicates, 50);
    assert!(
        accounts.custom_fields.contains(&"fax".to_owned()),
        "{:?}",
        accounts.custom_fields
    );
    let contacts = import(&app, &dir.join("Contacts.csv"), None).await.remove(0);
    assert_eq!(contacts.object, "contact");
    assert_eq!(contacts.counts.rows, 150);
    assert_eq!(contacts.counts.refused, 0);
    // The CSV accounts carry no reference ids, so `@AccountRefN` points at nothing: reported, row kept.
    let unresolved: Vec<_> = contacts
        .problems
        .iter()
        .filter(|p| p.code == "unresolved_reference")
        .collect();
    assert_eq!(unresolved.len(), 150);
    assert_eq!((unresolved[0].line, unresolved[0].column), (2, Some(4)));
    assert_eq!(unresolved[0].header.as_deref(), Some("accountId"));
    let opportunities = import(&app, &dir.join("Opportunities.csv"), None).await.remove(0);
    assert_eq!(
        (opportunities.object.as_str(), opportunities.counts.rows),
        ("opportunity", 50)
    );
    assert_eq!(opportunities.counts.created, 50);
    assert_eq!(
        count(
            &app,
            "SELECT amount_cents AS n FROM opportunities WHERE name = 'Cape starling'"
        )
        .await,
        11_937_334
    );
}

async fn fivetran_wide_exports_import_with_custom_fields(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let dir = data_dir().join("salesforce/fivetran");
    let cases = [
        ("sf_account_data.csv", ObjectKind::Account, 10),
        ("sf_lead_data.csv", ObjectKind::Lead, 1),
        ("sf_contact_data.csv", ObjectKind::Contact, 1),
        ("sf_opportunity_data.csv", ObjectKind::Opportunity, 10),
        ("sf_task_data.csv", ObjectKind::Task, 10),
        ("sf_event_data.csv", ObjectKind::Task, 10),
    ];
    for (file, object, created) in cases {
        let report = import(&app, &dir.join(file), Some(object)).await.remove(0);
        assert_eq!(report.counts.created, created, "{}", report.one_line());
        assert_eq!(
            report.counts.created + report.counts.refused + report.counts.duplicates,
            report.counts.rows,
            "{}",
            report.one_line()
        );
    }
    let lead = import(&app, &dir.join("sf_lead_data.csv"), Some(ObjectKind::Lead))
        .await
        .remove(0);
    assert_eq!(lead.counts.unchanged, 1);
    assert!(lead.custom_fields.iter().any(|f| f == "utm_source_c"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM tasks").await, 20);
    // The user file is not people we can import: every row is refused with a reason, nothing crashes.
    let users = import(&app, &dir.join("sf_user_data.csv"), Some(ObjectKind::Contact))
        .await
        .remove(0);
    assert_eq!(users.counts.refused, users.counts.rows);
}

async fn fortune500_in_utf16_imports_as_accounts_with_domains_and_revenue(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let path = data_dir().join("companies/fortune500_utf16.csv");
    let report = import(&app, &path, Some(ObjectKind::Account)).await.remove(0);
    assert_eq!(report.encoding, "UTF-16LE");
    assert_eq!(report.counts.rows, 500);
    assert_eq!(report.counts.created + report.counts.duplicates, 500);
    assert!(report.counts.created >= 490, "{}", report.one_line());
    assert_eq!(
        count(&app, "SELECT employees AS n FROM accounts WHERE name = 'Walmart'").await,
        2_200_000
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM account_domains WHERE domain = 'walmart.com'"
        )
        .await,
        1
    );
}

async fn bad_rows_are_reported_with_line_and_column_and_the_rest_is_imported(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("logo.csv");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").unwrap();
    let error = app
        .app
        .import_path(&Actor::cli(), &png, &options(None), &|_| {})
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not a CSV or JSON"), "{error}");

    let nothing = dir.path().join("colours.csv");
    std::fs::write(&nothing, "colour,size\nred,L\n").unwrap();
    let error = app
        .app
        .import_path(&Actor::cli(), &nothing, &options(Some(ObjectKind::Lead)), &|_| {})
        .await
        .unwrap_err();
    assert!(error.to_string().contains("colour, size"), "{error}");

    let opportunities = dir.path().join("opportunities.csv");
    let long = "x".repeat(32_001);
    std::fs::write(
        &opportunities,
        format!(
            "Id,Name,CloseDate,AccountId,Description\n\
             006A,Good one,2024-05-01,,fine\n\
             006B,Too many,2024-05-01,,a,b\n\
             006C,Oversized,2024-05-01,,{long}\n\
             006D,Bad date,31/31/2024,,fine\n\
             006E,Nowhere,2024-05-01,001MISSING,fine\n\
             006F,Last one,2024-06-30,,fine\n"
        ),
    )
    .unwrap();
    let report = import(&app, &opportunities, Some(ObjectKind::Opportunity))
        .await
        .remove(0);
    let c = &report.counts;
    assert_eq!((c.rows, c.created, c.refused), (6, 4, 2), "{}", report.one_line());
    let at = |code: &str| {
        let p = report
            .problems
            .iter()
            .find(|p| p.code == code)
            .unwrap_or_else(|| panic!("no {code}"));
        (p.line, p.column, p.refused)
    };
    assert_eq!(at("too_many_fields"), (3, Some(6), true));
    assert_eq!(at("too_long"), (4, Some(5), true));
    assert_eq!(at("invalid_date"), (5, Some(3), false));
    assert_eq!(at("unresolved_reference"), (6, Some(4), false));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM opportunities").await, 4);
    assert_eq!(
        text(
            &app,
            "SELECT name AS v FROM opportunities WHERE close_date IS NULL"
        )
        .await
        .as_deref(),
        Some("Bad date")
    );
    let csv = report.errors_csv();
    assert!(
        csv.starts_with("line,column,header,field,code,refused,message\n3,6,"),
        "{csv}"
    );

    // --strict: the same file imports nothing.
    let app2 = TestApp::spawn(TestDb::sqlite().await).await;
    let strict = ImportOptions {
        strict: true,
        ..options(Some(ObjectKind::Opportunity))
    };
    let report = app2
        .app
        .import_path(&Actor::cli(), &opportunities, &strict, &|_| {})
        .await
        .unwrap()
        .remove(0);
    assert_eq!(report.status, "rejected");
    assert_eq!(count(&app2, "SELECT COUNT(*) AS n FROM opportunities").await, 0);
}

async fn a_newer_file_updates_what_changed_and_duplicates_within_the_file_are_caught(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    let header = "Id,FirstName,LastName,Email,Company,Title,Country\n";
    std::fs::write(
        &path,
        format!(
            "{header}00Q1,Ada,Lovelace,ada@analytical.co.uk,Analytical Engines,CTO,GB\n\
             00Q2,Grace,Hopper,grace@navy.mil,US Navy,Rear Admiral,US\n\
             00Q3,Ada,Lovelace,ADA@analytical.co.uk,Analytical Engines,CTO,GB\n"
        ),
    )
    .unwrap();
    let first = import(&app, &path, Some(ObjectKind::Lead)).await.remove(0);
    assert_eq!(
        (first.counts.created, first.counts.duplicates),
        (2, 1),
        "{}",
        first.one_line()
    );
    std::fs::write(
        &path,
        format!(
            "{header}00Q1,Ada,Lovelace,ada@analytical.co.uk,Analytical Engines,Countess,GB\n\
             00Q2,Grace,Hopper,grace@navy.mil,US Navy,Rear Admiral,US\n"
        ),
    )
    .unwrap();
    let second = import(&app, &path, Some(ObjectKind::Lead)).await.remove(0);
    assert_eq!(
        (
            second.counts.updated,
            second.counts.unchanged,
            second.counts.created
        ),
        (1, 1, 0)
    );
    assert_eq!(
        text(&app, "SELECT title AS v FROM people WHERE last_name = 'Lovelace'")
            .await
            .as_deref(),
        Some("Countess")
    );
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people").await, 2);
}

async fn export(app: &TestApp, object: ObjectKind) -> String {
    let mut out = Vec::new();
    let options = ExportOptions {
        object,
        format: ExportFormat::Salesforce,
        since: None,
        null: "#N/A".into(),
    };
    app.app
        .export_csv(&Actor::cli(), &options, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

async fn export_then_import_into_an_empty_database_then_export_gives_identical_files(db: TestDb) {
    let backend = db.backend;
    let app = TestApp::spawn(db).await;
    import(
        &app,
        &data_dir().join("salesforce/apex-recipes/data-plan.json"),
        None,
    )
    .await;
    let objects = [ObjectKind::Account, ObjectKind::Contact, ObjectKind::Opportunity];
    let dir = tempfile::tempdir().unwrap();
    let mut first = Vec::new();
    for object in objects {
        let text = export(&app, object).await;
        assert!(text.lines().count() > 40, "{object:?}: {text}");
        let path = dir.path().join(format!("{}.csv", object.code()));
        std::fs::write(&path, &text).unwrap();
        first.push((object, path, text));
    }
    assert!(
        first[1]
            .2
            .starts_with("Id,FirstName,LastName,Email,Phone,Title,AccountId,")
    );
    let empty = TestApp::spawn(TestDb::new(backend).await.unwrap()).await;
    for (object, path, _) in &first {
        let report = import(&empty, path, Some(*object)).await.remove(0);
        assert_eq!(report.counts.refused, 0, "{}", report.one_line());
    }
    for (object, _, text) in &first {
        assert_eq!(&export(&empty, *object).await, text, "{object:?}");
    }
}

on_both_backends!(
    sobject_tree_data_plan_imports_with_references_and_reimports_unchanged,
    apex_recipes_csv_files_import_and_unknown_references_are_reported,
    fivetran_wide_exports_import_with_custom_fields,
    fortune500_in_utf16_imports_as_accounts_with_domains_and_revenue,
    bad_rows_are_reported_with_line_and_column_and_the_rest_is_imported,
    a_newer_file_updates_what_changed_and_duplicates_within_the_file_are_caught,
    export_then_import_into_an_empty_database_then_export_gives_identical_files,
    small_batches_import_the_same_and_refresh_postgres_statistics_as_the_tables_grow,
);

/// Many small batches give the same result as a few large ones, and on PostgreSQL the import
/// refreshes the planner's statistics for the id lookup as the table grows (without that, the
/// lookup of each batch scanned every id: 600x the bare load at 100,000 rows).
async fn small_batches_import_the_same_and_refresh_postgres_statistics_as_the_tables_grow(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let file = data_dir().join("salesforce/apex-recipes/Accounts.json");
    let small = ImportOptions {
        object: Some(ObjectKind::Account),
        batch_size: 7,
        ..ImportOptions::default()
    };
    let reports = app
        .app
        .import_path(&Actor::cli(), &file, &small, &|_| {})
        .await
        .unwrap();
    let c = &reports[0].counts;
    assert_eq!((c.rows, c.created + c.duplicates, c.refused), (50, 50, 0));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM accounts").await, c.created);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM external_ids").await, 50);
    if app.store.backend() == prospector_store::Backend::Postgres {
        let analyzed = count(
            &app,
            "SELECT COUNT(*) AS n FROM pg_class WHERE relname = 'external_ids' AND reltuples > 0",
        )
        .await;
        assert_eq!(analyzed, 1, "the import analyzed external_ids");
    }
}
