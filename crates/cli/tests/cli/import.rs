//! `prospector import` and `export` as a user runs them: exit codes, the report beside the file,
//! and an import killed with SIGKILL mid-way that resumes to exactly what a clean run gives.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prospector_store::{Exec, Store, StoreOptions, query};
use prospector_testkit::{TestDb, on_both_backends};

use crate::support::{one_line_failure, shared_data, success};

fn prospector(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prospector"));
    command
        .env_remove("PROSPECTOR_DATABASE_URL")
        .env("PROSPECTOR_LOG", "warn")
        .arg("--database-url")
        .arg(url);
    command
}

/// A distinct made-up word for `n` (the matcher ignores digits in names).
fn word(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    let mut chars = out.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

/// `rows` leads; every 997th has no name (refused, with a problem in the report) and every
/// 1,009th repeats an earlier person's email under a new Id (a duplicate the matcher merges).
fn leads(path: &Path, rows: usize) {
    let mut text = String::from("Id,FirstName,LastName,Email,Company,Country\n");
    for i in 0..rows {
        if i % 997 == 996 {
            writeln!(text, "00Q{i:09},,,,Company {},US", i % 301).unwrap();
            continue;
        }
        let email_of = if i % 1009 == 1008 { i - 500 } else { i };
        writeln!(
            text,
            "00Q{i:09},{},{}son,p{email_of}@company{}.com,Company {},US",
            word(email_of),
            word(email_of * 7 + 3),
            email_of % 301,
            email_of % 301
        )
        .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

async fn scalar(url: &str, sql: &'static str) -> Option<i64> {
    let store = Store::connect(url, &StoreOptions::default()).await.ok()?;
    let value = match store.reader().fetch_optional(query(sql)).await {
        Ok(Some(row)) => row.get::<i64>("n").ok(),
        _ => None,
    };
    store.close().await;
    value
}

const BATCH: i64 = 250;

/// Starts an import of `file` and SIGKILLs it once the job has committed more than `after` rows;
/// returns the rows committed when it was killed.
async fn import_and_kill(url: &str, file: &Path, after: i64) -> i64 {
    let mut child = prospector(url)
        .args([
            "import",
            file.to_str().unwrap(),
            "--object",
            "lead",
            "--batch-size",
            &BATCH.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut killed_at = None;
    while Instant::now() < deadline {
        let done = scalar(url, "SELECT MAX(rows_done) AS n FROM import_jobs")
            .await
            .unwrap_or(0);
        if done > after {
            child.kill().unwrap(); // SIGKILL: no destructor, no rollback by us
            killed_at = Some(done);
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = child.wait();
    killed_at.expect("the import committed a batch past the mark before it finished")
}

/// What a killed import leaves: whole batches only, rows and progress committed together.
async fn assert_whole_batches(url: &str, rows: i64) -> i64 {
    let done = scalar(url, "SELECT MAX(rows_done) AS n FROM import_jobs")
        .await
        .unwrap();
    assert!(done < rows, "killed after the import had finished");
    assert_eq!(done % BATCH, 0, "a half-written batch: {done} rows done");
    let people = scalar(url, "SELECT COUNT(*) AS n FROM people").await.unwrap();
    let kept = scalar(
        url,
        "SELECT MAX(rows_done - duplicates - refused) AS n FROM import_jobs",
    )
    .await
    .unwrap();
    assert_eq!(people, kept, "rows and progress disagree");
    let problems = scalar(url, "SELECT COUNT(*) AS n FROM import_errors")
        .await
        .unwrap();
    let reported = scalar(
        url,
        "SELECT MAX(refused + duplicates + issues) AS n FROM import_jobs",
    )
    .await
    .unwrap();
    assert_eq!(problems, reported, "problems of a batch commit with the batch");
    done
}

async fn a_killed_import_resumes_to_the_same_result_as_a_clean_one(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let rows = 20_000;
    leads(&file, rows);
    let rows = rows as i64;

    // Killed twice: right after its first batch, then again after a resumed run got further.
    import_and_kill(&db.url, &file, 0).await;
    let first = assert_whole_batches(&db.url, rows).await;
    import_and_kill(&db.url, &file, first + 4 * BATCH).await;
    let second = assert_whole_batches(&db.url, rows).await;
    assert!(second > first);
    assert_eq!(
        scalar(&db.url, "SELECT COUNT(*) AS n FROM import_jobs").await,
        Some(1),
        "the second run resumed the first job"
    );

    let output = prospector(&db.url)
        .args([
            "import",
            file.to_str().unwrap(),
            "--object",
            "lead",
            "--resume",
            "--json",
            "--batch-size",
            &BATCH.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(summary["resumed_from"].as_i64().unwrap() >= second, "{summary}");
    assert_eq!(summary["counts"]["rows"], rows, "{summary}");
    assert_eq!(summary["status"], "done", "{summary}");

    let clean = TestDb::new(match db.backend {
        prospector_testkit::Backend::Sqlite => prospector_testkit::Backend::Sqlite,
        prospector_testkit::Backend::Postgres => prospector_testkit::Backend::Postgres,
    })
    .await
    .unwrap();
    let status = prospector(&clean.url)
        .args(["import", file.to_str().unwrap(), "--object", "lead", "--json"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for sql in [
        "SELECT COUNT(*) AS n FROM people",
        "SELECT COUNT(DISTINCT email) AS n FROM people",
        "SELECT COUNT(*) AS n FROM external_ids",
        "SELECT COUNT(DISTINCT external_id) AS n FROM external_ids",
        "SELECT COUNT(*) AS n FROM search_docs",
        "SELECT COUNT(*) AS n FROM import_errors",
        "SELECT MAX(created) AS n FROM import_jobs",
        "SELECT MAX(duplicates) AS n FROM import_jobs",
        "SELECT MAX(refused) AS n FROM import_jobs",
    ] {
        assert_eq!(scalar(&db.url, sql).await, scalar(&clean.url, sql).await, "{sql}");
    }
    // Every good row exactly once: each person once, each problem reported once.
    let bad = rows / 997;
    let people = scalar(&db.url, "SELECT COUNT(*) AS n FROM people").await.unwrap();
    let duplicates = scalar(&db.url, "SELECT MAX(duplicates) AS n FROM import_jobs")
        .await
        .unwrap();
    assert!(
        duplicates >= rows / 1009 - 1,
        "near-duplicates were merged: {duplicates}"
    );
    assert_eq!(people, rows - bad - duplicates);
    assert_eq!(
        scalar(&db.url, "SELECT COUNT(DISTINCT email) AS n FROM people").await,
        Some(people)
    );
    assert_eq!(
        scalar(&db.url, "SELECT COUNT(DISTINCT line) AS n FROM import_errors").await,
        Some(bad + duplicates),
        "each bad or duplicate row reported once"
    );
}

async fn exit_codes_and_the_report_beside_the_file(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("logo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let output = prospector(&db.url)
        .args(["import", png.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a CSV or JSON"));

    let file = dir.path().join("leads.csv");
    std::fs::write(
        &file,
        "Id,FirstName,LastName,Email,CreatedDate\n00Q1,Ada,Lovelace,ada@example.com,2024-01-02\n00Q2,,,,\n00Q3,Grace,Hopper,grace@example.com,yesterday\n",
    )
    .unwrap();
    let output = prospector(&db.url)
        .args(["import", file.to_str().unwrap(), "--object", "lead"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout);
    assert!(line.contains("2 created"), "{line}");
    let report = std::fs::read_to_string(dir.path().join("leads.csv.errors.csv")).unwrap();
    assert!(
        report.contains("\n3,3,LastName,last_name,required,true,"),
        "{report}"
    );
    assert!(
        report.contains("\n4,5,CreatedDate,created_at,invalid_datetime,false,"),
        "{report}"
    );

    let export = prospector(&db.url)
        .args([
            "export",
            "--object",
            "lead",
            "--format",
            "salesforce",
            "--null",
            "#N/A",
        ])
        .output()
        .unwrap();
    assert!(export.status.success());
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        text.starts_with(
            "Id,FirstName,LastName,Email,Phone,Title,Company,Country,Status,LeadSource,CreatedDate\n"
        ),
        "{text}"
    );
    assert!(text.contains("00Q1,Ada,Lovelace,ada@example.com,#N/A,"), "{text}");
    assert!(text.contains(",2024-01-02T00:00:00.000Z\n"), "{text}");
}

async fn a_mapping_file_gives_one_file_of_a_data_plan_columns_of_its_own(db: TestDb) {
    let plan = shared_data().join("salesforce/apex-recipes/data-plan.json");
    let plan = plan.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let import_with = |mapping: &str| {
        let path = dir.path().join("mapping.toml");
        std::fs::write(&path, mapping).unwrap();
        prospector(&db.url)
            .args(["import", plan, "--mapping", path.to_str().unwrap()])
            .output()
            .unwrap()
    };

    // A misspelt file name is refused before anything is read, rather than ignored.
    let output = import_with("[files.\"Contact.json\".columns]\ntitle = \"ignore\"\n");
    let stderr = one_line_failure(&output);
    assert!(
        stderr.contains("Contact.json, which the data plan does not list (it lists Accounts.json, Contacts.json, Opportunities.json)"),
        "{stderr}"
    );
    assert_eq!(
        scalar(&db.url, "SELECT COUNT(*) AS n FROM accounts").await,
        Some(0)
    );

    let output = import_with("[files.\"Contacts.json\".columns]\ntitle = \"ignore\"\nphone = \"custom\"\n");
    success(&output);
    let contacts = scalar(&db.url, "SELECT COUNT(*) AS n FROM people WHERE kind = 'contact'").await;
    assert!(contacts > Some(100), "{contacts:?}");
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) AS n FROM people WHERE title IS NOT NULL OR phone IS NOT NULL"
        )
        .await,
        Some(0),
        "the contacts' titles are ignored and their phones kept as a custom field"
    );
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) AS n FROM people WHERE CAST(custom_fields AS TEXT) LIKE '%\"phone\"%'"
        )
        .await,
        contacts
    );

    // A per-file section for a file that is not a plan is refused, not silently dropped.
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "Id,FirstName,LastName\n00Q1,Ada,Lovelace\n").unwrap();
    let path = dir.path().join("mapping.toml");
    let output = prospector(&db.url)
        .args([
            "import",
            csv.to_str().unwrap(),
            "--object",
            "lead",
            "--mapping",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = one_line_failure(&output);
    assert!(
        stderr.contains("only a data plan has files of its own"),
        "{stderr}"
    );
}

/// A batch is decided while the one before it is still being written: a row whose id the batch
/// before imported must still update that record, not be taken for a new one or a duplicate.
async fn a_row_repeated_in_the_next_batch_updates_the_record_the_first_one_made(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    std::fs::write(
        &file,
        "Id,FirstName,LastName,Email,Title\n\
         00QA,Ada,Lovelace,ada@example.com,Analyst\n\
         00QB,Grace,Hopper,grace@example.com,Admiral\n\
         00QA,Ada,Lovelace,ada@example.com,Countess\n\
         00QC,Alan,Turing,alan@example.com,Fellow\n",
    )
    .unwrap();
    let output = prospector(&db.url)
        .args([
            "import",
            file.to_str().unwrap(),
            "--object",
            "lead",
            "--batch-size",
            "2",
        ])
        .output()
        .unwrap();
    let stdout = success(&output);
    assert!(
        stdout.contains("3 created, 1 updated, 0 unchanged, 0 duplicates"),
        "{stdout}"
    );
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) AS n FROM people").await, Some(3));
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) AS n FROM people WHERE title = 'Countess'"
        )
        .await,
        Some(1),
        "the later row's title is kept"
    );
}

on_both_backends!(
    a_killed_import_resumes_to_the_same_result_as_a_clean_one,
    exit_codes_and_the_report_beside_the_file,
    a_mapping_file_gives_one_file_of_a_data_plan_columns_of_its_own,
    a_row_repeated_in_the_next_batch_updates_the_record_the_first_one_made,
);
