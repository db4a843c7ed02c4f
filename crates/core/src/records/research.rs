//! An account's research landscape — how many developers, which tools, who buys, what is
//! happening — and how complete it is, so a team lead sees at a glance which accounts an SDR
//! should research before calling.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest tech-stack value or source.
const MAX_ENTRY_LEN: usize = 200;

coded_enum! {
    /// A kind of tool in the prospect's stack.
    pub enum TechStackCategory in "category" {
        /// Source code management (GitHub, Bitbucket, …).
        Scm => ("scm", "Source code management"),
        /// CI/CD (Jenkins, CircleCI, …).
        CiCd => ("ci_cd", "CI/CD"),
        /// Issue tracking (Jira, …).
        IssueTracking => ("issue_tracking", "Issue tracking"),
        /// Cloud provider.
        Cloud => ("cloud", "Cloud"),
        /// Programming languages.
        Languages => ("languages", "Languages"),
        /// A competitor's product in use.
        Competitor => ("competitor", "Competitor in use"),
    }
}

/// One fact about the prospect's stack, with where it came from and when, because stack
/// research goes stale and reps must know how far to trust it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechStackEntry {
    /// Which kind of tool.
    pub category: TechStackCategory,
    /// The tool or language (`Jenkins`).
    pub value: String,
    /// Where it was learnt (`job posting`, `call with CTO`, a URL).
    pub source: String,
    /// When it was learnt.
    pub as_of: NaiveDate,
}

impl TechStackEntry {
    /// Validates an entry: value and source present and at most 200 characters.
    pub fn new(
        category: TechStackCategory,
        value: &str,
        source: &str,
        as_of: NaiveDate,
    ) -> Result<Self, Invalid> {
        Ok(Self {
            category,
            value: crate::error::required_text("value", value, MAX_ENTRY_LEN)?,
            source: crate::error::required_text("source", source, MAX_ENTRY_LEN)?,
            as_of,
        })
    }
}

/// The research fields of an account that completeness is measured over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResearch {
    /// How many developers work there.
    pub developer_count: Option<u32>,
    /// How many people work in IT.
    pub it_headcount: Option<u32>,
    /// What they use, by category.
    pub tech_stack: Vec<TechStackEntry>,
    /// Teams or departments known (`Platform`, `Mobile`).
    pub teams: Vec<String>,
    /// How many contacts are mapped onto the buying committee / org chart.
    pub buying_committee_size: usize,
    /// Events that make now a good time (new CTO, funding, migration).
    pub triggers: Vec<String>,
    /// The account plan in a few sentences.
    pub strategy: Option<String>,
    /// When the next step is due.
    pub next_step_on: Option<NaiveDate>,
}

coded_enum! {
    /// One item of research completeness.
    pub enum ResearchField in "field" {
        /// Developer count known.
        DeveloperCount => ("developer_count", "Developer count"),
        /// IT headcount known.
        ItHeadcount => ("it_headcount", "IT headcount"),
        /// Source code management known.
        Scm => ("scm", "Source code management"),
        /// CI/CD known.
        CiCd => ("ci_cd", "CI/CD"),
        /// Issue tracking known.
        IssueTracking => ("issue_tracking", "Issue tracking"),
        /// Cloud known.
        Cloud => ("cloud", "Cloud"),
        /// Languages known.
        Languages => ("languages", "Languages"),
        /// Competitor in use known.
        Competitor => ("competitor", "Competitor in use"),
        /// At least one team named.
        Teams => ("teams", "Teams"),
        /// At least one contact on the buying committee.
        BuyingCommittee => ("buying_committee", "Buying committee"),
        /// At least one trigger noted.
        Triggers => ("triggers", "Triggers"),
        /// A strategy written.
        Strategy => ("strategy", "Strategy"),
        /// A next step date set.
        NextStepDate => ("next_step_date", "Next step date"),
    }
}

/// How much of the research is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Filled items as a whole percentage of all items, 0 to 100 (rounded down, so 100 means
    /// everything is there).
    pub percent: u8,
    /// What is still missing, in display order.
    pub missing: Vec<ResearchField>,
}

impl AccountResearch {
    /// Which research items are filled, each counting equally. A tech-stack category counts when
    /// it has at least one entry; text counts when it is not blank.
    pub fn completeness(&self) -> Completeness {
        let missing: Vec<ResearchField> = ResearchField::ALL
            .iter()
            .copied()
            .filter(|field| !self.has(*field))
            .collect();
        let total = ResearchField::ALL.len();
        let filled = total - missing.len();
        let percent = u8::try_from(filled * 100 / total).unwrap_or(100);
        Completeness { percent, missing }
    }

    fn has(&self, field: ResearchField) -> bool {
        let stack = |category: TechStackCategory| self.tech_stack.iter().any(|e| e.category == category);
        let any_text = |items: &[String]| items.iter().any(|t| !t.trim().is_empty());
        match field {
            ResearchField::DeveloperCount => self.developer_count.is_some(),
            ResearchField::ItHeadcount => self.it_headcount.is_some(),
            ResearchField::Scm => stack(TechStackCategory::Scm),
            ResearchField::CiCd => stack(TechStackCategory::CiCd),
            ResearchField::IssueTracking => stack(TechStackCategory::IssueTracking),
            ResearchField::Cloud => stack(TechStackCategory::Cloud),
            ResearchField::Languages => stack(TechStackCategory::Languages),
            ResearchField::Competitor => stack(TechStackCategory::Competitor),
            ResearchField::Teams => any_text(&self.teams),
            ResearchField::BuyingCommittee => self.buying_committee_size > 0,
            ResearchField::Triggers => any_text(&self.triggers),
            ResearchField::Strategy => self.strategy.as_deref().is_some_and(|s| !s.trim().is_empty()),
            ResearchField::NextStepDate => self.next_step_on.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
    }

    #[test]
    fn empty_research_is_zero_percent_with_everything_missing() {
        let completeness = AccountResearch::default().completeness();
        assert_eq!(completeness.percent, 0);
        assert_eq!(completeness.missing.len(), ResearchField::ALL.len());
    }

    #[test]
    fn full_research_is_one_hundred_percent() {
        let research = AccountResearch {
            developer_count: Some(400),
            it_headcount: Some(60),
            tech_stack: TechStackCategory::ALL
                .iter()
                .map(|c| TechStackEntry::new(*c, "something", "call", day()).unwrap())
                .collect(),
            teams: vec!["Platform".into()],
            buying_committee_size: 3,
            triggers: vec!["New CTO".into()],
            strategy: Some("Land with platform team".into()),
            next_step_on: Some(day()),
        };
        let completeness = research.completeness();
        assert_eq!(completeness.percent, 100);
        assert!(completeness.missing.is_empty());
    }

    #[test]
    fn partial_research_lists_what_is_missing() {
        let research = AccountResearch {
            developer_count: Some(120),
            tech_stack: vec![
                TechStackEntry::new(TechStackCategory::Scm, "GitHub", "job posting", day()).unwrap(),
            ],
            strategy: Some("   ".into()),
            ..AccountResearch::default()
        };
        let completeness = research.completeness();
        assert_eq!(completeness.percent, 15); // 2 of 13
        assert!(
            completeness.missing.contains(&ResearchField::Strategy),
            "blank text does not count"
        );
        assert!(!completeness.missing.contains(&ResearchField::Scm));
    }

    #[test]
    fn tech_stack_entry_needs_value_and_source() {
        assert_eq!(
            TechStackEntry::new(TechStackCategory::Cloud, " ", "x", day())
                .unwrap_err()
                .field,
            "value"
        );
        assert_eq!(
            TechStackEntry::new(TechStackCategory::Cloud, "AWS", "", day())
                .unwrap_err()
                .field,
            "source"
        );
    }
}
