//! Whether a person may be enrolled now. A person is in at most one active sequence, is never
//! emailed again after unsubscribing, and gets a rest between sequences (the re-contact window).

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::Invalid;

/// What the app knows about a person when someone tries to enroll them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonFacts {
    /// The person (or their address) unsubscribed or is suppressed.
    pub unsubscribed: bool,
    /// The person is active or paused in another sequence.
    pub active_enrollment_elsewhere: bool,
    /// When their most recent enrollment finished, if any.
    pub last_finished_at: Option<DateTime<Utc>>,
}

/// Why a person cannot be enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollRefusal {
    /// They unsubscribed; they are never contacted by sequence again.
    Unsubscribed,
    /// They are already in a sequence that has not finished.
    AlreadyEnrolled,
    /// Their last sequence finished too recently.
    RecentlyContacted {
        /// The first instant they may be enrolled again.
        until: DateTime<Utc>,
    },
}

impl EnrollRefusal {
    /// A stable code for the API.
    pub fn code(self) -> &'static str {
        match self {
            EnrollRefusal::Unsubscribed => "unsubscribed",
            EnrollRefusal::AlreadyEnrolled => "already_enrolled",
            EnrollRefusal::RecentlyContacted { .. } => "recently_contacted",
        }
    }

    /// A sentence for the person trying to enroll them.
    pub fn message(self) -> String {
        match self {
            EnrollRefusal::Unsubscribed => {
                "This person unsubscribed and cannot be enrolled in a sequence.".to_owned()
            }
            EnrollRefusal::AlreadyEnrolled => {
                "This person is already in another sequence; finish that one first.".to_owned()
            }
            EnrollRefusal::RecentlyContacted { until } => format!(
                "This person finished a sequence recently; they can be enrolled again from {}.",
                until.format("%Y-%m-%d")
            ),
        }
    }
}

impl fmt::Display for EnrollRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for EnrollRefusal {}

impl From<EnrollRefusal> for Invalid {
    fn from(refusal: EnrollRefusal) -> Self {
        Invalid::new("person", refusal.code(), refusal.message())
    }
}

/// Checks, in order of permanence, whether the person may be enrolled at `now` given the sequence's
/// re-contact window in days.
pub fn can_enroll(
    facts: &PersonFacts,
    recontact_window_days: u16,
    now: DateTime<Utc>,
) -> Result<(), EnrollRefusal> {
    if facts.unsubscribed {
        return Err(EnrollRefusal::Unsubscribed);
    }
    if facts.active_enrollment_elsewhere {
        return Err(EnrollRefusal::AlreadyEnrolled);
    }
    if let Some(finished) = facts.last_finished_at {
        let until = finished + Duration::days(i64::from(recontact_window_days));
        if now < until {
            return Err(EnrollRefusal::RecentlyContacted { until });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_fresh_person_can_be_enrolled() {
        assert_eq!(
            can_enroll(&PersonFacts::default(), 90, t("2026-03-01T00:00:00Z")),
            Ok(())
        );
    }

    #[test]
    fn unsubscribed_person_is_refused_even_when_other_rules_also_apply() {
        let facts = PersonFacts {
            unsubscribed: true,
            active_enrollment_elsewhere: true,
            last_finished_at: None,
        };
        let err = can_enroll(&facts, 90, t("2026-03-01T00:00:00Z")).unwrap_err();
        assert_eq!(err, EnrollRefusal::Unsubscribed);
        assert_eq!(Invalid::from(err).code, "unsubscribed");
    }

    #[test]
    fn person_in_another_sequence_is_refused() {
        let facts = PersonFacts {
            active_enrollment_elsewhere: true,
            ..PersonFacts::default()
        };
        assert_eq!(
            can_enroll(&facts, 90, t("2026-03-01T00:00:00Z")),
            Err(EnrollRefusal::AlreadyEnrolled)
        );
    }

    #[test]
    fn recontact_window_refuses_until_it_has_passed() {
        let facts = PersonFacts {
            last_finished_at: Some(t("2026-01-01T12:00:00Z")),
            ..PersonFacts::default()
        };
        let err = can_enroll(&facts, 30, t("2026-01-20T00:00:00Z")).unwrap_err();
        assert_eq!(
            err,
            EnrollRefusal::RecentlyContacted {
                until: t("2026-01-31T12:00:00Z")
            }
        );
        assert_eq!(
            err.message(),
            "This person finished a sequence recently; they can be enrolled again from 2026-01-31."
        );
        assert_eq!(can_enroll(&facts, 30, t("2026-01-31T12:00:00Z")), Ok(()));
    }
}
