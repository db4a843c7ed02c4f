//! `/sequences`: every sequence with its per-step results; `/sequences/{id}`: the builder (steps,
//! sending window, business days, holidays, reply behaviour, re-contact window) and its latest
//! enrollments; `/sequences/people/{id}`: one person's enrollment history.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::sequences::definitions::SequenceSummary;
use prospector_app::{Actor, AppError};
use prospector_core::sequence::{SendingWindow, SequenceDraft, SequenceSettings, StepDraft, StepKind};
use prospector_store::records::PersonId;
use uuid::Uuid;

use super::flash;
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// Blank rows offered in the builder for new steps.
const NEW_ROWS: usize = 3;

struct Row {
    id: String,
    name: String,
    is_default: bool,
    steps: usize,
    days: u16,
    active: i64,
    paused: i64,
    finished: i64,
    sent: i64,
    /// Opens as shown: "12" or "—" when no email of the sequence was tracked.
    opened: String,
    replied: i64,
    bounced: i64,
    connects: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "sequences.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    notice: Option<String>,
}

struct StepLine {
    index: usize,
    number: usize,
    kind: String,
    day_offset: String,
    template_id: String,
    script: String,
    handbook_page: String,
    handbook_anchor: String,
    sent: i64,
    open: i64,
    tracked: i64,
    opened: i64,
    replied: i64,
    bounced: i64,
    calls: i64,
    connects: i64,
    skipped: i64,
}

struct Choice {
    value: String,
    label: String,
}

struct EnrollmentLine {
    person_href: String,
    status: String,
    reason: String,
    next_step: i64,
    enrolled: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sequence_edit.html")]
pub struct EditPage {
    layout: Layout,
    id: String,
    name: String,
    version: i64,
    steps: Vec<StepLine>,
    kinds: Vec<Choice>,
    templates: Vec<Choice>,
    window_start: String,
    window_end: String,
    business_days: bool,
    holidays: String,
    on_reply: String,
    recontact: u16,
    track_opens: bool,
    enrollments: Vec<EnrollmentLine>,
    notice: Option<String>,
    error: Option<String>,
    error_field: String,
}

fn row(s: &SequenceSummary) -> Row {
    let total =
        |f: fn(&prospector_app::sequences::definitions::StepResults) -> i64| s.steps.iter().map(f).sum();
    Row {
        id: s.row.id.to_string(),
        name: s.row.name.clone(),
        is_default: s.row.is_default,
        steps: s.def.steps().len(),
        days: s.def.length_days(),
        active: s.active,
        paused: s.paused,
        finished: s.finished,
        sent: total(|r| r.sent),
        opened: if total(|r| r.tracked) > 0 {
            total(|r| r.opened).to_string()
        } else {
            "—".into()
        },
        replied: total(|r| r.replied),
        bounced: total(|r| r.bounced),
        connects: total(|r| r.connects),
    }
}

/// `GET /sequences`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(jar);
    let sequences = state.app.list_sequences(&actor).await?;
    let page = ListPage {
        layout: Layout::new(&actor, &csrf, "sequences", "Sequences"),
        rows: sequences.iter().map(row).collect(),
        notice: flash.notice,
    };
    Ok((jar, page).into_response())
}

fn lines(draft: &SequenceDraft, s: Option<&SequenceSummary>) -> Vec<StepLine> {
    let mut out: Vec<StepLine> = draft
        .steps
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let r = s.and_then(|s| s.steps.get(i)).cloned().unwrap_or_default();
            StepLine {
                index: i,
                number: i + 1,
                kind: st.kind.clone(),
                day_offset: st.day_offset.to_string(),
                template_id: st.template_id.clone().unwrap_or_default(),
                script: st.script.clone().unwrap_or_default(),
                handbook_page: st.handbook_page.clone().unwrap_or_default(),
                handbook_anchor: st.handbook_anchor.clone().unwrap_or_default(),
                sent: r.sent,
                open: r.open,
                tracked: r.tracked,
                opened: r.opened,
                replied: r.replied,
                bounced: r.bounced,
                calls: r.calls,
                connects: r.connects,
                skipped: r.skipped,
            }
        })
        .collect();
    let n = out.len();
    for i in n..n + NEW_ROWS {
        out.push(StepLine {
            index: i,
            number: i + 1,
            kind: String::new(),
            day_offset: String::new(),
            template_id: String::new(),
            script: String::new(),
            handbook_page: String::new(),
            handbook_anchor: String::new(),
            sent: 0,
            open: 0,
            tracked: 0,
            opened: 0,
            replied: 0,
            bounced: 0,
            calls: 0,
            connects: 0,
            skipped: 0,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)] // the page's parts, gathered in one place
async fn edit_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: Option<Uuid>,
    draft: Option<(SequenceDraft, i64)>,
    notice: Option<String>,
    error: Option<(String, String)>,
) -> Result<EditPage, PageError> {
    let summary = match id {
        Some(id) => Some(state.app.get_sequence(actor, id).await?),
        None => None,
    };
    let (draft, version) = match (draft, &summary) {
        (Some(d), _) => d,
        (None, Some(s)) => (SequenceDraft::from(s.def.clone()), s.row.version),
        (None, None) => (
            SequenceDraft {
                name: String::new(),
                steps: vec![],
                settings: SequenceSettings::default(),
            },
            0,
        ),
    };
    let templates = state
        .app
        .list_templates(actor)
        .await?
        .into_iter()
        .map(|t| Choice {
            value: t.id,
            label: t.name,
        })
        .collect();
    let enrollments = match id {
        Some(id) => state
            .app
            .sequence_enrollments(actor, id, 50)
            .await?
            .iter()
            .map(|e| EnrollmentLine {
                person_href: format!("/sequences/people/{}", e.person_id),
                status: e.status.clone(),
                reason: e.reason.clone().unwrap_or_default().replace('_', " "),
                next_step: e.next_step + 1,
                enrolled: e.enrolled_at.format("%Y-%m-%d").to_string(),
            })
            .collect(),
        None => vec![],
    };
    let s = &draft.settings;
    let (error, error_field) = error.map_or((None, String::new()), |(m, f)| (Some(m), f));
    Ok(EditPage {
        layout: Layout::new(
            actor,
            csrf,
            "sequences",
            if draft.name.is_empty() {
                "New sequence".to_owned()
            } else {
                draft.name.clone()
            },
        ),
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        name: draft.name.clone(),
        version,
        steps: lines(&draft, summary.as_ref()),
        kinds: StepKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label().into(),
            })
            .collect(),
        templates,
        window_start: s.sending_window.start().format("%H:%M").to_string(),
        window_end: s.sending_window.end().format("%H:%M").to_string(),
        business_days: s.business_days_only,
        holidays: s
            .holidays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        on_reply: s.on_reply.code().into(),
        recontact: s.recontact_window_days,
        track_opens: s.track_opens,
        enrollments,
        notice,
        error,
        error_field,
    })
}

/// `GET /sequences/new`.
pub async fn new(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<EditPage, PageError> {
    edit_page(&state, &actor, &csrf, None, None, None, None).await
}

/// `GET /sequences/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("sequence".into())))?;
    let (jar, flash) = flash::take(jar);
    let page = edit_page(&state, &actor, &csrf, Some(id), None, flash.notice, None).await?;
    Ok((jar, page).into_response())
}

/// Reads the builder form: `name`, `step_{i}_kind`, `step_{i}_day`, `step_{i}_template`,
/// `step_{i}_script`, `step_{i}_handbook_page`, `step_{i}_handbook_anchor` (rows without a kind
/// are dropped), `window_start`, `window_end`, `business_days`, `holidays`, `on_reply`,
/// `recontact`, `track_opens`, `version`.
fn draft_of(form: &HashMap<String, String>) -> Result<(SequenceDraft, i64), prospector_core::Invalid> {
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let mut steps = Vec::new();
    for i in 0..prospector_core::sequence::definition::MAX_STEPS + NEW_ROWS {
        let kind = get(&format!("step_{i}_kind"));
        if kind.is_empty() {
            continue;
        }
        let day_raw = get(&format!("step_{i}_day"));
        let day_offset = day_raw.parse::<i64>().map_err(|_| {
            prospector_core::Invalid::new(
                format!("steps[{}].day_offset", steps.len()),
                "invalid_number",
                format!(
                    "step {}: '{day_raw}' is not a whole number of days",
                    steps.len() + 1
                ),
            )
        })?;
        let is_email = kind.ends_with("email");
        steps.push(StepDraft {
            kind,
            day_offset,
            template_id: if is_email {
                opt(&format!("step_{i}_template"))
            } else {
                None
            },
            script: opt(&format!("step_{i}_script")),
            handbook_page: opt(&format!("step_{i}_handbook_page")),
            handbook_anchor: opt(&format!("step_{i}_handbook_anchor")),
        });
    }
    let mut holidays = std::collections::BTreeSet::new();
    for (n, line) in get("holidays")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let day = line.parse().map_err(|_| {
            prospector_core::Invalid::new(
                "settings.holidays",
                "invalid_date",
                format!("line {}: '{line}' is not a date like 2026-12-25", n + 1),
            )
        })?;
        holidays.insert(day);
    }
    let recontact_raw = get("recontact");
    let recontact_window_days = recontact_raw.parse::<u16>().map_err(|_| {
        prospector_core::Invalid::new(
            "settings.recontact_window_days",
            "invalid_number",
            format!("'{recontact_raw}' is not a number of days"),
        )
    })?;
    let on_reply = match get("on_reply").as_str() {
        "pause" => prospector_core::sequence::ReplyBehaviour::Pause,
        _ => prospector_core::sequence::ReplyBehaviour::Finish,
    };
    let settings = SequenceSettings {
        sending_window: SendingWindow::parse(&get("window_start"), &get("window_end"))?,
        business_days_only: form.contains_key("business_days"),
        holidays,
        on_reply,
        recontact_window_days,
        track_opens: form.contains_key("track_opens"),
    };
    let version = get("version").parse().unwrap_or(0);
    Ok((
        SequenceDraft {
            name: get("name"),
            steps,
            settings,
        },
        version,
    ))
}

async fn save(
    state: AppState,
    actor: Actor,
    csrf: CsrfToken,
    jar: CookieJar,
    id: Option<Uuid>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let parsed = draft_of(&form);
    let outcome = match &parsed {
        Ok((draft, version)) => match id {
            Some(id) => state.app.update_sequence(&actor, id, draft, *version).await,
            None => state.app.create_sequence(&actor, draft).await,
        },
        Err(e) => Err(AppError::Invalid(e.clone())),
    };
    match outcome {
        Ok(s) => Ok(flash::redirect_with_notice(
            jar,
            state.settings.secure_cookies,
            &format!("/sequences/{}", s.row.id),
            format!("Saved {}.", s.row.name),
        )),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let field = match &e {
                AppError::Invalid(i) => i.field.clone(),
                _ => String::new(),
            };
            let draft = parsed.ok();
            let page = edit_page(
                &state,
                &actor,
                &csrf,
                id,
                draft,
                None,
                Some((e.to_string(), field)),
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /sequences`.
pub async fn create(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(state, actor, csrf, jar, None, form).await
}

/// `POST /sequences/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("sequence".into())))?;
    save(state, actor, csrf, jar, Some(id), form).await
}

struct HistoryLine {
    sequence: String,
    sequence_href: String,
    status: String,
    reason: String,
    enrolled: String,
    finished: String,
    steps: Vec<(usize, String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sequence_person.html")]
pub struct PersonPage {
    layout: Layout,
    name: String,
    person_href: String,
    history: Vec<HistoryLine>,
}

/// `GET /sequences/people/{id}`: a person's enrollment history.
pub async fn person(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<PersonPage, PageError> {
    let id: PersonId = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("person".into())))?;
    let person = state.app.get_person(&actor, None, id).await?;
    let history = state.app.person_enrollments(&actor, id).await?;
    let name = person.full_name();
    Ok(PersonPage {
        layout: Layout::new(&actor, &csrf, "sequences", format!("{name}: sequences")),
        person_href: format!(
            "/{}s/{id}",
            if person.kind == prospector_store::records::people::PersonKind::Contact {
                "contact"
            } else {
                "lead"
            }
        ),
        name,
        history: history
            .iter()
            .map(|(e, seq, steps)| HistoryLine {
                sequence: seq.clone(),
                sequence_href: format!("/sequences/{}", e.sequence_id),
                status: e.status.clone(),
                reason: e.reason.clone().unwrap_or_default().replace('_', " "),
                enrolled: e.enrolled_at.format("%Y-%m-%d %H:%M").to_string(),
                finished: e
                    .finished_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                steps: steps
                    .iter()
                    .map(|x| {
                        (
                            usize::try_from(x.step_index).unwrap_or(0) + 1,
                            x.kind.replace('_', " "),
                            x.status.clone(),
                            x.outcome.clone().unwrap_or_default().replace('_', " "),
                        )
                    })
                    .collect(),
            })
            .collect(),
    })
}
