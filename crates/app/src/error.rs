//! One error type for every use case; the web layer maps it to a status code in one place.

use prospector_core::Invalid;
use prospector_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that does not make sense (422), naming the field.
    #[error("{0}")]
    Invalid(Invalid),
    /// Input that could not be read at all (400).
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What was wrong.
        message: String,
    },
    /// No valid credentials (401). The message never says whether the account exists.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or one the actor may not know exists (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with the current state (409).
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `email_taken`, `stale_version`.
        code: &'static str,
        /// What clashed.
        message: String,
        /// The field concerned, if one.
        field: Option<String>,
    },
    /// Too many attempts (429); try again after this many seconds.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The database is not answering (503).
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours (500); the message is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias for use cases.
pub type AppResult<T> = Result<T, AppError>;

impl From<Invalid> for AppError {
    fn from(value: Invalid) -> Self {
        AppError::Invalid(value)
    }
}

impl From<StoreError> for AppError {
    fn from(value: StoreError) -> Self {
        match value {
            StoreError::NotFound => AppError::NotFound("record".into()),
            StoreError::Conflict { constraint } => AppError::Conflict {
                code: "conflict",
                message: format!("conflicts with an existing record ({constraint})"),
                field: None,
            },
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    /// A 409 about one field.
    pub fn conflict(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}
