//! Importing files of leads, contacts, accounts, opportunities and tasks: a resumable job that
//! streams the file through the core reader, normalises each row with the entry parsers, finds
//! duplicates with the matcher in bulk, upserts by external id and writes in batches — each batch
//! with the job's progress in one transaction, so a killed import resumes without duplicates.

pub mod background;
mod batch_write;
pub mod export;
pub mod housekeeping;
mod outcomes;
pub mod plan;
pub mod plan_mapping;
pub mod preview;
pub(crate) mod references;
mod rows;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use prospector_core::Invalid;
use prospector_core::import::mapping::Mapping;
use prospector_core::import::sobject_tree;
use prospector_core::import::{
    CsvImport, ImportError, ImportOptions as ReadOptions, MappedRow, MappingOptions, ObjectKind, Preset,
    RowError, UserMapping, open_csv,
};
use prospector_core::matching::{MatchIndex, Matcher, Record, account_domain_of_email};
use prospector_core::role::Role;
use prospector_store::Value;
use prospector_store::import::{self as store, Counts, ImportJob, ImportProblem};
use prospector_store::records::{name_key, phone_key};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use self::batch_write::{BatchRows, Written};
use self::references::{Ahead, Lookups};
use self::rows::{Body, Draft, draft, person_search_body, problem_of};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// Adds the import's periodic job (resuming stalled imports, removing old uploads) to `worker`.
pub fn register_handlers(worker: crate::outbox::Worker) -> crate::outbox::Worker {
    worker.with_handler(
        housekeeping::IMPORT_HOUSEKEEPING,
        Arc::new(housekeeping::HousekeepingHandler),
    )
}

/// Rows per transaction.
pub const DEFAULT_BATCH: usize = 2_000;

/// How to run an import. Stored with its job, which resumes with the same options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// The object, or `None` to tell from the header.
    pub object: Option<ObjectKind>,
    /// Header spellings.
    pub preset: Preset,
    /// The user's column and picklist overrides.
    pub mapping: UserMapping,
    /// A data plan's files by name → the overrides chosen for that file on its preview, which
    /// replace `mapping` for it. Kept with the job like the rest, so a plan resumed after a
    /// restart reads each file as it was previewed.
    pub plan_mappings: BTreeMap<String, UserMapping>,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    /// Import nothing when any row is bad.
    pub strict: bool,
    /// Owner of rows that name none (by email).
    pub owner_email: Option<String>,
    /// Rows per transaction.
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            object: None,
            preset: Preset::Auto,
            mapping: UserMapping::default(),
            plan_mappings: BTreeMap::new(),
            dry_run: false,
            strict: false,
            owner_email: None,
            batch_size: DEFAULT_BATCH,
        }
    }
}

/// Where an import stands, for progress bars and the job page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Records of the file done (committed or, in a dry run, checked).
    pub rows: u64,
    /// Bytes of the file read so far.
    pub bytes: u64,
    /// Size of the file.
    pub total_bytes: u64,
}

/// What one file's import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The job (absent in a dry run).
    pub job_id: Option<Uuid>,
    /// The file.
    pub file: String,
    /// The object its rows were imported as.
    pub object: String,
    /// `done`, `rejected` (strict mode and bad rows) or `dry_run`.
    pub status: String,
    /// Rows skipped because an earlier run had committed them.
    pub resumed_from: i64,
    /// Totals over the job, earlier runs included.
    pub counts: Counts,
    /// The file's encoding.
    pub encoding: String,
    /// Its delimiter.
    pub delimiter: String,
    /// The header preset used.
    pub preset: String,
    /// Columns kept as custom fields.
    pub custom_fields: Vec<String>,
    /// Picklist values with no mapping, `field: value` → rows.
    pub unmapped_values: BTreeMap<String, u64>,
    /// Every problem of the job, in file order.
    pub problems: Vec<ImportProblem>,
    /// Wall time of this run.
    pub elapsed_ms: u64,
}

impl ImportReport {
    /// The problems as the `FILE.errors.csv` report: `line,column,header,field,code,refused,message`.
    pub fn errors_csv(&self) -> String {
        let mut out = String::from("line,column,header,field,code,refused,message\n");
        for p in &self.problems {
            let cells = [
                p.line.to_string(),
                p.column.map(|c| c.to_string()).unwrap_or_default(),
                p.header.clone().unwrap_or_default(),
                p.field.clone(),
                p.code.clone(),
                p.refused.to_string(),
                p.message.clone(),
            ];
            let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        }
        out
    }

    /// One line for people.
    pub fn one_line(&self) -> String {
        let c = &self.counts;
        format!(
            "{}: {} {} rows read — {} created, {} updated, {} unchanged, {} duplicates, {} refused, {} values refused{}{}",
            self.file,
            c.rows,
            self.object,
            c.created,
            c.updated,
            c.unchanged,
            c.duplicates,
            c.refused,
            c.issues,
            match self.custom_fields.len() {
                0 => String::new(),
                n if n <= 8 => format!("; custom fields: {}", self.custom_fields.join(", ")),
                n => format!(
                    "; custom fields: {}, … ({n} in all)",
                    self.custom_fields[..8].join(", ")
                ),
            },
            match self.status.as_str() {
                "rejected" => " — NOTHING IMPORTED (--strict and some rows are bad)".to_owned(),
                "dry_run" => " — dry run, nothing written".to_owned(),
                _ => String::new(),
            }
        )
    }
}

/// Quotes a CSV cell when it needs it.
pub fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// Skips the first `rows` records of `source` — those an earlier run committed: the same records
/// come out of the reader in the same order. Returns how many there were.
fn skip_rows(source: &mut Source, rows: i64) -> i64 {
    let mut skipped = 0;
    while skipped < rows && source.next_row().is_some() {
        skipped += 1;
    }
    skipped
}

/// Counts bytes read, for progress by position in the file.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type CsvSource = CsvImport<Counting<BufReader<File>>>;

/// The rows of one file, CSV or sObject tree.
enum Source {
    Csv(Box<CsvSource>),
    Tree {
        mapping: Mapping,
        rows: std::vec::IntoIter<Result<MappedRow, RowError>>,
        custom: Vec<String>,
        /// `(field, value)` → records, as a CSV's summary counts them.
        unmapped: BTreeMap<(String, String), u64>,
    },
}

impl Source {
    fn mapping(&self) -> &Mapping {
        match self {
            Source::Csv(csv) => csv.mapping(),
            Source::Tree { mapping, .. } => mapping,
        }
    }

    fn next_row(&mut self) -> Option<Result<MappedRow, RowError>> {
        match self {
            Source::Csv(csv) => csv.next(),
            Source::Tree { rows, .. } => rows.next(),
        }
    }

    /// Picklist values with no mapping, `(field, value)` → records: those read so far of a CSV,
    /// all of a tree (read whole when opened).
    fn unmapped_values(&self) -> &BTreeMap<(String, String), u64> {
        match self {
            Source::Csv(csv) => &csv.summary().unmapped_values,
            Source::Tree { unmapped, .. } => unmapped,
        }
    }
}

fn file_error(path: &Path, error: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::new(
        "file",
        "unreadable",
        format!("{}: {error}", path.display()),
    ))
}

fn open_source(path: &Path, options: &ImportOptions, read: Arc<AtomicU64>) -> AppResult<Source> {
    let mapping_options = MappingOptions {
        object: options.object,
        preset: options.preset,
        user: options.mapping.clone(),
        decimal_comma: false,
    };
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
        read.store(bytes.len() as u64, Ordering::Relaxed);
        let tree = sobject_tree::parse_tree(&bytes).map_err(|e| file_error(path, e))?;
        let mapping_options = MappingOptions {
            object: mapping_options.object.or(tree.object),
            preset: Preset::Salesforce,
            ..mapping_options
        };
        let mapping = Mapping::new(&tree.header, &mapping_options).map_err(|e| file_error(path, e))?;
        let mut rows: Vec<Result<MappedRow, RowError>> = tree.errors.into_iter().map(Err).collect();
        let mut unmapped = BTreeMap::new();
        rows.extend(tree.rows.iter().map(|row| {
            let mapped = mapping.map_row(row);
            for key in mapped.unmapped_values(row) {
                *unmapped.entry(key).or_default() += 1;
            }
            Ok(mapped)
        }));
        rows.sort_by_key(|r| match r {
            Ok(row) => row.line,
            Err(e) => e.line,
        });
        let custom = mapping.custom_fields().into_iter().map(str::to_owned).collect();
        return Ok(Source::Tree {
            mapping,
            rows: rows.into_iter(),
            custom,
            unmapped,
        });
    }
    let file = File::open(path).map_err(|e| file_error(path, e))?;
    let reader = Counting {
        inner: BufReader::with_capacity(256 * 1024, file),
        read,
    };
    let read_options = ReadOptions {
        mapping: mapping_options,
        ..ReadOptions::default()
    };
    let csv = open_csv(reader, &read_options).map_err(|e| match e {
        ImportError::Io(e) => file_error(path, e),
        other => file_error(path, other),
    })?;
    Ok(Source::Csv(Box::new(csv)))
}

fn sha256_of(path: &Path) -> AppResult<(String, u64)> {
    let mut file = File::open(path).map_err(|e| file_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| file_error(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// The system external ids belong to: the preset that named the columns.
fn system_of(preset: Preset) -> &'static str {
    match preset {
        Preset::Hubspot => "hubspot",
        Preset::Pipedrive => "pipedrive",
        Preset::Salesforce | Preset::Auto => "salesforce",
    }
}

/// Lookups built once per import and grown as rows are accepted.
struct Context {
    object: ObjectKind,
    system: &'static str,
    /// People (for lead and contact imports) or accounts (for account imports), by index position.
    index: MatchIndex,
    index_ids: Vec<Uuid>,
    /// Accounts by name, for matching people and opportunities to them.
    accounts: MatchIndex,
    account_ids: Vec<Uuid>,
    domains: HashMap<String, Uuid>,
    users: HashMap<String, prospector_core::ids::UserId>,
    default_owner: Option<prospector_core::ids::UserId>,
    problems_stored: i64,
    /// The file's header, for naming columns in reports.
    headers: Vec<String>,
    /// The file's name when the job reads several (a data plan), for its problems.
    file: Option<String>,
}

fn person_record(id: String, d: &prospector_core::records::NewPerson) -> Record {
    Record {
        id,
        given_name: d.first_name.clone(),
        surname: d.last_name.clone(),
        email: d.email.as_ref().map(|e| e.as_str().to_owned()),
        phone: d.phone.as_ref().map(|p| p.as_str().to_owned()),
        company: d.company.clone(),
        ..Record::default()
    }
}

fn account_record(id: String, name: &str, domain: Option<&str>) -> Record {
    Record {
        id,
        company: Some(name.to_owned()),
        website: domain.map(str::to_owned),
        ..Record::default()
    }
}

impl Context {
    async fn load(
        app: &App,
        object: ObjectKind,
        system: &'static str,
        options: &ImportOptions,
    ) -> AppResult<Context> {
        let mut reader = app.store().reader();
        let matcher = Matcher::default();
        let mut index = matcher.index(&[]);
        let mut index_ids = Vec::new();
        let mut accounts = matcher.index(&[]);
        let mut account_ids = Vec::new();
        let mut domains = HashMap::new();
        for (id, name, doms) in store::account_keys(&mut reader).await? {
            accounts.insert(&account_record(
                String::new(),
                &name,
                doms.first().map(String::as_str),
            ));
            account_ids.push(id);
            for d in doms {
                domains.insert(d, id);
            }
        }
        if matches!(object, ObjectKind::Lead | ObjectKind::Contact) {
            for key in store::person_keys(&mut reader).await? {
                index.insert(&Record {
                    id: String::new(),
                    given_name: key.first_name,
                    surname: key.last_name,
                    email: key.email,
                    phone: key.phone,
                    company: key.company,
                    ..Record::default()
                });
                index_ids.push(key.id);
            }
        }
        let users = store::users_by_email(&mut reader).await?;
        let default_owner = match &options.owner_email {
            Some(email) => Some(*users.get(&email.trim().to_lowercase()).ok_or_else(|| {
                AppError::Invalid(Invalid::new(
                    "owner",
                    "unknown_user",
                    format!("no user has the email {email}"),
                ))
            })?),
            None => None,
        };
        Ok(Context {
            object,
            system,
            index,
            index_ids,
            accounts,
            account_ids,
            domains,
            users,
            default_owner,
            problems_stored: 0,
            headers: Vec::new(),
            file: None,
        })
    }

    fn find_account(&self, name: Option<&str>, email: Option<&str>) -> Option<Uuid> {
        if let Some(domain) = email.and_then(account_domain_of_email)
            && let Some(id) = self.domains.get(domain)
        {
            return Some(*id);
        }
        let name = name?;
        let found = self
            .accounts
            .find_matches(&account_record(String::new(), name, None));
        found.first().map(|m| self.account_ids[m.index])
    }
}

/// A batch being written while the next is decided.
struct InFlight {
    task: tokio::task::JoinHandle<AppResult<()>>,
    counts: Counts,
    written: Written,
}

/// What a batch decided for one row.
enum Action {
    Create(Uuid),
    Update(Uuid),
    Unchanged,
    Duplicate(Uuid),
}

/// A job row for an import that starts now, with nothing done yet.
fn running_job(
    id: Uuid,
    object: ObjectKind,
    file_name: &str,
    sha256: &str,
    options: &ImportOptions,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> ImportJob {
    ImportJob {
        id,
        object: object_code(object).to_owned(),
        file_name: file_name.to_owned(),
        file_sha256: sha256.to_owned(),
        options: serde_json::to_value(options).unwrap_or_default(),
        status: "running".into(),
        rows_done: 0,
        rows_total: None,
        created: 0,
        updated: 0,
        unchanged: 0,
        duplicates: 0,
        refused: 0,
        issues: 0,
        summary: serde_json::json!({}),
        actor_id: actor.user_id(),
        created_at: now,
        updated_at: now,
        finished_at: None,
    }
}

fn object_code(object: ObjectKind) -> &'static str {
    object.code()
}

impl App {
    /// Imports the file at `path` (CSV, an sObject-tree JSON, or a `data-plan.json` naming several),
    /// reporting progress through `progress`. One report per file.
    pub async fn import_path(
        &self,
        actor: &Actor,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<Vec<ImportReport>> {
        require_import(actor)?;
        if !plan::is_plan(path) {
            if let Some(named) = options.plan_mappings.keys().next() {
                return Err(AppError::Invalid(Invalid::new(
                    "mapping",
                    "not_a_plan",
                    format!(
                        "the mapping has columns for the file {named}, but only a data plan has files of its own"
                    ),
                )));
            }
            return Ok(vec![
                self.import_file(actor, path, options, progress, None).await?,
            ]);
        }
        // From the command line each file of a plan is a job of its own, resumed by running the
        // command again; the page runs a plan as one job (`import_plan`).
        let files = plan::read_plan(path)?;
        plan_mapping::check_plan_mappings(&files, options)?;
        let mut reports = Vec::new();
        for file in files {
            let step_options = plan_mapping::step_options(options, &file);
            reports.push(
                self.import_file(actor, &file.path, &step_options, progress, None)
                    .await?,
            );
        }
        Ok(reports)
    }

    /// Imports one file. `job` resumes that job (the web starts jobs before running them).
    pub async fn import_file(
        &self,
        actor: &Actor,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
        job: Option<Uuid>,
    ) -> AppResult<ImportReport> {
        require_import(actor)?;
        let started = Instant::now();
        let (sha, total_bytes) = sha256_of(path)?;
        let file_name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let read = Arc::new(AtomicU64::new(0));
        let mut source = open_source(path, options, read.clone())?;
        let object = source.mapping().object();
        let preset = source.mapping().preset();
        let system = system_of(preset);

        if options.strict {
            let bad = self.check_strict(path, options).await?;
            if !bad.is_empty() {
                return self
                    .rejected(
                        actor,
                        &file_name,
                        &sha,
                        object,
                        preset,
                        options,
                        bad,
                        &mut source,
                        job,
                    )
                    .await;
            }
        }

        let mut ctx = Context::load(self, object, system, options).await?;
        ctx.headers = source
            .mapping()
            .columns()
            .iter()
            .map(|c| c.header.clone())
            .collect();
        let now = self.now();
        let (job, resumed_from) = if options.dry_run {
            (None, 0)
        } else {
            let existing = match job {
                Some(id) => store::get_job(&mut self.store().reader(), id).await?,
                None => store::resumable_job(&mut self.store().reader(), &sha, object_code(object)).await?,
            };
            match existing {
                Some(j) if j.status == "running" => {
                    ctx.problems_stored = store::problem_count(&mut self.store().reader(), j.id).await?;
                    (Some(j.id), j.rows_done)
                }
                _ => {
                    let id = job.unwrap_or_else(|| prospector_core::ids::uuid_v7_at(now));
                    let j = running_job(id, object, &file_name, &sha, options, actor, now);
                    let mut tx = self.store().begin().await?;
                    store::insert_job(&mut tx, &j).await?;
                    audit::record(
                        &mut tx,
                        actor,
                        now,
                        Change::<(), _> {
                            action: "import.start",
                            entity_type: "import_job",
                            entity_id: Some(j.id.to_string()),
                            before: None,
                            after: Some(&serde_json::json!({"file": file_name, "object": j.object})),
                        },
                    )
                    .await?;
                    tx.commit().await?;
                    (Some(j.id), 0)
                }
            }
        };

        skip_rows(&mut source, resumed_from);
        let mut totals = Counts {
            rows: resumed_from,
            ..Counts::default()
        };
        let report_progress = |rows: i64| {
            progress(Progress {
                rows: u64::try_from(rows).unwrap_or(0),
                bytes: read.load(Ordering::Relaxed),
                total_bytes,
            });
        };
        let (counts, dry_problems) = self
            .run_batches(
                &mut ctx,
                &mut source,
                job,
                options,
                resumed_from,
                &report_progress,
            )
            .await?;
        totals.add(&counts);

        let (custom_fields, unmapped_values, encoding, delimiter) = file_summary(&source);
        let summary = serde_json::json!({
            "encoding": encoding, "delimiter": delimiter, "preset": preset_code(preset),
            "custom_fields": custom_fields, "unmapped_values": unmapped_values,
        });
        let (status, counts, problems) = match job {
            None => ("dry_run".to_owned(), totals, dry_problems),
            Some(id) => {
                let now = self.now();
                let mut tx = self.store().begin().await?;
                store::finish(&mut tx, id, "done", Some(totals.rows), summary, now).await?;
                audit::record(
                    &mut tx,
                    actor,
                    now,
                    Change::<(), _> {
                        action: "import.finish",
                        entity_type: "import_job",
                        entity_id: Some(id.to_string()),
                        before: None,
                        after: Some(&totals),
                    },
                )
                .await?;
                tx.commit().await?;
                let mut reader = self.store().reader();
                let stored = store::get_job(&mut reader, id)
                    .await?
                    .ok_or(AppError::NotFound("import job".into()))?;
                let problems = store::problems(&mut reader, id, i64::MAX).await?;
                ("done".to_owned(), counts_of(&stored), problems)
            }
        };
        Ok(ImportReport {
            job_id: job,
            file: file_name,
            object: object_code(object).to_owned(),
            status,
            resumed_from,
            counts,
            encoding,
            delimiter,
            preset: preset_code(preset).to_owned(),
            custom_fields,
            unmapped_values,
            problems,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Reads the whole file without writing and returns every problem that makes it bad.
    async fn check_strict(&self, path: &Path, options: &ImportOptions) -> AppResult<Vec<ImportProblem>> {
        let mut source = open_source(path, options, Arc::new(AtomicU64::new(0)))?;
        let mut bad = Vec::new();
        while let Some(row) = source.next_row() {
            match row {
                Err(error) => bad.push(problem_of(&error, true)),
                Ok(mapped) => match draft(source.mapping(), mapped) {
                    Ok(d) => bad.extend(d.issues),
                    Err(problem) => bad.push(*problem),
                },
            }
        }
        Ok(bad)
    }

    #[allow(clippy::too_many_arguments)]
    async fn rejected(
        &self,
        actor: &Actor,
        file_name: &str,
        sha: &str,
        object: ObjectKind,
        preset: Preset,
        options: &ImportOptions,
        problems: Vec<ImportProblem>,
        source: &mut Source,
        job: Option<Uuid>,
    ) -> AppResult<ImportReport> {
        while source.next_row().is_some() {}
        let (custom_fields, unmapped_values, encoding, delimiter) = file_summary(source);
        let rows = i64::try_from(match source {
            Source::Csv(csv) => csv.summary().rows_read,
            Source::Tree { .. } => 0,
        })
        .unwrap_or(0);
        let counts = Counts {
            rows,
            refused: problems.iter().filter(|p| p.refused).count() as i64,
            issues: problems.iter().filter(|p| !p.refused).count() as i64,
            ..Counts::default()
        };
        let mut job_id = None;
        if !options.dry_run {
            let now = self.now();
            let id = job.unwrap_or_else(|| prospector_core::ids::uuid_v7_at(now));
            let mut tx = self.store().begin().await?;
            if store::get_job(&mut tx, id).await?.is_none() {
                store::insert_job(
                    &mut tx,
                    &running_job(id, object, file_name, sha, options, actor, now),
                )
                .await?;
            }
            store::insert_problems(&mut tx, id, 0, &problems).await?;
            store::advance(&mut tx, id, &counts, now).await?;
            store::finish(&mut tx, id, "rejected", Some(rows), serde_json::json!({}), now).await?;
            tx.commit().await?;
            job_id = Some(id);
        }
        Ok(ImportReport {
            job_id,
            file: file_name.to_owned(),
            object: object_code(object).to_owned(),
            status: "rejected".into(),
            resumed_from: 0,
            counts,
            encoding,
            delimiter,
            preset: preset_code(preset).to_owned(),
            custom_fields,
            unmapped_values,
            problems,
            elapsed_ms: 0,
        })
    }

    /// Reads the rest of `source` in batches of `options.batch_size` records, deciding and writing
    /// each batch (with the job's progress) in its own transaction. A batch is decided while the
    /// one before it is written; batches are committed one at a time in file order. `progress`
    /// hears the records written so far, counting from `done_before`. Returns this run's counts
    /// and, in a dry run, the problems (an import stores them with its job).
    async fn run_batches(
        &self,
        ctx: &mut Context,
        source: &mut Source,
        job: Option<Uuid>,
        options: &ImportOptions,
        done_before: i64,
        progress: &(dyn Fn(i64) + Send + Sync),
    ) -> AppResult<(Counts, Vec<ImportProblem>)> {
        let batch_size = options.batch_size.max(1);
        let mut totals = Counts::default();
        let mut dry_problems = Vec::new();
        // Statistics are refreshed each time the rows written double: a handful of times per
        // import, so the lookups stay index probes however large the tables grow.
        let mut refresh_at = i64::try_from(batch_size).unwrap_or(i64::MAX);
        let mut writing: Option<InFlight> = None;
        loop {
            let mut batch = Vec::with_capacity(batch_size);
            let mut problems = Vec::new();
            let mut counts = Counts::default();
            while batch.len() + usize::try_from(counts.refused).unwrap_or(0) < batch_size {
                let Some(row) = source.next_row() else { break };
                counts.rows += 1;
                match row {
                    Err(error) => {
                        counts.refused += 1;
                        problems.push(problem_of(&error, true));
                    }
                    Ok(mapped) => match draft(source.mapping(), mapped) {
                        Ok(d) => batch.push(d),
                        Err(problem) => {
                            counts.refused += 1;
                            problems.push(*problem);
                        }
                    },
                }
            }
            if counts.rows == 0 {
                break;
            }
            let written = writing.as_ref().map(|w| &w.written);
            let decided = self
                .decide_batch(
                    ctx,
                    batch,
                    &mut problems,
                    &mut counts,
                    options.dry_run,
                    written.unwrap_or(&Written::default()),
                )
                .await;
            // The batch before is committed before this one starts, so commits keep file order and
            // a resumed import finds whole batches; a failed decision still lets it finish.
            if let Some(previous) = writing.take() {
                self.finish_write(previous, &mut totals, &mut refresh_at).await?;
                progress(done_before + totals.rows);
            }
            let rows = decided?;
            match job.filter(|_| !options.dry_run) {
                None => {
                    totals.add(&counts);
                    if options.dry_run {
                        dry_problems.extend(problems);
                    }
                    progress(done_before + totals.rows);
                }
                Some(job) => {
                    let written = Written::of(&rows);
                    let write =
                        batch_write::write(self.store().clone(), ctx.system, job, rows, problems, counts);
                    writing = Some(InFlight {
                        task: tokio::spawn(write),
                        counts,
                        written,
                    });
                }
            }
        }
        if let Some(last) = writing.take() {
            self.finish_write(last, &mut totals, &mut refresh_at).await?;
            progress(done_before + totals.rows);
        }
        Ok((totals, dry_problems))
    }

    /// Waits for the batch being written and adds its counts to `totals`; refreshes the
    /// statistics when the rows written have doubled.
    async fn finish_write(
        &self,
        batch: InFlight,
        totals: &mut Counts,
        refresh_at: &mut i64,
    ) -> AppResult<()> {
        batch
            .task
            .await
            .map_err(|e| AppError::Internal(format!("an import batch's write stopped: {e}")))??;
        totals.add(&batch.counts);
        if totals.rows >= *refresh_at {
            *refresh_at = totals.rows.saturating_mul(2);
            let mut tx = self.store().begin().await?;
            store::refresh_statistics(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Decides each row of a batch — create, update, leave or skip as a duplicate, and where its
    /// references lead — into the rows [`batch_write::write`] stores. `writing` is the batch still
    /// being written, if any: its records count as stored.
    async fn decide_batch(
        &self,
        ctx: &mut Context,
        drafts: Vec<Draft>,
        problems: &mut Vec<ImportProblem>,
        counts: &mut Counts,
        dry_run: bool,
        writing: &Written,
    ) -> AppResult<BatchRows> {
        let now = self.now();
        let mut reader = self.store().reader();
        let own = [object_code(ctx.object)];
        let ext_ids: Vec<String> = drafts.iter().filter_map(|d| d.external_id.clone()).collect();
        let mut known = store::known_ids(&mut reader, &own, ctx.system, &ext_ids).await?;
        writing.overlay(&own, &mut known);
        let lookups = Lookups::of(&mut reader, ctx.system, &drafts, writing).await?;

        let mut person_rows = Vec::new();
        let mut account_rows = Vec::new();
        let mut domain_rows = Vec::new();
        let mut opportunity_rows = Vec::new();
        let mut task_rows = Vec::new();
        let mut search_rows = Vec::new();
        let mut external = Vec::new();
        for mut d in drafts {
            let object = object_code(ctx.object);
            // References: an unresolved one is reported and left empty; the row is kept.
            let resolved = lookups.resolve(&mut d, &ctx.users, &ctx.headers, &Ahead::default());
            let owner = resolved.owner.or(ctx.default_owner);
            let (account_ref, who, what) = (resolved.account, resolved.who, resolved.what);
            let body = d.body.clone();
            let known_row = d.external_id.as_ref().and_then(|e| known.get(e));
            let action = match known_row {
                Some(k) if k.row_hash.as_deref() == Some(d.hash.as_str()) => Action::Unchanged,
                Some(k) => Action::Update(k.record_id),
                None => {
                    let duplicate = match &body {
                        Body::Person(p) => {
                            let record = person_record(String::new(), &p.new);
                            ctx.index
                                .find_matches(&record)
                                .first()
                                .map(|m| ctx.index_ids[m.index])
                        }
                        Body::Account(a) => a
                            .domain
                            .as_ref()
                            .and_then(|dom| ctx.domains.get(dom.as_str()).copied())
                            .or_else(|| {
                                let record = account_record(
                                    String::new(),
                                    &a.name,
                                    a.domain.as_ref().map(|x| x.as_str()),
                                );
                                ctx.accounts
                                    .find_matches(&record)
                                    .first()
                                    .map(|m| ctx.account_ids[m.index])
                            }),
                        _ => None,
                    };
                    match duplicate {
                        Some(id) => Action::Duplicate(id),
                        None => Action::Create(prospector_core::ids::uuid_v7_at(now)),
                    }
                }
            };
            counts.issues += d.issues.len() as i64;
            problems.append(&mut d.issues);
            let id = match action {
                Action::Unchanged => {
                    counts.unchanged += 1;
                    continue;
                }
                Action::Duplicate(id) => {
                    counts.duplicates += 1;
                    problems.push(ImportProblem {
                        line: i64::try_from(d.line).unwrap_or(i64::MAX),
                        column: None,
                        header: None,
                        field: "row".into(),
                        code: "duplicate".into(),
                        message: format!(
                            "matches the {object} {id} already stored or earlier in the file; not imported"
                        ),
                        refused: true,
                        file: None,
                    });
                    if let Some(e) = d.external_id.take() {
                        external.push((object, e, id, d.hash.clone()));
                    }
                    continue;
                }
                Action::Update(id) => {
                    counts.updated += 1;
                    id
                }
                Action::Create(id) => {
                    counts.created += 1;
                    id
                }
            };
            if let Some(e) = d.external_id.take() {
                external.push((object, e, id, d.hash.clone()));
            }
            let created_at = d.created_at.unwrap_or(now);
            let custom = serde_json::Value::Object(std::mem::take(&mut d.custom));
            match body {
                Body::Person(p) => {
                    let new = &p.new;
                    let account_id = account_ref.as_ref().map(|k| k.record_id).or_else(|| {
                        ctx.find_account(
                            p.account_name.as_deref().or(new.company.as_deref()),
                            new.email.as_ref().map(|e| e.as_str()),
                        )
                    });
                    if matches!(action, Action::Create(_)) {
                        ctx.index.insert(&person_record(String::new(), new));
                        ctx.index_ids.push(id);
                    }
                    search_rows.push(vec![
                        Value::Text(Some("person".into())),
                        Value::Uuid(Some(id)),
                        Value::Text(Some(person_search_body(new))),
                    ]);
                    person_rows.push(vec![
                        Value::Uuid(Some(id)),
                        Value::Text(Some(object.to_owned())),
                        Value::Text(new.first_name.clone()),
                        Value::Text(new.last_name.clone()),
                        Value::Text(new.email.as_ref().map(|e| e.as_str().to_owned())),
                        Value::Text(new.email.as_ref().map(|e| e.fold_gmail())),
                        Value::Text(new.phone.as_ref().map(|p| p.as_str().to_owned())),
                        Value::Text(new.phone.as_ref().and_then(|p| phone_key(p.as_str()))),
                        Value::Text(name_key(new.first_name.as_deref(), new.last_name.as_deref())),
                        Value::Text(new.title.clone()),
                        Value::Text(new.company.clone()),
                        Value::Uuid(account_id),
                        Value::Text(new.country.map(|c| c.alpha2().to_owned())),
                        Value::Text(new.region.map(|r| r.code().to_owned())),
                        Value::Text(new.time_zone.map(|t| t.name().to_owned())),
                        Value::Uuid(owner.map(|o| o.0)),
                        Value::Text(Some(p.status.clone().unwrap_or_else(|| "raw".into()))),
                        Value::Text(new.source.clone()),
                        Value::Bool(Some(p.do_not_call.unwrap_or(false))),
                        Value::Bool(Some(p.unsubscribed.unwrap_or(false))),
                        Value::Json(Some(custom)),
                        Value::Time(Some(created_at)),
                        Value::Time(Some(now)),
                    ]);
                }
                Body::Account(a) => {
                    if matches!(action, Action::Create(_)) {
                        ctx.accounts.insert(&account_record(
                            String::new(),
                            &a.name,
                            a.domain.as_ref().map(|x| x.as_str()),
                        ));
                        ctx.account_ids.push(id);
                    }
                    if let Some(dom) = &a.domain {
                        ctx.domains.entry(dom.as_str().to_owned()).or_insert(id);
                        domain_rows.push(vec![
                            Value::Uuid(Some(prospector_core::ids::uuid_v7_at(now))),
                            Value::Text(Some(dom.as_str().to_owned())),
                            Value::Uuid(Some(id)),
                        ]);
                    }
                    let body = match &a.domain {
                        Some(dom) => {
                            format!("{} {} {}", a.name, dom.as_str(), dom.as_str().replace('.', " "))
                        }
                        None => a.name.clone(),
                    };
                    search_rows.push(vec![
                        Value::Text(Some("account".into())),
                        Value::Uuid(Some(id)),
                        Value::Text(Some(body)),
                    ]);
                    account_rows.push(vec![
                        Value::Uuid(Some(id)),
                        Value::Text(Some(a.name.clone())),
                        Value::I64(a.employees),
                        Value::Text(a.segment.clone()),
                        Value::Text(a.country.clone()),
                        Value::Uuid(owner.map(|o| o.0)),
                        Value::Json(Some(custom)),
                        Value::Time(Some(created_at)),
                        Value::Time(Some(now)),
                    ]);
                }
                Body::Opportunity(o) => {
                    let account_id = account_ref
                        .as_ref()
                        .map(|k| k.record_id)
                        .or_else(|| ctx.find_account(o.account_name.as_deref(), None));
                    opportunity_rows.push(vec![
                        Value::Uuid(Some(id)),
                        Value::Text(Some(o.name.clone())),
                        Value::Uuid(account_id),
                        Value::Text(Some(
                            o.stage.clone().unwrap_or_else(|| "pending_acceptance".into()),
                        )),
                        Value::Uuid(owner.map(|u| u.0)),
                        Value::I64(o.amount_cents),
                        Value::Date(o.close_date),
                        Value::Text(o.next_step.clone()),
                        Value::Time(Some(created_at)),
                        Value::Time(Some(now)),
                    ]);
                }
                Body::Task(t) => {
                    let (person, mut account, mut opportunity) =
                        (who.as_ref().map(|k| k.record_id), None, None);
                    if let Some(k) = &what {
                        if k.object == "opportunity" {
                            opportunity = Some(k.record_id);
                        } else {
                            account = Some(k.record_id);
                        }
                    }
                    let status = match t.status.as_deref() {
                        Some("completed") => "done",
                        _ => "open",
                    };
                    task_rows.push(vec![
                        Value::Uuid(Some(id)),
                        Value::Text(Some(t.title.clone())),
                        Value::Text(t.notes.clone()),
                        Value::Time(Some(t.due_at.unwrap_or(created_at))),
                        Value::Text(Some(t.priority.clone().unwrap_or_else(|| "normal".into()))),
                        Value::Text(Some(status.into())),
                        Value::Uuid(owner.map(|u| u.0)),
                        Value::Uuid(person),
                        Value::Uuid(account),
                        Value::Uuid(opportunity),
                        Value::Time(t.completed_at),
                        Value::Time(Some(created_at)),
                        Value::Time(Some(now)),
                    ]);
                }
            }
        }
        // Problems are numbered and named now, while the batch is decided in file order.
        problems.sort_by_key(|p| p.line);
        if let Some(file) = &ctx.file {
            for p in problems.iter_mut() {
                p.file = Some(file.clone());
            }
        }
        let problems_from = ctx.problems_stored;
        if !dry_run {
            ctx.problems_stored += problems.len() as i64;
        }
        Ok(BatchRows {
            people: person_rows,
            accounts: account_rows,
            domains: domain_rows,
            opportunities: opportunity_rows,
            tasks: task_rows,
            search: search_rows,
            external,
            problems_from,
            now,
        })
    }

    /// An import run by id, with its first `limit` problems.
    pub async fn import_run(
        &self,
        actor: &Actor,
        id: Uuid,
        limit: i64,
    ) -> AppResult<(ImportJob, Vec<ImportProblem>)> {
        require_import(actor)?;
        let mut reader = self.store().reader();
        let job = store::get_job(&mut reader, id)
            .await?
            .ok_or_else(|| AppError::NotFound("import job".into()))?;
        let problems = store::problems(&mut reader, id, limit).await?;
        Ok((job, problems))
    }

    /// The newest import jobs.
    pub async fn import_jobs(&self, actor: &Actor, limit: i64) -> AppResult<Vec<ImportJob>> {
        require_import(actor)?;
        Ok(store::list_jobs(&mut self.store().reader(), limit.clamp(1, 500)).await?)
    }
}

fn counts_of(job: &ImportJob) -> Counts {
    Counts {
        rows: job.rows_done,
        created: job.created,
        updated: job.updated,
        unchanged: job.unchanged,
        duplicates: job.duplicates,
        refused: job.refused,
        issues: job.issues,
    }
}

fn preset_code(preset: Preset) -> &'static str {
    match preset {
        Preset::Salesforce => "salesforce",
        Preset::Hubspot => "hubspot",
        Preset::Pipedrive => "pipedrive",
        Preset::Auto => "auto",
    }
}

fn file_summary(source: &Source) -> (Vec<String>, BTreeMap<String, u64>, String, String) {
    let unmapped = source
        .unmapped_values()
        .iter()
        .map(|((field, value), n)| (format!("{field}: {value}"), *n))
        .collect();
    match source {
        Source::Csv(csv) => {
            let s = csv.summary();
            (
                s.custom_fields.clone(),
                unmapped,
                s.encoding.to_owned(),
                s.delimiter.to_string(),
            )
        }
        Source::Tree { custom, .. } => (custom.clone(), unmapped, "utf-8".into(), "json".into()),
    }
}

/// Imports change many records at once: admins and the command line only.
fn require_import(actor: &Actor) -> AppResult<()> {
    match actor.as_user() {
        None => Ok(()),
        Some(user) if user.role == Role::Admin => Ok(()),
        Some(_) => Err(AppError::Forbidden("only admins import files".into())),
    }
}
