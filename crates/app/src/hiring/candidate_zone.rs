//! A recruiter sets (or clears) a candidate's time zone when their questionnaire answer did not
//! name one ("CET, flexible"), so interview times are written in it.

use prospector_core::Invalid;
use prospector_store::hiring::applications::{self as store_apps, Candidate};
use uuid::Uuid;

use super::require_recruiter;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

impl App {
    /// Sets the candidate's IANA time zone; blank clears it. 422 for a name that is not a zone.
    pub async fn set_candidate_time_zone(
        &self,
        actor: &Actor,
        candidate_id: Uuid,
        time_zone: &str,
    ) -> AppResult<Candidate> {
        require_recruiter(actor)?;
        let zone = match time_zone.trim() {
            "" => None,
            raw => Some(prospector_core::hiring::parse_time_zone(raw).ok_or_else(|| {
                Invalid::new(
                    "time_zone",
                    "invalid_time_zone",
                    format!("'{raw}' is not a time zone; write one like Europe/Berlin or America/New_York"),
                )
            })?),
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut c = store_apps::candidate_by_id(&mut tx, candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        if c.anonymised_at.is_some() {
            return Err(AppError::conflict(
                "candidate_anonymised",
                "time_zone",
                "the candidate's data was erased",
            ));
        }
        let before = c.time_zone.clone();
        c.time_zone = zone;
        c.updated_at = now;
        store_apps::update_candidate(&mut tx, &c).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "candidate.time_zone",
                entity_type: "candidate",
                entity_id: Some(c.id.to_string()),
                before: Some(&before),
                after: Some(&c.time_zone),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}
