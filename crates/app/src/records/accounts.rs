//! Accounts: create, read, list, update, with the segment kept for the whole parent/child
//! hierarchy and the research landscape validated.

use chrono::NaiveDate;
use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_core::ids::UserId;
use prospector_core::records::person::parse_custom_fields;
use prospector_core::records::{
    Country, Domain, ProspectingStatus, TechStackCategory, TechStackEntry, segment_for_hierarchy,
};
use prospector_store::Exec;
use prospector_store::records::accounts::{self, Account, AccountFilter};
use prospector_store::records::activities::Subject;
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{AccountId, Count, Direction};
use serde::Deserialize;

use super::people::TimelinePage;
use super::{
    COUNT_CAP, check_owner, cursor_error, page_size, refuse_invisible, require_records, scope_for, stale,
    stale_on_write,
};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 32_000;

/// One tech-stack fact as submitted.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TechStackInput {
    /// Category code: scm, ci_cd, issue_tracking, cloud, languages, competitor.
    pub category: String,
    /// The tool.
    pub value: String,
    /// Where it was learnt.
    pub source: String,
    /// When it was learnt.
    pub as_of: NaiveDate,
}

/// Account fields; on create absent means empty, on update absent means unchanged. Empty strings
/// clear optional text.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    /// Company name (required on create).
    pub name: Option<String>,
    /// Web domains (replaces the list).
    pub domains: Option<Vec<String>>,
    /// Parent account: `Some(None)` detaches.
    pub parent_id: Option<Option<AccountId>>,
    /// Employees.
    pub employees: Option<i64>,
    /// Country code or name.
    pub country: Option<String>,
    /// Owner: `Some(None)` unassigns.
    pub owner_id: Option<Option<UserId>>,
    /// Assigned SDR: `Some(None)` unassigns.
    pub sdr_id: Option<Option<UserId>>,
    /// queued, actively_working, worked_this_year, restricted.
    pub prospecting_status: Option<String>,
    /// Developers.
    pub developer_count: Option<i64>,
    /// IT headcount.
    pub it_headcount: Option<i64>,
    /// Tech stack (replaces the list).
    pub tech_stack: Option<Vec<TechStackInput>>,
    /// Teams (replaces).
    pub teams: Option<Vec<String>>,
    /// Triggers (replaces).
    pub triggers: Option<Vec<String>>,
    /// Strategy.
    pub strategy: Option<String>,
    /// Next step date: `Some(None)` clears.
    pub next_step_on: Option<Option<NaiveDate>>,
    /// Custom fields (replaces).
    pub custom_fields: Option<serde_json::Value>,
}

/// A page of accounts.
#[derive(Debug, Clone)]
pub struct AccountPage {
    /// The accounts.
    pub items: Vec<Account>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
    /// How many match (capped), when asked for.
    pub count: Option<Count>,
}

fn non_negative(field: &str, v: i64) -> Result<i64, Invalid> {
    if v < 0 {
        Err(Invalid::new(
            field,
            "out_of_range",
            format!("{field} cannot be negative"),
        ))
    } else {
        Ok(v)
    }
}

fn text_list(field: &str, items: &[String]) -> Result<serde_json::Value, Invalid> {
    let list = items
        .iter()
        .map(|t| required_text(field, t, MAX_NAME))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::json!(list))
}

/// Applies `input` to `a`, validating each field given.
fn apply(a: &mut Account, input: &AccountInput) -> Result<(), Invalid> {
    if let Some(name) = &input.name {
        a.name = required_text("name", name, MAX_NAME)?;
    }
    if let Some(domains) = &input.domains {
        let mut parsed: Vec<String> = Vec::new();
        for d in domains {
            let d = Domain::parse("domains", d)?;
            if d.is_free_mail() {
                let message = format!("{d} is a consumer mail domain and cannot identify an account");
                return Err(Invalid::new("domains", "free_mail_domain", message));
            }
            if !parsed.contains(&d.to_string()) {
                parsed.push(d.to_string());
            }
        }
        a.domains = parsed;
    }
    if let Some(e) = input.employees {
        a.employees = Some(non_negative("employees", e)?);
    }
    if let Some(c) = &input.country {
        if c.trim().is_empty() {
            a.country = None;
            a.region = None;
        } else {
            let country = Country::parse("country", c)?;
            a.country = Some(country.alpha2().to_owned());
            a.region = Some(country.region().code().to_owned());
        }
    }
    if let Some(s) = &input.prospecting_status {
        a.prospecting_status = ProspectingStatus::parse("prospecting_status", s)?
            .code()
            .to_owned();
    }
    if let Some(v) = input.developer_count {
        a.developer_count = Some(non_negative("developer_count", v)?);
    }
    if let Some(v) = input.it_headcount {
        a.it_headcount = Some(non_negative("it_headcount", v)?);
    }
    if let Some(stack) = &input.tech_stack {
        let entries = stack
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let field = |f: &str| format!("tech_stack[{i}].{f}");
                let category = TechStackCategory::parse("category", &e.category)
                    .map_err(|x| x.in_field(field("category")))?;
                TechStackEntry::new(category, &e.value, &e.source, e.as_of).map_err(|x| {
                    let f = field(&x.field);
                    x.in_field(f)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        a.tech_stack = serde_json::to_value(entries).unwrap_or_else(|_| serde_json::json!([]));
    }
    if let Some(t) = &input.teams {
        a.teams = text_list("teams", t)?;
    }
    if let Some(t) = &input.triggers {
        a.triggers = text_list("triggers", t)?;
    }
    if let Some(s) = &input.strategy {
        let s = s.trim();
        if s.chars().count() > MAX_TEXT {
            return Err(Invalid::too_long("strategy", MAX_TEXT));
        }
        a.strategy = (!s.is_empty()).then(|| s.to_owned());
    }
    if let Some(d) = input.next_step_on {
        a.next_step_on = d;
    }
    if let Some(cf) = &input.custom_fields {
        a.custom_fields =
            serde_json::to_value(parse_custom_fields(Some(cf))?).unwrap_or_else(|_| serde_json::json!({}));
    }
    Ok(())
}

impl App {
    /// Loads an account the actor may see (404 otherwise, or 403 when `for_edit`).
    pub(crate) async fn account_for(
        &self,
        ex: &mut impl Exec,
        actor: &Actor,
        id: AccountId,
        for_edit: bool,
    ) -> AppResult<Account> {
        let account = accounts::get(ex, id)
            .await?
            .filter(|a| a.merged_into.is_none())
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        if !accounts::visible(ex, scope_for(actor), id).await? {
            return Err(refuse_invisible("account", for_edit));
        }
        Ok(account)
    }

    /// Recomputes the segment of the whole hierarchy `id` belongs to: the largest member's.
    pub(crate) async fn resegment(&self, ex: &mut impl Exec, id: AccountId) -> AppResult<()> {
        // Up to the root (guarding against cycles), then every descendant.
        let mut root = id;
        let mut seen = vec![id];
        while let Some(parent) = accounts::get(ex, root).await?.and_then(|a| a.parent_id) {
            if seen.contains(&parent) {
                break;
            }
            seen.push(parent);
            root = parent;
        }
        let mut members = vec![root];
        let mut i = 0;
        while i < members.len() && members.len() < 10_000 {
            for child in accounts::children(ex, members[i]).await? {
                if !members.contains(&child) {
                    members.push(child);
                }
            }
            i += 1;
        }
        let mut counts = Vec::new();
        for m in &members {
            if let Some(e) = accounts::get(ex, *m).await?.and_then(|a| a.employees) {
                counts.push(u32::try_from(e).unwrap_or(u32::MAX));
            }
        }
        let segment = segment_for_hierarchy(&counts);
        accounts::set_segment(ex, &members, segment.map(|s| s.code())).await?;
        Ok(())
    }

    async fn check_parent(
        &self,
        ex: &mut impl Exec,
        actor: &Actor,
        id: AccountId,
        parent: AccountId,
    ) -> AppResult<()> {
        self.account_for(ex, actor, parent, false).await?;
        let mut at = Some(parent);
        let mut steps = 0;
        while let Some(a) = at {
            if a == id {
                return Err(
                    Invalid::new("parent_id", "cycle", "an account cannot be its own ancestor").into(),
                );
            }
            steps += 1;
            if steps > 100 {
                break;
            }
            at = accounts::get(ex, a).await?.and_then(|x| x.parent_id);
        }
        Ok(())
    }

    /// Creates an account; a domain another account has is 409 on `domains`.
    pub async fn create_account(&self, actor: &Actor, input: AccountInput) -> AppResult<Account> {
        require_records(actor)?;
        let now = self.now();
        let mut account = Account {
            id: AccountId::new_at(now),
            name: String::new(),
            domains: Vec::new(),
            parent_id: None,
            employees: None,
            segment: None,
            country: None,
            region: None,
            owner_id: None,
            sdr_id: None,
            prospecting_status: ProspectingStatus::Queued.code().into(),
            developer_count: None,
            it_headcount: None,
            tech_stack: serde_json::json!([]),
            teams: serde_json::json!([]),
            triggers: serde_json::json!([]),
            strategy: None,
            next_step_on: None,
            custom_fields: serde_json::json!({}),
            merged_into: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        if input.name.is_none() {
            return Err(Invalid::required("name").into());
        }
        apply(&mut account, &input)?;
        let mut tx = self.store().begin().await?;
        let owner = input.owner_id.flatten().or_else(|| match scope_for(actor) {
            prospector_store::records::Scope::OwnAndPool(me) => Some(me),
            _ => None,
        });
        check_owner(&mut tx, actor, owner).await?;
        account.owner_id = owner;
        if let Some(sdr) = input.sdr_id.flatten() {
            check_owner(&mut tx, actor, Some(sdr)).await?;
            account.sdr_id = Some(sdr);
        }
        if let Some(parent) = input.parent_id.flatten() {
            self.check_parent(&mut tx, actor, account.id, parent).await?;
            account.parent_id = Some(parent);
        }
        accounts::insert(&mut tx, &account).await.map_err(domain_taken)?;
        self.resegment(&mut tx, account.id).await?;
        let account = accounts::get(&mut tx, account.id)
            .await?
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        search::put(&mut tx, DocKind::Account, account.id.0, &account.search_body()).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "account.create",
                entity_type: "account",
                entity_id: Some(account.id.to_string()),
                before: None,
                after: Some(&account),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// One account.
    pub async fn get_account(&self, actor: &Actor, id: AccountId) -> AppResult<Account> {
        self.account_for(&mut self.store().reader(), actor, id, false)
            .await
    }

    /// A page of accounts the actor may see, most recently changed first.
    pub async fn list_accounts(
        &self,
        actor: &Actor,
        filter: &AccountFilter,
        direction: Direction,
        after: Option<&str>,
        limit: i64,
        with_count: bool,
    ) -> AppResult<AccountPage> {
        let limit = page_size(limit);
        let scope = scope_for(actor);
        let mut reader = self.store().reader();
        let items = accounts::list(&mut reader, filter, scope, direction, after, limit)
            .await
            .map_err(cursor_error)?;
        let next_after = (items.len() as i64 == limit)
            .then(|| items.last().map(accounts::cursor))
            .flatten();
        let count = if with_count {
            Some(accounts::count(&mut reader, filter, scope, COUNT_CAP).await?)
        } else {
            None
        };
        Ok(AccountPage {
            items,
            next_after,
            count,
        })
    }

    /// Changes an account.
    pub async fn update_account(
        &self,
        actor: &Actor,
        id: AccountId,
        input: AccountInput,
        expected_version: Option<i64>,
    ) -> AppResult<Account> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.account_for(&mut tx, actor, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale("account", before.version));
        }
        let mut after = before.clone();
        apply(&mut after, &input)?;
        if let Some(owner) = input.owner_id {
            check_owner(&mut tx, actor, owner).await?;
            after.owner_id = owner;
        }
        if let Some(sdr) = input.sdr_id {
            check_owner(&mut tx, actor, sdr).await?;
            after.sdr_id = sdr;
        }
        if let Some(parent) = input.parent_id {
            if let Some(parent) = parent {
                self.check_parent(&mut tx, actor, id, parent).await?;
            }
            after.parent_id = parent;
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        accounts::update(&mut tx, &after).await.map_err(|e| match e {
            prospector_store::StoreError::Conflict { ref constraint } if constraint.contains("domain") => {
                domain_taken(e)
            }
            other => stale_on_write("account")(other),
        })?;
        self.resegment(&mut tx, id).await?;
        if let Some(old_parent) = before.parent_id.filter(|p| Some(*p) != after.parent_id) {
            self.resegment(&mut tx, old_parent).await?;
        }
        let after = accounts::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        search::put(&mut tx, DocKind::Account, id.0, &after.search_body()).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "account.update",
                entity_type: "account",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An account's timeline, newest first.
    pub async fn account_timeline(
        &self,
        actor: &Actor,
        id: AccountId,
        before: Option<&str>,
        limit: i64,
    ) -> AppResult<TimelinePage> {
        self.account_for(&mut self.store().reader(), actor, id, false)
            .await?;
        self.timeline_of(Subject::Account(id), before, limit).await
    }
}

fn domain_taken(e: prospector_store::StoreError) -> AppError {
    match e {
        prospector_store::StoreError::Conflict { constraint } if constraint.contains("domain") => {
            AppError::conflict(
                "domain_taken",
                "domains",
                "another account already has one of these domains",
            )
        }
        other => other.into(),
    }
}
