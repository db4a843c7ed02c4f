//! `/leads/{id}` and `/contacts/{id}`: the record header, the status control (asking for the
//! reason on an exit), the qualification checklists, conversion, reporting line, logging a call,
//! note or email in place, and the timeline.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use chrono_tz::Tz;
use prospector_app::handbook::RenderedSection;
use prospector_app::records::activities::ActivityInput;
use prospector_app::records::people::{ConvertInput, PersonPatch, StatusInput};
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::qualification::Answers;
use prospector_core::records::{EmailDirection, LeadStatus, TaskStatus};
use prospector_core::role::Role;
use prospector_store::records::PersonId;
use prospector_store::records::accounts::AccountFilter;
use prospector_store::records::people::PersonKind;
use prospector_store::records::tasks::TaskFilter;
use serde::Deserialize;

use super::people::{ReasonGroup, reason_groups};
use super::timeline::{self, Entry};
use super::{
    Choice, Directory, FormError, Which, done, field, form_error, form_pairs, parse_id, status_class,
};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

struct Criterion {
    code: String,
    label: String,
    help: String,
    met: bool,
}

struct FrameworkView {
    code: String,
    name: String,
    required: usize,
    met: usize,
    satisfied: bool,
    current: bool,
    criteria: Vec<Criterion>,
    /// The handbook section on this framework (`qualification#soft-bant`).
    guide: Option<RenderedSection>,
}

/// The handbook section for one exit, shown in the status control.
struct ExitGuide {
    status: &'static str,
    label: &'static str,
    section: RenderedSection,
}

/// A reason whose own handbook section differs from its status's; shown in place of the status's
/// section when that reason is chosen.
struct ReasonGuide {
    status: String,
    reason: String,
    label: String,
    section: RenderedSection,
}

struct OrgLine {
    name: String,
    href: String,
}

/// One enrollment in the person's sequence history.
struct EnrollmentLine {
    sequence: String,
    href: String,
    /// The furthest step that came due, "step 3"; empty before the first.
    reached: String,
    status: String,
    /// Why it paused or ended.
    reason: String,
}

fn enrollment_line(
    (e, sequence, steps): &(
        prospector_store::sequences::EnrollmentRow,
        String,
        Vec<prospector_store::sequences::ExecutionRow>,
    ),
) -> EnrollmentLine {
    let reached = steps
        .iter()
        .map(|x| x.step_index + 1)
        .max()
        .map(|n| format!("step {n}"))
        .unwrap_or_default();
    EnrollmentLine {
        sequence: sequence.clone(),
        href: format!("/sequences/{}", e.sequence_id),
        reached,
        status: e.status.clone(),
        reason: e.reason.clone().unwrap_or_default().replace('_', " "),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "records_person.html")]
struct PersonPage {
    layout: Layout,
    base: &'static str,
    list_title: &'static str,
    id: String,
    version: i64,
    name: String,
    title: String,
    company: String,
    account_name: String,
    account_href: String,
    status: &'static str,
    status_code: &'static str,
    status_class: &'static str,
    status_reason: String,
    owner: String,
    score: i64,
    source: String,
    email: String,
    phone: String,
    do_not_call: bool,
    unsubscribed: bool,
    time_zone: String,
    local_time: String,
    next_statuses: Vec<Choice>,
    exit_codes: Vec<&'static str>,
    reason_groups: Vec<ReasonGroup>,
    reason_guides: Vec<ReasonGuide>,
    frameworks: Vec<FrameworkView>,
    can_convert: bool,
    aes: Vec<Choice>,
    account_choices: Vec<Choice>,
    dispositions: Vec<Choice>,
    /// The handbook section on call dispositions, for the log-a-call panel.
    call_guide: Option<RenderedSection>,
    /// The handbook section on each exit's reasons, for the status control.
    exit_guides: Vec<ExitGuide>,
    manager: Option<OrgLine>,
    colleagues: Vec<Choice>,
    timeline: Vec<Entry>,
    older: Option<String>,
    /// Sequence enrollments, newest first.
    enrollments: Vec<EnrollmentLine>,
    /// Open follow-up tasks about this person, soonest due first.
    open_tasks: Vec<TaskLine>,
    notice: Option<String>,
    error: FormError,
    /// What the user typed into the form that failed, to show it again.
    note_again: String,
}

/// An open task in the person page's task card.
struct TaskLine {
    title: String,
    due: String,
}

/// `?before=` pages the timeline.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    before: Option<String>,
}

#[allow(clippy::too_many_lines, clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    which: Which,
    id: PersonId,
    before: Option<&str>,
    notice: Option<String>,
    error: FormError,
    note_again: String,
) -> Result<PersonPage, AppError> {
    let app = &state.app;
    let p = app.get_person(actor, Some(which.kind()), id).await?;
    let dir = Directory::load(state, actor).await?;
    let reasons = app.lead_reasons(actor).await?;
    let dispositions = app.call_dispositions(actor).await?;
    let frameworks = app.qualification_frameworks(actor).await?;
    let tl = app
        .person_timeline(actor, Some(which.kind()), id, before, 50)
        .await?;
    let account = match p.account_id {
        Some(a) => app.get_account(actor, a).await.ok(),
        None => None,
    };
    let exits: Vec<LeadStatus> = p
        .status
        .allowed_next()
        .into_iter()
        .filter(|s| s.is_exit())
        .collect();
    let mut contexts = vec!["disposition:*".to_owned()];
    contexts.extend(exits.iter().map(|s| format!("status:{}", s.code())));
    contexts.extend(frameworks.iter().map(|f| format!("criterion:{}:*", f.code)));
    let mut guides: BTreeMap<String, RenderedSection> =
        app.linked_sections(&contexts).await?.into_iter().collect();
    let call_guide = guides.remove("disposition:*");
    let exit_guides = exits
        .iter()
        .filter_map(|s| {
            guides
                .remove(&format!("status:{}", s.code()))
                .map(|section| ExitGuide {
                    status: s.code(),
                    label: s.label(),
                    section,
                })
        })
        .collect();
    let exit_reasons: Vec<(String, String, String)> = exits
        .iter()
        .flat_map(|s| {
            reasons
                .choices(*s)
                .map(|r| (s.code().to_owned(), r.code.clone(), r.label.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let pairs: Vec<(String, String)> = exit_reasons
        .iter()
        .map(|(s, r, _)| (s.clone(), r.clone()))
        .collect();
    let reason_guides = app
        .reason_sections(&pairs)
        .await?
        .into_iter()
        .filter(|g| g.own)
        .map(|g| ReasonGuide {
            label: exit_reasons
                .iter()
                .find(|(s, r, _)| *s == g.status && *r == g.reason)
                .map_or_else(|| g.reason.clone(), |(_, _, l)| l.clone()),
            status: g.status,
            reason: g.reason,
            section: g.section,
        })
        .collect();
    let answers: Answers = serde_json::from_value(p.qualification.clone()).unwrap_or_default();
    let current_framework = p.framework.clone().unwrap_or_else(|| "soft_bant".into());
    let frameworks = frameworks
        .iter()
        .map(|f| {
            let eval = f.evaluate(&answers);
            FrameworkView {
                code: f.code.clone(),
                name: f.name.clone(),
                required: f.required,
                met: eval.met.len(),
                satisfied: eval.satisfied,
                current: f.code == current_framework,
                guide: guides.get(&format!("criterion:{}:*", f.code)).cloned(),
                criteria: f
                    .criteria
                    .iter()
                    .map(|c| Criterion {
                        code: c.code.clone(),
                        label: c.label.clone(),
                        help: c.help.clone(),
                        met: answers.get(&c.code).copied().unwrap_or(false),
                    })
                    .collect(),
            }
        })
        .collect();
    let tz = p.time_zone.as_deref().and_then(|t| t.parse::<Tz>().ok());
    let local_time = tz.map_or_else(String::new, |tz| {
        Utc::now().with_timezone(&tz).format("%H:%M (%a)").to_string()
    });
    let can_convert = p.kind == PersonKind::Lead && p.status == LeadStatus::Qualified;
    let account_choices = if can_convert {
        let mut c = vec![Choice::new(
            "",
            "Match by email domain or company name (new account if none)",
            "",
        )];
        if let Some(a) = &account {
            c.push(Choice::new(a.id.to_string(), a.name.clone(), ""));
        } else if let Some(company) = p.company.as_deref() {
            let filter = AccountFilter {
                text: Some(company.to_owned()),
                ..AccountFilter::default()
            };
            let found = app
                .list_accounts(actor, &filter, Default::default(), None, 10, false)
                .await?;
            c.extend(
                found
                    .items
                    .iter()
                    .map(|a| Choice::new(a.id.to_string(), a.name.clone(), "")),
            );
        }
        c
    } else {
        Vec::new()
    };
    let (manager, colleagues) = match &account {
        Some(a) => {
            let members = app.account_people(actor, a.id).await?;
            let mine = members
                .iter()
                .find(|m| m.person.id == id)
                .and_then(|m| m.reports_to);
            let manager = mine
                .and_then(|m| members.iter().find(|x| x.person.id == m))
                .map(|m| OrgLine {
                    name: m.person.full_name(),
                    href: format!("{}/{}", Which::of(m.person.kind).base(), m.person.id),
                });
            let current = mine.map(|m| m.to_string()).unwrap_or_default();
            let mut c = vec![Choice::new("", "Nobody (top of the chart)", &current)];
            c.extend(
                members
                    .iter()
                    .filter(|m| m.person.id != id)
                    .map(|m| Choice::new(m.person.id.to_string(), m.person.full_name(), &current)),
            );
            (manager, c)
        }
        None => (None, Vec::new()),
    };
    let enrollments = state
        .app
        .person_enrollments(actor, id)
        .await?
        .iter()
        .map(enrollment_line)
        .collect();
    let open = TaskFilter {
        person_id: Some(id),
        status: Some(TaskStatus::Open),
        ..TaskFilter::default()
    };
    let open_tasks = state
        .app
        .list_tasks(actor, &open, None, 20)
        .await?
        .items
        .iter()
        .map(|t| TaskLine {
            title: t.title.clone(),
            due: super::when(actor, t.due_at),
        })
        .collect();
    Ok(PersonPage {
        enrollments,
        open_tasks,
        layout: Layout::new(actor, csrf, "leads", p.full_name()),
        base: which.base(),
        list_title: which.title(),
        id: p.id.to_string(),
        version: p.version,
        name: p.full_name(),
        title: p.title.clone().unwrap_or_default(),
        company: p.company.clone().unwrap_or_default(),
        account_name: account.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        account_href: account
            .as_ref()
            .map(|a| format!("/accounts/{}", a.id))
            .unwrap_or_default(),
        status: p.status.label(),
        status_code: p.status.code(),
        status_class: status_class(p.status),
        status_reason: p
            .status_reason
            .as_deref()
            .map(|r| reasons.label(p.status, r).unwrap_or(r).to_owned())
            .unwrap_or_default(),
        owner: dir.name(p.owner_id),
        score: p.score,
        source: p.source.clone().unwrap_or_default(),
        email: p.email.as_ref().map(ToString::to_string).unwrap_or_default(),
        phone: p.phone.clone().unwrap_or_default(),
        do_not_call: p.do_not_call,
        unsubscribed: p.unsubscribed,
        time_zone: p.time_zone.clone().unwrap_or_default(),
        local_time,
        next_statuses: p
            .status
            .allowed_next()
            .into_iter()
            // Qualified is reached through the checklist, which records the answers.
            .filter(|s| *s != LeadStatus::Qualified)
            .map(|s| Choice::new(s.code(), s.label(), ""))
            .collect(),
        exit_codes: LeadStatus::ALL
            .iter()
            .filter(|s| s.is_exit())
            .map(|s| s.code())
            .collect(),
        reason_groups: reason_groups(state, actor).await?,
        reason_guides,
        frameworks,
        can_convert,
        aes: dir.choices(&[Role::Ae], ""),
        account_choices,
        dispositions: dispositions
            .all()
            .iter()
            .map(|d| Choice::new(d.code.clone(), d.label.clone(), ""))
            .collect(),
        call_guide,
        exit_guides,
        manager,
        colleagues,
        timeline: timeline::entries(
            actor,
            &tl,
            &format!("{}/{}", which.base(), p.id),
            &dir,
            &reasons,
            &dispositions,
        ),
        older: tl.next_before.map(|b| {
            format!(
                "{}/{}?before={}#timeline",
                which.base(),
                p.id,
                crate::auth::urlencode(&b)
            )
        }),
        notice,
        error,
        note_again,
    })
}

/// `GET /leads/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let id = parse_id(&id, which.singular())?;
    // A link may name a contact under /leads (or the other way round): send it to its list.
    let p = state.app.get_person(&actor, None, id).await?;
    if Which::of(p.kind) != which {
        return Ok(Redirect::to(&format!("{}/{id}", Which::of(p.kind).base())).into_response());
    }
    let (jar, flash) = flash::take(jar);
    let body = page(
        &state,
        &actor,
        &csrf,
        which,
        id,
        q.before.as_deref(),
        flash.notice,
        FormError::default(),
        String::new(),
    )
    .await?;
    Ok((jar, body).into_response())
}

/// The person's page again with the refusal beside the form that caused it.
#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    which: Which,
    id: PersonId,
    form: &'static str,
    err: AppError,
    note_again: String,
) -> Result<Response, PageError> {
    let (status, error): (StatusCode, FormError) = form_error(form, err)?;
    let body = page(state, actor, csrf, which, id, None, None, error, note_again).await?;
    Ok((status, body).into_response())
}

fn version_of(pairs: &[(String, String)]) -> Option<i64> {
    field(pairs, "version").and_then(|v| v.parse().ok())
}

/// `POST /leads/{id}/status`: `status`, `reason` (required for exits), `note`, `version`.
pub async fn status(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let id: PersonId = parse_id(&id, which.singular())?;
    let pairs = form_pairs(&body);
    let input = StatusInput {
        status: field(&pairs, "status").unwrap_or_default().to_owned(),
        reason: field(&pairs, "reason").map(str::to_owned),
        note: field(&pairs, "note").map(str::to_owned),
        ..StatusInput::default()
    };
    let note = input.note.clone().unwrap_or_default();
    match state
        .app
        .change_status(&actor, Some(which.kind()), id, input, version_of(&pairs))
        .await
    {
        Ok(p) => Ok(done(
            &state,
            jar,
            &format!("{}/{id}", which.base()),
            format!("Moved {} to {}.", p.full_name(), p.status.label()),
        )),
        Err(e) => refused(&state, &actor, &csrf, which, id, "status", e, note).await,
    }
}

/// `POST /leads/{id}/qualification`: `framework`, one checkbox per criterion met, and `action`
/// = save (record the answers) or qualify (record them and move to Qualified).
pub async fn qualification(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let id: PersonId = parse_id(&id, which.singular())?;
    let pairs = form_pairs(&body);
    let code = field(&pairs, "framework").unwrap_or("soft_bant").to_owned();
    let frameworks = state.app.qualification_frameworks(&actor).await?;
    let framework = frameworks.iter().find(|f| f.code == code).ok_or_else(|| {
        AppError::Invalid(Invalid::unknown_value("framework", &code, &["soft_bant", "aift"]))
    })?;
    // An unticked box is a criterion not met: every criterion of the framework gets an answer.
    let answers: BTreeMap<String, bool> = framework
        .criteria
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                pairs.iter().any(|(k, v)| k == "met" && *v == c.code),
            )
        })
        .collect();
    let to = format!("{}/{id}", which.base());
    let outcome = if field(&pairs, "action") == Some("qualify") {
        let input = StatusInput {
            status: LeadStatus::Qualified.code().into(),
            framework: Some(code),
            answers: Some(answers),
            ..StatusInput::default()
        };
        state
            .app
            .change_status(&actor, Some(which.kind()), id, input, version_of(&pairs))
            .await
            .map(|p| format!("{} is qualified ({}).", p.full_name(), framework.name))
    } else {
        let patch = PersonPatch {
            framework: Some(code),
            qualification: Some(answers),
            ..PersonPatch::default()
        };
        state
            .app
            .update_person(&actor, Some(which.kind()), id, patch, version_of(&pairs))
            .await
            .map(|_| format!("Saved the {} answers.", framework.name))
    };
    match outcome {
        Ok(notice) => Ok(done(&state, jar, &to, notice)),
        Err(e) => {
            refused(
                &state,
                &actor,
                &csrf,
                which,
                id,
                "qualification",
                e,
                String::new(),
            )
            .await
        }
    }
}

/// `POST /leads/{id}/convert`: `ae_id`, optional `account_id`, `opportunity_name`, `version`.
pub async fn convert(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id: PersonId = parse_id(&id, "lead")?;
    let pairs = form_pairs(&body);
    let bad_id = |f: &str| AppError::Invalid(Invalid::new(f, "invalid_id", format!("{f} is not valid")));
    let input = ConvertInput {
        ae_id: field(&pairs, "ae_id")
            .map(|v| v.parse().map_err(|_| bad_id("ae_id")))
            .transpose()?,
        account_id: field(&pairs, "account_id")
            .map(|v| v.parse().map_err(|_| bad_id("account_id")))
            .transpose()?,
        opportunity_name: field(&pairs, "opportunity_name").map(str::to_owned),
        ..ConvertInput::default()
    };
    match state
        .app
        .convert_lead(&actor, id, input, version_of(&pairs))
        .await
    {
        Ok(c) => Ok(done(
            &state,
            jar,
            &format!("/contacts/{id}"),
            format!(
                "Converted to a contact on {}{}; opportunity “{}” created.",
                c.account.name,
                if c.account_created { " (new account)" } else { "" },
                c.opportunity.name
            ),
        )),
        Err(e) => {
            refused(
                &state,
                &actor,
                &csrf,
                Which::Leads,
                id,
                "convert",
                e,
                String::new(),
            )
            .await
        }
    }
}

/// `POST /leads/{id}/activities`: `kind` = call (`disposition`, `minutes`, `notes`), note
/// (`text`) or email (`direction`, `subject`).
pub async fn log(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let id: PersonId = parse_id(&id, which.singular())?;
    let pairs = form_pairs(&body);
    let kind = field(&pairs, "kind").unwrap_or("note");
    let form: &'static str = match kind {
        "call" => "call",
        "email" => "email",
        _ => "note",
    };
    let detail = match kind {
        "call" => {
            let minutes = field(&pairs, "minutes")
                .map(|m| {
                    m.parse::<f64>().ok().filter(|m| *m >= 0.0).ok_or_else(|| {
                        Invalid::new("minutes", "not_a_number", "the duration is a number of minutes")
                    })
                })
                .transpose();
            match minutes {
                Ok(minutes) => Ok(ActivityDetail::Call {
                    disposition: field(&pairs, "disposition").unwrap_or_default().to_owned(),
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    duration_seconds: minutes.map(|m| (m * 60.0).round().min(f64::from(u32::MAX)) as u32),
                    notes: field(&pairs, "notes").map(str::to_owned),
                }),
                Err(e) => Err(e),
            }
        }
        "email" => EmailDirection::parse("direction", field(&pairs, "direction").unwrap_or("sent")).map(
            |direction| ActivityDetail::Email {
                direction,
                message_id: None,
                thread_id: None,
                subject: field(&pairs, "subject").map(str::to_owned),
            },
        ),
        _ => Ok(ActivityDetail::Note {
            text: field(&pairs, "text").unwrap_or_default().to_owned(),
        }),
    };
    let again = field(&pairs, "notes")
        .or_else(|| field(&pairs, "text"))
        .unwrap_or_default()
        .to_owned();
    let result = match detail {
        Ok(detail) => {
            state
                .app
                .log_activity(
                    &actor,
                    ActivityInput {
                        person_id: Some(id),
                        account_id: None,
                        opportunity_id: None,
                        occurred_at: None,
                        detail,
                        corrects_id: None,
                    },
                )
                .await
        }
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    match result {
        Ok(a) => Ok(done(
            &state,
            jar,
            &format!("{}/{id}#timeline", which.base()),
            format!("Logged the {}.", a.kind.label().to_lowercase()),
        )),
        Err(e) => refused(&state, &actor, &csrf, which, id, form, e, again).await,
    }
}

/// `POST /leads/{id}/reports-to`: `reports_to_id` (empty: nobody).
pub async fn reports_to(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let id: PersonId = parse_id(&id, which.singular())?;
    let pairs = form_pairs(&body);
    let manager = field(&pairs, "reports_to_id")
        .map(|v| {
            v.parse::<PersonId>()
                .map_err(|_| AppError::Invalid(Invalid::new("reports_to_id", "invalid_id", "not a person")))
        })
        .transpose()?;
    match state.app.set_reports_to(&actor, id, manager).await {
        Ok(()) => Ok(done(
            &state,
            jar,
            &format!("{}/{id}", which.base()),
            "Saved the reporting line.".into(),
        )),
        Err(e) => refused(&state, &actor, &csrf, which, id, "reports_to", e, String::new()).await,
    }
}
