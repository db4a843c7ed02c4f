//! Inbound leads: scoring what people do and who they are, and routing each new lead to an owner
//! with a recorded reason.

pub mod forms;
pub mod free_mail;
pub mod routing;
pub mod scoring;

pub use forms::{FormField, FormInput, FormSpec, HONEYPOT_FIELD, Submitted, read_submission, validate_form};
pub use free_mail::is_business_email;
pub use routing::{
    LeadFacts, Region, Rep, RoundRobinState, RoutingDecision, RoutingRule, Segment, SkipReason, SkippedRep,
    route, validate_rules,
};
pub use scoring::{
    Behaviour, BehaviourRule, DemographicCondition, DemographicRule, InboundEvent, PersonFacts, Score,
    ScoreLine, ScoringRules, score,
};
