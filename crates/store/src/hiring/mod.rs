//! Hiring storage: jobs, candidates and their applications, résumés, interviews and scorecards,
//! offers, the figures reports are computed from, and the server settings the offer links are
//! signed with. Ids are plain UUIDv7s; the domain rules live in `prospector_core::hiring`.

pub mod applications;
pub mod interviews;
pub mod jobs;
pub mod offers;
pub mod redact;
pub mod settings;

use crate::error::StoreError;

/// A decode error for a column whose stored text is not one of the codes we write.
pub(crate) fn bad_code(column: &str, value: &str) -> StoreError {
    StoreError::Decode {
        column: column.to_owned(),
        message: format!("unknown code '{value}'"),
    }
}

/// Reads a JSON column into a serde type.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    value: serde_json::Value,
) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Decode {
        column: column.to_owned(),
        message: e.to_string(),
    })
}
