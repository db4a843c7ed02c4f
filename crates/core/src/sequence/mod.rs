//! Sequences: ordered touches (emails, calls, LinkedIn, tasks) on set days after enrollment, the
//! rules for when each becomes due in the recipient's local time, the enrollment state machine with
//! the lead moves it triggers, and how inbound mail is read for it.

pub mod default_cadence;
pub mod definition;
pub mod schedule;
pub mod step;
