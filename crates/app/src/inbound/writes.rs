//! The rows a capture (or a recorded behaviour) writes, gathered in memory and written at the end
//! of the transaction with one statement per table: a captured contact-us form writes three
//! timeline entries, two clocks and four outbox items, and each statement is a round trip.
//! A new person is inserted once, with their final score, status and owner, before the rows
//! that refer to them.

use chrono::{DateTime, Utc};
use prospector_core::ids::TeamId;
use prospector_core::metrics::{activity_counts, status_change_metrics};
use prospector_core::records::ActivityId;
use prospector_core::records::activity::ActivityDetail;
use prospector_store::WriteTx;
use prospector_store::dashboards::rollups::{self, Dims};
use prospector_store::inbound::{self as store, Clock, Decision, ScoreEvent, batch};
use prospector_store::outbox::NewItem;
use prospector_store::records::PersonId;
use prospector_store::records::activities::{self, Activity};
use prospector_store::records::people::{self, Person};
use prospector_store::records::search::DocKind;
use uuid::Uuid;

use crate::AppResult;

/// Whether filing `a` changes a rollup: a status change or a correction always may; any other
/// entry only when it counts (a product-written note adds nothing, and skipping it saves the
/// three reads that work out where it would be filed).
fn files_rollups(a: &Activity) -> bool {
    a.corrects_id.is_some()
        || matches!(a.detail, ActivityDetail::StatusChange { .. })
        || !activity_counts(&a.detail, a.is_connect).is_zero()
}

/// Rows waiting to be written.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    activities: Vec<Activity>,
    score_events: Vec<ScoreEvent>,
    decisions: Vec<Decision>,
    clocks: Vec<Clock>,
    outbox: Vec<(Uuid, NewItem)>,
}

impl Writes {
    /// A product-written entry on `person`'s timeline.
    pub fn append(&mut self, person: PersonId, detail: ActivityDetail, now: DateTime<Utc>) {
        self.activities.push(Activity {
            id: ActivityId::new_at(now),
            kind: detail.kind(),
            person_id: Some(person),
            account_id: None,
            opportunity_id: None,
            occurred_at: now,
            detail,
            corrects_id: None,
            is_connect: false,
            actor_id: None,
            created_at: now,
        });
    }

    /// A scored behaviour.
    pub fn score_event(&mut self, e: ScoreEvent) {
        self.score_events.push(e);
    }

    /// A routing decision.
    pub fn decision(&mut self, d: Decision) {
        self.decisions.push(d);
    }

    /// A started clock and its alarms.
    pub fn clock(&mut self, c: Clock, alarms: Vec<(Uuid, NewItem)>) {
        self.clocks.push(c);
        self.outbox.extend(alarms);
    }

    /// Writes `person` (inserted when `created`, else updated when it differs from `before`) and
    /// then every gathered row, in `tx`; returns the person as stored. `new_person` (for a person
    /// this capture creates) files their status changes without reading anything back.
    pub async fn flush(
        self,
        tx: &mut WriteTx,
        before: &Person,
        person: &Person,
        new_person: Option<&NewPersonDims>,
        now: DateTime<Utc>,
    ) -> AppResult<Person> {
        let mut docs = Vec::new();
        let mut stored = person.clone();
        if new_person.is_some() {
            people::insert(tx, person).await?;
            docs.push((DocKind::Person, person.id.0, person.search_body()));
        } else if before != person {
            stored.updated_at = now;
            stored.version = before.version + 1;
            people::update(tx, &stored).await?;
            docs.push((DocKind::Person, stored.id.0, stored.search_body()));
        }
        for a in &self.activities {
            if let Some(body) = a.search_body() {
                docs.push((DocKind::Activity, a.id.0, body));
            }
        }
        // One statement for the entries, then each files itself in the dashboard rollups, in order.
        // Filing after the insert reads the same rows as filing before each insert would: a status
        // change looks only at entries created before it (ids grow within a millisecond).
        activities::insert_many(tx, &self.activities).await?;
        let mut previous_change: Option<DateTime<Utc>> = None;
        for a in self.activities.iter().filter(|a| files_rollups(a)) {
            match (new_person, &a.detail) {
                (Some(known), ActivityDetail::StatusChange { from, to, reason })
                    if a.corrects_id.is_none() =>
                {
                    let dims = known.dims(&stored, a);
                    let seconds = previous_change.map(|at| (a.occurred_at - at).num_seconds());
                    let metrics = status_change_metrics(from, to, reason.as_deref(), seconds);
                    rollups::add_status(tx, &dims, &metrics, 1).await?;
                    previous_change = Some(a.occurred_at);
                }
                _ => rollups::on_activity(tx, a).await?,
            }
        }
        batch::put_search_docs(tx, &docs).await?;
        for e in &self.score_events {
            store::insert_score_event(tx, e).await?;
        }
        for d in &self.decisions {
            store::insert_decision(tx, d).await?;
        }
        batch::insert_clocks(tx, &self.clocks).await?;
        batch::enqueue_outbox(tx, &self.outbox, now).await?;
        Ok(stored)
    }
}

/// Where a person created by this capture has their status changes filed, known without reading
/// anything back: what `rollups::dims_for` would read is the person just built (owner, source,
/// account), their account's segment and their owner's team.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewPersonDims {
    /// The owner's team.
    pub team: Option<TeamId>,
    /// The segment of the person's account.
    pub segment: Option<String>,
}

impl NewPersonDims {
    /// The rollup dimensions of `a`, an entry on `person`'s timeline that no user wrote (as every
    /// entry of [`Writes::append`]), so it is credited to the owner.
    fn dims(&self, person: &Person, a: &Activity) -> Dims {
        Dims {
            day: a.occurred_at.date_naive(),
            rep: person.owner_id.map_or(Uuid::nil(), |u| u.0),
            team: self.team.map_or(Uuid::nil(), |t| t.0),
            source: person.source.clone().unwrap_or_default(),
            segment: self.segment.clone().unwrap_or_default(),
        }
    }
}
