//! Inbound pages: the queue with live SLA timers, the speed-to-lead report and notifications
//! (`/inbound`); the admin page for routing and scoring rules, reps, the team calendar, the
//! "route this lead" preview and rejected submissions (`/admin/inbound`); and the AE's hand-offs
//! (`/handoffs`). Forms post outside `/inbound/`, which is CSRF-exempt for the public capture
//! endpoint only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use prospector_app::inbound::rules::{PreviewInput, RepInput, parse_holidays};
use prospector_app::inbound::sla::SlaReport;
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;

use prospector_core::records::OpportunityStage;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_core::role::Role;
use prospector_core::schedule::SlaStatus;
use serde::Deserialize;

use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

struct QueueRow {
    person_id: String,
    name: String,
    kind: &'static str,
    source: String,
    score: i64,
    owner: String,
    status_code: &'static str,
    status_label: &'static str,
    minutes: String,
    due_at: String,
}

struct NoteRow {
    at: String,
    kind: String,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound.html")]
struct InboundPage {
    layout: Layout,
    queue: Vec<QueueRow>,
    report: SlaReport,
    breach_percent: String,
    notifications: Vec<NoteRow>,
    forms: Vec<(String, String, String)>,
    is_admin: bool,
}

fn minutes_text(status: &SlaStatus) -> String {
    match status {
        SlaStatus::OnTime {
            business_minutes_remaining,
            ..
        }
        | SlaStatus::Warning {
            business_minutes_remaining,
            ..
        } => format!("{business_minutes_remaining} business min left"),
        SlaStatus::Breached {
            business_minutes_overdue,
            ..
        } => format!("{business_minutes_overdue} business min overdue"),
        SlaStatus::Met { business_minutes } | SlaStatus::Missed { business_minutes, .. } => {
            format!("touched after {business_minutes} business min")
        }
    }
}

/// `GET /inbound`.
pub async fn queue(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    let items = state.app.inbound_queue(&actor).await?;
    let report = state.app.sla_report(&actor, 30).await?;
    let notifications = match actor.user_id() {
        Some(_) => state.app.my_notifications(&actor, 20).await?,
        None => Vec::new(),
    };
    let forms = state.app.inbound_forms(&actor).await?;
    Ok(InboundPage {
        layout: Layout::new(&actor, &csrf, "inbound", "Inbound"),
        queue: items
            .iter()
            .map(|i| QueueRow {
                person_id: i.person.id.to_string(),
                name: i.person.full_name(),
                kind: if i.clock.kind == "contact_us_first_touch" {
                    "Contact us"
                } else {
                    "MQL"
                },
                source: i.person.source.clone().unwrap_or_default(),
                score: i.person.score,
                owner: i.owner_name.clone().unwrap_or_else(|| "Unassigned".into()),
                status_code: i.status.code(),
                status_label: i.status.label(),
                minutes: minutes_text(&i.status),
                due_at: i.clock.due_at.to_rfc3339(),
            })
            .collect(),
        breach_percent: format!("{:.0} %", report.breach_rate * 100.0),
        report,
        notifications: notifications
            .into_iter()
            .map(|n| NoteRow {
                at: n.created_at.format("%Y-%m-%d %H:%M").to_string(),
                kind: n.kind,
                message: n.message,
            })
            .collect(),
        forms: forms.into_iter().map(|f| (f.slug, f.name, f.behaviour)).collect(),
        is_admin: actor.role() == Role::Admin,
    })
}

struct RepView {
    id: String,
    name: String,
    role: String,
    active: bool,
    share: i64,
    capacity: String,
    ooo: bool,
    open: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_admin.html")]
struct AdminPage {
    layout: Layout,
    routing_summary: Vec<String>,
    routing_default: bool,
    warnings: Vec<String>,
    scoring_summary: Vec<String>,
    reps: Vec<RepView>,
    time_zone: String,
    work_start: i64,
    work_end: i64,
    holidays: String,
    rate: i64,
    handoff_days: i64,
    rejected: Vec<(String, String, String, String)>,
    preview: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

async fn admin_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    preview: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AdminPage, AppError> {
    if actor.role() != Role::Admin {
        return Err(AppError::Forbidden("only admins edit inbound rules".into()));
    }
    let routing = state.app.routing_rules(actor).await?;
    let scoring = state.app.scoring_rules(actor).await?;
    let reps = state.app.inbound_reps(actor).await?;
    let settings = state.app.inbound_settings(actor).await?;
    let rejected = state.app.inbound_submissions(actor, Some("rejected"), 50).await?;
    let names: std::collections::HashMap<String, String> = reps
        .iter()
        .map(|r| (r.user_id.to_string(), r.name.clone()))
        .collect();
    Ok(AdminPage {
        layout: Layout::new(actor, csrf, "admin", "Inbound rules"),
        routing_summary: routing
            .rules
            .iter()
            .map(|r| {
                let pool: Vec<String> = r
                    .pool
                    .iter()
                    .map(|u| {
                        names
                            .get(&u.to_string())
                            .cloned()
                            .unwrap_or_else(|| u.to_string())
                    })
                    .collect();
                format!(
                    "{}: {} / {} → {}",
                    r.code,
                    r.segment.map_or("any segment", |s| s.label()),
                    r.region.map_or("any region", |g| g.label()),
                    pool.join(", ")
                )
            })
            .collect(),
        routing_default: routing.default,
        warnings: routing.warnings.iter().map(|w| w.message.clone()).collect(),
        scoring_summary: scoring
            .behaviour
            .iter()
            .map(|b| format!("{} {:+}", b.behaviour.label(), b.points))
            .chain(
                scoring
                    .demographic
                    .iter()
                    .map(|d| format!("{} {:+}", d.label, d.points)),
            )
            .chain(std::iter::once(format!("MQL at {}", scoring.mql_threshold)))
            .collect(),
        reps: reps
            .into_iter()
            .filter(|r| matches!(r.role.as_str(), "sdr" | "team_lead" | "ae"))
            .map(|r| RepView {
                id: r.user_id.to_string(),
                name: r.name,
                role: r.role,
                active: r.active,
                share: r.share_percent,
                capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
                ooo: r.out_of_office,
                open: r.open_inbound_leads,
            })
            .collect(),
        time_zone: settings.time_zone,
        work_start: settings.work_start_hour,
        work_end: settings.work_end_hour,
        holidays: settings
            .holidays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        rate: settings.forms_per_minute_per_ip,
        handoff_days: settings.handoff_sla_days,
        rejected: rejected
            .into_iter()
            .map(|s| {
                (
                    s.received_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    s.form_slug,
                    s.reject_code.unwrap_or_default(),
                    s.payload.to_string(),
                )
            })
            .collect(),
        preview,
        notice,
        error,
    })
}

/// `GET /admin/inbound`.
pub async fn admin(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    Ok(admin_page(&state, &actor, &csrf, None, None, None).await?)
}

async fn answer(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    outcome: Result<String, AppError>,
) -> Result<Response, PageError> {
    let page = match outcome {
        Ok(notice) => admin_page(state, actor, csrf, None, Some(notice), None).await?,
        Err(AppError::Invalid(i)) => {
            admin_page(
                state,
                actor,
                csrf,
                None,
                None,
                Some(format!("{}: {}", i.field, i.message)),
            )
            .await?
        }
        Err(other) => return Err(other.into()),
    };
    Ok(page.into_response())
}

/// A rep's settings form.
#[derive(Debug, Deserialize)]
pub struct RepForm {
    share_percent: i64,
    capacity: Option<String>,
    out_of_office: Option<String>,
}

/// `POST /admin/inbound/reps/{id}`.
pub async fn save_rep(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(form): Form<RepForm>,
) -> Result<Response, PageError> {
    let user = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("user".into())))?;
    let capacity = match form.capacity.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => c.parse::<i64>().map(Some).map_err(|_| {
            AppError::from(Invalid::new(
                "capacity",
                "invalid_number",
                "capacity is a whole number",
            ))
        }),
    };
    let outcome = match capacity {
        Err(e) => Err(e),
        Ok(capacity) => state
            .app
            .save_inbound_rep(
                &actor,
                user,
                RepInput {
                    share_percent: form.share_percent,
                    capacity,
                    out_of_office: form.out_of_office.is_some(),
                },
            )
            .await
            .map(|r| format!("Saved {}.", r.name)),
    };
    answer(&state, &actor, &csrf, outcome).await
}

/// The settings form.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    time_zone: String,
    work_start_hour: i64,
    work_end_hour: i64,
    holidays: String,
    forms_per_minute_per_ip: i64,
    handoff_sla_days: i64,
}

/// `POST /admin/inbound/settings`.
pub async fn save_settings(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let outcome = match parse_holidays(&form.holidays) {
        Err(e) => Err(e.into()),
        Ok(holidays) => state
            .app
            .save_inbound_settings(
                &actor,
                prospector_store::inbound::Settings {
                    time_zone: form.time_zone.trim().to_owned(),
                    work_start_hour: form.work_start_hour,
                    work_end_hour: form.work_end_hour,
                    holidays,
                    forms_per_minute_per_ip: form.forms_per_minute_per_ip,
                    handoff_sla_days: form.handoff_sla_days,
                },
            )
            .await
            .map(|_| "Settings saved.".to_owned()),
    };
    answer(&state, &actor, &csrf, outcome).await
}

/// The preview form.
#[derive(Debug, Deserialize)]
pub struct PreviewForm {
    person_id: Option<String>,
    employees: Option<String>,
    country: Option<String>,
}

/// `POST /admin/inbound/preview`: "route this lead".
pub async fn preview(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<PreviewForm>,
) -> Result<Response, PageError> {
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let person_id = match blank(form.person_id) {
        None => None,
        Some(p) => Some(p.parse().map_err(|_| {
            PageError(AppError::from(Invalid::new(
                "person_id",
                "invalid_id",
                "not a lead id",
            )))
        })?),
    };
    let employees = blank(form.employees).and_then(|e| e.parse::<u32>().ok());
    let input = PreviewInput {
        person_id,
        employees,
        country: blank(form.country),
        account_owner: None,
    };
    match state.app.preview_routing(&actor, input).await {
        Ok(d) => {
            // The rule's handbook section, so the admin sees which process text goes with it.
            let guide = state
                .app
                .linked_section(&format!("routing_rule:{}", d.rule_code))
                .await?
                .map(|s| format!(" Handbook: {} › {}.", s.page_title, s.heading))
                .unwrap_or_default();
            let text = format!("{} (rule: {}).{guide}", d.why, d.rule_code);
            Ok(admin_page(&state, &actor, &csrf, Some(text), None, None)
                .await?
                .into_response())
        }
        Err(e) => answer(&state, &actor, &csrf, Err(e)).await,
    }
}

struct HandoffRow {
    id: String,
    person: String,
    opportunity: String,
    starts_at: String,
    booked_at: String,
    due_at: String,
    decision: String,
    open: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_handoffs.html")]
struct HandoffsPage {
    layout: Layout,
    rows: Vec<HandoffRow>,
    reasons: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn handoffs_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HandoffsPage, AppError> {
    let views = state.app.handoffs(actor).await?;
    let catalogue = default_opportunity_reasons();
    Ok(HandoffsPage {
        layout: Layout::new(actor, csrf, "inbound", "Hand-offs"),
        rows: views
            .into_iter()
            .map(|v| HandoffRow {
                id: v.opportunity.id.to_string(),
                person: v.person_name,
                opportunity: v.opportunity.name,
                starts_at: v.handoff.starts_at.format("%Y-%m-%d %H:%M").to_string(),
                booked_at: v.handoff.booked_at.format("%Y-%m-%d %H:%M").to_string(),
                due_at: v.due_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
                open: v.handoff.decision.is_none(),
                decision: match (&v.handoff.decision, &v.handoff.reason) {
                    (Some(d), Some(r)) => format!("{d} ({r})"),
                    (Some(d), None) => d.clone(),
                    _ => "pending".into(),
                },
            })
            .collect(),
        reasons: catalogue
            .choices(OpportunityStage::Unqualified)
            .map(|r| (r.code.clone(), r.label.clone()))
            .collect(),
        notice,
        error,
    })
}

/// `GET /handoffs`.
pub async fn handoffs(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    Ok(handoffs_page(&state, &actor, &csrf, None, None).await?)
}

/// The decision form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    reason: Option<String>,
}

async fn decide(
    state: AppState,
    actor: Actor,
    csrf: CsrfToken,
    id: String,
    accept: bool,
    reason: Option<String>,
) -> Result<Response, PageError> {
    let id = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("hand-off".into())))?;
    let reason = reason.filter(|r| !r.trim().is_empty());
    match state
        .app
        .decide_handoff(&actor, id, accept, reason.as_deref())
        .await
    {
        Ok(_) => Ok(Redirect::to("/handoffs").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(handoffs_page(&state, &actor, &csrf, None, Some(e.to_string()))
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /handoffs/{id}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    decide(state, actor, csrf, id, true, None).await
}

/// `POST /handoffs/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    decide(state, actor, csrf, id, false, form.reason).await
}
