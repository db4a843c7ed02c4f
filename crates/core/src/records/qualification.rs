//! Qualification frameworks as data: a framework is a list of criteria and how many must be met.
//! A lead becomes Qualified only when its framework is satisfied (see `lifecycle::qualify`).
//!
//! Two defaults ship: soft-BANT, GitLab's bar for SDR qualification (2 of 4), and AIFT, the
//! stricter bar used for hand-off to an AE. AIFT requires all 4 criteria, because a meeting
//! without authority, initiative, fit or timing wastes the AE's time and the SAO it creates is
//! what SDRs are paid on; a team that wants a softer AIFT edits `required`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest criterion or framework code.
const MAX_CODE_LEN: usize = 64;
/// The longest label or name.
const MAX_LABEL_LEN: usize = 100;
/// The longest help text.
const MAX_HELP_LEN: usize = 2_000;

/// Which criteria are met, by criterion code. Codes not in the framework are ignored, so
/// answers kept from an older version of a framework do no harm.
pub type Answers = BTreeMap<String, bool>;

/// One thing to find out about a prospect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable snake_case code answers are keyed by (`budget`).
    pub code: String,
    /// The label shown to people (`Budget`).
    pub label: String,
    /// What counts as met, shown beside the question.
    pub help: String,
}

/// A qualification framework: criteria and how many must be met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    /// Stable snake_case code (`soft_bant`).
    pub code: String,
    /// The name shown to people (`Soft BANT`).
    pub name: String,
    /// The criteria, in the order they are asked.
    pub criteria: Vec<Criterion>,
    /// How many criteria must be met to qualify (1 to the number of criteria).
    pub required: usize,
}

/// The outcome of checking answers against a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The framework's name, for messages.
    pub framework: String,
    /// Whether enough criteria are met.
    pub satisfied: bool,
    /// How many must be met.
    pub required: usize,
    /// Codes of the criteria met, in framework order.
    pub met: Vec<String>,
    /// Codes of the criteria not met, in framework order.
    pub missing: Vec<String>,
}

impl Criterion {
    fn new(code: &str, label: &str, help: &str) -> Self {
        Self {
            code: code.to_owned(),
            label: label.to_owned(),
            help: help.to_owned(),
        }
    }
}

impl Framework {
    /// Validates an admin-edited framework: codes snake_case and unique, labels present, and
    /// `required` between 1 and the number of criteria.
    pub fn new(
        code: &str,
        name: &str,
        criteria: Vec<Criterion>,
        required: usize,
    ) -> Result<Framework, Invalid> {
        let code = snake_code("code", code)?;
        let name = crate::error::required_text("name", name, MAX_LABEL_LEN)?;
        if criteria.is_empty() {
            return Err(Invalid::required("criteria"));
        }
        let mut checked: Vec<Criterion> = Vec::with_capacity(criteria.len());
        for (i, c) in criteria.into_iter().enumerate() {
            let field = format!("criteria[{i}]");
            let code = snake_code(&format!("{field}.code"), &c.code)?;
            if checked.iter().any(|earlier| earlier.code == code) {
                return Err(Invalid::new(
                    format!("{field}.code"),
                    "duplicate",
                    format!("criterion '{code}' appears twice"),
                ));
            }
            let label = crate::error::required_text(&format!("{field}.label"), &c.label, MAX_LABEL_LEN)?;
            let help = c.help.trim().to_owned();
            if help.chars().count() > MAX_HELP_LEN {
                return Err(Invalid::too_long(format!("{field}.help"), MAX_HELP_LEN));
            }
            checked.push(Criterion { code, label, help });
        }
        if required == 0 || required > checked.len() {
            let message = format!("required must be between 1 and {}", checked.len());
            return Err(Invalid::new("required", "out_of_range", message));
        }
        Ok(Framework {
            code,
            name,
            criteria: checked,
            required,
        })
    }

    /// Soft BANT: budget, authority, need (several developers), timeline (will talk in the next
    /// weeks); 2 of 4 qualify.
    pub fn soft_bant() -> Framework {
        Framework {
            code: "soft_bant".to_owned(),
            name: "Soft BANT".to_owned(),
            criteria: vec![
                Criterion::new(
                    "budget",
                    "Budget",
                    "There is, or could be, money for a paid plan.",
                ),
                Criterion::new(
                    "authority",
                    "Authority",
                    "The person decides or can bring in who does.",
                ),
                Criterion::new(
                    "need",
                    "Need",
                    "Several developers would use it: a team, not one person.",
                ),
                Criterion::new("timeline", "Timeline", "They will talk to us in the next weeks."),
            ],
            required: 2,
        }
    }

    /// AIFT: authority, initiative, fit (current tools, use case, seats), timing (next step within
    /// 60 days); all 4 are required, see the module documentation.
    pub fn aift() -> Framework {
        Framework {
            code: "aift".to_owned(),
            name: "AIFT".to_owned(),
            criteria: vec![
                Criterion::new(
                    "authority",
                    "Authority",
                    "The person decides or is on the buying committee.",
                ),
                Criterion::new(
                    "initiative",
                    "Initiative",
                    "There is a named project or initiative this serves.",
                ),
                Criterion::new(
                    "fit",
                    "Fit",
                    "Current tools, use case and seat count fit what we sell.",
                ),
                Criterion::new("timing", "Timing", "A next step is agreed within 60 days."),
            ],
            required: 4,
        }
    }

    /// The frameworks that ship, soft-BANT first.
    pub fn defaults() -> Vec<Framework> {
        vec![Framework::soft_bant(), Framework::aift()]
    }

    /// Checks `answers` against the framework.
    pub fn evaluate(&self, answers: &Answers) -> Evaluation {
        let (met, missing): (Vec<&Criterion>, Vec<&Criterion>) = self
            .criteria
            .iter()
            .partition(|c| answers.get(&c.code).copied().unwrap_or(false));
        Evaluation {
            framework: self.name.clone(),
            satisfied: met.len() >= self.required,
            required: self.required,
            met: met.iter().map(|c| c.code.clone()).collect(),
            missing: missing.iter().map(|c| c.code.clone()).collect(),
        }
    }
}

/// Evaluates `answers` against `framework`; the same as [`Framework::evaluate`].
pub fn evaluate(framework: &Framework, answers: &Answers) -> Evaluation {
    framework.evaluate(answers)
}

impl Evaluation {
    /// The 422 to give when someone asks for Qualified and the framework is not satisfied
    /// (field `qualification`, code `not_qualified`, naming what is missing); `None` when it is.
    pub fn refusal(&self) -> Option<Invalid> {
        if self.satisfied {
            return None;
        }
        let message = format!(
            "{} needs {} of {} criteria, {} met; missing: {}",
            self.framework,
            self.required,
            self.met.len() + self.missing.len(),
            self.met.len(),
            self.missing.join(", ")
        );
        Some(Invalid::new("qualification", "not_qualified", message))
    }
}

fn snake_code(field: &str, raw: &str) -> Result<String, Invalid> {
    let code = crate::error::required_text(field, raw, MAX_CODE_LEN)?;
    let ok = code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(Invalid::new(
            field,
            "invalid_code",
            format!("'{code}' must be lower-case letters, digits and _"),
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(met: &[&str]) -> Answers {
        met.iter().map(|c| ((*c).to_owned(), true)).collect()
    }

    #[test]
    fn soft_bant_is_satisfied_by_two_of_four() {
        let evaluation = Framework::soft_bant().evaluate(&answers(&["need", "timeline"]));
        assert!(evaluation.satisfied);
        assert_eq!(evaluation.missing, ["budget", "authority"]);
        assert!(evaluation.refusal().is_none());
    }

    #[test]
    fn unsatisfied_framework_names_what_is_missing() {
        let evaluation = evaluate(&Framework::aift(), &answers(&["authority", "fit", "timing"]));
        assert!(!evaluation.satisfied);
        let refusal = evaluation.refusal().unwrap();
        assert_eq!(
            (refusal.field.as_str(), refusal.code),
            ("qualification", "not_qualified")
        );
        assert_eq!(
            refusal.message,
            "AIFT needs 4 of 4 criteria, 3 met; missing: initiative"
        );
    }

    #[test]
    fn false_and_unknown_answers_do_not_count() {
        let mut given = answers(&["budget", "made_up"]);
        given.insert("authority".to_owned(), false);
        let evaluation = Framework::soft_bant().evaluate(&given);
        assert_eq!(evaluation.met, ["budget"]);
        assert!(!evaluation.satisfied);
    }

    #[test]
    fn framework_with_impossible_requirement_is_refused() {
        let criteria = Framework::soft_bant().criteria;
        assert_eq!(
            Framework::new("mine", "Mine", criteria.clone(), 5)
                .unwrap_err()
                .field,
            "required"
        );
        assert_eq!(
            Framework::new("mine", "Mine", criteria.clone(), 0)
                .unwrap_err()
                .code,
            "out_of_range"
        );
        assert!(Framework::new("mine", "Mine", criteria, 3).is_ok());
    }

    #[test]
    fn framework_with_duplicate_criterion_is_refused() {
        let mut criteria = Framework::aift().criteria;
        criteria.push(criteria[0].clone());
        let err = Framework::new("mine", "Mine", criteria, 2).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("criteria[4].code", "duplicate"));
    }

    #[test]
    fn defaults_are_valid_frameworks() {
        for f in Framework::defaults() {
            let again = Framework::new(&f.code, &f.name, f.criteria.clone(), f.required).unwrap();
            assert_eq!(again, f);
        }
    }
}
