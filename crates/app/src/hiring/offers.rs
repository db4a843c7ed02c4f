//! Offers: drafted with pay and a start date, approved by the chain (hiring manager, then CEO),
//! sent by email with signed accept/decline links, answered by the candidate through them.
//! Accepting hires the candidate and closes the job.

use chrono::{Duration, NaiveDate};
use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_core::hiring::{LinkError, Offer, StageKind, sign, verify};
use prospector_core::ids::UserId;
use prospector_store::hiring::applications as store_apps;
use prospector_store::hiring::offers::{self as store_offers, OfferRow};
use prospector_store::users;
use serde::Deserialize;
use uuid::Uuid;

use super::{mailer, require_job};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// How long a sent offer waits for an answer, by default.
pub const DEFAULT_OFFER_DAYS: i64 = 14;

/// A new offer's terms.
#[derive(Debug, Clone, Deserialize)]
pub struct OfferInput {
    /// Pay as written (amount, currency, period).
    pub pay: String,
    /// Start date.
    pub start_date: NaiveDate,
    /// The letter (a default is written when blank).
    #[serde(default)]
    pub letter: Option<String>,
}

/// An offer as a candidate sees it through their link.
#[derive(Debug, Clone)]
pub struct OfferForCandidate {
    /// The offer.
    pub offer: OfferRow,
    /// The job's title.
    pub job_title: String,
    /// The candidate's name.
    pub candidate_name: String,
}

/// An offer as an approver sees it.
#[derive(Debug, Clone)]
pub struct OfferForApprover {
    /// The offer (shown expired once overdue).
    pub offer: OfferRow,
    /// Its application.
    pub application_id: Uuid,
    /// The job's title.
    pub job_title: String,
    /// The candidate's name.
    pub candidate_name: String,
    /// Whether the actor may also open the candidate (recruiter or hiring manager).
    pub decider: bool,
}

fn link_error(e: LinkError) -> AppError {
    AppError::Forbidden(match e {
        LinkError::Expired => "this offer link has expired; ask your recruiter for a new one".into(),
        LinkError::Tampered | LinkError::Malformed => "this offer link is not valid".into(),
    })
}

impl App {
    async fn offer_row(&self, id: Uuid) -> AppResult<OfferRow> {
        store_offers::offer_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("offer".into()))
    }

    /// Drafts an offer; the chain is the job's hiring manager then its CEO (see the module docs
    /// of `hiring`). The application moves to the Offer stage when it is before it.
    pub async fn create_offer(
        &self,
        actor: &Actor,
        application_id: Uuid,
        input: OfferInput,
    ) -> AppResult<OfferRow> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let pay = required_text("pay", &input.pay, 200)?;
        let manager = job.hiring_manager_id.ok_or_else(|| {
            Invalid::new(
                "hiring_manager_id",
                "required",
                "set the job's hiring manager before making an offer",
            )
        })?;
        let ceo = match job.ceo_id {
            Some(c) => Some(c),
            None => self.default_ceo().await?,
        };
        let mut chain = vec![manager.to_string()];
        if let Some(ceo) = ceo.filter(|c| *c != manager) {
            chain.push(ceo.to_string());
        }
        let refs: Vec<&str> = chain.iter().map(String::as_str).collect();
        let offer = Offer::draft(&refs)?;
        let mut reader = self.store().reader();
        let candidate = store_apps::candidate_by_id(&mut reader, a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let letter = input
            .letter
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!(
                    "Dear {},\n\nWe are delighted to offer you the position of {}.\n\nPay: {pay}\nStart date: {}\n\n\
                     We look forward to working with you.\n",
                    candidate.name, job.title, input.start_date
                )
            });
        let now = self.now();
        let row = OfferRow {
            id: prospector_core::ids::uuid_v7_at(now),
            application_id: a.id,
            pay,
            start_date: input.start_date,
            letter,
            offer,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store().begin().await?;
        if let Some(offer_stage) = App::next_stage_of_kind(&job, &a.stage, StageKind::Offer) {
            let next = prospector_core::hiring::Application {
                stage: a.stage.clone(),
                status: a.status,
                decline: None,
                closed_at: a.closed_at,
            }
            .advance_to(job.status, &job.stages, &offer_stage, now)?;
            self.apply_move(&mut tx, actor, job.clone(), a.clone(), next, now)
                .await?;
        } else if a.status != prospector_core::hiring::ApplicationStatus::Active {
            return Err(AppError::conflict(
                "application_closed",
                "application",
                "the application is closed",
            ));
        }
        store_offers::insert_offer(&mut tx, &row).await?;
        audit::record(&mut tx, actor, now, Change::<(), _> {
            action: "offer.create",
            entity_type: "offer",
            entity_id: Some(row.id.to_string()),
            before: None,
            after: Some(&serde_json::json!({"application_id": a.id, "pay": row.pay, "start_date": row.start_date, "chain": chain})),
        })
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The offers of an application (deciders only).
    pub async fn application_offers(&self, actor: &Actor, application_id: Uuid) -> AppResult<Vec<OfferRow>> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        let now = self.now();
        let mut offers = store_offers::offers_of(&mut self.store().reader(), a.id).await?;
        // Overdue but not yet swept by the expiry job: shown as it is, expired.
        for o in &mut offers {
            o.offer = o.offer.expire_if_due(now);
        }
        Ok(offers)
    }

    /// One offer with what an approver needs to decide on it: anyone in its approval chain (from
    /// any team) or a decider on its job.
    pub async fn offer_for_approver(&self, actor: &Actor, id: Uuid) -> AppResult<OfferForApprover> {
        let (mut offer, a, job) = self.offer_for_decider(actor, id).await?;
        offer.offer = offer.offer.expire_if_due(self.now());
        let candidate = store_apps::candidate_by_id(&mut self.store().reader(), a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        Ok(OfferForApprover {
            decider: require_job(actor, &job).is_ok(),
            offer,
            application_id: a.id,
            job_title: job.title,
            candidate_name: candidate.name,
        })
    }

    async fn offer_for_decider(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<(
        OfferRow,
        store_apps::ApplicationRow,
        prospector_store::hiring::jobs::Job,
    )> {
        let offer = self.offer_row(id).await?;
        let a = self.application(offer.application_id).await?;
        let job = self.job(a.job_id).await?;
        let in_chain = actor
            .user_id()
            .is_some_and(|u| offer.offer.chain.iter().any(|s| s.approver == u.to_string()));
        if !in_chain {
            require_job(actor, &job)?;
        }
        Ok((offer, a, job))
    }

    async fn save_offer(
        &self,
        actor: &Actor,
        action: &str,
        before: &OfferRow,
        offer: Offer,
    ) -> AppResult<OfferRow> {
        let now = self.now();
        let mut row = before.clone();
        row.offer = offer;
        row.updated_at = now;
        let base = self.public_url().await?;
        let a = self.application(row.application_id).await?;
        let job = self.job(a.job_id).await?;
        let mut tx = self.store().begin().await?;
        store_offers::update_offer(&mut tx, &row).await?;
        if let Some(next) = row.offer.next_approver().and_then(|n| n.parse::<UserId>().ok())
            && let Some(u) = users::user_by_id(&mut tx, next).await?
        {
            let msg = mailer::message(
                now,
                u.email.as_str(),
                &u.name,
                format!("An offer for the {} role is waiting for your approval", job.title),
                format!(
                    "An offer for the {} role ({}, starting {}) is waiting for your approval.\n\n\
                     Review and approve or reject it: {base}/hiring/offers/{}\n",
                    job.title, row.pay, row.start_date, row.id
                ),
                ("offer", row.id.to_string()),
            );
            mailer::queue(&mut tx, now, &msg, now).await?;
        }
        audit::record(&mut tx, actor, now, Change {
            action,
            entity_type: "offer",
            entity_id: Some(row.id.to_string()),
            before: Some(&serde_json::json!({"status": before.offer.status.code()})),
            after: Some(&serde_json::json!({"status": row.offer.status.code(), "next_approver": row.offer.next_approver()})),
        })
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Sends a draft offer to its approvers.
    pub async fn submit_offer(&self, actor: &Actor, id: Uuid) -> AppResult<OfferRow> {
        let (row, _, job) = self.offer_for_decider(actor, id).await?;
        require_job(actor, &job)?;
        let next = row.offer.submit()?;
        self.save_offer(actor, "offer.submit", &row, next).await
    }

    /// The actor approves, when it is their turn in the chain.
    pub async fn approve_offer(&self, actor: &Actor, id: Uuid) -> AppResult<OfferRow> {
        let (row, _, _) = self.offer_for_decider(actor, id).await?;
        let me = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("approvals are given by users".into()))?;
        if !row.offer.chain.iter().any(|s| s.approver == me.to_string()) {
            return Err(AppError::Forbidden(
                "you are not an approver of this offer".into(),
            ));
        }
        let next = row.offer.approve(&me.to_string(), self.now())?;
        self.save_offer(actor, "offer.approve", &row, next).await
    }

    /// The actor rejects with a reason, when it is their turn; the offer returns to draft.
    pub async fn reject_offer(&self, actor: &Actor, id: Uuid, note: &str) -> AppResult<OfferRow> {
        let (row, _, _) = self.offer_for_decider(actor, id).await?;
        let me = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("approvals are given by users".into()))?;
        if !row.offer.chain.iter().any(|s| s.approver == me.to_string()) {
            return Err(AppError::Forbidden(
                "you are not an approver of this offer".into(),
            ));
        }
        let next = row.offer.reject(&me.to_string(), note, self.now())?;
        self.save_offer(actor, "offer.reject", &row, next).await
    }

    /// Sends an approved offer to the candidate: the letter, and links to accept or decline that
    /// are signed and expire with the offer.
    pub async fn send_offer(&self, actor: &Actor, id: Uuid, valid_days: Option<i64>) -> AppResult<OfferRow> {
        let (row, a, job) = self.offer_for_decider(actor, id).await?;
        require_job(actor, &job)?;
        let now = self.now();
        let days = valid_days.unwrap_or(DEFAULT_OFFER_DAYS).clamp(1, 60);
        let expires_at = now + Duration::days(days);
        let next = row.offer.send(now, expires_at)?;
        let candidate = store_apps::candidate_by_id(&mut self.store().reader(), a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let to = candidate.email.clone().ok_or_else(|| {
            AppError::conflict("candidate_anonymised", "offer", "the candidate's data was erased")
        })?;
        let token = sign(
            &self.link_signing_key().await?,
            &format!("offer:{}", row.id),
            expires_at,
        );
        let link = format!("{}/jobs/offers/{token}", self.public_url().await?);
        let mut updated = row.clone();
        updated.offer = next;
        updated.updated_at = now;
        let mut tx = self.store().begin().await?;
        store_offers::update_offer(&mut tx, &updated).await?;
        let msg = mailer::message(
            now,
            &to,
            &candidate.name,
            format!("Your offer for the {} role", job.title),
            format!(
                "{}\n\nPlease answer by {}:\n\nAccept or decline: {link}\n",
                updated.letter,
                expires_at.format("%e %B %Y"),
            ),
            ("offer", row.id.to_string()),
        );
        mailer::queue(&mut tx, now, &msg, now).await?;
        // Marks the offer expired in storage when its time is up without an answer.
        crate::outbox::enqueue(
            &mut tx,
            now,
            super::OFFER_EXPIRY,
            serde_json::json!({"offer_id": row.id}),
            expires_at,
            Some(format!(
                "{}:{}:{}",
                super::OFFER_EXPIRY,
                row.id,
                expires_at.timestamp()
            )),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "offer.send",
                entity_type: "offer",
                entity_id: Some(row.id.to_string()),
                before: Some(&serde_json::json!({"status": row.offer.status.code()})),
                after: Some(
                    &serde_json::json!({"status": updated.offer.status.code(), "expires_at": expires_at}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn offer_from_token(&self, token: &str) -> AppResult<OfferRow> {
        let payload = verify(&self.link_signing_key().await?, token, self.now()).map_err(link_error)?;
        let id = payload
            .strip_prefix("offer:")
            .and_then(|id| id.parse::<Uuid>().ok())
            .ok_or_else(|| link_error(LinkError::Malformed))?;
        self.offer_row(id).await
    }

    /// The offer behind a candidate's link; 403 when the link is altered or expired.
    pub async fn offer_by_link(&self, token: &str) -> AppResult<OfferForCandidate> {
        let offer = self.offer_from_token(token).await?;
        let a = self.application(offer.application_id).await?;
        let job = self.job(a.job_id).await?;
        let candidate = store_apps::candidate_by_id(&mut self.store().reader(), a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        Ok(OfferForCandidate {
            offer,
            job_title: job.title,
            candidate_name: candidate.name,
        })
    }

    /// The candidate answers through their link. Accepting hires them and closes the job.
    pub async fn answer_offer(&self, token: &str, accept: bool, ip: Option<String>) -> AppResult<OfferRow> {
        let row = self.offer_from_token(token).await?;
        let a = self.application(row.application_id).await?;
        let job = self.job(a.job_id).await?;
        let now = self.now();
        let answered = if accept {
            row.offer.accept(now)?
        } else {
            row.offer.decline(now)?
        };
        let actor = Actor::system().with_request(None, ip);
        let mut updated = row.clone();
        updated.offer = answered;
        updated.updated_at = now;
        let mut tx = self.store().begin().await?;
        store_offers::update_offer(&mut tx, &updated).await?;
        if accept {
            let state = prospector_core::hiring::Application {
                stage: a.stage.clone(),
                status: a.status,
                decline: None,
                closed_at: a.closed_at,
            };
            let (hired, _closed) = state.hire(job.status, &job.stages, now)?;
            self.apply_move(&mut tx, &actor, job.clone(), a.clone(), hired, now)
                .await?;
        }
        audit::record(
            &mut tx,
            &actor,
            now,
            Change {
                action: if accept { "offer.accept" } else { "offer.decline" },
                entity_type: "offer",
                entity_id: Some(row.id.to_string()),
                before: Some(&serde_json::json!({"status": row.offer.status.code()})),
                after: Some(&serde_json::json!({"status": updated.offer.status.code()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }
}
