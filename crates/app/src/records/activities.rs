//! Logging activities. Append-only: there is no edit or delete; a correction is a new activity
//! of the same kind that names the one it corrects, and an activity logged by mistake is
//! retracted by a new `retraction` entry naming it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{ActivityId, ActivityKind, DispositionList, NewActivity};
use prospector_store::WriteTx;
use prospector_store::records::activities::{self, Activity};
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{AccountId, OpportunityId, PersonId, catalogues};

use super::require_records;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// An activity as logged by a person.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    /// About this person.
    pub person_id: Option<PersonId>,
    /// About this account.
    pub account_id: Option<AccountId>,
    /// About this opportunity.
    pub opportunity_id: Option<OpportunityId>,
    /// When it happened (default now).
    pub occurred_at: Option<DateTime<Utc>>,
    /// What happened.
    pub detail: ActivityDetail,
    /// The activity this corrects.
    pub corrects_id: Option<ActivityId>,
}

impl App {
    /// Logs an activity (or a correction of one) on a record the actor may change.
    pub async fn log_activity(&self, actor: &Actor, input: ActivityInput) -> AppResult<Activity> {
        require_records(actor)?;
        if matches!(input.detail, ActivityDetail::StatusChange { .. }) {
            return Err(Invalid::new(
                "kind",
                "written_by_product",
                "status changes are recorded by moving the record's status, not logged by hand",
            )
            .into());
        }
        let now = self.now();
        let occurred_at = input.occurred_at.unwrap_or(now);
        let mut tx = self.store().begin().await?;
        let dispositions: DispositionList = catalogues::dispositions(&mut tx).await?;
        let (mut person_id, mut account_id, mut opportunity_id) =
            (input.person_id, input.account_id, input.opportunity_id);
        let new = match input.corrects_id {
            Some(picked_id) => {
                let picked = activities::get(&mut tx, picked_id).await?.ok_or_else(|| {
                    Invalid::new("corrects_id", "not_found", "corrects_id names no activity")
                })?;
                // A correction belongs where the original is.
                person_id = person_id.or(picked.person_id);
                account_id = account_id.or(picked.account_id);
                opportunity_id = opportunity_id.or(picked.opportunity_id);
                if (person_id, account_id, opportunity_id)
                    != (picked.person_id, picked.account_id, picked.opportunity_id)
                {
                    return Err(Invalid::new(
                        "corrects_id",
                        "different_record",
                        "a correction must be about the same record as the activity it corrects",
                    )
                    .into());
                }
                // Every correction and the retraction name the first version, so the rollups
                // take back exactly the version that counted.
                let root = match picked.kind {
                    ActivityKind::Retraction => picked_id,
                    _ => picked.corrects_id.unwrap_or(picked_id),
                };
                if picked.kind != ActivityKind::Retraction
                    && activities::retraction_of(&mut tx, root).await?.is_some()
                {
                    return Err(AppError::conflict(
                        "retracted",
                        "corrects_id",
                        "this activity was already deleted as logged by mistake",
                    ));
                }
                match input.detail {
                    ActivityDetail::Retraction { reason } => {
                        NewActivity::retraction(root, picked.kind, occurred_at, reason)?
                    }
                    detail => NewActivity::correction(root, picked.kind, occurred_at, detail, &dispositions)?,
                }
            }
            None => NewActivity::new(occurred_at, input.detail, &dispositions)?,
        };
        if person_id.is_none() && account_id.is_none() && opportunity_id.is_none() {
            return Err(Invalid::new(
                "person_id",
                "required",
                "say what the activity is about: person_id, account_id or opportunity_id",
            )
            .into());
        }
        if let Some(p) = person_id {
            let person = self.person_for(&mut tx, actor, None, p, true).await?;
            account_id = account_id.or(person.account_id);
        }
        if let Some(a) = input.account_id {
            self.account_for(&mut tx, actor, a, true).await?;
        }
        if let Some(o) = opportunity_id {
            self.opportunity_for(&mut tx, actor, o, true).await?;
        }
        let activity = Activity {
            id: ActivityId::new_at(now),
            kind: new.detail.kind(),
            person_id,
            account_id,
            opportunity_id,
            occurred_at: new.occurred_at,
            detail: new.detail,
            corrects_id: new.corrects,
            is_connect: new.is_connect,
            actor_id: actor.user_id(),
            created_at: now,
        };
        activities::insert(&mut tx, &activity).await?;
        // A call that booked a meeting ends the person's sequence (and makes them Qualifying).
        if let (Some(p), ActivityDetail::Call { disposition, .. }) = (person_id, &activity.detail)
            && disposition == "meeting_booked"
            && activity.corrects_id.is_none()
        {
            let event = prospector_core::sequence::Event::MeetingBooked { at: now };
            self.sequence_event_for_person(&mut tx, actor, p, &event, now)
                .await?;
        }
        if let Some(body) = activity.search_body() {
            search::put(&mut tx, DocKind::Activity, activity.id.0, &body).await?;
        }
        // What was logged by mistake is no longer found by search.
        if let (ActivityKind::Retraction, Some(root)) = (activity.kind, activity.corrects_id) {
            for id in activities::chain(&mut tx, root).await? {
                search::remove(&mut tx, id.0).await?;
            }
        }
        stop_clocks_on_touch(&mut tx, &activity).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "activity.create",
                entity_type: "activity",
                entity_id: Some(activity.id.to_string()),
                before: None,
                after: Some(&activity),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(activity)
    }

    /// Retracts activity `id` (with its corrections) as logged by mistake: a new entry, which
    /// every rollup takes back in the same transaction. Retracting twice is a 409; retracting a
    /// retraction or a status change a 422.
    pub async fn retract_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        reason: Option<String>,
    ) -> AppResult<Activity> {
        let input = ActivityInput {
            person_id: None,
            account_id: None,
            opportunity_id: None,
            occurred_at: None,
            detail: ActivityDetail::Retraction { reason },
            corrects_id: Some(id),
        };
        self.log_activity(actor, input).await
    }

    /// Which of `items` were deleted as logged by mistake (originals and their corrections).
    pub async fn retracted_among(&self, items: &[Activity]) -> AppResult<HashSet<ActivityId>> {
        Ok(activities::retracted_among(&mut self.store().reader(), items).await?)
    }

    /// One activity, when the actor may see the record it is about.
    pub async fn get_activity(&self, actor: &Actor, id: ActivityId) -> AppResult<Activity> {
        let mut reader = self.store().reader();
        let activity = activities::get(&mut reader, id)
            .await?
            .ok_or_else(|| AppError::NotFound("activity".into()))?;
        self.check_activity_visible(&mut reader, actor, &activity).await?;
        Ok(activity)
    }

    pub(crate) async fn check_activity_visible(
        &self,
        ex: &mut impl prospector_store::Exec,
        actor: &Actor,
        a: &Activity,
    ) -> AppResult<()> {
        let hidden = |e: AppError| match e {
            AppError::NotFound(_) | AppError::Forbidden(_) => AppError::NotFound("activity".into()),
            other => other,
        };
        if let Some(p) = a.person_id {
            self.person_for(ex, actor, None, p, false).await.map_err(hidden)?;
        } else if let Some(o) = a.opportunity_id {
            self.opportunity_for(ex, actor, o, false).await.map_err(hidden)?;
        } else if let Some(acc) = a.account_id {
            self.account_for(ex, actor, acc, false).await.map_err(hidden)?;
        }
        Ok(())
    }

    /// The call dispositions reps choose from.
    pub async fn call_dispositions(&self, actor: &Actor) -> AppResult<DispositionList> {
        require_records(actor)?;
        Ok(catalogues::dispositions(&mut self.store().reader()).await?)
    }
}

/// A call or email about a person is a first touch: stops the person's running SLA clocks in the
/// activity's transaction (at the first touch since each clock started), so a clock stops when the
/// rep acts rather than when someone next reads the clocks.
pub(crate) async fn stop_clocks_on_touch(tx: &mut WriteTx, activity: &Activity) -> AppResult<()> {
    if let Some(person) = activity.person_id
        && matches!(activity.kind, ActivityKind::Call | ActivityKind::Email)
    {
        crate::inbound::sla::stop_person_clocks(tx, person).await?;
    }
    Ok(())
}
