//! SLA clocks: how long, in business time, a team has to act on something (touch a new MQL, answer
//! a contact-us request, accept a hand-off), and where a live timer stands.
//!
//! A clock is plain data (start, warn, due) so the app can store it beside the lead and rebuild it;
//! the calendar is passed to [`SlaClock::status`] rather than held, for the same reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::business_calendar::BusinessCalendar;

/// What a clock times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    /// First touch (call, email, …) on a new MQL.
    MqlFirstTouch,
    /// First answer to a contact-us request.
    ContactUsFirstTouch,
    /// An AE accepting or rejecting a hand-off (a booked meeting at stage 0).
    HandoffAcceptance,
}

impl SlaKind {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            SlaKind::MqlFirstTouch => "mql_first_touch",
            SlaKind::ContactUsFirstTouch => "contact_us_first_touch",
            SlaKind::HandoffAcceptance => "handoff_acceptance",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            SlaKind::MqlFirstTouch => "MQL first touch",
            SlaKind::ContactUsFirstTouch => "Contact-us first touch",
            SlaKind::HandoffAcceptance => "Hand-off acceptance",
        }
    }
}

/// How much business time an SLA allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "amount")]
pub enum SlaTarget {
    /// A number of business minutes.
    BusinessMinutes(i64),
    /// A number of business days, each [`BusinessCalendar::business_day_minutes`] long, so "one
    /// business day" from Tuesday 15:00 is Wednesday 15:00 rather than Wednesday at closing time.
    BusinessDays(i64),
}

/// An SLA: what is timed and how long it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// What the clock times.
    pub kind: SlaKind,
    /// The allowance.
    pub target: SlaTarget,
}

impl SlaPolicy {
    /// The handbook's MQL rule: first touch within 60 business minutes.
    pub fn mql_first_touch() -> Self {
        Self {
            kind: SlaKind::MqlFirstTouch,
            target: SlaTarget::BusinessMinutes(60),
        }
    }

    /// The handbook's contact-us rule: an answer within one business day.
    pub fn contact_us_first_touch() -> Self {
        Self {
            kind: SlaKind::ContactUsFirstTouch,
            target: SlaTarget::BusinessDays(1),
        }
    }

    /// The hand-off rule: the AE accepts or rejects within one business day.
    pub fn handoff_acceptance() -> Self {
        Self {
            kind: SlaKind::HandoffAcceptance,
            target: SlaTarget::BusinessDays(1),
        }
    }

    /// The allowance in business minutes on `calendar`; never negative.
    pub fn business_minutes(&self, calendar: &BusinessCalendar) -> i64 {
        let minutes = match self.target {
            SlaTarget::BusinessMinutes(minutes) => minutes,
            SlaTarget::BusinessDays(days) => days.saturating_mul(calendar.business_day_minutes()),
        };
        minutes.max(0)
    }
}

/// A started SLA timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    /// What is timed.
    pub kind: SlaKind,
    /// When the clock started (the lead became an MQL, the form arrived, the meeting was booked).
    pub started_at: DateTime<Utc>,
    /// The allowance in business minutes, fixed when the clock started.
    pub business_minutes: i64,
    /// Half the allowance: past this, the owner is warned.
    pub warn_at: DateTime<Utc>,
    /// The deadline: past this, the SLA is breached and escalates to the team lead.
    pub due_at: DateTime<Utc>,
}

/// Where an SLA stands. Live states carry the business minutes a timer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum SlaStatus {
    /// Not yet acted on, and less than half the allowance used.
    OnTime {
        /// Business minutes since the clock started.
        business_minutes_elapsed: i64,
        /// Business minutes until the deadline.
        business_minutes_remaining: i64,
    },
    /// Not yet acted on, and at least half the allowance used.
    Warning {
        /// Business minutes since the clock started.
        business_minutes_elapsed: i64,
        /// Business minutes until the deadline.
        business_minutes_remaining: i64,
    },
    /// Not yet acted on, and past the deadline.
    Breached {
        /// Business minutes since the clock started.
        business_minutes_elapsed: i64,
        /// Business minutes since the deadline.
        business_minutes_overdue: i64,
    },
    /// Acted on by the deadline.
    Met {
        /// Business minutes from start to first touch.
        business_minutes: i64,
    },
    /// Acted on, but after the deadline.
    Missed {
        /// Business minutes from start to first touch.
        business_minutes: i64,
        /// Business minutes from the deadline to first touch.
        business_minutes_late: i64,
    },
}

impl SlaStatus {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SlaStatus::OnTime { .. } => "on_time",
            SlaStatus::Warning { .. } => "warning",
            SlaStatus::Breached { .. } => "breached",
            SlaStatus::Met { .. } => "met",
            SlaStatus::Missed { .. } => "missed",
        }
    }

    /// The label shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            SlaStatus::OnTime { .. } => "On time",
            SlaStatus::Warning { .. } => "Due soon",
            SlaStatus::Breached { .. } => "Overdue",
            SlaStatus::Met { .. } => "Met",
            SlaStatus::Missed { .. } => "Missed",
        }
    }

    /// Whether the timer is still running (nobody has acted yet).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            SlaStatus::OnTime { .. } | SlaStatus::Warning { .. } | SlaStatus::Breached { .. }
        )
    }
}

impl SlaClock {
    /// Starts `policy`'s clock at `started_at`; warn and due instants are in business time on `calendar`.
    pub fn start(policy: &SlaPolicy, started_at: DateTime<Utc>, calendar: &BusinessCalendar) -> Self {
        let business_minutes = policy.business_minutes(calendar);
        Self {
            kind: policy.kind,
            started_at,
            business_minutes,
            warn_at: calendar.add_business_minutes(started_at, business_minutes / 2),
            due_at: calendar.add_business_minutes(started_at, business_minutes),
        }
    }

    /// Where the clock stands at `now`, given the first touch if there was one. The calendar must be the
    /// one the clock was started with, or minutes are measured against the wrong hours.
    pub fn status(
        &self,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        first_touch: Option<DateTime<Utc>>,
    ) -> SlaStatus {
        let since_start = |at| calendar.business_minutes_between(self.started_at, at).max(0);
        if let Some(touched_at) = first_touch {
            return if touched_at <= self.due_at {
                SlaStatus::Met {
                    business_minutes: since_start(touched_at),
                }
            } else {
                SlaStatus::Missed {
                    business_minutes: since_start(touched_at),
                    business_minutes_late: calendar.business_minutes_between(self.due_at, touched_at),
                }
            };
        }
        let business_minutes_elapsed = since_start(now);
        if now >= self.due_at {
            SlaStatus::Breached {
                business_minutes_elapsed,
                business_minutes_overdue: calendar.business_minutes_between(self.due_at, now),
            }
        } else {
            let business_minutes_remaining = calendar.business_minutes_between(now, self.due_at);
            if now >= self.warn_at {
                SlaStatus::Warning {
                    business_minutes_elapsed,
                    business_minutes_remaining,
                }
            } else {
                SlaStatus::OnTime {
                    business_minutes_elapsed,
                    business_minutes_remaining,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn berlin(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        // March 2026: the 6th is a Friday, the 9th a Monday.
        Berlin
            .with_ymd_and_hms(2026, 3, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_mql_at_friday_closing_is_due_monday_morning() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::mql_first_touch(), berlin(6, 16, 40), &cal);
        assert_eq!(clock.business_minutes, 60);
        assert_eq!(clock.warn_at, berlin(9, 9, 10));
        assert_eq!(clock.due_at, berlin(9, 9, 40));
    }

    #[test]
    fn contact_us_allows_one_working_day_of_minutes() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::contact_us_first_touch(), berlin(3, 15, 0), &cal);
        assert_eq!(clock.business_minutes, 480);
        assert_eq!(clock.warn_at, berlin(4, 11, 0));
        assert_eq!(clock.due_at, berlin(4, 15, 0));
    }

    #[test]
    fn a_live_timer_moves_from_on_time_to_warning_to_breached() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::mql_first_touch(), berlin(3, 10, 0), &cal);
        assert_eq!(
            clock.status(&cal, berlin(3, 10, 20), None),
            SlaStatus::OnTime {
                business_minutes_elapsed: 20,
                business_minutes_remaining: 40
            }
        );
        assert_eq!(
            clock.status(&cal, berlin(3, 10, 30), None),
            SlaStatus::Warning {
                business_minutes_elapsed: 30,
                business_minutes_remaining: 30
            }
        );
        let breached = clock.status(&cal, berlin(3, 11, 15), None);
        assert_eq!(
            breached,
            SlaStatus::Breached {
                business_minutes_elapsed: 75,
                business_minutes_overdue: 15
            }
        );
        assert_eq!(breached.code(), "breached");
        assert!(breached.is_live());
    }

    #[test]
    fn the_night_does_not_count_against_a_live_timer() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::mql_first_touch(), berlin(3, 16, 50), &cal);
        assert_eq!(
            clock.status(&cal, berlin(4, 3, 0), None),
            SlaStatus::OnTime {
                business_minutes_elapsed: 10,
                business_minutes_remaining: 50
            }
        );
    }

    #[test]
    fn a_touch_by_the_deadline_is_met_and_after_it_missed() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::mql_first_touch(), berlin(3, 10, 0), &cal);
        let later = berlin(5, 12, 0);
        assert_eq!(
            clock.status(&cal, later, Some(berlin(3, 11, 0))),
            SlaStatus::Met { business_minutes: 60 }
        );
        let missed = clock.status(&cal, later, Some(berlin(4, 9, 30)));
        assert_eq!(
            missed,
            SlaStatus::Missed {
                business_minutes: 450,
                business_minutes_late: 390
            }
        );
        assert!(!missed.is_live());
    }

    #[test]
    fn status_serialises_with_a_snake_case_tag() {
        let status = SlaStatus::Met { business_minutes: 12 };
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            serde_json::json!({"status": "met", "business_minutes": 12})
        );
        let policy = serde_json::to_value(SlaPolicy::contact_us_first_touch()).unwrap();
        assert_eq!(
            policy,
            serde_json::json!({"kind": "contact_us_first_touch", "target": {"unit": "business_days", "amount": 1}})
        );
    }

    #[test]
    fn handoff_acceptance_started_on_a_weekend_counts_from_monday() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let clock = SlaClock::start(&SlaPolicy::handoff_acceptance(), berlin(7, 12, 0), &cal);
        assert_eq!(clock.due_at, berlin(9, 17, 0));
        assert_eq!(clock.due_at - clock.warn_at, Duration::hours(4));
    }
}
