//! What is erased from a candidate who was not hired, and when: personal data is kept only as long as it is
//! useful for reconsidering them (six months by default), while the pipeline statistics stay.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use super::application::ApplicationStatus;

/// A piece of candidate data that anonymisation blanks out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnonymisedField {
    /// First and last name.
    Name,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// Where they live.
    Location,
    /// Profile links (LinkedIn, website).
    ProfileLinks,
    /// The uploaded résumé file (deleted).
    Resume,
    /// Cover letter text.
    CoverLetter,
    /// Questionnaire answers (they include pay expectation and notice period).
    QuestionnaireAnswers,
    /// Scorecard pros, cons and notes: free text that may name or describe the person.
    ScorecardText,
    /// Emails exchanged with the candidate.
    EmailBodies,
}

/// Every field anonymisation clears. Kept on purpose: job, stages reached and when, decline reason,
/// scorecard ratings — the numbers the funnel reports need, none of which identify anyone.
pub const ANONYMISED_FIELDS: [AnonymisedField; 10] = [
    AnonymisedField::Name,
    AnonymisedField::Email,
    AnonymisedField::Phone,
    AnonymisedField::Location,
    AnonymisedField::ProfileLinks,
    AnonymisedField::Resume,
    AnonymisedField::CoverLetter,
    AnonymisedField::QuestionnaireAnswers,
    AnonymisedField::ScorecardText,
    AnonymisedField::EmailBodies,
];

/// How long a closed application's personal data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionPolicy {
    /// Months after the application closed.
    pub months: u32,
}

impl Default for RetentionPolicy {
    /// Six months.
    fn default() -> Self {
        Self { months: 6 }
    }
}

impl RetentionPolicy {
    /// When an application closed at `closed_at` is due for anonymisation. Declined and withdrawn candidates
    /// are; hired ones become colleagues and active ones are still talking to us, so they never are (`None`).
    pub fn due_at(&self, status: ApplicationStatus, closed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match status {
            ApplicationStatus::Declined | ApplicationStatus::Withdrawn => {
                // Calendar months, clamped to the month's end (31 Aug + 6 months = 28/29 Feb).
                Some(
                    closed_at
                        .checked_add_months(Months::new(self.months))
                        .unwrap_or(DateTime::<Utc>::MAX_UTC),
                )
            }
            ApplicationStatus::Active | ApplicationStatus::Hired => None,
        }
    }

    /// Whether the application should be anonymised at `now`.
    pub fn is_due(
        &self,
        status: ApplicationStatus,
        closed_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        closed_at
            .and_then(|closed| self.due_at(status, closed))
            .is_some_and(|due| now >= due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn declined_candidates_are_due_six_months_after_closing() {
        let policy = RetentionPolicy::default();
        let closed = Some(at(2026, 1, 15));
        assert!(!policy.is_due(ApplicationStatus::Declined, closed, at(2026, 7, 14)));
        assert!(policy.is_due(ApplicationStatus::Declined, closed, at(2026, 7, 15)));
        assert!(policy.is_due(ApplicationStatus::Withdrawn, closed, at(2027, 1, 1)));
    }

    #[test]
    fn hired_active_and_unclosed_applications_are_never_due() {
        let policy = RetentionPolicy::default();
        assert!(!policy.is_due(ApplicationStatus::Hired, Some(at(2020, 1, 1)), at(2026, 1, 1)));
        assert!(!policy.is_due(ApplicationStatus::Active, Some(at(2020, 1, 1)), at(2026, 1, 1)));
        assert!(!policy.is_due(ApplicationStatus::Declined, None, at(2026, 1, 1)));
    }

    #[test]
    fn months_are_calendar_months_clamped_to_the_month_end() {
        let policy = RetentionPolicy { months: 6 };
        assert_eq!(
            policy.due_at(ApplicationStatus::Declined, at(2025, 8, 31)),
            Some(at(2026, 2, 28))
        );
    }

    #[test]
    fn identifying_fields_are_anonymised_and_codes_are_snake_case() {
        assert!(ANONYMISED_FIELDS.contains(&AnonymisedField::Email));
        assert!(ANONYMISED_FIELDS.contains(&AnonymisedField::Resume));
        assert_eq!(
            serde_json::to_string(&AnonymisedField::QuestionnaireAnswers).unwrap(),
            "\"questionnaire_answers\""
        );
    }
}
