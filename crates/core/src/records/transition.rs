//! The one error a state change can return, shared by the lead lifecycle and opportunity stages,
//! so the web layer maps it to HTTP in one place: an illegal move is a conflict with the record's
//! current state (409), a missing or unknown reason is bad input (422).

use std::fmt;

use crate::Invalid;

/// Why a status or stage change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError<S> {
    /// The move is not allowed from the current state (HTTP 409). `allowed` lists the states
    /// that may follow `from`, so the message can say what would work.
    Illegal {
        /// The current state.
        from: S,
        /// The state asked for.
        to: S,
        /// Every state that may follow `from` by a manual move.
        allowed: Vec<S>,
    },
    /// The move is allowed but its input is not: a reason missing, unknown or not applicable,
    /// or a qualification not satisfied (HTTP 422).
    Invalid(Invalid),
}

impl<S> TransitionError<S> {
    /// Whether this is a conflict with the record's state (409) rather than bad input (422).
    pub fn is_conflict(&self) -> bool {
        matches!(self, TransitionError::Illegal { .. })
    }

    /// The stable machine code for the API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Illegal { .. } => "illegal_transition",
            TransitionError::Invalid(invalid) => invalid.code,
        }
    }
}

impl<S> From<Invalid> for TransitionError<S> {
    fn from(value: Invalid) -> Self {
        TransitionError::Invalid(value)
    }
}

impl<S: fmt::Display> fmt::Display for TransitionError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionError::Illegal { from, to, allowed } if allowed.is_empty() => {
                write!(f, "cannot move from {from} to {to}: nothing may follow {from}")
            }
            TransitionError::Illegal { from, to, allowed } => {
                let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "cannot move from {from} to {to}: allowed from {from} are {}",
                    allowed.join(", ")
                )
            }
            TransitionError::Invalid(invalid) => invalid.fmt(f),
        }
    }
}

impl<S: fmt::Debug + fmt::Display> std::error::Error for TransitionError<S> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_move_message_lists_what_may_follow() {
        let err = TransitionError::Illegal {
            from: "mql",
            to: "raw",
            allowed: vec!["accepted", "recycle"],
        };
        assert!(err.is_conflict());
        assert_eq!(
            err.to_string(),
            "cannot move from mql to raw: allowed from mql are accepted, recycle"
        );
    }

    #[test]
    fn bad_input_is_not_a_conflict() {
        let err: TransitionError<&str> = Invalid::required("reason").into();
        assert!(!err.is_conflict());
        assert_eq!(err.code(), "required");
    }
}
