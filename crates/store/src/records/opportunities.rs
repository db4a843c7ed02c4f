//! Opportunities.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::ids::UserId;
use prospector_core::records::OpportunityStage;
use serde::Serialize;

use super::{AccountId, Direction, OpportunityId, PersonId, Scope, Scoped, scope_sql};
use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Query, Row, query};

/// An opportunity as stored.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Opportunity {
    /// Id.
    pub id: OpportunityId,
    /// Name.
    pub name: String,
    /// The account.
    pub account_id: Option<AccountId>,
    /// The main contact.
    pub person_id: Option<PersonId>,
    /// Stage.
    pub stage: OpportunityStage,
    /// Reason code for unqualified / closed lost.
    pub stage_reason: Option<String>,
    /// The account executive.
    pub ae_id: Option<UserId>,
    /// The SDR who set the meeting and keeps the credit.
    pub sdr_id: Option<UserId>,
    /// Amount in minor units (cents).
    pub amount_cents: Option<i64>,
    /// ISO currency.
    pub currency: String,
    /// Expected close date.
    pub close_date: Option<NaiveDate>,
    /// Next step.
    pub next_step: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

const COLUMNS: &str = "opportunities.id, opportunities.name, opportunities.account_id, opportunities.person_id, \
    opportunities.stage, opportunities.stage_reason, opportunities.ae_id, opportunities.sdr_id, \
    opportunities.amount_cents, opportunities.currency, opportunities.close_date, opportunities.next_step, \
    opportunities.created_at, opportunities.updated_at, opportunities.version";

fn decode(row: &Row) -> StoreResult<Opportunity> {
    let stage: String = row.get("stage")?;
    Ok(Opportunity {
        id: row.get("id")?,
        name: row.get("name")?,
        account_id: row.get("account_id")?,
        person_id: row.get("person_id")?,
        stage: OpportunityStage::parse("stage", &stage).map_err(|e| StoreError::Decode {
            column: "stage".into(),
            message: e.message,
        })?,
        stage_reason: row.get("stage_reason")?,
        ae_id: row.get("ae_id")?,
        sdr_id: row.get("sdr_id")?,
        amount_cents: row.get("amount_cents")?,
        currency: row.get("currency")?,
        close_date: row.get("close_date")?,
        next_step: row.get("next_step")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn bind_all(q: Query, o: &Opportunity) -> Query {
    q.bind(&o.name)
        .bind(o.account_id)
        .bind(o.person_id)
        .bind(o.stage.code())
        .bind(o.stage_reason.clone())
        .bind(o.ae_id)
        .bind(o.sdr_id)
        .bind(o.amount_cents)
        .bind(&o.currency)
        .bind(o.close_date)
        .bind(o.next_step.clone())
        .bind(o.created_at)
        .bind(o.updated_at)
        .bind(o.version)
}

/// Adds an opportunity, filing it (and its amount as pipeline created) in the dashboard rollups.
pub async fn insert(ex: &mut impl Exec, o: &Opportunity) -> StoreResult<()> {
    crate::dashboards::rollups::on_opportunity_created(
        ex,
        o.id,
        o.sdr_id,
        o.person_id,
        o.account_id,
        o.amount_cents,
        o.created_at,
    )
    .await?;
    let q = query(
        "INSERT INTO opportunities (name, account_id, person_id, stage, stage_reason, ae_id, sdr_id, amount_cents, \
         currency, close_date, next_step, created_at, updated_at, version, id) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15)",
    );
    ex.execute(bind_all(q, o).bind(o.id)).await?;
    Ok(())
}

/// Saves `o` if its stored version is `o.version - 1`.
pub async fn update(ex: &mut impl Exec, o: &Opportunity) -> StoreResult<()> {
    let q = query(
        "UPDATE opportunities SET name = $1, account_id = $2, person_id = $3, stage = $4, stage_reason = $5, \
         ae_id = $6, sdr_id = $7, amount_cents = $8, currency = $9, close_date = $10, next_step = $11, \
         created_at = $12, updated_at = $13, version = $14 WHERE id = $15 AND version = $16",
    );
    let changed = ex.execute(bind_all(q, o).bind(o.id).bind(o.version - 1)).await?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            constraint: "opportunities.version".into(),
        });
    }
    Ok(())
}

/// The opportunity with `id`.
pub async fn get(ex: &mut impl Exec, id: OpportunityId) -> StoreResult<Option<Opportunity>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {COLUMNS} FROM opportunities WHERE opportunities.id = $1"
            ))
            .bind(id),
        )
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Whether `scope` may see the opportunity `id`.
pub async fn visible(ex: &mut impl Exec, scope: Scope, id: OpportunityId) -> StoreResult<bool> {
    let mut q = query("");
    q.push_bind(id);
    let cond = scope_sql(scope, Scoped::Opportunities, &mut q);
    let sql = format!("SELECT 1 AS one FROM opportunities WHERE opportunities.id = $1{cond}");
    Ok(ex.fetch_optional(q.with_sql(sql)).await?.is_some())
}

/// Which opportunities to list.
#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    /// Only this AE.
    pub ae_id: Option<UserId>,
    /// Only this SDR.
    pub sdr_id: Option<UserId>,
    /// Only these stages.
    pub stage: Option<OpportunityStage>,
    /// Only this account.
    pub account_id: Option<AccountId>,
    /// Only this person.
    pub person_id: Option<PersonId>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A page of opportunities by last change, after the keyset cursor `after` (an opportunity id
/// whose `updated_at` and id continue the order).
pub async fn list(
    ex: &mut impl Exec,
    f: &OpportunityFilter,
    scope: Scope,
    direction: Direction,
    after: Option<(DateTime<Utc>, OpportunityId)>,
    limit: i64,
) -> StoreResult<Vec<Opportunity>> {
    let mut q = query("");
    let mut sql = format!("SELECT {COLUMNS} FROM opportunities WHERE 1 = 1");
    if let Some(v) = f.ae_id {
        sql.push_str(&format!(" AND opportunities.ae_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.sdr_id {
        sql.push_str(&format!(" AND opportunities.sdr_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.stage {
        sql.push_str(&format!(" AND opportunities.stage = ${}", q.push_bind(v.code())));
    }
    if let Some(v) = f.account_id {
        sql.push_str(&format!(" AND opportunities.account_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.person_id {
        sql.push_str(&format!(" AND opportunities.person_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = f.updated_since {
        sql.push_str(&format!(" AND opportunities.updated_at >= ${}", q.push_bind(v)));
    }
    sql.push_str(&scope_sql(scope, Scoped::Opportunities, &mut q));
    let (dir, cmp) = direction.sql();
    if let Some((t, id)) = after {
        let v = q.push_bind(t);
        let i = q.push_bind(id);
        sql.push_str(&format!(
            " AND (opportunities.updated_at {cmp} ${v} OR (opportunities.updated_at = ${v} AND opportunities.id {cmp} ${i}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY opportunities.updated_at {dir}, opportunities.id {dir} LIMIT ${}",
        q.push_bind(limit)
    ));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode).collect()
}
