//! Ramp targets: what a rep is expected to do in their first, second and third-and-later month,
//! with the handbook's defaults, and attainment against them over a period.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::Counts;
use crate::Invalid;

/// Targets for one ramp month. A target of `None` is not measured that month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Activities (calls, emails sent, LinkedIn messages, meetings) per working day.
    pub activities_per_day: Option<f64>,
    /// Connects per week.
    pub connects_per_week: Option<f64>,
    /// Meetings booked per week.
    pub meetings_per_week: Option<f64>,
    /// Opportunities created per week.
    pub opportunities_per_week: Option<f64>,
    /// Opportunities created per month.
    pub opportunities_per_month: Option<f64>,
}

/// A rep's targets for ramp months 1, 2 and 3-on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RampTargets {
    /// The first month.
    pub month1: Targets,
    /// The second month.
    pub month2: Targets,
    /// The third month and every month after.
    pub month3: Targets,
}

impl Default for RampTargets {
    /// The handbook's defaults: month 1, 40 activities a day and 1 opportunity a week; month 3
    /// on, 90 activities a day, 15 connects and 5 meetings a week and 8 opportunities a month.
    /// The handbook names no month-2 figures; month 2 is set halfway (65 a day, 8 connects,
    /// 3 meetings a week, 4 opportunities a month) until a lead edits it.
    fn default() -> Self {
        RampTargets {
            month1: Targets {
                activities_per_day: Some(40.0),
                connects_per_week: None,
                meetings_per_week: None,
                opportunities_per_week: Some(1.0),
                opportunities_per_month: None,
            },
            month2: Targets {
                activities_per_day: Some(65.0),
                connects_per_week: Some(8.0),
                meetings_per_week: Some(3.0),
                opportunities_per_week: None,
                opportunities_per_month: Some(4.0),
            },
            month3: Targets {
                activities_per_day: Some(90.0),
                connects_per_week: Some(15.0),
                meetings_per_week: Some(5.0),
                opportunities_per_week: None,
                opportunities_per_month: Some(8.0),
            },
        }
    }
}

impl RampTargets {
    /// The targets for ramp month `month` (1-based; 3 and later share the month-3 targets).
    pub fn for_month(&self, month: u32) -> &Targets {
        match month {
            0 | 1 => &self.month1,
            2 => &self.month2,
            _ => &self.month3,
        }
    }

    /// Checks edited targets: each present target is a finite number from 0 to 10,000.
    pub fn validate(&self) -> Result<(), Invalid> {
        for (name, t) in [
            ("month1", &self.month1),
            ("month2", &self.month2),
            ("month3", &self.month3),
        ] {
            let fields = [
                ("activities_per_day", t.activities_per_day),
                ("connects_per_week", t.connects_per_week),
                ("meetings_per_week", t.meetings_per_week),
                ("opportunities_per_week", t.opportunities_per_week),
                ("opportunities_per_month", t.opportunities_per_month),
            ];
            for (field, v) in fields {
                if v.is_some_and(|v| !v.is_finite() || !(0.0..=10_000.0).contains(&v)) {
                    return Err(Invalid::new(
                        format!("{name}.{field}"),
                        "out_of_range",
                        "a target is a number from 0 to 10,000",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The ramp month (1-based) a rep who started on `started` is in on `day`: month 1 until the
/// same day of the next month.
pub fn ramp_month(started: NaiveDate, day: NaiveDate) -> u32 {
    if day < started {
        return 1;
    }
    let months = (day.year() - started.year()) * 12 + day.month() as i32 - started.month() as i32;
    let months = if day.day() < started.day() {
        months - 1
    } else {
        months
    };
    u32::try_from(months.max(0)).unwrap_or(0) + 1
}

/// One target and how much of it was done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attainment {
    /// `activities`, `connects`, `meetings` or `opportunities`.
    pub metric: &'static str,
    /// What was done.
    pub actual: i64,
    /// What the target asks over the period (rounded to one decimal).
    pub target: f64,
    /// actual / target, 0 when the target is 0.
    pub ratio: f64,
}

/// Working days (Monday to Friday) from `from` to `to` inclusive.
pub fn working_days(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

impl Targets {
    /// Attainment of `done` over `from..=to`: per-day targets count working days, a week is five
    /// working days and a month 21.75 (the average).
    pub fn attainment(&self, done: &Counts, from: NaiveDate, to: NaiveDate) -> Vec<Attainment> {
        let days = working_days(from, to) as f64;
        let weeks = days / 5.0;
        let months = days / 21.75;
        let opp_target = self
            .opportunities_per_week
            .map(|w| w * weeks)
            .or(self.opportunities_per_month.map(|m| m * months));
        [
            (
                "activities",
                done.activities(),
                self.activities_per_day.map(|t| t * days),
            ),
            (
                "connects",
                done.connects,
                self.connects_per_week.map(|t| t * weeks),
            ),
            (
                "meetings",
                done.meetings,
                self.meetings_per_week.map(|t| t * weeks),
            ),
            ("opportunities", done.opportunities, opp_target),
        ]
        .into_iter()
        .filter_map(|(metric, actual, target)| {
            let target = (target? * 10.0).round() / 10.0;
            Some(Attainment {
                metric,
                actual,
                target,
                ratio: if target > 0.0 { actual as f64 / target } else { 0.0 },
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ramp_months_turn_on_the_start_day_of_the_month() {
        assert_eq!(ramp_month(d("2026-01-15"), d("2026-02-14")), 1);
        assert_eq!(ramp_month(d("2026-01-15"), d("2026-02-15")), 2);
        assert_eq!(ramp_month(d("2026-01-15"), d("2026-04-20")), 4);
        assert_eq!(RampTargets::default().for_month(4).activities_per_day, Some(90.0));
    }

    #[test]
    fn month_one_asks_forty_a_working_day_and_one_opportunity_a_week() {
        let done = Counts {
            calls: 300,
            opportunities: 1,
            ..Counts::default()
        };
        // Monday 2026-11-02 to Sunday 2026-11-15: ten working days, two weeks.
        let a = RampTargets::default()
            .month1
            .attainment(&done, d("2026-11-02"), d("2026-11-15"));
        assert_eq!(a[0].metric, "activities");
        assert_eq!(a[0].target, 400.0);
        assert!((a[0].ratio - 0.75).abs() < 1e-9);
        assert_eq!((a[1].metric, a[1].target), ("opportunities", 2.0));
    }

    #[test]
    fn a_negative_target_is_refused() {
        let mut t = RampTargets::default();
        t.month3.meetings_per_week = Some(-1.0);
        assert_eq!(t.validate().unwrap_err().field, "month3.meetings_per_week");
    }
}
