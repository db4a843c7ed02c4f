//! Which email domains belong to free mailbox providers, so scoring can tell a work address (worth
//! points: the person is likely buying for a company) from a personal one.

use crate::email::Email;

/// Widely used consumer mailbox domains. Not exhaustive: an unknown domain counts as business, which
/// errs towards answering a lead rather than ignoring one.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "aol.com",
    "gmail.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "icloud.com",
    "live.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "web.de",
    "yahoo.com",
    "yahoo.co.uk",
    "yandex.ru",
    "zoho.com",
];

/// Whether `email` is at a company's domain rather than a free mailbox provider.
pub fn is_business_email(email: &Email) -> bool {
    !FREE_MAIL_DOMAINS.contains(&email.domain())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_mailbox_providers_are_not_business_email() {
        assert!(!is_business_email(&Email::parse("ada@Gmail.com").unwrap()));
        assert!(is_business_email(&Email::parse("ada@acme.example").unwrap()));
    }
}
