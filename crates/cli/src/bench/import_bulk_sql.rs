//! The yardstick beside an import: the benchmark's leads written into Prospector's own tables
//! (`people` with its indexes, `search_docs` with its full-text index, `external_ids`) by the
//! database's own bulk path — a bare load into a staging table, then one `INSERT … SELECT` per
//! table — with no parsing, normalising, matching or batching. It says how much of the distance
//! to the bare load is the tables' own cost. It is not a hard lower bound: one statement per table
//! in one transaction is not always the fastest way in (on PostgreSQL, batched commits with the
//! full-text index can beat it).

use std::path::Path;
use std::process::Command;

use prospector_store::{Store, StoreOptions};

const STAGING: &str = "CREATE TEMP TABLE staging (id text, first_name text, last_name text, email text, \
    phone text, company text, website text, title text, country text, status text, lead_source text, \
    created_date text);";

/// The rows as the import would write them, computed by SQL; `{ID}` is the record id of a row,
/// spelt for the backend, and `{TIME}` the type its timestamps are cast to.
const WRITE: &str = "BEGIN;
INSERT INTO people (id, kind, first_name, last_name, email, email_key, phone, phone_key, name_key, title,
    company, country, status, source, created_at, updated_at)
  SELECT {ID}, 'lead', first_name, last_name, email, lower(email), phone, substr(phone, -7),
    lower(substr(last_name, 1, 3)), title, company, country, status, lead_source, created_date{TIME},
    created_date{TIME} FROM staging;
INSERT INTO search_docs (kind, ref_id, body)
  SELECT 'person', {ID}, first_name || ' ' || last_name || ' ' || email || ' ' || company || ' ' || title
  FROM staging;
INSERT INTO external_ids (object, system, external_id, record_id, row_hash)
  SELECT 'lead', 'salesforce', id, {ID}, id || id || id || id FROM staging;
COMMIT;";

async fn migrate(url: &str) -> anyhow::Result<()> {
    let store = Store::connect(url, &StoreOptions::default()).await?;
    store.migrate().await?;
    store.close().await;
    Ok(())
}

/// Loads `file` into a freshly migrated SQLite database at `db` with the `sqlite3` shell; returns
/// the time the `sqlite3` run took (migrating is not counted).
pub async fn sqlite(file: &Path, db: &Path) -> anyhow::Result<f64> {
    let _ = std::fs::remove_file(db);
    migrate(&format!("sqlite://{}", db.display())).await?;
    let write = WRITE.replace("{ID}", "CAST(id AS BLOB)").replace("{TIME}", "");
    let mut sqlite3 = Command::new("sqlite3");
    sqlite3
        .arg(db)
        // The settings Prospector's own connections use (`store.rs`), so the yardstick is not slowed
        // by the shell's smaller page cache.
        .arg("PRAGMA cache_size = -32000; PRAGMA temp_store = memory; PRAGMA synchronous = NORMAL;")
        .arg(STAGING)
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} staging", file.display()))
        .arg(write);
    super::import::timed(sqlite3)
}

/// Loads `file` into the freshly migrated PostgreSQL database at `url` with `psql`; returns the
/// time the `psql` run took (migrating is not counted).
pub async fn postgres(file: &Path, url: &str) -> anyhow::Result<f64> {
    migrate(url).await?;
    let write = WRITE
        .replace("{ID}", "md5(id)::uuid")
        .replace("{TIME}", "::timestamptz")
        .replace("substr(phone, -7)", "right(phone, 7)");
    let mut psql = Command::new("psql");
    psql.arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-q"])
        .args(["-c", STAGING])
        .args([
            "-c",
            &format!(
                "\\copy staging FROM '{}' WITH (FORMAT csv, HEADER true)",
                file.display()
            ),
        ])
        .args(["-c", &write]);
    super::import::timed(psql)
}
