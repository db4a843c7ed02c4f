//! When a step becomes due and when an automatic email may actually go out.
//!
//! Everything is computed in the recipient's local time (a 9 a.m. email is only polite where it is
//! 9 a.m.) and returned as a UTC instant for storage. Local times that fall in a DST gap move
//! forward to the first time that exists; times that happen twice use the earlier one.
//!
//! This is deliberately a small sending-window rule, separate from the business-hours calendar in
//! `schedule/`: it answers "may we touch this person now?", not "how many business minutes passed?".

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::definition::SequenceSettings;
use super::step::Step;
use crate::Invalid;

/// How far ahead to look for an open day. Validated settings hold at most 400 holidays, so two
/// years always contain a business day that is not one.
const MAX_SEARCH_DAYS: u32 = 800;
/// A DST gap is at most a couple of hours; look a little beyond.
const MAX_GAP_MINUTES: i64 = 180;
/// Guard for the pacing and window loops, which always move forward and settle quickly.
const MAX_ROUNDS: usize = 10_000;
/// A mailbox sending more than this per day is a spam cannon, not a rep's mailbox.
pub const MAX_DAILY_CAP: u32 = 2_000;

/// When a step is due for a person enrolled at `enrolled_at` (or at the enrollment's anchor after a
/// pause). The step's day is the enrollment's local date plus its day offset; on that day it is
/// due at the same local time as the enrollment happened — which spreads a batch enrolled over a
/// morning across mornings — or at the window's opening when that time was outside the window.
/// The result is then moved to the first instant inside the window on an allowed day.
pub fn due_at(
    step: &Step,
    enrolled_at: DateTime<Utc>,
    recipient_tz: Tz,
    settings: &SequenceSettings,
) -> DateTime<Utc> {
    let window = settings.sending_window;
    let enrolled_local = enrolled_at.with_timezone(&recipient_tz);
    let day = enrolled_local.date_naive() + Duration::days(i64::from(step.day_offset));
    let time = enrolled_local.time();
    let time = if time >= window.start() && time < window.end() {
        time
    } else {
        window.start()
    };
    let candidate = local_instant(recipient_tz, day.and_time(time)).max(enrolled_at);
    next_sending_instant(candidate, recipient_tz, settings)
}

/// The first instant at or after `from` that is inside the sending window on an allowed day
/// (a business day when required, and not a holiday) in the recipient's time zone.
pub fn next_sending_instant(
    from: DateTime<Utc>,
    recipient_tz: Tz,
    settings: &SequenceSettings,
) -> DateTime<Utc> {
    let window = settings.sending_window;
    let mut day = from.with_timezone(&recipient_tz).date_naive();
    for _ in 0..MAX_SEARCH_DAYS {
        if is_open_day(day, settings) {
            let opens = local_instant(recipient_tz, day.and_time(window.start()));
            let closes = local_instant(recipient_tz, day.and_time(window.end()));
            if from < closes {
                return from.max(opens);
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    // Unreachable with validated settings; sending late is better than never deciding.
    from
}

/// Whether touches may happen on this local date at all.
pub fn is_open_day(day: NaiveDate, settings: &SequenceSettings) -> bool {
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    let closed = (settings.business_days_only && weekend) || settings.holidays.contains(&day);
    !closed
}

/// The instant a local wall-clock time denotes: the earlier of two in a DST overlap, and the first
/// existing time after it in a DST gap.
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => (1..=MAX_GAP_MINUTES)
            .find_map(|m| tz.from_local_datetime(&(local + Duration::minutes(m))).earliest())
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// The limits on one sending mailbox: at most `daily_cap` automatic emails per local day of the
/// mailbox, and at least `min_spacing` between any two, so volume looks like a person writing and
/// stays under providers' limits. Manual steps (calls, tasks) are not paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxPacer {
    daily_cap: u32,
    min_spacing: Duration,
}

impl MailboxPacer {
    /// A pacer allowing `daily_cap` sends per day (1..=[`MAX_DAILY_CAP`]) at least
    /// `min_spacing_seconds` apart (0..=1 day).
    pub fn new(daily_cap: u32, min_spacing_seconds: u32) -> Result<MailboxPacer, Invalid> {
        if daily_cap == 0 || daily_cap > MAX_DAILY_CAP {
            return Err(Invalid::new(
                "daily_cap",
                "out_of_range",
                format!("the daily cap must be between 1 and {MAX_DAILY_CAP}"),
            ));
        }
        if min_spacing_seconds > 86_400 {
            return Err(Invalid::new(
                "min_spacing",
                "out_of_range",
                "the spacing between emails is at most one day",
            ));
        }
        Ok(MailboxPacer {
            daily_cap,
            min_spacing: Duration::seconds(i64::from(min_spacing_seconds)),
        })
    }

    /// Sends allowed per local day.
    pub fn daily_cap(&self) -> u32 {
        self.daily_cap
    }

    /// The least time between two sends.
    pub fn min_spacing(&self) -> Duration {
        self.min_spacing
    }

    /// The first instant at or after `wanted` at which this mailbox may send, given `sends` already
    /// made or planned (in any order, past or future — the window around `wanted` is what matters).
    /// A full day moves the send to the mailbox's next local midnight.
    pub fn next_slot(&self, wanted: DateTime<Utc>, mailbox_tz: Tz, sends: &[DateTime<Utc>]) -> DateTime<Utc> {
        let mut sends = sends.to_vec();
        sends.sort_unstable();
        let mut at = wanted;
        for _ in 0..MAX_ROUNDS {
            let (day_start, day_end) = local_day_bounds(at, mailbox_tz);
            let that_day = sends.iter().filter(|s| **s >= day_start && **s < day_end).count();
            if that_day >= self.daily_cap as usize {
                at = day_end;
                continue;
            }
            match sends.iter().find(|s| (at - **s).abs() < self.min_spacing) {
                Some(clash) => at = *clash + self.min_spacing,
                None => return at,
            }
        }
        at
    }
}

/// When an automatic email due at `due` may go: inside the recipient's window and allowed by the
/// mailbox's pacing. Each rule only ever moves the time forward, so alternating them settles on the
/// first instant both accept.
pub fn plan_send(
    due: DateTime<Utc>,
    recipient_tz: Tz,
    settings: &SequenceSettings,
    pacer: &MailboxPacer,
    mailbox_tz: Tz,
    sends: &[DateTime<Utc>],
) -> DateTime<Utc> {
    let mut at = due;
    for _ in 0..MAX_ROUNDS {
        let in_window = next_sending_instant(at, recipient_tz, settings);
        let paced = pacer.next_slot(in_window, mailbox_tz, sends);
        if paced == in_window {
            return paced;
        }
        at = paced;
    }
    at
}

/// The UTC bounds of the local calendar day containing `at`.
fn local_day_bounds(at: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = at.with_timezone(&tz).date_naive();
    let next = day.succ_opt().unwrap_or(day);
    (
        local_instant(tz, day.and_time(NaiveTime::MIN)),
        local_instant(tz, next.and_time(NaiveTime::MIN)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sequence::definition::SendingWindow;
    use crate::sequence::step::{Step, StepDraft};
    use chrono_tz::America::{Los_Angeles, New_York};
    use chrono_tz::Europe::Berlin;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn step(day: i64) -> Step {
        Step::parse(
            0,
            &StepDraft {
                kind: "call".into(),
                day_offset: day,
                ..StepDraft::default()
            },
        )
        .unwrap()
    }

    fn settings() -> SequenceSettings {
        SequenceSettings::default()
    }

    #[test]
    fn day_zero_inside_the_window_is_due_at_enrollment() {
        // Friday 16:00 in Berlin (CET, UTC+1).
        let enrolled = utc("2026-01-16T15:00:00Z");
        assert_eq!(due_at(&step(0), enrolled, Berlin, &settings()), enrolled);
    }

    #[test]
    fn later_days_keep_the_enrollment_time_of_day() {
        let enrolled = utc("2026-01-12T10:30:00Z"); // Monday 11:30 Berlin
        assert_eq!(
            due_at(&step(2), enrolled, Berlin, &settings()),
            utc("2026-01-14T10:30:00Z")
        );
    }

    #[test]
    fn weekend_days_move_to_monday_morning() {
        let enrolled = utc("2026-01-16T15:00:00Z"); // Friday 16:00 Berlin
        assert_eq!(
            due_at(&step(1), enrolled, Berlin, &settings()),
            utc("2026-01-19T07:00:00Z")
        );
    }

    #[test]
    fn enrolling_after_hours_starts_next_morning_and_later_days_at_opening() {
        let enrolled = utc("2026-01-12T19:00:00Z"); // Monday 20:00 Berlin
        assert_eq!(
            due_at(&step(0), enrolled, Berlin, &settings()),
            utc("2026-01-13T07:00:00Z")
        );
        assert_eq!(
            due_at(&step(2), enrolled, Berlin, &settings()),
            utc("2026-01-14T07:00:00Z")
        );
    }

    #[test]
    fn the_window_is_the_recipients_not_the_senders() {
        // 14:00 UTC on a July Wednesday is 07:00 in Los Angeles (PDT, UTC-7): wait for 08:00 there.
        let enrolled = utc("2026-07-15T14:00:00Z");
        assert_eq!(
            due_at(&step(0), enrolled, Los_Angeles, &settings()),
            utc("2026-07-15T15:00:00Z")
        );
    }

    #[test]
    fn window_opening_follows_daylight_saving_change() {
        // Berlin moves to CEST on Sunday 29 March 2026: 08:00 is 07:00Z on Friday, 06:00Z on Monday.
        let enrolled = utc("2026-03-27T07:00:00Z");
        assert_eq!(
            due_at(&step(0), enrolled, Berlin, &settings()),
            utc("2026-03-27T07:00:00Z")
        );
        assert_eq!(
            due_at(&step(3), enrolled, Berlin, &settings()),
            utc("2026-03-30T06:00:00Z")
        );
    }

    #[test]
    fn window_opening_in_a_dst_gap_moves_to_the_first_real_time() {
        let mut s = settings();
        s.business_days_only = false;
        s.sending_window = SendingWindow::parse("02:30", "05:00").unwrap();
        // New York springs forward at 02:00 on 8 March 2026; 02:30 does not exist, 03:00 EDT is 07:00Z.
        let from = utc("2026-03-08T05:00:00Z"); // 00:00 EST
        assert_eq!(
            next_sending_instant(from, New_York, &s),
            utc("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn repeated_hour_uses_the_earlier_instant() {
        let local = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(local_instant(New_York, local), utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn holidays_are_skipped_in_the_recipients_calendar() {
        let mut s = settings();
        for d in [24, 25, 26] {
            s.holidays.insert(NaiveDate::from_ymd_opt(2026, 12, d).unwrap());
        }
        // Wednesday 23 December 19:00 Berlin: the 24th–25th are holidays, 26th–27th weekend.
        let from = utc("2026-12-23T18:00:00Z");
        assert_eq!(
            next_sending_instant(from, Berlin, &s),
            utc("2026-12-28T07:00:00Z")
        );
    }

    #[test]
    fn weekends_are_allowed_when_business_days_are_not_required() {
        let mut s = settings();
        s.business_days_only = false;
        let from = utc("2026-01-16T18:00:00Z"); // Friday 19:00 Berlin
        assert_eq!(
            next_sending_instant(from, Berlin, &s),
            utc("2026-01-17T07:00:00Z")
        );
    }

    #[test]
    fn pacer_keeps_the_minimum_spacing_from_past_and_planned_sends() {
        let pacer = MailboxPacer::new(50, 600).unwrap();
        let sends = [utc("2026-01-12T09:00:00Z"), utc("2026-01-12T09:12:00Z")];
        // 09:05 is too close to 09:00; 09:10 too close to 09:12; 09:22 is free.
        assert_eq!(
            pacer.next_slot(utc("2026-01-12T09:05:00Z"), Berlin, &sends),
            utc("2026-01-12T09:22:00Z")
        );
        assert_eq!(
            pacer.next_slot(utc("2026-01-12T10:00:00Z"), Berlin, &sends),
            utc("2026-01-12T10:00:00Z")
        );
    }

    #[test]
    fn pacer_moves_to_the_mailboxs_next_day_when_the_cap_is_reached() {
        let pacer = MailboxPacer::new(2, 0).unwrap();
        let sends = [utc("2026-01-12T08:00:00Z"), utc("2026-01-12T09:00:00Z")];
        // Berlin midnight after Monday 12 January is 23:00Z.
        assert_eq!(
            pacer.next_slot(utc("2026-01-12T10:00:00Z"), Berlin, &sends),
            utc("2026-01-12T23:00:00Z")
        );
    }

    #[test]
    fn pacer_refuses_a_zero_cap() {
        assert_eq!(MailboxPacer::new(0, 60).unwrap_err().field, "daily_cap");
    }

    #[test]
    fn plan_send_honours_both_cap_and_recipient_window() {
        let pacer = MailboxPacer::new(1, 0).unwrap();
        let sends = [utc("2026-01-12T08:00:00Z")];
        // The mailbox is full on Monday; Tuesday starts at midnight but the recipient's window opens at 08:00.
        let at = plan_send(
            utc("2026-01-12T10:00:00Z"),
            Berlin,
            &settings(),
            &pacer,
            Berlin,
            &sends,
        );
        assert_eq!(at, utc("2026-01-13T07:00:00Z"));
    }
}
