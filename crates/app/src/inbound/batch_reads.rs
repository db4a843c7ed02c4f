//! What a batch of captures reads once instead of once per form.
//!
//! A captured form needs the sender's rate-limit count, the people they might already be, their
//! company's account, the round-robin turn and the reps. Read per form, inside the write
//! transaction, each is a round trip to the one SQLite writer while every other form waits; read
//! for the whole batch at its start (and kept up to date in memory as the batch writes), a batch of
//! 64 forms makes a handful of round trips instead of hundreds. A form then sees the forms before
//! it in the batch exactly as if they had been read back: the people they created or changed, the
//! turns they took, the leads they gave each rep.
//!
//! A batch of one (a recorded behaviour, a lone form) uses the same code and reads lazily.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use prospector_core::ids::{TeamId, UserId};
use prospector_core::inbound::{RoundRobinState, is_business_email};
use prospector_core::schedule::BusinessCalendar;
use prospector_store::WriteTx;
use prospector_store::inbound::{self as store, RepRow};
use prospector_store::records::accounts::{self, Account};
use prospector_store::records::people::{self, DuplicateKeys, Person, PersonKind};
use prospector_store::records::{AccountId, PersonId};

use super::config::InboundConfig;
use crate::{AppError, AppResult};

/// The most duplicate candidates read per key value, as on entry.
const CANDIDATES_PER_KEY: i64 = 50;

/// The rate-limit count of one client address: the hits of this batch's forms are counted in the
/// database at once, then handed out to the forms one by one.
#[derive(Debug, Clone, Copy)]
struct Throttle {
    next_hits: i64,
    window_started: DateTime<Utc>,
}

/// The round-robin state, locked (on PostgreSQL) and read at the batch's first routing decision;
/// written once at the end when a decision took a turn.
#[derive(Debug)]
struct Turns {
    state: RoundRobinState,
    taken: bool,
}

/// Reads shared by the forms of one batch; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct BatchReads {
    throttles: HashMap<String, Throttle>,
    /// The latest version of every person the batch may match, by id (so candidates come in id
    /// order, as the database returns them): the candidates read at the start, then every person
    /// the batch created or changed.
    people: BTreeMap<PersonId, (DuplicateKeys, Person)>,
    /// Whether `people` holds every candidate of the batch's forms (else they are read per form).
    candidates_loaded: bool,
    by_domain: HashMap<String, Option<Account>>,
    by_id: HashMap<AccountId, Option<Account>>,
    reps: Option<Vec<RepRow>>,
    turns: Option<Turns>,
}

/// The duplicate keys of `p`, as stored.
pub(crate) fn keys_of(p: &Person) -> DuplicateKeys {
    DuplicateKeys::of(
        p.email.as_ref(),
        p.phone.as_deref(),
        p.first_name.as_deref(),
        p.last_name.as_deref(),
    )
}

/// The domain routing looks an account up by: a business email's.
fn business_domain(p: &Person) -> Option<String> {
    p.email
        .as_ref()
        .filter(|e| is_business_email(e))
        .map(|e| e.domain().to_owned())
}

impl BatchReads {
    /// Reads, in three or four statements, what the batch's forms will look up: the rate-limit
    /// counts of `addresses` (one hit per entry), the duplicate candidates of `fresh` people and
    /// the accounts of their business domains.
    pub async fn load(
        tx: &mut WriteTx,
        addresses: &[String],
        fresh: &[Person],
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> AppResult<BatchReads> {
        let mut reads = BatchReads::default();
        let mut hits: BTreeMap<&str, i64> = BTreeMap::new();
        for address in addresses {
            *hits.entry(address.as_str()).or_default() += 1;
        }
        for (address, n) in hits {
            let (total, window_started) =
                store::throttle_hit(tx, &throttle_key(address), n, now, window).await?;
            reads.throttles.insert(
                address.to_owned(),
                Throttle {
                    next_hits: total - n + 1,
                    window_started,
                },
            );
        }
        let keys: Vec<DuplicateKeys> = fresh.iter().map(keys_of).collect();
        for p in people::duplicate_candidates_of_many(tx, &keys, CANDIDATES_PER_KEY).await? {
            reads.remember(p);
        }
        reads.candidates_loaded = true;
        let mut domains: Vec<String> = fresh.iter().filter_map(business_domain).collect();
        domains.sort();
        domains.dedup();
        let mut found = accounts::by_domains(tx, &domains).await?;
        for d in domains {
            let account = found.remove(&d);
            reads.by_domain.insert(d, account);
        }
        Ok(reads)
    }

    /// Counts a post from `address` and returns the hits in its window (this one included) and
    /// when the window started.
    pub async fn throttle_hit(
        &mut self,
        tx: &mut WriteTx,
        address: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> AppResult<(i64, DateTime<Utc>)> {
        if let Some(t) = self.throttles.get_mut(address) {
            let hit = (t.next_hits, t.window_started);
            t.next_hits += 1;
            return Ok(hit);
        }
        Ok(store::throttle_hit(tx, &throttle_key(address), 1, now, window).await?)
    }

    /// The stored leads and contacts sharing a duplicate key with `keys`, in id order, each as the
    /// batch last left it.
    pub async fn candidates(&mut self, tx: &mut WriteTx, fresh: &Person) -> AppResult<Vec<Person>> {
        let keys = keys_of(fresh);
        if !self.candidates_loaded {
            let found = people::duplicate_candidates_at_once(
                tx,
                fresh.email.as_ref(),
                fresh.phone.as_deref(),
                fresh.first_name.as_deref(),
                fresh.last_name.as_deref(),
                CANDIDATES_PER_KEY,
            )
            .await?;
            for p in found {
                // A version this batch wrote is newer than the one read back.
                if !self.people.contains_key(&p.id) {
                    self.remember(p);
                }
            }
        }
        Ok(self
            .people
            .values()
            .filter(|(k, p)| matches!(p.kind, PersonKind::Lead | PersonKind::Contact) && k.shares_any(&keys))
            .map(|(_, p)| p.clone())
            .collect())
    }

    /// Keeps `p` (as just written) for the forms after it.
    pub fn remember(&mut self, p: Person) {
        self.people.insert(p.id, (keys_of(&p), p));
    }

    /// The account routing and scoring see for `person`: theirs, or their business domain's.
    pub async fn account_for(&mut self, tx: &mut WriteTx, person: &Person) -> AppResult<Option<Account>> {
        if let Some(id) = person.account_id {
            return self.account(tx, id).await;
        }
        let Some(domain) = business_domain(person) else {
            return Ok(None);
        };
        if let Some(known) = self.by_domain.get(&domain) {
            return Ok(known.clone());
        }
        let found = accounts::by_domain(tx, &domain).await?;
        self.by_domain.insert(domain, found.clone());
        Ok(found)
    }

    /// The account `id`.
    pub async fn account(&mut self, tx: &mut WriteTx, id: AccountId) -> AppResult<Option<Account>> {
        if let Some(known) = self.by_id.get(&id) {
            return Ok(known.clone());
        }
        let found = accounts::get(tx, id).await?;
        self.by_id.insert(id, found.clone());
        Ok(found)
    }

    /// Every user with their inbound settings, and the inbound leads the batch has given them.
    pub async fn reps(&mut self, tx: &mut WriteTx) -> AppResult<&mut Vec<RepRow>> {
        if self.reps.is_none() {
            self.reps = Some(store::reps(tx, false).await?);
        }
        Ok(self.reps.get_or_insert_with(Vec::new))
    }

    /// The round-robin state, locked until the commit on PostgreSQL.
    pub async fn round_robin(&mut self, tx: &mut WriteTx) -> AppResult<RoundRobinState> {
        if self.turns.is_none() {
            let state = store::rule_set_for_update(tx, "round_robin")
                .await?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            self.turns = Some(Turns { state, taken: false });
        }
        Ok(self.turns.as_ref().map(|t| t.state.clone()).unwrap_or_default())
    }

    /// Records a routing decision: the turn taken, and one more open inbound lead for `owner`.
    pub fn routed(&mut self, state: RoundRobinState, owner: Option<UserId>) {
        self.turns = Some(Turns { state, taken: true });
        if let (Some(owner), Some(reps)) = (owner, self.reps.as_mut())
            && let Some(rep) = reps.iter_mut().find(|r| r.user_id == owner)
        {
            rep.open_inbound_leads += 1;
        }
    }

    /// `user`'s team, if they have one.
    pub async fn team_of(&mut self, tx: &mut WriteTx, user: Option<UserId>) -> AppResult<Option<TeamId>> {
        let Some(user) = user else { return Ok(None) };
        Ok(self
            .reps(tx)
            .await?
            .iter()
            .find(|r| r.user_id == user)
            .and_then(|r| r.team_id))
    }

    /// The business calendar `owner`'s clocks run on (see `sla::calendar_for`).
    pub async fn calendar_for(
        &mut self,
        tx: &mut WriteTx,
        config: &InboundConfig,
        owner: Option<UserId>,
    ) -> AppResult<BusinessCalendar> {
        let needs_team = owner.is_some_and(|o| !config.users.contains_key(&o)) && !config.teams.is_empty();
        let team = if needs_team {
            self.team_of(tx, owner).await?
        } else {
            None
        };
        Ok(super::sla::calendar_in(config, owner, team))
    }

    /// Writes the round-robin state when a decision of the batch took a turn.
    pub async fn finish(self, tx: &mut WriteTx, now: DateTime<Utc>) -> AppResult<()> {
        if let Some(turns) = self.turns.filter(|t| t.taken) {
            let state = serde_json::to_value(&turns.state).map_err(|e| AppError::Internal(e.to_string()))?;
            store::save_rule_set(tx, "round_robin", state, now).await?;
        }
        Ok(())
    }
}

/// The rate-limit key of form posts from `address`.
fn throttle_key(address: &str) -> String {
    format!("form:{address}")
}
