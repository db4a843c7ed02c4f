//! Acting on what comes back: replies, bounces and out-of-office answers imported from each
//! mailbox, and one-click unsubscribes. Each inbound message is handled once (its `handled_at`),
//! in the same transaction as what it changes.

use chrono::{DateTime, Utc};
use prospector_core::email::Email;
use prospector_core::sequence::{Bounce, Event};
use prospector_store::WriteTx;
use prospector_store::mail::InboundRow;
use prospector_store::sequences::{self, EnrollmentRow};

use super::engine::load_sequence;
use crate::{Actor, App, AppError, AppResult};

/// Messages handled per transaction.
const BATCH: i64 = 200;

impl App {
    /// Acts on every inbound message not handled yet; returns how many were handled.
    pub async fn process_inbound_signals(&self) -> AppResult<u64> {
        let mut handled = 0;
        loop {
            let now = self.now();
            let mut tx = self.store().begin().await?;
            let messages = sequences::unhandled_inbound(&mut tx, BATCH).await?;
            if messages.is_empty() {
                break;
            }
            for m in &messages {
                self.handle_inbound(&mut tx, m, now).await?;
                sequences::mark_inbound_handled(&mut tx, m.id, now).await?;
                handled += 1;
            }
            tx.commit().await?;
        }
        Ok(handled)
    }

    /// The enrollment a message is about: the one whose email it answers (In-Reply-To), else
    /// the newest enrollment of the person with that address.
    async fn enrollment_for_message(
        &self,
        tx: &mut WriteTx,
        in_reply_to: Option<&str>,
        address: Option<&str>,
    ) -> AppResult<Option<(EnrollmentRow, Option<uuid::Uuid>)>> {
        if let Some(reply_to) = in_reply_to
            && let Some(x) = sequences::execution_by_message(tx, reply_to).await?
            && let Some(e) = sequences::enrollment(tx, x.enrollment_id).await?
        {
            return Ok(Some((e, Some(x.id))));
        }
        let Some(email) = address.and_then(|a| Email::parse(a).ok()) else {
            return Ok(None);
        };
        let rows = sequences::enrollments_by_email_key(tx, &email.fold_gmail()).await?;
        let live = rows.iter().find(|r| r.status != "finished").cloned();
        Ok(live.or_else(|| rows.into_iter().next()).map(|r| (r, None)))
    }

    async fn handle_inbound(&self, tx: &mut WriteTx, m: &InboundRow, now: DateTime<Utc>) -> AppResult<()> {
        let actor = Actor::system();
        let at = now;
        let (event, address, outcome) = match m.signal.as_str() {
            "reply" => (Event::Reply { at }, m.from_email.clone(), Some("replied")),
            "out_of_office" => (
                Event::OutOfOffice {
                    at,
                    return_date: m.return_date,
                },
                m.from_email.clone(),
                None,
            ),
            "bounce" => {
                let bounce: Option<Bounce> = m
                    .signal_json
                    .as_ref()
                    .and_then(|j| serde_json::from_value(j.clone()).ok());
                // A delayed delivery is only noted: the server keeps trying.
                if bounce.as_ref().is_some_and(|b| !b.permanent) {
                    return Ok(());
                }
                (Event::Bounce { at }, m.bounce_recipient.clone(), Some("bounced"))
            }
            // Automatic replies and unreadable messages change nothing.
            _ => return Ok(()),
        };
        // A bounce report's own In-Reply-To is rarely the original; its recipient is reliable.
        let in_reply_to = if m.signal == "bounce" {
            None
        } else {
            m.in_reply_to.as_deref()
        };
        let Some((mut row, execution)) = self
            .enrollment_for_message(tx, in_reply_to, address.as_deref())
            .await?
        else {
            return Ok(());
        };
        if let (Some(x), Some(outcome)) = (execution, outcome) {
            sequences::set_outcome(tx, x, outcome).await?;
        } else if let Some(outcome) = outcome
            && let Some(x) = sequences::last_message_id(tx, row.id).await?
            && let Some(x) = sequences::execution_by_message(tx, &x).await?
        {
            sequences::set_outcome(tx, x.id, outcome).await?;
        }
        let seq = load_sequence(tx, row.sequence_id).await?;
        self.apply_event(tx, &actor, &mut row, &seq, &event, now).await?;
        Ok(())
    }

    /// One-click unsubscribe (RFC 8058): the person behind the link is never emailed again and
    /// their enrollment ends. Repeating it is harmless. Unknown tokens are 404.
    pub async fn unsubscribe_by_token(&self, token: &str) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut row = sequences::enrollment_by_token(&mut tx, token.trim())
            .await?
            .ok_or_else(|| AppError::NotFound("unsubscribe link".into()))?;
        let seq = load_sequence(&mut tx, row.sequence_id).await?;
        let actor = Actor::system();
        self.apply_event(
            &mut tx,
            &actor,
            &mut row,
            &seq,
            &Event::Unsubscribe { at: now },
            now,
        )
        .await?;
        // Suppress even when the enrollment had finished (the machine then has nothing to do).
        if let Some(person) = prospector_store::records::people::get(&mut tx, row.person_id).await? {
            self.suppress_person(&mut tx, &person, "unsubscribed", now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
