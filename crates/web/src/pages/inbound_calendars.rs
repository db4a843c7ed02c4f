//! Business calendars on a page: who works when (time zone, working hours, working days,
//! holidays) per team and per user, and who is out of office. An SLA clock runs on its owner's
//! calendar, else their team's, else the team-wide settings, so the list says which one applies.
//! Refusals re-render the editor with the message next to the field and the input kept.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use prospector_app::inbound::calendars::CalendarInput;
use prospector_app::inbound::rules::RepInput;
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::ids::{TeamId, UserId};
use prospector_store::inbound::calendars::{CalendarOwner, CalendarRow};
use uuid::Uuid;

use super::flash;
use super::inbound_setup::{Errors, FieldError, redirect_with, refused, require_admin};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

const WEEKDAYS: [(u32, &str); 7] = [
    (1, "Mon"),
    (2, "Tue"),
    (3, "Wed"),
    (4, "Thu"),
    (5, "Fri"),
    (6, "Sat"),
    (7, "Sun"),
];

/// "Europe/Berlin, 8–16, Mon–Fri, 2 holidays".
fn summary(row: &CalendarRow) -> String {
    let days: Vec<&str> = WEEKDAYS
        .iter()
        .filter(|(d, _)| row.workdays.contains(d))
        .map(|(_, name)| *name)
        .collect();
    let holidays = match row.holidays.len() {
        0 => String::new(),
        1 => ", 1 holiday".to_owned(),
        n => format!(", {n} holidays"),
    };
    format!(
        "{}, {}:00–{}:00, {}{holidays}",
        row.time_zone,
        row.work_start_hour,
        row.work_end_hour,
        days.join(" ")
    )
}

struct OwnerRow {
    kind: &'static str,
    id: String,
    name: String,
    detail: String,
    /// The calendar's summary, or which one applies instead.
    calendar: String,
    own: bool,
    out_of_office: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_calendars.html")]
struct CalendarsPage {
    layout: Layout,
    team_wide: String,
    teams: Vec<OwnerRow>,
    users: Vec<OwnerRow>,
    notice: Option<String>,
}

/// `GET /admin/inbound/calendars`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let (jar, flash) = flash::take(jar);
    let app = &state.app;
    let stored: HashMap<(CalendarOwner, Uuid), CalendarRow> = app
        .inbound_calendars(&actor)
        .await?
        .into_iter()
        .map(|r| ((r.owner_kind, r.owner_id), r))
        .collect();
    let settings = app.inbound_settings(&actor).await?;
    let team_wide = format!(
        "{}, {}:00–{}:00, Mon Tue Wed Thu Fri",
        settings.time_zone, settings.work_start_hour, settings.work_end_hour
    );
    let teams = app.list_teams(&actor).await?;
    let team_names: HashMap<TeamId, String> = teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let team_rows = teams
        .iter()
        .map(|t| {
            let own = stored.get(&(CalendarOwner::Team, t.id.0));
            OwnerRow {
                kind: "teams",
                id: t.id.to_string(),
                name: t.name.clone(),
                detail: String::new(),
                calendar: own.map_or_else(|| "Team-wide settings".to_owned(), summary),
                own: own.is_some(),
                out_of_office: false,
            }
        })
        .collect();
    let reps: HashMap<UserId, bool> = app
        .inbound_reps(&actor)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.out_of_office))
        .collect();
    let filter = prospector_store::users::UserFilter {
        active: Some(true),
        ..Default::default()
    };
    let users = app.list_users(&actor, &filter, None, 500).await?;
    let user_rows = users
        .iter()
        .map(|u| {
            let own = stored.get(&(CalendarOwner::User, u.id.0));
            let team = u.team_id.and_then(|t| team_names.get(&t).map(|n| (t, n)));
            let fallback = match team {
                Some((t, name)) if stored.contains_key(&(CalendarOwner::Team, t.0)) => {
                    format!("Team {name}'s calendar")
                }
                _ => "Team-wide settings".to_owned(),
            };
            OwnerRow {
                kind: "users",
                id: u.id.to_string(),
                name: u.name.clone(),
                detail: team.map(|(_, n)| n.clone()).unwrap_or_default(),
                calendar: own.map_or(fallback, summary),
                own: own.is_some(),
                out_of_office: reps.get(&u.id).copied().unwrap_or(false),
            }
        })
        .collect();
    let page = CalendarsPage {
        layout: Layout::new(&actor, &csrf, "admin", "Business calendars"),
        team_wide,
        teams: team_rows,
        users: user_rows,
        notice: flash.notice,
    };
    Ok((jar, page))
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_calendar_edit.html")]
struct EditPage {
    layout: Layout,
    kind: String,
    id: String,
    owner_name: String,
    exists: bool,
    time_zone: String,
    start: String,
    end: String,
    days: Vec<(u32, &'static str, bool)>,
    holidays: String,
    error: Option<FieldError>,
}

impl Errors for EditPage {
    fn error(&self) -> Option<&FieldError> {
        self.error.as_ref()
    }
    fn general_error(&self) -> String {
        match &self.error {
            Some(e)
                if ![
                    "time_zone",
                    "work_start_hour",
                    "work_end_hour",
                    "workdays",
                    "holidays",
                ]
                .contains(&e.field.as_str()) =>
            {
                e.message.clone()
            }
            _ => String::new(),
        }
    }
}

/// The editor as submitted, kept as text so a refusal shows exactly what was typed.
#[derive(Debug, Clone, Default)]
struct Submitted {
    time_zone: String,
    start: String,
    end: String,
    workdays: Vec<u32>,
    holidays: String,
}

impl Submitted {
    fn of(row: &CalendarRow) -> Self {
        Submitted {
            time_zone: row.time_zone.clone(),
            start: row.work_start_hour.to_string(),
            end: row.work_end_hour.to_string(),
            workdays: row.workdays.clone(),
            holidays: row
                .holidays
                .iter()
                .map(NaiveDate::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut s = Submitted::default();
        for (k, v) in pairs {
            match k.as_str() {
                "time_zone" => s.time_zone = v.trim().to_owned(),
                "work_start_hour" => s.start = v.trim().to_owned(),
                "work_end_hour" => s.end = v.trim().to_owned(),
                "workday" => s.workdays.extend(v.trim().parse::<u32>().ok()),
                "holidays" => s.holidays = v,
                _ => {}
            }
        }
        s
    }

    /// The app's input, or the first field that does not parse.
    fn input(&self) -> Result<CalendarInput, Invalid> {
        let hour = |field: &'static str, v: &str| {
            v.parse::<i64>()
                .map_err(|_| Invalid::new(field, "invalid_number", "an hour is a whole number from 0 to 24"))
        };
        let mut holidays = Vec::new();
        for line in self
            .holidays
            .split([',', '\n'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let day = NaiveDate::parse_from_str(line, "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    "holidays",
                    "invalid_date",
                    format!("{line} is not a date: write one YYYY-MM-DD per line"),
                )
            })?;
            holidays.push(day);
        }
        if self.workdays.is_empty() {
            return Err(Invalid::new(
                "workdays",
                "required",
                "tick at least one working day",
            ));
        }
        Ok(CalendarInput {
            time_zone: self.time_zone.clone(),
            work_start_hour: hour("work_start_hour", &self.start)?,
            work_end_hour: hour("work_end_hour", &self.end)?,
            workdays: self.workdays.clone(),
            holidays,
        })
    }
}

/// The owner in the path and their name (404 for an unknown one).
async fn owner(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    id: &str,
) -> Result<(CalendarOwner, Uuid, String), PageError> {
    let not_found = || PageError(AppError::NotFound("calendar owner".into()));
    let kind = CalendarOwner::from_path(kind).ok_or_else(not_found)?;
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let name = match kind {
        CalendarOwner::User => state.app.get_user(actor, UserId(id)).await?.name,
        CalendarOwner::Team => {
            state
                .app
                .list_teams(actor)
                .await?
                .into_iter()
                .find(|t| t.id == TeamId(id))
                .ok_or_else(not_found)?
                .name
        }
    };
    Ok((kind, id, name))
}

fn edit_page(
    actor: &Actor,
    csrf: &CsrfToken,
    (kind, id, name): (CalendarOwner, Uuid, String),
    exists: bool,
    s: Submitted,
    error: Option<FieldError>,
) -> EditPage {
    EditPage {
        layout: Layout::new(actor, csrf, "admin", format!("Business calendar: {name}")),
        kind: format!("{}s", kind.code()),
        id: id.to_string(),
        owner_name: name,
        exists,
        time_zone: s.time_zone,
        start: s.start,
        end: s.end,
        days: WEEKDAYS
            .iter()
            .map(|(d, n)| (*d, *n, s.workdays.contains(d)))
            .collect(),
        holidays: s.holidays,
        error,
    }
}

/// `GET /admin/inbound/calendars/{kind}/{id}`: the owner's calendar, or a new one prefilled from
/// the team-wide settings.
pub async fn edit(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let owner = owner(&state, &actor, &kind, &id).await?;
    let stored = state
        .app
        .inbound_calendars(&actor)
        .await?
        .into_iter()
        .find(|r| r.owner_kind == owner.0 && r.owner_id == owner.1);
    let exists = stored.is_some();
    let submitted = match stored {
        Some(row) => Submitted::of(&row),
        None => {
            let settings = state.app.inbound_settings(&actor).await?;
            Submitted {
                time_zone: settings.time_zone,
                start: settings.work_start_hour.to_string(),
                end: settings.work_end_hour.to_string(),
                workdays: vec![1, 2, 3, 4, 5],
                holidays: settings
                    .holidays
                    .iter()
                    .map(NaiveDate::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            }
        }
    };
    Ok(edit_page(&actor, &csrf, owner, exists, submitted, None))
}

/// `POST /admin/inbound/calendars/{kind}/{id}`.
pub async fn save(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path((kind, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_admin(&actor)?;
    let owner = owner(&state, &actor, &kind, &id).await?;
    let submitted = Submitted::from_pairs(pairs);
    let outcome = match submitted.input() {
        Err(invalid) => Err(AppError::from(invalid)),
        Ok(input) => {
            state
                .app
                .save_inbound_calendar(&actor, owner.0, owner.1, input)
                .await
        }
    };
    match outcome {
        Ok(_) => {
            let notice = format!("Saved the business calendar of {}.", owner.2);
            Ok(redirect_with(&state, jar, "/admin/inbound/calendars", notice))
        }
        Err(err) => {
            let Some(field) = FieldError::of(&err) else {
                return Err(err.into());
            };
            let exists = state
                .app
                .inbound_calendars(&actor)
                .await?
                .iter()
                .any(|r| r.owner_kind == owner.0 && r.owner_id == owner.1);
            let page = edit_page(&actor, &csrf, owner, exists, submitted, Some(field));
            Ok(refused(&err, page))
        }
    }
}

/// `POST /admin/inbound/calendars/{kind}/{id}/remove`: back to the fallback calendar.
pub async fn remove(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    jar: CookieJar,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    require_admin(&actor)?;
    let (kind, id, name) = owner(&state, &actor, &kind, &id).await?;
    state.app.remove_inbound_calendar(&actor, kind, id).await?;
    let notice = format!("{name} now works on the fallback calendar.");
    Ok(redirect_with(&state, jar, "/admin/inbound/calendars", notice))
}

/// `POST /admin/inbound/out-of-office/{id}`: marks a user out of office (routing
/// skips them) or back, keeping their share and capacity.
pub async fn out_of_office(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_admin(&actor)?;
    let (_, id, name) = owner(&state, &actor, "users", &id).await?;
    let away = pairs.iter().any(|(k, v)| k == "out_of_office" && v == "on");
    let rep = state
        .app
        .inbound_reps(&actor)
        .await?
        .into_iter()
        .find(|r| r.user_id == UserId(id))
        .ok_or_else(|| PageError(AppError::NotFound("user".into())))?;
    let input = RepInput {
        share_percent: rep.share_percent,
        capacity: rep.capacity,
        out_of_office: away,
    };
    state.app.save_inbound_rep(&actor, UserId(id), input).await?;
    let notice = if away {
        format!("{name} is out of office: routing skips them.")
    } else {
        format!("{name} is back: routing includes them again.")
    };
    Ok(redirect_with(&state, jar, "/admin/inbound/calendars", notice))
}
