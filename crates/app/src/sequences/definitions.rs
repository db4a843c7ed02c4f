//! Sequences as people build them: ordered steps with day offsets and a template or call script,
//! sending window, business days, holidays, reply behaviour and re-contact window. Saving checks
//! the whole definition and that every email step names a template that exists.

use prospector_core::Invalid;
use prospector_core::sequence::{SequenceDefinition, SequenceDraft};
use prospector_store::Exec;
use prospector_store::sequences::{self, EnrollmentRow, SequenceRow};
use uuid::Uuid;

use super::engine::{LoadedSequence, internal, load_sequence};
use crate::audit::{self, Change};
use crate::records::require_records;
use crate::{Actor, App, AppResult};

/// What one step achieved so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StepResults {
    /// Automatic emails handed to the mailbox, and manual steps done.
    pub sent: i64,
    /// Automatic emails sent with a tracking pixel (the sequence tracks opens).
    pub tracked: i64,
    /// Tracked emails opened at least once.
    pub opened: i64,
    /// Emails that drew a reply.
    pub replied: i64,
    /// Emails that bounced.
    pub bounced: i64,
    /// Calls made.
    pub calls: i64,
    /// Calls that reached the person.
    pub connects: i64,
    /// Waiting for the rep.
    pub open: i64,
    /// Skipped (no address, suppressed) or cancelled when the enrollment ended.
    pub skipped: i64,
}

/// A sequence with its numbers.
#[derive(Debug, Clone)]
pub struct SequenceSummary {
    /// The stored sequence.
    pub row: SequenceRow,
    /// Its definition.
    pub def: SequenceDefinition,
    /// Enrollments by status: active, paused, finished.
    pub active: i64,
    /// Paused.
    pub paused: i64,
    /// Finished.
    pub finished: i64,
    /// Results per step, in step order.
    pub steps: Vec<StepResults>,
}

async fn check_templates(ex: &mut impl Exec, def: &SequenceDefinition) -> AppResult<()> {
    for (i, step) in def.steps().iter().enumerate() {
        if let Some(t) = &step.template_id
            && sequences::template(ex, t).await?.is_none()
        {
            return Err(Invalid::new(
                format!("steps[{i}].template_id"),
                "unknown_template",
                format!("step {} uses template '{t}', which does not exist", i + 1),
            )
            .into());
        }
    }
    Ok(())
}

fn row_of(
    id: Uuid,
    def: &SequenceDefinition,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<SequenceRow> {
    let draft = SequenceDraft::from(def.clone());
    Ok(SequenceRow {
        id,
        name: draft.name,
        settings: serde_json::to_value(&draft.settings).map_err(internal)?,
        is_default: false,
        created_by: actor.user_id(),
        created_at: now,
        updated_at: now,
        version: 1,
        steps: draft.steps,
    })
}

fn audit_view(def: &SequenceDefinition) -> serde_json::Value {
    serde_json::to_value(SequenceDraft::from(def.clone())).unwrap_or_default()
}

impl App {
    /// Every sequence with its enrollment counts and per-step results.
    pub async fn list_sequences(&self, actor: &Actor) -> AppResult<Vec<SequenceSummary>> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        let mut reader = self.store().reader();
        let mut out = Vec::new();
        for row in sequences::sequences(&mut reader).await? {
            out.push(self.summary(&mut reader, row.id).await?);
        }
        Ok(out)
    }

    /// Every sequence's id and name, for choosers (no numbers: cheap enough for every list page).
    pub async fn sequence_choices(&self, actor: &Actor) -> AppResult<Vec<(Uuid, String)>> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        let rows = sequences::sequences(&mut self.store().reader()).await?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }

    /// One sequence with its numbers.
    pub async fn get_sequence(&self, actor: &Actor, id: Uuid) -> AppResult<SequenceSummary> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        self.summary(&mut self.store().reader(), id).await
    }

    async fn summary(&self, ex: &mut impl Exec, id: Uuid) -> AppResult<SequenceSummary> {
        let LoadedSequence { row, def } = load_sequence(ex, id).await?;
        let mut s = SequenceSummary {
            steps: vec![StepResults::default(); def.steps().len()],
            row,
            def,
            active: 0,
            paused: 0,
            finished: 0,
        };
        for (status, n) in sequences::enrollment_counts(ex, id).await? {
            match status.as_str() {
                "active" => s.active = n,
                "paused" => s.paused = n,
                _ => s.finished += n,
            }
        }
        for (index, status, outcome, connect, n) in sequences::step_results(ex, id).await? {
            let Some(r) = usize::try_from(index).ok().and_then(|i| s.steps.get_mut(i)) else {
                continue;
            };
            let is_call = s
                .def
                .steps()
                .get(usize::try_from(index).unwrap_or(usize::MAX))
                .is_some_and(|st| st.kind == prospector_core::sequence::StepKind::Call);
            match status.as_str() {
                "sent" | "done" => {
                    r.sent += n;
                    if is_call && status == "done" {
                        r.calls += n;
                    }
                }
                "open" => r.open += n,
                _ => r.skipped += n,
            }
            match outcome.as_deref() {
                Some("replied") => r.replied += n,
                Some("bounced") => r.bounced += n,
                _ => {}
            }
            if connect {
                r.connects += n;
            }
        }
        for (index, tracked, opened) in sequences::open_results(ex, id).await? {
            if let Some(r) = usize::try_from(index).ok().and_then(|i| s.steps.get_mut(i)) {
                r.tracked = tracked;
                r.opened = opened;
            }
        }
        Ok(s)
    }

    /// Creates a sequence from a draft: the whole definition is checked (422 naming the field).
    pub async fn create_sequence(&self, actor: &Actor, draft: &SequenceDraft) -> AppResult<SequenceSummary> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        let def = SequenceDefinition::parse(draft)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        check_templates(&mut tx, &def).await?;
        let row = row_of(prospector_core::ids::uuid_v7_at(now), &def, actor, now)?;
        sequences::insert_sequence(&mut tx, &row).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "sequence.create",
                entity_type: "sequence",
                entity_id: Some(row.id.to_string()),
                before: None,
                after: Some(&audit_view(&def)),
            },
        )
        .await?;
        tx.commit().await?;
        self.summary(&mut self.store().reader(), row.id).await
    }

    /// Replaces a sequence's definition if it is still at `version`. People already enrolled go
    /// on from their next step under the new steps.
    pub async fn update_sequence(
        &self,
        actor: &Actor,
        id: Uuid,
        draft: &SequenceDraft,
        version: i64,
    ) -> AppResult<SequenceSummary> {
        require_records(actor)?;
        let def = SequenceDefinition::parse(draft)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = load_sequence(&mut tx, id).await?;
        check_templates(&mut tx, &def).await?;
        let mut row = row_of(id, &def, actor, now)?;
        row.created_by = before.row.created_by;
        if !sequences::update_sequence(&mut tx, &row, version).await? {
            return Err(crate::records::stale("sequence", before.row.version));
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "sequence.update",
                entity_type: "sequence",
                entity_id: Some(id.to_string()),
                before: Some(&audit_view(&before.def)),
                after: Some(&audit_view(&def)),
            },
        )
        .await?;
        tx.commit().await?;
        self.summary(&mut self.store().reader(), id).await
    }

    /// The sequence's most recent enrollments.
    pub async fn sequence_enrollments(
        &self,
        actor: &Actor,
        id: Uuid,
        limit: i64,
    ) -> AppResult<Vec<EnrollmentRow>> {
        require_records(actor)?;
        let mut reader = self.store().reader();
        load_sequence(&mut reader, id).await?;
        let rows = sequences::sequence_enrollments(&mut reader, id, limit.clamp(1, 500)).await?;
        let mut visible = Vec::with_capacity(rows.len());
        for r in rows {
            if self
                .person_for(&mut reader, actor, None, r.person_id, false)
                .await
                .is_ok()
            {
                visible.push(r);
            }
        }
        Ok(visible)
    }
}
