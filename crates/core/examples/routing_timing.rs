//! Times routing decisions: 100,000 leads through 20 rules over 50 reps, printing the mean time per
//! decision. Run with `cargo run --release -p prospector-core --example routing_timing`.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use prospector_core::ids::UserId;
use prospector_core::inbound::{LeadFacts, Region, Rep, RoundRobinState, RoutingRule, Segment, route};

const REPS: usize = 50;
const RULES: usize = 20;
const LEADS: usize = 100_000;

fn main() {
    let epoch = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let reps: Vec<Rep> = (0..REPS)
        .map(|i| Rep {
            id: UserId::new_at(epoch + Duration::seconds(i as i64)),
            name: format!("Rep {i}"),
            active: i % 17 != 3,
            out_of_office: i % 11 == 5,
            share_percent: [100, 100, 50, 0][i % 4],
            capacity: (i % 7 == 0).then_some(10),
            open_inbound_leads: (i % 13) as u32,
        })
        .collect();
    let segments = [
        Some(Segment::Large),
        Some(Segment::MidMarket),
        Some(Segment::Smb),
        None,
    ];
    let regions = [
        Some(Region::Amer),
        Some(Region::Emea),
        Some(Region::Apac),
        Some(Region::Latam),
        None,
    ];
    // 19 specific rules with pools of 10 reps each, then a catch-all with everyone, so most leads
    // scan several rules and skip some reps, as a real team's rules would.
    let mut rules: Vec<RoutingRule> = (0..RULES - 1)
        .map(|i| RoutingRule {
            code: format!("rule_{i}"),
            segment: segments[i % segments.len()],
            region: regions[(i / segments.len()) % regions.len()],
            pool: (0..10).map(|j| reps[(i * 3 + j) % REPS].id).collect(),
        })
        .collect();
    rules.push(RoutingRule {
        code: "catch_all".to_owned(),
        segment: None,
        region: None,
        pool: reps.iter().map(|r| r.id).collect(),
    });
    let leads: Vec<LeadFacts> = (0..LEADS)
        .map(|i| LeadFacts {
            account_owner: (i % 10 == 0).then(|| reps[i % REPS].id),
            working_owner: None,
            employees: (i % 9 != 0).then_some([12, 150, 900, 2500, 40_000][i % 5]),
            region: [
                Some(Region::Amer),
                Some(Region::Emea),
                Some(Region::Apac),
                Some(Region::Latam),
                None,
            ][i % 5],
        })
        .collect();

    let mut state = RoundRobinState::default();
    let mut routed = 0usize;
    let started = Instant::now();
    for lead in &leads {
        let decision = route(lead, &rules, &reps, state);
        routed += usize::from(decision.owner.is_some());
        state = decision.new_state;
    }
    let elapsed = started.elapsed();
    println!(
        "{LEADS} decisions ({REPS} reps, {RULES} rules, {routed} routed) in {:.1} ms: mean {:.2} µs per decision",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / LEADS as f64
    );
}
