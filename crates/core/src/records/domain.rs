//! Company web domains, normalised so that what reps paste (`https://www.Acme.com/about`) and
//! what email addresses carry (`acme.com`) compare equal. Accounts are matched on these.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::email::{is_free_mail_domain, is_host_name};

/// A lower-case host name without scheme, `www.`, port, path or trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    /// Parses a domain, URL or email address (`acme.com`, `https://www.acme.com/x?y`,
    /// `jane@acme.com`), keeping only the host. Refuses anything that is not a host name with a
    /// dot and a non-numeric top-level label (so IP addresses and words are junk) under `field`
    /// with code `invalid_domain`.
    pub fn parse(field: &str, raw: &str) -> Result<Domain, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::required(field));
        }
        let lower = value.to_lowercase();
        let without_scheme = lower.split_once("://").map_or(lower.as_str(), |(_, rest)| rest);
        let authority = without_scheme.split(['/', '?', '#']).next().unwrap_or("");
        let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let host = host_and_port
            .split(':')
            .next()
            .unwrap_or("")
            .trim_end_matches('.');
        let host = host.strip_prefix("www.").unwrap_or(host);
        if !is_host_name(host) {
            let message = format!("'{value}' is not a web domain: give one like acme.com");
            return Err(Invalid::new(field, "invalid_domain", message));
        }
        Ok(Domain(host.to_owned()))
    }

    /// The domain as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a consumer mailbox domain (gmail.com, yahoo.co.uk, …), which must never
    /// identify or match an account.
    pub fn is_free_mail(&self) -> bool {
        is_free_mail_domain(&self.0)
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Domain {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Domain::parse("domain", &value)
    }
}

impl From<Domain> for String {
    fn from(value: Domain) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_addresses_normalise_to_the_host() {
        for raw in [
            "acme.com",
            "ACME.com.",
            "https://www.Acme.com/about?x=1#top",
            "http://acme.com:8080",
            "www.acme.com",
            "jane@acme.com",
        ] {
            assert_eq!(
                Domain::parse("domain", raw).unwrap().as_str(),
                "acme.com",
                "{raw}"
            );
        }
        assert_eq!(
            Domain::parse("domain", "https://eu.acme.co.uk/")
                .unwrap()
                .as_str(),
            "eu.acme.co.uk"
        );
    }

    #[test]
    fn junk_is_refused_naming_the_field() {
        for raw in [
            "acme",
            "http://",
            "192.168.0.1",
            "acme .com",
            "-acme.com",
            "n/a",
            "https://www.",
        ] {
            let err = Domain::parse("website", raw).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("website", "invalid_domain"),
                "{raw}"
            );
        }
    }

    #[test]
    fn free_mail_domains_are_flagged() {
        assert!(Domain::parse("domain", "https://mail.yahoo.com").is_ok());
        assert!(Domain::parse("domain", "gmail.com").unwrap().is_free_mail());
        assert!(!Domain::parse("domain", "gitlab.com").unwrap().is_free_mail());
    }
}
