//! The questionnaire qualified applicants answer, as data: each question with its limits, and the check of a
//! candidate's answers against them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Invalid;

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Stable snake_case code, used as the form field and the answer's key.
    pub code: String,
    /// The question as the candidate reads it.
    pub prompt: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// The longest answer accepted, in characters.
    pub max_chars: usize,
}

/// A set of questions in the order they are asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Questionnaire {
    /// The questions.
    pub questions: Vec<Question>,
}

impl Questionnaire {
    /// The default questionnaire for a sales job.
    pub fn default_for_sales() -> Questionnaire {
        let q = |code: &str, prompt: &str, required: bool, max_chars: usize| Question {
            code: code.to_owned(),
            prompt: prompt.to_owned(),
            required,
            max_chars,
        };
        Questionnaire {
            questions: vec![
                q("why_this_role", "Why do you want this role?", true, 2_000),
                q(
                    "phone_prospecting",
                    "What is your experience prospecting by phone?",
                    true,
                    2_000,
                ),
                q(
                    "email_prospecting",
                    "What is your experience prospecting by email?",
                    true,
                    2_000,
                ),
                q(
                    "crm_experience",
                    "Which CRMs have you used, and for what?",
                    true,
                    1_000,
                ),
                q("time_zone", "Which time zone do you work in?", true, 100),
                q("notice_period", "What is your notice period?", true, 200),
                q(
                    "pay_expectation",
                    "What are your pay expectations (amount and currency)?",
                    false,
                    200,
                ),
            ],
        }
    }

    /// Checks `answers` (question code → text): required ones present, none too long, no unknown codes.
    /// Returns the trimmed, non-blank answers, or every problem at once so a form can mark each field.
    pub fn validate(
        &self,
        answers: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Vec<Invalid>> {
        let mut problems = Vec::new();
        let mut accepted = BTreeMap::new();
        for code in answers.keys() {
            if !self.questions.iter().any(|q| &q.code == code) {
                let allowed: Vec<&str> = self.questions.iter().map(|q| q.code.as_str()).collect();
                problems.push(Invalid::unknown_value("question", code, &allowed).in_field(code.clone()));
            }
        }
        for question in &self.questions {
            let answer = answers.get(&question.code).map_or("", |a| a.trim());
            if answer.is_empty() {
                if question.required {
                    problems.push(Invalid::required(question.code.clone()));
                }
            } else if answer.chars().count() > question.max_chars {
                problems.push(Invalid::too_long(question.code.clone(), question.max_chars));
            } else {
                accepted.insert(question.code.clone(), answer.to_owned());
            }
        }
        if problems.is_empty() {
            Ok(accepted)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> BTreeMap<String, String> {
        [
            ("why_this_role", "I like developer tools"),
            ("phone_prospecting", "Two years of cold calls"),
            ("email_prospecting", "Sequences in Outreach"),
            ("crm_experience", "Salesforce"),
            ("time_zone", "Europe/Berlin"),
            ("notice_period", "One month"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), format!(" {v} ")))
        .collect()
    }

    #[test]
    fn the_default_asks_about_role_prospecting_crm_time_zone_notice_and_pay() {
        let codes: Vec<_> = Questionnaire::default_for_sales()
            .questions
            .into_iter()
            .map(|q| q.code)
            .collect();
        assert_eq!(
            codes,
            [
                "why_this_role",
                "phone_prospecting",
                "email_prospecting",
                "crm_experience",
                "time_zone",
                "notice_period",
                "pay_expectation"
            ]
        );
    }

    #[test]
    fn complete_answers_are_accepted_trimmed_and_optional_ones_may_be_left_out() {
        let accepted = Questionnaire::default_for_sales().validate(&complete()).unwrap();
        assert_eq!(
            accepted.get("crm_experience").map(String::as_str),
            Some("Salesforce")
        );
        assert!(!accepted.contains_key("pay_expectation"));
    }

    #[test]
    fn missing_long_and_unknown_answers_are_all_reported() {
        let mut answers = complete();
        answers.remove("time_zone");
        answers.insert("notice_period".into(), "x".repeat(201));
        answers.insert("favourite_colour".into(), "blue".into());
        let problems = Questionnaire::default_for_sales().validate(&answers).unwrap_err();
        let found: Vec<_> = problems.iter().map(|p| (p.field.as_str(), p.code)).collect();
        assert_eq!(
            found,
            [
                ("favourite_colour", "unknown_value"),
                ("time_zone", "required"),
                ("notice_period", "too_long")
            ]
        );
    }
}
