//! Prospector's domain, free of IO: values are parsed once into types, rules are plain functions,
//! and time is always passed in.

pub mod email;
pub mod error;
pub mod ids;
pub mod role;

pub mod hiring;
pub mod import;
pub mod inbound;
pub mod markdown;
pub mod matching;
pub mod metrics;
pub mod records;
pub mod schedule;
pub mod sequence;
pub mod template;

pub use error::Invalid;
