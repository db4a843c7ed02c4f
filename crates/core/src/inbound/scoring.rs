//! Lead scoring as data: points for what a person did (behaviour) and who they are (demographics),
//! an MQL threshold, and a score that lists every line it added so marketing and reps can see why.
//!
//! A score is always recomputed from the whole event history rather than incremented, so changing
//! the rules rescoring everybody is the same code path as scoring one new event.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Points are bounded so a typo (10000 for 100) is caught when rules are saved.
const MAX_POINTS: i32 = 1000;

/// Something a person did that marketing captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Filled in the contact-us (talk to sales) form.
    ContactUs,
    /// Started a product trial.
    Trial,
    /// Filled in any other form.
    Form,
    /// Attended a webcast.
    Webcast,
    /// Downloaded gated content (e-book, report).
    GatedContent,
    /// Unsubscribed: not scored, but resets the score to 0; later events count again.
    Unsubscribe,
}

impl Behaviour {
    /// Every behaviour, in the order pages list them.
    pub const ALL: [Behaviour; 6] = [
        Behaviour::ContactUs,
        Behaviour::Trial,
        Behaviour::Form,
        Behaviour::Webcast,
        Behaviour::GatedContent,
        Behaviour::Unsubscribe,
    ];

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Behaviour::ContactUs => "contact_us",
            Behaviour::Trial => "trial",
            Behaviour::Form => "form",
            Behaviour::Webcast => "webcast",
            Behaviour::GatedContent => "gated_content",
            Behaviour::Unsubscribe => "unsubscribe",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Behaviour::ContactUs => "Contact us",
            Behaviour::Trial => "Trial",
            Behaviour::Form => "Form",
            Behaviour::Webcast => "Webcast",
            Behaviour::GatedContent => "Gated content",
            Behaviour::Unsubscribe => "Unsubscribe",
        }
    }

    /// Parses a behaviour code, refusing unknown ones with the allowed list (reported under `field`).
    pub fn parse(field: &str, raw: &str) -> Result<Behaviour, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        Behaviour::ALL
            .into_iter()
            .find(|b| b.code() == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Behaviour::ALL.iter().map(|b| b.code()).collect();
                Invalid::unknown_value(field, raw, &allowed)
            })
    }
}

/// One captured behaviour and when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundEvent {
    /// What the person did.
    pub behaviour: Behaviour,
    /// When.
    pub at: DateTime<Utc>,
}

/// What is known about the person, for demographic rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    /// Whether their address is at a company domain (see `inbound::free_mail::is_business_email`).
    pub business_email: bool,
    /// Their job title, if given.
    pub title: Option<String>,
    /// Their company's employee count, if known.
    pub employees: Option<u32>,
}

/// What a demographic rule looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DemographicCondition {
    /// The person writes from a company domain.
    BusinessEmail,
    /// The title contains one of these words or phrases, as whole words, ignoring case (so `vp`
    /// matches "VP Sales" but not "VPN engineer").
    TitleContainsAny {
        /// The words or phrases.
        words: Vec<String>,
    },
    /// The company has at least this many employees.
    EmployeesAtLeast {
        /// The minimum head count.
        employees: u32,
    },
}

impl DemographicCondition {
    fn matches(&self, person: &PersonFacts) -> bool {
        match self {
            DemographicCondition::BusinessEmail => person.business_email,
            DemographicCondition::TitleContainsAny { words } => {
                person.title.as_deref().is_some_and(|title| {
                    let title = padded_words(title);
                    words.iter().any(|word| title.contains(&padded_words(word)))
                })
            }
            DemographicCondition::EmployeesAtLeast { employees } => {
                person.employees.is_some_and(|count| count >= *employees)
            }
        }
    }
}

/// Lower-cased words joined by single spaces and padded with one, so `contains` matches whole words.
fn padded_words(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

/// Points for who a person is. They count once per scoring period, dated at its first behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemographicRule {
    /// A stable snake_case code (`business_email`, `senior_title`).
    pub code: String,
    /// What the score line says.
    pub label: String,
    /// What the rule looks for.
    pub condition: DemographicCondition,
    /// Points when it matches (may be negative).
    pub points: i32,
}

impl DemographicRule {
    /// The handbook's rule: a business email is worth 20.
    pub fn business_email() -> Self {
        Self {
            code: "business_email".to_owned(),
            label: "Business email".to_owned(),
            condition: DemographicCondition::BusinessEmail,
            points: 20,
        }
    }

    /// An optional extra, not in the defaults: a director, VP, head or C-level title is worth 10.
    pub fn senior_title() -> Self {
        let words = [
            "director",
            "vp",
            "vice president",
            "head",
            "chief",
            "ceo",
            "cto",
            "cfo",
            "cmo",
            "cro",
        ];
        Self {
            code: "senior_title".to_owned(),
            label: "Senior title".to_owned(),
            condition: DemographicCondition::TitleContainsAny {
                words: words.map(str::to_owned).to_vec(),
            },
            points: 10,
        }
    }
}

/// Points for a behaviour, each time it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BehaviourRule {
    /// The behaviour scored.
    pub behaviour: Behaviour,
    /// Points each time (may be negative).
    pub points: i32,
}

/// The whole scoring model an admin edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringRules {
    /// Points per behaviour; a behaviour without a rule scores nothing.
    pub behaviour: Vec<BehaviourRule>,
    /// Points per demographic fact.
    pub demographic: Vec<DemographicRule>,
    /// A person whose score reaches this is an MQL.
    pub mql_threshold: i32,
}

impl Default for ScoringRules {
    /// The handbook's model: contact-us 100, trial 65, form 60, webcast 30, gated content 15, business
    /// email 20; MQL at 100.
    fn default() -> Self {
        let rule = |behaviour, points| BehaviourRule { behaviour, points };
        Self {
            behaviour: vec![
                rule(Behaviour::ContactUs, 100),
                rule(Behaviour::Trial, 65),
                rule(Behaviour::Form, 60),
                rule(Behaviour::Webcast, 30),
                rule(Behaviour::GatedContent, 15),
            ],
            demographic: vec![DemographicRule::business_email()],
            mql_threshold: 100,
        }
    }
}

impl ScoringRules {
    /// Checks rules before they are saved: a positive threshold, points within ±1000, one rule per
    /// behaviour, none for unsubscribe (it resets instead), unique demographic codes, no blank title words.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.mql_threshold < 1 {
            return Err(Invalid::new(
                "mql_threshold",
                "out_of_range",
                "the MQL threshold must be at least 1",
            ));
        }
        let points_ok = |points: i32| (-MAX_POINTS..=MAX_POINTS).contains(&points);
        let mut seen = BTreeSet::new();
        for (i, rule) in self.behaviour.iter().enumerate() {
            let field = format!("behaviour[{i}]");
            if rule.behaviour == Behaviour::Unsubscribe {
                return Err(Invalid::new(
                    field,
                    "not_scorable",
                    "unsubscribe resets the score and cannot carry points",
                ));
            }
            if !seen.insert(rule.behaviour) {
                let message = format!("{} has more than one rule", rule.behaviour.label());
                return Err(Invalid::new(field, "duplicate", message));
            }
            if !points_ok(rule.points) {
                return Err(Invalid::new(
                    field,
                    "out_of_range",
                    "points must be between -1000 and 1000",
                ));
            }
        }
        let mut codes = BTreeSet::new();
        for (i, rule) in self.demographic.iter().enumerate() {
            let field = format!("demographic[{i}]");
            if rule.code.trim().is_empty() {
                return Err(Invalid::required(format!("{field}.code")));
            }
            if !codes.insert(rule.code.as_str()) {
                return Err(Invalid::new(
                    field,
                    "duplicate",
                    format!("the code '{}' is used twice", rule.code),
                ));
            }
            if !points_ok(rule.points) {
                return Err(Invalid::new(
                    field,
                    "out_of_range",
                    "points must be between -1000 and 1000",
                ));
            }
            if let DemographicCondition::TitleContainsAny { words } = &rule.condition
                && (words.is_empty() || words.iter().any(|w| padded_words(w).trim().is_empty()))
            {
                return Err(Invalid::required(format!("{field}.words")));
            }
        }
        Ok(())
    }
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    /// The rule's code: a behaviour code, a demographic rule's code, or `unsubscribe` for a reset.
    pub rule: String,
    /// What the line says.
    pub label: String,
    /// Points added (a reset subtracts the running total).
    pub points: i32,
    /// When the line counted.
    pub at: DateTime<Utc>,
}

/// A person's score with its explanation: the lines add up to `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The current score.
    pub total: i32,
    /// The threshold it was measured against.
    pub mql_threshold: i32,
    /// Every line, in time order, including resets.
    pub lines: Vec<ScoreLine>,
    /// Each instant the running score went from below the threshold to at or above it (a person
    /// recycled and re-scored crosses again; the app counts MQLs from these).
    pub threshold_crossings: Vec<DateTime<Utc>>,
    /// The last unsubscribe, if any.
    pub reset_at: Option<DateTime<Utc>>,
}

impl Score {
    /// Whether the score is at or above the MQL threshold.
    pub fn is_mql(&self) -> bool {
        self.total >= self.mql_threshold
    }

    /// Whether the score crossed the threshold at or after `since` — after scoring a new event, "did
    /// this make them an MQL?".
    pub fn crossed_since(&self, since: DateTime<Utc>) -> bool {
        self.threshold_crossings.iter().any(|at| *at >= since)
    }
}

/// Scores `events` (in any order) for `person` under `rules`.
///
/// Demographic points count from the first behaviour of each scoring period, because a score measures
/// engagement: someone who has done nothing (or nothing since unsubscribing) scores 0 whoever they are.
pub fn score(events: &[InboundEvent], person: &PersonFacts, rules: &ScoringRules) -> Score {
    let mut events = events.to_vec();
    events.sort_by_key(|event| event.at);
    let mut result = Score {
        total: 0,
        mql_threshold: rules.mql_threshold,
        lines: Vec::new(),
        threshold_crossings: Vec::new(),
        reset_at: None,
    };
    let mut demographics_counted = false;
    for event in events {
        if event.behaviour == Behaviour::Unsubscribe {
            if result.total != 0 {
                result.lines.push(ScoreLine {
                    rule: Behaviour::Unsubscribe.code().to_owned(),
                    label: "Unsubscribed: score reset".to_owned(),
                    points: -result.total,
                    at: event.at,
                });
            }
            result.total = 0;
            result.reset_at = Some(event.at);
            demographics_counted = false;
            continue;
        }
        let before = result.total;
        if !demographics_counted {
            demographics_counted = true;
            for rule in rules
                .demographic
                .iter()
                .filter(|rule| rule.condition.matches(person))
            {
                result.add(&rule.code, &rule.label, rule.points, event.at);
            }
        }
        if let Some(rule) = rules
            .behaviour
            .iter()
            .find(|rule| rule.behaviour == event.behaviour)
        {
            result.add(
                event.behaviour.code(),
                event.behaviour.label(),
                rule.points,
                event.at,
            );
        }
        if before < rules.mql_threshold && result.total >= rules.mql_threshold {
            result.threshold_crossings.push(event.at);
        }
    }
    result
}

impl Score {
    fn add(&mut self, rule: &str, label: &str, points: i32, at: DateTime<Utc>) {
        self.total = self.total.saturating_add(points);
        self.lines.push(ScoreLine {
            rule: rule.to_owned(),
            label: label.to_owned(),
            points,
            at,
        });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn event(behaviour: Behaviour, minutes: i64) -> InboundEvent {
        InboundEvent {
            behaviour,
            at: t(minutes),
        }
    }

    fn business() -> PersonFacts {
        PersonFacts {
            business_email: true,
            ..PersonFacts::default()
        }
    }

    #[test]
    fn default_rules_are_the_handbook_ones() {
        let rules = ScoringRules::default();
        let points = |b| {
            rules
                .behaviour
                .iter()
                .find(|r| r.behaviour == b)
                .map(|r| r.points)
        };
        assert_eq!(points(Behaviour::ContactUs), Some(100));
        assert_eq!(points(Behaviour::Trial), Some(65));
        assert_eq!(points(Behaviour::Form), Some(60));
        assert_eq!(points(Behaviour::Webcast), Some(30));
        assert_eq!(points(Behaviour::GatedContent), Some(15));
        assert_eq!(rules.demographic, vec![DemographicRule::business_email()]);
        assert_eq!(rules.mql_threshold, 100);
        assert!(rules.validate().is_ok());
    }

    #[test]
    fn a_contact_us_request_alone_makes_an_mql() {
        let score = score(
            &[event(Behaviour::ContactUs, 0)],
            &PersonFacts::default(),
            &ScoringRules::default(),
        );
        assert_eq!(score.total, 100);
        assert!(score.is_mql());
        assert_eq!(score.threshold_crossings, vec![t(0)]);
    }

    #[test]
    fn the_score_explains_itself_line_by_line() {
        let events = [
            event(Behaviour::Webcast, 10),
            event(Behaviour::GatedContent, 0),
            event(Behaviour::Form, 20),
        ];
        let score = score(&events, &business(), &ScoringRules::default());
        let lines: Vec<(&str, i32, DateTime<Utc>)> = score
            .lines
            .iter()
            .map(|l| (l.rule.as_str(), l.points, l.at))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("business_email", 20, t(0)),
                ("gated_content", 15, t(0)),
                ("webcast", 30, t(10)),
                ("form", 60, t(20)),
            ]
        );
        assert_eq!(score.total, 125);
        assert_eq!(score.lines.iter().map(|l| l.points).sum::<i32>(), score.total);
        assert_eq!(score.threshold_crossings, vec![t(20)]);
        assert!(score.crossed_since(t(20)));
        assert!(!score.crossed_since(t(21)));
    }

    #[test]
    fn staying_below_the_threshold_reports_no_crossing() {
        let events = [event(Behaviour::Webcast, 0), event(Behaviour::GatedContent, 5)];
        let score = score(&events, &business(), &ScoringRules::default());
        assert_eq!(score.total, 65);
        assert!(!score.is_mql());
        assert!(score.threshold_crossings.is_empty());
    }

    #[test]
    fn unsubscribe_resets_the_score_and_later_events_count_again() {
        let events = [
            event(Behaviour::Trial, 0),
            event(Behaviour::Form, 5),
            event(Behaviour::Unsubscribe, 10),
            event(Behaviour::Webcast, 20),
        ];
        let score = score(&events, &business(), &ScoringRules::default());
        // 20 + 65 + 60 = 145, reset to 0, then 20 (demographics again) + 30.
        assert_eq!(score.total, 50);
        assert_eq!(score.reset_at, Some(t(10)));
        let reset = score.lines.iter().find(|l| l.rule == "unsubscribe").unwrap();
        assert_eq!(reset.points, -145);
        assert_eq!(score.lines.iter().map(|l| l.points).sum::<i32>(), 50);
        assert_eq!(score.threshold_crossings, vec![t(5)]);
    }

    #[test]
    fn re_engaging_after_unsubscribe_can_cross_the_threshold_again() {
        let events = [
            event(Behaviour::ContactUs, 0),
            event(Behaviour::Unsubscribe, 10),
            event(Behaviour::ContactUs, 20),
        ];
        let score = score(&events, &PersonFacts::default(), &ScoringRules::default());
        assert_eq!(score.threshold_crossings, vec![t(0), t(20)]);
    }

    #[test]
    fn nobody_scores_without_a_behaviour() {
        let score = score(&[], &business(), &ScoringRules::default());
        assert_eq!(score.total, 0);
        assert!(score.lines.is_empty());
    }

    #[test]
    fn senior_title_is_optional_and_matches_whole_words() {
        let mut rules = ScoringRules::default();
        rules.demographic.push(DemographicRule::senior_title());
        let scored = |title: &str| {
            let person = PersonFacts {
                title: Some(title.to_owned()),
                ..PersonFacts::default()
            };
            score(&[event(Behaviour::Webcast, 0)], &person, &rules).total
        };
        assert_eq!(scored("VP, Sales"), 40);
        assert_eq!(scored("Vice-President Marketing"), 40);
        assert_eq!(scored("Head of Growth"), 40);
        assert_eq!(scored("VPN engineer"), 30);
        assert_eq!(scored("Headhunter"), 30);
        let plain = score(
            &[event(Behaviour::Webcast, 0)],
            &PersonFacts::default(),
            &ScoringRules::default(),
        );
        assert_eq!(plain.total, 30);
    }

    #[test]
    fn rules_scoring_unsubscribe_or_duplicated_are_refused() {
        let mut rules = ScoringRules::default();
        rules.behaviour.push(BehaviourRule {
            behaviour: Behaviour::Unsubscribe,
            points: -50,
        });
        assert_eq!(rules.validate().unwrap_err().code, "not_scorable");

        let mut rules = ScoringRules::default();
        rules.behaviour.push(BehaviourRule {
            behaviour: Behaviour::Trial,
            points: 10,
        });
        assert_eq!(rules.validate().unwrap_err().field, "behaviour[5]");

        let rules = ScoringRules {
            mql_threshold: 0,
            ..ScoringRules::default()
        };
        assert_eq!(rules.validate().unwrap_err().field, "mql_threshold");

        let mut rules = ScoringRules::default();
        rules.behaviour[0].points = 10_000;
        assert_eq!(rules.validate().unwrap_err().code, "out_of_range");
    }

    #[test]
    fn behaviour_codes_parse_and_unknown_ones_are_refused() {
        assert_eq!(
            Behaviour::parse("behaviour", "Gated_Content").unwrap(),
            Behaviour::GatedContent
        );
        assert_eq!(
            Behaviour::parse("behaviour", "podcast").unwrap_err().code,
            "unknown_value"
        );
        let json = serde_json::to_string(&Behaviour::ContactUs).unwrap();
        assert_eq!(json, "\"contact_us\"");
    }
}
