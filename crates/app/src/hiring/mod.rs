//! Hiring use cases: jobs from markdown pages, public applications, the pipeline board, interviews
//! with blind scorecards, offers with an approval chain and signed candidate links, reports, and
//! privacy (export, erasure, anonymisation after the retention period).
//!
//! Who may do what (record-level, checked here rather than as role permissions because "hiring
//! manager" is a relation to a job, not a role):
//! - recruiters and admins: everything in hiring;
//! - a job's hiring manager (`jobs.hiring_manager_id`, any role): that job, its candidates, offers and report;
//! - interviewers: the candidates of the interviews they are assigned to, and their own scorecards;
//! - everyone else: 403.
//!
//! The offer approval chain is the job's hiring manager, then its "CEO": the user set as `ceo_id`
//! on the job, or else the first active admin (by id, i.e. the oldest).

pub mod apply;
pub mod candidate_zone;
pub mod demo;
pub mod interviews;
pub mod jobs;
pub mod mailer;
pub mod offer_expiry;
pub mod offers;
pub mod pipeline;
pub mod privacy;
pub mod reports;
pub mod scrub;

use std::sync::Arc;

use prospector_core::hiring::HiringError;
use prospector_core::hiring::SigningKey;
use prospector_core::ids::UserId;
use prospector_core::role::Role;
use prospector_store::hiring::applications::{self as store_apps, ApplicationRow};
use prospector_store::hiring::interviews as store_interviews;
use prospector_store::hiring::jobs::{self as store_jobs, Job};
use prospector_store::hiring::settings;
use rand::RngCore;
use uuid::Uuid;

use crate::outbox::Worker;
use crate::{Actor, App, AppError, AppResult};

/// The settings key of the offer-link signing secret (hex of 32 random bytes).
pub const SIGNING_KEY_SETTING: &str = "hiring.link_signing_key";
/// The settings key of the public base URL put in candidate emails (default [`DEFAULT_PUBLIC_URL`]).
pub const PUBLIC_URL_SETTING: &str = "public_url";
/// Used when no public URL is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Outbox kind: anonymise an application whose retention period is over.
pub const ANONYMISE: &str = "hiring.anonymise";
/// Outbox kind: remind an interviewer whose scorecard is due.
pub const SCORECARD_REMINDER: &str = "hiring.scorecard_reminder";

/// Outbox kind: mark a sent offer expired once its answer is overdue.
pub const OFFER_EXPIRY: &str = "hiring.offer_expiry";

/// Registers the hiring handlers of scheduled work on `worker`.
pub fn register_handlers(worker: Worker) -> Worker {
    worker
        .with_handler(ANONYMISE, Arc::new(privacy::AnonymiseHandler))
        .with_handler(SCORECARD_REMINDER, Arc::new(interviews::ReminderHandler))
        .with_handler(OFFER_EXPIRY, Arc::new(offer_expiry::ExpiryHandler))
}

impl From<HiringError> for AppError {
    fn from(value: HiringError) -> Self {
        match value {
            HiringError::Invalid(invalid) => AppError::Invalid(invalid),
            HiringError::Conflict(c) => AppError::Conflict {
                code: c.code,
                message: c.message,
                field: None,
            },
        }
    }
}

impl From<prospector_core::hiring::Conflict> for AppError {
    fn from(c: prospector_core::hiring::Conflict) -> Self {
        AppError::Conflict {
            code: c.code,
            message: c.message,
            field: None,
        }
    }
}

/// Whether the actor works in recruiting (recruiters, admins, the command line).
pub fn is_recruiter(actor: &Actor) -> bool {
    matches!(actor.role(), Role::Admin | Role::Recruiter)
}

fn forbidden() -> AppError {
    AppError::Forbidden("hiring is open to recruiters, the job's hiring manager and its interviewers".into())
}

/// Refuses unless the actor is a recruiter or the job's hiring manager.
pub fn require_job(actor: &Actor, job: &Job) -> AppResult<()> {
    if is_recruiter(actor) || (actor.user_id().is_some() && actor.user_id() == job.hiring_manager_id) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// Refuses unless the actor is a recruiter.
pub fn require_recruiter(actor: &Actor) -> AppResult<()> {
    if is_recruiter(actor) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// What the actor may see of one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationAccess {
    /// Recruiter or hiring manager: everything, every scorecard.
    Decider,
    /// An interviewer of this candidate: the application, and scorecards once theirs is in.
    Interviewer,
}

impl App {
    pub(crate) async fn job(&self, id: Uuid) -> AppResult<Job> {
        store_jobs::job_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("job".into()))
    }

    pub(crate) async fn application(&self, id: Uuid) -> AppResult<ApplicationRow> {
        store_apps::application_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("application".into()))
    }

    /// The access the actor has to an application of `job`, or 403.
    pub(crate) async fn application_access(
        &self,
        actor: &Actor,
        job: &Job,
        application_id: Uuid,
    ) -> AppResult<ApplicationAccess> {
        if require_job(actor, job).is_ok() {
            return Ok(ApplicationAccess::Decider);
        }
        if let Some(user) = actor.user_id()
            && store_interviews::is_interviewer_of(&mut self.store().reader(), application_id, user).await?
        {
            return Ok(ApplicationAccess::Interviewer);
        }
        Err(forbidden())
    }

    /// The offer-link signing key, generated on first use and shared by every node through the
    /// `settings` table.
    pub async fn link_signing_key(&self) -> AppResult<SigningKey> {
        let stored = settings::get(&mut self.store().reader(), SIGNING_KEY_SETTING).await?;
        let hex_key = match stored {
            Some(k) => k,
            None => {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                let mut tx = self.store().begin().await?;
                let k =
                    settings::get_or_insert(&mut tx, SIGNING_KEY_SETTING, &hex::encode(bytes), self.now())
                        .await?;
                tx.commit().await?;
                k
            }
        };
        let bytes = hex::decode(hex_key).map_err(|e| AppError::Internal(format!("bad signing key: {e}")))?;
        SigningKey::new(&bytes).map_err(|e| AppError::Internal(e.message))
    }

    /// The base URL put in links mailed to candidates.
    pub async fn public_url(&self) -> AppResult<String> {
        Ok(settings::get(&mut self.store().reader(), PUBLIC_URL_SETTING)
            .await?
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_owned())
            .trim_end_matches('/')
            .to_owned())
    }

    /// Sets the base URL put in links mailed to candidates (admins).
    pub async fn set_public_url(&self, actor: &Actor, url: &str) -> AppResult<()> {
        actor.require(prospector_core::role::Permission::ManageUsers)?;
        let url = url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(prospector_core::Invalid::new(
                "public_url",
                "invalid_url",
                "the public URL must start with http:// or https://",
            )
            .into());
        }
        let mut tx = self.store().begin().await?;
        settings::set(&mut tx, PUBLIC_URL_SETTING, url, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user who approves offers last when the job names no CEO: the first active admin.
    pub(crate) async fn default_ceo(&self) -> AppResult<Option<UserId>> {
        let filter = prospector_store::users::UserFilter {
            role: Some(Role::Admin),
            team_id: None,
            active: Some(true),
        };
        let admins =
            prospector_store::users::list_users(&mut self.store().reader(), &filter, None, 1).await?;
        Ok(admins.first().map(|u| u.id))
    }
}
