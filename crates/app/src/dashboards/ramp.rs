//! Ramp targets: each rep's start day and targets, editable by team leads and admins.

use chrono::NaiveDate;
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::metrics::{RampTargets, ramp_month};
use prospector_store::dashboards::ramp::{self, Ramp};
use prospector_store::users;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A rep's ramp as shown and edited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RampView {
    /// The rep.
    pub rep_id: UserId,
    /// Ramp month 1 starts on this day (default: the day the rep was added).
    pub started_on: NaiveDate,
    /// The month they are in today.
    pub month: u32,
    /// Whether the targets are the handbook's defaults.
    pub defaults: bool,
    /// The targets per month.
    pub targets: RampTargets,
}

/// An edit: a new start day and/or targets (`null` targets restore the defaults).
#[derive(Debug, Clone, Deserialize)]
pub struct RampInput {
    /// New start day.
    pub started_on: Option<NaiveDate>,
    /// New targets; absent or null = the handbook defaults.
    pub targets: Option<RampTargets>,
}

impl App {
    /// `rep`'s ramp (the rep themself or anyone who sees the team).
    pub async fn ramp(&self, actor: &Actor, rep: UserId) -> AppResult<RampView> {
        super::require_rep_view(actor, rep)?;
        let mut reader = self.store().reader();
        let user = users::user_by_id(&mut reader, rep)
            .await?
            .ok_or_else(|| AppError::NotFound("rep".into()))?;
        let stored = ramp::get(&mut reader, rep).await?;
        Ok(self.ramp_view(rep, user.created_at.date_naive(), stored))
    }

    fn ramp_view(&self, rep: UserId, joined: NaiveDate, stored: Option<Ramp>) -> RampView {
        let started_on = stored.as_ref().map_or(joined, |r| r.started_on);
        let targets = stored.as_ref().and_then(|r| r.targets);
        RampView {
            rep_id: rep,
            started_on,
            month: ramp_month(started_on, self.now().date_naive()),
            defaults: targets.is_none(),
            targets: targets.unwrap_or_default(),
        }
    }

    /// Sets `rep`'s ramp (team leads and admins).
    pub async fn set_ramp(&self, actor: &Actor, rep: UserId, input: RampInput) -> AppResult<RampView> {
        super::require_team_view(actor)?;
        if let Some(t) = &input.targets {
            t.validate()?;
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let user = users::user_by_id(&mut tx, rep)
            .await?
            .ok_or_else(|| AppError::NotFound("rep".into()))?;
        let before = ramp::get(&mut tx, rep).await?;
        let started_on = input
            .started_on
            .or(before.as_ref().map(|r| r.started_on))
            .unwrap_or(user.created_at.date_naive());
        if started_on > now.date_naive() + chrono::Duration::days(366) {
            return Err(Invalid::new(
                "started_on",
                "out_of_range",
                "a start day is at most a year ahead",
            )
            .into());
        }
        let after = Ramp {
            rep,
            started_on,
            targets: input.targets,
        };
        ramp::put(&mut tx, &after, now).await?;
        let view = self.ramp_view(rep, user.created_at.date_naive(), Some(after));
        let before_view = before.map(|b| self.ramp_view(rep, user.created_at.date_naive(), Some(b)));
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "ramp.update",
                entity_type: "user",
                entity_id: Some(rep.to_string()),
                before: before_view.as_ref(),
                after: Some(&view),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }
}
