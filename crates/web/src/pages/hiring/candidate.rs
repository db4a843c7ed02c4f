//! The candidate page (one application, opened from the board) and its forms: scheduling
//! interviews, blind scorecards, offers through the approval chain, talent-pool tags, and the
//! candidate's data (export, erasure). Every form posts, then redirects back with a one-time
//! notice (post/redirect/get); a refusal (422/409) re-renders the page with the message beside
//! the form that was refused.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use prospector_app::hiring::interviews::{ScheduleInput, ScorecardSubmission, when_for};
use prospector_app::hiring::mailer::DECLINE_TEMPLATES;
use prospector_app::hiring::offers::OfferInput;
use prospector_app::hiring::{ApplicationAccess, is_recruiter};
use prospector_app::{Actor, App, AppError};
use prospector_core::Invalid;
use prospector_core::hiring::{
    ApplicationStatus, ApprovalDecision, DeclineReason, OfferStatus, Recommendation,
};
use prospector_core::ids::UserId;
use prospector_store::users::UserFilter;
use uuid::Uuid;

use super::staff::{later_stages, uuid};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash::{self, Flash};
use crate::pages::{Layout, PageError};
use crate::state::AppState;

/// Interview lengths offered by the scheduling form, in minutes.
const DURATIONS: [i64; 5] = [30, 45, 60, 90, 120];

struct InterviewView {
    id: String,
    /// In the viewer's time zone.
    when: String,
    /// In the candidate's, when it differs from the viewer's.
    candidate_when: Option<String>,
    stage: String,
    location: Option<String>,
    interviewers: String,
    /// The actor interviews here and has not scored yet: the scorecard form is shown.
    can_score: bool,
    /// The actor interviews here and has scored.
    scored: bool,
    /// Which form a refusal belongs to.
    key: String,
}

struct ScorecardView {
    author: String,
    overall: String,
    ratings: Vec<(String, String)>,
    pros: String,
    cons: String,
    notes: String,
    submitted: String,
}

struct OfferView {
    id: String,
    status: String,
    status_label: String,
    pay: String,
    start_date: String,
    letter: String,
    chain: Vec<(String, String)>,
    rejection: Option<String>,
    expires: Option<String>,
    can_submit: bool,
    can_decide: bool,
    can_send: bool,
    key: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_application.html")]
struct ApplicationPage {
    layout: Layout,
    id: String,
    job_id: String,
    job_title: String,
    name: String,
    email: String,
    phone: String,
    /// The candidate's time zone, or a dash.
    time_zone: String,
    /// The viewer's, which the scheduling form's times are in.
    my_zone: String,
    links: Vec<String>,
    source: String,
    tags: Vec<String>,
    stage: String,
    status: String,
    active: bool,
    decider: bool,
    recruiter: bool,
    anonymised: bool,
    has_resume: bool,
    decline_reason: Option<String>,
    decline_pending: bool,
    answers: Vec<(String, String)>,
    interviews: Vec<InterviewView>,
    users: Vec<(String, String)>,
    durations: Vec<i64>,
    attributes: Vec<(usize, String)>,
    recommendations: Vec<(String, String)>,
    scorecards: Vec<ScorecardView>,
    hidden: usize,
    offers: Vec<OfferView>,
    can_draft_offer: bool,
    later: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    notice: Option<String>,
    /// The form the error belongs to (`""`: the page's own actions, shown at the top).
    error_for: String,
    error: Option<String>,
}

fn recommendation_label(code: &str) -> String {
    Recommendation::ALL
        .iter()
        .find(|r| r.code() == code)
        .map_or_else(|| code.to_owned(), |r| r.label().to_owned())
}

fn offer_open(status: OfferStatus) -> bool {
    matches!(
        status,
        OfferStatus::Draft | OfferStatus::PendingApproval | OfferStatus::Approved | OfferStatus::Sent
    )
}

async fn application_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Uuid,
    notice: Option<String>,
    error: Option<(&str, String)>,
) -> Result<ApplicationPage, AppError> {
    let (view, job, access) = state.app.get_application(actor, id).await?;
    let a = &view.application;
    let c = &view.candidate;
    let decider = access == ApplicationAccess::Decider;
    let me = actor.user_id();
    let interviews = state.app.application_interviews(actor, id).await?;
    let cards = state.app.scorecards(actor, id).await?;
    let resumes = state.app.resumes(actor, id).await?;
    let offers = if decider {
        state.app.application_offers(actor, id).await?
    } else {
        Vec::new()
    };
    let everyone = state
        .app
        .list_users(actor, &UserFilter::default(), None, 500)
        .await?;
    let names: HashMap<UserId, String> = everyone.iter().map(|u| (u.id, u.name.clone())).collect();
    let name_of = |u: &UserId| names.get(u).cloned().unwrap_or_else(|| "A former user".into());
    let prompts = |code: &str| {
        job.questionnaire
            .questions
            .iter()
            .find(|q| q.code == code)
            .map_or_else(|| code.to_owned(), |q| q.prompt.clone())
    };
    let (error_for, error) = match error {
        Some((key, message)) => (key.to_owned(), Some(message)),
        None => (String::new(), None),
    };
    let my_zone = viewer_zone(actor);
    let interviews = interviews
        .iter()
        .map(|i| {
            let mine = me.is_some_and(|u| i.interviewer_ids.contains(&u));
            let scored = mine
                && cards
                    .items
                    .iter()
                    .any(|s| Some(s.interviewer_id) == me && s.interview_id == i.id);
            InterviewView {
                id: i.id.to_string(),
                when: when_for(i, &my_zone),
                candidate_when: c
                    .time_zone
                    .as_deref()
                    .filter(|tz| *tz != my_zone)
                    .map(|tz| when_for(i, tz)),
                stage: App::stage_name(&job, &i.stage),
                location: i.location.clone(),
                interviewers: i
                    .interviewer_ids
                    .iter()
                    .map(name_of)
                    .collect::<Vec<_>>()
                    .join(", "),
                can_score: mine && !scored,
                scored,
                key: format!("scorecard-{}", i.id),
            }
        })
        .collect();
    let scorecards = cards
        .items
        .iter()
        .map(|s| ScorecardView {
            author: if Some(s.interviewer_id) == me {
                "You".into()
            } else {
                name_of(&s.interviewer_id)
            },
            overall: recommendation_label(&s.overall),
            ratings: s
                .ratings
                .iter()
                .map(|(attr, r)| {
                    (
                        attr.clone(),
                        r.as_deref().map_or_else(|| "—".into(), recommendation_label),
                    )
                })
                .collect(),
            pros: s.pros.clone(),
            cons: s.cons.clone(),
            notes: s.notes.clone(),
            submitted: s.submitted_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    let active = a.status == ApplicationStatus::Active;
    let can_draft_offer = decider && active && !offers.iter().any(|o| offer_open(o.offer.status));
    let offers = offers
        .iter()
        .map(|o| {
            let next = o.offer.next_approver().map(str::to_owned);
            let chain = o
                .offer
                .chain
                .iter()
                .map(|step| {
                    let who = step
                        .approver
                        .parse::<UserId>()
                        .map_or_else(|_| step.approver.clone(), |u| name_of(&u));
                    let answer = match step.decision {
                        Some(ApprovalDecision::Approved) => format!(
                            "approved{}",
                            step.decided_at
                                .map(|t| t.format(" %Y-%m-%d").to_string())
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
                    (who, answer)
                })
                .collect();
            let my_turn = o.offer.status == OfferStatus::PendingApproval
                && me.is_some_and(|u| next.as_deref() == Some(u.to_string().as_str()));
            OfferView {
                id: o.id.to_string(),
                status: o.offer.status.code().to_owned(),
                status_label: o.offer.status.label().to_owned(),
                pay: o.pay.clone(),
                start_date: o.start_date.to_string(),
                letter: o.letter.clone(),
                chain,
                rejection: o.offer.last_rejection.as_ref().map(|r| {
                    let who = r
                        .approver
                        .parse::<UserId>()
                        .map_or_else(|_| r.approver.clone(), |u| name_of(&u));
                    format!("Rejected by {who}: {}", r.note.clone().unwrap_or_default())
                }),
                expires: o
                    .offer
                    .expires_at
                    .map(|t| prospector_core::hiring::format_in_zone(t, &my_zone)),
                can_submit: o.offer.status == OfferStatus::Draft,
                can_decide: my_turn,
                can_send: o.offer.status == OfferStatus::Approved,
                key: format!("offer-{}", o.id),
            }
        })
        .collect();
    Ok(ApplicationPage {
        layout: Layout::new(actor, csrf, "hiring", c.name.clone()),
        id: a.id.to_string(),
        job_id: job.id.to_string(),
        job_title: job.title.clone(),
        name: c.name.clone(),
        email: c.email.clone().unwrap_or_else(|| "—".into()),
        phone: c.phone.clone().unwrap_or_else(|| "—".into()),
        time_zone: c.time_zone.clone().unwrap_or_default(),
        my_zone: my_zone.clone(),
        links: c.links.clone(),
        source: a.source.clone(),
        tags: c.tags.clone(),
        stage: App::stage_name(&job, &a.stage),
        status: a.status.label().to_owned(),
        active,
        decider,
        recruiter: is_recruiter(actor),
        anonymised: c.anonymised_at.is_some(),
        has_resume: !resumes.is_empty(),
        decline_reason: a.decline_reason.map(|r| r.label().to_owned()),
        decline_pending: view.decline_email_pending,
        answers: a.answers.iter().map(|(k, v)| (prompts(k), v.clone())).collect(),
        interviews,
        users: everyone
            .iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.role.label())))
            .collect(),
        durations: DURATIONS.to_vec(),
        attributes: App::scorecard_attributes(&job).into_iter().enumerate().collect(),
        recommendations: Recommendation::ALL
            .iter()
            .map(|r| (r.code().to_owned(), r.label().to_owned()))
            .collect(),
        scorecards,
        hidden: cards.hidden,
        offers,
        can_draft_offer,
        later: later_stages(&job, &a.stage),
        reasons: DeclineReason::ALL
            .iter()
            .map(|r| (r.code().to_owned(), r.label().to_owned()))
            .collect(),
        templates: DECLINE_TEMPLATES
            .iter()
            .map(|t| (t.code.to_owned(), t.label.to_owned()))
            .collect(),
        notice,
        error_for,
        error,
    })
}

/// `GET /hiring/applications/{id}`.
pub async fn application(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let page = application_page(
        &state,
        &actor,
        &csrf,
        uuid(&raw, "application")?,
        flash.notice,
        None,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// `GET /hiring/applications/{id}/resume`.
pub async fn resume(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (meta, bytes) = state
        .app
        .resume_download(&actor, uuid(&raw, "application")?)
        .await?;
    Ok(crate::api::hiring::applications::resume_response(&meta, bytes))
}

/// After a form of the page's own actions (move, decline, withdraw): back to the page, or the
/// page with the refusal at the top.
pub(super) async fn after(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Uuid,
    outcome: Result<(), AppError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/hiring/applications/{id}")).into_response()),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                application_page(state, actor, csrf, id, None, Some(("", err.to_string()))).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// After one of this module's forms: a redirect with `notice` on success; on a 422/409, the page
/// with the message beside the form `key`.
async fn done(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    jar: CookieJar,
    id: Uuid,
    key: &str,
    outcome: Result<String, AppError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(notice) => {
            let flash = Flash {
                notice: Some(notice),
                secret: None,
            };
            Ok((
                flash::set(jar, &flash, state.settings.secure_cookies),
                Redirect::to(&format!("/hiring/applications/{id}")),
            )
                .into_response())
        }
        Err(err @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::classify(&err).0;
            Ok((
                status,
                application_page(state, actor, csrf, id, None, Some((key, err.to_string()))).await?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A submitted form as its fields in order (repeated names, such as a multi-select, stay).
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// The viewer's IANA time zone (UTC for the command line and unknown zones).
pub(super) fn viewer_zone(actor: &Actor) -> String {
    actor
        .as_user()
        .map(|u| u.time_zone.clone())
        .filter(|tz| tz.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".into())
}

fn schedule_input(fields: &Fields, zone: &str) -> Result<ScheduleInput, Invalid> {
    let date = NaiveDate::parse_from_str(field(fields, "date"), "%Y-%m-%d")
        .map_err(|_| Invalid::new("date", "invalid_date", "enter the interview's date"))?;
    let time = NaiveTime::parse_from_str(field(fields, "time"), "%H:%M")
        .map_err(|_| Invalid::new("time", "invalid_time", "enter the interview's start time (HH:MM)"))?;
    let minutes: i64 = field(fields, "duration")
        .parse()
        .ok()
        .filter(|m| (15..=480).contains(m))
        .ok_or_else(|| {
            Invalid::new(
                "duration",
                "invalid_duration",
                "the duration is 15 to 480 minutes",
            )
        })?;
    let mut interviewer_ids = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "interviewer_ids") {
        let id = v.trim().parse::<UserId>().map_err(|_| {
            Invalid::new(
                "interviewer_ids",
                "unknown_user",
                "choose interviewers from the list",
            )
        })?;
        interviewer_ids.push(id);
    }
    if interviewer_ids.is_empty() {
        return Err(Invalid::new(
            "interviewer_ids",
            "required",
            "choose at least one interviewer",
        ));
    }
    // The form's date and time are the scheduler's local time.
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let starts_at = NaiveDateTime::new(date, time)
        .and_local_timezone(tz)
        .earliest()
        .ok_or_else(|| {
            Invalid::new(
                "time",
                "invalid_time",
                format!(
                    "{} does not exist in {zone} (the clocks change); choose another time",
                    time.format("%H:%M")
                ),
            )
        })?
        .with_timezone(&chrono::Utc);
    Ok(ScheduleInput {
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        interviewer_ids,
        location: Some(field(fields, "location").to_owned()).filter(|l| !l.is_empty()),
        stage: None,
    })
}

/// `POST /hiring/applications/{id}/interviews`: schedules an interview; the invitations go out.
pub async fn schedule(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let zone = viewer_zone(&actor);
    let outcome = match schedule_input(&fields, &zone) {
        Ok(input) => state.app.schedule_interview(&actor, id, input).await.map(|i| {
            format!(
                "Interview scheduled for {}; the invitations are on their way.",
                prospector_core::hiring::format_in_zone(i.starts_at, &zone)
            )
        }),
        Err(invalid) => Err(invalid.into()),
    };
    done(&state, &actor, &csrf, jar, id, "schedule", outcome).await
}

/// `POST /hiring/applications/{id}/interviews/{interview}/scorecard`: the actor's scorecard.
pub async fn scorecard(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path((raw, raw_interview)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let interview = uuid(&raw_interview, "interview")?;
    // The page names ratings by the attribute's position; anything else is refused by the use case.
    let (_, job, _) = state.app.get_application(&actor, id).await?;
    let attributes = App::scorecard_attributes(&job);
    let mut ratings = BTreeMap::new();
    for (i, attribute) in attributes.iter().enumerate() {
        let v = field(&fields, &format!("rating_{i}"));
        if !v.is_empty() {
            ratings.insert(attribute.clone(), v.to_owned());
        }
    }
    let input = ScorecardSubmission {
        overall: field(&fields, "overall").to_owned(),
        ratings,
        pros: field(&fields, "pros").to_owned(),
        cons: field(&fields, "cons").to_owned(),
        notes: field(&fields, "notes").to_owned(),
    };
    let outcome = state
        .app
        .submit_scorecard(&actor, interview, input)
        .await
        .map(|_| "Scorecard submitted.".to_owned());
    done(
        &state,
        &actor,
        &csrf,
        jar,
        id,
        &format!("scorecard-{interview}"),
        outcome,
    )
    .await
}

/// `POST /hiring/applications/{id}/offers`: drafts an offer.
pub async fn draft_offer(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let outcome = match NaiveDate::parse_from_str(field(&fields, "start_date"), "%Y-%m-%d") {
        Ok(start_date) => {
            let input = OfferInput {
                pay: field(&fields, "pay").to_owned(),
                start_date,
                letter: Some(field(&fields, "letter").replace("\r\n", "\n")).filter(|l| !l.is_empty()),
            };
            state
                .app
                .create_offer(&actor, id, input)
                .await
                .map(|_| "Offer drafted. Submit it for approval when it is ready.".to_owned())
        }
        Err(_) => Err(Invalid::new("start_date", "invalid_date", "enter the start date").into()),
    };
    done(&state, &actor, &csrf, jar, id, "offer", outcome).await
}

/// `POST /hiring/applications/{id}/offers/{offer}/{action}`: `submit`, `approve`, `reject` (with
/// a note) or `send`.
pub async fn offer_action(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path((raw, raw_offer, action)): Path<(String, String, String)>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let offer = uuid(&raw_offer, "offer")?;
    // The offer must belong to this application, so the page it returns to is its page.
    if !state
        .app
        .application_offers(&actor, id)
        .await?
        .iter()
        .any(|o| o.id == offer)
    {
        return Err(AppError::NotFound("offer".into()).into());
    }
    let outcome = match action.as_str() {
        "submit" => state
            .app
            .submit_offer(&actor, offer)
            .await
            .map(|_| "Offer submitted for approval.".to_owned()),
        "approve" => state.app.approve_offer(&actor, offer).await.map(|o| {
            if o.offer.status == OfferStatus::Approved {
                "Offer approved; it is ready to send.".to_owned()
            } else {
                "Offer approved; the next approver has been asked.".to_owned()
            }
        }),
        "reject" => state
            .app
            .reject_offer(&actor, offer, field(&fields, "note"))
            .await
            .map(|_| "Offer rejected; it is back in draft.".to_owned()),
        "send" => state
            .app
            .send_offer(&actor, offer, None)
            .await
            .map(|_| "Offer sent to the candidate.".to_owned()),
        _ => return Err(AppError::NotFound("offer action".into()).into()),
    };
    done(&state, &actor, &csrf, jar, id, &format!("offer-{offer}"), outcome).await
}

/// `POST /hiring/applications/{id}/tags`: adds (`add`, comma-separated) or removes (`remove`)
/// talent-pool tags.
pub async fn tags(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    let mut tags = view.candidate.tags.clone();
    let remove = field(&fields, "remove").to_lowercase();
    tags.retain(|t| *t != remove);
    let added: Vec<String> = field(&fields, "add")
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    tags.extend(added.iter().cloned());
    let outcome = state
        .app
        .set_candidate_tags(&actor, view.candidate.id, &tags)
        .await
        .map(|_| {
            if added.is_empty() {
                format!("Removed the tag “{remove}”.")
            } else {
                format!("Tagged {}.", added.join(", "))
            }
        });
    done(&state, &actor, &csrf, jar, id, "tags", outcome).await
}

/// `POST /hiring/applications/{id}/time-zone`: the candidate's time zone (recruiters).
pub async fn time_zone(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    let outcome = state
        .app
        .set_candidate_time_zone(&actor, view.candidate.id, field(&fields, "time_zone"))
        .await
        .map(|c| match c.time_zone {
            Some(tz) => format!("Interview times are now shown to the candidate in {tz}."),
            None => "The candidate's time zone was cleared; times are shown in UTC.".to_owned(),
        });
    done(&state, &actor, &csrf, jar, id, "time_zone", outcome).await
}

/// `POST /hiring/applications/{id}/export`: everything stored about the candidate, as a JSON
/// download (recruiters; the export is audited, hence a form rather than a link).
pub async fn export(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    let data = state.app.export_candidate(&actor, view.candidate.id).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"candidate-{}.json\"", view.candidate.id),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring_erase.html")]
struct ErasePage {
    layout: Layout,
    id: String,
    name: String,
    error: Option<String>,
}

async fn erase_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Uuid,
    error: Option<String>,
) -> Result<ErasePage, AppError> {
    if !is_recruiter(actor) {
        return Err(AppError::Forbidden(
            "only recruiters erase a candidate's data".into(),
        ));
    }
    let (view, _, _) = state.app.get_application(actor, id).await?;
    Ok(ErasePage {
        layout: Layout::new(actor, csrf, "hiring", format!("Erase {}", view.candidate.name)),
        id: id.to_string(),
        name: view.candidate.name,
        error,
    })
}

/// `GET /hiring/applications/{id}/erase`: the confirmation form.
pub async fn erase_confirm(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    Ok(erase_page(&state, &actor, &csrf, id, None).await?.into_response())
}

/// `POST /hiring/applications/{id}/erase`: erases the candidate's personal data once confirmed.
pub async fn erase(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let id = uuid(&raw, "application")?;
    if field(&fields, "confirm") != "yes" {
        let page = erase_page(
            &state,
            &actor,
            &csrf,
            id,
            Some("Tick the box to confirm: erasing cannot be undone.".into()),
        )
        .await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (view, _, _) = state.app.get_application(&actor, id).await?;
    let outcome = state
        .app
        .erase_candidate(&actor, view.candidate.id)
        .await
        .map(|()| "The candidate's personal data was erased.".to_owned());
    done(&state, &actor, &csrf, jar, id, "erase", outcome).await
}
