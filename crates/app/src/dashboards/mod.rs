//! Team-lead dashboards: the numbers of `core::metrics` summed from the day rollups for a period
//! and a slice (team, rep, source, segment), ramp attainment, speed to lead, the hygiene list,
//! and the weekly digest to each team lead.

pub mod digest;
pub mod ramp;
pub mod report;
mod scope;

pub use digest::{DIGEST, DigestHandler};
pub use report::{
    Bucket, Dashboard, ExitRow, FunnelRow, RepRow, SequenceStepRow, SpeedToLead, TimeInRow, Totals,
};
pub use scope::{ReportQuery, Scope};

use prospector_core::role::{Permission, Role};

use crate::{Actor, AppError, AppResult};

/// Team dashboards are for those who see the team: team leads and admins.
pub(crate) fn require_team_view(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::ViewTeam)
}

/// A rep sees their own dashboard; anyone who sees the team sees every rep's.
pub(crate) fn require_rep_view(actor: &Actor, rep: prospector_core::ids::UserId) -> AppResult<()> {
    if actor.user_id() == Some(rep) || actor.role().may(Permission::ViewTeam) || actor.role() == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "a rep sees only their own dashboard; ask your team lead for another rep's".into(),
        ))
    }
}

impl crate::App {
    /// The hygiene list of the scope's reps (a rep sees their own), oldest first, at most 100
    /// of each kind.
    pub async fn hygiene(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> AppResult<Vec<prospector_store::dashboards::hygiene::HygieneItem>> {
        match &scope.rep {
            Some(rep) => require_rep_view(actor, rep.id)?,
            None => require_team_view(actor)?,
        }
        let reps: Vec<_> = self.scope_reps(scope).await?.iter().map(|u| u.id).collect();
        let owners = (scope.rep.is_some() || scope.team.is_some()).then_some(reps.as_slice());
        Ok(
            prospector_store::dashboards::hygiene::list(&mut self.store().reader(), owners, self.now(), 100)
                .await?,
        )
    }
}

/// Registers the dashboard outbox handlers on `worker`.
pub fn register_handlers(worker: crate::outbox::Worker) -> crate::outbox::Worker {
    worker.with_handler(DIGEST, std::sync::Arc::new(DigestHandler))
}
