//! Each rep's ramp: the day they started and any targets a lead set in place of the defaults.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::ids::UserId;
use prospector_core::metrics::RampTargets;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, query};

/// A rep's stored ramp.
#[derive(Debug, Clone, PartialEq)]
pub struct Ramp {
    /// The rep.
    pub rep: UserId,
    /// Ramp month 1 starts on this day.
    pub started_on: NaiveDate,
    /// Targets set for this rep, or `None` for the handbook defaults.
    pub targets: Option<RampTargets>,
}

/// The stored ramp of `rep`.
pub async fn get(ex: &mut impl Exec, rep: UserId) -> StoreResult<Option<Ramp>> {
    let Some(r) = ex
        .fetch_optional(
            query("SELECT rep_id, started_on, targets FROM ramp_targets WHERE rep_id = $1").bind(rep),
        )
        .await?
    else {
        return Ok(None);
    };
    let raw: serde_json::Value = r.get("targets")?;
    let targets = if raw.as_object().is_some_and(|o| o.is_empty()) {
        None
    } else {
        Some(serde_json::from_value(raw).map_err(|e| StoreError::Decode {
            column: "targets".into(),
            message: e.to_string(),
        })?)
    };
    Ok(Some(Ramp {
        rep: r.get("rep_id")?,
        started_on: r.get("started_on")?,
        targets,
    }))
}

/// Saves `rep`'s ramp.
pub async fn put(ex: &mut impl Exec, ramp: &Ramp, now: DateTime<Utc>) -> StoreResult<()> {
    let targets = match &ramp.targets {
        Some(t) => serde_json::to_value(t).map_err(|e| StoreError::Database(e.to_string()))?,
        None => serde_json::json!({}),
    };
    ex.execute(
        query(
            "INSERT INTO ramp_targets (rep_id, started_on, targets, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (rep_id) DO UPDATE SET started_on = excluded.started_on, targets = excluded.targets, \
             updated_at = excluded.updated_at",
        )
        .bind(ramp.rep)
        .bind(ramp.started_on)
        .bind(targets)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Records that the digest for the week starting `week` went to `team`; false when it already
/// had (so a retried job sends nothing twice).
pub async fn mark_digest_sent(
    ex: &mut impl Exec,
    week: NaiveDate,
    team: uuid::Uuid,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "INSERT INTO digest_runs (week_start, team_id, sent_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (week_start, team_id) DO NOTHING",
            )
            .bind(week)
            .bind(team)
            .bind(now),
        )
        .await?;
    Ok(n > 0)
}
