//! Server-rendered pages. Each page is a struct with a template; the layout (navigation, user
//! menu, CSRF token) is built once per request by [`Layout::new`].

pub mod admin;
pub mod admin_lists;
pub mod dashboards;
pub mod email_templates;
pub mod flash;
pub mod handbook;
pub mod handbook_links;
pub mod hiring;
pub mod imports;
pub mod inbound;
pub mod inbound_calendars;
pub mod inbound_setup;
pub mod login;
pub mod mailboxes;
pub mod records;
pub mod sequences;
pub mod stories;
pub mod stories_nominate;
pub mod tasks;
pub mod today;
pub mod tokens;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use prospector_app::{Actor, AppError};

use crate::csrf::CsrfToken;
use crate::state::AppState;

/// A link in the side navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Label.
    pub label: &'static str,
    /// Target.
    pub href: &'static str,
    /// The `g <key>` shortcut.
    pub key: &'static str,
    /// The current section.
    pub active: bool,
}

/// The sections, in the order a rep's day goes.
const SECTIONS: [(&str, &str, &str, &str); 11] = [
    ("today", "Today", "/today", "t"),
    ("tasks", "Tasks", "/tasks", "o"),
    ("leads", "Leads", "/leads", "l"),
    ("accounts", "Accounts", "/accounts", "a"),
    ("sequences", "Sequences", "/sequences", "s"),
    ("inbound", "Inbound", "/inbound", "i"),
    ("dashboards", "Dashboards", "/dashboards", "d"),
    ("handbook", "Handbook", "/handbook", "h"),
    ("stories", "Stories", "/stories", "c"),
    ("hiring", "Hiring", "/hiring", "r"),
    ("admin", "Admin", "/admin", "m"),
];

/// What every logged-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Page title.
    pub title: String,
    /// Navigation, with the current section marked.
    pub nav: Vec<NavItem>,
    /// The user's name.
    pub user_name: String,
    /// Initials for the avatar.
    pub user_initials: String,
    /// The user's email.
    pub user_email: String,
    /// The user's role, as a label.
    pub user_role: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Asset version for cache busting.
    pub asset_version: &'static str,
}

impl Layout {
    /// The layout for `actor` on a page of `section`.
    pub fn new(actor: &Actor, csrf: &CsrfToken, section: &str, title: impl Into<String>) -> Self {
        let (name, email) = actor
            .as_user()
            .map_or(("Command line".to_owned(), String::new()), |u| {
                (u.name.clone(), u.email.to_string())
            });
        let is_admin = actor.role() == prospector_core::role::Role::Admin;
        let nav = SECTIONS
            .iter()
            .filter(|(code, ..)| *code != "admin" || is_admin)
            .map(|(code, label, href, key)| NavItem {
                label,
                href,
                key,
                active: *code == section,
            })
            .collect();
        let user_initials = name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase();
        Self {
            title: title.into(),
            nav,
            user_name: name,
            user_initials,
            user_email: email,
            user_role: actor.role().label().to_owned(),
            csrf: csrf.0.clone(),
            asset_version: crate::assets::version(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
    asset_version: &'static str,
}

/// An error as an HTML page with the right status.
pub fn error_page(err: &AppError) -> Response {
    let (status, _code, message, _field) = crate::error::classify(err);
    let title = match status {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let page = ErrorPage {
        title: title.into(),
        message,
        asset_version: crate::assets::version(),
    };
    let html = page.render().unwrap_or_else(|_| "error".into());
    let mut response = (status, axum::response::Html(html)).into_response();
    crate::error::add_auth_headers(err, &mut response);
    response
}

/// A page-handler error: rendered as an HTML page.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(value: AppError) -> Self {
        PageError(value)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// Every page route.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(|| async { Redirect::to("/today") }))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/today", get(today::show))
        .route("/today/{id}/done", post(today::done))
        .route("/tasks", get(tasks::show).post(tasks::create))
        .route("/tasks/{id}/done", post(tasks::done))
        .route("/tasks/{id}/reschedule", post(tasks::reschedule))
        .route("/sequences", get(sequences::list).post(sequences::create))
        .route("/sequences/new", get(sequences::new))
        .route("/sequences/{id}", get(sequences::show).post(sequences::update))
        .route("/sequences/people/{id}", get(sequences::person))
        .route(
            "/sequences/templates",
            get(email_templates::list).post(email_templates::create),
        )
        .route("/sequences/templates/new", get(email_templates::new))
        .route(
            "/sequences/templates/{id}",
            get(email_templates::show).post(email_templates::update),
        )
        .route("/inbound", get(inbound::queue))
        .route("/handoffs", get(inbound::handoffs))
        .route("/handoffs/{id}/accept", post(inbound::accept))
        .route("/handoffs/{id}/reject", post(inbound::reject))
        .route("/admin/inbound", get(inbound::admin))
        .route(
            "/admin/handbook-links",
            get(handbook_links::show).post(handbook_links::save),
        )
        .route(
            "/admin/inbound/routing",
            get(inbound_setup::routing).post(inbound_setup::save_routing),
        )
        .route(
            "/admin/inbound/scoring",
            get(inbound_setup::scoring).post(inbound_setup::save_scoring),
        )
        .route(
            "/admin/inbound/forms",
            get(inbound_setup::forms).post(inbound_setup::create_form),
        )
        .route("/admin/inbound/forms/new", get(inbound_setup::new_form))
        .route(
            "/admin/inbound/forms/{slug}",
            get(inbound_setup::edit_form).post(inbound_setup::update_form),
        )
        .route(
            "/admin/inbound/forms/{slug}/{action}",
            post(inbound_setup::archive_form),
        )
        .route("/admin/inbound/calendars", get(inbound_calendars::list))
        .route(
            "/admin/inbound/calendars/{kind}/{id}",
            get(inbound_calendars::edit).post(inbound_calendars::save),
        )
        .route(
            "/admin/inbound/calendars/{kind}/{id}/remove",
            post(inbound_calendars::remove),
        )
        .route(
            "/admin/inbound/out-of-office/{id}",
            post(inbound_calendars::out_of_office),
        )
        .route("/admin/inbound/reps/{id}", post(inbound::save_rep))
        .route("/admin/inbound/settings", post(inbound::save_settings))
        .route("/admin/inbound/preview", post(inbound::preview))
        .route("/handbook", get(handbook::index))
        .route(
            "/handbook/new",
            get(handbook::new_page).post(handbook::submit_new),
        )
        .route("/handbook/proposals", get(handbook::proposals))
        .route("/handbook/proposals/{id}", get(handbook::proposal))
        .route("/handbook/proposals/{id}/comments", post(handbook::comment))
        .route("/handbook/proposals/{id}/update", post(handbook::update))
        .route(
            "/handbook/proposals/{id}/{action}",
            post(handbook::proposal_action),
        )
        .route("/handbook/{slug}", get(handbook::show))
        .route(
            "/handbook/{slug}/edit",
            get(handbook::edit).post(handbook::submit_edit),
        )
        .route("/handbook/{slug}/history", get(handbook::history))
        .route("/handbook/{slug}/section/{anchor}", get(handbook::section))
        .route("/handbook/{slug}/revisions/{id}", get(handbook::revision))
        .route("/handbook/{slug}/revisions/{id}/restore", post(handbook::restore))
        .route("/stories", get(stories::show).post(stories::nominate))
        .route(
            "/stories/nominate",
            get(stories_nominate::form).post(stories_nominate::submit),
        )
        .route("/stories/{id}/move", post(stories::move_story))
        .route(
            "/stories/{id}/consent",
            get(stories::consent_file).merge(
                post(stories::record_consent)
                    .layer(axum::extract::DefaultBodyLimit::max(stories::CONSENT_BODY_LIMIT)),
            ),
        )
        .merge(records::router())
        .merge(dashboards::router())
        .route("/admin", get(admin::users))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route(
            "/admin/tokens",
            get(tokens::admin_list).post(tokens::admin_create),
        )
        .route("/admin/tokens/{id}/revoke", post(tokens::admin_revoke))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/lists", get(admin_lists::lists))
        .route("/admin/lists/dispositions", post(admin_lists::save_dispositions))
        .route("/admin/lists/frameworks", post(admin_lists::save_frameworks))
        .route("/settings/tokens", get(tokens::own_list).post(tokens::own_create))
        .route("/settings/tokens/{id}/revoke", post(tokens::own_revoke))
        .merge(hiring::router())
        .merge(imports::router())
        .route("/settings/mailboxes", get(mailboxes::show).post(mailboxes::save))
        .route("/settings/mailboxes/{id}/sync", post(mailboxes::sync_now))
}
