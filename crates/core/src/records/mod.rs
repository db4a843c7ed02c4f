//! The records of a sales-development team — people (leads and contacts), accounts, opportunities,
//! activities and tasks — as pure types and rules. Storage, permissions and HTTP live elsewhere;
//! this module only says what a valid record is and which changes are allowed.

#[macro_use]
mod coded;

pub mod lifecycle;
pub mod qualification;
pub mod reasons;
pub mod transition;

pub use lifecycle::{LeadStatus, MqlHistory, Transition};
pub use qualification::{Criterion, Evaluation, Framework};
pub use reasons::{Reason, ReasonCatalog};
pub use transition::TransitionError;
