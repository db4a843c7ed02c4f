//! Offers and their approval chain.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::hiring::{ApprovalDecision, ApprovalStep, Offer, OfferStatus};
use uuid::Uuid;

use super::{bad_code, from_json};
use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// An offer as stored: the domain state plus its terms.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRow {
    /// Id.
    pub id: Uuid,
    /// The application.
    pub application_id: Uuid,
    /// Pay as written (amount, currency, period).
    pub pay: String,
    /// Start date.
    pub start_date: NaiveDate,
    /// The letter's text.
    pub letter: String,
    /// Status, chain, dates.
    pub offer: Offer,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StepJson {
    approver: String,
    decision: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    note: Option<String>,
}

fn step_to_json(s: &ApprovalStep) -> StepJson {
    StepJson {
        approver: s.approver.clone(),
        decision: s.decision.map(|d| match d {
            ApprovalDecision::Approved => "approved".to_owned(),
            ApprovalDecision::Rejected => "rejected".to_owned(),
        }),
        decided_at: s.decided_at,
        note: s.note.clone(),
    }
}

fn step_from_json(s: StepJson) -> StoreResult<ApprovalStep> {
    let decision = match s.decision.as_deref() {
        None => None,
        Some("approved") => Some(ApprovalDecision::Approved),
        Some("rejected") => Some(ApprovalDecision::Rejected),
        Some(other) => return Err(bad_code("chain", other)),
    };
    Ok(ApprovalStep {
        approver: s.approver,
        decision,
        decided_at: s.decided_at,
        note: s.note,
    })
}

/// Parses an offer status code.
pub fn offer_status(code: &str) -> Option<OfferStatus> {
    [
        OfferStatus::Draft,
        OfferStatus::PendingApproval,
        OfferStatus::Approved,
        OfferStatus::Sent,
        OfferStatus::Accepted,
        OfferStatus::Declined,
        OfferStatus::Expired,
    ]
    .into_iter()
    .find(|s| s.code() == code)
}

const COLUMNS: &str = "id, application_id, status, pay, start_date, letter, chain, last_rejection, sent_at, \
                       expires_at, closed_at, created_at, updated_at";

fn decode(row: &Row) -> StoreResult<OfferRow> {
    let status: String = row.get("status")?;
    let chain: Vec<StepJson> = from_json("chain", row.get("chain")?)?;
    let last: Option<serde_json::Value> = row.get("last_rejection")?;
    Ok(OfferRow {
        id: row.get("id")?,
        application_id: row.get("application_id")?,
        pay: row.get("pay")?,
        start_date: row.get("start_date")?,
        letter: row.get("letter")?,
        offer: Offer {
            status: offer_status(&status).ok_or_else(|| bad_code("status", &status))?,
            chain: chain
                .into_iter()
                .map(step_from_json)
                .collect::<StoreResult<_>>()?,
            last_rejection: last
                .map(|v| from_json::<StepJson>("last_rejection", v).and_then(step_from_json))
                .transpose()?,
            sent_at: row.get("sent_at")?,
            expires_at: row.get("expires_at")?,
            closed_at: row.get("closed_at")?,
        },
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn chain_json(offer: &Offer) -> serde_json::Value {
    serde_json::json!(offer.chain.iter().map(step_to_json).collect::<Vec<_>>())
}

fn last_json(offer: &Offer) -> Option<serde_json::Value> {
    offer
        .last_rejection
        .as_ref()
        .map(|s| serde_json::json!(step_to_json(s)))
}

/// Adds an offer.
pub async fn insert_offer(ex: &mut impl Exec, o: &OfferRow) -> StoreResult<()> {
    ex.execute(
        query(format!(
            "INSERT INTO offers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(o.id)
        .bind(o.application_id)
        .bind(o.offer.status.code())
        .bind(&o.pay)
        .bind(o.start_date)
        .bind(&o.letter)
        .bind(chain_json(&o.offer))
        .bind(last_json(&o.offer))
        .bind(o.offer.sent_at)
        .bind(o.offer.expires_at)
        .bind(o.offer.closed_at)
        .bind(o.created_at)
        .bind(o.updated_at),
    )
    .await?;
    Ok(())
}

/// Saves an offer's terms and state.
pub async fn update_offer(ex: &mut impl Exec, o: &OfferRow) -> StoreResult<()> {
    ex.execute(
        query(
            "UPDATE offers SET status = $1, pay = $2, start_date = $3, letter = $4, chain = $5, last_rejection = $6, \
             sent_at = $7, expires_at = $8, closed_at = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(o.offer.status.code())
        .bind(&o.pay)
        .bind(o.start_date)
        .bind(&o.letter)
        .bind(chain_json(&o.offer))
        .bind(last_json(&o.offer))
        .bind(o.offer.sent_at)
        .bind(o.offer.expires_at)
        .bind(o.offer.closed_at)
        .bind(o.updated_at)
        .bind(o.id),
    )
    .await?;
    Ok(())
}

/// The offer with `id`.
pub async fn offer_by_id(ex: &mut impl Exec, id: Uuid) -> StoreResult<Option<OfferRow>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {COLUMNS} FROM offers WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode).transpose()
}

/// An application's offers, oldest first.
pub async fn offers_of(ex: &mut impl Exec, application_id: Uuid) -> StoreResult<Vec<OfferRow>> {
    let rows = ex
        .fetch_all(
            query(format!(
                "SELECT {COLUMNS} FROM offers WHERE application_id = $1 ORDER BY id"
            ))
            .bind(application_id),
        )
        .await?;
    rows.iter().map(decode).collect()
}
