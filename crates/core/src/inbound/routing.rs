//! Who gets a new inbound lead, and why. Rules are data an admin orders; a decision names the rule
//! that placed the lead, explains itself in a sentence, and lists every rep passed over with the reason.
//!
//! Order of precedence: (1) the existing account owner, then the person's current working owner;
//! (2) the first rule matching the lead's segment and region that has an available rep; (3) within a
//! rule's pool, smooth weighted round-robin by each rep's ramp share. Round-robin is deterministic: its
//! only memory is a credit per rep per rule ([`RoundRobinState`]), which the caller stores and passes
//! back, so two servers given the same state make the same choice.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::ids::UserId;

/// Company size by employees, as the handbook segments accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// More than 2,000 employees.
    Large,
    /// 101 to 2,000 employees.
    MidMarket,
    /// Up to 100 employees.
    Smb,
}

impl Segment {
    /// Every segment, largest first.
    pub const ALL: [Segment; 3] = [Segment::Large, Segment::MidMarket, Segment::Smb];

    /// The segment of a company with `employees` people.
    pub fn from_employees(employees: u32) -> Self {
        match employees {
            0..=100 => Segment::Smb,
            101..=2000 => Segment::MidMarket,
            _ => Segment::Large,
        }
    }

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Large => "large",
            Segment::MidMarket => "mid_market",
            Segment::Smb => "smb",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Segment::Large => "Large",
            Segment::MidMarket => "Mid-Market",
            Segment::Smb => "SMB",
        }
    }

    /// Parses a segment code, refusing unknown ones with the allowed list (reported under `field`).
    pub fn parse(field: &str, raw: &str) -> Result<Segment, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        Segment::ALL
            .into_iter()
            .find(|s| s.code() == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Segment::ALL.iter().map(|s| s.code()).collect();
                Invalid::unknown_value(field, raw, &allowed)
            })
    }
}

/// Sales region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// North America.
    Amer,
    /// Europe, the Middle East and Africa.
    Emea,
    /// Asia-Pacific.
    Apac,
    /// Latin America.
    Latam,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 4] = [Region::Amer, Region::Emea, Region::Apac, Region::Latam];

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Region::Amer => "amer",
            Region::Emea => "emea",
            Region::Apac => "apac",
            Region::Latam => "latam",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Region::Amer => "AMER",
            Region::Emea => "EMEA",
            Region::Apac => "APAC",
            Region::Latam => "LATAM",
        }
    }

    /// Parses a region code, refusing unknown ones with the allowed list (reported under `field`).
    pub fn parse(field: &str, raw: &str) -> Result<Region, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        Region::ALL
            .into_iter()
            .find(|r| r.code() == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Region::ALL.iter().map(|r| r.code()).collect();
                Invalid::unknown_value(field, raw, &allowed)
            })
    }
}

/// A user who may receive leads, as routing needs to see them at the moment of the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rep {
    /// The user.
    pub id: UserId,
    /// Their display name, for the decision's sentence.
    pub name: String,
    /// False once the user is deactivated.
    pub active: bool,
    /// True while the user is marked out of office.
    pub out_of_office: bool,
    /// Ramp share in percent (0, 50, 100 in the handbook): their weight in round-robin. 0 means
    /// they get no round-robin leads yet.
    pub share_percent: u8,
    /// The most open inbound leads they should hold; `None` for no limit.
    pub capacity: Option<u32>,
    /// Open inbound leads they hold now (the caller's count; routing does not add the lead it assigns).
    pub open_inbound_leads: u32,
}

/// What routing knows about the new lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadFacts {
    /// The owner of the matched account, if the lead matched one.
    pub account_owner: Option<UserId>,
    /// Whoever is already working this person (e.g. an earlier lead or an active sequence).
    pub working_owner: Option<UserId>,
    /// The company's employee count, if known; without it only rules for any segment match.
    pub employees: Option<u32>,
    /// The lead's region, if known; without it only rules for any region match.
    pub region: Option<Region>,
}

/// One routing rule: leads in this segment and region go to this pool. `None` matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// A stable code naming the rule in decisions and in the round-robin state.
    pub code: String,
    /// The segment matched, or any.
    pub segment: Option<Segment>,
    /// The region matched, or any.
    pub region: Option<Region>,
    /// The reps who share these leads, in tie-break order.
    pub pool: Vec<UserId>,
}

impl RoutingRule {
    fn matches(&self, segment: Option<Segment>, region: Option<Region>) -> bool {
        let segment_ok = self.segment.is_none() || self.segment == segment;
        let region_ok = self.region.is_none() || self.region == region;
        segment_ok && region_ok
    }

    /// "(SMB, EMEA)", "(any segment, APAC)": the rule's scope for sentences.
    fn scope(&self) -> String {
        let segment = self.segment.map_or("any segment", Segment::label);
        let region = self.region.map_or("any region", Region::label);
        format!("({segment}, {region})")
    }
}

/// The round-robin memory, per rule code and rep: a credit that grows by the rep's share each lead
/// and drops by the pool's total share when the rep is chosen (nginx's smooth weighted round-robin).
/// Store it after each decision and pass it to the next; a rep who is skipped keeps their credit, so
/// they resume their turn on return without a burst of catch-up leads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRobinState {
    /// Credits by rule code, then by rep.
    pub credits: BTreeMap<String, BTreeMap<UserId, i64>>,
}

/// Why a rep was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum SkipReason {
    /// The rule names a user routing was not given.
    UnknownUser,
    /// The user is deactivated.
    Deactivated,
    /// The user is out of office.
    OutOfOffice,
    /// The rep holds as many open inbound leads as their capacity.
    AtCapacity {
        /// Open inbound leads held.
        open: u32,
        /// Their capacity.
        capacity: u32,
    },
    /// The rep's ramp share is 0 %.
    ZeroShare,
}

impl SkipReason {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::UnknownUser => "unknown_user",
            SkipReason::Deactivated => "deactivated",
            SkipReason::OutOfOffice => "out_of_office",
            SkipReason::AtCapacity { .. } => "at_capacity",
            SkipReason::ZeroShare => "zero_share",
        }
    }

    /// The label shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::UnknownUser => "Unknown user",
            SkipReason::Deactivated => "Deactivated",
            SkipReason::OutOfOffice => "Out of office",
            SkipReason::AtCapacity { .. } => "At capacity",
            SkipReason::ZeroShare => "Ramping (0 % share)",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::AtCapacity { open, capacity } => {
                write!(f, "at capacity, {open} of {capacity} open inbound leads")
            }
            other => f.write_str(&other.label().to_lowercase()),
        }
    }
}

/// A rep passed over, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRep {
    /// The rep.
    pub rep: UserId,
    /// Why.
    pub reason: SkipReason,
}

/// The outcome of routing one lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingDecision {
    /// The new owner, or `None` when nobody was available (the lead waits in the team queue).
    pub owner: Option<UserId>,
    /// `account_owner`, `working_owner`, the matching rule's code, or `unrouted`.
    pub rule_code: String,
    /// A sentence for the lead's timeline.
    pub why: String,
    /// Reps passed over on the way, each once, in the order met.
    pub skipped: Vec<SkippedRep>,
    /// The round-robin state to store for the next decision.
    pub new_state: RoundRobinState,
}

/// Decides who owns `lead` under `rules` (in order), among `reps`, given the stored round-robin `state`.
///
/// `reps` should hold every user a rule or the lead's owners name; anyone missing is skipped as unknown.
/// Owners are passed over only when deactivated or out of office: capacity and ramp share govern
/// round-robin, not accounts a rep already owns.
pub fn route(
    lead: &LeadFacts,
    rules: &[RoutingRule],
    reps: &[Rep],
    mut state: RoundRobinState,
) -> RoutingDecision {
    let by_id: HashMap<UserId, &Rep> = reps.iter().map(|rep| (rep.id, rep)).collect();
    let mut skipped = Vec::new();
    let mut skip = |rep: UserId, reason: SkipReason| {
        let entry = SkippedRep { rep, reason };
        if !skipped.contains(&entry) {
            skipped.push(entry);
        }
    };

    let owners = [
        (lead.account_owner, "account_owner", "they own the lead's account"),
        (
            lead.working_owner,
            "working_owner",
            "they are already working this person",
        ),
    ];
    for (owner, rule_code, because) in owners {
        let Some(owner) = owner else { continue };
        match by_id.get(&owner) {
            None => skip(owner, SkipReason::UnknownUser),
            Some(rep) if !rep.active => skip(owner, SkipReason::Deactivated),
            Some(rep) if rep.out_of_office => skip(owner, SkipReason::OutOfOffice),
            Some(rep) => {
                let why = with_skips(format!("Routed to {}: {because}.", rep.name), &skipped, &by_id);
                return decision(Some(owner), rule_code, why, skipped, state);
            }
        }
    }

    let segment = lead.employees.map(Segment::from_employees);
    for rule in rules.iter().filter(|rule| rule.matches(segment, lead.region)) {
        let mut available: Vec<&Rep> = Vec::with_capacity(rule.pool.len());
        for id in &rule.pool {
            match round_robin_eligibility(by_id.get(id).copied()) {
                Ok(rep) if !available.iter().any(|r| r.id == rep.id) => available.push(rep),
                Ok(_) => {}
                Err(reason) => skip(*id, reason),
            }
        }
        let credits = state.credits.entry(rule.code.clone()).or_default();
        credits.retain(|id, _| rule.pool.contains(id));
        let Some(chosen) = smooth_weighted_pick(&available, credits) else {
            continue;
        };
        let why = format!(
            "Routed to {} by rule '{}' {}: weighted round-robin among {} available rep{}.",
            chosen.name,
            rule.code,
            rule.scope(),
            available.len(),
            if available.len() == 1 { "" } else { "s" }
        );
        let why = with_skips(why, &skipped, &by_id);
        return decision(Some(chosen.id), &rule.code, why, skipped, state);
    }

    let lead_scope = format!(
        "{} lead in {}",
        segment.map_or("an unsized", Segment::label),
        lead.region.map_or("an unknown region", Region::label)
    );
    let why = with_skips(
        format!("Not routed: no rule had an available rep for a {lead_scope}."),
        &skipped,
        &by_id,
    );
    decision(None, "unrouted", why, skipped, state)
}

fn decision(
    owner: Option<UserId>,
    rule_code: &str,
    why: String,
    skipped: Vec<SkippedRep>,
    new_state: RoundRobinState,
) -> RoutingDecision {
    RoutingDecision {
        owner,
        rule_code: rule_code.to_owned(),
        why,
        skipped,
        new_state,
    }
}

/// Whether a pool member may take a round-robin lead now.
fn round_robin_eligibility(rep: Option<&Rep>) -> Result<&Rep, SkipReason> {
    let rep = rep.ok_or(SkipReason::UnknownUser)?;
    if !rep.active {
        return Err(SkipReason::Deactivated);
    }
    if rep.share_percent == 0 {
        return Err(SkipReason::ZeroShare);
    }
    if rep.out_of_office {
        return Err(SkipReason::OutOfOffice);
    }
    if let Some(capacity) = rep.capacity
        && rep.open_inbound_leads >= capacity
    {
        return Err(SkipReason::AtCapacity {
            open: rep.open_inbound_leads,
            capacity,
        });
    }
    Ok(rep)
}

/// One step of smooth weighted round-robin over `available` (all with a positive share): every rep
/// gains their share, the richest wins (earliest in the pool on a tie) and pays the total back.
fn smooth_weighted_pick<'r>(available: &[&'r Rep], credits: &mut BTreeMap<UserId, i64>) -> Option<&'r Rep> {
    let total: i64 = available.iter().map(|rep| i64::from(rep.share_percent)).sum();
    let mut best: Option<(&Rep, i64)> = None;
    for rep in available {
        let credit = credits.entry(rep.id).or_insert(0);
        *credit += i64::from(rep.share_percent);
        if best.is_none_or(|(_, top)| *credit > top) {
            best = Some((rep, *credit));
        }
    }
    let (chosen, _) = best?;
    if let Some(credit) = credits.get_mut(&chosen.id) {
        *credit -= total;
    }
    Some(chosen)
}

/// Appends "Skipped: Bob (out of office), …" to a decision's sentence.
fn with_skips(mut why: String, skipped: &[SkippedRep], by_id: &HashMap<UserId, &Rep>) -> String {
    if skipped.is_empty() {
        return why;
    }
    let names: Vec<String> = skipped
        .iter()
        .map(|s| {
            let name = by_id
                .get(&s.rep)
                .map_or_else(|| s.rep.to_string(), |rep| rep.name.clone());
            format!("{name} ({})", s.reason)
        })
        .collect();
    why.push_str(" Skipped: ");
    why.push_str(&names.join(", "));
    why.push('.');
    why
}

/// Problems to show an admin saving `rules`: blank or repeated codes, empty pools, and pool members
/// who are unknown or deactivated (routing would skip them on every lead). Empty when all is well.
pub fn validate_rules(rules: &[RoutingRule], reps: &[Rep]) -> Vec<Invalid> {
    let by_id: HashMap<UserId, &Rep> = reps.iter().map(|rep| (rep.id, rep)).collect();
    let mut problems = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        if rule.code.trim().is_empty() {
            problems.push(Invalid::required(format!("{field}.code")));
        } else if rules[..i].iter().any(|earlier| earlier.code == rule.code) {
            let message = format!("the rule code '{}' is used by an earlier rule", rule.code);
            problems.push(Invalid::new(format!("{field}.code"), "duplicate", message));
        }
        if rule.pool.is_empty() {
            let message = format!("rule '{}' has nobody in its pool", rule.code);
            problems.push(Invalid::new(format!("{field}.pool"), "empty_pool", message));
        }
        for (j, id) in rule.pool.iter().enumerate() {
            let field = format!("{field}.pool[{j}]");
            match by_id.get(id) {
                None => {
                    let message = format!("rule '{}' names user {id}, who does not exist", rule.code);
                    problems.push(Invalid::new(field, "unknown_user", message));
                }
                Some(rep) if !rep.active => {
                    let message = format!("rule '{}' names {}, who is deactivated", rule.code, rep.name);
                    problems.push(Invalid::new(field, "deactivated_user", message));
                }
                Some(_) => {}
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn rep(name: &str, share_percent: u8) -> Rep {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Rep {
            id: UserId::new_at(at),
            name: name.to_owned(),
            active: true,
            out_of_office: false,
            share_percent,
            capacity: None,
            open_inbound_leads: 0,
        }
    }

    fn rule(code: &str, segment: Option<Segment>, region: Option<Region>, pool: &[&Rep]) -> RoutingRule {
        RoutingRule {
            code: code.to_owned(),
            segment,
            region,
            pool: pool.iter().map(|r| r.id).collect(),
        }
    }

    fn lead(employees: u32, region: Region) -> LeadFacts {
        LeadFacts {
            employees: Some(employees),
            region: Some(region),
            ..LeadFacts::default()
        }
    }

    #[test]
    fn segments_follow_the_handbook_boundaries() {
        assert_eq!(Segment::from_employees(100), Segment::Smb);
        assert_eq!(Segment::from_employees(101), Segment::MidMarket);
        assert_eq!(Segment::from_employees(2000), Segment::MidMarket);
        assert_eq!(Segment::from_employees(2001), Segment::Large);
        assert_eq!(
            Segment::parse("segment", "Mid_Market").unwrap(),
            Segment::MidMarket
        );
        assert_eq!(Region::parse("region", "mars").unwrap_err().code, "unknown_value");
    }

    #[test]
    fn the_account_owner_wins_over_every_rule() {
        let owner = rep("Olive Owner", 0);
        let pool_rep = rep("Pat Pool", 100);
        let rules = [rule("any", None, None, &[&pool_rep])];
        let facts = LeadFacts {
            account_owner: Some(owner.id),
            ..lead(50, Region::Emea)
        };
        let decision = route(
            &facts,
            &rules,
            &[owner.clone(), pool_rep],
            RoundRobinState::default(),
        );
        assert_eq!(decision.owner, Some(owner.id));
        assert_eq!(decision.rule_code, "account_owner");
        assert_eq!(
            decision.why,
            "Routed to Olive Owner: they own the lead's account."
        );
        assert_eq!(decision.new_state, RoundRobinState::default());
    }

    #[test]
    fn the_working_owner_wins_when_there_is_no_account_owner() {
        let worker = rep("Wes Worker", 50);
        let rules = [rule("any", None, None, &[&rep("Pat Pool", 100)])];
        let facts = LeadFacts {
            working_owner: Some(worker.id),
            ..LeadFacts::default()
        };
        let decision = route(
            &facts,
            &rules,
            std::slice::from_ref(&worker),
            RoundRobinState::default(),
        );
        assert_eq!(decision.owner, Some(worker.id));
        assert_eq!(decision.rule_code, "working_owner");
    }

    #[test]
    fn an_out_of_office_account_owner_falls_through_to_the_rules_with_the_reason() {
        let mut owner = rep("Olive Owner", 100);
        owner.out_of_office = true;
        let pool_rep = rep("Pat Pool", 100);
        let rules = [rule("any", None, None, &[&pool_rep])];
        let facts = LeadFacts {
            account_owner: Some(owner.id),
            ..LeadFacts::default()
        };
        let decision = route(
            &facts,
            &rules,
            &[owner.clone(), pool_rep.clone()],
            RoundRobinState::default(),
        );
        assert_eq!(decision.owner, Some(pool_rep.id));
        assert_eq!(
            decision.skipped,
            vec![SkippedRep {
                rep: owner.id,
                reason: SkipReason::OutOfOffice
            }]
        );
        assert!(
            decision.why.ends_with("Skipped: Olive Owner (out of office)."),
            "{}",
            decision.why
        );
    }

    #[test]
    fn segment_and_region_pick_the_pool() {
        let emea_smb = rep("Ema Smb", 100);
        let emea_large = rep("Ela Large", 100);
        let amer = rep("Ame Rica", 100);
        let fallback = rep("Fal Back", 100);
        let rules = [
            rule("emea_smb", Some(Segment::Smb), Some(Region::Emea), &[&emea_smb]),
            rule(
                "emea_large",
                Some(Segment::Large),
                Some(Region::Emea),
                &[&emea_large],
            ),
            rule("amer_any", None, Some(Region::Amer), &[&amer]),
            rule("catch_all", None, None, &[&fallback]),
        ];
        let reps = [
            emea_smb.clone(),
            emea_large.clone(),
            amer.clone(),
            fallback.clone(),
        ];
        let owner_of = |facts: LeadFacts| {
            let decision = route(&facts, &rules, &reps, RoundRobinState::default());
            (decision.owner, decision.rule_code)
        };
        assert_eq!(
            owner_of(lead(40, Region::Emea)),
            (Some(emea_smb.id), "emea_smb".to_owned())
        );
        assert_eq!(
            owner_of(lead(5000, Region::Emea)),
            (Some(emea_large.id), "emea_large".to_owned())
        );
        assert_eq!(
            owner_of(lead(500, Region::Amer)),
            (Some(amer.id), "amer_any".to_owned())
        );
        assert_eq!(
            owner_of(lead(500, Region::Emea)),
            (Some(fallback.id), "catch_all".to_owned())
        );
        assert_eq!(
            owner_of(LeadFacts::default()),
            (Some(fallback.id), "catch_all".to_owned())
        );
    }

    #[test]
    fn shares_of_100_50_and_0_split_leads_2_to_1_to_0() {
        let full = rep("Full Share", 100);
        let half = rep("Half Share", 50);
        let new = rep("New Hire", 0);
        let rules = [rule("pool", None, None, &[&full, &half, &new])];
        let reps = [full.clone(), half.clone(), new.clone()];
        let mut state = RoundRobinState::default();
        let mut counts: HashMap<UserId, u32> = HashMap::new();
        for _ in 0..3000 {
            let decision = route(&LeadFacts::default(), &rules, &reps, state);
            assert_eq!(
                decision.skipped,
                vec![SkippedRep {
                    rep: new.id,
                    reason: SkipReason::ZeroShare
                }]
            );
            *counts.entry(decision.owner.unwrap()).or_default() += 1;
            state = decision.new_state;
        }
        assert_eq!(counts.get(&full.id), Some(&2000));
        assert_eq!(counts.get(&half.id), Some(&1000));
        assert_eq!(counts.get(&new.id), None);
    }

    #[test]
    fn the_split_is_smooth_rather_than_in_bursts() {
        let full = rep("Full Share", 100);
        let half = rep("Half Share", 50);
        let rules = [rule("pool", None, None, &[&full, &half])];
        let reps = [full.clone(), half.clone()];
        let mut state = RoundRobinState::default();
        let mut order = Vec::new();
        for _ in 0..6 {
            let decision = route(&LeadFacts::default(), &rules, &reps, state);
            order.push(decision.owner.unwrap() == full.id);
            state = decision.new_state;
        }
        assert_eq!(order, [true, false, true, true, false, true]);
    }

    #[test]
    fn out_of_office_and_full_reps_are_skipped_with_reasons() {
        let mut away = rep("Al Away", 100);
        away.out_of_office = true;
        let mut full = rep("Fay Full", 100);
        full.capacity = Some(20);
        full.open_inbound_leads = 20;
        let free = rep("Fred Free", 100);
        let rules = [rule("pool", None, None, &[&away, &full, &free])];
        let decision = route(
            &LeadFacts::default(),
            &rules,
            &[away.clone(), full.clone(), free.clone()],
            RoundRobinState::default(),
        );
        assert_eq!(decision.owner, Some(free.id));
        assert_eq!(
            decision.skipped,
            vec![
                SkippedRep {
                    rep: away.id,
                    reason: SkipReason::OutOfOffice
                },
                SkippedRep {
                    rep: full.id,
                    reason: SkipReason::AtCapacity {
                        open: 20,
                        capacity: 20
                    }
                },
            ]
        );
        assert_eq!(
            decision.why,
            "Routed to Fred Free by rule 'pool' (any segment, any region): weighted round-robin among 1 \
             available rep. Skipped: Al Away (out of office), Fay Full (at capacity, 20 of 20 open inbound leads)."
        );
    }

    #[test]
    fn a_pool_with_nobody_available_falls_through_to_the_next_rule() {
        let mut away = rep("Al Away", 100);
        away.out_of_office = true;
        let backup = rep("Bea Backup", 100);
        let rules = [
            rule("first", None, None, &[&away]),
            rule("second", None, None, &[&backup]),
        ];
        let decision = route(
            &LeadFacts::default(),
            &rules,
            &[away, backup.clone()],
            RoundRobinState::default(),
        );
        assert_eq!(
            (decision.owner, decision.rule_code.as_str()),
            (Some(backup.id), "second")
        );
    }

    #[test]
    fn with_nobody_available_the_lead_is_unrouted_and_says_why() {
        let mut away = rep("Al Away", 100);
        away.out_of_office = true;
        let rules = [rule("emea", None, Some(Region::Emea), &[&away])];
        let decision = route(
            &lead(150, Region::Emea),
            &rules,
            &[away],
            RoundRobinState::default(),
        );
        assert_eq!(decision.owner, None);
        assert_eq!(decision.rule_code, "unrouted");
        assert_eq!(
            decision.why,
            "Not routed: no rule had an available rep for a Mid-Market lead in EMEA. Skipped: Al Away (out of office)."
        );
    }

    #[test]
    fn a_deactivated_rep_in_a_rule_is_flagged_on_save_and_skipped_when_routing() {
        let mut gone = rep("Gus Gone", 100);
        gone.active = false;
        let here = rep("Hal Here", 100);
        let stranger = rep("Sid Stranger", 100);
        let rules = [
            rule("pool", None, None, &[&gone, &here, &stranger]),
            rule("empty", None, None, &[]),
        ];
        let reps = [gone.clone(), here.clone()];

        let problems = validate_rules(&rules, &reps);
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.code)).collect();
        assert_eq!(
            found,
            vec![
                ("rules[0].pool[0]", "deactivated_user"),
                ("rules[0].pool[2]", "unknown_user"),
                ("rules[1].pool", "empty_pool")
            ]
        );
        assert_eq!(
            problems[0].message,
            "rule 'pool' names Gus Gone, who is deactivated"
        );

        let decision = route(&LeadFacts::default(), &rules, &reps, RoundRobinState::default());
        assert_eq!(decision.owner, Some(here.id));
        assert_eq!(
            decision.skipped,
            vec![
                SkippedRep {
                    rep: gone.id,
                    reason: SkipReason::Deactivated
                },
                SkippedRep {
                    rep: stranger.id,
                    reason: SkipReason::UnknownUser
                },
            ]
        );
    }

    #[test]
    fn duplicate_rule_codes_are_flagged() {
        let a = rep("A", 100);
        let rules = [rule("same", None, None, &[&a]), rule("same", None, None, &[&a])];
        let problems = validate_rules(&rules, &[a]);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].field.as_str(), problems[0].code),
            ("rules[1].code", "duplicate")
        );
    }

    #[test]
    fn a_returning_rep_resumes_without_a_burst() {
        let a = rep("A", 100);
        let mut b = rep("B", 100);
        let rules = [rule("pool", None, None, &[&a, &b])];
        let mut state = RoundRobinState::default();
        let run = |b: &Rep, leads: usize, state: &mut RoundRobinState| -> Vec<bool> {
            (0..leads)
                .map(|_| {
                    let decision = route(
                        &LeadFacts::default(),
                        &rules,
                        &[a.clone(), b.clone()],
                        state.clone(),
                    );
                    *state = decision.new_state;
                    decision.owner == Some(a.id)
                })
                .collect()
        };
        assert_eq!(run(&b, 2, &mut state), [true, false]);
        b.out_of_office = true;
        assert_eq!(run(&b, 3, &mut state), [true, true, true]);
        b.out_of_office = false;
        assert_eq!(run(&b, 4, &mut state), [true, false, true, false]);
    }

    #[test]
    fn the_state_round_trips_through_json() {
        let a = rep("A", 100);
        let rules = [rule("pool", None, None, &[&a])];
        let decision = route(&LeadFacts::default(), &rules, &[a], RoundRobinState::default());
        let json = serde_json::to_string(&decision.new_state).unwrap();
        let back: RoundRobinState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, decision.new_state);
    }
}
