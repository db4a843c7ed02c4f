//! The additive counters kept per rep, team, source, segment and day.

use serde::{Deserialize, Serialize};

use crate::records::{ActivityDetail, EmailDirection};

/// Counters that add up across days, reps and teams. Rates are derived from them, never stored,
/// so a week's connect rate is the week's connects over the week's calls — not an average of
/// daily rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Calls logged.
    pub calls: i64,
    /// Calls whose disposition counts as a connect (fixed when the call was logged).
    pub connects: i64,
    /// Emails we sent (bounced ones included: the rep did send them).
    pub emails_sent: i64,
    /// Emails received from a prospect: the replies.
    pub replies: i64,
    /// LinkedIn messages.
    pub linkedin: i64,
    /// Meetings booked (meeting activities).
    pub meetings: i64,
    /// Opportunities created with the rep as SDR.
    pub opportunities: i64,
    /// The amount of those opportunities, in cents: the pipeline created.
    pub pipeline_cents: i64,
    /// Hand-offs the AE accepted: sales-accepted opportunities (SAOs).
    pub saos: i64,
    /// Hand-offs the AE rejected.
    pub rejected: i64,
    /// Opportunities that reached Scoping or later for the first time: sales-qualified (SQOs).
    pub sqos: i64,
}

impl Counts {
    /// Touches a rep made: calls, emails sent, LinkedIn messages and meetings. Notes and status
    /// changes are not activities in the handbook's sense.
    pub fn activities(&self) -> i64 {
        self.calls + self.emails_sent + self.linkedin + self.meetings
    }

    /// Connects over calls, 0 when there were no calls.
    pub fn connect_rate(&self) -> f64 {
        ratio(self.connects, self.calls)
    }

    /// Replies over emails sent, 0 when none were sent.
    pub fn reply_rate(&self) -> f64 {
        ratio(self.replies, self.emails_sent)
    }

    /// Adds `other` in place.
    pub fn add(&mut self, other: &Counts) {
        self.calls += other.calls;
        self.connects += other.connects;
        self.emails_sent += other.emails_sent;
        self.replies += other.replies;
        self.linkedin += other.linkedin;
        self.meetings += other.meetings;
        self.opportunities += other.opportunities;
        self.pipeline_cents += other.pipeline_cents;
        self.saos += other.saos;
        self.rejected += other.rejected;
        self.sqos += other.sqos;
    }

    /// The same counters with the sign flipped: what a superseded activity takes back.
    pub fn negated(&self) -> Counts {
        let mut n = Counts::default();
        n.add(self);
        Counts {
            calls: -n.calls,
            connects: -n.connects,
            emails_sent: -n.emails_sent,
            replies: -n.replies,
            linkedin: -n.linkedin,
            meetings: -n.meetings,
            opportunities: -n.opportunities,
            pipeline_cents: -n.pipeline_cents,
            saos: -n.saos,
            rejected: -n.rejected,
            sqos: -n.sqos,
        }
    }

    /// Whether every counter is zero (nothing to write).
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// `part / whole`, 0 for an empty whole.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What one activity adds: a call (and a connect if its disposition counted as one), an email
/// sent or a reply, a LinkedIn message or a meeting. Notes, status changes and retractions add no
/// counter.
pub fn activity_counts(detail: &ActivityDetail, is_connect: bool) -> Counts {
    let mut c = Counts::default();
    match detail {
        ActivityDetail::Call { .. } => {
            c.calls = 1;
            c.connects = i64::from(is_connect);
        }
        ActivityDetail::Email { direction, .. } => match direction {
            EmailDirection::Sent | EmailDirection::Bounced => c.emails_sent = 1,
            EmailDirection::Received => c.replies = 1,
        },
        ActivityDetail::Linkedin { .. } => c.linkedin = 1,
        ActivityDetail::Meeting { .. } => c.meetings = 1,
        // A retraction adds nothing: it takes back what the version it retracts added.
        ActivityDetail::Note { .. }
        | ActivityDetail::StatusChange { .. }
        | ActivityDetail::Retraction { .. } => {}
    }
    c
}

/// What an opportunity's stage change adds: an SQO when it passes from Pending Acceptance or
/// Discovery into Scoping or any later open stage or Closed Won.
pub fn stage_change_counts(from: &str, to: &str) -> Counts {
    const EARLY: [&str; 2] = ["pending_acceptance", "discovery"];
    const QUALIFIED: [&str; 6] = [
        "scoping",
        "technical_evaluation",
        "proposal",
        "negotiating",
        "awaiting_signature",
        "closed_won",
    ];
    Counts {
        sqos: i64::from(EARLY.contains(&from) && QUALIFIED.contains(&to)),
        ..Counts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(connect: bool) -> Counts {
        let d = ActivityDetail::Call {
            disposition: "connected".into(),
            duration_seconds: None,
            notes: None,
        };
        activity_counts(&d, connect)
    }

    #[test]
    fn a_connected_call_counts_a_call_and_a_connect() {
        assert_eq!((call(true).calls, call(true).connects), (1, 1));
        assert_eq!((call(false).calls, call(false).connects), (1, 0));
    }

    #[test]
    fn received_email_is_a_reply_and_bounced_still_counts_as_sent() {
        let email = |direction| ActivityDetail::Email {
            direction,
            message_id: None,
            thread_id: None,
            subject: None,
        };
        assert_eq!(
            activity_counts(&email(EmailDirection::Received), false).replies,
            1
        );
        assert_eq!(
            activity_counts(&email(EmailDirection::Bounced), false).emails_sent,
            1
        );
        let note = ActivityDetail::Note { text: "x".into() };
        assert!(activity_counts(&note, false).is_zero());
    }

    #[test]
    fn rates_come_from_summed_counters_and_a_correction_takes_back() {
        let mut week = call(true);
        week.add(&call(false));
        week.add(&call(false));
        assert!((week.connect_rate() - 1.0 / 3.0).abs() < 1e-9);
        week.add(&call(true).negated());
        assert_eq!((week.calls, week.connects), (2, 0));
        assert_eq!(Counts::default().reply_rate(), 0.0);
        assert_eq!(week.activities(), 2);
    }
}
