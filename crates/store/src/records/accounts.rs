//! Accounts and their web domains.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::ids::UserId;
use serde::Serialize;
use uuid::Uuid;

use super::{AccountId, Count, Direction, Scope, Scoped, scope_sql};
use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Query, Row, query};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// Company name.
    pub name: String,
    /// Web domains, normalised (`acme.com`).
    pub domains: Vec<String>,
    /// The parent company's account.
    pub parent_id: Option<AccountId>,
    /// Employees.
    pub employees: Option<i64>,
    /// Segment code of the hierarchy (the largest member's).
    pub segment: Option<String>,
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// The owning rep (AE or SDR).
    pub owner_id: Option<UserId>,
    /// The SDR assigned to prospect it.
    pub sdr_id: Option<UserId>,
    /// Prospecting status code.
    pub prospecting_status: String,
    /// Developers there.
    pub developer_count: Option<i64>,
    /// IT headcount.
    pub it_headcount: Option<i64>,
    /// Tech stack entries `{category, value, source, as_of}`.
    pub tech_stack: serde_json::Value,
    /// Teams known.
    pub teams: serde_json::Value,
    /// Triggers noted.
    pub triggers: serde_json::Value,
    /// The account plan.
    pub strategy: Option<String>,
    /// When the next step is due.
    pub next_step_on: Option<NaiveDate>,
    /// Custom fields.
    pub custom_fields: serde_json::Value,
    /// When merged, the survivor.
    pub merged_into: Option<AccountId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

impl Account {
    /// The text the search index holds.
    pub fn search_body(&self) -> String {
        let mut body = self.name.clone();
        for d in &self.domains {
            body.push(' ');
            body.push_str(d);
            body.push(' ');
            body.push_str(&d.replace('.', " "));
        }
        body
    }
}

const COLUMNS: &str = "accounts.id, accounts.name, accounts.parent_id, accounts.employees, accounts.segment, \
    accounts.country, accounts.region, accounts.owner_id, accounts.sdr_id, accounts.prospecting_status, \
    accounts.developer_count, accounts.it_headcount, accounts.tech_stack, accounts.teams, accounts.triggers, \
    accounts.strategy, accounts.next_step_on, accounts.custom_fields, accounts.merged_into, accounts.created_at, \
    accounts.updated_at, accounts.version";

fn decode(row: &Row) -> StoreResult<Account> {
    Ok(Account {
        id: row.get("id")?,
        name: row.get("name")?,
        domains: Vec::new(),
        parent_id: row.get("parent_id")?,
        employees: row.get("employees")?,
        segment: row.get("segment")?,
        country: row.get("country")?,
        region: row.get("region")?,
        owner_id: row.get("owner_id")?,
        sdr_id: row.get("sdr_id")?,
        prospecting_status: row.get("prospecting_status")?,
        developer_count: row.get("developer_count")?,
        it_headcount: row.get("it_headcount")?,
        tech_stack: row.get("tech_stack")?,
        teams: row.get("teams")?,
        triggers: row.get("triggers")?,
        strategy: row.get("strategy")?,
        next_step_on: row.get("next_step_on")?,
        custom_fields: row.get("custom_fields")?,
        merged_into: row.get("merged_into")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn bind_all(q: Query, a: &Account) -> Query {
    q.bind(&a.name)
        .bind(a.parent_id)
        .bind(a.employees)
        .bind(a.segment.clone())
        .bind(a.country.clone())
        .bind(a.region.clone())
        .bind(a.owner_id)
        .bind(a.sdr_id)
        .bind(&a.prospecting_status)
        .bind(a.developer_count)
        .bind(a.it_headcount)
        .bind(a.tech_stack.clone())
        .bind(a.teams.clone())
        .bind(a.triggers.clone())
        .bind(a.strategy.clone())
        .bind(a.next_step_on)
        .bind(a.custom_fields.clone())
        .bind(a.merged_into)
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(a.version)
}

/// Adds an account and its domains; a domain already taken is a conflict on
/// `account_domains.domain`.
pub async fn insert(ex: &mut impl Exec, a: &Account) -> StoreResult<()> {
    let q = query(
        "INSERT INTO accounts (name, parent_id, employees, segment, country, region, owner_id, sdr_id, \
         prospecting_status, developer_count, it_headcount, tech_stack, teams, triggers, strategy, next_step_on, \
         custom_fields, merged_into, created_at, updated_at, version, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
    );
    ex.execute(bind_all(q, a).bind(a.id)).await?;
    set_domains(ex, a.id, &a.domains, a.created_at).await
}

/// Saves `a` (and its domains) if its stored version is `a.version - 1`.
pub async fn update(ex: &mut impl Exec, a: &Account) -> StoreResult<()> {
    let q = query(
        "UPDATE accounts SET name = $1, parent_id = $2, employees = $3, segment = $4, country = $5, region = $6, \
         owner_id = $7, sdr_id = $8, prospecting_status = $9, developer_count = $10, it_headcount = $11, \
         tech_stack = $12, teams = $13, triggers = $14, strategy = $15, next_step_on = $16, custom_fields = $17, \
         merged_into = $18, created_at = $19, updated_at = $20, version = $21 WHERE id = $22 AND version = $23",
    );
    let changed = ex.execute(bind_all(q, a).bind(a.id).bind(a.version - 1)).await?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            constraint: "accounts.version".into(),
        });
    }
    set_domains(ex, a.id, &a.domains, a.updated_at).await
}

/// Replaces the domains of an account.
async fn set_domains(
    ex: &mut impl Exec,
    id: AccountId,
    domains: &[String],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let current = domains_of(ex, id).await?;
    for gone in current.iter().filter(|d| !domains.contains(d)) {
        ex.execute(
            query("DELETE FROM account_domains WHERE account_id = $1 AND domain = $2")
                .bind(id)
                .bind(gone.as_str()),
        )
        .await?;
    }
    for new in domains.iter().filter(|d| !current.contains(d)) {
        ex.execute(
            query("INSERT INTO account_domains (id, domain, account_id) VALUES ($1, $2, $3)")
                .bind(prospector_core::ids::uuid_v7_at(at))
                .bind(new.as_str())
                .bind(id),
        )
        .await?;
    }
    Ok(())
}

async fn domains_of(ex: &mut impl Exec, id: AccountId) -> StoreResult<Vec<String>> {
    let rows = ex
        .fetch_all(query("SELECT domain FROM account_domains WHERE account_id = $1 ORDER BY domain").bind(id))
        .await?;
    rows.iter().map(|r| r.get("domain")).collect()
}

async fn with_domains(ex: &mut impl Exec, mut accounts: Vec<Account>) -> StoreResult<Vec<Account>> {
    for a in &mut accounts {
        a.domains = domains_of(ex, a.id).await?;
    }
    Ok(accounts)
}

/// The account with `id`, merged or not.
pub async fn get(ex: &mut impl Exec, id: AccountId) -> StoreResult<Option<Account>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM accounts WHERE accounts.id = $1")).bind(id))
        .await?;
    match row {
        Some(row) => Ok(with_domains(ex, vec![decode(&row)?]).await?.pop()),
        None => Ok(None),
    }
}

/// The (unmerged) account owning `domain`.
pub async fn by_domain(ex: &mut impl Exec, domain: &str) -> StoreResult<Option<Account>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {COLUMNS} FROM accounts JOIN account_domains d ON d.account_id = accounts.id \
                 WHERE d.domain = $1 AND accounts.merged_into IS NULL"
            ))
            .bind(domain),
        )
        .await?;
    match row {
        Some(row) => Ok(with_domains(ex, vec![decode(&row)?]).await?.pop()),
        None => Ok(None),
    }
}

/// The (unmerged) accounts owning any of `domains`, by domain: two statements however many
/// domains (a batch of form captures looks up all its senders' companies at once).
pub async fn by_domains(
    ex: &mut impl Exec,
    domains: &[String],
) -> StoreResult<std::collections::HashMap<String, Account>> {
    let mut found = std::collections::HashMap::new();
    if domains.is_empty() {
        return Ok(found);
    }
    let mut q = query("");
    let ns: Vec<String> = domains
        .iter()
        .map(|d| crate::bulk::placeholder(ex.backend(), q.push_bind(d.clone())))
        .collect();
    let rows = ex
        .fetch_all(q.with_sql(format!(
            "SELECT {COLUMNS}, d.domain AS looked_up FROM accounts JOIN account_domains d ON d.account_id = accounts.id \
             WHERE d.domain IN ({}) AND accounts.merged_into IS NULL",
            ns.join(", ")
        )))
        .await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for r in &rows {
        accounts.push((r.get::<String>("looked_up")?, decode(r)?));
    }
    let ids: Vec<AccountId> = accounts.iter().map(|(_, a)| a.id).collect();
    let domains_of = domains_of_many(ex, &ids).await?;
    for (domain, mut account) in accounts {
        account.domains = domains_of.get(&account.id).cloned().unwrap_or_default();
        found.insert(domain, account);
    }
    Ok(found)
}

/// The domains of each of `ids`, sorted.
async fn domains_of_many(
    ex: &mut impl Exec,
    ids: &[AccountId],
) -> StoreResult<std::collections::HashMap<AccountId, Vec<String>>> {
    let mut by_account: std::collections::HashMap<AccountId, Vec<String>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(by_account);
    }
    let mut q = query("");
    let ns: Vec<String> = ids
        .iter()
        .map(|id| crate::bulk::placeholder(ex.backend(), q.push_bind(*id)))
        .collect();
    let rows = ex
        .fetch_all(q.with_sql(format!(
            "SELECT account_id, domain FROM account_domains WHERE account_id IN ({}) ORDER BY domain",
            ns.join(", ")
        )))
        .await?;
    for r in &rows {
        by_account
            .entry(r.get::<AccountId>("account_id")?)
            .or_default()
            .push(r.get("domain")?);
    }
    Ok(by_account)
}

/// The (unmerged) accounts called `name`, ignoring case.
pub async fn by_name(ex: &mut impl Exec, name: &str, limit: i64) -> StoreResult<Vec<Account>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {COLUMNS} FROM accounts WHERE lower(accounts.name) = lower($1) \
                 AND accounts.merged_into IS NULL ORDER BY accounts.id LIMIT $2"
            ))
            .bind(name.trim())
            .bind(limit),
        )
        .await?;
    let accounts = rows.iter().map(decode).collect::<StoreResult<Vec<_>>>()?;
    with_domains(ex, accounts).await
}

/// Whether `scope` may see the account `id`.
pub async fn visible(ex: &mut impl Exec, scope: Scope, id: AccountId) -> StoreResult<bool> {
    let mut q = query("");
    q.push_bind(id);
    let cond = scope_sql(scope, Scoped::Accounts, &mut q);
    let sql = format!("SELECT 1 AS one FROM accounts WHERE accounts.id = $1{cond}");
    Ok(ex.fetch_optional(q.with_sql(sql)).await?.is_some())
}

/// Direct children of an account.
pub async fn children(ex: &mut impl Exec, id: AccountId) -> StoreResult<Vec<AccountId>> {
    let rows = ex
        .fetch_all(
            query("SELECT id FROM accounts WHERE parent_id = $1 AND merged_into IS NULL ORDER BY id")
                .bind(id),
        )
        .await?;
    rows.iter().map(|r| r.get("id")).collect()
}

/// Sets the segment of the listed accounts (a whole hierarchy at once).
pub async fn set_segment(ex: &mut impl Exec, ids: &[AccountId], segment: Option<&str>) -> StoreResult<()> {
    for id in ids {
        ex.execute(
            query("UPDATE accounts SET segment = $1 WHERE id = $2")
                .bind(segment)
                .bind(*id),
        )
        .await?;
    }
    Ok(())
}

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Only this owner.
    pub owner_id: Option<UserId>,
    /// Only this assigned SDR.
    pub sdr_id: Option<UserId>,
    /// Only this segment code.
    pub segment: Option<String>,
    /// Only this prospecting status code.
    pub prospecting_status: Option<String>,
    /// Only children of this account.
    pub parent_id: Option<AccountId>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
    /// Words matched by the search index.
    pub text: Option<String>,
}

fn filter_sql(backend: crate::Backend, f: &AccountFilter, scope: Scope, q: &mut Query) -> String {
    let mut sql = String::from(" AND accounts.merged_into IS NULL");
    if let Some(v) = f.owner_id {
        sql.push_str(&format!(" AND accounts.owner_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.sdr_id {
        sql.push_str(&format!(" AND accounts.sdr_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = &f.segment {
        sql.push_str(&format!(" AND accounts.segment = ${}", q.push_bind(v.as_str())));
    }
    if let Some(v) = &f.prospecting_status {
        sql.push_str(&format!(
            " AND accounts.prospecting_status = ${}",
            q.push_bind(v.as_str())
        ));
    }
    if let Some(v) = f.parent_id {
        sql.push_str(&format!(" AND accounts.parent_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.updated_since {
        sql.push_str(&format!(" AND accounts.updated_at >= ${}", q.push_bind(v)));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        match super::search::ref_ids_matching(backend, text, q) {
            Some(sub) => sql.push_str(&format!(" AND accounts.id IN ({sub})")),
            None => sql.push_str(" AND 1 = 0"),
        }
    }
    sql.push_str(&scope_sql(scope, Scoped::Accounts, q));
    sql
}

/// A page of accounts, most recently changed first (or oldest first with `Asc`), after the
/// cursor from [`cursor`].
pub async fn list(
    ex: &mut impl Exec,
    filter: &AccountFilter,
    scope: Scope,
    direction: Direction,
    after: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<Account>> {
    let mut q = query("");
    let mut sql = format!("SELECT {COLUMNS} FROM accounts WHERE 1 = 1");
    sql.push_str(&filter_sql(ex.backend(), filter, scope, &mut q));
    let (dir, cmp) = direction.sql();
    if let Some(after) = after {
        let (t, id) = parse_cursor(after)?;
        let v = q.push_bind(t);
        let i = q.push_bind(id);
        sql.push_str(&format!(
            " AND (accounts.updated_at {cmp} ${v} OR (accounts.updated_at = ${v} AND accounts.id {cmp} ${i}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY accounts.updated_at {dir}, accounts.id {dir} LIMIT ${}",
        q.push_bind(limit)
    ));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    let accounts = rows.iter().map(decode).collect::<StoreResult<Vec<_>>>()?;
    with_domains(ex, accounts).await
}

/// How many accounts match, counting at most `cap`.
pub async fn count(ex: &mut impl Exec, filter: &AccountFilter, scope: Scope, cap: i64) -> StoreResult<Count> {
    let mut q = query("");
    let cond = filter_sql(ex.backend(), filter, scope, &mut q);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts WHERE 1 = 1{cond} LIMIT ${}) capped",
        q.push_bind(cap + 1)
    );
    let n: i64 = ex.fetch_one(q.with_sql(sql)).await?.get("n")?;
    Ok(Count {
        value: n.min(cap),
        capped: n > cap,
    })
}

/// The keyset cursor after `a`.
pub fn cursor(a: &Account) -> String {
    format!("{}~{}", a.updated_at.timestamp_micros(), a.id)
}

fn parse_cursor(raw: &str) -> StoreResult<(DateTime<Utc>, Uuid)> {
    let bad = || StoreError::Decode {
        column: "after".into(),
        message: "not a cursor from this list".into(),
    };
    let (t, id) = raw.split_once('~').ok_or_else(bad)?;
    let t = t
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((t, id))
}
