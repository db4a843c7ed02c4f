//! `/leads` and `/contacts`: a dense table filtered by GET parameters (so every view is a URL),
//! saved views, keyset pages, and bulk assign / bulk status change.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::records::people::StatusInput;
use prospector_app::records::views::normalise_query;
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::records::LeadStatus;
use prospector_core::role::Role;
use prospector_store::records::people::{OwnerFilter, PersonFilter, PersonSort};
use prospector_store::records::{Direction, PersonId};
use serde::Deserialize;

use super::{Choice, Directory, Which, done, field, form_pairs, parse_id, status_class, when};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

/// Rows per page.
const PAGE: i64 = 50;

/// The list's filters, exactly as in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    owner: Option<String>,
    source: Option<String>,
    score_min: Option<String>,
    score_max: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    after: Option<String>,
}

fn blank(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or("")
}

fn number(field: &str, raw: &str) -> Result<Option<i64>, Invalid> {
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| Invalid::new(field, "not_a_number", format!("{field} must be a whole number")))
}

impl ListQuery {
    fn filter(&self, which: Which, actor: &Actor) -> Result<(PersonFilter, PersonSort), Invalid> {
        let status = match blank(&self.status) {
            "" => Vec::new(),
            "open" => LeadStatus::ALL.iter().copied().filter(|s| s.is_open()).collect(),
            raw => vec![LeadStatus::parse("status", raw)?],
        };
        let owner = match blank(&self.owner) {
            "" => None,
            "me" => actor.user_id().map(OwnerFilter::User),
            "unowned" => Some(OwnerFilter::Unowned),
            raw => Some(OwnerFilter::User(raw.parse().map_err(|_| {
                Invalid::new("owner", "unknown_user", "owner is not a user")
            })?)),
        };
        let sort = match blank(&self.sort) {
            "" => PersonSort::UpdatedAt,
            raw => PersonSort::parse(raw)
                .ok_or_else(|| Invalid::unknown_value("sort", raw, PersonSort::CODES))?,
        };
        Ok((
            PersonFilter {
                kind: Some(which.kind()),
                owner,
                status,
                source: Some(blank(&self.source).to_owned()).filter(|s| !s.is_empty()),
                score_min: number("score_min", blank(&self.score_min))?,
                score_max: number("score_max", blank(&self.score_max))?,
                text: Some(blank(&self.q).to_owned()).filter(|s| !s.is_empty()),
                ..PersonFilter::default()
            },
            sort,
        ))
    }
}

struct Row {
    id: String,
    href: String,
    name: String,
    title: String,
    company: String,
    account_href: String,
    status: &'static str,
    status_class: &'static str,
    owner: String,
    score: i64,
    source: String,
    updated: String,
    updated_iso: String,
}

struct ViewLink {
    id: String,
    name: String,
    href: String,
    current: bool,
}

/// The exit statuses and their reasons, for the bulk status form.
pub(crate) struct ReasonGroup {
    pub status: &'static str,
    pub label: &'static str,
    pub reasons: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_people.html")]
struct ListPage {
    layout: Layout,
    base: &'static str,
    title: &'static str,
    singular: &'static str,
    rows: Vec<Row>,
    count: String,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    assignees: Vec<Choice>,
    /// Sequences for the "Enroll in sequence" bulk action.
    sequences: Vec<Choice>,
    source: String,
    score_min: String,
    score_max: String,
    q: String,
    sort: Vec<Choice>,
    query: String,
    next: Option<String>,
    views: Vec<ViewLink>,
    bulk_statuses: Vec<Choice>,
    reason_groups: Vec<ReasonGroup>,
    notice: Option<String>,
}

pub(crate) async fn reason_groups(state: &AppState, actor: &Actor) -> Result<Vec<ReasonGroup>, AppError> {
    let reasons = state.app.lead_reasons(actor).await?;
    Ok(LeadStatus::ALL
        .iter()
        .filter(|s| s.is_exit())
        .map(|s| ReasonGroup {
            status: s.code(),
            label: s.label(),
            reasons: reasons
                .choices(*s)
                .map(|r| Choice::new(r.code.clone(), r.label.clone(), ""))
                .collect(),
        })
        .collect())
}

/// `GET /leads`, `GET /contacts`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let (filter, sort) = q.filter(which, &actor).map_err(AppError::Invalid)?;
    let direction = Direction::Desc;
    let page = state
        .app
        .list_people(
            &actor,
            &filter,
            sort,
            direction,
            q.after.as_deref().filter(|a| !a.is_empty()),
            PAGE,
            true,
        )
        .await?;
    let dir = Directory::load(&state, &actor).await?;
    let query = normalise_query(uri.query().unwrap_or(""));
    let next = page.next_after.as_ref().map(|after| {
        let mut s = form_urlencoded::Serializer::new(query.clone());
        s.append_pair("after", after);
        format!("{}?{}", which.base(), s.finish())
    });
    let views = state.app.saved_views(&actor, which.page()).await?;
    let count = page.count.map_or_else(String::new, |c| {
        format!("{}{}", super::thousands(c.value), if c.capped { "+" } else { "" })
    });
    let owner_now = blank(&q.owner).to_owned();
    let mut owners = vec![
        Choice::new("", "Anyone", &owner_now),
        Choice::new("me", "Me", &owner_now),
        Choice::new("unowned", "Unassigned (pool)", &owner_now),
    ];
    owners.extend(dir.choices(&[Role::Sdr, Role::TeamLead, Role::Ae, Role::Admin], &owner_now));
    let status_now = blank(&q.status).to_owned();
    let mut statuses = vec![
        Choice::new("", "Any status", &status_now),
        Choice::new("open", "Open (not yet qualified)", &status_now),
    ];
    statuses.extend(
        LeadStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), s.label(), &status_now)),
    );
    let sort_now = blank(&q.sort).to_owned();
    let (jar, flash) = flash::take(jar);
    let me = actor.user_id().map(|u| u.to_string()).unwrap_or_default();
    let body = ListPage {
        layout: Layout::new(&actor, &csrf, "leads", which.title()),
        base: which.base(),
        title: which.title(),
        singular: which.singular(),
        rows: page
            .items
            .iter()
            .map(|p| Row {
                id: p.id.to_string(),
                href: format!("{}/{}", which.base(), p.id),
                name: Some(p.full_name())
                    .filter(|n| !n.is_empty())
                    .or_else(|| p.email.as_ref().map(ToString::to_string))
                    .unwrap_or_else(|| "(no name)".into()),
                title: p.title.clone().unwrap_or_default(),
                company: p.company.clone().unwrap_or_default(),
                account_href: p.account_id.map(|a| format!("/accounts/{a}")).unwrap_or_default(),
                status: p.status.label(),
                status_class: status_class(p.status),
                owner: dir.name(p.owner_id),
                score: p.score,
                source: p.source.clone().unwrap_or_default(),
                updated: when(&actor, p.updated_at),
                updated_iso: p.updated_at.to_rfc3339(),
            })
            .collect(),
        count,
        statuses,
        owners,
        assignees: {
            let mut a = vec![Choice::new("unowned", "Nobody (back to the pool)", "")];
            a.extend(dir.choices(&[Role::Sdr, Role::TeamLead, Role::Ae, Role::Admin], &me));
            a
        },
        sequences: state
            .app
            .sequence_choices(&actor)
            .await?
            .into_iter()
            .map(|(id, name)| Choice::new(id.to_string(), name, ""))
            .collect(),
        source: blank(&q.source).to_owned(),
        score_min: blank(&q.score_min).to_owned(),
        score_max: blank(&q.score_max).to_owned(),
        q: blank(&q.q).to_owned(),
        sort: vec![
            Choice::new("", "Last change", &sort_now),
            Choice::new("score", "Score", &sort_now),
            Choice::new("created_at", "Created", &sort_now),
        ],
        next,
        views: views
            .iter()
            .map(|v| ViewLink {
                id: v.id.to_string(),
                name: v.name.clone(),
                href: if v.query.is_empty() {
                    which.base().to_owned()
                } else {
                    format!("{}?{}", which.base(), v.query)
                },
                current: v.query == query,
            })
            .collect(),
        query,
        bulk_statuses: LeadStatus::ALL
            .iter()
            .filter(|s| !matches!(s, LeadStatus::Raw | LeadStatus::Inquiry | LeadStatus::Qualified))
            .map(|s| Choice::new(s.code(), s.label(), ""))
            .collect(),
        reason_groups: reason_groups(&state, &actor).await?,
        notice: flash.notice,
    };
    Ok((jar, body).into_response())
}

/// The save-view form.
#[derive(Debug, Deserialize)]
pub struct SaveViewForm {
    name: String,
    #[serde(default)]
    query: String,
}

/// `POST /leads/views`: saves the current filters under a name.
pub async fn save_view(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    uri: Uri,
    jar: CookieJar,
    Form(form): Form<SaveViewForm>,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let view = state
        .app
        .save_view(&actor, which.page(), &form.name, &form.query)
        .await?;
    let to = if view.query.is_empty() {
        which.base().to_owned()
    } else {
        format!("{}?{}", which.base(), view.query)
    };
    Ok(done(&state, jar, &to, format!("Saved the view “{}”.", view.name)))
}

/// `POST /leads/views/{id}/delete`.
pub async fn delete_view(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    uri: Uri,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    state
        .app
        .delete_view(&actor, parse_id(&id, "saved view")?)
        .await?;
    Ok(done(&state, jar, which.base(), "Deleted the view.".into()))
}

struct Refusal {
    name: String,
    href: String,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_bulk.html")]
struct BulkPage {
    layout: Layout,
    title: &'static str,
    what: String,
    changed: usize,
    refusals: Vec<Refusal>,
    back: String,
}

/// `POST /leads/bulk`: `ids` (repeated), `action` = assign (with `owner`) or status (with
/// `status`, `reason`, `note`). Every id goes through the same use case as on its own page; the
/// answer counts what changed and lists every refusal with its reason.
pub async fn bulk(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    body: Bytes,
) -> Result<Response, PageError> {
    let which = Which::from_path(uri.path());
    let pairs = form_pairs(&body);
    let ids = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.parse::<PersonId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            AppError::Invalid(Invalid::new(
                "ids",
                "invalid_id",
                "a selected row is not a person",
            ))
        })?;
    let back = match field(&pairs, "back") {
        Some(q) => format!("{}?{}", which.base(), normalise_query(q)),
        None => which.base().to_owned(),
    };
    let (what, outcome) = match field(&pairs, "action") {
        Some("assign") => {
            let owner = match field(&pairs, "owner") {
                None | Some("unowned") => None,
                Some(raw) => Some(raw.parse().map_err(|_| {
                    AppError::Invalid(Invalid::new("owner", "unknown_user", "owner is not a user"))
                })?),
            };
            let outcome = state
                .app
                .bulk_assign(&actor, Some(which.kind()), &ids, owner)
                .await?;
            ("Assigned".to_owned(), outcome)
        }
        Some("enroll") => {
            let sequence = field(&pairs, "sequence")
                .and_then(|raw| raw.parse().ok())
                .ok_or_else(|| AppError::Invalid(Invalid::required("sequence")))?;
            let outcome = state.app.enroll(&actor, sequence, &ids, None).await?;
            let page = BulkPage {
                layout: Layout::new(&actor, &csrf, "leads", "Bulk change"),
                title: which.title(),
                what: "Enrolled in the sequence".to_owned(),
                changed: outcome.enrolled.len(),
                refusals: outcome
                    .refused
                    .iter()
                    .map(|r| Refusal {
                        name: r
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("{} {}", which.singular(), r.person_id)),
                        href: format!("{}/{}", which.base(), r.person_id),
                        message: r.message.clone(),
                    })
                    .collect(),
                back,
            };
            return Ok(page.into_response());
        }
        Some("status") => {
            let status = field(&pairs, "status").unwrap_or_default().to_owned();
            let label = LeadStatus::parse("status", &status)
                .map(|s| s.label())
                .map_err(AppError::Invalid)?;
            let input = StatusInput {
                status,
                reason: field(&pairs, "reason").map(str::to_owned),
                note: field(&pairs, "note").map(str::to_owned),
                ..StatusInput::default()
            };
            let outcome = state
                .app
                .bulk_change_status(&actor, Some(which.kind()), &ids, &input)
                .await?;
            (format!("Moved to {label}"), outcome)
        }
        _ => {
            return Err(AppError::Invalid(Invalid::unknown_value(
                "action",
                field(&pairs, "action").unwrap_or(""),
                &["assign", "status", "enroll"],
            ))
            .into());
        }
    };
    let page = BulkPage {
        layout: Layout::new(&actor, &csrf, "leads", "Bulk change"),
        title: which.title(),
        what,
        changed: outcome.changed.len(),
        refusals: outcome
            .refused
            .iter()
            .map(|r| Refusal {
                name: r
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", which.singular(), r.id)),
                href: format!("{}/{}", which.base(), r.id),
                message: r.error.to_string(),
            })
            .collect(),
        back,
    };
    Ok(page.into_response())
}
