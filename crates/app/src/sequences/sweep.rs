//! The sweep: carries out every due step. An automatic email is rendered and written to the outbox
//! together with its step execution and the enrollment's next step, in one transaction — so a
//! crash sends it exactly once or not at all. A manual step (call, manual email, LinkedIn, task)
//! becomes an open item on the rep's Today list and the enrollment waits for it.
//!
//! Two `serve` processes on one PostgreSQL claim different enrollments (`FOR UPDATE SKIP
//! LOCKED`), and the unique (enrollment, step) execution makes a second send of a step impossible
//! even if they did not.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use prospector_core::email::Email;
use prospector_core::sequence::{Event, MailboxPacer, StepKind, plan_send};
use prospector_core::template::EmailTemplate;
use prospector_core::template::unsubscribe::UnsubscribeLink;
use prospector_store::WriteTx;
use prospector_store::outbox::Claimed;
use prospector_store::sequences::{self, EnrollmentRow, ExecutionRow};
use uuid::Uuid;

use super::SEQUENCE_SWEEP;
use super::engine::{LoadedSequence, load_sequence, machine_of, template_context, tz_of};
use super::sweep_facts::BatchFacts;
use super::sweep_writes::PendingSends;
use crate::mail::{Address, OutgoingEmail};
use crate::outbox::{Handler, HandlerFuture};
use crate::{Actor, App, AppError, AppResult};

/// Enrollments claimed per transaction.
const BATCH: i64 = 500;
/// How often the sweep runs.
pub const SWEEP_INTERVAL_SECONDS: i64 = 60;
/// When a rep has no mailbox yet, look again after this.
const NO_MAILBOX_RETRY: Duration = Duration::hours(1);

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Automatic emails written to the outbox.
    pub emails_queued: u64,
    /// Manual steps put on reps' Today lists.
    pub tasks_opened: u64,
    /// Steps skipped (no address) or enrollments ended because the address is suppressed.
    pub skipped: u64,
    /// Emails moved later by the sending window, daily cap, spacing, or a missing mailbox.
    pub postponed: u64,
    /// Out-of-office pauses that ended.
    pub resumed: u64,
    /// Leads moved to Recycle (no response).
    pub recycled: u64,
    /// Inbound messages acted on.
    pub signals: u64,
}

/// Per-sweep caches: sequences, templates and each mailbox's recent sends.
#[derive(Default)]
struct Caches {
    sequences: HashMap<Uuid, LoadedSequence>,
    templates: HashMap<String, EmailTemplate>,
    senders: HashMap<prospector_core::ids::UserId, Option<Sender>>,
    public_url: Option<String>,
}

struct Sender {
    user: prospector_store::users::User,
    mailbox: prospector_store::mail::MailboxRow,
    pacer: MailboxPacer,
    tz: chrono_tz::Tz,
    sends: Vec<DateTime<Utc>>,
}

/// Runs the sweep and queues the next one.
#[derive(Debug)]
pub struct SweepHandler;

impl Handler for SweepHandler {
    fn run<'a>(&'a self, app: &'a App, _item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            app.sweep_sequences().await.map_err(|e| e.to_string())?;
            app.schedule_sequence_sweep().await.map_err(|e| e.to_string())?;
            Ok(())
        })
    }
}

impl App {
    /// Queues the next sweep (one per interval slot, however many processes ask).
    pub async fn schedule_sequence_sweep(&self) -> AppResult<()> {
        let now = self.now();
        let slot = now.timestamp().div_euclid(SWEEP_INTERVAL_SECONDS) + 1;
        let at = DateTime::from_timestamp(slot * SWEEP_INTERVAL_SECONDS, 0).unwrap_or(now);
        let mut tx = self.store().begin().await?;
        crate::outbox::enqueue(
            &mut tx,
            now,
            SEQUENCE_SWEEP,
            serde_json::json!({}),
            at,
            Some(format!("{SEQUENCE_SWEEP}:{slot}")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Acts on new inbound mail, ends out-of-office pauses and recycles unanswered leads whose
    /// time has come, then carries out every due step.
    pub async fn sweep_sequences(&self) -> AppResult<SweepReport> {
        let mut report = SweepReport {
            signals: self.process_inbound_signals().await?,
            ..SweepReport::default()
        };
        let now = self.now();
        let actor = Actor::system();
        let mut caches = Caches {
            public_url: Some(self.public_url().await?),
            ..Caches::default()
        };
        // Out-of-office pauses that end now.
        loop {
            let mut tx = self.store().begin().await?;
            let rows = sequences::claim_due(&mut tx, "resume_at", now, BATCH).await?;
            if rows.is_empty() {
                break;
            }
            for mut row in rows {
                let seq = self
                    .cached_sequence(&mut tx, &mut caches, row.sequence_id)
                    .await?;
                let machine = machine_of(&row)?;
                let date = match machine.state {
                    prospector_core::sequence::EnrollmentState::Paused {
                        resume_on: Some(d), ..
                    } => d,
                    _ => {
                        row.resume_at = None;
                        row.version += 1;
                        sequences::update_enrollment(&mut tx, &row).await?;
                        continue;
                    }
                };
                let event = Event::ResumeAfterOutOfOffice { at: now, date };
                self.apply_event(&mut tx, &actor, &mut row, &seq, &event, now)
                    .await?;
                report.resumed += 1;
            }
            tx.commit().await?;
        }
        // Finished without a reply a week ago: Recycle (no response).
        loop {
            let mut tx = self.store().begin().await?;
            let rows = sequences::claim_due(&mut tx, "recycle_at", now, BATCH).await?;
            if rows.is_empty() {
                break;
            }
            for mut row in rows {
                if self
                    .move_person(&mut tx, &actor, row.person_id, "recycle", None, now)
                    .await?
                {
                    report.recycled += 1;
                }
                row.recycle_at = None;
                row.updated_at = now;
                row.version += 1;
                sequences::update_enrollment(&mut tx, &row).await?;
            }
            tx.commit().await?;
        }
        // Due steps.
        let mut seen: HashSet<Uuid> = HashSet::new();
        loop {
            let mut tx = self.store().begin().await?;
            let rows = sequences::claim_due(&mut tx, "next_due_at", now, BATCH).await?;
            let fresh: Vec<EnrollmentRow> = rows.into_iter().filter(|r| seen.insert(r.id)).collect();
            if fresh.is_empty() {
                break;
            }
            let facts = BatchFacts::load(&mut tx, &fresh).await?;
            let mut sends = PendingSends::default();
            for row in fresh {
                let id = row.id;
                match self
                    .run_step(
                        &mut tx,
                        &actor,
                        &mut caches,
                        (&facts, &mut sends),
                        row,
                        now,
                        &mut report,
                    )
                    .await
                {
                    Ok(()) => {}
                    // A step that cannot be carried out (a template that no longer renders) must
                    // not hold up everyone else's: it is looked at again later.
                    Err(AppError::Invalid(e)) => {
                        tracing::warn!(enrollment = %id, error = %e, "sequence step could not run; retrying later");
                        sequences::postpone(&mut tx, id, now + NO_MAILBOX_RETRY).await?;
                        report.postponed += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            report.emails_queued += sends.flush(&mut tx, now).await?;
            tx.commit().await?;
        }
        Ok(report)
    }

    async fn cached_sequence(
        &self,
        tx: &mut WriteTx,
        caches: &mut Caches,
        id: Uuid,
    ) -> AppResult<LoadedSequence> {
        if let Some(s) = caches.sequences.get(&id) {
            return Ok(s.clone());
        }
        let s = load_sequence(tx, id).await?;
        caches.sequences.insert(id, s.clone());
        Ok(s)
    }

    async fn cached_sender<'c>(
        &self,
        tx: &mut WriteTx,
        caches: &'c mut Caches,
        owner: prospector_core::ids::UserId,
        now: DateTime<Utc>,
    ) -> AppResult<Option<&'c mut Sender>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = caches.senders.entry(owner) {
            let sender = match (
                prospector_store::mail::mailbox_by_user(tx, owner).await?,
                prospector_store::users::user_by_id(tx, owner).await?,
                sequences::mailbox_pacing(tx, owner).await?,
            ) {
                (Some(mailbox), Some(user), Some((cap, spacing, tz))) => {
                    let pacer = MailboxPacer::new(
                        u32::try_from(cap).unwrap_or(1),
                        u32::try_from(spacing).unwrap_or(0),
                    )?;
                    // Two days back covers "today" in any mailbox time zone.
                    let sends = sequences::sends_since(tx, owner, now - Duration::days(2)).await?;
                    Some(Sender {
                        user,
                        mailbox,
                        pacer,
                        tz: tz_of(Some(&tz)),
                        sends,
                    })
                }
                _ => None,
            };
            slot.insert(sender);
        }
        Ok(caches.senders.get_mut(&owner).and_then(Option::as_mut))
    }

    /// Carries out the enrollment's next step inside `tx`.
    #[allow(clippy::too_many_arguments)] // one transaction's worth of context, passed through once
    async fn run_step(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        caches: &mut Caches,
        (facts, sends): (&BatchFacts, &mut PendingSends),
        mut row: EnrollmentRow,
        now: DateTime<Utc>,
        report: &mut SweepReport,
    ) -> AppResult<()> {
        let seq = self.cached_sequence(tx, caches, row.sequence_id).await?;
        let machine = machine_of(&row)?;
        let index = machine.next_step;
        let (Some(step), Some(person)) = (seq.def.steps().get(index), facts.person(row.person_id)) else {
            // The sequence lost steps since, or the person was removed: nothing left to do.
            let event = Event::FinishByHand { at: now };
            self.apply_event(tx, actor, &mut row, &seq, &event, now).await?;
            return Ok(());
        };
        let due = row.next_due_at.unwrap_or(now);
        let mut execution = ExecutionRow {
            id: prospector_core::ids::uuid_v7_at(now),
            enrollment_id: row.id,
            sequence_id: row.sequence_id,
            step_index: i64::try_from(index).unwrap_or(i64::MAX),
            kind: step.kind.code().into(),
            owner_id: row.owner_id,
            person_id: row.person_id,
            due_at: due,
            created_at: now,
            status: "open".into(),
            message_id: None,
            outcome: None,
            is_connect: false,
            note: None,
            done_at: None,
        };
        if step.kind != StepKind::AutomaticEmail {
            let opened = if sequences::insert_execution(tx, &execution).await? {
                super::step_tasks::open_step_task(
                    tx,
                    &execution,
                    person,
                    &seq.row.name,
                    step.script.as_deref(),
                    now,
                )
                .await?;
                true
            } else {
                // A pause cancelled this step; the enrollment resumed, so it is due again.
                sequences::reopen_cancelled_step(tx, row.id, execution.step_index, due, now).await?
            };
            if opened {
                report.tasks_opened += 1;
            }
            // The enrollment waits for the rep; Today's "done" moves it on.
            row.next_due_at = None;
            row.updated_at = now;
            row.version += 1;
            sequences::update_enrollment(tx, &row).await?;
            return Ok(());
        }
        // Automatic email.
        let suppressed = facts.suppression(person);
        if person.unsubscribed || suppressed.is_some() {
            let event = match suppressed {
                Some("bounced") => Event::Bounce { at: now },
                _ => Event::Unsubscribe { at: now },
            };
            execution.status = "skipped".into();
            execution.note = Some("the address is on the suppression list".into());
            execution.done_at = Some(now);
            sequences::insert_execution(tx, &execution).await?;
            self.apply_event_for(tx, actor, &mut row, &seq, &event, now, person)
                .await?;
            report.skipped += 1;
            return Ok(());
        }
        let Some(to) = person.email.clone() else {
            execution.status = "skipped".into();
            execution.note = Some("the person has no email address".into());
            execution.done_at = Some(now);
            sequences::insert_execution(tx, &execution).await?;
            let event = Event::StepDone { at: now, step: index };
            self.apply_event_for(tx, actor, &mut row, &seq, &event, now, person)
                .await?;
            report.skipped += 1;
            return Ok(());
        };
        let recipient_tz = tz_of(person.time_zone.as_deref());
        let public_url = caches.public_url.clone().unwrap_or_default();
        let template_id = step.template_id.clone().unwrap_or_default();
        let template = match caches.templates.get(&template_id) {
            Some(t) => t.clone(),
            None => {
                let stored = sequences::template(tx, &template_id).await?.ok_or_else(|| {
                    prospector_core::Invalid::new(
                        "template_id",
                        "unknown_template",
                        format!("template '{template_id}' does not exist"),
                    )
                })?;
                let parsed = EmailTemplate::parse(&stored.subject, &stored.body)?;
                caches.templates.insert(template_id.clone(), parsed.clone());
                parsed
            }
        };
        let settings = seq.def.settings().clone();
        let Some(sender) = self.cached_sender(tx, caches, row.owner_id, now).await? else {
            sequences::postpone(tx, row.id, now + NO_MAILBOX_RETRY).await?;
            report.postponed += 1;
            return Ok(());
        };
        let at = plan_send(
            now,
            recipient_tz,
            &settings,
            &sender.pacer,
            sender.tz,
            &sender.sends,
        );
        if at > now {
            sequences::postpone(tx, row.id, at).await?;
            report.postponed += 1;
            return Ok(());
        }
        let from = Email::parse(&sender.mailbox.from_email).ok();
        let host = sender
            .mailbox
            .from_email
            .rsplit_once('@')
            .map_or("prospector.invalid", |(_, h)| h)
            .to_owned();
        let (unsubscribe_url, headers) = unsubscribe(&public_url, &row.unsubscribe_token, from.as_ref());
        let context = template_context(
            person,
            Some(&sender.user),
            Some(&sender.mailbox),
            unsubscribe_url.clone(),
        );
        let rendered = template.render(&context)?;
        let footer = unsubscribe_url
            .map(|u| format!("\n--\nDon't want these emails? Unsubscribe: {u}\n"))
            .unwrap_or_default();
        // Only the HTML part can carry the pixel; it needs a public URL to be fetched from.
        let open_token = (settings.track_opens && !public_url.is_empty()).then(super::enroll::new_token);
        let pixel = open_token
            .as_deref()
            .map(|t| super::opens::pixel_tag(&public_url, t))
            .unwrap_or_default();
        let message_id = format!("<{}.{}@{host}>", row.id.simple(), index);
        let previous = facts.last_message_id(row.id);
        execution.status = "sent".into();
        execution.message_id = Some(message_id.clone());
        execution.done_at = Some(now);
        let email = OutgoingEmail {
            from_user_id: Some(row.owner_id.to_string()),
            to: vec![Address {
                email: to.as_str().to_owned(),
                name: Some(person.full_name()).filter(|n| !n.trim().is_empty()),
            }],
            cc: vec![],
            subject: rendered.subject,
            text: format!("{}{footer}", rendered.text),
            html: Some(format!(
                "{}{}{pixel}",
                rendered.html,
                if footer.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<p style=\"color:#666;font-size:12px\">{}</p>",
                        prospector_core::template::email_template::escape_html(footer.trim())
                    )
                }
            )),
            calendar: None,
            message_id,
            in_reply_to: previous,
            headers,
            about: Some(("person".into(), row.person_id.to_string())),
        };
        sender.sends.push(now);
        // A step done moves the enrollment on (next step or finished) without writing anything
        // else; the execution, email and enrollment are written with the batch's others.
        let event = Event::StepDone { at: now, step: index };
        self.apply_event_unwritten(tx, actor, &mut row, &seq, &event, now, person)
            .await?;
        sends.push(execution, open_token, email, row);
        Ok(())
    }
}

/// The unsubscribe URL and RFC 8058 headers. One-click needs an HTTPS public URL; on plain HTTP
/// (a local install) the link still goes in the email's footer and `List-Unsubscribe`.
fn unsubscribe(
    public_url: &str,
    token: &str,
    mailbox: Option<&Email>,
) -> (Option<String>, Vec<(String, String)>) {
    match UnsubscribeLink::new(public_url, token, mailbox) {
        Ok(link) => (
            Some(link.url().to_owned()),
            link.headers()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ),
        Err(_) if !public_url.is_empty() => {
            let url = format!("{}/u/{token}", public_url.trim_end_matches('/'));
            (
                Some(url.clone()),
                vec![("List-Unsubscribe".into(), format!("<{url}>"))],
            )
        }
        Err(_) => (None, vec![]),
    }
}
