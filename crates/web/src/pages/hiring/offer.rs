//! The offer page for its approvers (`/hiring/offers/{id}`): anyone in the approval chain, from
//! any team, reads the terms and the letter and approves or rejects when it is their turn. The
//! approval request email links here, because an approver outside the job's team cannot open the
//! candidate's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::{Actor, AppError};
use prospector_core::hiring::{ApprovalDecision, OfferStatus};
use prospector_core::ids::UserId;
use prospector_store::users::UserFilter;
use uuid::Uuid;

use super::candidate::viewer_zone;
use super::staff::uuid;
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash::{self, Flash};
use crate::pages::{Layout, PageError};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "hiring_offer.html")]
struct OfferPage {
    layout: Layout,
    id: String,
    application_id: String,
    decider: bool,
    candidate: String,
    job_title: String,
    status: String,
    status_label: String,
    pay: String,
    start_date: String,
    letter: String,
    chain: Vec<(String, String)>,
    rejection: Option<String>,
    expires: Option<String>,
    can_decide: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn offer_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> Result<OfferPage, AppError> {
    let view = state.app.offer_for_approver(actor, id).await?;
    let o = &view.offer;
    // Approvers from other teams may not list users; names fall back to "an approver".
    let names: std::collections::HashMap<String, String> = state
        .app
        .list_users(actor, &UserFilter::default(), None, 500)
        .await
        .map(|users| users.into_iter().map(|u| (u.id.to_string(), u.name)).collect())
        .unwrap_or_default();
    let me = actor.user_id().map(|u: UserId| u.to_string());
    let name_of = |approver: &str| {
        if me.as_deref() == Some(approver) {
            "You".to_owned()
        } else {
            names
                .get(approver)
                .cloned()
                .unwrap_or_else(|| "An approver".into())
        }
    };
    let next = o.offer.next_approver().map(str::to_owned);
    let zone = viewer_zone(actor);
    let chain = o
        .offer
        .chain
        .iter()
        .map(|step| {
            let answer = match step.decision {
                Some(ApprovalDecision::Approved) => format!(
                    "approved{}",
                    step.decided_at
                        .map(|t| format!(" {}", prospector_core::hiring::format_in_zone(t, &zone)))
                        .unwrap_or_default()
                ),
                Some(ApprovalDecision::Rejected) => "rejected".into(),
                None if o.offer.status == OfferStatus::PendingApproval
                    && next.as_deref() == Some(step.approver.as_str()) =>
                {
                    "waiting for their approval".into()
                }
                None => "—".into(),
            };
            (name_of(&step.approver), answer)
        })
        .collect();
    Ok(OfferPage {
        layout: Layout::new(actor, csrf, "hiring", format!("Offer to {}", view.candidate_name)),
        id: o.id.to_string(),
        application_id: view.application_id.to_string(),
        decider: view.decider,
        candidate: view.candidate_name.clone(),
        job_title: view.job_title.clone(),
        status: o.offer.status.code().to_owned(),
        status_label: o.offer.status.label().to_owned(),
        pay: o.pay.clone(),
        start_date: o.start_date.format("%-d %B %Y").to_string(),
        letter: o.letter.clone(),
        chain,
        rejection: o.offer.last_rejection.as_ref().map(|r| {
            format!(
                "Rejected by {}: {}",
                name_of(&r.approver),
                r.note.clone().unwrap_or_default()
            )
        }),
        expires: o
            .offer
            .expires_at
            .map(|t| prospector_core::hiring::format_in_zone(t, &zone)),
        can_decide: o.offer.status == OfferStatus::PendingApproval && next.is_some() && next == me,
        notice,
        error,
    })
}

/// `GET /hiring/offers/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let page = offer_page(&state, &actor, &csrf, uuid(&raw, "offer")?, flash.notice, None).await?;
    Ok((jar, page).into_response())
}

/// A submitted form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

/// `POST /hiring/offers/{id}/{approve|reject}`.
pub async fn decide(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path((raw, action)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "offer")?;
    let outcome = match action.as_str() {
        "approve" => state.app.approve_offer(&actor, id).await.map(|o| {
            if o.offer.status == OfferStatus::Approved {
                "You approved the offer; it is ready to send.".to_owned()
            } else {
                "You approved the offer; the next approver has been asked.".to_owned()
            }
        }),
        "reject" => state
            .app
            .reject_offer(&actor, id, &form.note)
            .await
            .map(|_| "You rejected the offer; it is back with the recruiter.".to_owned()),
        _ => return Err(AppError::NotFound("offer action".into()).into()),
    };
    match outcome {
        Ok(notice) => {
            let flash = Flash {
                notice: Some(notice),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to(&format!("/hiring/offers/{id}")),
            )
                .into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            let page = offer_page(&state, &actor, &csrf, id, None, Some(err.to_string())).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
