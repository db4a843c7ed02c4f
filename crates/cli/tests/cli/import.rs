//! `prospector import` and `export` as a user runs them: exit codes, the report beside the file,
//! and an import killed with SIGKILL mid-way that resumes to exactly what a clean run gives.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prospector_store::{Exec, Store, StoreOptions, query};
use prospector_testkit::{TestDb, on_both_backends};

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

fn leads(path: &Path, rows: usize) {
    let mut text = String::from("Id,FirstName,LastName,Email,Company,Country\n");
    for i in 0..rows {
        writeln!(
            text,
            "00Q{i:09},{},{}son,p{i}@company{}.com,Company {},US",
            word(i),
            word(i * 7 + 3),
            i % 301,
            i % 301
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

async fn a_killed_import_resumes_to_the_same_result_as_a_clean_one(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let rows = 20_000;
    leads(&file, rows);

    let mut child = prospector(&db.url)
        .args([
            "import",
            file.to_str().unwrap(),
            "--object",
            "lead",
            "--batch-size",
            "250",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut killed_at = None;
    while Instant::now() < deadline {
        let done = scalar(&db.url, "SELECT MAX(rows_done) AS n FROM import_jobs")
            .await
            .unwrap_or(0);
        if done > 0 {
            child.kill().unwrap(); // SIGKILL
            killed_at = Some(done);
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.wait();
    let killed_at = killed_at.expect("the import committed a batch before the deadline");
    assert!(killed_at < rows as i64, "killed after the import had finished");
    // Whole batches only: progress and rows commit together.
    let people = scalar(&db.url, "SELECT COUNT(*) AS n FROM people").await.unwrap();
    let done = scalar(&db.url, "SELECT MAX(rows_done) AS n FROM import_jobs")
        .await
        .unwrap();
    let kept = scalar(
        &db.url,
        "SELECT MAX(rows_done - duplicates - refused) AS n FROM import_jobs",
    )
    .await
    .unwrap();
    assert_eq!(done % 250, 0, "a half-written batch: {done} rows done");
    assert_eq!(people, kept, "rows and progress disagree");

    let output = prospector(&db.url)
        .args([
            "import",
            file.to_str().unwrap(),
            "--object",
            "lead",
            "--resume",
            "--json",
            "--batch-size",
            "250",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(summary["resumed_from"].as_i64().unwrap() >= done, "{summary}");
    assert_eq!(summary["counts"]["rows"], rows as i64, "{summary}");

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
        "SELECT COUNT(*) AS n FROM search_docs",
    ] {
        assert_eq!(scalar(&db.url, sql).await, scalar(&clean.url, sql).await, "{sql}");
    }
    assert!(scalar(&db.url, "SELECT COUNT(*) AS n FROM people").await.unwrap() > 0);
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

on_both_backends!(
    a_killed_import_resumes_to_the_same_result_as_a_clean_one,
    exit_codes_and_the_report_beside_the_file,
);
