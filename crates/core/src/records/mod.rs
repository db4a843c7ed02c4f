//! The records of a sales-development team — people (leads and contacts), accounts, opportunities,
//! activities and tasks — as pure types and rules. Storage, permissions and HTTP live elsewhere;
//! this module only says what a valid record is and which changes are allowed.

#[macro_use]
mod coded;

pub mod account;
pub mod domain;
pub mod geo;
pub mod lifecycle;
pub mod phone;
pub mod qualification;
pub mod reasons;
pub mod research;
pub mod transition;

pub use account::{ProspectingStatus, Segment, segment_for_hierarchy};
pub use domain::Domain;
pub use geo::{Country, Region, parse_time_zone};
pub use lifecycle::{LeadStatus, MqlHistory, Transition};
pub use phone::Phone;
pub use qualification::{Criterion, Evaluation, Framework};
pub use reasons::{Reason, ReasonCatalog};
pub use research::{AccountResearch, Completeness, ResearchField, TechStackCategory, TechStackEntry};
pub use transition::TransitionError;
