//! The hiring pipeline's rules: job pages, their stages, a candidate's application, the questionnaire,
//! blind scorecards, résumé files, offers with their approval chain, signed candidate links and retention.

pub mod application;
pub mod conflict;
pub mod job_page;
pub mod offer;
pub mod privacy;
pub mod questionnaire;
pub mod resume;
pub mod scorecard;
pub mod signed_link;
pub mod stages;
pub mod time_zone;

pub use application::{Application, ApplicationStatus, Decline, DeclineEmail, DeclineReason};
pub use conflict::{Conflict, HiringError};
pub use job_page::{JobPage, JobStatus, slugify_title, unique_slug};
pub use offer::{ApprovalDecision, ApprovalStep, DEFAULT_APPROVAL_CHAIN, Offer, OfferStatus};
pub use privacy::{ANONYMISED_FIELDS, AnonymisedField, RetentionPolicy};
pub use questionnaire::{Question, Questionnaire};
pub use resume::{MAX_RESUME_BYTES, ResumeKind, sniff_resume};
pub use scorecard::{
    AttributeRating, Recommendation, Scorecard, ScorecardInput, attributes_for, may_see_other_scorecards,
};
pub use signed_link::{LinkError, SigningKey, sign, verify};
pub use stages::{Stage, StageKind, default_stages, stages_for};
pub use time_zone::{clock_in_zone, format_in_zone, parse_time_zone};
