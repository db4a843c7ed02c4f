//! Refusals that are not bad input but a move the current state does not allow — the API's 409.

use std::fmt;

use crate::Invalid;

/// A move the current state does not allow (moving an application backwards, acting on a closed job,
/// approving out of turn). The API answers 409 with `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// A stable machine code such as `stage_not_forward` or `job_closed`.
    pub code: &'static str,
    /// A sentence saying what the state is and why the move is refused.
    pub message: String,
}

impl Conflict {
    /// A conflict with a stable `code` and a human `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Conflict {}

/// Either bad input (422) or a move the state does not allow (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HiringError {
    /// The input was refused.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The move is not allowed from the current state.
    #[error(transparent)]
    Conflict(#[from] Conflict),
}

impl HiringError {
    /// The stable code of either kind, for tests and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(invalid) => invalid.code,
            Self::Conflict(conflict) => conflict.code,
        }
    }
}
