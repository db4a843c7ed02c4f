//! Dashboards: the day rollups (kept up to date in the transaction of every write that changes a
//! metric), the queries that sum them, the current-state lists behind the hygiene page, and ramp
//! targets. What each write adds is decided in `core::metrics`; this module only files it under
//! its rep, team, source, segment and day.

pub mod hygiene;
pub mod ramp;
pub mod rollups;
pub mod sequences;

pub use rollups::{Dims, Filter, RollupRow, StatusRow};
