//! `/opportunities` and `/opportunities/{id}`: the stage with its allowed moves (a reason for
//! unqualified and closed lost), AE, SDR credited, amount, close date, next step and timeline.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::{Actor, AppError};
use prospector_core::records::OpportunityStage;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_store::records::opportunities::{Opportunity, OpportunityFilter};
use prospector_store::records::{AccountId, OpportunityId};
use serde::Deserialize;

use super::people::ReasonGroup;
use super::timeline::{self, Entry};
use super::{Choice, Directory, FormError, done, field, form_error, form_pairs, money, parse_id, when};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::pages::flash;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

/// One opportunity in a table.
pub(crate) struct OppRow {
    pub href: String,
    pub name: String,
    pub account: String,
    pub account_href: String,
    pub stage: &'static str,
    pub stage_class: &'static str,
    pub ae: String,
    pub sdr: String,
    pub amount: String,
    pub close_date: String,
    pub updated: String,
}

fn stage_class(stage: OpportunityStage) -> &'static str {
    match stage {
        OpportunityStage::ClosedWon => "ok",
        OpportunityStage::ClosedLost | OpportunityStage::Unqualified => "err",
        OpportunityStage::Duplicate => "muted",
        OpportunityStage::PendingAcceptance => "warn",
        _ => "info",
    }
}

fn stage_label(stage: OpportunityStage) -> String {
    match stage.number() {
        Some(n) => format!("{n} · {}", stage.label()),
        None => stage.label().to_owned(),
    }
}

/// Table rows for `items`, with account names looked up once each.
pub(crate) async fn opp_rows(
    state: &AppState,
    actor: &Actor,
    dir: &Directory,
    items: &[Opportunity],
) -> Vec<OppRow> {
    let mut names: HashMap<AccountId, String> = HashMap::new();
    for o in items {
        if let Some(a) = o.account_id
            && !names.contains_key(&a)
        {
            let name = state
                .app
                .get_account(actor, a)
                .await
                .map(|a| a.name)
                .unwrap_or_default();
            names.insert(a, name);
        }
    }
    items
        .iter()
        .map(|o| OppRow {
            href: format!("/opportunities/{}", o.id),
            name: o.name.clone(),
            account: o
                .account_id
                .and_then(|a| names.get(&a).cloned())
                .unwrap_or_default(),
            account_href: o.account_id.map(|a| format!("/accounts/{a}")).unwrap_or_default(),
            stage: o.stage.label(),
            stage_class: stage_class(o.stage),
            ae: dir.name(o.ae_id),
            sdr: dir.name(o.sdr_id),
            amount: money(o.amount_cents, &o.currency),
            close_date: o.close_date.map(|d| d.to_string()).unwrap_or_default(),
            updated: when(actor, o.updated_at),
        })
        .collect()
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    stage: Option<String>,
    mine: Option<String>,
    after: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records_opportunities.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<OppRow>,
    stages: Vec<Choice>,
    mine: bool,
    next: Option<String>,
}

/// `GET /opportunities`.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let stage_now = q.stage.clone().unwrap_or_default();
    let stage = match stage_now.trim() {
        "" => None,
        raw => Some(OpportunityStage::parse("stage", raw).map_err(AppError::Invalid)?),
    };
    let mine = q.mine.as_deref() == Some("1");
    let me = actor.user_id();
    let is_ae = actor.role() == prospector_core::role::Role::Ae;
    let filter = OpportunityFilter {
        stage,
        ae_id: me.filter(|_| mine && is_ae),
        sdr_id: me.filter(|_| mine && !is_ae),
        ..OpportunityFilter::default()
    };
    let page = state
        .app
        .list_opportunities(&actor, &filter, q.after.as_deref().filter(|a| !a.is_empty()), 50)
        .await?;
    let items = page.items;
    let dir = Directory::load(&state, &actor).await?;
    let mut stages = vec![Choice::new("", "Any stage", &stage_now)];
    stages.extend(
        OpportunityStage::ALL
            .iter()
            .map(|s| Choice::new(s.code(), stage_label(*s), &stage_now)),
    );
    let next = page.next_after.map(|after| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !stage_now.is_empty() {
            s.append_pair("stage", &stage_now);
        }
        if mine {
            s.append_pair("mine", "1");
        }
        s.append_pair("after", &after);
        format!("/opportunities?{}", s.finish())
    });
    Ok(ListPage {
        layout: Layout::new(&actor, &csrf, "accounts", "Opportunities"),
        rows: opp_rows(&state, &actor, &dir, &items).await,
        stages,
        mine,
        next,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "records_opportunity.html")]
struct OpportunityPage {
    layout: Layout,
    id: String,
    version: i64,
    name: String,
    account: String,
    account_href: String,
    contact: String,
    contact_href: String,
    stage: String,
    stage_class: &'static str,
    stage_reason: String,
    ae: String,
    sdr: String,
    amount: String,
    close_date: String,
    next_step: String,
    moves: Vec<Choice>,
    reason_groups: Vec<ReasonGroup>,
    timeline: Vec<Entry>,
    notice: Option<String>,
    error: FormError,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    id: OpportunityId,
    notice: Option<String>,
    error: FormError,
) -> Result<OpportunityPage, AppError> {
    let app = &state.app;
    let o = app.get_opportunity(actor, id).await?;
    let dir = Directory::load(state, actor).await?;
    let tl = app.opportunity_timeline(actor, id, None, 50).await?;
    let reasons = app.lead_reasons(actor).await?;
    let dispositions = app.call_dispositions(actor).await?;
    let account = match o.account_id {
        Some(a) => app.get_account(actor, a).await.ok(),
        None => None,
    };
    let contact = match o.person_id {
        Some(p) => app.get_person(actor, None, p).await.ok(),
        None => None,
    };
    let catalogue = default_opportunity_reasons();
    Ok(OpportunityPage {
        layout: Layout::new(actor, csrf, "accounts", o.name.clone()),
        id: o.id.to_string(),
        version: o.version,
        name: o.name.clone(),
        account: account.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        account_href: account
            .as_ref()
            .map(|a| format!("/accounts/{}", a.id))
            .unwrap_or_default(),
        contact: contact.as_ref().map(|p| p.full_name()).unwrap_or_default(),
        contact_href: contact
            .as_ref()
            .map(|p| format!("{}/{}", super::Which::of(p.kind).base(), p.id))
            .unwrap_or_default(),
        stage: stage_label(o.stage),
        stage_class: stage_class(o.stage),
        stage_reason: o
            .stage_reason
            .as_deref()
            .map(|r| catalogue.label(o.stage, r).unwrap_or(r).to_owned())
            .unwrap_or_default(),
        ae: dir.name(o.ae_id),
        sdr: dir.name(o.sdr_id),
        amount: money(o.amount_cents, &o.currency),
        close_date: o.close_date.map(|d| d.to_string()).unwrap_or_default(),
        next_step: o.next_step.clone().unwrap_or_default(),
        moves: o
            .stage
            .allowed_next()
            .into_iter()
            .map(|s| Choice::new(s.code(), stage_label(s), ""))
            .collect(),
        reason_groups: OpportunityStage::ALL
            .iter()
            .filter(|s| s.needs_reason())
            .map(|s| ReasonGroup {
                status: s.code(),
                label: s.label(),
                reasons: catalogue
                    .choices(*s)
                    .map(|r| Choice::new(r.code.clone(), r.label.clone(), ""))
                    .collect(),
            })
            .collect(),
        timeline: timeline::entries(
            actor,
            &tl,
            &format!("/opportunities/{}", o.id),
            &dir,
            &reasons,
            &dispositions,
        ),
        notice,
        error,
    })
}

/// `GET /opportunities/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "opportunity")?;
    let (jar, flash) = flash::take(jar);
    let body = page(&state, &actor, &csrf, id, flash.notice, FormError::default()).await?;
    Ok((jar, body).into_response())
}

/// `POST /opportunities/{id}/stage`: `stage`, `reason` (unqualified and closed lost), `version`.
pub async fn stage(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id: OpportunityId = parse_id(&id, "opportunity")?;
    let pairs = form_pairs(&body);
    let to = field(&pairs, "stage").unwrap_or_default();
    // The reason list is on the form for every move; only the stages that take one send it on.
    let needs_reason = OpportunityStage::parse("stage", to).is_ok_and(|s| s.needs_reason());
    let reason = field(&pairs, "reason").filter(|_| needs_reason);
    let version = field(&pairs, "version").and_then(|v| v.parse().ok());
    match state
        .app
        .change_opportunity_stage(&actor, id, to, reason, version)
        .await
    {
        Ok(o) => Ok(done(
            &state,
            jar,
            &format!("/opportunities/{id}"),
            format!("Moved to {}.", stage_label(o.stage)),
        )),
        Err(e) => {
            let (status, error): (StatusCode, FormError) = form_error("stage", e)?;
            let body = page(&state, &actor, &csrf, id, None, error).await?;
            Ok((status, body).into_response())
        }
    }
}
