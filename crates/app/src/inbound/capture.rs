//! Capture: a public form post becomes a person (deduplicated as on entry), a scored behaviour and
//! a timeline entry; reaching the MQL threshold makes them an MQL, routes them and starts the
//! first-touch clock — all in one transaction. Refusals are stored as rejected submissions.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use prospector_core::inbound::{
    Behaviour, InboundEvent, LeadFacts, PersonFacts, Rep, RoutingDecision, RoutingRule, Score, ScoringRules,
    SkipReason, is_business_email, route,
};
use prospector_core::matching::{Matcher, MatcherConfig, Record};
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::lifecycle::{on_mql_score, on_unsubscribe};
use prospector_core::records::{LeadStatus, MqlHistory};
use prospector_core::role::Role;
use prospector_core::schedule::SlaPolicy;
use prospector_store::inbound::{self as store, Decision, ScoreEvent, Submission};
use prospector_store::records::PersonId;
use prospector_store::records::accounts::{self, Account};
use prospector_store::records::people::{Person, PersonKind};
use prospector_store::{Exec, WriteTx};
use serde::Serialize;
use uuid::Uuid;

use super::batch_reads::BatchReads;
use super::capture_check::{Checked, Verdict, check};
use super::config::InboundConfig;
use super::sla::plan_clock;
use super::writes::{NewPersonDims, Writes};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

pub use prospector_core::inbound::HONEYPOT_FIELD;
/// The UTM fields recorded with a submission.
pub const UTM_FIELDS: [&str; 5] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
];

/// A form post as received.
#[derive(Debug, Clone, Default)]
pub struct CaptureInput {
    /// The form slug from the path.
    pub form: String,
    /// Every field posted (form-encoded or JSON, flattened to text).
    pub fields: BTreeMap<String, String>,
    /// The client address, for the rate limit.
    pub ip: Option<String>,
}

/// What a capture did.
#[derive(Debug, Clone, Serialize)]
pub struct Captured {
    /// The submission's id.
    pub submission_id: Uuid,
    /// The person created or updated (none when the honeypot caught a bot: it is answered as if
    /// accepted, so bots learn nothing).
    pub person_id: Option<PersonId>,
    /// Whether the person is new.
    pub created: bool,
    /// Their score after this submission.
    pub score: Option<i64>,
    /// Their status after it.
    pub status: Option<LeadStatus>,
    /// Whether this submission made them an MQL.
    pub became_mql: bool,
    /// Their owner after routing.
    pub owner_id: Option<prospector_core::ids::UserId>,
}

fn matcher() -> Matcher {
    Matcher::new(MatcherConfig {
        fold_gmail: true,
        ..MatcherConfig::default()
    })
}

fn record_of(p: &Person) -> Record {
    Record {
        id: p.id.to_string(),
        given_name: p.first_name.clone(),
        surname: p.last_name.clone(),
        email: p.email.as_ref().map(|e| e.as_str().to_owned()),
        phone: p.phone.clone(),
        company: p.company.clone(),
        ..Record::default()
    }
}

/// The scoring rules in force.
pub(crate) async fn scoring_rules(ex: &mut impl Exec) -> AppResult<ScoringRules> {
    Ok(store::rule_set(ex, "scoring")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// The routing rules in force; until an admin saves some, one rule shares every lead among all
/// SDRs, so a fresh install routes.
pub(crate) async fn routing_rules(ex: &mut impl Exec, reps: &[store::RepRow]) -> AppResult<Vec<RoutingRule>> {
    if let Some(saved) = store::rule_set(ex, "routing").await? {
        return serde_json::from_value(saved)
            .map_err(|e| AppError::Internal(format!("stored routing rules do not parse: {e}")));
    }
    Ok(routing_rules_from(None, reps))
}

/// The saved routing rules, or the default one over every active SDR.
pub(crate) fn routing_rules_from(saved: Option<&[RoutingRule]>, reps: &[store::RepRow]) -> Vec<RoutingRule> {
    if let Some(saved) = saved {
        return saved.to_vec();
    }
    vec![RoutingRule {
        code: "all_sdrs".into(),
        segment: None,
        region: None,
        pool: reps
            .iter()
            .filter(|r| r.role == Role::Sdr.code() && r.active)
            .map(|r| r.user_id)
            .collect(),
    }]
}

/// Reps as routing sees them.
pub(crate) fn reps_for_routing(rows: &[store::RepRow]) -> Vec<Rep> {
    rows.iter()
        .map(|r| Rep {
            id: r.user_id,
            name: r.name.clone(),
            active: r.active,
            out_of_office: r.out_of_office,
            share_percent: u8::try_from(r.share_percent.clamp(0, 100)).unwrap_or(0),
            capacity: r.capacity.and_then(|c| u32::try_from(c.max(0)).ok()),
            open_inbound_leads: u32::try_from(r.open_inbound_leads.max(0)).unwrap_or(u32::MAX),
        })
        .collect()
}

/// What routing knows about `person`.
pub(crate) async fn lead_facts(ex: &mut impl Exec, person: &Person) -> AppResult<LeadFacts> {
    let account = match person.account_id {
        Some(a) => accounts::get(ex, a).await?,
        None => match person.email.as_ref().filter(|e| is_business_email(e)) {
            Some(e) => accounts::by_domain(ex, e.domain()).await?,
            None => None,
        },
    };
    Ok(facts_of(person, account.as_ref()))
}

/// What routing knows about `person`, whose account (theirs or their email domain's) is `account`.
fn facts_of(person: &Person, account: Option<&Account>) -> LeadFacts {
    let employees = account
        .and_then(|a| a.employees)
        .or_else(|| {
            person
                .custom_fields
                .get("employees")
                .and_then(serde_json::Value::as_i64)
        })
        .and_then(|e| u32::try_from(e).ok());
    LeadFacts {
        account_owner: account.and_then(|a| a.owner_id),
        working_owner: person.owner_id,
        employees,
        region: person
            .region
            .as_deref()
            .and_then(|r| prospector_core::inbound::Region::parse("region", r).ok()),
    }
}

fn person_facts(person: &Person, employees: Option<u32>) -> PersonFacts {
    PersonFacts {
        business_email: person.email.as_ref().is_some_and(is_business_email),
        title: person.title.clone(),
        employees,
    }
}

impl App {
    /// Writes `inputs` in one transaction, in order, and answers each: a refusal is an error
    /// answer whose rejected submission is committed with the rest. An error of the whole (the
    /// database failing) rolls every form back.
    pub(crate) async fn capture_together(
        &self,
        inputs: Vec<CaptureInput>,
    ) -> AppResult<Vec<AppResult<Captured>>> {
        let mut tx = self.store().begin().await?;
        let config = self.inbound_config_in(&mut tx).await?;
        let checked: Vec<Checked> = inputs
            .into_iter()
            .map(|input| check(&config, input, self.now()))
            .collect();
        let addresses: Vec<String> = checked.iter().filter_map(|c| c.ip.clone()).collect();
        let fresh: Vec<Person> = checked
            .iter()
            .filter_map(|c| match &c.verdict {
                Verdict::Capture { fresh, .. } => Some(Person::clone(fresh)),
                _ => None,
            })
            .collect();
        let now = checked
            .first()
            .map_or_else(|| self.now(), |c| c.submission.received_at);
        let mut reads = BatchReads::load(&mut tx, &addresses, &fresh, now, THROTTLE_WINDOW).await?;
        let mut answers = Vec::with_capacity(checked.len());
        for c in checked {
            answers.push(capture_one(&mut tx, &config, &mut reads, c).await?);
        }
        reads.finish(&mut tx, now).await?;
        tx.commit().await?;
        Ok(answers)
    }
}

/// The window of the per-address rate limit.
const THROTTLE_WINDOW: Duration = Duration::minutes(1);

/// One checked form post in `tx`: `Ok(Err(_))` is a refusal whose rejected submission is written.
async fn capture_one(
    tx: &mut WriteTx,
    config: &InboundConfig,
    reads: &mut BatchReads,
    checked: Checked,
) -> AppResult<AppResult<Captured>> {
    let settings = &config.settings;
    let Checked {
        ip,
        mut submission,
        verdict,
    } = checked;
    let now = submission.received_at;
    let submission_id = submission.id;
    if let Some(ip) = &ip {
        let (hits, started) = reads.throttle_hit(tx, ip, now, THROTTLE_WINDOW).await?;
        if hits > settings.forms_per_minute_per_ip {
            let retry_after_secs =
                u64::try_from((started + THROTTLE_WINDOW - now).num_seconds().max(1)).unwrap_or(60);
            let err = AppError::TooManyRequests { retry_after_secs };
            return reject(tx, submission, "rate_limited", err).await;
        }
    }
    let (form, behaviour, message, fresh) = match verdict {
        Verdict::UnknownForm => {
            return reject(tx, submission, "unknown_form", AppError::NotFound("form".into())).await;
        }
        Verdict::Honeypot { form } => {
            let err = AppError::BadRequest {
                code: "honeypot",
                message: "the hidden field was filled in".into(),
            };
            submission.outcome = "rejected".into();
            submission.reject_code = Some("honeypot".into());
            submission.reject_message = Some(err.to_string());
            store::insert_submission(tx, &submission).await?;
            tracing::info!(form = %form, "form submission caught by the honeypot");
            return Ok(Ok(Captured {
                submission_id,
                person_id: None,
                created: false,
                score: None,
                status: None,
                became_mql: false,
                owner_id: None,
            }));
        }
        Verdict::Refused { code, err } => return reject(tx, submission, code, err).await,
        Verdict::Broken(err) => return Ok(Err(err)),
        Verdict::Capture {
            form,
            behaviour,
            message,
            fresh,
        } => (form, behaviour, message, fresh),
    };
    let Some(form) = config.forms.get(&form) else {
        return Ok(Err(AppError::Internal(format!("form {form} vanished"))));
    };

    let (before, mut person, created) = upsert_person(tx, reads, *fresh).await?;
    submission.person_id = Some(person.id);
    store::insert_submission(tx, &submission).await?;
    let mut writes = Writes::default();
    let event = ScoreEvent {
        id: prospector_core::ids::uuid_v7_at(now),
        person_id: person.id,
        behaviour: behaviour.code().into(),
        at: now,
        form_slug: Some(form.slug.clone()),
        submission_id: Some(submission_id),
    };
    writes.score_event(event.clone());
    let mut note = format!("Filled in the form \"{}\" (source {})", form.name, form.source);
    if let Some(obj) = submission.utm.as_object().filter(|o| !o.is_empty()) {
        let parts: Vec<String> = obj
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        note.push_str(&format!("; {}", parts.join(", ")));
    }
    if let Some(message) = message {
        note.push_str(&format!(": {message}"));
    }
    writes.append(person.id, ActivityDetail::Note { text: note }, now);
    if person.status == LeadStatus::Raw {
        set_status(&mut writes, &mut person, LeadStatus::Inquiry, None, now);
    }
    // Audited before rescoring: routing locks the round-robin state (on PostgreSQL) until the
    // commit, so whatever does not depend on the owner is written before it.
    audit::record::<(), _>(
        tx,
        &Actor::system(),
        now,
        Change {
            action: "inbound.capture",
            entity_type: "lead",
            entity_id: Some(person.id.to_string()),
            before: None,
            after: Some(
                &serde_json::json!({"form": form.slug, "submission_id": submission_id, "created": created}),
            ),
        },
    )
    .await?;
    let fresh = Fresh {
        event: &event,
        stored_events: !created,
    };
    let became_mql = rescore(tx, &mut writes, config, reads, &mut person, fresh, now)
        .await?
        .1;
    if behaviour == Behaviour::ContactUs {
        let calendar = reads.calendar_for(tx, config, person.owner_id).await?;
        let (clock, alarms) = plan_clock(
            &calendar,
            SlaPolicy::contact_us_first_touch(),
            (Some(person.id), None),
            person.owner_id,
            person.source.clone(),
            now,
        );
        writes.clock(clock, alarms);
    }
    let new_person = if created {
        let segment = match person.account_id {
            Some(a) => reads.account(tx, a).await?.and_then(|a| a.segment),
            None => None,
        };
        Some(NewPersonDims {
            team: reads.team_of(tx, person.owner_id).await?,
            segment,
        })
    } else {
        None
    };
    let stored = writes
        .flush(tx, &before, &person, new_person.as_ref(), now)
        .await?;
    reads.remember(stored);
    Ok(Ok(Captured {
        submission_id,
        person_id: Some(person.id),
        created,
        score: Some(person.score),
        status: Some(person.status),
        became_mql,
        owner_id: person.owner_id,
    }))
}

impl App {
    /// Records a behaviour for an existing person (a webcast attended, an unsubscribe) and
    /// rescores them; an unsubscribe resets the score and disqualifies them.
    pub async fn record_behaviour(
        &self,
        actor: &Actor,
        person_id: PersonId,
        behaviour: &str,
    ) -> AppResult<(Person, Score)> {
        let behaviour = Behaviour::parse("behaviour", behaviour)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.person_for(&mut tx, actor, None, person_id, true).await?;
        let mut person = before.clone();
        let config = self.inbound_config_in(&mut tx).await?;
        let mut writes = Writes::default();
        let event = ScoreEvent {
            id: prospector_core::ids::uuid_v7_at(now),
            person_id,
            behaviour: behaviour.code().into(),
            at: now,
            form_slug: None,
            submission_id: None,
        };
        writes.score_event(event.clone());
        if behaviour == Behaviour::Unsubscribe {
            // Nobody should chase a person who asked to be left alone.
            for clock in store::clocks(&mut tx, store::ClockFilter::Person(person_id), 100).await? {
                store::stop_clock(&mut tx, clock.id, now, None).await?;
            }
            person.unsubscribed = true;
            if let Some(t) = on_unsubscribe(person.status) {
                set_status(&mut writes, &mut person, t.to, t.reason, now);
            }
        }
        let fresh = Fresh {
            event: &event,
            stored_events: true,
        };
        let mut reads = BatchReads::default();
        let (score, _) = rescore(&mut tx, &mut writes, &config, &mut reads, &mut person, fresh, now).await?;
        reads.finish(&mut tx, now).await?;
        writes.flush(&mut tx, &before, &person, None, now).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.behaviour",
                entity_type: "lead",
                entity_id: Some(person_id.to_string()),
                before: Some(&before),
                after: Some(&person),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((person, score))
    }

    /// A person's score with every line that makes it up, under the current rules.
    pub async fn lead_score(&self, actor: &Actor, person_id: PersonId) -> AppResult<Score> {
        let mut reader = self.store().reader();
        let person = self
            .person_for(&mut reader, actor, None, person_id, false)
            .await?;
        let config = self.inbound_config().await?;
        let employees = lead_facts(&mut reader, &person).await?.employees;
        score_with(&mut reader, &config.scoring, &person, employees, None).await
    }

    /// A person's routing decisions, newest first.
    pub async fn routing_history(&self, actor: &Actor, person_id: PersonId) -> AppResult<Vec<Decision>> {
        let mut reader = self.store().reader();
        self.person_for(&mut reader, actor, None, person_id, false)
            .await?;
        Ok(store::decisions(&mut reader, person_id).await?)
    }
}

/// Stores a refused submission with its data (committed with the batch) and answers `err`.
async fn reject(
    tx: &mut WriteTx,
    mut s: Submission,
    code: &str,
    err: AppError,
) -> AppResult<AppResult<Captured>> {
    s.outcome = "rejected".into();
    s.reject_code = Some(code.to_owned());
    s.reject_message = Some(err.to_string());
    store::insert_submission(tx, &s).await?;
    Ok(Err(err))
}

/// The stored person `fresh` probably is (as on entry: same folded email, same phone, or a name
/// the matcher scores as a duplicate), with blanks filled from `fresh`; else `fresh`, a new lead
/// not yet inserted (returns `(before, after, created)`; `Writes::flush` inserts it).
async fn upsert_person(
    tx: &mut WriteTx,
    reads: &mut BatchReads,
    fresh: Person,
) -> AppResult<(Person, Person, bool)> {
    let found = reads.candidates(tx, &fresh).await?;
    let matcher = matcher();
    let mine = record_of(&fresh);
    let best = found
        .into_iter()
        .filter(|p| p.kind != PersonKind::Merged)
        .filter_map(|p| {
            let same_email = match (&fresh.email, &p.email) {
                (Some(a), Some(b)) => a.fold_gmail() == b.fold_gmail(),
                _ => false,
            };
            let same_phone = fresh.phone.is_some() && fresh.phone == p.phone;
            let score = matcher.score(&mine, &record_of(&p));
            let score = if same_email || same_phone {
                score.max(0.99)
            } else {
                score
            };
            (score >= matcher.config().threshold).then_some((score, p))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, stored)) => {
            let mut existing = stored.clone();
            macro_rules! fill {
                ($($f:ident),*) => {$( if existing.$f.is_none() { existing.$f = fresh.$f.clone(); } )*};
            }
            fill!(
                first_name, last_name, email, phone, title, company, country, region, time_zone, source
            );
            if let (Some(into), Some(from)) = (
                existing.custom_fields.as_object_mut(),
                fresh.custom_fields.as_object(),
            ) {
                for (k, v) in from {
                    into.insert(k.clone(), v.clone());
                }
            }
            Ok((stored, existing, false))
        }
        None => Ok((fresh.clone(), fresh, true)),
    }
}

/// Moves `person` to `to` (an automatic move) and adds the status-change activity.
fn set_status(
    writes: &mut Writes,
    person: &mut Person,
    to: LeadStatus,
    reason: Option<String>,
    now: DateTime<Utc>,
) {
    let detail = ActivityDetail::StatusChange {
        from: person.status.code().into(),
        to: to.code().into(),
        reason: reason.clone(),
    };
    person.status = to;
    person.status_reason = reason;
    writes.append(person.id, detail, now);
}

/// The behaviour just recorded (not written yet) and whether the person has stored events too
/// (a person created by this capture has none, which saves reading them).
#[derive(Debug, Clone, Copy)]
struct Fresh<'a> {
    event: &'a ScoreEvent,
    stored_events: bool,
}

/// Scores `person` from their stored events (plus `fresh`'s) under `rules`.
async fn score_with(
    ex: &mut impl Exec,
    rules: &ScoringRules,
    person: &Person,
    employees: Option<u32>,
    fresh: Option<Fresh<'_>>,
) -> AppResult<Score> {
    let mut stored = if fresh.is_none_or(|f| f.stored_events) {
        store::score_events(ex, person.id).await?
    } else {
        Vec::new()
    };
    if let Some(f) = fresh {
        stored.push(f.event.clone());
    }
    let events: Vec<InboundEvent> = stored
        .into_iter()
        .filter_map(|e| {
            Behaviour::parse("behaviour", &e.behaviour)
                .ok()
                .map(|behaviour| InboundEvent { behaviour, at: e.at })
        })
        .collect();
    Ok(prospector_core::inbound::score(
        &events,
        &person_facts(person, employees),
        rules,
    ))
}

/// Rescores `person`; when the score crossed the threshold now, makes them an MQL (counter and
/// first-MQL time), routes them and starts the MQL first-touch clock on the new owner's calendar.
/// Returns the score and whether they became an MQL.
async fn rescore(
    tx: &mut WriteTx,
    writes: &mut Writes,
    config: &InboundConfig,
    reads: &mut BatchReads,
    person: &mut Person,
    fresh: Fresh<'_>,
    now: DateTime<Utc>,
) -> AppResult<(Score, bool)> {
    let account = reads.account_for(tx, person).await?;
    let facts = facts_of(person, account.as_ref());
    let score = score_with(tx, &config.scoring, person, facts.employees, Some(fresh)).await?;
    person.score = i64::from(score.total);
    // A recycled person already above the threshold never crosses it again, yet the handbook
    // makes them an MQL again when they are re-scored: any new event while recycled counts.
    let recycled_and_qualifies = person.status == LeadStatus::Recycle && score.is_mql();
    if !score.crossed_since(now) && !recycled_and_qualifies {
        return Ok((score, false));
    }
    let Some(moved) = on_mql_score(person.status) else {
        return Ok((score, false));
    };
    set_status(writes, person, moved.to, None, now);
    let history = MqlHistory {
        count: u32::try_from(person.mql_count).unwrap_or(0),
        first_at: person.first_mql_at,
        last_at: person.last_mql_at,
    }
    .record(now);
    person.mql_count = i64::from(history.count);
    person.first_mql_at = history.first_at;
    person.last_mql_at = history.last_at;
    let decision = route_and_record(tx, writes, config, reads, person, facts, now).await?;
    person.owner_id = decision.owner;
    let calendar = reads.calendar_for(tx, config, person.owner_id).await?;
    let (clock, alarms) = plan_clock(
        &calendar,
        SlaPolicy::mql_first_touch(),
        (Some(person.id), None),
        person.owner_id,
        person.source.clone(),
        now,
    );
    writes.clock(clock, alarms);
    Ok((score, true))
}

/// Routes `person`, taking the round-robin turn in `reads` (written at the batch's end) and adding
/// the decision and a timeline note to `writes`. Reps skipped for being deactivated or unknown are
/// logged: a rule names them.
async fn route_and_record(
    tx: &mut WriteTx,
    writes: &mut Writes,
    config: &InboundConfig,
    reads: &mut BatchReads,
    person: &Person,
    facts: LeadFacts,
    now: DateTime<Utc>,
) -> AppResult<RoutingDecision> {
    let state = reads.round_robin(tx).await?;
    let rows = reads.reps(tx).await?;
    let rules = routing_rules_from(config.routing.as_deref(), rows);
    let decision = route(&facts, &rules, &reps_for_routing(rows), state);
    for skipped in &decision.skipped {
        if matches!(skipped.reason, SkipReason::Deactivated | SkipReason::UnknownUser) {
            tracing::warn!(rep = %skipped.rep, reason = skipped.reason.code(), person = %person.id,
                "routing skipped a rep that a rule names");
        }
    }
    reads.routed(decision.new_state.clone(), decision.owner);
    writes.decision(Decision {
        id: prospector_core::ids::uuid_v7_at(now),
        person_id: person.id,
        owner_id: decision.owner,
        rule_code: decision.rule_code.clone(),
        why: decision.why.clone(),
        skipped: serde_json::to_value(&decision.skipped).unwrap_or_else(|_| serde_json::json!([])),
        decided_at: now,
    });
    writes.append(
        person.id,
        ActivityDetail::Note {
            text: decision.why.clone(),
        },
        now,
    );
    Ok(decision)
}
