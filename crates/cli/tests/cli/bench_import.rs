//! `prospector bench import`, small, as the team runs it: the import, the bare loads and the bulk
//! SQL yardstick (the same rows written into our tables by `INSERT … SELECT`) all run, so a migration that changes the
//! tables cannot quietly break the benchmark whose figures docs/benchmarks.md records.

use prospector_testkit::{Backend, TestDb, on_both_backends};

use crate::support::success;

async fn the_import_benchmark_runs_the_import_the_bare_load_and_the_bulk_sql(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    // The benchmark makes its own databases: next to the test's one on PostgreSQL, files on SQLite.
    let postgres_url = match db.backend {
        Backend::Postgres => db.url.as_str(),
        Backend::Sqlite => "none",
    };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_prospector"))
        .env("PROSPECTOR_LOG", "error")
        .args(["bench", "import", "--rows", "400", "--dir"])
        .arg(dir.path())
        .args(["--postgres-url", postgres_url])
        .output()
        .unwrap();
    let stdout = success(&output);
    let backends: &[&str] = match db.backend {
        Backend::Postgres => &["sqlite  ", "postgres"],
        Backend::Sqlite => &["sqlite  "],
    };
    let imported = |backend: &str| {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{backend} import:")))
            .unwrap_or_else(|| panic!("no {backend} import line in {stdout}"));
        line.split_once(" lead rows read — ")
            .map(|(_, counts)| counts.to_owned())
    };
    for backend in backends {
        assert!(
            stdout.contains(&format!("{backend} bulk SQL ")),
            "no {backend} bulk SQL line in {stdout}"
        );
        assert!(
            stdout.contains(&format!("{backend} ratio import / bare load: ")),
            "{stdout}"
        );
        assert_eq!(
            imported(backend),
            imported("sqlite  "),
            "both backends decide the same rows"
        );
    }
    let created = imported("sqlite  ").unwrap_or_default();
    assert!(
        created.contains("0 refused") && !created.starts_with("0 created"),
        "{created}"
    );
}

on_both_backends!(the_import_benchmark_runs_the_import_the_bare_load_and_the_bulk_sql);
