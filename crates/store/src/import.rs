//! Imports: resumable jobs, their error reports, external ids, and the multi-row upserts that write
//! a batch of records in a few statements instead of one per row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use serde::Serialize;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, Row, query};
use crate::value::Value;

/// SQLite refuses a statement with more than 32,766 parameters; stay well below on both backends.
const MAX_PARAMS: usize = 30_000;

/// One import run as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportJob {
    /// Id.
    pub id: Uuid,
    /// Object code (`lead`, `account`, …) or `plan` for an sObject-tree data plan.
    pub object: String,
    /// The file's name as given (no directories).
    pub file_name: String,
    /// Hex SHA-256 of the file's bytes: the same file resumes the same job.
    pub file_sha256: String,
    /// The options the job was started with (JSON object).
    pub options: serde_json::Value,
    /// `running`, `done`, `rejected` (strict mode found bad rows), `failed`.
    pub status: String,
    /// Records of the file whose outcome is committed, refused ones included.
    pub rows_done: i64,
    /// Records in the file, once known.
    pub rows_total: Option<i64>,
    /// Records created.
    pub created: i64,
    /// Records updated (their external id was known and the row changed).
    pub updated: i64,
    /// Rows skipped because their external id was known and nothing changed.
    pub unchanged: i64,
    /// Rows skipped because they match a record already stored or earlier in the file.
    pub duplicates: i64,
    /// Rows refused whole.
    pub refused: i64,
    /// Values refused or references not resolved on rows that were kept.
    pub issues: i64,
    /// The file-level summary (encoding, delimiter, custom fields, unmapped values).
    pub summary: serde_json::Value,
    /// Who started it (`None`: the command line).
    pub actor_id: Option<UserId>,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Last progress.
    pub updated_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// The counters a batch adds to its job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Records of the file consumed.
    pub rows: i64,
    /// Created.
    pub created: i64,
    /// Updated.
    pub updated: i64,
    /// Unchanged.
    pub unchanged: i64,
    /// Duplicates skipped.
    pub duplicates: i64,
    /// Rows refused.
    pub refused: i64,
    /// Value issues on kept rows.
    pub issues: i64,
}

impl Counts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.duplicates += other.duplicates;
        self.refused += other.refused;
        self.issues += other.issues;
    }
}

const JOB_COLUMNS: &str = "id, object, file_name, file_sha256, options, status, rows_done, rows_total, created, \
    updated, unchanged, duplicates, refused, issues, summary, actor_id, created_at, updated_at, finished_at";

fn decode_job(row: &Row) -> StoreResult<ImportJob> {
    Ok(ImportJob {
        id: row.get("id")?,
        object: row.get("object")?,
        file_name: row.get("file_name")?,
        file_sha256: row.get("file_sha256")?,
        options: row.get("options")?,
        status: row.get("status")?,
        rows_done: row.get("rows_done")?,
        rows_total: row.get("rows_total")?,
        created: row.get("created")?,
        updated: row.get("updated")?,
        unchanged: row.get("unchanged")?,
        duplicates: row.get("duplicates")?,
        refused: row.get("refused")?,
        issues: row.get("issues")?,
        summary: row.get("summary")?,
        actor_id: row.get("actor_id")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        finished_at: row.get("finished_at")?,
    })
}

/// Adds a job.
pub async fn insert_job(ex: &mut impl Exec, job: &ImportJob) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO import_jobs (id, object, file_name, file_sha256, options, status, rows_done, rows_total, \
             created, updated, unchanged, duplicates, refused, issues, summary, actor_id, created_at, updated_at, \
             finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(job.id)
        .bind(&job.object)
        .bind(&job.file_name)
        .bind(&job.file_sha256)
        .bind(job.options.clone())
        .bind(&job.status)
        .bind(job.rows_done)
        .bind(job.rows_total)
        .bind(job.created)
        .bind(job.updated)
        .bind(job.unchanged)
        .bind(job.duplicates)
        .bind(job.refused)
        .bind(job.issues)
        .bind(job.summary.clone())
        .bind(job.actor_id)
        .bind(job.created_at)
        .bind(job.updated_at)
        .bind(job.finished_at),
    )
    .await?;
    Ok(())
}

/// A job by id.
pub async fn get_job(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<ImportJob>> {
    let q = query(format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1")).bind(id);
    ex.fetch_optional(q).await?.as_ref().map(decode_job).transpose()
}

/// The newest unfinished job for this file and object, to resume.
pub async fn resumable_job(ex: &mut impl Exec, sha256: &str, object: &str) -> StoreResult<Option<ImportJob>> {
    let q = query(format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs WHERE file_sha256 = $1 AND object = $2 AND status = 'running' \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(sha256)
    .bind(object);
    ex.fetch_optional(q).await?.as_ref().map(decode_job).transpose()
}

/// Brings PostgreSQL's planner statistics for `external_ids` up to date; nothing on SQLite.
///
/// An import grows the table from nothing, so the statistics say it is tiny; the lookup by
/// thousands of ids (`known_ids`), prepared once and then planned generically, keeps the
/// "tiny table" plan — a scan of every id of the object, each compared with every id asked for
/// (seconds per batch at 100,000 rows). With fresh statistics the ids are probed in the primary
/// key (milliseconds).
pub async fn refresh_statistics(ex: &mut impl Exec) -> StoreResult<()> {
    if ex.backend() == crate::Backend::Postgres {
        ex.execute(query("ANALYZE external_ids")).await?;
    }
    Ok(())
}

/// Lets this import batch's COMMIT return before PostgreSQL has flushed it to disk
/// (`synchronous_commit = off`, for this transaction only). A crash of the database server may then
/// lose the last few batches committed, but each goes together with the job progress that counted it,
/// so resuming the import writes them again: nothing half-written is ever visible, and nothing is
/// imported twice. A later synchronous commit (the job's finish) flushes them all. SQLite in WAL mode
/// with `synchronous = NORMAL` already commits without flushing.
pub async fn commit_batch_without_flush(ex: &mut impl Exec) -> StoreResult<()> {
    if ex.backend() == crate::Backend::Postgres {
        ex.execute(query("SET LOCAL synchronous_commit = off")).await?;
    }
    Ok(())
}

/// The newest jobs first.
pub async fn list_jobs(ex: &mut impl Exec, limit: i64) -> StoreResult<Vec<ImportJob>> {
    let q = query(format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit);
    ex.fetch_all(q).await?.iter().map(decode_job).collect()
}

/// Jobs still `running` whose last progress is older than `before`: their process died (a running
/// import writes its progress with every batch).
pub async fn stalled_jobs(ex: &mut impl Exec, before: DateTime<Utc>) -> StoreResult<Vec<ImportJob>> {
    let q = query(format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs WHERE status = 'running' AND updated_at < $1 \
         ORDER BY created_at, id"
    ))
    .bind(before);
    ex.fetch_all(q).await?.iter().map(decode_job).collect()
}

/// Takes over a stalled job: succeeds only if its progress time is still `seen`, so when several
/// processes find the same stalled job, exactly one resumes it.
pub async fn claim_stalled(
    ex: &mut impl Exec,
    id: Uuid,
    seen: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let claimed = ex
        .execute(
            query(
                "UPDATE import_jobs SET updated_at = $3 \
                 WHERE id = $1 AND status = 'running' AND updated_at = $2",
            )
            .bind(id)
            .bind(seen)
            .bind(now),
        )
        .await?;
    Ok(claimed == 1)
}

/// Adds a batch's counts to its job; run in the batch's transaction.
pub async fn advance(ex: &mut impl Exec, id: Uuid, counts: &Counts, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE import_jobs SET rows_done = rows_done + $2, created = created + $3, updated = updated + $4, \
             unchanged = unchanged + $5, duplicates = duplicates + $6, refused = refused + $7, \
             issues = issues + $8, updated_at = $9 WHERE id = $1",
        )
        .bind(id)
        .bind(counts.rows)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.unchanged)
        .bind(counts.duplicates)
        .bind(counts.refused)
        .bind(counts.issues)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Marks a job finished with `status` and its file summary.
pub async fn finish(
    ex: &mut impl Exec,
    id: Uuid,
    status: &str,
    rows_total: Option<i64>,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE import_jobs SET status = $2, rows_total = COALESCE($3, rows_total), summary = $4, \
             updated_at = $5, finished_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(rows_total)
        .bind(summary)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// One line of an import's error report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// Line of the file (record number for JSON).
    pub line: i64,
    /// 1-based column, when one field is to blame.
    pub column: Option<i64>,
    /// The column's header.
    pub header: Option<String>,
    /// Our field code or the header.
    pub field: String,
    /// Stable code (`invalid_date`, `unresolved_reference`, `duplicate`, …).
    pub code: String,
    /// What to fix.
    pub message: String,
    /// Whether the whole row was left out (otherwise only the value was).
    pub refused: bool,
    /// The file the line is in, when the job reads several (a data plan); `None` for one file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// Stores problems of a job, numbering them after those already stored.
pub async fn insert_problems(
    ex: &mut impl Exec,
    job: Uuid,
    first_seq: i64,
    problems: &[ImportProblem],
) -> StoreResult<()> {
    let rows: Vec<Vec<Value>> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                Value::Uuid(Some(job)),
                Value::I64(Some(first_seq + i as i64)),
                Value::I64(Some(p.line)),
                Value::I64(p.column),
                Value::Text(p.header.clone()),
                Value::Text(Some(p.field.clone())),
                Value::Text(Some(p.code.clone())),
                Value::Text(Some(p.message.clone())),
                Value::Bool(Some(p.refused)),
                Value::Text(p.file.clone()),
            ]
        })
        .collect();
    let columns = [
        "job_id",
        "seq",
        "line",
        "column_no",
        "header",
        "field",
        "code",
        "message",
        "refused",
        "file_name",
    ];
    upsert(ex, "import_errors", &columns, rows, None).await
}

/// The problems of a job in file order, at most `limit`.
pub async fn problems(ex: &mut impl Exec, job: Uuid, limit: i64) -> StoreResult<Vec<ImportProblem>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT line, column_no, header, field, code, message, refused, file_name FROM import_errors \
                 WHERE job_id = $1 ORDER BY seq LIMIT $2",
            )
            .bind(job)
            .bind(limit),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ImportProblem {
                line: r.get("line")?,
                column: r.get("column_no")?,
                header: r.get("header")?,
                field: r.get("field")?,
                code: r.get("code")?,
                message: r.get("message")?,
                refused: r.get("refused")?,
                file: r.get("file_name")?,
            })
        })
        .collect()
}

/// How many problems a job has stored.
pub async fn problem_count(ex: &mut impl Exec, job: Uuid) -> StoreResult<i64> {
    let row = ex
        .fetch_one(query("SELECT COUNT(*) AS n FROM import_errors WHERE job_id = $1").bind(job))
        .await?;
    row.get("n")
}

/// A record known by another system's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The object it was imported as.
    pub object: String,
    /// Our id.
    pub record_id: Uuid,
    /// Hash of the row last imported.
    pub row_hash: Option<String>,
}

/// Looks up `ids` of `system` among `objects`, in one query per few thousand ids.
pub async fn known_ids(
    ex: &mut impl Exec,
    objects: &[&str],
    system: &str,
    ids: &[String],
) -> StoreResult<HashMap<String, Known>> {
    // Placeholders are bound in the order they appear, so SQLite can take positional `?`, which
    // binds in O(1) where numbered `$N` costs O(n) each (see `bulk`).
    let backend = ex.backend();
    let mark = |n: usize| crate::bulk::placeholder(backend, n);
    let mut found = HashMap::new();
    for chunk in ids.chunks(MAX_PARAMS / 2) {
        let mut q = query("");
        let objs: Vec<String> = objects.iter().map(|o| mark(q.push_bind(*o))).collect();
        let sys = mark(q.push_bind(system));
        let list: Vec<String> = chunk.iter().map(|id| mark(q.push_bind(id.as_str()))).collect();
        let sql = format!(
            "SELECT object, external_id, record_id, row_hash FROM external_ids WHERE object IN ({}) \
             AND system = {sys} AND external_id IN ({})",
            objs.join(", "),
            list.join(", ")
        );
        for row in ex.fetch_all(q.with_sql(sql)).await? {
            found.insert(
                row.get::<String>("external_id")?,
                Known {
                    object: row.get("object")?,
                    record_id: row.get("record_id")?,
                    row_hash: row.get("row_hash")?,
                },
            );
        }
    }
    Ok(found)
}

/// Records (or moves) external ids: `(object, external_id, record_id, row_hash)`.
pub async fn save_external_ids(
    ex: &mut impl Exec,
    system: &str,
    entries: &[(&str, String, Uuid, String)],
) -> StoreResult<()> {
    let rows = entries
        .iter()
        .map(|(object, external, record, hash)| {
            vec![
                Value::Text(Some((*object).to_owned())),
                Value::Text(Some(system.to_owned())),
                Value::Text(Some(external.clone())),
                Value::Uuid(Some(*record)),
                Value::Text(Some(hash.clone())),
            ]
        })
        .collect();
    upsert(
        ex,
        "external_ids",
        &["object", "system", "external_id", "record_id", "row_hash"],
        rows,
        Some(Conflict {
            target: "object, system, external_id",
            update: &["record_id", "row_hash"],
            keep_old_when_null: false,
        }),
    )
    .await
}

/// The external ids of `system` for records of `object`, for export: our id → theirs.
pub async fn external_ids_of(
    ex: &mut impl Exec,
    object: &str,
    system: &str,
) -> StoreResult<HashMap<Uuid, String>> {
    let rows = ex
        .fetch_all(
            query("SELECT record_id, external_id FROM external_ids WHERE object = $1 AND system = $2")
                .bind(object)
                .bind(system),
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("record_id")?, r.get("external_id")?)))
        .collect()
}

/// What to do when a row's key already exists.
#[derive(Debug, Clone, Copy)]
pub struct Conflict<'a> {
    /// The unique columns, comma separated.
    pub target: &'a str,
    /// Columns to overwrite from the new row.
    pub update: &'a [&'a str],
    /// Keep the stored value where the new row has NULL (an empty cell never erases).
    pub keep_old_when_null: bool,
}

/// Writes `rows` (values in `columns` order) with multi-row `INSERT … ON CONFLICT` statements,
/// as many rows per statement as the parameter limit allows. Without `conflict`, a duplicate key
/// is an error; with `update` empty, the existing row is kept.
pub async fn upsert(
    ex: &mut impl Exec,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    conflict: Option<Conflict<'_>>,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    let on_conflict = match conflict {
        None => String::new(),
        Some(c) if c.update.is_empty() => format!(" ON CONFLICT ({}) DO NOTHING", c.target),
        Some(c) => {
            let sets: Vec<String> = c
                .update
                .iter()
                .map(|col| {
                    if c.keep_old_when_null {
                        format!("{col} = COALESCE(excluded.{col}, {table}.{col})")
                    } else {
                        format!("{col} = excluded.{col}")
                    }
                })
                .collect();
            format!(" ON CONFLICT ({}) DO UPDATE SET {}", c.target, sets.join(", "))
        }
    };
    // Positional `?` on SQLite: binding numbered `$N` parameters costs O(n²) there (see `bulk`).
    let backend = ex.backend();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q = query("");
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for (i, row) in rows.by_ref().take(per_statement).enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                let n = q.push_bind(value);
                sql.push_str(&crate::bulk::placeholder(backend, n));
            }
            sql.push(')');
        }
        sql.push_str(&on_conflict);
        ex.execute(q.with_sql(sql)).await?;
    }
    Ok(())
}

/// What the matcher needs of a stored person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    /// Id.
    pub id: Uuid,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company as given.
    pub company: Option<String>,
}

/// The match keys of every live lead and contact, read once per import.
pub async fn person_keys(ex: &mut impl Exec) -> StoreResult<Vec<PersonKey>> {
    let rows = ex
        .fetch_all(query(
            "SELECT id, first_name, last_name, email, phone, company FROM people WHERE kind <> 'merged' ORDER BY id",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PersonKey {
                id: r.get("id")?,
                first_name: r.get("first_name")?,
                last_name: r.get("last_name")?,
                email: r.get("email")?,
                phone: r.get("phone")?,
                company: r.get("company")?,
            })
        })
        .collect()
}

/// What the matcher needs of a stored account: id, name and its domains.
pub async fn account_keys(ex: &mut impl Exec) -> StoreResult<Vec<(Uuid, String, Vec<String>)>> {
    let rows = ex
        .fetch_all(query(
            "SELECT id, name FROM accounts WHERE merged_into IS NULL ORDER BY id",
        ))
        .await?;
    let mut accounts: Vec<(Uuid, String, Vec<String>)> = rows
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("name")?, Vec::new())))
        .collect::<StoreResult<_>>()?;
    let position: HashMap<Uuid, usize> = accounts.iter().enumerate().map(|(i, a)| (a.0, i)).collect();
    for r in ex
        .fetch_all(query("SELECT account_id, domain FROM account_domains"))
        .await?
    {
        let account: Uuid = r.get("account_id")?;
        if let Some(&i) = position.get(&account) {
            accounts[i].2.push(r.get("domain")?);
        }
    }
    Ok(accounts)
}

/// Every user's id by lower-cased email, to resolve owners.
pub async fn users_by_email(ex: &mut impl Exec) -> StoreResult<HashMap<String, UserId>> {
    let rows = ex.fetch_all(query("SELECT id, email FROM users")).await?;
    rows.iter()
        .map(|r| Ok((r.get::<String>("email")?.to_lowercase(), r.get("id")?)))
        .collect()
}

/// A page of an export query: `sql` selects from the object's table with `{after}` where the keyset
/// condition goes; rows come in id order.
pub async fn export_page(
    ex: &mut impl Exec,
    table: &str,
    columns: &str,
    filter: &str,
    since: Option<DateTime<Utc>>,
    after: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<Row>> {
    let mut q = query("");
    let mut conditions = vec![filter.to_owned()];
    if let Some(since) = since {
        conditions.push(format!("{table}.updated_at >= ${}", q.push_bind(since)));
    }
    if let Some(after) = after {
        conditions.push(format!("{table}.id > ${}", q.push_bind(after)));
    }
    let n = q.push_bind(limit);
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {} ORDER BY {table}.id LIMIT ${n}",
        conditions.join(" AND ")
    );
    ex.fetch_all(q.with_sql(sql)).await
}

/// The domains of accounts, for export.
pub async fn account_domains(ex: &mut impl Exec) -> StoreResult<HashMap<Uuid, String>> {
    let rows = ex
        .fetch_all(query(
            "SELECT account_id, domain FROM account_domains ORDER BY domain",
        ))
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        out.entry(r.get("account_id")?).or_insert(r.get("domain")?);
    }
    Ok(out)
}
