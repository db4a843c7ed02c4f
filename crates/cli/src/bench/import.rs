//! `prospector bench import`: generated Salesforce leads (fixed seed: realistic names and
//! companies, ~20% sharing a company domain, ~5% near-duplicates) imported through the real import
//! path into SQLite and PostgreSQL, beside a bare load of the same file (`sqlite3 .import`,
//! PostgreSQL `\copy`), with the ratios and the peak memory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use prospector_app::import::{ImportOptions, ImportReport};
use prospector_app::{Actor, App, AppSettings, SystemClock};
use prospector_core::import::ObjectKind;
use prospector_store::{Store, StoreOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::import_bulk_sql;
use super::names::{FIRST, KINDS, LAST, WORDS};

const SUFFIX: &[&str] = &["Inc.", "LLC", "GmbH", "Ltd", "Corp.", "SA", "AG", ""];
const TITLES: &[&str] = &[
    "VP Engineering",
    "CTO",
    "DevOps Lead",
    "Engineering Manager",
    "Head of Platform",
    "Software Architect",
    "Director of IT",
    "Staff Engineer",
    "Release Manager",
    "Security Engineer",
];
const STATUSES: &[&str] = &["Open - Not Contacted", "Working - Contacted", "Nurturing", "MQL"];
const SOURCES: &[&str] = &[
    "Web",
    "Webinar",
    "Trade Show",
    "Partner Referral",
    "Purchased List",
    "Advertisement",
];
const COUNTRIES: &[(&str, &str)] = &[
    ("United States", "+1 415 555 "),
    ("Germany", "+49 30 5555"),
    ("United Kingdom", "+44 20 7946 "),
    ("France", "+33 1 55 55 "),
    ("Canada", "+1 416 555 "),
];
const FREE_MAIL: &[&str] = &["gmail.com", "yahoo.com", "outlook.com"];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn cell(value: &str) -> String {
    prospector_app::import::csv_cell(value)
}

/// Writes `rows` leads to `path`.
pub fn generate(path: &Path, rows: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let companies: Vec<(String, String)> = (0..(rows / 25).max(10))
        .map(|i| {
            let name = format!(
                "{} {} {}",
                pick(&mut rng, WORDS),
                pick(&mut rng, KINDS),
                pick(&mut rng, SUFFIX)
            );
            let slug: String = name
                .split_whitespace()
                .take(2)
                .collect::<String>()
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            (name.trim().to_owned(), format!("{slug}{i}.com"))
        })
        .collect();
    let mut out = String::with_capacity(rows * 160);
    out.push_str(
        "Id,FirstName,LastName,Email,Phone,Company,Website,Title,Country,Status,LeadSource,CreatedDate\n",
    );
    let mut previous: Vec<String> = Vec::new();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..rows {
        let id = format!("00Q{i:012}");
        if i > 20 && rng.random_bool(0.05) {
            // A near-duplicate of an earlier lead: same person, a typo in the first name, another id.
            let earlier = &previous[rng.random_range(0..previous.len())];
            let mut fields: Vec<String> = earlier.splitn(2, ',').map(str::to_owned).collect();
            let rest = fields.pop().unwrap_or_default();
            let mut parts: Vec<&str> = rest.splitn(2, ',').collect();
            let first = parts.first().copied().unwrap_or("");
            let typo = if first.len() > 3 {
                format!("{}{}", &first[..first.len() - 1], "e")
            } else {
                first.to_owned()
            };
            parts[0] = &typo;
            writeln!(out, "{id},{}", parts.join(","))?;
        } else {
            let first = pick(&mut rng, FIRST);
            let last = pick(&mut rng, LAST);
            let (company, domain) = &companies[rng.random_range(0..companies.len())];
            let shares_domain = rng.random_bool(0.2);
            let mail_domain = if shares_domain {
                domain.as_str()
            } else {
                pick(&mut rng, FREE_MAIL)
            };
            let local: String = format!("{}.{}{}", first, last, i)
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let (country, prefix) = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
            let phone = format!("{prefix}{:04}", rng.random_range(0..10_000));
            let created = format!(
                "2024-{:02}-{:02}T{:02}:{:02}:00.000Z",
                rng.random_range(1..=12),
                rng.random_range(1..=28),
                rng.random_range(0..24),
                rng.random_range(0..60)
            );
            let line = format!(
                "{},{},{}@{},{},{},{},{},{},{},{},{}",
                cell(first),
                cell(last),
                local,
                mail_domain,
                phone,
                cell(company),
                if shares_domain { domain.as_str() } else { "" },
                cell(pick(&mut rng, TITLES)),
                country,
                pick(&mut rng, STATUSES),
                pick(&mut rng, SOURCES),
                created
            );
            writeln!(out, "{id},{line}")?;
            if previous.len() < 10_000 {
                previous.push(format!("{id},{line}"));
            } else {
                let slot = rng.random_range(0..previous.len());
                previous[slot] = format!("{id},{line}");
            }
        }
        if out.len() > 8 << 20 {
            std::io::Write::write_all(&mut file, out.as_bytes())?;
            out.clear();
        }
    }
    std::io::Write::write_all(&mut file, out.as_bytes())?;
    std::io::Write::flush(&mut file)?;
    Ok(())
}

/// Peak resident memory of this process, from /proc/self/status (VmHWM), in MiB.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn import_into(url: &str, file: &Path) -> anyhow::Result<(f64, ImportReport)> {
    let store = Store::connect(url, &StoreOptions::default()).await?;
    store.migrate().await?;
    let app = App::new(store.clone(), Arc::new(SystemClock), AppSettings::default());
    let options = ImportOptions {
        object: Some(ObjectKind::Lead),
        ..ImportOptions::default()
    };
    let started = Instant::now();
    let mut reports = app.import_path(&Actor::cli(), file, &options, &|_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    Ok((secs, reports.remove(0)))
}

pub(super) fn timed(mut command: Command) -> anyhow::Result<f64> {
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(started.elapsed().as_secs_f64())
}

const BARE_COLUMNS: &str = "id text, first_name text, last_name text, email text, phone text, company text, \
    website text, title text, country text, status text, lead_source text, created_date text";

fn with_database(url: &str, name: &str) -> String {
    let root = url.rsplit_once('/').map_or(url, |(r, _)| r);
    format!("{root}/{name}")
}

/// Runs the benchmark and prints the figures.
pub async fn run(rows: usize, seed: u64, dir: Option<PathBuf>, postgres_url: &str) -> anyhow::Result<()> {
    let temp = tempfile_dir(dir)?;
    let file = temp.join("leads.csv");
    let started = Instant::now();
    generate(&file, rows, seed)?;
    let size = std::fs::metadata(&file)?.len();
    println!(
        "generated {rows} leads (seed {seed}) in {:.1}s: {} ({:.1} MiB)",
        started.elapsed().as_secs_f64(),
        file.display(),
        size as f64 / 1048576.0
    );

    let sqlite_db = temp.join("import.db");
    let _ = std::fs::remove_file(&sqlite_db);
    let (secs, report) = import_into(&format!("sqlite://{}", sqlite_db.display()), &file).await?;
    println!(
        "sqlite   import: {secs:8.1}s  {:>9.0} rows/s  {}",
        rows as f64 / secs,
        report.one_line()
    );
    let bare_db = temp.join("bare.db");
    let _ = std::fs::remove_file(&bare_db);
    let mut sqlite3 = Command::new("sqlite3");
    sqlite3
        .arg(&bare_db)
        .arg(format!("CREATE TABLE bare ({BARE_COLUMNS});"))
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} bare", file.display()));
    let bare = timed(sqlite3)?;
    println!("sqlite3  .import {bare:8.1}s  {:>9.0} rows/s", rows as f64 / bare);
    println!("sqlite   ratio import / bare load: {:.2}x", secs / bare);
    let bulk = import_bulk_sql::sqlite(&file, &temp.join("bulk.db")).await?;
    print_bulk_sql("sqlite  ", bulk, secs, bare);

    if postgres_url != "none" {
        let name = format!("prospector_bench_{}", std::process::id());
        let admin = postgres_url.to_owned();
        let psql = |url: &str, sql: &str| {
            let mut c = Command::new("psql");
            c.arg(url)
                .arg("-v")
                .arg("ON_ERROR_STOP=1")
                .arg("-q")
                .arg("-c")
                .arg(sql);
            c
        };
        timed(psql(&admin, &format!("CREATE DATABASE {name}")))?;
        let url = with_database(&admin, &name);
        let result = async {
            let (secs, report) = import_into(&url, &file).await?;
            println!(
                "postgres import: {secs:8.1}s  {:>9.0} rows/s  {}",
                rows as f64 / secs,
                report.one_line()
            );
            timed(psql(&url, &format!("CREATE TABLE bare ({BARE_COLUMNS})")))?;
            let bare = timed(psql(
                &url,
                &format!(
                    "\\copy bare FROM '{}' WITH (FORMAT csv, HEADER true)",
                    file.display()
                ),
            ))?;
            println!(
                "postgres \\copy   {bare:8.1}s  {:>9.0} rows/s",
                rows as f64 / bare
            );
            println!("postgres ratio import / bare load: {:.2}x", secs / bare);
            timed(psql(&admin, &format!("CREATE DATABASE {name}_bulk")))?;
            let bulk =
                import_bulk_sql::postgres(&file, &with_database(&admin, &format!("{name}_bulk"))).await;
            print_bulk_sql("postgres", bulk?, secs, bare);
            anyhow::Ok(())
        }
        .await;
        for db in [name.clone(), format!("{name}_bulk")] {
            let _ = timed(psql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            ));
        }
        result?;
    }
    match peak_memory_mib() {
        Some(mib) => println!("peak memory (VmHWM): {mib:.0} MiB"),
        None => println!("peak memory: unknown (no /proc/self/status)"),
    }
    Ok(())
}

/// The bulk-SQL line: the same rows written into our own tables by the database's bulk path,
/// against the bare load and against the import.
fn print_bulk_sql(backend: &str, bulk: f64, import: f64, bare: f64) {
    println!(
        "{backend} bulk SQL {bulk:5.1}s  (the rows written into Prospector's tables by INSERT … SELECT: {:.1}x the bare load; import / bulk SQL: {:.2}x)",
        bulk / bare,
        import / bulk
    );
}

fn tempfile_dir(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir =
        dir.unwrap_or_else(|| std::env::temp_dir().join(format!("prospector-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
