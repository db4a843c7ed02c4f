//! Record pages: lead and contact lists and pages, accounts, opportunities and the global search.
//! Every page calls the same `app` use cases as the API (which decide what the actor may see and
//! change) and works without JavaScript; `app.js` only adds instant search and keyboard moves.

mod accounts;
mod opportunities;
mod people;
mod person;
mod search;
mod timeline;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use prospector_app::{Actor, AppError};
use prospector_core::ids::UserId;
use prospector_core::records::LeadStatus;
use prospector_core::role::Role;
use prospector_store::records::people::PersonKind;
use prospector_store::users::{User, UserFilter};

use super::flash;
use crate::state::AppState;

/// The record routes.
pub fn router() -> axum::Router<AppState> {
    let mut r = axum::Router::new();
    for base in ["/leads", "/contacts"] {
        r = r
            .route(base, get(people::list))
            .route(&format!("{base}/bulk"), post(people::bulk))
            .route(&format!("{base}/views"), post(people::save_view))
            .route(&format!("{base}/views/{{id}}/delete"), post(people::delete_view))
            .route(&format!("{base}/{{id}}"), get(person::show))
            .route(&format!("{base}/{{id}}/status"), post(person::status))
            .route(
                &format!("{base}/{{id}}/qualification"),
                post(person::qualification),
            )
            .route(&format!("{base}/{{id}}/convert"), post(person::convert))
            .route(&format!("{base}/{{id}}/activities"), post(person::log))
            .route(&format!("{base}/{{id}}/reports-to"), post(person::reports_to));
    }
    r.route("/accounts", get(accounts::list))
        .route("/accounts/{id}", get(accounts::show))
        .route("/opportunities", get(opportunities::list))
        .route("/opportunities/{id}", get(opportunities::show))
        .route("/opportunities/{id}/stage", post(opportunities::stage))
        .route("/search", get(search::search))
        .route("/activities/{id}/retract", post(timeline::retract))
}

/// Leads or contacts: one table and one lifecycle, two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Leads,
    Contacts,
}

impl Which {
    fn from_path(path: &str) -> Which {
        if path.starts_with("/contacts") {
            Which::Contacts
        } else {
            Which::Leads
        }
    }

    fn of(kind: PersonKind) -> Which {
        if kind == PersonKind::Contact {
            Which::Contacts
        } else {
            Which::Leads
        }
    }

    fn kind(self) -> PersonKind {
        match self {
            Which::Leads => PersonKind::Lead,
            Which::Contacts => PersonKind::Contact,
        }
    }

    fn base(self) -> &'static str {
        match self {
            Which::Leads => "/leads",
            Which::Contacts => "/contacts",
        }
    }

    fn page(self) -> &'static str {
        match self {
            Which::Leads => "leads",
            Which::Contacts => "contacts",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Which::Leads => "Leads",
            Which::Contacts => "Contacts",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Which::Leads => "lead",
            Which::Contacts => "contact",
        }
    }
}

/// The users, for owner names and owner choices (one query per page).
pub(crate) struct Directory {
    users: Vec<User>,
}

/// A `<select>` option.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Choice {
        let value = value.into();
        Choice {
            selected: value == current,
            value,
            label: label.into(),
        }
    }
}

impl Directory {
    async fn load(state: &AppState, actor: &Actor) -> Result<Directory, AppError> {
        let filter = UserFilter {
            active: Some(true),
            ..UserFilter::default()
        };
        Ok(Directory {
            users: state.app.list_users(actor, &filter, None, 500).await?,
        })
    }

    fn name(&self, id: Option<UserId>) -> String {
        match id {
            None => "Unassigned".into(),
            Some(id) => self
                .users
                .iter()
                .find(|u| u.id == id)
                .map_or_else(|| "Former user".into(), |u| u.name.clone()),
        }
    }

    /// Users who work records with one of `roles`, as choices.
    fn choices(&self, roles: &[Role], current: &str) -> Vec<Choice> {
        self.users
            .iter()
            .filter(|u| roles.contains(&u.role))
            .map(|u| Choice::new(u.id.to_string(), u.name.clone(), current))
            .collect()
    }
}

/// The actor's time zone (UTC when unknown).
fn tz_of(actor: &Actor) -> Tz {
    actor
        .as_user()
        .and_then(|u| u.time_zone.parse::<Tz>().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// An instant in the actor's time zone, for people.
fn when(actor: &Actor, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz_of(actor))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The pill colour of a lead status.
fn status_class(status: LeadStatus) -> &'static str {
    match status {
        LeadStatus::Qualified => "ok",
        LeadStatus::Mql | LeadStatus::Accepted | LeadStatus::Qualifying => "info",
        LeadStatus::Disqualified | LeadStatus::Ineligible | LeadStatus::BadData => "err",
        LeadStatus::Recycle => "warn",
        LeadStatus::Raw | LeadStatus::Inquiry => "muted",
    }
}

/// A path id that does not parse names no record: 404.
fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(what.into()))
}

/// The pairs of a form body, keeping repeated keys (checkboxes).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Post/redirect/get: back to `to` with a one-time notice.
fn done(state: &AppState, jar: CookieJar, to: &str, notice: String) -> Response {
    flash::redirect_with_notice(jar, state.settings.secure_cookies, to, notice)
}

/// A refusal to show beside the form that caused it.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormError {
    /// Which form on the page.
    pub form: &'static str,
    /// The field, when one is named.
    pub field: String,
    /// What to tell the user.
    pub message: String,
}

impl FormError {
    /// Whether the error belongs to `form` (and `field`, when given).
    pub fn is(&self, form: &str, field: &str) -> bool {
        self.form == form && (field.is_empty() || self.field == field)
    }
}

/// Refusals a user can fix on the page (422, 409) become a [`FormError`] and the page's status;
/// everything else (403 on someone else's record, 404, 500) is an error page.
fn form_error(form: &'static str, err: AppError) -> Result<(StatusCode, FormError), AppError> {
    match &err {
        AppError::Invalid(_) | AppError::Conflict { .. } => {
            let (status, _, message, field) = crate::error::classify(&err);
            Ok((
                status,
                FormError {
                    form,
                    field: field.unwrap_or_default(),
                    message,
                },
            ))
        }
        _ => Err(err),
    }
}

/// `n` with thousands separators.
fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// An amount in cents as money.
fn money(cents: Option<i64>, currency: &str) -> String {
    cents.map_or_else(String::new, |c| format!("{} {currency}", thousands(c / 100)))
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
