//! The lead funnel (Inquiry → MQL → Accepted → Qualifying → Qualified → SAO), exit reasons and
//! time in each status, as day counters derived from status changes.

use serde::{Deserialize, Serialize};

/// One step of the funnel: the status code whose entries are counted, or `sao` for accepted
/// hand-offs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FunnelStep {
    /// The status code (`mql`) or `sao`.
    pub code: &'static str,
    /// The label shown on the funnel chart.
    pub label: &'static str,
}

/// The funnel in order. A step's conversion is its entries over the previous step's entries in
/// the same period (a cohort-free "flow" funnel: cheap to keep and honest about what it is).
pub const FUNNEL: [FunnelStep; 6] = [
    FunnelStep {
        code: "inquiry",
        label: "Inquiry",
    },
    FunnelStep {
        code: "mql",
        label: "MQL",
    },
    FunnelStep {
        code: "accepted",
        label: "Accepted",
    },
    FunnelStep {
        code: "qualifying",
        label: "Qualifying",
    },
    FunnelStep {
        code: "qualified",
        label: "Qualified",
    },
    FunnelStep {
        code: "sao",
        label: "SAO",
    },
];

/// The statuses a lead leaves the funnel through, whose reasons the team lead reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitCategory {
    /// Not a fit.
    Disqualified,
    /// Not now.
    Recycle,
    /// Unreachable or junk.
    BadData,
}

impl ExitCategory {
    /// Every category, in the order pages show them.
    pub const ALL: [ExitCategory; 3] = [
        ExitCategory::Disqualified,
        ExitCategory::Recycle,
        ExitCategory::BadData,
    ];

    /// The status code.
    pub fn code(self) -> &'static str {
        match self {
            ExitCategory::Disqualified => "disqualified",
            ExitCategory::Recycle => "recycle",
            ExitCategory::BadData => "bad_data",
        }
    }

    /// The category of status `code`, if it is an exit.
    pub fn of(code: &str) -> Option<ExitCategory> {
        ExitCategory::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// One lifecycle counter a status change adds to its day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusMetric {
    /// `entered:<status>`, `exit:<status>:<reason>` or `time_in:<status>`.
    pub metric: String,
    /// 1 for entries and exits; seconds spent for `time_in`.
    pub value: i64,
    /// How many events the value sums (1 per change).
    pub events: i64,
}

/// What a change from `from` to `to` (with an exit `reason`) adds: an entry into `to`, an exit
/// by reason when `to` is an exit status, and the time spent in `from` when it is known.
pub fn status_change_metrics(
    from: &str,
    to: &str,
    reason: Option<&str>,
    seconds_in_from: Option<i64>,
) -> Vec<StatusMetric> {
    let one = |metric: String| StatusMetric {
        metric,
        value: 1,
        events: 1,
    };
    let mut out = vec![one(format!("entered:{to}"))];
    if let Some(exit) = ExitCategory::of(to) {
        let reason = reason.filter(|r| !r.is_empty()).unwrap_or("unspecified");
        out.push(one(format!("exit:{}:{reason}", exit.code())));
    }
    if let Some(seconds) = seconds_in_from {
        out.push(StatusMetric {
            metric: format!("time_in:{from}"),
            value: seconds.max(0),
            events: 1,
        });
    }
    out
}

/// The `p`-th percentile (0–100) of `values` by nearest rank, `None` when empty. Speed to lead
/// reports the median (50) and p90.
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let rank = (u64::from(p.min(100)) * n as u64).div_ceil(100).max(1) as usize;
    Some(values[rank.min(n) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_records_the_entry_the_reason_and_time_in_the_previous_status() {
        let m = status_change_metrics("qualifying", "recycle", Some("no_budget"), Some(3600));
        let names: Vec<&str> = m.iter().map(|m| m.metric.as_str()).collect();
        assert_eq!(
            names,
            ["entered:recycle", "exit:recycle:no_budget", "time_in:qualifying"]
        );
        assert_eq!(m[2].value, 3600);
        let plain = status_change_metrics("raw", "inquiry", None, None);
        assert_eq!(plain.len(), 1);
        let unexplained = status_change_metrics("mql", "bad_data", None, None);
        assert_eq!(unexplained[1].metric, "exit:bad_data:unspecified");
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut v = vec![50, 10, 40, 20, 30];
        assert_eq!(percentile(&mut v, 50), Some(30));
        assert_eq!(percentile(&mut v, 90), Some(50));
        let mut ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&mut ten, 90), Some(9));
        assert_eq!(percentile(&mut [], 50), None);
    }
}
