//! The team lead's numbers, each defined once here (and described in `docs/metrics.md`): what an
//! activity, a status change, an opportunity or a hand-off adds to a rep's day, how days add up
//! to weeks and months, the rates derived from the counters, the funnel, ramp targets and the
//! limits on a report's date range. The store keeps the day rollups; nothing else decides what
//! counts.

mod counts;
mod funnel;
mod ramp;
mod range;
mod sequence_steps;

pub use counts::{Counts, activity_counts, ratio, stage_change_counts};
pub use funnel::{ExitCategory, FUNNEL, FunnelStep, StatusMetric, percentile, status_change_metrics};
pub use ramp::{Attainment, RampTargets, Targets, ramp_month, working_days};
pub use range::{DateRange, Grain, MAX_RANGE_DAYS};
pub use sequence_steps::{StepCounts, is_failed_step, step_counts};
