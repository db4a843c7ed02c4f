//! The sweep's sent emails of one batch, written together at the end of the batch's transaction:
//! the steps' executions, their `email.send` outbox rows and the enrollments' next steps, one
//! statement each (per 500) instead of three per email. Still one transaction, so a crash sends
//! each step exactly once or not at all.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use prospector_core::ids::uuid_v7_at;
use prospector_store::WriteTx;
use prospector_store::outbox::{self, NewItem};
use prospector_store::sequences::{self, EnrollmentRow, ExecutionRow};
use uuid::Uuid;

use super::engine::stale_enrollment;
use crate::AppResult;
use crate::mail::{OutgoingEmail, email_item};

/// Emails decided in this batch, not written yet.
#[derive(Debug, Default)]
pub(super) struct PendingSends {
    executions: Vec<(ExecutionRow, Option<String>)>,
    emails: Vec<(Uuid, OutgoingEmail)>,
    enrollments: Vec<EnrollmentRow>,
}

impl PendingSends {
    /// One sent step: its execution (with its open-tracking token), the email, and the enrollment
    /// as it is after the step (version already raised).
    pub(super) fn push(
        &mut self,
        execution: ExecutionRow,
        open_token: Option<String>,
        email: OutgoingEmail,
        enrollment: EnrollmentRow,
    ) {
        self.emails.push((enrollment.id, email));
        self.executions.push((execution, open_token));
        self.enrollments.push(enrollment);
    }

    /// Writes them in `tx`; returns how many emails were queued. A step another sweep recorded
    /// first is left alone (its email is not queued twice, its enrollment not moved twice).
    pub(super) async fn flush(self, tx: &mut WriteTx, now: DateTime<Utc>) -> AppResult<u64> {
        if self.executions.is_empty() {
            return Ok(0);
        }
        let written: HashSet<Uuid> = sequences::insert_closed_executions(tx, &self.executions).await?;
        let items = self
            .emails
            .iter()
            .filter(|(enrollment, _)| written.contains(enrollment))
            .map(|(_, email)| Ok((uuid_v7_at(now), email_item(email, now)?)))
            .collect::<AppResult<Vec<(Uuid, NewItem)>>>()?;
        outbox::enqueue_many(tx, &items, now).await?;
        let rows: Vec<EnrollmentRow> = self
            .enrollments
            .into_iter()
            .filter(|e| written.contains(&e.id))
            .collect();
        let expected = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        if sequences::update_enrollments(tx, &rows).await? != expected {
            return Err(stale_enrollment());
        }
        Ok(expected)
    }
}
