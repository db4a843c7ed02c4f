//! The board: moving candidates forward, declining (with a templated email sent now or later, and
//! cancelable until it goes), withdrawing, talent-pool tags.

use chrono::{DateTime, Duration, Utc};
use prospector_core::Invalid;
use prospector_core::hiring::{
    Application, ApplicationStatus, DeclineReason, JobStatus, RetentionPolicy, Stage, StageKind,
};
use prospector_store::WriteTx;
use prospector_store::hiring::applications::{self as store_apps, ApplicationRow, Candidate};
use prospector_store::hiring::jobs::{self as store_jobs, Job};
use prospector_store::hiring::settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ANONYMISE, ApplicationAccess, mailer, require_job, require_recruiter};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A decline as asked for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeclineInput {
    /// Reason code.
    pub reason: String,
    /// Note (required for `other`).
    #[serde(default)]
    pub note: Option<String>,
    /// Email template code; no email when absent.
    #[serde(default)]
    pub template: Option<String>,
    /// Hold the email back this many hours (0–336).
    #[serde(default)]
    pub delay_hours: Option<i64>,
}

/// An application with its candidate, as the board and the detail page show it.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    /// The application.
    pub application: ApplicationRow,
    /// The candidate.
    pub candidate: Candidate,
    /// When the decline email goes, while it can still be cancelled.
    pub decline_email_pending: bool,
}

/// A job's board: each stage with the active candidates in it, and the closed applications.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// The job.
    #[serde(skip)]
    pub job: Job,
    /// Columns.
    pub columns: Vec<BoardColumn>,
    /// Declined, withdrawn and hired.
    pub closed: Vec<ApplicationView>,
}

/// One column of the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardColumn {
    /// The stage.
    pub stage: Stage,
    /// Active applications at it.
    pub applications: Vec<ApplicationView>,
}

/// Closes an application's file for retention: schedules its anonymisation.
pub(crate) async fn schedule_anonymisation(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    a: &ApplicationRow,
) -> AppResult<()> {
    if let Some(due) = a
        .closed_at
        .and_then(|c| RetentionPolicy::default().due_at(a.status, c))
    {
        crate::outbox::enqueue(
            tx,
            now,
            ANONYMISE,
            serde_json::json!({"application_id": a.id}),
            due,
            Some(format!("{ANONYMISE}:{}", a.id)),
        )
        .await?;
    }
    Ok(())
}

fn state_of(a: &ApplicationRow) -> Application {
    Application {
        stage: a.stage.clone(),
        status: a.status,
        decline: None,
        closed_at: a.closed_at,
    }
}

impl App {
    async fn view(&self, a: ApplicationRow) -> AppResult<ApplicationView> {
        let mut reader = self.store().reader();
        let candidate = store_apps::candidate_by_id(&mut reader, a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let pending = match &a.decline_email_key {
            Some(key) => settings::outbox_exists(&mut reader, key).await?,
            None => false,
        };
        Ok(ApplicationView {
            application: a,
            candidate,
            decline_email_pending: pending,
        })
    }

    /// The board of a job.
    pub async fn board(&self, actor: &Actor, job_id: Uuid) -> AppResult<Board> {
        let job = self.job(job_id).await?;
        require_job(actor, &job)?;
        let apps = store_apps::applications_of_job(&mut self.store().reader(), Some(job.id)).await?;
        let mut columns: Vec<BoardColumn> = job
            .stages
            .iter()
            .map(|s| BoardColumn {
                stage: s.clone(),
                applications: Vec::new(),
            })
            .collect();
        let mut closed = Vec::new();
        for a in apps {
            let active = a.status == ApplicationStatus::Active;
            let stage = a.stage.clone();
            let view = self.view(a).await?;
            match columns.iter_mut().find(|c| c.stage.code == stage) {
                Some(col) if active => col.applications.push(view),
                _ => closed.push(view),
            }
        }
        Ok(Board { job, columns, closed })
    }

    /// Applications the actor may see: a job's (recruiter, hiring manager), or, for an
    /// interviewer, only those of the candidates they interview.
    pub async fn list_applications(
        &self,
        actor: &Actor,
        job_id: Option<Uuid>,
    ) -> AppResult<Vec<ApplicationView>> {
        let mut reader = self.store().reader();
        let rows = if let Some(job_id) = job_id {
            let job = self.job(job_id).await?;
            if require_job(actor, &job).is_ok() {
                store_apps::applications_of_job(&mut reader, Some(job_id)).await?
            } else {
                self.interviewer_applications(actor)
                    .await?
                    .into_iter()
                    .filter(|a| a.job_id == job_id)
                    .collect()
            }
        } else if super::is_recruiter(actor) {
            store_apps::applications_of_job(&mut reader, None).await?
        } else {
            let mut rows = Vec::new();
            if let Some(user) = actor.user_id() {
                for job in store_jobs::list_jobs(&mut reader, None, Some(user)).await? {
                    rows.extend(store_apps::applications_of_job(&mut reader, Some(job.id)).await?);
                }
            }
            for a in self.interviewer_applications(actor).await? {
                if !rows.iter().any(|r| r.id == a.id) {
                    rows.push(a);
                }
            }
            if rows.is_empty() && actor.role() != prospector_core::role::Role::Interviewer {
                return Err(AppError::Forbidden(
                    "hiring is open to recruiters, hiring managers and interviewers".into(),
                ));
            }
            rows
        };
        let mut out = Vec::with_capacity(rows.len());
        for a in rows {
            out.push(self.view(a).await?);
        }
        Ok(out)
    }

    async fn interviewer_applications(&self, actor: &Actor) -> AppResult<Vec<ApplicationRow>> {
        let Some(user) = actor.user_id() else {
            return Ok(Vec::new());
        };
        let mut reader = self.store().reader();
        let mut rows: Vec<ApplicationRow> = Vec::new();
        for iv in prospector_store::hiring::interviews::interviews_for_user(&mut reader, user).await? {
            if !rows.iter().any(|r| r.id == iv.application_id)
                && let Some(a) = store_apps::application_by_id(&mut reader, iv.application_id).await?
            {
                rows.push(a);
            }
        }
        Ok(rows)
    }

    /// One application, for whoever may see it.
    pub async fn get_application(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<(ApplicationView, Job, ApplicationAccess)> {
        let a = self.application(id).await?;
        let job = self.job(a.job_id).await?;
        let access = self.application_access(actor, &job, a.id).await?;
        Ok((self.view(a).await?, job, access))
    }

    /// Moves an application to a later stage; backwards, or on a closed job, is a 409. Reaching
    /// Hired closes the job.
    pub async fn move_application(&self, actor: &Actor, id: Uuid, to: &str) -> AppResult<ApplicationRow> {
        let a = self.application(id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let now = self.now();
        let next = state_of(&a).advance_to(job.status, &job.stages, to.trim(), now)?;
        let mut tx = self.store().begin().await?;
        let a = self.apply_move(&mut tx, actor, job, a, next, now).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Writes a forward move (and the job's closing when it hires) inside `tx`.
    pub(crate) async fn apply_move(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        mut job: Job,
        a: ApplicationRow,
        next: Application,
        now: DateTime<Utc>,
    ) -> AppResult<ApplicationRow> {
        let before = a.clone();
        let mut a = a;
        a.stage = next.stage;
        a.status = next.status;
        a.closed_at = next.closed_at;
        a.updated_at = now;
        store_apps::update_application(tx, &a).await?;
        store_apps::enter_stage(tx, a.id, &a.stage, now).await?;
        audit::record(
            tx,
            actor,
            now,
            Change {
                action: "application.move",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: Some(&serde_json::json!({"stage": before.stage, "status": before.status.code()})),
                after: Some(&serde_json::json!({"stage": a.stage, "status": a.status.code()})),
            },
        )
        .await?;
        if a.status == ApplicationStatus::Hired {
            store_apps::leave_stage(tx, a.id, now).await?;
            job.status = JobStatus::Closed;
            job.closed_at = Some(now);
            job.updated_at = now;
            store_jobs::update_job(tx, &job).await?;
            audit::record(
                tx,
                actor,
                now,
                Change {
                    action: "job.close",
                    entity_type: "job",
                    entity_id: Some(job.id.to_string()),
                    before: Some(&serde_json::json!({"status": "open"})),
                    after: Some(&serde_json::json!({"status": "closed", "hired_application_id": a.id})),
                },
            )
            .await?;
        }
        Ok(a)
    }

    /// Declines an application at its stage, with a reason and optionally a templated email held
    /// back by a delay; schedules anonymisation after the retention period.
    pub async fn decline_application(
        &self,
        actor: &Actor,
        id: Uuid,
        input: DeclineInput,
    ) -> AppResult<ApplicationRow> {
        let a = self.application(id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let reason = DeclineReason::parse(&input.reason)?;
        let template = input
            .template
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(mailer::decline_template)
            .transpose()?;
        let delay = input.delay_hours.filter(|h| *h != 0).map(Duration::hours);
        let now = self.now();
        let next = state_of(&a).decline(
            reason,
            input.note.as_deref(),
            template.map(|t| t.code),
            delay,
            now,
        )?;
        let decline = next
            .decline
            .clone()
            .ok_or_else(|| AppError::Internal("decline without details".into()))?;
        let candidate = self.view(a.clone()).await?.candidate;
        let before = a.clone();
        let mut a = a;
        a.status = next.status;
        a.closed_at = next.closed_at;
        a.decline_reason = Some(decline.reason);
        a.decline_note = decline.note.clone();
        a.updated_at = now;
        let mut tx = self.store().begin().await?;
        if let (Some(email), Some(template), Some(to)) =
            (&decline.email, template, candidate.email.as_deref())
        {
            let msg = mailer::message(
                now,
                to,
                &candidate.name,
                mailer::fill(template.subject, &candidate.name, &job.title),
                mailer::fill(template.body, &candidate.name, &job.title),
                ("application", a.id.to_string()),
            );
            a.decline_email_key = Some(mailer::queue(&mut tx, now, &msg, email.send_at).await?);
        }
        store_apps::update_application(&mut tx, &a).await?;
        store_apps::leave_stage(&mut tx, a.id, now).await?;
        schedule_anonymisation(&mut tx, now, &a).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "application.decline",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: Some(&serde_json::json!({"status": before.status.code(), "stage": before.stage})),
                after: Some(&serde_json::json!({
                    "status": a.status.code(), "reason": reason.code(),
                    "email_at": decline.email.as_ref().map(|e| e.send_at),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Cancels a declined candidate's email while it is still waiting; 409 once it has gone.
    pub async fn cancel_decline_email(&self, actor: &Actor, id: Uuid) -> AppResult<ApplicationRow> {
        let a = self.application(id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let Some(key) = a.decline_email_key.clone() else {
            return Err(AppError::conflict(
                "no_pending_email",
                "application",
                "there is no decline email to cancel",
            ));
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if !settings::cancel_outbox(&mut tx, &key, now).await? {
            return Err(AppError::conflict(
                "email_already_sent",
                "application",
                "the decline email has already been sent",
            ));
        }
        let mut a = a;
        a.decline_email_key = None;
        a.updated_at = now;
        store_apps::update_application(&mut tx, &a).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "application.cancel_decline_email",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"cancelled": key})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Records that the candidate withdrew.
    pub async fn withdraw_application(&self, actor: &Actor, id: Uuid) -> AppResult<ApplicationRow> {
        let a = self.application(id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let now = self.now();
        let next = state_of(&a).withdraw(now)?;
        let mut a = a;
        a.status = next.status;
        a.closed_at = next.closed_at;
        a.updated_at = now;
        let mut tx = self.store().begin().await?;
        store_apps::update_application(&mut tx, &a).await?;
        store_apps::leave_stage(&mut tx, a.id, now).await?;
        schedule_anonymisation(&mut tx, now, &a).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "application.withdraw",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"status": a.status.code()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Replaces a candidate's talent-pool tags (recruiters).
    pub async fn set_candidate_tags(
        &self,
        actor: &Actor,
        candidate_id: Uuid,
        tags: &[String],
    ) -> AppResult<Candidate> {
        require_recruiter(actor)?;
        let mut tags: Vec<String> = tags
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        tags.sort();
        tags.dedup();
        if tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 40) {
            return Err(Invalid::new("tags", "too_many", "at most 20 tags of 40 characters").into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut c = store_apps::candidate_by_id(&mut tx, candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let before = c.tags.clone();
        c.tags = tags;
        c.updated_at = now;
        store_apps::update_candidate(&mut tx, &c).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "candidate.tags",
                entity_type: "candidate",
                entity_id: Some(c.id.to_string()),
                before: Some(&before),
                after: Some(&c.tags),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The stage `code` of a job, for pages.
    pub fn stage_name(job: &Job, code: &str) -> String {
        job.stages
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_owned(), |s| s.name.clone())
    }

    /// The first stage of `kind` after the application's current one, if any.
    pub(crate) fn next_stage_of_kind(job: &Job, current: &str, kind: StageKind) -> Option<String> {
        let at = job.stages.iter().position(|s| s.code == current)?;
        job.stages
            .iter()
            .skip(at + 1)
            .find(|s| s.kind == kind)
            .map(|s| s.code.clone())
    }
}
