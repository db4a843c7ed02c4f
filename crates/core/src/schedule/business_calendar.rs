//! Business-time arithmetic: which instants a team is at work, and how many working minutes lie
//! between two instants. SLA clocks and sending windows are measured in these minutes, so a lead that
//! arrives on Friday evening is not "late" by Monday morning.
//!
//! Working hours are wall-clock times in the calendar's time zone. Business minutes are *real*
//! elapsed minutes inside opening windows, so on a DST change a window of 00:00–05:00 lasts four or
//! six hours, and adding then measuring always round-trips.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::Invalid;

/// One day's opening window, in wall-clock time. An `end` of 00:00 means midnight at the end of the
/// day, so a 24-hour desk can be described; windows that cross midnight are not supported (describe
/// them as two days' windows instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl WorkingHours {
    /// A window from `start` to `end` (exclusive); refuses an empty or inverted window.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, Invalid> {
        let ends_at_midnight = end == NaiveTime::MIN;
        if !ends_at_midnight && end <= start {
            return Err(Invalid::new(
                "working_hours",
                "invalid_working_hours",
                format!("working hours must end after they start (got {start}–{end})"),
            ));
        }
        Ok(Self { start, end })
    }

    /// The window from `start_hour`:00 to `end_hour`:00; refuses hours past 24 like [`WorkingHours::new`].
    pub fn hours(start_hour: u32, end_hour: u32) -> Result<Self, Invalid> {
        let time = |hour: u32| {
            NaiveTime::from_hms_opt(hour % 24, 0, 0)
                .filter(|_| hour <= 24)
                .ok_or_else(|| {
                    Invalid::new(
                        "working_hours",
                        "invalid_working_hours",
                        format!("{hour} is not an hour of the day"),
                    )
                })
        };
        Self::new(time(start_hour)?, time(end_hour)?)
    }

    /// When the window opens.
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// When the window closes (00:00 meaning the following midnight).
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// The window's nominal length in minutes, ignoring any DST change on a particular date.
    pub fn nominal_minutes(&self) -> i64 {
        let end = if self.end == NaiveTime::MIN {
            24 * 60
        } else {
            minutes_of_day(self.end)
        };
        end - minutes_of_day(self.start)
    }
}

fn minutes_of_day(time: NaiveTime) -> i64 {
    (time - NaiveTime::MIN).num_minutes()
}

/// When a team works: a time zone, an optional window per weekday (Monday first) and holidays on
/// which nobody works.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    time_zone: Tz,
    week: [Option<WorkingHours>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// A calendar with `week[0]` for Monday … `week[6]` for Sunday. Refuses a week with no working
    /// day, because business time would then never advance.
    pub fn new(
        time_zone: Tz,
        week: [Option<WorkingHours>; 7],
        holidays: BTreeSet<NaiveDate>,
    ) -> Result<Self, Invalid> {
        if week.iter().all(Option::is_none) {
            return Err(Invalid::new(
                "working_hours",
                "no_working_days",
                "a business calendar needs working hours on at least one weekday",
            ));
        }
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    /// Monday to Friday, 09:00–17:00 in `time_zone`, no holidays: the default for a new team.
    pub fn office_hours(time_zone: Tz) -> Self {
        let day = WorkingHours::hours(9, 17).ok();
        Self {
            time_zone,
            week: [day, day, day, day, day, None, None],
            holidays: BTreeSet::new(),
        }
    }

    /// The same calendar with `holidays` added.
    pub fn with_holidays(mut self, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(holidays);
        self
    }

    /// Parses an IANA time-zone name such as `Europe/Berlin`, refusing unknown names under `field`.
    pub fn parse_time_zone(field: &str, raw: &str) -> Result<Tz, Invalid> {
        Tz::from_str(raw.trim()).map_err(|_| {
            Invalid::new(
                field,
                "unknown_time_zone",
                format!("unknown time zone '{raw}': use an IANA name such as Europe/Berlin"),
            )
        })
    }

    /// The zone in which working hours and holidays are read.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The window for `weekday`, if that day is worked.
    pub fn working_hours(&self, weekday: chrono::Weekday) -> Option<WorkingHours> {
        self.week[weekday.num_days_from_monday() as usize]
    }

    /// The dates nobody works.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// The length of one business day in minutes: the longest configured window. SLAs written in
    /// business days ("answer contact-us within one business day") are measured as this many minutes.
    pub fn business_day_minutes(&self) -> i64 {
        self.week
            .iter()
            .flatten()
            .map(WorkingHours::nominal_minutes)
            .max()
            .unwrap_or(0)
    }

    /// Whether the team is at work at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.windows_from(at).next().is_some_and(|(open, _)| open <= at)
    }

    /// The first instant at or after `at` when the team is at work (`at` itself when open).
    pub fn next_open(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        match self.windows_from(at).next() {
            Some((open, _)) => open.max(at),
            None => at,
        }
    }

    /// The instant `minutes` business minutes after `start`. A start outside working hours counts from
    /// the next opening; a deadline that uses up a window exactly falls on its closing time, not on the
    /// next morning. Non-positive `minutes` give [`BusinessCalendar::next_open`]`(start)`.
    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut remaining = Duration::minutes(minutes.max(0));
        let mut last_close = start;
        for (open, close) in self.windows_from(start) {
            let from = open.max(start);
            let available = close - from;
            if remaining <= available {
                return from + remaining;
            }
            remaining -= available;
            last_close = close;
        }
        // Only reachable at the end of chrono's calendar; there is no later instant to give.
        last_close
    }

    /// Business minutes from `a` to `b`, rounded towards zero; negative when `b` is before `a`.
    pub fn business_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b < a {
            return -self.business_minutes_between(b, a);
        }
        let mut total = Duration::zero();
        for (open, close) in self.windows_from(a) {
            if open >= b {
                break;
            }
            total += close.min(b) - open.max(a);
        }
        total.num_minutes()
    }

    /// The opening windows, as UTC instants, that end after `at`, in order; empty windows (a window
    /// swallowed by a DST gap) are left out.
    fn windows_from(&self, at: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        // Start a day early: with a far-off zone or a fall-back hour, yesterday's local window can
        // still be open at `at`.
        let first_day = at.with_timezone(&self.time_zone).date_naive().pred_opt();
        let days = std::iter::successors(first_day, |day| day.succ_opt());
        days.filter_map(move |day| self.window_on(day))
            .filter(move |(_, close)| *close > at)
    }

    fn window_on(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&day) {
            return None;
        }
        let hours = self.working_hours(day.weekday())?;
        let open = self.to_utc(day.and_time(hours.start));
        let close = if hours.end == NaiveTime::MIN {
            self.to_utc(day.succ_opt()?.and_time(NaiveTime::MIN))
        } else {
            self.to_utc(day.and_time(hours.end))
        };
        (open < close).then_some((open, close))
    }

    /// Reads a wall-clock time in the calendar's zone. A time shown twice (autumn) means its first
    /// occurrence; a time skipped (spring) is read with the offset in force before the gap, landing
    /// as far past the gap as it was into it — as java.time and Temporal do.
    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
            LocalResult::None => {
                let before = self
                    .time_zone
                    .offset_from_utc_datetime(&(local - Duration::days(1)))
                    .fix();
                Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before.local_minus_utc()))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;
    use proptest::prelude::*;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_week_without_working_days_is_refused() {
        let err = BusinessCalendar::new(Berlin, [None; 7], BTreeSet::new()).unwrap_err();
        assert_eq!(err.code, "no_working_days");
    }

    #[test]
    fn inverted_working_hours_are_refused_but_midnight_end_is_allowed() {
        assert_eq!(
            WorkingHours::hours(17, 9).unwrap_err().code,
            "invalid_working_hours"
        );
        assert_eq!(
            WorkingHours::hours(25, 26).unwrap_err().code,
            "invalid_working_hours"
        );
        assert_eq!(WorkingHours::hours(0, 24).unwrap().nominal_minutes(), 24 * 60);
    }

    #[test]
    fn adding_within_a_day_stays_on_that_day() {
        let cal = BusinessCalendar::office_hours(Berlin);
        // Tuesday 10:00 Berlin + 60 → 11:00.
        assert_eq!(
            cal.add_business_minutes(berlin(2026, 3, 3, 10, 0), 60),
            berlin(2026, 3, 3, 11, 0)
        );
    }

    #[test]
    fn a_friday_evening_start_counts_from_monday_morning() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let friday_evening = berlin(2026, 3, 6, 18, 30);
        assert!(!cal.is_open(friday_evening));
        assert_eq!(cal.next_open(friday_evening), berlin(2026, 3, 9, 9, 0));
        assert_eq!(
            cal.add_business_minutes(friday_evening, 60),
            berlin(2026, 3, 9, 10, 0)
        );
    }

    #[test]
    fn minutes_spill_over_closing_time_into_the_next_working_day() {
        let cal = BusinessCalendar::office_hours(Berlin);
        // Friday 16:30 + 60 → 30 minutes Friday, 30 minutes Monday.
        assert_eq!(
            cal.add_business_minutes(berlin(2026, 3, 6, 16, 30), 60),
            berlin(2026, 3, 9, 9, 30)
        );
    }

    #[test]
    fn a_deadline_that_fills_the_day_lands_on_closing_time() {
        let cal = BusinessCalendar::office_hours(Berlin);
        assert_eq!(
            cal.add_business_minutes(berlin(2026, 3, 3, 9, 0), 480),
            berlin(2026, 3, 3, 17, 0)
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // Good Friday and Easter Monday 2026.
        let cal = BusinessCalendar::office_hours(Berlin).with_holidays([date(2026, 4, 3), date(2026, 4, 6)]);
        assert!(!cal.is_open(berlin(2026, 4, 3, 10, 0)));
        assert_eq!(
            cal.add_business_minutes(berlin(2026, 4, 2, 16, 0), 120),
            berlin(2026, 4, 7, 10, 0)
        );
        assert_eq!(
            cal.business_minutes_between(berlin(2026, 4, 2, 16, 0), berlin(2026, 4, 7, 10, 0)),
            120
        );
    }

    #[test]
    fn working_hours_follow_the_wall_clock_across_spring_forward() {
        let cal = BusinessCalendar::office_hours(Berlin);
        // Berlin moves from UTC+1 to UTC+2 on Sunday 2026-03-29: 09:00 is 08:00Z before, 07:00Z after.
        assert_eq!(cal.next_open(utc(2026, 3, 27, 17, 0)), utc(2026, 3, 30, 7, 0));
        assert!(cal.is_open(utc(2026, 3, 27, 8, 0)));
        assert!(!cal.is_open(utc(2026, 3, 30, 6, 30)));
        assert_eq!(
            cal.business_minutes_between(utc(2026, 3, 27, 8, 0), utc(2026, 3, 30, 7, 0)),
            480
        );
    }

    #[test]
    fn a_window_across_a_dst_change_counts_real_minutes() {
        // A 00:00–06:00 Sunday desk in New York loses an hour on 2026-03-08 and gains one on 2026-11-01.
        let night = WorkingHours::hours(0, 6).ok();
        let mut week = [None; 7];
        week[Weekday::Sun.num_days_from_monday() as usize] = night;
        let cal = BusinessCalendar::new(New_York, week, BTreeSet::new()).unwrap();
        let spring = New_York
            .with_ymd_and_hms(2026, 3, 8, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let autumn = New_York
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            cal.business_minutes_between(spring, spring + Duration::days(1)),
            5 * 60
        );
        assert_eq!(
            cal.business_minutes_between(autumn, autumn + Duration::days(1)),
            7 * 60
        );
    }

    #[test]
    fn an_opening_inside_the_spring_gap_is_read_past_the_gap() {
        // 02:30 does not exist in New York on 2026-03-08; it is read as 03:30 EDT (07:30Z).
        let mut week = [None; 7];
        week[Weekday::Sun.num_days_from_monday() as usize] = WorkingHours::new(
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            NaiveTime::from_hms_opt(5, 0, 0).unwrap(),
        )
        .ok();
        let cal = BusinessCalendar::new(New_York, week, BTreeSet::new()).unwrap();
        assert_eq!(cal.next_open(utc(2026, 3, 8, 0, 0)), utc(2026, 3, 8, 7, 30));
    }

    #[test]
    fn measuring_backwards_is_negative() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let a = berlin(2026, 3, 3, 10, 0);
        let b = berlin(2026, 3, 4, 10, 0);
        assert_eq!(cal.business_minutes_between(a, b), 480);
        assert_eq!(cal.business_minutes_between(b, a), -480);
    }

    #[test]
    fn starting_inside_hours_with_seconds_still_round_trips() {
        let cal = BusinessCalendar::office_hours(Berlin);
        let start = berlin(2026, 3, 3, 16, 59) + Duration::seconds(42);
        let end = cal.add_business_minutes(start, 3);
        assert_eq!(end, berlin(2026, 3, 4, 9, 2) + Duration::seconds(42));
        assert_eq!(cal.business_minutes_between(start, end), 3);
    }

    #[test]
    fn unknown_time_zone_names_are_refused() {
        assert_eq!(
            BusinessCalendar::parse_time_zone("time_zone", "Europe/Berlin").unwrap(),
            Berlin
        );
        assert_eq!(
            BusinessCalendar::parse_time_zone("time_zone", "Mars/Olympus")
                .unwrap_err()
                .code,
            "unknown_time_zone"
        );
    }

    fn any_calendar() -> impl Strategy<Value = BusinessCalendar> {
        let zones = prop::sample::select(vec![
            Berlin,
            New_York,
            chrono_tz::Australia::Sydney,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::Sao_Paulo,
            chrono_tz::Europe::London,
        ]);
        let day = prop::option::weighted(0.7, (0u32..23, 1u32..=24)).prop_map(|hours| {
            hours.and_then(|(start, len)| WorkingHours::hours(start, (start + len).min(24)).ok())
        });
        let holidays = prop::collection::btree_set(
            (0i64..800).prop_map(|d| date(2025, 10, 1) + Duration::days(d)),
            0..40,
        );
        (zones, prop::array::uniform7(day), holidays)
            .prop_filter_map("needs a working day", |(tz, week, holidays)| {
                BusinessCalendar::new(tz, week, holidays).ok()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn adding_then_measuring_round_trips(
            cal in any_calendar(),
            start_minute in 0i64..(700 * 24 * 60),
            minutes in 0i64..20_000,
        ) {
            // Starts sweep 2025-10 to 2027-09, covering both DST changes in every sampled zone.
            let start = utc(2025, 10, 1, 0, 0) + Duration::minutes(start_minute);
            let end = cal.add_business_minutes(start, minutes);
            prop_assert!(end >= start);
            prop_assert_eq!(cal.business_minutes_between(start, end), minutes);
            if minutes > 0 {
                // The deadline is reached while open or exactly at a closing time.
                prop_assert!(cal.is_open(end - Duration::seconds(1)));
            }
        }

        #[test]
        fn next_open_is_open_and_nothing_before_it_is(
            cal in any_calendar(),
            start_minute in 0i64..(700 * 24 * 60),
        ) {
            let at = utc(2025, 10, 1, 0, 0) + Duration::minutes(start_minute);
            let open = cal.next_open(at);
            prop_assert!(open >= at);
            prop_assert!(cal.is_open(open));
            prop_assert_eq!(cal.business_minutes_between(at, open), 0);
        }
    }
}
