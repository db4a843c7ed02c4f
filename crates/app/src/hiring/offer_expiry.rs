//! Sent offers that pass their expiry without an answer are marked expired in storage, by a job
//! queued when the offer is sent and run at its expiry (the clock is the app's, so tests advance
//! it). Until the job has run, readers still see the offer as expired: the rule is the domain's
//! `Offer::expire_if_due`, applied on both paths.

use prospector_core::hiring::OfferStatus;
use prospector_store::hiring::offers as store_offers;
use prospector_store::outbox::Claimed;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::outbox::{Handler, HandlerFuture};
use crate::{Actor, App, AppResult};

impl App {
    /// Marks the offer expired when it was sent and its time is up; returns whether it changed.
    pub async fn expire_offer_if_due(&self, offer_id: Uuid) -> AppResult<bool> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(mut row) = store_offers::offer_by_id(&mut tx, offer_id).await? else {
            return Ok(false);
        };
        let next = row.offer.expire_if_due(now);
        if next.status != OfferStatus::Expired || row.offer.status == OfferStatus::Expired {
            return Ok(false);
        }
        let before = row.offer.status;
        row.offer = next;
        row.updated_at = now;
        store_offers::update_offer(&mut tx, &row).await?;
        audit::record(
            &mut tx,
            &Actor::system(),
            now,
            Change {
                action: "offer.expire",
                entity_type: "offer",
                entity_id: Some(row.id.to_string()),
                before: Some(&serde_json::json!({"status": before.code()})),
                after: Some(&serde_json::json!({"status": "expired", "expired_at": row.offer.closed_at})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Runs [`App::expire_offer_if_due`] for the offer in the payload.
pub struct ExpiryHandler;

impl Handler for ExpiryHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            let id = item
                .payload
                .get("offer_id")
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse::<Uuid>().ok())
                .ok_or_else(|| "payload has no offer_id".to_owned())?;
            app.expire_offer_if_due(id)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
