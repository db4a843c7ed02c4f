//! A report's period: a date range within limits, and the grain it is grouped by.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest range a report covers: five years (1,827 days counting a leap day or two).
pub const MAX_RANGE_DAYS: i64 = 5 * 365 + 2;

/// An inclusive range of UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
}

impl DateRange {
    /// A range from `from` to `to`, refusing one that ends before it starts or spans more than
    /// five years.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, Invalid> {
        if to < from {
            return Err(Invalid::new(
                "to",
                "range_reversed",
                format!("the range ends ({to}) before it starts ({from})"),
            ));
        }
        if (to - from).num_days() + 1 > MAX_RANGE_DAYS {
            return Err(Invalid::new(
                "to",
                "range_too_long",
                format!(
                    "a report covers at most 5 years ({MAX_RANGE_DAYS} days); this range has {} days",
                    (to - from).num_days() + 1
                ),
            ));
        }
        Ok(DateRange { from, to })
    }

    /// Parses `from`/`to` query values (`YYYY-MM-DD`), naming the bad field.
    pub fn parse(from: &str, to: &str) -> Result<DateRange, Invalid> {
        let day = |field: &str, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    field,
                    "invalid_date",
                    format!("'{}' is not a date like 2026-01-31", raw.trim()),
                )
            })
        };
        DateRange::new(day("from", from)?, day("to", to)?)
    }

    /// The `days` days ending on `to`.
    pub fn last_days(to: NaiveDate, days: i64) -> DateRange {
        DateRange {
            from: to - Duration::days(days.max(1) - 1),
            to,
        }
    }

    /// How many days it spans.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// How a report groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// One bucket per day.
    Day,
    /// Weeks starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

impl Grain {
    /// Parses `day`, `week` or `month`.
    pub fn parse(raw: &str) -> Result<Grain, Invalid> {
        match raw.trim() {
            "day" => Ok(Grain::Day),
            "week" => Ok(Grain::Week),
            "month" => Ok(Grain::Month),
            other => Err(Invalid::unknown_value("grain", other, &["day", "week", "month"])),
        }
    }

    /// The grain that keeps a chart of `range` readable: days up to two months, then weeks up to
    /// a year, then months.
    pub fn for_range(range: &DateRange) -> Grain {
        match range.days() {
            ..=62 => Grain::Day,
            63..=366 => Grain::Week,
            _ => Grain::Month,
        }
    }

    /// The first day of the bucket `day` falls in.
    pub fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day,
            Grain::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Grain::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_reversed_or_over_long_range_is_refused_with_the_limit() {
        let e = DateRange::parse("2026-02-01", "2026-01-01").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("to", "range_reversed"));
        let e = DateRange::new(d("2020-01-01"), d("2026-01-01")).unwrap_err();
        assert_eq!(e.code, "range_too_long");
        assert!(e.message.contains("5 years"), "{}", e.message);
        assert!(DateRange::new(d("2021-01-01"), d("2025-12-31")).is_ok());
        assert_eq!(
            DateRange::parse("yesterday", "2026-01-01").unwrap_err().field,
            "from"
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(Grain::Week.bucket(d("2026-11-25")), d("2026-11-23"));
        assert_eq!(Grain::Month.bucket(d("2026-11-25")), d("2026-11-01"));
        assert_eq!(
            Grain::for_range(&DateRange::last_days(d("2026-11-25"), 30)),
            Grain::Day
        );
    }
}
