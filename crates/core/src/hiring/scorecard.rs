//! Blind interview scorecards: an overall recommendation, a rating per attribute (the job's qualifications
//! when the page lists them), pros, cons and notes. Interviewers see others' scorecards only after submitting.

use serde::Serialize;

use crate::Invalid;
use crate::error::required_text;

/// The four-point scale for the overall verdict and for each attribute; there is deliberately no middle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Hire, and I would argue for it.
    StrongYes,
    /// Hire.
    Yes,
    /// Do not hire.
    No,
    /// Do not hire, and I would argue against it.
    StrongNo,
}

impl Recommendation {
    /// Every value, best first.
    pub const ALL: [Recommendation; 4] = [Self::StrongYes, Self::Yes, Self::No, Self::StrongNo];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::StrongYes => "strong_yes",
            Self::Yes => "yes",
            Self::No => "no",
            Self::StrongNo => "strong_no",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::StrongYes => "Strong yes",
            Self::Yes => "Yes",
            Self::No => "No",
            Self::StrongNo => "Strong no",
        }
    }

    /// Parses a code, reporting problems on `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == raw.trim())
            .ok_or_else(|| Invalid::unknown_value(field, raw.trim(), &Self::ALL.map(Recommendation::code)))
    }
}

/// Attributes rated when the job page lists no qualifications.
pub const DEFAULT_ATTRIBUTES: [&str; 4] = [
    "Prospecting experience",
    "Communication",
    "Curiosity about developers' work",
    "Resilience",
];

/// The attributes to rate for a job: its qualification bullets, or the defaults.
pub fn attributes_for(qualifications: &[String]) -> Vec<String> {
    if qualifications.is_empty() {
        DEFAULT_ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect()
    } else {
        qualifications.to_vec()
    }
}

/// One attribute's rating; `None` when the interview did not cover it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeRating {
    /// The attribute as listed for the job.
    pub attribute: String,
    /// The rating, if given.
    pub rating: Option<Recommendation>,
}

/// What an interviewer submits, as raw form values.
#[derive(Debug, Clone, Default)]
pub struct ScorecardInput<'a> {
    /// The overall recommendation code.
    pub overall: &'a str,
    /// Attribute → rating code (blank for "not covered").
    pub ratings: Vec<(&'a str, &'a str)>,
    /// What speaks for the candidate.
    pub pros: &'a str,
    /// What speaks against.
    pub cons: &'a str,
    /// Anything else.
    pub notes: &'a str,
}

/// A validated scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    /// The overall recommendation.
    pub overall: Recommendation,
    /// Every attribute of the job, in its order.
    pub attributes: Vec<AttributeRating>,
    /// What speaks for the candidate.
    pub pros: String,
    /// What speaks against.
    pub cons: String,
    /// Anything else (may be empty).
    pub notes: String,
}

const MAX_TEXT_CHARS: usize = 5_000;

impl Scorecard {
    /// Validates a submission against the job's `attributes`: overall required, ratings only for listed
    /// attributes, pros and cons required (a verdict without reasons helps nobody), lengths bounded.
    pub fn parse(attributes: &[String], input: &ScorecardInput<'_>) -> Result<Scorecard, Invalid> {
        if input.overall.trim().is_empty() {
            return Err(Invalid::required("overall"));
        }
        let overall = Recommendation::parse("overall", input.overall)?;
        let mut rated: Vec<AttributeRating> = attributes
            .iter()
            .map(|a| AttributeRating {
                attribute: a.clone(),
                rating: None,
            })
            .collect();
        for (attribute, code) in &input.ratings {
            let slot = rated
                .iter_mut()
                .find(|r| r.attribute == *attribute)
                .ok_or_else(|| {
                    let allowed: Vec<&str> = attributes.iter().map(String::as_str).collect();
                    Invalid::unknown_value("attribute", attribute, &allowed)
                })?;
            if !code.trim().is_empty() {
                slot.rating = Some(Recommendation::parse("rating", code)?);
            }
        }
        let notes = input.notes.trim();
        if notes.chars().count() > MAX_TEXT_CHARS {
            return Err(Invalid::too_long("notes", MAX_TEXT_CHARS));
        }
        Ok(Scorecard {
            overall,
            attributes: rated,
            pros: required_text("pros", input.pros, MAX_TEXT_CHARS)?,
            cons: required_text("cons", input.cons, MAX_TEXT_CHARS)?,
            notes: notes.to_owned(),
        })
    }
}

/// Scorecards are blind: an interviewer sees colleagues' scorecards for a candidate only once their own is
/// submitted, so nobody anchors on someone else's verdict. People who decide (hiring manager, recruiter)
/// always see them.
pub fn may_see_other_scorecards(is_decider: bool, has_submitted_own: bool) -> bool {
    is_decider || has_submitted_own
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes() -> Vec<String> {
        vec!["B2B selling".to_owned(), "Presenting".to_owned()]
    }

    #[test]
    fn a_complete_scorecard_is_accepted_with_unrated_attributes_kept() {
        let input = ScorecardInput {
            overall: "strong_yes",
            ratings: vec![("Presenting", "yes")],
            pros: " Clear ",
            cons: "Little CRM use",
            notes: "",
        };
        let card = Scorecard::parse(&attributes(), &input).unwrap();
        assert_eq!(card.overall, Recommendation::StrongYes);
        assert_eq!(
            card.attributes[0],
            AttributeRating {
                attribute: "B2B selling".into(),
                rating: None
            }
        );
        assert_eq!(card.attributes[1].rating, Some(Recommendation::Yes));
        assert_eq!(card.pros, "Clear");
    }

    #[test]
    fn overall_pros_and_cons_are_required() {
        let base = ScorecardInput {
            overall: "no",
            pros: "p",
            cons: "c",
            ..Default::default()
        };
        let no_overall = ScorecardInput {
            overall: " ",
            ..base.clone()
        };
        assert_eq!(
            Scorecard::parse(&attributes(), &no_overall).unwrap_err().field,
            "overall"
        );
        let no_pros = ScorecardInput {
            pros: "",
            ..base.clone()
        };
        assert_eq!(
            Scorecard::parse(&attributes(), &no_pros).unwrap_err().field,
            "pros"
        );
        let maybe = ScorecardInput {
            overall: "maybe",
            ..base
        };
        assert_eq!(
            Scorecard::parse(&attributes(), &maybe).unwrap_err().code,
            "unknown_value"
        );
    }

    #[test]
    fn ratings_for_unlisted_attributes_or_unknown_values_are_refused() {
        let base = ScorecardInput {
            overall: "yes",
            pros: "p",
            cons: "c",
            ..Default::default()
        };
        let stranger = ScorecardInput {
            ratings: vec![("Golf", "yes")],
            ..base.clone()
        };
        assert_eq!(
            Scorecard::parse(&attributes(), &stranger).unwrap_err().field,
            "attribute"
        );
        let odd = ScorecardInput {
            ratings: vec![("Presenting", "meh")],
            ..base
        };
        assert_eq!(Scorecard::parse(&attributes(), &odd).unwrap_err().field, "rating");
    }

    #[test]
    fn attributes_come_from_qualifications_else_defaults() {
        assert_eq!(attributes_for(&attributes()), attributes());
        assert_eq!(attributes_for(&[]).len(), DEFAULT_ATTRIBUTES.len());
    }

    #[test]
    fn interviewers_see_others_only_after_submitting() {
        assert!(!may_see_other_scorecards(false, false));
        assert!(may_see_other_scorecards(false, true));
        assert!(may_see_other_scorecards(true, false));
    }

    #[test]
    fn recommendations_have_codes_and_labels() {
        assert_eq!(
            serde_json::to_string(&Recommendation::StrongNo).unwrap(),
            "\"strong_no\""
        );
        assert_eq!(Recommendation::StrongNo.label(), "Strong no");
    }
}
