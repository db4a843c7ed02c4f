//! What every outbound use case shares: loading a sequence's definition, reading and writing the
//! enrollment's state machine, and carrying out the effects a transition returns — inside the
//! caller's transaction, so the state and its consequences commit together.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::lifecycle::{self, LeadStatus};
use prospector_core::sequence::enrollment::lead_status;
use prospector_core::sequence::{
    Effect, Enrollment, EnrollmentState, Event, SequenceDefinition, SequenceDraft, SequenceSettings,
    Transition, due_at,
};
use prospector_core::template::TemplateContext;
use prospector_store::WriteTx;
use prospector_store::mail::MailboxRow;
use prospector_store::records::activities::Subject;
use prospector_store::records::people::{self, Person};
use prospector_store::records::{PersonId, catalogues};
use prospector_store::sequences::{self, EnrollmentRow, SequenceRow};
use prospector_store::users::User;

use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A sequence row and its parsed definition.
#[derive(Debug, Clone)]
pub(crate) struct LoadedSequence {
    pub row: SequenceRow,
    pub def: SequenceDefinition,
}

pub(crate) fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Parses a stored sequence (it was checked when saved).
pub(crate) fn definition_of(row: &SequenceRow) -> AppResult<SequenceDefinition> {
    let settings: SequenceSettings = serde_json::from_value(row.settings.clone()).map_err(internal)?;
    let draft = SequenceDraft {
        name: row.name.clone(),
        steps: row.steps.clone(),
        settings,
    };
    Ok(SequenceDefinition::parse(&draft)?)
}

pub(crate) async fn load_sequence(
    tx: &mut impl prospector_store::Exec,
    id: uuid::Uuid,
) -> AppResult<LoadedSequence> {
    let row = sequences::sequence(tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("sequence".into()))?;
    let def = definition_of(&row)?;
    Ok(LoadedSequence { row, def })
}

/// The recipient's time zone; UTC when the record has none (or an unknown one).
pub(crate) fn tz_of(zone: Option<&str>) -> Tz {
    zone.and_then(|z| z.trim().parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// Someone changed the enrollment since it was read.
pub(crate) fn stale_enrollment() -> AppError {
    AppError::Conflict {
        code: "stale_version",
        message: "the enrollment was changed by someone else; reload and try again".into(),
        field: Some("version".into()),
    }
}

pub(crate) fn machine_of(row: &EnrollmentRow) -> AppResult<Enrollment> {
    serde_json::from_value(row.machine.clone()).map_err(internal)
}

/// Copies the machine into the row (and its query columns), bumping the version.
pub(crate) fn store_machine(row: &mut EnrollmentRow, m: &Enrollment, now: DateTime<Utc>) -> AppResult<()> {
    row.machine = serde_json::to_value(m).map_err(internal)?;
    row.next_step = i64::try_from(m.next_step).unwrap_or(i64::MAX);
    match m.state {
        EnrollmentState::Active => {
            row.status = "active".into();
            row.reason = None;
            row.finished_at = None;
        }
        EnrollmentState::Paused { reason, .. } => {
            row.status = "paused".into();
            row.reason = Some(reason.code().into());
            row.next_due_at = None;
        }
        EnrollmentState::Finished { reason, at } => {
            row.status = "finished".into();
            row.reason = Some(reason.code().into());
            row.finished_at = Some(at);
            row.next_due_at = None;
            row.resume_at = None;
        }
    }
    if !matches!(
        m.state,
        EnrollmentState::Paused {
            resume_on: Some(_),
            ..
        }
    ) {
        row.resume_at = None;
    }
    row.updated_at = now;
    row.version += 1;
    Ok(())
}

/// The values a template sees: the person's record and the sending rep.
pub(crate) fn template_context(
    person: &Person,
    sender: Option<&User>,
    mailbox: Option<&MailboxRow>,
    unsubscribe_url: Option<String>,
) -> TemplateContext {
    let sender_name = mailbox
        .and_then(|m| m.from_name.clone())
        .or_else(|| sender.map(|u| u.name.clone()));
    TemplateContext {
        first_name: person.first_name.clone(),
        last_name: person.last_name.clone(),
        full_name: Some(person.full_name()).filter(|n| !n.trim().is_empty()),
        email: person.email.as_ref().map(|e| e.as_str().to_owned()),
        title: person.title.clone(),
        company: person.company.clone(),
        account_name: person.company.clone(),
        country: person.country.clone(),
        sender_first_name: sender_name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
            .map(str::to_owned),
        sender_name,
        sender_email: mailbox
            .map(|m| m.from_email.clone())
            .or_else(|| sender.map(|u| u.email.as_str().to_owned())),
        unsubscribe_url,
        ..TemplateContext::default()
    }
}

impl App {
    /// Seeds the shipped templates and the default 8-touch cadence once; harmless to repeat.
    pub async fn ensure_outbound_defaults(&self) -> AppResult<()> {
        let mut reader = self.store().reader();
        let seeded = sequences::sequences(&mut reader)
            .await?
            .iter()
            .any(|s| s.is_default);
        if seeded {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        super::templates::seed_default_templates(&mut tx, now).await?;
        let def = prospector_core::sequence::default_cadence()?;
        let draft = SequenceDraft::from(def);
        let row = SequenceRow {
            id: prospector_core::ids::uuid_v7_at(now),
            name: draft.name.clone(),
            settings: serde_json::to_value(&draft.settings).map_err(internal)?,
            is_default: true,
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
            steps: draft.steps,
        };
        sequences::insert_sequence(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies `event` to an enrollment and carries out what follows, in `tx`. Returns the
    /// transition's effects, already applied.
    pub(crate) async fn apply_event(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        row: &mut EnrollmentRow,
        seq: &LoadedSequence,
        event: &Event,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<Effect>> {
        let machine = machine_of(row)?;
        let Transition { enrollment, effects } = machine.apply(event, seq.def.settings().on_reply)?;
        self.commit_transition(tx, actor, row, seq, &enrollment, &effects, now, None)
            .await?;
        Ok(effects)
    }

    /// [`Self::apply_event`] for a caller that has just read the person (the sweep reads a batch's
    /// people at once), so it is not read again.
    #[allow(clippy::too_many_arguments)] // one transaction's worth of context, passed through once
    pub(crate) async fn apply_event_for(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        row: &mut EnrollmentRow,
        seq: &LoadedSequence,
        event: &Event,
        now: DateTime<Utc>,
        person: &Person,
    ) -> AppResult<Vec<Effect>> {
        let effects = self
            .apply_event_unwritten(tx, actor, row, seq, event, now, person)
            .await?;
        if !sequences::update_enrollment(tx, row).await? {
            return Err(stale_enrollment());
        }
        Ok(effects)
    }

    /// [`Self::apply_event_for`] without writing the enrollment back: the caller writes `row`
    /// (the sweep writes a whole batch's enrollments in one statement, with the version check).
    #[allow(clippy::too_many_arguments)] // one transaction's worth of context, passed through once
    pub(crate) async fn apply_event_unwritten(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        row: &mut EnrollmentRow,
        seq: &LoadedSequence,
        event: &Event,
        now: DateTime<Utc>,
        person: &Person,
    ) -> AppResult<Vec<Effect>> {
        let machine = machine_of(row)?;
        let Transition { enrollment, effects } = machine.apply(event, seq.def.settings().on_reply)?;
        self.apply_effects(tx, actor, row, seq, &enrollment, &effects, now, Some(person))
            .await?;
        Ok(effects)
    }

    /// Stores the new machine and applies its effects, then writes the row back. `known_person` is
    /// the enrollment's person when the caller has just read it; otherwise it is read here.
    #[allow(clippy::too_many_arguments)] // one transaction's worth of context, passed through once
    pub(crate) async fn commit_transition(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        row: &mut EnrollmentRow,
        seq: &LoadedSequence,
        enrollment: &Enrollment,
        effects: &[Effect],
        now: DateTime<Utc>,
        known_person: Option<&Person>,
    ) -> AppResult<()> {
        self.apply_effects(tx, actor, row, seq, enrollment, effects, now, known_person)
            .await?;
        if !sequences::update_enrollment(tx, row).await? {
            return Err(stale_enrollment());
        }
        Ok(())
    }

    /// Stores the new machine in `row` and applies the effects (in `tx`, and on `row`'s copies).
    #[allow(clippy::too_many_arguments)] // one transaction's worth of context, passed through once
    async fn apply_effects(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        row: &mut EnrollmentRow,
        seq: &LoadedSequence,
        enrollment: &Enrollment,
        effects: &[Effect],
        now: DateTime<Utc>,
        known_person: Option<&Person>,
    ) -> AppResult<()> {
        store_machine(row, enrollment, now)?;
        let person = match known_person {
            Some(p) => Some(p.clone()),
            None => people::get(tx, row.person_id).await?,
        };
        let tz = tz_of(person.as_ref().and_then(|p| p.time_zone.as_deref()));
        let settings = seq.def.settings();
        for effect in effects {
            match effect {
                Effect::MoveLeadTo { status, reason } => {
                    self.move_person(tx, actor, row.person_id, status, reason.as_deref(), now)
                        .await?;
                }
                Effect::SuppressAddress { reason } => {
                    if let Some(p) = &person {
                        self.suppress_person(tx, p, reason, now).await?;
                    }
                }
                Effect::CancelPendingSteps => {
                    sequences::cancel_open(tx, row.id, now).await?;
                    row.next_due_at = None;
                }
                Effect::ScheduleStep { step, anchor } => {
                    row.next_due_at = seq
                        .def
                        .steps()
                        .get(*step)
                        .map(|s| due_at(s, *anchor, tz, settings));
                }
                Effect::ScheduleRecycleNoResponse { at } => row.recycle_at = Some(*at),
                Effect::CancelRecycleNoResponse => row.recycle_at = None,
                Effect::ResumeAt { date } => {
                    let opens = date.and_time(settings.sending_window.start());
                    row.resume_at = Some(prospector_core::sequence::schedule::local_instant(tz, opens));
                }
            }
        }
        Ok(())
    }

    /// Something happened to a person outside their sequence (a rep set an exit status, a call
    /// booked a meeting): their live enrollment, if any, reacts in the caller's transaction.
    pub(crate) async fn sequence_event_for_person(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        person: PersonId,
        event: &Event,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(mut row) = sequences::live_enrollment(tx, person).await? else {
            return Ok(());
        };
        let seq = load_sequence(tx, row.sequence_id).await?;
        self.apply_event(tx, actor, &mut row, &seq, event, now).await?;
        Ok(())
    }

    /// Never email this person's address again; an unsubscribe also marks the record.
    pub(crate) async fn suppress_person(
        &self,
        tx: &mut WriteTx,
        person: &Person,
        reason: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        if let Some(email) = &person.email {
            sequences::suppress(tx, &email.fold_gmail(), reason, now).await?;
        }
        if reason == "unsubscribed" && !person.unsubscribed {
            let mut after = people::get(tx, person.id)
                .await?
                .ok_or_else(|| AppError::NotFound("person".into()))?;
            after.unsubscribed = true;
            after.updated_at = now;
            after.version += 1;
            people::update(tx, &after).await?;
        }
        Ok(())
    }

    /// Moves the person's lifecycle status as a sequence event does: only when the lifecycle
    /// allows it (a Qualified lead is not moved back to Qualifying), with the status-change
    /// activity and the audit entry.
    pub(crate) async fn move_person(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        id: PersonId,
        status: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let Some(before) = people::get(tx, id).await? else {
            return Ok(false);
        };
        let from = before.status;
        let moved = match status {
            lead_status::ACCEPTED => lifecycle::on_enrolled(from),
            lead_status::QUALIFYING => lifecycle::on_reply(from),
            lead_status::DISQUALIFIED => lifecycle::on_unsubscribe(from),
            // The sweep calls this when the recycle instant has come.
            "recycle" => lifecycle::on_sequence_finished_without_reply(
                from,
                now - lifecycle::RECYCLE_AFTER_NO_REPLY,
                now,
            ),
            other => {
                let to = LeadStatus::parse("status", other)?;
                let catalogue = catalogues::lead_reasons(tx).await?;
                lifecycle::transition(from, to, reason, &catalogue).ok()
            }
        };
        let Some(moved) = moved else {
            return Ok(false);
        };
        let mut after = before.clone();
        after.status = moved.to;
        after.status_reason = moved.reason.clone();
        after.updated_at = now;
        after.version += 1;
        people::update(tx, &after).await?;
        let detail = ActivityDetail::StatusChange {
            from: moved.from.code().into(),
            to: moved.to.code().into(),
            reason: moved.reason.clone(),
        };
        self.append_activity(tx, actor, Subject::Person(id), None, detail, now)
            .await?;
        audit::record(
            tx,
            actor,
            now,
            Change {
                action: "lead.status",
                entity_type: "lead",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        Ok(true)
    }
}
