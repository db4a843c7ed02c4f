//! Hand-off: booking a meeting from a lead or contact sends an ICS invitation to the AE and the
//! prospect and creates an opportunity at stage 0 for the AE, who accepts it (→ Discovery: an SAO,
//! the SDR credited, the accepted date set) or rejects it (→ Unqualified with a reason; the SDR's
//! team lead is told) within the hand-off SLA, reminded at half time and at the deadline.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::ids::UserId;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_core::records::{OpportunityStage, change_stage};
use prospector_core::role::Role;
use prospector_core::schedule::{InviteMethod, MeetingInvite, Participant, SlaKind, SlaPolicy, SlaTarget};
use prospector_store::inbound::{self as store, ClockFilter, Handoff};
use prospector_store::records::activities::Subject;
use prospector_store::records::opportunities::{self, Opportunity};
use prospector_store::records::{OpportunityId, PersonId};
use prospector_store::users;
use serde::Serialize;

use super::sla::start_clock;
use super::{notify, team_lead_of};
use crate::audit::{self, Change};
use crate::mail::{self, Address, CalendarPart, OutgoingEmail};
use crate::records::transition_error;
use crate::{Actor, App, AppError, AppResult};

/// A meeting to book.
#[derive(Debug, Clone)]
pub struct BookingInput {
    /// The lead or contact.
    pub person_id: PersonId,
    /// The AE who takes the meeting.
    pub ae_id: UserId,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Title (default: "Intro: <company> and <AE>").
    pub summary: Option<String>,
    /// Agenda.
    pub description: Option<String>,
    /// A room or video link.
    pub location: Option<String>,
}

/// A hand-off with its opportunity.
#[derive(Debug, Clone, Serialize)]
pub struct HandoffView {
    /// The hand-off.
    pub handoff: Handoff,
    /// Its opportunity.
    pub opportunity: Opportunity,
    /// The prospect's name.
    pub person_name: String,
    /// When the AE must decide by.
    pub due_at: Option<DateTime<Utc>>,
}

impl App {
    /// Books a meeting: an opportunity at stage 0 for the AE, an ICS invitation (METHOD:REQUEST)
    /// to the AE and the prospect, a meeting on the person's timeline, and the acceptance clock.
    pub async fn book_meeting(&self, actor: &Actor, input: BookingInput) -> AppResult<HandoffView> {
        crate::records::require_records(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let person = self
            .person_for(&mut tx, actor, None, input.person_id, true)
            .await?;
        let prospect_email = person.email.clone().ok_or_else(|| {
            Invalid::new(
                "person_id",
                "no_email",
                "the person has no email address to send the invitation to",
            )
        })?;
        let ae = users::user_by_id(&mut tx, input.ae_id)
            .await?
            .filter(|u| u.active && u.role == Role::Ae)
            .ok_or_else(|| Invalid::new("ae_id", "not_an_ae", "ae_id must be an active account executive"))?;
        let sdr_id = actor
            .as_user()
            .filter(|u| matches!(u.role, Role::Sdr | Role::TeamLead))
            .map(|u| u.id)
            .or(person.owner_id);
        let what = person.company.clone().unwrap_or_else(|| person.full_name());
        let summary = input
            .summary
            .clone()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("Intro: {what} and {}", ae.name));
        let opportunity = Opportunity {
            id: OpportunityId::new_at(now),
            name: format!("{what} – meeting {}", input.starts_at.format("%Y-%m-%d")),
            account_id: person.account_id,
            person_id: Some(person.id),
            stage: OpportunityStage::PendingAcceptance,
            stage_reason: None,
            ae_id: Some(ae.id),
            sdr_id,
            amount_cents: None,
            currency: "USD".into(),
            close_date: None,
            next_step: Some(format!(
                "Meeting on {} UTC",
                input.starts_at.format("%Y-%m-%d %H:%M")
            )),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let organizer = match actor.as_user() {
            Some(u) => Participant {
                name: u.name.clone(),
                email: u.email.clone(),
            },
            None => Participant {
                name: ae.name.clone(),
                email: ae.email.clone(),
            },
        };
        let invite = MeetingInvite {
            uid: format!("{}@prospector", opportunity.id),
            sequence: 0,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            summary: summary.clone(),
            description: input.description.clone().unwrap_or_default(),
            location: input.location.clone(),
            organizer,
            ae: Participant {
                name: ae.name.clone(),
                email: ae.email.clone(),
            },
            prospect: Participant {
                name: person.full_name(),
                email: prospect_email.clone(),
            },
        };
        invite.validate()?;
        let ics = invite.to_ics(InviteMethod::Request, now);
        opportunities::insert(&mut tx, &opportunity).await?;
        let address = |e: &Email, name: String| Address {
            email: e.to_string(),
            name: Some(name),
        };
        let email = OutgoingEmail {
            from_user_id: actor.user_id().map(|u| u.to_string()),
            to: vec![
                address(&prospect_email, person.full_name()),
                address(&ae.email, ae.name.clone()),
            ],
            cc: Vec::new(),
            subject: format!("Invitation: {summary}"),
            text: format!(
                "{summary}\n{} – {} UTC\n\n{}",
                input.starts_at.format("%Y-%m-%d %H:%M"),
                input.ends_at.format("%H:%M"),
                input.description.clone().unwrap_or_default()
            ),
            html: None,
            calendar: Some(CalendarPart {
                method: "REQUEST".into(),
                ics,
            }),
            message_id: mail::new_message_id(now, "prospector.local"),
            in_reply_to: None,
            headers: Vec::new(),
            about: Some(("opportunity".into(), opportunity.id.to_string())),
        };
        mail::enqueue_email(&mut tx, now, &email, now).await?;
        self.append_activity(
            &mut tx,
            actor,
            Subject::Person(person.id),
            person.account_id,
            ActivityDetail::Meeting {
                starts_at: input.starts_at,
                notes: Some(format!("{summary} with {}", ae.name)),
            },
            now,
        )
        .await?;
        let handoff = Handoff {
            opportunity_id: opportunity.id,
            person_id: person.id,
            ae_id: ae.id,
            sdr_id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            booked_at: now,
            decision: None,
            decided_at: None,
            accepted_at: None,
            reason: None,
        };
        store::insert_handoff(&mut tx, &handoff).await?;
        let config = self.inbound_config_in(&mut tx).await?;
        let policy = SlaPolicy {
            kind: SlaKind::HandoffAcceptance,
            target: SlaTarget::BusinessDays(config.settings.handoff_sla_days),
        };
        // The AE's clock runs on the AE's calendar.
        let calendar = super::sla::calendar_for(&mut tx, &config, Some(ae.id)).await?;
        let clock = start_clock(
            &mut tx,
            &calendar,
            policy,
            (None, Some(opportunity.id)),
            Some(ae.id),
            person.source.clone(),
            now,
        )
        .await?;
        let message = format!(
            "New hand-off: {summary}. Accept or reject it by {} UTC.",
            clock.due_at.format("%Y-%m-%d %H:%M")
        );
        notify(
            &mut tx,
            now,
            ae.id,
            "handoff_booked",
            &message,
            (Some(person.id), Some(opportunity.id)),
        )
        .await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "handoff.book",
                entity_type: "opportunity",
                entity_id: Some(opportunity.id.to_string()),
                before: None,
                after: Some(&handoff),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(HandoffView {
            handoff,
            opportunity,
            person_name: person.full_name(),
            due_at: Some(clock.due_at),
        })
    }

    /// The AE accepts (`reason` none → Discovery, an SAO) or rejects (→ Unqualified with a reason;
    /// the SDR's team lead is told). Only the hand-off's AE (or an admin) decides, once (409 after).
    pub async fn decide_handoff(
        &self,
        actor: &Actor,
        id: OpportunityId,
        accept: bool,
        reason: Option<&str>,
    ) -> AppResult<HandoffView> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.opportunity_for(&mut tx, actor, id, true).await?;
        let mut handoff = store::handoff(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("hand-off".into()))?;
        if actor.role() != Role::Admin && actor.user_id() != Some(handoff.ae_id) {
            return Err(AppError::Forbidden(
                "only the hand-off's AE accepts or rejects it".into(),
            ));
        }
        if handoff.decision.is_some() {
            return Err(AppError::conflict(
                "already_decided",
                "decision",
                format!(
                    "this hand-off was {} already",
                    handoff.decision.clone().unwrap_or_default()
                ),
            ));
        }
        let to = if accept {
            OpportunityStage::Discovery
        } else {
            OpportunityStage::Unqualified
        };
        let change = change_stage(before.stage, to, reason, &default_opportunity_reasons())
            .map_err(transition_error)?;
        let mut after = before.clone();
        after.stage = change.to;
        after.stage_reason = change.reason.clone();
        after.updated_at = now;
        after.version = before.version + 1;
        opportunities::update(&mut tx, &after).await?;
        self.append_activity(
            &mut tx,
            actor,
            Subject::Opportunity(id),
            before.account_id,
            ActivityDetail::StatusChange {
                from: change.from.code().into(),
                to: change.to.code().into(),
                reason: change.reason.clone(),
            },
            now,
        )
        .await?;
        handoff.decision = Some(if accept { "accepted" } else { "rejected" }.into());
        handoff.decided_at = Some(now);
        handoff.accepted_at = accept.then_some(now);
        handoff.reason = change.reason.clone();
        store::decide_handoff(&mut tx, &handoff).await?;
        for clock in store::clocks(&mut tx, ClockFilter::Opportunity(id), 10).await? {
            store::stop_clock(&mut tx, clock.id, now, Some(now)).await?;
        }
        let person = prospector_store::records::people::get(&mut tx, handoff.person_id).await?;
        let who = person.map_or_else(|| "a prospect".into(), |p| p.full_name());
        if change.notify_team_lead
            && let Some(sdr) = handoff.sdr_id
        {
            let message = format!(
                "Hand-off rejected: the meeting with {who} ({}) was rejected as unqualified: {}.",
                after.name,
                change.reason.clone().unwrap_or_default()
            );
            if let Some(lead) = team_lead_of(&mut tx, sdr).await? {
                notify(
                    &mut tx,
                    now,
                    lead,
                    "handoff_rejected",
                    &message,
                    (Some(handoff.person_id), Some(id)),
                )
                .await?;
            }
            notify(
                &mut tx,
                now,
                sdr,
                "handoff_rejected",
                &message,
                (Some(handoff.person_id), Some(id)),
            )
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: if accept {
                    "handoff.accept"
                } else {
                    "handoff.reject"
                },
                entity_type: "opportunity",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(HandoffView {
            handoff,
            opportunity: after,
            person_name: who,
            due_at: None,
        })
    }

    /// Hand-offs for the actor when an AE (everyone's for admins and team leads), undecided first.
    pub async fn handoffs(&self, actor: &Actor) -> AppResult<Vec<HandoffView>> {
        let ae = match actor.role() {
            Role::Admin | Role::TeamLead => None,
            Role::Ae | Role::Sdr => actor.user_id(),
            other => {
                return Err(AppError::Forbidden(format!(
                    "your role ({}) has no hand-offs",
                    other.label()
                )));
            }
        };
        let mut reader = self.store().reader();
        let mut list =
            store::handoffs(&mut reader, if actor.role() == Role::Ae { ae } else { None }, 200).await?;
        if actor.role() == Role::Sdr {
            list.retain(|h| h.sdr_id == ae);
        }
        let mut views = Vec::with_capacity(list.len());
        for h in list {
            let Some(opportunity) = opportunities::get(&mut reader, h.opportunity_id).await? else {
                continue;
            };
            let person_name = prospector_store::records::people::get(&mut reader, h.person_id)
                .await?
                .map_or_else(String::new, |p| p.full_name());
            let due_at = store::clocks(&mut reader, ClockFilter::Opportunity(h.opportunity_id), 1)
                .await?
                .first()
                .map(|c| c.due_at);
            views.push(HandoffView {
                handoff: h,
                opportunity,
                person_name,
                due_at,
            });
        }
        Ok(views)
    }
}
