//! The records of a sales-development team — people (leads and contacts), accounts, opportunities,
//! activities and tasks — as pure types and rules. Storage, permissions and HTTP live elsewhere;
//! this module only says what a valid record is and which changes are allowed.

#[macro_use]
mod coded;

pub mod account;
pub mod activity;
pub mod domain;
pub mod geo;
pub mod lifecycle;
pub mod opportunity;
pub mod person;
pub mod phone;
pub mod qualification;
pub mod reasons;
pub mod research;
pub mod task;
pub mod transition;

pub use account::{ProspectingStatus, Segment, segment_for_hierarchy};
pub use activity::{
    ActivityDetail, ActivityId, ActivityKind, CallDisposition, DispositionList, EmailDirection, NewActivity,
};
pub use domain::Domain;
pub use geo::{Country, Region, parse_time_zone};
pub use lifecycle::{LeadStatus, MqlHistory, Transition, qualify, transition};
pub use opportunity::{OpportunityStage, StageChange, change_stage};
pub use person::{CustomFields, NewPerson, RawPerson};
pub use phone::Phone;
pub use qualification::{Criterion, Evaluation, Framework};
pub use reasons::{Reason, ReasonCatalog};
pub use research::{AccountResearch, Completeness, ResearchField, TechStackCategory, TechStackEntry};
pub use task::{NewTask, TaskPriority, TaskStatus};
pub use transition::TransitionError;
