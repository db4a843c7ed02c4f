//! Leads and contacts, in one `people` table: one lifecycle, one timeline, one search index.

use chrono::{DateTime, Utc};
use prospector_core::email::Email;
use prospector_core::ids::UserId;
use prospector_core::records::LeadStatus;
use serde::Serialize;

use super::{AccountId, Count, Direction, PersonId, Scope, Scoped, name_key, phone_key, scope_sql};
use crate::error::{StoreError, StoreResult};
use crate::query::{Backend, Exec, Query, Row, query};

/// Whether a person is a lead, a contact, or merged into another person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    /// Not yet converted.
    Lead,
    /// On an account, after conversion (or entered as such).
    Contact,
    /// Merged into another person; kept for undo, hidden everywhere else.
    Merged,
}

impl PersonKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            PersonKind::Lead => "lead",
            PersonKind::Contact => "contact",
            PersonKind::Merged => "merged",
        }
    }

    /// Reads a stored code.
    pub fn from_code(code: &str) -> Option<PersonKind> {
        match code {
            "lead" => Some(PersonKind::Lead),
            "contact" => Some(PersonKind::Contact),
            "merged" => Some(PersonKind::Merged),
            _ => None,
        }
    }
}

/// A lead or contact as stored.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// Lead, contact or merged.
    pub kind: PersonKind,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email, lower-cased.
    pub email: Option<Email>,
    /// Phone in E.164.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Company as given.
    pub company: Option<String>,
    /// The account, once matched or converted.
    pub account_id: Option<AccountId>,
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// Sales region code.
    pub region: Option<String>,
    /// IANA time zone (given, or derived from the country).
    pub time_zone: Option<String>,
    /// The owning rep; `None` is the unowned pool.
    pub owner_id: Option<UserId>,
    /// Lifecycle status.
    pub status: LeadStatus,
    /// Reason code of an exit status.
    pub status_reason: Option<String>,
    /// Where the person came from.
    pub source: Option<String>,
    /// Lead score.
    pub score: i64,
    /// How often the person became an MQL.
    pub mql_count: i64,
    /// When they first became an MQL.
    pub first_mql_at: Option<DateTime<Utc>>,
    /// When they last became an MQL.
    pub last_mql_at: Option<DateTime<Utc>>,
    /// Never call.
    pub do_not_call: bool,
    /// Unsubscribed from email.
    pub unsubscribed: bool,
    /// Qualification framework code.
    pub framework: Option<String>,
    /// Qualification answers: criterion code → met.
    pub qualification: serde_json::Value,
    /// Custom fields (a JSON object of scalars).
    pub custom_fields: serde_json::Value,
    /// When merged, the survivor.
    pub merged_into: Option<PersonId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

impl Person {
    /// "First Last", or whichever is present.
    pub fn full_name(&self) -> String {
        [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The text the search index holds for this person.
    pub fn search_body(&self) -> String {
        [
            Some(self.full_name()),
            self.email
                .as_ref()
                .map(|e| e.as_str().replace(['@', '.'], " ") + " " + e.as_str()),
            self.company.clone(),
            self.title.clone(),
            self.phone.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

pub(crate) const COLUMNS: &str = "people.id, people.kind, people.first_name, people.last_name, people.email, \
    people.phone, people.title, people.company, people.account_id, people.country, people.region, \
    people.time_zone, people.owner_id, people.status, people.status_reason, people.source, people.score, \
    people.mql_count, people.first_mql_at, people.last_mql_at, people.do_not_call, people.unsubscribed, \
    people.framework, people.qualification, people.custom_fields, people.merged_into, people.created_at, \
    people.updated_at, people.version";

fn decode_err(column: &str, message: impl Into<String>) -> StoreError {
    StoreError::Decode {
        column: column.into(),
        message: message.into(),
    }
}

pub(crate) fn decode(row: &Row) -> StoreResult<Person> {
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    let email: Option<String> = row.get("email")?;
    Ok(Person {
        id: row.get("id")?,
        kind: PersonKind::from_code(&kind).ok_or_else(|| decode_err("kind", kind.clone()))?,
        first_name: row.get("first_name")?,
        last_name: row.get("last_name")?,
        email: email
            .map(|e| Email::parse(&e).map_err(|err| decode_err("email", err.message)))
            .transpose()?,
        phone: row.get("phone")?,
        title: row.get("title")?,
        company: row.get("company")?,
        account_id: row.get("account_id")?,
        country: row.get("country")?,
        region: row.get("region")?,
        time_zone: row.get("time_zone")?,
        owner_id: row.get("owner_id")?,
        status: LeadStatus::parse("status", &status).map_err(|e| decode_err("status", e.message))?,
        status_reason: row.get("status_reason")?,
        source: row.get("source")?,
        score: row.get("score")?,
        mql_count: row.get("mql_count")?,
        first_mql_at: row.get("first_mql_at")?,
        last_mql_at: row.get("last_mql_at")?,
        do_not_call: row.get("do_not_call")?,
        unsubscribed: row.get("unsubscribed")?,
        framework: row.get("framework")?,
        qualification: row.get("qualification")?,
        custom_fields: row.get("custom_fields")?,
        merged_into: row.get("merged_into")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

/// Binds every column of `p` in [`insert`]'s order (id last but one, version last).
fn bind_all(q: Query, p: &Person) -> Query {
    q.bind(p.kind.code())
        .bind(p.first_name.clone())
        .bind(p.last_name.clone())
        .bind(p.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(p.email.as_ref().map(Email::fold_gmail))
        .bind(p.phone.clone())
        .bind(p.phone.as_deref().and_then(phone_key))
        .bind(name_key(p.first_name.as_deref(), p.last_name.as_deref()))
        .bind(p.title.clone())
        .bind(p.company.clone())
        .bind(p.account_id)
        .bind(p.country.clone())
        .bind(p.region.clone())
        .bind(p.time_zone.clone())
        .bind(p.owner_id)
        .bind(p.status.code())
        .bind(p.status_reason.clone())
        .bind(p.source.clone())
        .bind(p.score)
        .bind(p.mql_count)
        .bind(p.first_mql_at)
        .bind(p.last_mql_at)
        .bind(p.do_not_call)
        .bind(p.unsubscribed)
        .bind(p.framework.clone())
        .bind(p.qualification.clone())
        .bind(p.custom_fields.clone())
        .bind(p.merged_into)
        .bind(p.created_at)
        .bind(p.updated_at)
}

/// Adds a person.
pub async fn insert(ex: &mut impl Exec, p: &Person) -> StoreResult<()> {
    let q = query(
        "INSERT INTO people (kind, first_name, last_name, email, email_key, phone, phone_key, name_key, title, \
         company, account_id, country, region, time_zone, owner_id, status, status_reason, source, score, \
         mql_count, first_mql_at, last_mql_at, do_not_call, unsubscribed, framework, qualification, \
         custom_fields, merged_into, created_at, updated_at, id, version) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, \
         $29, $30, $31, $32)",
    );
    ex.write(bind_all(q, p).bind(p.id).bind(p.version)).await?;
    Ok(())
}

/// Adds many people in multi-row statements (bulk loads: imports, the benchmark). Duplicate
/// checks and search documents are the caller's business.
pub async fn insert_many(ex: &mut impl Exec, people: &[Person]) -> StoreResult<()> {
    const COLS: usize = 32;
    // SQLite allows 32,766 parameters per statement.
    for chunk in people.chunks(1000) {
        let mut q = query("");
        for p in chunk {
            q = bind_all(q, p).bind(p.id).bind(p.version);
        }
        let rows = crate::bulk::values_rows(ex.backend(), chunk.len(), COLS);
        let sql = format!(
            "INSERT INTO people (kind, first_name, last_name, email, email_key, phone, phone_key, name_key, title, \
             company, account_id, country, region, time_zone, owner_id, status, status_reason, source, score, \
             mql_count, first_mql_at, last_mql_at, do_not_call, unsubscribed, framework, qualification, \
             custom_fields, merged_into, created_at, updated_at, id, version) VALUES {rows}"
        );
        ex.execute(q.with_sql(sql)).await?;
    }
    Ok(())
}

/// Saves `p` if its stored version is `p.version - 1`; a stale write is a conflict on
/// `people.version`.
pub async fn update(ex: &mut impl Exec, p: &Person) -> StoreResult<()> {
    let q = query(
        "UPDATE people SET kind = $1, first_name = $2, last_name = $3, email = $4, email_key = $5, phone = $6, \
         phone_key = $7, name_key = $8, title = $9, company = $10, account_id = $11, country = $12, region = $13, \
         time_zone = $14, owner_id = $15, status = $16, status_reason = $17, source = $18, score = $19, \
         mql_count = $20, first_mql_at = $21, last_mql_at = $22, do_not_call = $23, unsubscribed = $24, \
         framework = $25, qualification = $26, custom_fields = $27, merged_into = $28, created_at = $29, \
         updated_at = $30, version = $31 WHERE id = $32 AND version = $33",
    );
    let changed = ex
        .execute(bind_all(q, p).bind(p.version).bind(p.id).bind(p.version - 1))
        .await?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            constraint: "people.version".into(),
        });
    }
    Ok(())
}

/// The person with `id`, merged or not.
pub async fn get(ex: &mut impl Exec, id: PersonId) -> StoreResult<Option<Person>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM people WHERE people.id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Whether `scope` may see the person `id`.
pub async fn visible(ex: &mut impl Exec, scope: Scope, id: PersonId) -> StoreResult<bool> {
    let mut q = query("");
    q.push_bind(id);
    let cond = scope_sql(scope, Scoped::People, &mut q);
    let sql = format!("SELECT 1 AS one FROM people WHERE people.id = $1{cond}");
    Ok(ex.fetch_optional(q.with_sql(sql)).await?.is_some())
}

/// Who owns the people in a list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFilter {
    /// This user.
    User(UserId),
    /// Nobody: the pool.
    Unowned,
}

/// Which people to list.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Leads or contacts (required in practice; `None` lists both).
    pub kind: Option<PersonKind>,
    /// Only this owner.
    pub owner: Option<OwnerFilter>,
    /// Only these statuses.
    pub status: Vec<LeadStatus>,
    /// Only this source.
    pub source: Option<String>,
    /// Only people on accounts of this segment code.
    pub segment: Option<String>,
    /// Only this account.
    pub account_id: Option<AccountId>,
    /// Score at least.
    pub score_min: Option<i64>,
    /// Score at most.
    pub score_max: Option<i64>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
    /// Free text: an email prefix when it has an `@`, else words matched by the search index.
    pub text: Option<String>,
}

/// How people are sorted; the id breaks ties, so keyset pagination is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonSort {
    /// Last change (default, newest first).
    #[default]
    UpdatedAt,
    /// Creation (the id is time-ordered).
    CreatedAt,
    /// Lead score.
    Score,
}

impl PersonSort {
    /// Parses a sort code.
    pub fn parse(raw: &str) -> Option<PersonSort> {
        match raw {
            "updated_at" => Some(PersonSort::UpdatedAt),
            "created_at" => Some(PersonSort::CreatedAt),
            "score" => Some(PersonSort::Score),
            _ => None,
        }
    }

    /// The codes [`PersonSort::parse`] accepts.
    pub const CODES: &'static [&'static str] = &["updated_at", "created_at", "score"];

    /// The keyset cursor after `p` in this order: opaque outside the store.
    pub fn cursor(self, p: &Person) -> String {
        match self {
            PersonSort::UpdatedAt => format!("{}~{}", p.updated_at.timestamp_micros(), p.id),
            PersonSort::CreatedAt => p.id.to_string(),
            PersonSort::Score => format!("{}~{}", p.score, p.id),
        }
    }
}

fn bad_cursor() -> StoreError {
    StoreError::Decode {
        column: "after".into(),
        message: "not a cursor from this list".into(),
    }
}

/// Appends the filter's conditions (` AND …`) to `sql`.
fn filter_sql(ex_backend: crate::Backend, filter: &PersonFilter, scope: Scope, q: &mut Query) -> String {
    let mut sql = String::new();
    match filter.kind {
        Some(kind) => sql.push_str(&format!(" AND people.kind = ${}", q.push_bind(kind.code()))),
        None => sql.push_str(" AND people.kind IN ('lead', 'contact')"),
    }
    match filter.owner {
        Some(OwnerFilter::User(u)) => sql.push_str(&format!(" AND people.owner_id = ${}", q.push_bind(u))),
        Some(OwnerFilter::Unowned) => sql.push_str(" AND people.owner_id IS NULL"),
        None => {}
    }
    match filter.status.as_slice() {
        [] => {}
        [one] => sql.push_str(&format!(" AND people.status = ${}", q.push_bind(one.code()))),
        many => {
            let ns: Vec<String> = many
                .iter()
                .map(|s| format!("${}", q.push_bind(s.code())))
                .collect();
            sql.push_str(&format!(" AND people.status IN ({})", ns.join(", ")));
        }
    }
    if let Some(source) = &filter.source {
        sql.push_str(&format!(" AND people.source = ${}", q.push_bind(source.as_str())));
    }
    if let Some(segment) = &filter.segment {
        sql.push_str(&format!(
            " AND people.account_id IN (SELECT id FROM accounts WHERE segment = ${})",
            q.push_bind(segment.as_str())
        ));
    }
    if let Some(account) = filter.account_id {
        sql.push_str(&format!(" AND people.account_id = ${}", q.push_bind(account)));
    }
    if let Some(min) = filter.score_min {
        sql.push_str(&format!(" AND people.score >= ${}", q.push_bind(min)));
    }
    if let Some(max) = filter.score_max {
        sql.push_str(&format!(" AND people.score <= ${}", q.push_bind(max)));
    }
    if let Some(since) = filter.updated_since {
        sql.push_str(&format!(" AND people.updated_at >= ${}", q.push_bind(since)));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.contains('@') {
            let lo = text.to_lowercase();
            let hi = format!("{lo}\u{10FFFF}");
            let a = q.push_bind(lo);
            let b = q.push_bind(hi);
            sql.push_str(&format!(" AND people.email >= ${a} AND people.email < ${b}"));
        } else {
            match super::search::ref_ids_matching(ex_backend, text, q) {
                Some(sub) => sql.push_str(&format!(" AND people.id IN ({sub})")),
                None => sql.push_str(" AND 1 = 0"),
            }
        }
    }
    sql.push_str(&scope_sql(scope, Scoped::People, q));
    sql
}

/// One page of people matching `filter` within `scope`, in `sort` order, after the keyset
/// cursor `after` (from [`PersonSort::cursor`]).
pub async fn list(
    ex: &mut impl Exec,
    filter: &PersonFilter,
    scope: Scope,
    sort: PersonSort,
    direction: Direction,
    after: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<Person>> {
    let mut q = query("");
    let mut sql = format!("SELECT {COLUMNS} FROM people WHERE 1 = 1");
    sql.push_str(&filter_sql(ex.backend(), filter, scope, &mut q));
    let (dir, cmp) = direction.sql();
    let column = match sort {
        PersonSort::UpdatedAt => Some("people.updated_at"),
        PersonSort::Score => Some("people.score"),
        PersonSort::CreatedAt => None,
    };
    if let Some(after) = after {
        match sort {
            PersonSort::CreatedAt => {
                let id: PersonId = after.parse().map_err(|_| bad_cursor())?;
                sql.push_str(&format!(" AND people.id {cmp} ${}", q.push_bind(id)));
            }
            PersonSort::UpdatedAt | PersonSort::Score => {
                let (value, id) = after.split_once('~').ok_or_else(bad_cursor)?;
                let id: PersonId = id.parse().map_err(|_| bad_cursor())?;
                let value: i64 = value.parse().map_err(|_| bad_cursor())?;
                let v = if sort == PersonSort::UpdatedAt {
                    let t = DateTime::from_timestamp_micros(value).ok_or_else(bad_cursor)?;
                    q.push_bind(t)
                } else {
                    q.push_bind(value)
                };
                let i = q.push_bind(id);
                let col = column.unwrap_or("people.id");
                // PostgreSQL turns a row comparison into one index range; SQLite plans the
                // spelt-out form better.
                let keyset = match ex.backend() {
                    crate::Backend::Postgres => format!(" AND ({col}, people.id) {cmp} (${v}, ${i})"),
                    crate::Backend::Sqlite => {
                        format!(" AND ({col} {cmp} ${v} OR ({col} = ${v} AND people.id {cmp} ${i}))")
                    }
                };
                sql.push_str(&keyset);
            }
        }
    }
    match column {
        Some(col) => sql.push_str(&format!(" ORDER BY {col} {dir}, people.id {dir}")),
        None => sql.push_str(&format!(" ORDER BY people.id {dir}")),
    }
    sql.push_str(&format!(" LIMIT ${}", q.push_bind(limit)));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}

/// How many people match `filter` within `scope`, counting at most `cap` (when given).
pub async fn count(
    ex: &mut impl Exec,
    filter: &PersonFilter,
    scope: Scope,
    cap: Option<i64>,
) -> StoreResult<Count> {
    let mut q = query("");
    let cond = filter_sql(ex.backend(), filter, scope, &mut q);
    let sql = match cap {
        Some(cap) => format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM people WHERE 1 = 1{cond} LIMIT ${}) capped",
            q.push_bind(cap + 1)
        ),
        None => format!("SELECT COUNT(*) AS n FROM people WHERE 1 = 1{cond}"),
    };
    let n: i64 = ex.fetch_one(q.with_sql(sql)).await?.get("n")?;
    Ok(match cap {
        Some(cap) if n > cap => Count {
            value: cap,
            capped: true,
        },
        _ => Count {
            value: n,
            capped: false,
        },
    })
}

/// People (not merged) who could be `candidate`'s duplicates: the same normalised email or
/// Gmail-folded email, the same phone digits, or the same surname blocking key — each lookup
/// through its index and capped, never a scan.
pub async fn duplicate_candidates(
    ex: &mut impl Exec,
    email: Option<&Email>,
    phone: Option<&str>,
    first_name: Option<&str>,
    last_name: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<Person>> {
    let mut found: Vec<Person> = Vec::new();
    let mut lookups: Vec<(&str, String)> = Vec::new();
    if let Some(email) = email {
        lookups.push(("email_key", email.fold_gmail()));
    }
    if let Some(key) = phone.and_then(phone_key) {
        lookups.push(("phone_key", key));
    }
    if let Some(key) = name_key(first_name, last_name) {
        lookups.push(("name_key", key));
    }
    for (column, key) in lookups {
        let rows = ex
            .fetch_all(
                query(format!(
                    "SELECT {COLUMNS} FROM people WHERE {column} = $1 AND kind IN ('lead', 'contact') \
                     ORDER BY id LIMIT $2"
                ))
                .bind(key)
                .bind(limit),
            )
            .await?;
        for row in &rows {
            let p = decode(row)?;
            if !found.iter().any(|f| f.id == p.id) {
                found.push(p);
            }
        }
    }
    Ok(found)
}

/// The same candidates as [`duplicate_candidates`] in one statement (one round trip instead of
/// up to three, for the capture path): each key is looked up through its own index, the ids are
/// merged by `UNION`, and at most `limit` people per key are returned.
pub async fn duplicate_candidates_at_once(
    ex: &mut impl Exec,
    email: Option<&Email>,
    phone: Option<&str>,
    first_name: Option<&str>,
    last_name: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<Person>> {
    let mut q = query("");
    let mut parts = Vec::new();
    let keys = [
        ("email_key", email.map(Email::fold_gmail)),
        ("phone_key", phone.and_then(phone_key)),
        ("name_key", name_key(first_name, last_name)),
    ];
    for (column, key) in keys {
        let Some(key) = key else { continue };
        let k = q.push_bind(key);
        let l = q.push_bind(limit);
        parts.push(format!(
            "SELECT id FROM (SELECT id FROM people WHERE {column} = ${k} AND kind IN ('lead', 'contact') \
             ORDER BY id LIMIT ${l}) AS by_{column}"
        ));
    }
    people_in_any(ex, q, &parts).await
}

/// The people whose ids any of the `id_queries` (bound in `q`) select, in id order.
async fn people_in_any(ex: &mut impl Exec, q: Query, id_queries: &[String]) -> StoreResult<Vec<Person>> {
    if id_queries.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM people WHERE people.id IN ({}) ORDER BY people.id",
        id_queries.join(" UNION ")
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}

/// The keys a person is looked up by when checking for duplicates, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuplicateKeys {
    /// The folded email (`email_key`).
    pub email: Option<String>,
    /// The phone's digits (`phone_key`).
    pub phone: Option<String>,
    /// The name key (`name_key`).
    pub name: Option<String>,
}

impl DuplicateKeys {
    /// The keys of a person with these details.
    pub fn of(
        email: Option<&Email>,
        phone: Option<&str>,
        first_name: Option<&str>,
        last_name: Option<&str>,
    ) -> Self {
        DuplicateKeys {
            email: email.map(Email::fold_gmail),
            phone: phone.and_then(phone_key),
            name: name_key(first_name, last_name),
        }
    }

    /// Whether `self` and `other` share a key: what makes two people duplicate candidates.
    pub fn shares_any(&self, other: &DuplicateKeys) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        same(&self.email, &other.email) || same(&self.phone, &other.phone) || same(&self.name, &other.name)
    }
}

/// The candidates of [`duplicate_candidates_at_once`] for many people in one statement: leads and
/// contacts sharing any key with any of `keys`, at most `limit` per key value.
pub async fn duplicate_candidates_of_many(
    ex: &mut impl Exec,
    keys: &[DuplicateKeys],
    limit: i64,
) -> StoreResult<Vec<Person>> {
    let mut q = query("");
    let l = q.push_bind(limit);
    let mut parts = Vec::new();
    let columns = [
        (
            "email_key",
            keys.iter().filter_map(|k| k.email.as_ref()).collect::<Vec<_>>(),
        ),
        (
            "phone_key",
            keys.iter().filter_map(|k| k.phone.as_ref()).collect(),
        ),
        ("name_key", keys.iter().filter_map(|k| k.name.as_ref()).collect()),
    ];
    for (column, mut values) in columns {
        values.sort();
        values.dedup();
        if values.is_empty() {
            continue;
        }
        let ns: Vec<String> = values
            .into_iter()
            .map(|v| format!("${}", q.push_bind(v.clone())))
            .collect();
        // Without statistics (a young database) SQLite estimates a list of keys to match more rows
        // than a walk of every lead in `kind` order, and picks that: name the key's index.
        let index = match ex.backend() {
            Backend::Sqlite => format!(" INDEXED BY people_{column}"),
            Backend::Postgres => String::new(),
        };
        // Numbered each within its window, so a common name cannot bring back thousands.
        parts.push(format!(
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY id) AS nth \
             FROM people{index} WHERE {column} IN ({}) AND kind IN ('lead', 'contact')) AS by_{column} \
             WHERE nth <= ${l}",
            ns.join(", ")
        ));
    }
    people_in_any(ex, q, &parts).await
}

/// People with exactly this (lower-cased) email, through the email index.
pub async fn by_email(ex: &mut impl Exec, email: &str, scope: Scope, limit: i64) -> StoreResult<Vec<Person>> {
    let mut q = query("");
    let e = q.push_bind(email.trim().to_lowercase());
    let cond = scope_sql(scope, Scoped::People, &mut q);
    let l = q.push_bind(limit);
    let sql = format!(
        "SELECT {COLUMNS} FROM people WHERE people.email = ${e} AND people.kind IN ('lead', 'contact'){cond} \
         ORDER BY people.id LIMIT ${l}"
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}

/// People by id (any kind), in no particular order.
pub async fn by_ids(ex: &mut impl Exec, ids: &[PersonId]) -> StoreResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query("");
    // Positional on SQLite, which resolves numbered placeholders in O(n) each (the sweep asks for
    // hundreds at once).
    let ns: Vec<String> = ids
        .iter()
        .map(|id| crate::bulk::placeholder(ex.backend(), q.push_bind(*id)))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM people WHERE people.id IN ({})",
        ns.join(", ")
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}
