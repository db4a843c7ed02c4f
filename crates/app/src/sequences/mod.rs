//! The outbound engine: templates, sequences, enrollments, the sweep that carries out due steps,
//! the inbound signals that end or pause enrollments, and each rep's Today work queue.
//!
//! Core decides (`core::sequence`: eligibility, the enrollment state machine, schedules and
//! pacing); this module loads, applies the decided effects in one transaction and stores.

pub mod definitions;
mod engine;
pub mod enroll;
pub mod opens;
pub mod signals;
mod step_tasks;
pub mod sweep;
mod sweep_facts;
mod sweep_writes;
pub mod templates;
pub mod today;

use std::sync::Arc;

use crate::outbox::Worker;

/// The outbox kind of the recurring sweep.
pub const SEQUENCE_SWEEP: &str = "sequence.sweep";

/// Registers the outbound handlers on `worker`.
pub fn register_handlers(worker: Worker) -> Worker {
    worker.with_handler(SEQUENCE_SWEEP, Arc::new(sweep::SweepHandler))
}
