//! `/accounts` (filtered list) and `/accounts/{id}`: the header, the developer/IT landscape with
//! sources, the research-completeness meter, the org chart by reporting line, opportunities and
//! the timeline.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::AppError;
use prospector_app::records::org_chart::OrgMember;
use prospector_app::records::views::normalise_query;
use prospector_core::Invalid;
use prospector_core::records::{
    AccountResearch, ProspectingStatus, Segment, TechStackCategory, TechStackEntry,
};
use prospector_core::role::Role;
use prospector_store::records::accounts::{Account, AccountFilter};
use prospector_store::records::opportunities::OpportunityFilter;
use prospector_store::records::{AccountId, Direction, PersonId};
use serde::Deserialize;

use super::opportunities::{OppRow, opp_rows};
use super::timeline::{self, Entry};
use super::{Choice, Directory, Which, parse_id, status_class, thousands, when};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

const PAGE: i64 = 50;

/// The list's filters, as in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    segment: Option<String>,
    owner: Option<String>,
    prospecting_status: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

fn blank(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or("")
}

fn segment_label(code: Option<&str>) -> String {
    code.and_then(|c| Segment::parse("segment", c).ok())
        .map_or_else(String::new, |s| s.label().to_owned())
}

fn prospecting_label(code: &str) -> String {
    ProspectingStatus::parse("prospecting_status", code)
        .map_or_else(|_| code.to_owned(), |s| s.label().to_owned())
}

struct Row {
    href: String,
    name: String,
    domains: String,
    segment: String,
    region: String,
    owner: String,
    sdr: String,
    prospecting: String,
    developers: String,
    updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_accounts.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    count: String,
    segments: Vec<Choice>,
    owners: Vec<Choice>,
    statuses: Vec<Choice>,
    q: String,
    next: Option<String>,
}

/// `GET /accounts`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let segment = match blank(&q.segment) {
        "" => None,
        raw => Some(
            Segment::parse("segment", raw)
                .map_err(AppError::Invalid)?
                .code()
                .to_owned(),
        ),
    };
    let prospecting = match blank(&q.prospecting_status) {
        "" => None,
        raw => Some(
            ProspectingStatus::parse("prospecting_status", raw)
                .map_err(AppError::Invalid)?
                .code()
                .to_owned(),
        ),
    };
    let owner =
        match blank(&q.owner) {
            "" => None,
            "me" => actor.user_id(),
            raw => Some(raw.parse().map_err(|_| {
                AppError::Invalid(Invalid::new("owner", "unknown_user", "owner is not a user"))
            })?),
        };
    let filter = AccountFilter {
        owner_id: owner,
        segment,
        prospecting_status: prospecting,
        text: Some(blank(&q.q).to_owned()).filter(|t| !t.is_empty()),
        ..AccountFilter::default()
    };
    let page = state
        .app
        .list_accounts(
            &actor,
            &filter,
            Direction::Desc,
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
        format!("/accounts?{}", s.finish())
    });
    let seg_now = blank(&q.segment).to_owned();
    let owner_now = blank(&q.owner).to_owned();
    let status_now = blank(&q.prospecting_status).to_owned();
    let mut segments = vec![Choice::new("", "Any segment", &seg_now)];
    segments.extend(
        Segment::ALL
            .iter()
            .map(|s| Choice::new(s.code(), s.label(), &seg_now)),
    );
    let mut owners = vec![
        Choice::new("", "Anyone", &owner_now),
        Choice::new("me", "Me", &owner_now),
    ];
    owners.extend(dir.choices(&[Role::Sdr, Role::TeamLead, Role::Ae, Role::Admin], &owner_now));
    let mut statuses = vec![Choice::new("", "Any", &status_now)];
    statuses.extend(
        ProspectingStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), s.label(), &status_now)),
    );
    Ok(ListPage {
        layout: Layout::new(&actor, &csrf, "accounts", "Accounts"),
        rows: page
            .items
            .iter()
            .map(|a| Row {
                href: format!("/accounts/{}", a.id),
                name: a.name.clone(),
                domains: a.domains.join(", "),
                segment: segment_label(a.segment.as_deref()),
                region: a.region.clone().unwrap_or_default().to_uppercase(),
                owner: dir.name(a.owner_id),
                sdr: dir.name(a.sdr_id),
                prospecting: prospecting_label(&a.prospecting_status),
                developers: a.developer_count.map(thousands).unwrap_or_default(),
                updated: when(&actor, a.updated_at),
            })
            .collect(),
        count: page.count.map_or_else(String::new, |c| {
            format!("{}{}", thousands(c.value), if c.capped { "+" } else { "" })
        }),
        segments,
        owners,
        statuses,
        q: blank(&q.q).to_owned(),
        next,
    }
    .into_response())
}

struct StackEntry {
    value: String,
    source: String,
    as_of: String,
}

struct StackGroup {
    label: &'static str,
    entries: Vec<StackEntry>,
}

struct OrgPerson {
    href: String,
    name: String,
    title: String,
    status: &'static str,
    status_class: &'static str,
}

/// One step of drawing the org chart as nested lists: `ul`, `li` (with the person), `/li`, `/ul`.
struct OrgToken {
    tag: &'static str,
    person: Option<OrgPerson>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_account.html")]
struct AccountPage {
    layout: Layout,
    id: String,
    /// The stories about this account the viewer may see.
    stories: Vec<StoryRow>,
    name: String,
    domains: Vec<String>,
    segment: String,
    employees: String,
    region: String,
    country: String,
    owner: String,
    sdr: String,
    prospecting: String,
    parent: Option<(String, String)>,
    developer_count: String,
    it_headcount: String,
    stack: Vec<StackGroup>,
    teams: Vec<String>,
    triggers: Vec<String>,
    strategy: String,
    next_step_on: String,
    percent: u8,
    missing: Vec<&'static str>,
    org: Vec<OrgToken>,
    people_count: usize,
    opportunities: Vec<OppRow>,
    timeline: Vec<Entry>,
    notice: Option<String>,
}

/// A customer story on the account page.
struct StoryRow {
    type_label: String,
    stage_label: String,
    quote: String,
    nominated: String,
    published_url: Option<String>,
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// The org chart as tokens: people without a (visible) manager at the top, each followed by the
/// people reporting to them, depth-first; a reporting loop cannot hang it.
fn org_tokens(members: &[OrgMember]) -> Vec<OrgToken> {
    let mut children: HashMap<Option<PersonId>, Vec<&OrgMember>> = HashMap::new();
    for m in members {
        children.entry(m.reports_to).or_default().push(m);
    }
    let mut out = Vec::new();
    let mut drawn: Vec<PersonId> = Vec::new();
    fn walk(
        parent: Option<PersonId>,
        children: &HashMap<Option<PersonId>, Vec<&OrgMember>>,
        drawn: &mut Vec<PersonId>,
        out: &mut Vec<OrgToken>,
    ) {
        let Some(kids) = children.get(&parent) else { return };
        let kids: Vec<&&OrgMember> = kids.iter().filter(|k| !drawn.contains(&k.person.id)).collect();
        if kids.is_empty() {
            return;
        }
        out.push(OrgToken {
            tag: "ul",
            person: None,
        });
        for k in kids {
            drawn.push(k.person.id);
            let p = &k.person;
            out.push(OrgToken {
                tag: "li",
                person: Some(OrgPerson {
                    href: format!("{}/{}", Which::of(p.kind).base(), p.id),
                    name: p.full_name(),
                    title: p.title.clone().unwrap_or_default(),
                    status: p.status.label(),
                    status_class: status_class(p.status),
                }),
            });
            walk(Some(p.id), children, drawn, out);
            out.push(OrgToken {
                tag: "/li",
                person: None,
            });
        }
        out.push(OrgToken {
            tag: "/ul",
            person: None,
        });
    }
    walk(None, &children, &mut drawn, &mut out);
    // People in a reporting loop have no root above them: draw them at the top level too.
    let left: Vec<&OrgMember> = members.iter().filter(|m| !drawn.contains(&m.person.id)).collect();
    if !left.is_empty() {
        let mut loose: HashMap<Option<PersonId>, Vec<&OrgMember>> = HashMap::new();
        loose.insert(None, left);
        walk(None, &loose, &mut drawn, &mut out);
    }
    out
}

fn research_of(a: &Account, committee: usize) -> AccountResearch {
    let count = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
    AccountResearch {
        developer_count: count(a.developer_count),
        it_headcount: count(a.it_headcount),
        tech_stack: serde_json::from_value(a.tech_stack.clone()).unwrap_or_default(),
        teams: strings(&a.teams),
        buying_committee_size: committee,
        triggers: strings(&a.triggers),
        strategy: a.strategy.clone(),
        next_step_on: a.next_step_on,
    }
}

/// `GET /accounts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: AccountId = parse_id(&id, "account")?;
    let app = &state.app;
    let a = app.get_account(&actor, id).await?;
    let dir = Directory::load(&state, &actor).await?;
    let members = app.account_people(&actor, id).await?;
    let opps = app
        .list_opportunities(
            &actor,
            &OpportunityFilter {
                account_id: Some(id),
                ..OpportunityFilter::default()
            },
            None,
            50,
        )
        .await?;
    let tl = app.account_timeline(&actor, id, None, 50).await?;
    let reasons = app.lead_reasons(&actor).await?;
    let dispositions = app.call_dispositions(&actor).await?;
    let parent = match a.parent_id {
        Some(p) => app
            .get_account(&actor, p)
            .await
            .ok()
            .map(|p| (format!("/accounts/{}", p.id), p.name)),
        None => None,
    };
    let research = research_of(&a, members.len());
    let completeness = research.completeness();
    let stack: Vec<TechStackEntry> = research.tech_stack.clone();
    let (jar, flash) = flash::take(jar);
    let stories = app
        .stories_for_account(&actor, &a.id.to_string())
        .await?
        .into_iter()
        .map(|s| StoryRow {
            type_label: prospector_app::stories::label_of(&s.story_type).to_owned(),
            stage_label: prospector_app::stories::label_of(&s.stage).to_owned(),
            quote: s.quote.clone(),
            nominated: format!(
                "Nominated by {} on {}",
                dir.name(Some(s.nominated_by)),
                s.nominated_at.format("%-d %b %Y")
            ),
            published_url: s.published_url.clone(),
        })
        .collect();
    let page = AccountPage {
        layout: Layout::new(&actor, &csrf, "accounts", a.name.clone()),
        id: a.id.to_string(),
        stories,
        name: a.name.clone(),
        domains: a.domains.clone(),
        segment: segment_label(a.segment.as_deref()),
        employees: a.employees.map(thousands).unwrap_or_default(),
        region: a.region.clone().unwrap_or_default().to_uppercase(),
        country: a.country.clone().unwrap_or_default(),
        owner: dir.name(a.owner_id),
        sdr: dir.name(a.sdr_id),
        prospecting: prospecting_label(&a.prospecting_status),
        parent,
        developer_count: a.developer_count.map(thousands).unwrap_or_default(),
        it_headcount: a.it_headcount.map(thousands).unwrap_or_default(),
        stack: TechStackCategory::ALL
            .iter()
            .map(|c| StackGroup {
                label: c.label(),
                entries: stack
                    .iter()
                    .filter(|e| e.category == *c)
                    .map(|e| StackEntry {
                        value: e.value.clone(),
                        source: e.source.clone(),
                        as_of: e.as_of.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        teams: research.teams.clone(),
        triggers: research.triggers.clone(),
        strategy: a.strategy.clone().unwrap_or_default(),
        next_step_on: a.next_step_on.map(|d| d.to_string()).unwrap_or_default(),
        percent: completeness.percent,
        missing: completeness.missing.iter().map(|m| m.label()).collect(),
        org: org_tokens(&members),
        people_count: members.len(),
        opportunities: opp_rows(&state, &actor, &dir, &opps.items).await,
        timeline: timeline::entries(
            &actor,
            &tl,
            &format!("/accounts/{}", a.id),
            &dir,
            &reasons,
            &dispositions,
        ),
        notice: flash.notice,
    };
    Ok((jar, page).into_response())
}
