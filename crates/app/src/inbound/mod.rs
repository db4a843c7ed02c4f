//! Inbound: capturing hand-raisers from public forms, scoring them as data, routing them with a
//! recorded reason, timing the team's first touch in business time, and handing booked meetings to
//! AEs. Rules are `core::inbound` and `core::schedule`; this module stores, permits, notifies.
//!
//! First touch: the records use cases (`log_activity`) belong to another module and do not call
//! inbound, so a clock is stopped lazily — by [`App::stop_sla_clocks_for`], which every reader of
//! clocks (queue, report) and every SLA alarm handler calls before it trusts a running clock. A
//! call or sent email logged after the clock started stops it at the activity's time, so the
//! measured time to first touch is exact whenever it is looked at.

mod batch_reads;
pub mod calendars;
pub mod capture;
pub(crate) mod capture_batch;
mod capture_check;
pub mod config;
pub mod forms;
pub mod handoff;
pub mod rules;
pub mod sla;
mod writes;

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use prospector_core::role::Role;
use prospector_core::schedule::{BusinessCalendar, WorkingHours};
use prospector_store::inbound::{self as store, Notification, Settings};
use prospector_store::records::{OpportunityId, PersonId};
use prospector_store::{WriteTx, users};

use crate::mail::{self, Address, OutgoingEmail};
use crate::outbox::Worker;
use crate::{Actor, AppError, AppResult};

/// The outbox kind that warns at half time.
pub const SLA_WARNING: &str = "inbound.sla_warning";
/// The outbox kind that escalates a breach.
pub const SLA_BREACH: &str = "inbound.sla_breach";

/// Registers the inbound outbox handlers on `worker`.
pub fn register_handlers(worker: Worker) -> Worker {
    worker
        .with_handler(
            SLA_WARNING,
            std::sync::Arc::new(sla::AlarmHandler { breach: false }),
        )
        .with_handler(
            SLA_BREACH,
            std::sync::Arc::new(sla::AlarmHandler { breach: true }),
        )
}

/// The team's business calendar from the stored settings (validated when saved).
pub fn calendar_of(settings: &Settings) -> AppResult<BusinessCalendar> {
    let tz = BusinessCalendar::parse_time_zone("time_zone", &settings.time_zone)?;
    let hour = |h: i64| u32::try_from(h).unwrap_or(u32::MAX);
    let day = Some(WorkingHours::hours(
        hour(settings.work_start_hour),
        hour(settings.work_end_hour),
    )?);
    let week = [day, day, day, day, day, None, None];
    Ok(BusinessCalendar::new(
        tz,
        week,
        settings.holidays.iter().copied().collect(),
    )?)
}

/// Admins (and the command line) configure inbound.
pub(crate) fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.role() == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an admin changes inbound forms, rules and settings".into(),
        ))
    }
}

/// Roles that work inbound leads or watch them: admins, team leads, SDRs, marketing.
pub(crate) fn require_inbound_viewer(actor: &Actor) -> AppResult<()> {
    match actor.role() {
        Role::Admin | Role::TeamLead | Role::Sdr | Role::Marketing => Ok(()),
        other => Err(AppError::Forbidden(format!(
            "your role ({}) does not see the inbound queue",
            other.label()
        ))),
    }
}

/// Who to tell: a user id, or their team lead.
pub(crate) async fn team_lead_of(tx: &mut WriteTx, user: UserId) -> AppResult<Option<UserId>> {
    let Some(u) = users::user_by_id(tx, user).await? else {
        return Ok(None);
    };
    let Some(team) = u.team_id else {
        return Ok(None);
    };
    Ok(users::team_by_id(tx, team)
        .await?
        .and_then(|t| t.lead_id)
        .filter(|lead| *lead != user))
}

/// Tells `user` in the app and by email, inside `tx`.
pub(crate) async fn notify(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    user: UserId,
    kind: &str,
    message: &str,
    about: (Option<PersonId>, Option<OpportunityId>),
) -> AppResult<()> {
    let Some(u) = users::user_by_id(tx, user).await? else {
        return Ok(());
    };
    store::insert_notification(
        tx,
        &Notification {
            id: prospector_core::ids::uuid_v7_at(now),
            user_id: user,
            kind: kind.to_owned(),
            message: message.to_owned(),
            person_id: about.0,
            opportunity_id: about.1,
            created_at: now,
        },
    )
    .await?;
    let about = about
        .0
        .map(|p| ("person".to_owned(), p.to_string()))
        .or_else(|| about.1.map(|o| ("opportunity".to_owned(), o.to_string())));
    let email = OutgoingEmail {
        from_user_id: None,
        to: vec![Address {
            email: u.email.to_string(),
            name: Some(u.name.clone()),
        }],
        cc: Vec::new(),
        subject: message.chars().take(150).collect(),
        text: format!("{message}\n\nOpen Prospector's inbound queue to act on it."),
        html: None,
        calendar: None,
        message_id: mail::new_message_id(now, "prospector.local"),
        in_reply_to: None,
        headers: Vec::new(),
        about,
    };
    mail::enqueue_email(tx, now, &email, now).await
}
