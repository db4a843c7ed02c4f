//! Imports started from the upload page: the job row is written first (with the row count the
//! preview found, so the page can show "rows done of total" from the first poll), then the import
//! runs on a task of its own while the page polls the job. A job whose task died with its process
//! stays `running` and is resumed by starting it again: the batches it committed are skipped.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use prospector_store::import::{self as store, ImportJob};
use uuid::Uuid;

use super::plan::{PLAN_OBJECT, is_plan};
use super::{ImportOptions, object_code, require_import, sha256_of};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// Jobs running in this process, so a second "Resume" does not run one job twice.
fn running() -> &'static Mutex<HashSet<Uuid>> {
    static RUNNING: OnceLock<Mutex<HashSet<Uuid>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// Whether this process is running the job now.
pub fn is_running_here(id: Uuid) -> bool {
    running().lock().map(|set| set.contains(&id)).unwrap_or(false)
}

impl App {
    /// Writes job `id` for the file at `path` (a data plan: the plan, its files beside it) and
    /// starts importing it in the background. `rows_total` is the number of records the preview
    /// counted.
    pub async fn start_import_job(
        &self,
        actor: &Actor,
        id: Uuid,
        path: PathBuf,
        file_name: &str,
        options: ImportOptions,
        rows_total: Option<i64>,
    ) -> AppResult<Uuid> {
        require_import(actor)?;
        let (sha, _) = sha256_of(&path)?;
        let now = self.now();
        let object = if is_plan(&path) {
            PLAN_OBJECT
        } else {
            object_code(
                options
                    .object
                    .ok_or_else(|| AppError::Internal("an import job needs its object decided".into()))?,
            )
        };
        let mut tx = self.store().begin().await?;
        if store::get_job(&mut tx, id).await?.is_some() {
            return Err(AppError::Conflict {
                code: "already_started",
                message: "this file has already been started".into(),
                field: None,
            });
        }
        let job = ImportJob {
            id,
            object: object.to_owned(),
            file_name: file_name.to_owned(),
            file_sha256: sha,
            options: serde_json::to_value(&options).unwrap_or_default(),
            status: "running".into(),
            rows_done: 0,
            rows_total,
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
        };
        store::insert_job(&mut tx, &job).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "import.start",
                entity_type: "import_job",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"file": file_name, "object": job.object})),
            },
        )
        .await?;
        tx.commit().await?;
        self.run_import_job(actor, id, path, options)?;
        Ok(id)
    }

    /// Resumes job `id`, left `running` by a process that died, from its uploaded file with the
    /// options it was started with. Returns the rows it resumes after.
    pub async fn resume_import_job(&self, actor: &Actor, id: Uuid) -> AppResult<i64> {
        require_import(actor)?;
        let job = store::get_job(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("import job".into()))?;
        if job.status != "running" {
            return Err(AppError::Conflict {
                code: "finished",
                message: "this import has finished; nothing to resume".into(),
                field: None,
            });
        }
        let options: ImportOptions = serde_json::from_value(job.options.clone())
            .map_err(|e| AppError::Internal(format!("import job {id}: options: {e}")))?;
        let path = self.upload_dir(id).join(&job.file_name);
        self.run_import_job(actor, id, path, options)?;
        Ok(job.rows_done)
    }

    /// Runs (or resumes) job `id` on a background task. Refuses a job this process is running.
    pub fn run_import_job(
        &self,
        actor: &Actor,
        id: Uuid,
        path: PathBuf,
        options: ImportOptions,
    ) -> AppResult<()> {
        require_import(actor)?;
        {
            let mut set = running()
                .lock()
                .map_err(|_| AppError::Internal("import registry poisoned".into()))?;
            if !set.insert(id) {
                return Err(AppError::Conflict {
                    code: "already_running",
                    message: "this import is running already".into(),
                    field: None,
                });
            }
        }
        let app = self.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            let result = if is_plan(&path) {
                app.import_plan(&actor, &path, &options, id).await
            } else {
                app.import_file(&actor, &path, &options, &|_| {}, Some(id)).await
            };
            match result {
                Ok(_) => {
                    if let Err(e) = app.remove_upload_if_finished(id).await {
                        tracing::warn!(job = %id, error = %e, "could not remove the finished upload");
                    }
                }
                Err(error) => {
                    tracing::warn!(job = %id, %error, "import failed");
                    if let Err(e) = app.fail_import_job(id, &error.to_string()).await {
                        tracing::error!(job = %id, error = %e, "could not mark the import failed");
                    }
                }
            }
            if let Ok(mut set) = running().lock() {
                set.remove(&id);
            }
        });
        Ok(())
    }

    pub(super) async fn fail_import_job(&self, id: Uuid, message: &str) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        store::finish(
            &mut tx,
            id,
            "failed",
            None,
            serde_json::json!({ "error": message }),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
