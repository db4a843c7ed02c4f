//! Dashboard pages: the team dashboard (`/dashboards`), a rep's own (`/dashboards/reps/{id}`),
//! the funnel, speed to lead and hygiene pages, and each chart's data as CSV
//! (`/dashboards/csv/{chart}`). Every filter is in the query string, so a view is a shareable
//! URL; a bad filter is shown next to its field instead of the numbers.

pub mod charts;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use prospector_app::dashboards::{Dashboard, ReportQuery, Scope};
use prospector_app::{Actor, AppError};
use prospector_core::metrics::Grain;
use prospector_core::records::Segment;
use prospector_core::role::{Permission, Role};
use prospector_store::dashboards::hygiene::HygieneItem;

use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;
use charts::{Chart, Kind};

/// The dashboard routes, merged into the pages router.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/dashboards", get(team))
        .route("/dashboards/reps/{id}", get(rep))
        .route("/dashboards/funnel", get(funnel))
        .route("/dashboards/sla", get(sla))
        .route("/dashboards/hygiene", get(hygiene))
        .route("/dashboards/csv/{chart}", get(csv))
}

/// Which page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Team,
    Rep,
    Funnel,
    Sla,
    Hygiene,
}

struct Tile {
    label: &'static str,
    value: String,
}

struct AttainmentRow {
    rep_id: String,
    name: String,
    month: u32,
    activities: i64,
    connects: i64,
    meetings: i64,
    opportunities: i64,
    cells: Vec<String>,
}

struct HygieneGroup {
    label: &'static str,
    items: Vec<HygieneItem>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboards.html")]
struct DashboardPage {
    layout: Layout,
    heading: String,
    view: &'static str,
    base: String,
    query: String,
    q: ReportQuery,
    error: Option<(String, String)>,
    teams: Vec<Choice>,
    reps: Vec<Choice>,
    segments: Vec<Choice>,
    grains: Vec<Choice>,
    sees_team: bool,
    tiles: Vec<Tile>,
    charts: Vec<Chart>,
    attainment: Vec<AttainmentRow>,
    hygiene: Vec<HygieneGroup>,
    gaps: &'static str,
}

impl DashboardPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    fn tab(&self, view: &str) -> bool {
        self.view == view
    }
}

const GAPS: &str = "Results per sequence step, people sequenced per account and failed sequence steps \
    arrive with sequences.";

fn choices(values: Vec<(String, String)>, selected: Option<&str>) -> Vec<Choice> {
    values
        .into_iter()
        .map(|(value, label)| Choice {
            selected: selected.is_some_and(|s| s.trim() == value),
            value,
            label,
        })
        .collect()
}

async fn render(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    view: View,
    q: ReportQuery,
) -> Result<Response, PageError> {
    let sees_team = actor.role().may(Permission::ViewTeam);
    let (view_code, title, base) = match view {
        View::Team => ("team", "Team dashboard", "/dashboards".to_owned()),
        View::Rep => (
            "rep",
            "Rep dashboard",
            format!("/dashboards/reps/{}", q.rep.clone().unwrap_or_default()),
        ),
        View::Funnel => ("funnel", "Funnel", "/dashboards/funnel".to_owned()),
        View::Sla => ("sla", "Speed to lead", "/dashboards/sla".to_owned()),
        View::Hygiene => ("hygiene", "Hygiene", "/dashboards/hygiene".to_owned()),
    };
    let mut reader = state.app.store().reader();
    let teams = if sees_team {
        prospector_store::users::list_teams(&mut reader)
            .await
            .map_err(AppError::from)?
    } else {
        Vec::new()
    };
    let rep_users = if sees_team {
        let filter = prospector_store::users::UserFilter {
            role: Some(Role::Sdr),
            team_id: None,
            active: Some(true),
        };
        prospector_store::users::list_users(&mut reader, &filter, None, 1000)
            .await
            .map_err(AppError::from)?
    } else {
        Vec::new()
    };
    let mut page = DashboardPage {
        layout: Layout::new(actor, csrf, "dashboards", title),
        heading: title.to_owned(),
        view: view_code,
        base,
        query: q.to_query_string(),
        teams: choices(
            teams.iter().map(|t| (t.id.to_string(), t.name.clone())).collect(),
            q.team.as_deref(),
        ),
        reps: choices(
            rep_users
                .iter()
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
            q.rep.as_deref(),
        ),
        segments: choices(
            Segment::ALL
                .iter()
                .map(|s| (s.code().to_owned(), s.label().to_owned()))
                .collect(),
            q.segment.as_deref(),
        ),
        grains: choices(
            [Grain::Day, Grain::Week, Grain::Month]
                .iter()
                .map(|g| (g.code().to_owned(), format!("By {}", g.code())))
                .collect(),
            q.grain.as_deref(),
        ),
        q: q.clone(),
        error: None,
        sees_team,
        tiles: Vec::new(),
        charts: Vec::new(),
        attainment: Vec::new(),
        hygiene: Vec::new(),
        gaps: GAPS,
    };
    let scope = match state.app.report_scope(&q).await {
        Ok(s) => s,
        Err(AppError::Invalid(e)) => {
            page.error = Some((e.field.clone(), e.message.clone()));
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(rep) = &scope.rep {
        page.heading = match view {
            View::Rep => format!("{} — dashboard", rep.name),
            _ => format!("{title} — {}", rep.name),
        };
    } else if let Some(team) = &scope.team {
        page.heading = format!("{title} — {}", team.name);
    }
    if view == View::Hygiene {
        let items = state.app.hygiene(actor, &scope).await?;
        page.hygiene = group_hygiene(items);
        return Ok(page.into_response());
    }
    let d = match view {
        View::Rep => state.app.rep_dashboard(actor, &scope).await?,
        _ => match &scope.rep {
            Some(_) => state.app.rep_dashboard(actor, &scope).await?,
            None => state.app.team_dashboard(actor, &scope).await?,
        },
    };
    fill(&mut page, view, &d);
    Ok(page.into_response())
}

fn group_hygiene(items: Vec<HygieneItem>) -> Vec<HygieneGroup> {
    use prospector_store::dashboards::hygiene::HygieneKind::*;
    [
        PendingMql,
        StalledQualifying,
        OverdueTask,
        FailedSequenceStep,
        NoNextStep,
    ]
    .into_iter()
    .map(|k| HygieneGroup {
        label: k.label(),
        items: items.iter().filter(|i| i.kind == k).cloned().collect(),
    })
    .collect()
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn money(cents: i64) -> String {
    format!("{:.2}", cents as f64 / 100.0)
}

/// The charts of a view, from the dashboard; shared by the page and the CSV download.
fn charts_for(view: View, d: &Dashboard) -> Vec<Chart> {
    let labels: Vec<String> = d.series.iter().map(|b| b.start.to_string()).collect();
    let col = |f: &dyn Fn(&prospector_app::dashboards::Totals) -> f64| -> Vec<f64> {
        d.series.iter().map(|b| f(&b.totals)).collect()
    };
    match view {
        View::Team | View::Rep => {
            let mut out = vec![
                Chart {
                    id: "activity",
                    title: format!("Activities by {}", d.grain.code()),
                    kind: Kind::Stacked,
                    labels: labels.clone(),
                    series: vec![
                        ("Calls".into(), col(&|t| t.counts.calls as f64)),
                        ("Emails sent".into(), col(&|t| t.counts.emails_sent as f64)),
                        ("LinkedIn".into(), col(&|t| t.counts.linkedin as f64)),
                        ("Meetings".into(), col(&|t| t.counts.meetings as f64)),
                    ],
                },
                Chart {
                    id: "connects",
                    title: format!("Connects and replies by {}", d.grain.code()),
                    kind: Kind::Line,
                    labels,
                    series: vec![
                        ("Connects".into(), col(&|t| t.counts.connects as f64)),
                        ("Replies".into(), col(&|t| t.counts.replies as f64)),
                        ("Meetings".into(), col(&|t| t.counts.meetings as f64)),
                    ],
                },
            ];
            out.push(sequence_steps_chart(d));
            if view == View::Team {
                out.push(Chart {
                    id: "reps",
                    title: "Activities by rep".into(),
                    kind: Kind::Bar,
                    labels: d.reps.iter().map(|r| r.name.clone()).collect(),
                    series: vec![
                        (
                            "Activities".into(),
                            d.reps.iter().map(|r| r.totals.activities as f64).collect(),
                        ),
                        (
                            "Connects".into(),
                            d.reps.iter().map(|r| r.totals.counts.connects as f64).collect(),
                        ),
                        (
                            "Meetings".into(),
                            d.reps.iter().map(|r| r.totals.counts.meetings as f64).collect(),
                        ),
                    ],
                });
            }
            out
        }
        View::Funnel => vec![
            Chart {
                id: "funnel",
                title: "Funnel: entries into each step".into(),
                kind: Kind::Funnel,
                labels: d.funnel.iter().map(|f| f.label.to_owned()).collect(),
                series: vec![
                    (
                        "Entered".into(),
                        d.funnel.iter().map(|f| f.count as f64).collect(),
                    ),
                    (
                        "Conversion from previous step (%)".into(),
                        d.funnel
                            .iter()
                            .map(|f| f.conversion.map_or(0.0, |c| (c * 1000.0).round() / 10.0))
                            .collect(),
                    ),
                ],
            },
            Chart {
                id: "exits",
                title: "Exits by reason".into(),
                kind: Kind::Bar,
                labels: d
                    .exits
                    .iter()
                    .map(|e| format!("{}: {}", e.category.code(), e.reason))
                    .collect(),
                series: vec![("Leads".into(), d.exits.iter().map(|e| e.count as f64).collect())],
            },
            Chart {
                id: "time_in",
                title: "Average hours in each status before leaving it".into(),
                kind: Kind::Bar,
                labels: d.time_in.iter().map(|t| t.status.clone()).collect(),
                series: vec![
                    (
                        "Average hours".into(),
                        d.time_in.iter().map(|t| t.average_hours).collect(),
                    ),
                    (
                        "Leads that left".into(),
                        d.time_in.iter().map(|t| t.left as f64).collect(),
                    ),
                ],
            },
        ],
        View::Sla => vec![Chart {
            id: "speed",
            title: "Speed to lead (business minutes to first touch)".into(),
            kind: Kind::Bar,
            labels: vec!["Median".into(), "90th percentile".into()],
            series: vec![(
                "Business minutes".into(),
                vec![
                    d.speed.median_minutes.unwrap_or(0) as f64,
                    d.speed.p90_minutes.unwrap_or(0) as f64,
                ],
            )],
        }],
        View::Hygiene => Vec::new(),
    }
}

/// Results per sequence step: one bar per step (carried out), every count in the table and CSV.
fn sequence_steps_chart(d: &Dashboard) -> Chart {
    let rows = &d.sequence_steps;
    let col = |f: &dyn Fn(&prospector_core::metrics::StepCounts) -> i64| -> Vec<f64> {
        rows.iter().map(|r| f(&r.counts) as f64).collect()
    };
    Chart {
        id: "sequence_steps",
        title: "Results per sequence step".into(),
        kind: Kind::Bar,
        labels: rows
            .iter()
            .map(|r| format!("{} · step {} ({})", r.sequence, r.step, r.kind.replace('_', " ")))
            .collect(),
        series: vec![
            ("Sent".into(), col(&|c| c.sent)),
            ("Replied".into(), col(&|c| c.replied)),
            ("Bounced".into(), col(&|c| c.bounced)),
            ("Connects".into(), col(&|c| c.connects)),
            ("Meetings".into(), col(&|c| c.meetings)),
            ("Failed".into(), col(&|c| c.failed)),
        ],
    }
}

fn fill(page: &mut DashboardPage, view: View, d: &Dashboard) {
    let t = &d.totals;
    page.tiles = match view {
        View::Team | View::Rep => vec![
            Tile {
                label: "Activities",
                value: t.activities.to_string(),
            },
            Tile {
                label: "Calls",
                value: t.counts.calls.to_string(),
            },
            Tile {
                label: "Connect rate",
                value: pct(t.connect_rate),
            },
            Tile {
                label: "Emails sent",
                value: t.counts.emails_sent.to_string(),
            },
            Tile {
                label: "Reply rate",
                value: pct(t.reply_rate),
            },
            Tile {
                label: "Meetings",
                value: t.counts.meetings.to_string(),
            },
            Tile {
                label: "SAOs",
                value: t.counts.saos.to_string(),
            },
            Tile {
                label: "Rejected hand-offs",
                value: t.counts.rejected.to_string(),
            },
            Tile {
                label: "SQOs",
                value: t.counts.sqos.to_string(),
            },
            Tile {
                label: "Opportunities",
                value: t.counts.opportunities.to_string(),
            },
            Tile {
                label: "Pipeline created",
                value: money(t.counts.pipeline_cents),
            },
            Tile {
                label: "Accounts actively worked",
                value: format!("{} of {}", d.coverage.actively_working, d.coverage.accounts),
            },
            Tile {
                label: "Accounts with research",
                value: format!("{} of {}", d.coverage.researched, d.coverage.accounts),
            },
            Tile {
                label: "People sequenced per account",
                value: format!(
                    "{:.1} ({} people, {} accounts)",
                    d.coverage.people_sequenced_per_account,
                    d.coverage.people_sequenced,
                    d.coverage.accounts_sequenced
                ),
            },
        ],
        View::Sla => vec![
            Tile {
                label: "First-touch clocks",
                value: d.speed.clocks.to_string(),
            },
            Tile {
                label: "Touched",
                value: d.speed.touched.to_string(),
            },
            Tile {
                label: "Median (business min)",
                value: d.speed.median_minutes.map_or("—".into(), |m| m.to_string()),
            },
            Tile {
                label: "p90 (business min)",
                value: d.speed.p90_minutes.map_or("—".into(), |m| m.to_string()),
            },
            Tile {
                label: "SLA breach rate",
                value: pct(d.speed.breach_rate),
            },
        ],
        View::Funnel => d
            .funnel
            .iter()
            .map(|f| Tile {
                label: f.label,
                value: match f.conversion {
                    Some(c) => format!("{} ({} of previous)", f.count, pct(c)),
                    None => f.count.to_string(),
                },
            })
            .collect(),
        View::Hygiene => Vec::new(),
    };
    page.charts = charts_for(view, d);
    if matches!(view, View::Team | View::Rep) {
        page.attainment = d
            .reps
            .iter()
            .map(|r| AttainmentRow {
                rep_id: r.rep_id.to_string(),
                name: r.name.clone(),
                month: r.ramp_month,
                activities: r.totals.activities,
                connects: r.totals.counts.connects,
                meetings: r.totals.counts.meetings,
                opportunities: r.totals.counts.opportunities,
                cells: r
                    .attainment
                    .iter()
                    .map(|a| format!("{}: {} of {} ({})", a.metric, a.actual, a.target, pct(a.ratio)))
                    .collect(),
            })
            .collect();
    }
}

/// `GET /dashboards`: the team dashboard; a rep is taken to their own.
pub async fn team(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    if !actor.role().may(Permission::ViewTeam)
        && let Some(me) = actor.user_id()
    {
        return Ok(Redirect::to(&format!("/dashboards/reps/{me}")).into_response());
    }
    render(&state, &actor, &csrf, View::Team, q).await
}

/// `GET /dashboards/reps/{id}`.
pub async fn rep(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Query(mut q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    q.rep = Some(id);
    render(&state, &actor, &csrf, View::Rep, q).await
}

/// A rep without team view sees their own numbers on the funnel, SLA and hygiene pages.
fn own_scope(actor: &Actor, mut q: ReportQuery) -> ReportQuery {
    if !actor.role().may(Permission::ViewTeam)
        && let Some(me) = actor.user_id()
        && q.rep.is_none()
    {
        q.rep = Some(me.to_string());
    }
    q
}

/// `GET /dashboards/funnel`.
pub async fn funnel(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let q = own_scope(&actor, q);
    render(&state, &actor, &csrf, View::Funnel, q).await
}

/// `GET /dashboards/sla`.
pub async fn sla(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let q = own_scope(&actor, q);
    render(&state, &actor, &csrf, View::Sla, q).await
}

/// `GET /dashboards/hygiene`.
pub async fn hygiene(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let q = own_scope(&actor, q);
    render(&state, &actor, &csrf, View::Hygiene, q).await
}

/// `GET /dashboards/csv/{chart}?…filters`: one chart's data as CSV.
pub async fn csv(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(chart): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let q = own_scope(&actor, q);
    let view = match chart.as_str() {
        "activity" | "connects" | "sequence_steps" if q.rep.is_some() => View::Rep,
        "activity" | "connects" | "sequence_steps" | "reps" => View::Team,
        "funnel" | "exits" | "time_in" => View::Funnel,
        "speed" => View::Sla,
        _ => return Err(AppError::NotFound(format!("chart '{chart}'")).into()),
    };
    let scope: Scope = state.app.report_scope(&q).await?;
    let d = match &scope.rep {
        Some(_) => state.app.rep_dashboard(&actor, &scope).await?,
        None => state.app.team_dashboard(&actor, &scope).await?,
    };
    let Some(c) = charts_for(view, &d).into_iter().find(|c| c.id == chart) else {
        return Err(AppError::NotFound(format!("chart '{chart}'")).into());
    };
    let name = format!("{chart}-{}-{}.csv", d.from, d.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        c.csv(),
    )
        .into_response())
}
