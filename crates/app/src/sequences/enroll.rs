//! Enrolling people (one, a list, or a bulk selection, each refusal reported with its reason) and
//! pausing, resuming and finishing by hand.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::sequence::{Enrollment, Event, PersonFacts, can_enroll};
use prospector_store::records::PersonId;
use prospector_store::sequences::{self, EnrollmentRow, ExecutionRow};
use prospector_store::{StoreError, WriteTx};
use rand::RngCore;
use uuid::Uuid;

use super::engine::{LoadedSequence, load_sequence, machine_of};
use crate::audit::{self, Change};
use crate::records::require_records;
use crate::{Actor, App, AppError, AppResult};

/// The most people one enrollment request takes.
pub const ENROLL_MAX: usize = 500;

/// One person a request did not enroll.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// Who.
    pub person_id: PersonId,
    /// Their name, when the actor may see them.
    pub name: Option<String>,
    /// `unsubscribed`, `already_enrolled`, `recently_contacted`, `not_found`, …
    pub code: String,
    /// Why, in a sentence.
    pub message: String,
}

/// What an enrollment request did.
#[derive(Debug, Default)]
pub struct EnrollOutcome {
    /// The new enrollments.
    pub enrolled: Vec<EnrollmentRow>,
    /// Everyone refused, with the reason.
    pub refused: Vec<Refusal>,
}

/// A manual action on an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualAction {
    /// Pause until resumed.
    Pause,
    /// Resume a paused enrollment (remaining steps keep their spacing).
    Resume,
    /// End it now.
    Finish,
}

impl ManualAction {
    /// Parses `pause`, `resume` or `finish`.
    pub fn parse(raw: &str) -> Result<ManualAction, Invalid> {
        match raw.trim() {
            "pause" => Ok(ManualAction::Pause),
            "resume" => Ok(ManualAction::Resume),
            "finish" => Ok(ManualAction::Finish),
            other => Err(Invalid::unknown_value(
                "action",
                other,
                &["pause", "resume", "finish"],
            )),
        }
    }
}

/// A fresh unguessable URL-safe token (unsubscribe links, open-tracking pixels).
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The enrollment as audited.
pub(crate) fn audit_view(row: &EnrollmentRow) -> serde_json::Value {
    serde_json::json!({
        "id": row.id, "sequence_id": row.sequence_id, "person_id": row.person_id.to_string(),
        "owner_id": row.owner_id.to_string(), "status": row.status, "reason": row.reason,
        "next_step": row.next_step,
    })
}

impl App {
    /// Enrolls each person in `sequence_id`, worked by `owner` (default: the actor). Each person
    /// is checked and enrolled in their own transaction; refusals are reported, never half-silent.
    pub async fn enroll(
        &self,
        actor: &Actor,
        sequence_id: Uuid,
        person_ids: &[PersonId],
        owner: Option<UserId>,
    ) -> AppResult<EnrollOutcome> {
        require_records(actor)?;
        if person_ids.is_empty() {
            return Err(Invalid::new("person_ids", "required", "choose at least one person").into());
        }
        if person_ids.len() > ENROLL_MAX {
            let message = format!("enroll at most {ENROLL_MAX} people at once");
            return Err(Invalid::new("person_ids", "too_many", message).into());
        }
        let owner = owner
            .or_else(|| actor.user_id())
            .ok_or_else(|| Invalid::required("owner_id"))?;
        let seq = load_sequence(&mut self.store().reader(), sequence_id).await?;
        let mut outcome = EnrollOutcome::default();
        for id in person_ids {
            match self.enroll_one(actor, &seq, *id, owner).await {
                Ok(row) => outcome.enrolled.push(row),
                Err(e @ (AppError::Unavailable(_) | AppError::Internal(_))) => return Err(e),
                Err(e) => {
                    let name = self
                        .person_for(&mut self.store().reader(), actor, None, *id, false)
                        .await
                        .ok()
                        .map(|p| p.full_name());
                    let (code, message) = refusal_of(&e);
                    outcome.refused.push(Refusal {
                        person_id: *id,
                        name,
                        code,
                        message,
                    });
                }
            }
        }
        Ok(outcome)
    }

    async fn enroll_one(
        &self,
        actor: &Actor,
        seq: &LoadedSequence,
        id: PersonId,
        owner: UserId,
    ) -> AppResult<EnrollmentRow> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let person = self.person_for(&mut tx, actor, None, id, true).await?;
        let suppressed = match &person.email {
            Some(e) => sequences::suppression(&mut tx, &e.fold_gmail()).await?.is_some(),
            None => false,
        };
        let facts = PersonFacts {
            unsubscribed: person.unsubscribed || suppressed,
            active_enrollment_elsewhere: sequences::live_enrollment(&mut tx, id).await?.is_some(),
            last_finished_at: sequences::last_finished_at(&mut tx, id).await?,
        };
        can_enroll(&facts, seq.def.settings().recontact_window_days, now).map_err(Invalid::from)?;
        let start = Enrollment::start(seq.def.steps().len(), now)?;
        let mut row = EnrollmentRow {
            id: prospector_core::ids::uuid_v7_at(now),
            sequence_id: seq.row.id,
            person_id: id,
            owner_id: owner,
            machine: serde_json::Value::Null,
            status: "active".into(),
            reason: None,
            next_step: 0,
            next_due_at: None,
            resume_at: None,
            recycle_at: None,
            unsubscribe_token: new_token(),
            enrolled_at: now,
            finished_at: None,
            updated_at: now,
            version: 0,
        };
        super::engine::store_machine(&mut row, &start.enrollment, now)?;
        sequences::insert_enrollment(&mut tx, &row)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => AppError::from(Invalid::from(
                    prospector_core::sequence::EnrollRefusal::AlreadyEnrolled,
                )),
                other => other.into(),
            })?;
        // The insert was version 1; effects write it back as version 2.
        self.commit_transition(
            &mut tx,
            actor,
            &mut row,
            seq,
            &start.enrollment,
            &start.effects,
            now,
            Some(&person),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "enrollment.create",
                entity_type: "enrollment",
                entity_id: Some(row.id.to_string()),
                before: None,
                after: Some(&audit_view(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Pauses, resumes or finishes an enrollment by hand; refused with the reason when it makes
    /// no sense (resuming a finished one).
    pub async fn act_on_enrollment(
        &self,
        actor: &Actor,
        id: Uuid,
        action: ManualAction,
    ) -> AppResult<EnrollmentRow> {
        require_records(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut row = self.enrollment_for(&mut tx, actor, id).await?;
        let before = audit_view(&row);
        let seq = load_sequence(&mut tx, row.sequence_id).await?;
        let event = match action {
            ManualAction::Pause => Event::PauseByHand { at: now },
            ManualAction::Resume => Event::ResumeByHand { at: now },
            ManualAction::Finish => Event::FinishByHand { at: now },
        };
        self.apply_event(&mut tx, actor, &mut row, &seq, &event, now)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "enrollment.update",
                entity_type: "enrollment",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&audit_view(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// An enrollment the actor may see (through its person).
    pub(crate) async fn enrollment_for(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<EnrollmentRow> {
        let row = sequences::enrollment(tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("enrollment".into()))?;
        self.person_for(tx, actor, None, row.person_id, true).await?;
        Ok(row)
    }

    /// One enrollment with its steps so far.
    pub async fn get_enrollment(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<(EnrollmentRow, Vec<ExecutionRow>)> {
        require_records(actor)?;
        let mut reader = self.store().reader();
        let row = sequences::enrollment(&mut reader, id)
            .await?
            .ok_or_else(|| AppError::NotFound("enrollment".into()))?;
        self.person_for(&mut reader, actor, None, row.person_id, false)
            .await?;
        let steps = sequences::executions_of(&mut reader, id).await?;
        Ok((row, steps))
    }

    /// A person's enrollment history, newest first, with each one's steps.
    pub async fn person_enrollments(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> AppResult<Vec<(EnrollmentRow, String, Vec<ExecutionRow>)>> {
        require_records(actor)?;
        let mut reader = self.store().reader();
        self.person_for(&mut reader, actor, None, person, false).await?;
        let mut out = Vec::new();
        for row in sequences::person_enrollments(&mut reader, person).await? {
            let name = sequences::sequence(&mut reader, row.sequence_id)
                .await?
                .map(|s| s.name)
                .unwrap_or_default();
            let steps = sequences::executions_of(&mut reader, row.id).await?;
            out.push((row, name, steps));
        }
        Ok(out)
    }

    /// When the person may be enrolled again, for pages that offer the button.
    pub async fn enroll_blocked_until(&self, person: PersonId) -> AppResult<Option<DateTime<Utc>>> {
        Ok(sequences::last_finished_at(&mut self.store().reader(), person).await?)
    }
}

fn refusal_of(e: &AppError) -> (String, String) {
    match e {
        AppError::Invalid(i) => (i.code.to_owned(), i.message.clone()),
        AppError::NotFound(what) => ("not_found".into(), format!("no such {what}")),
        AppError::Forbidden(m) => ("forbidden".into(), m.clone()),
        AppError::Conflict { code, message, .. } => ((*code).to_owned(), message.clone()),
        other => ("error".into(), other.to_string()),
    }
}

/// Checks a machine can be read (used by pages to show the state).
pub fn describe(row: &EnrollmentRow) -> AppResult<Enrollment> {
    machine_of(row)
}
