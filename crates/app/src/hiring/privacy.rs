//! A candidate's data on request (export, erasure) and anonymisation of declined and withdrawn
//! candidates once the retention period (six months by default) is over. What is kept — job,
//! stages reached and when, decline reason, scorecard ratings — identifies nobody and feeds reports.

use chrono::{DateTime, Utc};
use prospector_core::hiring::{ApplicationStatus, RetentionPolicy};
use prospector_store::WriteTx;
use prospector_store::hiring::applications::{self as store_apps, ApplicationRow};
use prospector_store::hiring::interviews as store_iv;
use prospector_store::hiring::offers as store_offers;
use prospector_store::hiring::settings;
use prospector_store::outbox::Claimed;
use uuid::Uuid;

use super::require_recruiter;
use crate::audit::{self, Change};
use crate::outbox::{Handler, HandlerFuture};
use crate::{Actor, App, AppError, AppResult};

/// The name an anonymised candidate is shown with.
pub const ANONYMISED_NAME: &str = "Anonymised candidate";

async fn anonymise_application(tx: &mut WriteTx, a: &ApplicationRow, now: DateTime<Utc>) -> AppResult<()> {
    let mut a = a.clone();
    if let Some(key) = a.decline_email_key.take() {
        settings::cancel_outbox(tx, &key, now).await?;
    }
    a.answers.clear();
    a.decline_note = None;
    a.anonymised_at = Some(now);
    a.updated_at = now;
    store_apps::update_application(tx, &a).await?;
    store_apps::delete_resumes(tx, a.id).await?;
    store_iv::blank_scorecard_text(tx, a.id).await?;
    Ok(())
}

async fn anonymise_candidate(tx: &mut WriteTx, candidate_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    if let Some(mut c) = store_apps::candidate_by_id(tx, candidate_id).await? {
        if c.anonymised_at.is_none() {
            super::scrub::scrub_copies(tx, &c, now).await?;
        }
        c.name = ANONYMISED_NAME.into();
        c.time_zone = None;
        c.email = None;
        c.phone = None;
        c.links.clear();
        c.tags.clear();
        c.anonymised_at = Some(now);
        c.updated_at = now;
        store_apps::update_candidate(tx, &c).await?;
    }
    Ok(())
}

impl App {
    /// Everything stored about a candidate, as JSON (recruiters).
    pub async fn export_candidate(&self, actor: &Actor, candidate_id: Uuid) -> AppResult<serde_json::Value> {
        require_recruiter(actor)?;
        let mut reader = self.store().reader();
        let c = store_apps::candidate_by_id(&mut reader, candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let mut applications = Vec::new();
        for a in store_apps::applications_of_candidate(&mut reader, c.id).await? {
            let job = self.job(a.job_id).await?;
            let resumes = store_apps::resumes_of(&mut reader, a.id).await?;
            let interviews = store_iv::interviews_of(&mut reader, a.id).await?;
            let scorecards = store_iv::scorecards_of(&mut reader, a.id).await?;
            let offers: Vec<serde_json::Value> = store_offers::offers_of(&mut reader, a.id)
                .await?
                .into_iter()
                .map(|o| {
                    serde_json::json!({"id": o.id, "pay": o.pay, "start_date": o.start_date, "letter": o.letter,
                                       "status": o.offer.status.code(), "sent_at": o.offer.sent_at})
                })
                .collect();
            applications.push(serde_json::json!({
                "job": {"id": job.id, "title": job.title, "slug": job.slug},
                "application": a,
                "resumes": resumes,
                "interviews": interviews,
                "scorecards": scorecards,
                "offers": offers,
            }));
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), ()> {
                action: "candidate.export",
                entity_type: "candidate",
                entity_id: Some(c.id.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(serde_json::json!({"exported_at": now, "candidate": c, "applications": applications}))
    }

    /// Erases a candidate's personal data now, on their request (recruiters). Pending mail to them
    /// is cancelled; the pipeline figures stay.
    pub async fn erase_candidate(&self, actor: &Actor, candidate_id: Uuid) -> AppResult<()> {
        require_recruiter(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if store_apps::candidate_by_id(&mut tx, candidate_id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound("candidate".into()));
        }
        for a in store_apps::applications_of_candidate(&mut tx, candidate_id).await? {
            anonymise_application(&mut tx, &a, now).await?;
        }
        anonymise_candidate(&mut tx, candidate_id, now).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "candidate.erase",
                entity_type: "candidate",
                entity_id: Some(candidate_id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"erased_at": now})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Anonymises an application whose retention period is over, and its candidate when none of
    /// their applications needs them any more. Returns whether anything was anonymised.
    pub async fn anonymise_if_due(&self, application_id: Uuid) -> AppResult<bool> {
        let now = self.now();
        let policy = RetentionPolicy::default();
        let mut tx = self.store().begin().await?;
        let Some(a) = store_apps::application_by_id(&mut tx, application_id).await? else {
            return Ok(false);
        };
        if a.anonymised_at.is_some() || !policy.is_due(a.status, a.closed_at, now) {
            return Ok(false);
        }
        anonymise_application(&mut tx, &a, now).await?;
        let others = store_apps::applications_of_candidate(&mut tx, a.candidate_id).await?;
        let still_needed = others.iter().any(|o| {
            o.id != a.id
                && (matches!(o.status, ApplicationStatus::Active | ApplicationStatus::Hired)
                    || !policy.is_due(o.status, o.closed_at, now))
        });
        if !still_needed {
            anonymise_candidate(&mut tx, a.candidate_id, now).await?;
        }
        audit::record(
            &mut tx,
            &Actor::system(),
            now,
            Change::<(), _> {
                action: "application.anonymise",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"candidate_anonymised": !still_needed})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Runs [`App::anonymise_if_due`] for the application in the payload.
pub struct AnonymiseHandler;

impl Handler for AnonymiseHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            let id = item
                .payload
                .get("application_id")
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse::<Uuid>().ok())
                .ok_or_else(|| "payload has no application_id".to_owned())?;
            app.anonymise_if_due(id)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
