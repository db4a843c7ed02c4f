//! SLA clocks in business time: started on the owner's calendar (their own, their team's or the
//! team-wide one), warned at half time and escalated
//! at the deadline by outbox items (each checks the clock is still running, so a retry or a clock
//! stopped meanwhile notifies nobody twice), stopped by the first call or sent email.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use prospector_core::ids::{TeamId, UserId};
use prospector_core::schedule::BusinessCalendar;
use prospector_core::schedule::{SlaClock, SlaKind, SlaPolicy, SlaStatus};
use prospector_store::WriteTx;
use prospector_store::inbound::{self as store, Clock, ClockFilter, Notification};
use prospector_store::outbox::NewItem;

use super::config::InboundConfig;
use prospector_store::records::people::{self, Person};
use prospector_store::records::{OpportunityId, PersonId};
use serde::Serialize;
use uuid::Uuid;

use super::{SLA_BREACH, SLA_WARNING, notify, require_inbound_viewer, team_lead_of};
use crate::outbox::{Handler, HandlerFuture};
use crate::records::scope_for;
use crate::{Actor, App, AppError, AppResult};

fn kind_of(code: &str) -> SlaKind {
    match code {
        "contact_us_first_touch" => SlaKind::ContactUsFirstTouch,
        "handoff_acceptance" => SlaKind::HandoffAcceptance,
        _ => SlaKind::MqlFirstTouch,
    }
}

/// The core clock of a stored one.
pub fn core_clock(c: &Clock) -> SlaClock {
    SlaClock {
        kind: kind_of(&c.kind),
        started_at: c.started_at,
        business_minutes: c.business_minutes,
        warn_at: c.warn_at,
        due_at: c.due_at,
    }
}

/// A clock for `policy` started now on `calendar` (its owner's), with its warning and breach
/// alarms as outbox items, not yet written.
pub(crate) fn plan_clock(
    calendar: &BusinessCalendar,
    policy: SlaPolicy,
    about: (Option<PersonId>, Option<OpportunityId>),
    owner: Option<UserId>,
    source: Option<String>,
    now: DateTime<Utc>,
) -> (Clock, Vec<(Uuid, NewItem)>) {
    let started = SlaClock::start(&policy, now, calendar);
    let clock = Clock {
        id: prospector_core::ids::uuid_v7_at(now),
        kind: policy.kind.code().into(),
        person_id: about.0,
        opportunity_id: about.1,
        owner_id: owner,
        source,
        started_at: now,
        business_minutes: started.business_minutes,
        warn_at: started.warn_at,
        due_at: started.due_at,
        stopped_at: None,
        first_touch_at: None,
        warned_at: None,
        breached_at: None,
    };
    let payload = serde_json::json!({ "clock_id": clock.id });
    let alarm = |kind: &str, at: DateTime<Utc>, key: String| {
        (
            prospector_core::ids::uuid_v7_at(now),
            NewItem {
                kind: kind.to_owned(),
                payload: payload.clone(),
                available_at: at,
                dedupe_key: Some(key),
                max_attempts: 10,
            },
        )
    };
    let alarms = vec![
        alarm(SLA_WARNING, clock.warn_at, format!("sla-warning:{}", clock.id)),
        alarm(SLA_BREACH, clock.due_at, format!("sla-breach:{}", clock.id)),
    ];
    (clock, alarms)
}

/// Starts `policy`'s clock for a person or an opportunity on `calendar` and schedules its
/// warning and breach, in `tx`.
pub(crate) async fn start_clock(
    tx: &mut WriteTx,
    calendar: &BusinessCalendar,
    policy: SlaPolicy,
    about: (Option<PersonId>, Option<OpportunityId>),
    owner: Option<UserId>,
    source: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Clock> {
    let (clock, alarms) = plan_clock(calendar, policy, about, owner, source, now);
    store::insert_clock(tx, &clock).await?;
    prospector_store::inbound::batch::enqueue_outbox(tx, &alarms, now).await?;
    Ok(clock)
}

/// The business calendar `owner` works on: their own, else their team's, else the team-wide
/// one. Reads the owner's team only when some team has a calendar of its own.
pub(crate) async fn calendar_for(
    ex: &mut impl prospector_store::Exec,
    config: &InboundConfig,
    owner: Option<UserId>,
) -> AppResult<BusinessCalendar> {
    let team = match owner {
        Some(o) if !config.users.contains_key(&o) && !config.teams.is_empty() => {
            prospector_store::users::user_by_id(ex, o)
                .await?
                .and_then(|u| u.team_id)
        }
        _ => None,
    };
    Ok(calendar_in(config, owner, team))
}

/// The calendar of `owner` (in `team`): their own, else their team's, else the team-wide one.
pub(crate) fn calendar_in(
    config: &InboundConfig,
    owner: Option<UserId>,
    team: Option<TeamId>,
) -> BusinessCalendar {
    owner
        .and_then(|o| config.users.get(&o))
        .or_else(|| team.and_then(|t| config.teams.get(&t)))
        .unwrap_or(&config.team_wide)
        .clone()
}

/// Stops `person`'s running first-touch clocks at their first call or sent email, in `tx`.
pub(crate) async fn stop_person_clocks(tx: &mut WriteTx, person: PersonId) -> AppResult<usize> {
    let mut stopped = 0;
    for clock in store::clocks(tx, ClockFilter::Person(person), 100).await? {
        if clock.stopped_at.is_some() || clock.opportunity_id.is_some() {
            continue;
        }
        if let Some(touch) = store::first_touch(tx, person, clock.started_at).await?
            && store::stop_clock(tx, clock.id, touch, Some(touch)).await?
        {
            stopped += 1;
        }
    }
    Ok(stopped)
}

/// Runs a clock's warning or breach.
#[derive(Debug)]
pub struct AlarmHandler {
    /// The breach (deadline) rather than the warning (half time).
    pub breach: bool,
}

impl Handler for AlarmHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a prospector_store::outbox::Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            let id = item
                .payload
                .get("clock_id")
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse::<Uuid>().ok())
                .ok_or_else(|| "payload has no clock_id".to_owned())?;
            app.sla_alarm(id, self.breach).await.map_err(|e| e.to_string())
        })
    }
}

impl App {
    /// Stops `person`'s running first-touch clocks at their first logged call or sent email (see the
    /// module documentation of `inbound` for why this is called lazily). Returns how many stopped.
    pub async fn stop_sla_clocks_for(&self, person: PersonId) -> AppResult<usize> {
        let mut tx = self.store().begin().await?;
        let n = stop_person_clocks(&mut tx, person).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The warning (half time) or breach (deadline) of clock `id`: tells the owner — and, on a
    /// breach, their team lead — in the app and by email, unless the clock has stopped meanwhile
    /// or this alarm went out already.
    pub async fn sla_alarm(&self, id: Uuid, breach: bool) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(clock) = store::clock(&mut tx, id).await? else {
            return Ok(());
        };
        if let Some(person) = clock.person_id
            && clock.opportunity_id.is_none()
        {
            stop_person_clocks(&mut tx, person).await?;
        }
        if !store::mark_clock(&mut tx, id, breach, now).await? {
            tx.commit().await?;
            return Ok(());
        }
        let kind = kind_of(&clock.kind);
        let who = match clock.person_id {
            Some(p) => people::get(&mut tx, p)
                .await?
                .map_or_else(|| "a lead".to_owned(), |p| p.full_name()),
            None => "a hand-off".to_owned(),
        };
        let (note_kind, message) = if breach {
            (
                "sla_breach",
                format!(
                    "SLA breached: {} for {who} was due at {} UTC.",
                    kind.label(),
                    clock.due_at.format("%Y-%m-%d %H:%M")
                ),
            )
        } else {
            (
                "sla_warning",
                format!(
                    "SLA half time: {} for {who} is due at {} UTC.",
                    kind.label(),
                    clock.due_at.format("%Y-%m-%d %H:%M")
                ),
            )
        };
        let about = (clock.person_id, clock.opportunity_id);
        let mut told = Vec::new();
        if let Some(owner) = clock.owner_id {
            notify(&mut tx, now, owner, note_kind, &message, about).await?;
            told.push(owner);
        }
        if breach {
            // The team lead of the owner; for a hand-off, of the SDR who booked it.
            let escalate_from = match clock.opportunity_id {
                Some(o) => store::handoff(&mut tx, o).await?.and_then(|h| h.sdr_id),
                None => clock.owner_id,
            };
            if let Some(from) = escalate_from
                && let Some(lead) = team_lead_of(&mut tx, from).await?
                && !told.contains(&lead)
            {
                notify(&mut tx, now, lead, note_kind, &message, about).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The inbound queue: running first-touch clocks, earliest deadline first (SDRs see their own
    /// and unowned ones), with where each stands now. Clocks touched meanwhile are stopped first.
    pub async fn inbound_queue(&self, actor: &Actor) -> AppResult<Vec<QueueItem>> {
        require_inbound_viewer(actor)?;
        let now = self.now();
        let config = self.inbound_config().await?;
        let running = store::clocks(&mut self.store().reader(), ClockFilter::Running, 500).await?;
        let persons: Vec<PersonId> = running.iter().filter_map(|c| c.person_id).collect();
        if !persons.is_empty() {
            let mut tx = self.store().begin().await?;
            for p in &persons {
                stop_person_clocks(&mut tx, *p).await?;
            }
            tx.commit().await?;
        }
        let mut reader = self.store().reader();
        let running = store::clocks(&mut reader, ClockFilter::Running, 500).await?;
        let calendars = calendars_of(&mut reader, &config, running.iter().map(|c| c.owner_id)).await?;
        let names = user_names(self).await?;
        let scope = scope_for(actor);
        let mut items = Vec::new();
        for clock in running.into_iter().filter(|c| c.opportunity_id.is_none()) {
            let Some(pid) = clock.person_id else { continue };
            if actor.role() == prospector_core::role::Role::Sdr
                && clock.owner_id.is_some()
                && clock.owner_id != actor.user_id()
            {
                continue;
            }
            let Some(person) = people::get(&mut reader, pid).await? else {
                continue;
            };
            if actor.role() != prospector_core::role::Role::Marketing
                && !people::visible(&mut reader, scope, pid).await?
            {
                continue;
            }
            let status = core_clock(&clock).status(&calendars[&clock.owner_id], now, None);
            items.push(QueueItem {
                owner_name: clock.owner_id.and_then(|o| names.get(&o).cloned()),
                person,
                status,
                clock,
            });
        }
        Ok(items)
    }

    /// Speed to lead over the last `days` days: median business minutes to first touch by rep
    /// and by source, and the share of clocks that breached.
    pub async fn sla_report(&self, actor: &Actor, days: i64) -> AppResult<SlaReport> {
        require_inbound_viewer(actor)?;
        let now = self.now();
        let since = now - Duration::days(days.clamp(1, 366));
        let config = self.inbound_config().await?;
        let mut clocks = store::clocks(
            &mut self.store().reader(),
            ClockFilter::StartedSince(since),
            100_000,
        )
        .await?;
        let running: Vec<PersonId> = clocks
            .iter()
            .filter(|c| c.stopped_at.is_none() && c.opportunity_id.is_none())
            .filter_map(|c| c.person_id)
            .collect();
        if !running.is_empty() {
            let mut tx = self.store().begin().await?;
            for p in &running {
                stop_person_clocks(&mut tx, *p).await?;
            }
            tx.commit().await?;
            clocks = store::clocks(
                &mut self.store().reader(),
                ClockFilter::StartedSince(since),
                100_000,
            )
            .await?;
        }
        let calendars = calendars_of(
            &mut self.store().reader(),
            &config,
            clocks.iter().map(|c| c.owner_id),
        )
        .await?;
        let names = user_names(self).await?;
        let mut by_rep: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut by_source: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let (mut total, mut breached) = (0_i64, 0_i64);
        // Clocks called off without a touch (an unsubscribe) are neither met nor breached.
        let counted = clocks.iter().filter(|c| {
            c.opportunity_id.is_none() && !(c.stopped_at.is_some() && c.first_touch_at.is_none())
        });
        for clock in counted {
            total += 1;
            let status = core_clock(clock).status(&calendars[&clock.owner_id], now, clock.first_touch_at);
            if matches!(status, SlaStatus::Breached { .. } | SlaStatus::Missed { .. }) {
                breached += 1;
            }
            if let SlaStatus::Met { business_minutes } | SlaStatus::Missed { business_minutes, .. } = status {
                let rep = clock
                    .owner_id
                    .and_then(|o| names.get(&o).cloned())
                    .unwrap_or_else(|| "Unassigned".into());
                by_rep.entry(rep).or_default().push(business_minutes);
                let source = clock.source.clone().unwrap_or_else(|| "unknown".into());
                by_source.entry(source).or_default().push(business_minutes);
            }
        }
        let rows = |m: BTreeMap<String, Vec<i64>>| {
            m.into_iter()
                .map(|(name, mut v)| {
                    v.sort_unstable();
                    let n = v.len();
                    let median = if n % 2 == 1 {
                        v[n / 2] as f64
                    } else {
                        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
                    };
                    MedianRow {
                        name,
                        touched: n as i64,
                        median_business_minutes: median,
                    }
                })
                .collect()
        };
        Ok(SlaReport {
            since,
            clocks: total,
            breached,
            breach_rate: if total == 0 {
                0.0
            } else {
                breached as f64 / total as f64
            },
            by_rep: rows(by_rep),
            by_source: rows(by_source),
        })
    }

    /// The actor's notifications, newest first.
    pub async fn my_notifications(&self, actor: &Actor, limit: i64) -> AppResult<Vec<Notification>> {
        let Some(me) = actor.user_id() else {
            return Err(AppError::Forbidden("notifications belong to a user".into()));
        };
        Ok(store::notifications(&mut self.store().reader(), me, limit.clamp(1, 200)).await?)
    }

    /// The clocks of a person (their first-touch clocks) or of a hand-off.
    pub async fn clocks_of(&self, actor: &Actor, person: PersonId) -> AppResult<Vec<Clock>> {
        let mut reader = self.store().reader();
        self.person_for(&mut reader, actor, None, person, false).await?;
        Ok(store::clocks(&mut reader, ClockFilter::Person(person), 100).await?)
    }
}

/// The calendar of each owner in `owners` (each looked up once).
async fn calendars_of(
    ex: &mut impl prospector_store::Exec,
    config: &InboundConfig,
    owners: impl Iterator<Item = Option<UserId>>,
) -> AppResult<std::collections::HashMap<Option<UserId>, BusinessCalendar>> {
    let mut out = std::collections::HashMap::new();
    for owner in owners {
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(owner) {
            slot.insert(calendar_for(ex, config, owner).await?);
        }
    }
    Ok(out)
}

async fn user_names(app: &App) -> AppResult<BTreeMap<UserId, String>> {
    Ok(store::reps(&mut app.store().reader(), false)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.name))
        .collect())
}

/// A row of the inbound queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    /// The clock.
    pub clock: Clock,
    /// The person.
    pub person: Person,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// Where the clock stands now.
    pub status: SlaStatus,
}

/// A median time to first touch for one rep or source.
#[derive(Debug, Clone, Serialize)]
pub struct MedianRow {
    /// Rep name or source code.
    pub name: String,
    /// Clocks with a first touch.
    pub touched: i64,
    /// Median business minutes to first touch.
    pub median_business_minutes: f64,
}

/// Speed to lead.
#[derive(Debug, Clone, Serialize)]
pub struct SlaReport {
    /// Clocks started since.
    pub since: DateTime<Utc>,
    /// First-touch clocks counted.
    pub clocks: i64,
    /// Of which breached (still running past the deadline, or touched late).
    pub breached: i64,
    /// `breached / clocks`.
    pub breach_rate: f64,
    /// By rep.
    pub by_rep: Vec<MedianRow>,
    /// By lead source.
    pub by_source: Vec<MedianRow>,
}
