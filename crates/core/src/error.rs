//! The one validation error the domain speaks: which field, a stable code, and a sentence for people.

use std::fmt;

/// A value that was refused, naming the field it came from so the API can report
/// `{"error":{"code","message","field"}}` and a page can put the message beside the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The input field, in the API's snake_case (`email`, `role`, …).
    pub field: String,
    /// A stable machine code such as `invalid_email` or `unknown_value`.
    pub code: &'static str,
    /// A sentence that says what is wrong and, where it helps, what is allowed.
    pub message: String,
}

impl Invalid {
    /// A refusal of `field` with a stable `code` and a human `message`.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The value is not one of a closed list; the message lists what is allowed.
    pub fn unknown_value(field: impl Into<String>, given: &str, allowed: &[&str]) -> Self {
        let field = field.into();
        let message = format!(
            "unknown {field} '{given}': allowed values are {}",
            allowed.join(", ")
        );
        Self {
            field,
            code: "unknown_value",
            message,
        }
    }

    /// A required value was missing or blank.
    pub fn required(field: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field} is required");
        Self {
            field,
            code: "required",
            message,
        }
    }

    /// A value longer than the field allows.
    pub fn too_long(field: impl Into<String>, max_chars: usize) -> Self {
        let field = field.into();
        let message = format!("{field} is longer than {max_chars} characters");
        Self {
            field,
            code: "too_long",
            message,
        }
    }

    /// Returns the same refusal reported under another field name (e.g. a nested field).
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Invalid {}

/// Trims `raw` and refuses it when blank or longer than `max_chars`.
pub fn required_text(field: &str, raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Invalid::required(field));
    }
    if trimmed.chars().count() > max_chars {
        return Err(Invalid::too_long(field, max_chars));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_value_lists_what_is_allowed() {
        let err = Invalid::unknown_value("role", "king", &["admin", "sdr"]);
        assert_eq!(err.field, "role");
        assert_eq!(err.message, "unknown role 'king': allowed values are admin, sdr");
    }

    #[test]
    fn required_text_trims_and_refuses_blank_or_long() {
        assert_eq!(required_text("name", "  Ada  ", 10), Ok("Ada".to_owned()));
        assert_eq!(required_text("name", "   ", 10).unwrap_err().code, "required");
        assert_eq!(
            required_text("name", "abcdefghijk", 10).unwrap_err().code,
            "too_long"
        );
    }
}
