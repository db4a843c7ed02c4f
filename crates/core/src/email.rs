//! Email addresses, parsed once. An `Email` is trimmed, has one `@`, a plausible local part and a
//! domain with a dot, and is stored lower-cased so lookups and uniqueness ignore case.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest address RFC 5321 allows on the wire.
const MAX_LEN: usize = 254;

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses `raw`, reporting problems under `field`.
    pub fn parse_field(field: &str, raw: &str) -> Result<Email, Invalid> {
        let value = raw.trim();
        let bad = |why: &str| {
            Invalid::new(
                field,
                "invalid_email",
                format!("'{value}' is not a valid email address: {why}"),
            )
        };
        if value.is_empty() {
            return Err(Invalid::required(field));
        }
        if value.len() > MAX_LEN {
            return Err(bad("it is longer than 254 characters"));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(bad("it has no @"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before @ must be 1 to 64 characters"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("the part before @ has a misplaced dot"));
        }
        let local_ok = local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c) || !c.is_ascii());
        if !local_ok {
            return Err(bad("the part before @ has a character that is not allowed"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(bad("the domain is not valid"));
        }
        Ok(Email(value.to_lowercase()))
    }

    /// Parses `raw` reported under the field `email`.
    pub fn parse(raw: &str) -> Result<Email, Invalid> {
        Self::parse_field("email", raw)
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_field() {
        for raw in [
            "",
            "plain",
            "@example.com",
            "a@b",
            "a..b@example.com",
            "a@-x.com",
            "a b@example.com",
        ] {
            let err = Email::parse_field("work_email", raw).unwrap_err();
            assert_eq!(err.field, "work_email", "{raw}");
        }
    }
}
