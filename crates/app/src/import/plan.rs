//! A Salesforce DX data plan (`sf data import tree --plan`): a JSON list of steps, each naming the
//! sObject-tree files of one object, loaded in order so that later files can refer to records of
//! earlier ones (`"accountId": "@AccountRef3"`). Uploaded from the page, a plan and its files are
//! one job: its progress counts the records of all files, its problems say which file they are in,
//! and it resumes after the last committed batch of whichever file it had reached.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use prospector_core::Invalid;
use prospector_core::import::ObjectKind;
use prospector_core::import::sobject_tree::{self, PlanStep};
use prospector_store::import::{self as store, Counts, ImportProblem};
use uuid::Uuid;

use super::plan_mapping::{check_plan_mappings, in_file, step_options};
use super::{
    Context, ImportOptions, ImportReport, counts_of, file_error, file_summary, open_source, require_import,
    skip_rows, system_of,
};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// The object code a plan's job is stored under.
pub const PLAN_OBJECT: &str = "plan";

/// One file of a data plan, with the object its step names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    /// The object of its step.
    pub object: ObjectKind,
    /// Where it is.
    pub path: PathBuf,
    /// Its name, as problems and the page name it.
    pub name: String,
}

/// Whether the file at `path` is a data plan rather than a tree or a CSV: a `.json` file holding
/// a list (a tree file holds an object). Any name will do: `sf data export tree --plan` writes
/// `Account-Contact-plan.json`, older tools `data-plan.json`.
pub fn is_plan(path: &Path) -> bool {
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let mut head = [0u8; 512];
    let read = is_json
        .then(|| std::fs::File::open(path).ok())
        .flatten()
        .and_then(|mut f| f.read(&mut head).ok())
        .unwrap_or(0);
    let text = head[..read]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head[..read]);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// The file a plan names, beside the plan: as written (`data/Accounts.json`), else by its name alone
/// (an upload keeps no folders).
fn beside(dir: &Path, named: &str) -> PathBuf {
    let as_written = dir.join(named);
    if as_written.is_file() {
        return as_written;
    }
    let name = named.rsplit(['/', '\\']).next().unwrap_or(named);
    dir.join(name)
}

/// Reads the data plan at `path`: its files in load order, each with its step's object. Refuses a
/// plan that names an object we do not import or a file that is not beside it.
pub fn read_plan(path: &Path) -> AppResult<Vec<PlanFile>> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    let steps: Vec<PlanStep> = sobject_tree::parse_data_plan(&bytes).map_err(|e| file_error(path, e))?;
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut files = Vec::new();
    for step in steps {
        let object = ObjectKind::parse(&step.sobject).ok_or_else(|| {
            file_error(
                path,
                format!("the data plan names {}, which we do not import", step.sobject),
            )
        })?;
        for named in &step.files {
            let path = beside(&dir, named);
            if !path.is_file() {
                return Err(AppError::Invalid(Invalid::new(
                    "file",
                    "plan_file_missing",
                    format!("the data plan names {named}; choose it together with the plan"),
                )));
            }
            let name = path
                .file_name()
                .map_or_else(|| named.clone(), |n| n.to_string_lossy().into_owned());
            files.push(PlanFile { object, path, name });
        }
    }
    if files.is_empty() {
        return Err(file_error(path, "the data plan names no files"));
    }
    Ok(files)
}

impl App {
    /// Checks that the data plan at `plan_path` can be imported: it reads, names objects we import,
    /// every file it names was `uploaded` with it (and nothing else was), and each file's header
    /// maps under the mapping chosen for it. A refusal about one file names it in its field (see
    /// [`super::plan_mapping`]). Returns its files in load order.
    pub async fn import_plan_check(
        &self,
        actor: &Actor,
        plan_path: &Path,
        options: &ImportOptions,
        uploaded: &[String],
    ) -> AppResult<Vec<PlanFile>> {
        require_import(actor)?;
        let files = read_plan(plan_path)?;
        let plan_name = plan_path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let Some(stray) = uploaded
            .iter()
            .find(|u| Some(u.as_str()) != plan_name.as_deref() && !files.iter().any(|f| &f.name == *u))
        {
            return Err(AppError::Invalid(Invalid::new(
                "file",
                "not_in_plan",
                format!("{stray} is not named by the data plan; choose only the plan and its files"),
            )));
        }
        check_plan_mappings(&files, options)?;
        for file in &files {
            let options = step_options(options, file);
            open_source(&file.path, &options, Arc::new(AtomicU64::new(0))).map_err(|e| in_file(e, file))?;
        }
        Ok(files)
    }

    /// Imports the data plan at `plan_path` and its files, in plan order, as job `job` (written
    /// before, as the page does). A job that has committed some batches resumes after them.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        plan_path: &Path,
        options: &ImportOptions,
        job: Uuid,
    ) -> AppResult<ImportReport> {
        require_import(actor)?;
        let started = Instant::now();
        let files = read_plan(plan_path)?;
        let stored = store::get_job(&mut self.store().reader(), job)
            .await?
            .ok_or_else(|| AppError::NotFound("import job".into()))?;
        if options.strict && stored.rows_done == 0 {
            let mut bad = Vec::new();
            for file in &files {
                let found = self
                    .check_strict(&file.path, &step_options(options, file))
                    .await?;
                bad.extend(found.into_iter().map(|p| ImportProblem {
                    file: Some(file.name.clone()),
                    ..p
                }));
            }
            if !bad.is_empty() {
                return self.reject_plan(&stored.file_name, job, bad, started).await;
            }
        }
        let mut to_skip = stored.rows_done;
        let mut rows_seen = 0;
        let mut problems_stored = store::problem_count(&mut self.store().reader(), job).await?;
        let mut summaries = Vec::new();
        let mut custom_fields = Vec::new();
        for file in &files {
            let options = step_options(options, file);
            let mut source = open_source(&file.path, &options, Arc::new(AtomicU64::new(0)))?;
            let object = source.mapping().object();
            let system = system_of(source.mapping().preset());
            let mut ctx = Context::load(self, object, system, &options).await?;
            ctx.headers = source
                .mapping()
                .columns()
                .iter()
                .map(|c| c.header.clone())
                .collect();
            ctx.file = Some(file.name.clone());
            ctx.problems_stored = problems_stored;
            let skipped = skip_rows(&mut source, to_skip);
            to_skip -= skipped;
            let (counts, _) = self
                .run_batches(&mut ctx, &mut source, Some(job), &options, 0, &|_| {})
                .await?;
            problems_stored = ctx.problems_stored;
            rows_seen += skipped + counts.rows;
            let (custom, unmapped, _, _) = file_summary(&source);
            custom_fields.extend(custom.iter().map(|c| format!("{}: {c}", file.name)));
            summaries.push(serde_json::json!({
                "file": file.name, "object": object.code(), "rows": skipped + counts.rows,
                "custom_fields": custom, "unmapped_values": unmapped,
            }));
        }
        let summary = serde_json::json!({
            "encoding": "utf-8", "delimiter": "json", "preset": "salesforce",
            "custom_fields": custom_fields, "files": summaries,
        });
        let now = self.now();
        let mut tx = self.store().begin().await?;
        store::finish(&mut tx, job, "done", Some(rows_seen), summary, now).await?;
        let finished = store::get_job(&mut tx, job)
            .await?
            .ok_or_else(|| AppError::NotFound("import job".into()))?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "import.finish",
                entity_type: "import_job",
                entity_id: Some(job.to_string()),
                before: None,
                after: Some(&counts_of(&finished)),
            },
        )
        .await?;
        tx.commit().await?;
        let problems = store::problems(&mut self.store().reader(), job, i64::MAX).await?;
        Ok(plan_report(
            &finished.file_name,
            job,
            "done",
            counts_of(&finished),
            custom_fields,
            problems,
            started,
        ))
    }

    /// Strict mode found bad rows in some file of the plan: nothing is imported, every problem is
    /// stored with its file.
    async fn reject_plan(
        &self,
        plan_name: &str,
        job: Uuid,
        problems: Vec<ImportProblem>,
        started: Instant,
    ) -> AppResult<ImportReport> {
        let counts = Counts {
            refused: problems.iter().filter(|p| p.refused).count() as i64,
            issues: problems.iter().filter(|p| !p.refused).count() as i64,
            ..Counts::default()
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        store::insert_problems(&mut tx, job, 0, &problems).await?;
        store::advance(&mut tx, job, &counts, now).await?;
        store::finish(&mut tx, job, "rejected", None, serde_json::json!({}), now).await?;
        tx.commit().await?;
        Ok(plan_report(
            plan_name,
            job,
            "rejected",
            counts,
            Vec::new(),
            problems,
            started,
        ))
    }
}

fn plan_report(
    plan_name: &str,
    job: Uuid,
    status: &str,
    counts: Counts,
    custom_fields: Vec<String>,
    problems: Vec<ImportProblem>,
    started: Instant,
) -> ImportReport {
    ImportReport {
        job_id: Some(job),
        file: plan_name.to_owned(),
        object: PLAN_OBJECT.to_owned(),
        status: status.to_owned(),
        resumed_from: 0,
        counts,
        encoding: "utf-8".into(),
        delimiter: "json".into(),
        preset: "salesforce".into(),
        custom_fields,
        unmapped_values: Default::default(),
        problems,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}
