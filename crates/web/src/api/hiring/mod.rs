//! `/api/v1/jobs`, `/api/v1/applications`, `/api/v1/candidates`, `/api/v1/interviews`,
//! `/api/v1/offers`: the hiring pipeline. Who may do what is decided in `app::hiring`.

pub mod applications;
pub mod jobs;
pub mod offers;

use prospector_app::hiring::pipeline::ApplicationView;
use prospector_store::hiring::interviews::{Interview, ScorecardRow};
use prospector_store::hiring::jobs::Job;
use prospector_store::hiring::offers::OfferRow;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The hiring routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(jobs::list_jobs, jobs::create_job))
        .routes(routes!(jobs::get_job, jobs::update_job))
        .routes(routes!(jobs::board))
        .routes(routes!(jobs::report))
        .routes(routes!(applications::list_applications))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::move_application))
        .routes(routes!(applications::decline_application))
        .routes(routes!(applications::cancel_decline_email))
        .routes(routes!(applications::withdraw_application))
        .routes(routes!(applications::download_resume))
        .routes(routes!(
            applications::list_interviews,
            applications::schedule_interview
        ))
        .routes(routes!(applications::list_scorecards))
        .routes(routes!(applications::list_offers, offers::create_offer))
        .routes(routes!(applications::set_tags))
        .routes(routes!(applications::set_time_zone))
        .routes(routes!(applications::export_candidate))
        .routes(routes!(applications::erase_candidate))
        .routes(routes!(applications::my_interviews))
        .routes(routes!(applications::submit_scorecard))
        .routes(routes!(offers::get_offer))
        .routes(routes!(offers::submit_offer))
        .routes(routes!(offers::approve_offer))
        .routes(routes!(offers::reject_offer))
        .routes(routes!(offers::send_offer))
}

/// Parses a path id; an id that cannot exist is not found.
pub(crate) fn id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError(prospector_app::AppError::NotFound(what.to_owned())))
}

/// A job as JSON.
pub fn job_json(job: &Job) -> Value {
    json!({
        "id": job.id, "slug": job.slug, "title": job.title, "layout": job.layout,
        "location": job.location, "team": job.team, "status": job.status.code(),
        "hiring_manager_id": job.hiring_manager_id, "ceo_id": job.ceo_id,
        "stages": job.stages.iter().map(|s| json!({
            "code": s.code, "name": s.name, "kind": s.kind.code(), "description": s.description,
        })).collect::<Vec<_>>(),
        "questionnaire": job.questionnaire.questions,
        "body": job.body, "source": job.source,
        "public_path": format!("/jobs/{}", job.slug),
        "created_at": job.created_at, "updated_at": job.updated_at, "closed_at": job.closed_at,
    })
}

/// An application with its candidate as JSON.
pub fn application_json(v: &ApplicationView) -> Value {
    let a = &v.application;
    let c = &v.candidate;
    json!({
        "id": a.id, "job_id": a.job_id, "stage": a.stage, "status": a.status.code(),
        "source": a.source, "answers": a.answers, "consent_at": a.consent_at,
        "decline_reason": a.decline_reason.map(|r| r.code()), "decline_note": a.decline_note,
        "decline_email_pending": v.decline_email_pending,
        "created_at": a.created_at, "updated_at": a.updated_at, "closed_at": a.closed_at,
        "anonymised_at": a.anonymised_at,
        "candidate": {
            "id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "links": c.links,
            "tags": c.tags, "anonymised_at": c.anonymised_at, "time_zone": c.time_zone,
        },
    })
}

/// An interview as JSON.
pub fn interview_json(i: &Interview) -> Value {
    json!({
        "id": i.id, "application_id": i.application_id, "stage": i.stage,
        "starts_at": i.starts_at, "ends_at": i.ends_at, "location": i.location,
        "scorecard_due_at": i.scorecard_due_at, "interviewer_ids": i.interviewer_ids,
    })
}

/// A scorecard as JSON.
pub fn scorecard_json(s: &ScorecardRow) -> Value {
    json!({
        "id": s.id, "interview_id": s.interview_id, "application_id": s.application_id,
        "interviewer_id": s.interviewer_id, "overall": s.overall,
        "ratings": s.ratings.iter().map(|(a, r)| json!({"attribute": a, "rating": r})).collect::<Vec<_>>(),
        "pros": s.pros, "cons": s.cons, "notes": s.notes, "submitted_at": s.submitted_at,
    })
}

/// An offer as JSON.
pub fn offer_json(o: &OfferRow) -> Value {
    json!({
        "id": o.id, "application_id": o.application_id, "status": o.offer.status.code(),
        "pay": o.pay, "start_date": o.start_date, "letter": o.letter,
        "chain": o.offer.chain.iter().map(|s| json!({
            "approver_id": s.approver, "decision": s.decision.map(|d| match d {
                prospector_core::hiring::ApprovalDecision::Approved => "approved",
                prospector_core::hiring::ApprovalDecision::Rejected => "rejected",
            }), "decided_at": s.decided_at, "note": s.note,
        })).collect::<Vec<_>>(),
        "next_approver_id": o.offer.next_approver(),
        "last_rejection_note": o.offer.last_rejection.as_ref().and_then(|s| s.note.clone()),
        "sent_at": o.offer.sent_at, "expires_at": o.offer.expires_at, "closed_at": o.offer.closed_at,
    })
}
