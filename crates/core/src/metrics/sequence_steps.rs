//! Results per sequence step: what one carried-out step adds to its step's numbers, and which
//! steps failed. Read from the step executions the sequence sweep and Today write (one row per
//! step of an enrollment), so nothing here is double-counted when a step is retried.

use serde::Serialize;

use super::ratio;

/// The numbers of one step of one sequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepCounts {
    /// Carried out: an automatic email handed to the mailbox, or a manual step the rep did.
    pub sent: i64,
    /// Emails that drew a reply.
    pub replied: i64,
    /// Emails that bounced.
    pub bounced: i64,
    /// Calls that reached the person.
    pub connects: i64,
    /// Calls that booked a meeting.
    pub meetings: i64,
    /// Failed: skipped (no address, suppressed) or bounced; see [`is_failed_step`].
    pub failed: i64,
}

impl StepCounts {
    /// Adds `other` to these.
    pub fn add(&mut self, other: &StepCounts) {
        self.sent += other.sent;
        self.replied += other.replied;
        self.bounced += other.bounced;
        self.connects += other.connects;
        self.meetings += other.meetings;
        self.failed += other.failed;
    }

    /// Replies over steps carried out.
    pub fn reply_rate(&self) -> f64 {
        ratio(self.replied, self.sent)
    }
}

/// Whether a step execution failed and needs a rep: it was skipped (no email address, or the
/// address is suppressed) or its email bounced. Cancelled steps (the enrollment ended) did not fail.
pub fn is_failed_step(status: &str, outcome: Option<&str>) -> bool {
    status == "skipped" || outcome == Some("bounced")
}

/// What `n` step executions with this `status`, `outcome` (call disposition, or `replied` /
/// `bounced` for emails) and connect flag add. Open tracking is not recorded, so there is no
/// "opened" count.
pub fn step_counts(status: &str, outcome: Option<&str>, is_connect: bool, n: i64) -> StepCounts {
    let carried_out = matches!(status, "sent" | "done");
    StepCounts {
        sent: if carried_out { n } else { 0 },
        replied: if outcome == Some("replied") { n } else { 0 },
        bounced: if outcome == Some("bounced") { n } else { 0 },
        connects: if is_connect { n } else { 0 },
        meetings: if outcome == Some("meeting_booked") { n } else { 0 },
        failed: if is_failed_step(status, outcome) { n } else { 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_email_that_bounced_counts_as_sent_bounced_and_failed() {
        let c = step_counts("sent", Some("bounced"), false, 2);
        assert_eq!((c.sent, c.bounced, c.failed, c.replied), (2, 2, 2, 0));
    }

    #[test]
    fn skipped_steps_fail_without_being_sent_and_cancelled_ones_do_neither() {
        let skipped = step_counts("skipped", None, false, 1);
        assert_eq!((skipped.sent, skipped.failed), (0, 1));
        assert_eq!(step_counts("cancelled", None, false, 1), StepCounts::default());
    }

    #[test]
    fn a_call_that_booked_a_meeting_is_a_connect_and_a_meeting() {
        let mut total = step_counts("done", Some("meeting_booked"), true, 1);
        total.add(&step_counts("done", Some("no_answer"), false, 3));
        assert_eq!((total.sent, total.connects, total.meetings), (4, 1, 1));
        total.add(&step_counts("sent", Some("replied"), false, 1));
        assert!((total.reply_rate() - 0.2).abs() < 1e-9);
    }
}
