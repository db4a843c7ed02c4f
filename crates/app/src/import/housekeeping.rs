//! Imports started from the upload page outlive the process that ran them. A periodic outbox job
//! finds jobs left `running` by a process that died (their last progress is older than
//! [`STALLED_AFTER`]; a running import records progress with every batch) and resumes each after
//! its last committed batch. The claim is a compare-and-set on the job's progress time, so when two
//! `serve` processes share one database exactly one of them resumes it. The same job removes
//! uploaded files once their import has finished, and uploads nobody started within
//! [`UPLOADS_KEPT`].

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use prospector_store::import::{self as store, ImportJob};
use prospector_store::outbox::Claimed;
use uuid::Uuid;

use super::ImportOptions;
use super::background::is_running_here;
use crate::outbox::{Handler, HandlerFuture};
use crate::{Actor, App, AppError, AppResult};

/// The outbox job that resumes stalled imports and removes old uploads.
pub const IMPORT_HOUSEKEEPING: &str = "import.housekeeping";

/// How often it runs.
const INTERVAL_SECONDS: i64 = 60;

/// A running job with no progress for this long belongs to a process that died.
pub const STALLED_AFTER: Duration = Duration::seconds(90);

/// How long an upload that was never started is kept.
pub const UPLOADS_KEPT: Duration = Duration::days(7);

/// Statuses after which an upload's file is no longer needed (a failed job keeps its file so
/// it can be looked into and run again).
const FINISHED: [&str; 2] = ["done", "rejected"];

/// What one housekeeping pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Housekeeping {
    /// Jobs this process resumed.
    pub resumed: Vec<Uuid>,
    /// Stalled jobs that could not be resumed and are now marked failed.
    pub failed: Vec<Uuid>,
    /// Upload directories removed.
    pub removed_uploads: usize,
}

/// Runs a pass and queues the next.
#[derive(Debug)]
pub struct HousekeepingHandler;

impl Handler for HousekeepingHandler {
    fn run<'a>(&'a self, app: &'a App, _item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            app.import_housekeeping().await.map_err(|e| e.to_string())?;
            app.schedule_import_housekeeping()
                .await
                .map_err(|e| e.to_string())?;
            Ok(())
        })
    }
}

/// The file beside each upload that records, among the choices made for it, when it arrived
/// (`uploaded_at`, RFC 3339, from the app's clock).
pub const UPLOAD_MANIFEST: &str = "upload.json";

/// When the upload in `dir` arrived, from its manifest, else from the manifest file's own time.
fn uploaded_at(dir: &std::path::Path) -> Option<DateTime<Utc>> {
    let manifest = dir.join(UPLOAD_MANIFEST);
    let recorded = std::fs::read(&manifest)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|json| json["uploaded_at"].as_str().map(str::to_owned))
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|t| t.with_timezone(&Utc));
    recorded.or_else(|| Some(std::fs::metadata(&manifest).ok()?.modified().ok()?.into()))
}

impl App {
    /// The directory of upload `id` (the job's id once started).
    pub fn upload_dir(&self, id: Uuid) -> PathBuf {
        self.settings().import_dir.join(id.to_string())
    }

    /// Queues the next pass (one per interval slot, however many processes ask).
    pub async fn schedule_import_housekeeping(&self) -> AppResult<()> {
        let now = self.now();
        let slot = now.timestamp().div_euclid(INTERVAL_SECONDS) + 1;
        let at = DateTime::from_timestamp(slot * INTERVAL_SECONDS, 0).unwrap_or(now);
        let mut tx = self.store().begin().await?;
        crate::outbox::enqueue(
            &mut tx,
            now,
            IMPORT_HOUSEKEEPING,
            serde_json::json!({}),
            at,
            Some(format!("{IMPORT_HOUSEKEEPING}:{slot}")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resumes stalled uploaded imports and removes uploads that are no longer needed.
    pub async fn import_housekeeping(&self) -> AppResult<Housekeeping> {
        let mut done = Housekeeping::default();
        let now = self.now();
        let stalled = store::stalled_jobs(&mut self.store().reader(), now - STALLED_AFTER).await?;
        for job in stalled {
            // Command-line imports are resumed by running the command again on the same file.
            if job.actor_id.is_none() || is_running_here(job.id) {
                continue;
            }
            let mut tx = self.store().begin().await?;
            if !store::claim_stalled(&mut tx, job.id, job.updated_at, now).await? {
                continue;
            }
            tx.commit().await?;
            match self.resume_claimed(&job) {
                Ok(()) => done.resumed.push(job.id),
                Err(error) => {
                    tracing::warn!(job = %job.id, %error, "a stalled import cannot be resumed");
                    self.fail_import_job(job.id, &error.to_string()).await?;
                    done.failed.push(job.id);
                }
            }
        }
        done.removed_uploads = self.remove_old_uploads(now).await?;
        Ok(done)
    }

    fn resume_claimed(&self, job: &ImportJob) -> AppResult<()> {
        let path = self.upload_dir(job.id).join(&job.file_name);
        if !path.is_file() {
            return Err(AppError::Invalid(prospector_core::Invalid::new(
                "file",
                "gone",
                format!(
                    "the uploaded file is no longer in {}; upload it again (rows already imported are \
                     recognised by their ids and not duplicated)",
                    path.display()
                ),
            )));
        }
        let options: ImportOptions = serde_json::from_value(job.options.clone())
            .map_err(|e| AppError::Internal(format!("import job {}: options: {e}", job.id)))?;
        self.run_import_job(&Actor::system(), job.id, path, options)
    }

    /// Removes the upload of every finished job, and uploads never started within
    /// [`UPLOADS_KEPT`]. Returns how many it removed.
    async fn remove_old_uploads(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let Ok(entries) = std::fs::read_dir(&self.settings().import_dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let Some(id) = entry.file_name().to_str().and_then(|n| Uuid::parse_str(n).ok()) else {
                continue;
            };
            let job = store::get_job(&mut self.store().reader(), id).await?;
            let remove = match job {
                Some(job) => FINISHED.contains(&job.status.as_str()),
                None => uploaded_at(&entry.path()).is_some_and(|at| now - at > UPLOADS_KEPT),
            };
            if remove && std::fs::remove_dir_all(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes the upload of job `id` once it has finished.
    pub(super) async fn remove_upload_if_finished(&self, id: Uuid) -> AppResult<()> {
        let job = store::get_job(&mut self.store().reader(), id).await?;
        if job.is_some_and(|j| FINISHED.contains(&j.status.as_str())) {
            let _ = std::fs::remove_dir_all(self.upload_dir(id));
        }
        Ok(())
    }
}
