//! Email addresses, parsed once. An `Email` is trimmed of spaces (any Unicode space) and tabs, has one `@`, a dot-atom local part and a
//! host-name domain, and is stored lower-cased so lookups and uniqueness ignore case.
//!
//! Prospector is a business CRM, so the parser accepts the addresses people actually type into a
//! sales tool and refuses the exotic corners of RFC 5322 that no prospect uses and that break
//! downstream mailers: quoted local parts (`"john doe"@x.com`), comments and folding white space,
//! obsolete syntax, IP-literal domains (`a@[1.2.3.4]`), dotless domains (`a@io`) and all-numeric
//! top-level labels (`a@1.2.3.4`). Internationalised addresses are accepted (letters and digits
//! outside ASCII), because SMTPUTF8 is real and prospects in many countries use it.
//!
//! Two helpers serve matching rather than storage: [`Email::fold_gmail`] builds a match key that
//! treats Gmail's dots and `+tags` as insignificant, and [`Email::is_free_mail`] says whether the
//! domain belongs to a consumer mailbox provider, so such a domain never matches an account.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest address RFC 5321 allows on the wire.
const MAX_LEN: usize = 254;
/// The longest local part RFC 5321 allows.
const MAX_LOCAL_LEN: usize = 64;
/// The longest domain name (RFC 1035, without the trailing dot).
const MAX_DOMAIN_LEN: usize = 253;
/// The longest single domain label (RFC 1035).
const MAX_LABEL_LEN: usize = 63;
/// The ASCII characters RFC 5322 allows in an atom besides letters and digits.
const ATEXT_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

/// Consumer mailbox domains matched exactly.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "pm.me",
    "protonmail.com",
    "protonmail.ch",
    "web.de",
    "freenet.de",
    "t-online.de",
    "arcor.de",
    "posteo.de",
    "mailbox.org",
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "rambler.ru",
    "ya.ru",
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "naver.com",
    "hanmail.net",
    "daum.net",
    "ymail.com",
    "rocketmail.com",
    "mail.com",
    "email.com",
    "zoho.com",
    "zohomail.com",
    "fastmail.com",
    "tutanota.com",
    "tuta.io",
    "hushmail.com",
    "gmx.com",
    "aim.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "btinternet.com",
    "sky.com",
    "virginmedia.com",
    "orange.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "libero.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "interia.pl",
    "rediffmail.com",
    "bigpond.com",
    "shaw.ca",
    "rogers.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "duck.com",
];

/// Consumer mailbox brands that exist under many country suffixes (`yahoo.co.uk`, `gmx.de`, …).
const FREE_MAIL_BRANDS: &[&str] = &[
    "yahoo",
    "hotmail",
    "live",
    "outlook",
    "aol",
    "gmx",
    "yandex",
    "windowslive",
];

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses `raw`, reporting problems under `field`.
    pub fn parse_field(field: &str, raw: &str) -> Result<Email, Invalid> {
        let value = raw.trim_matches(|c: char| c == '\t' || (c.is_whitespace() && !c.is_control()));
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
        // Line breaks and other control characters are refused rather than trimmed: in an address
        // they are either a paste accident or an attempt at mail-header injection.
        if value.chars().any(char::is_control) {
            return Err(bad("it contains a line break or control character"));
        }
        if value.len() > MAX_LEN {
            return Err(bad("it is longer than 254 characters"));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(bad("it has no @"));
        };
        if local.is_empty() || local.len() > MAX_LOCAL_LEN {
            return Err(bad("the part before @ must be 1 to 64 characters"));
        }
        if local.starts_with('"') || local.contains('@') {
            return Err(bad("quoted names before @ are not accepted"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("the part before @ has a misplaced dot"));
        }
        if !local.chars().all(|c| c == '.' || is_atext(c)) {
            return Err(bad("the part before @ has a character that is not allowed"));
        }
        if domain.starts_with('[') {
            return Err(bad("IP addresses are not accepted as the domain"));
        }
        if !is_host_name(domain) {
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

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// A key for duplicate matching in which Gmail's insignificant spelling is folded away: for
    /// `gmail.com` and `googlemail.com`, dots in the local part and anything after `+` are dropped
    /// and the domain becomes `gmail.com`. Other addresses are returned as stored, because other
    /// providers treat dots (and often `+`) as significant. The stored address never changes.
    pub fn fold_gmail(&self) -> String {
        let domain = self.domain();
        if domain != "gmail.com" && domain != "googlemail.com" {
            return self.0.clone();
        }
        let local = self.local_part();
        let untagged = local.split_once('+').map_or(local, |(base, _)| base);
        let undotted: String = untagged.chars().filter(|c| *c != '.').collect();
        format!("{undotted}@gmail.com")
    }

    /// Whether the address is at a consumer mailbox provider (Gmail, Yahoo, Outlook, …). Such
    /// addresses say nothing about the employer, so they must never match or create an account.
    pub fn is_free_mail(&self) -> bool {
        is_free_mail_domain(self.domain())
    }
}

/// Whether `domain` (any case) belongs to a consumer mailbox provider. Brands that exist under many
/// country suffixes (`yahoo.*`, `hotmail.*`, `gmx.*`, `yandex.*`, …) match under any short suffix
/// such as `.de`, `.co.uk` or `.com.br`.
pub fn is_free_mail_domain(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if FREE_MAIL_DOMAINS.contains(&domain.as_str()) {
        return true;
    }
    let Some((brand, suffix)) = domain.split_once('.') else {
        return false;
    };
    // A country or generic suffix is one or two short labels; a longer tail means the brand
    // word is just a subdomain of someone else's domain (`yahoo.example.com`).
    let suffix_labels: Vec<&str> = suffix.split('.').collect();
    FREE_MAIL_BRANDS.contains(&brand)
        && suffix_labels.len() <= 2
        && suffix_labels
            .iter()
            .all(|l| (2..=3).contains(&l.len()) || *l == "net" || *l == "com")
}

/// A character allowed in a dot-atom: RFC 5322 atext, plus letters and digits beyond ASCII
/// (RFC 6531). Non-ASCII symbols and spaces are refused because they are almost always typos.
fn is_atext(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(c)
    } else {
        c.is_alphanumeric()
    }
}

/// Whether `domain` is a host name with at least two labels and a top-level label that is not
/// all digits (an all-numeric TLD would make it an IP address in disguise).
pub(crate) fn is_host_name(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= MAX_LABEL_LEN
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let tld_ok = labels
        .last()
        .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    labels_ok && tld_ok
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
mod isemail_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("\u{a0} Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.domain(), "example.com");
        assert_eq!(email.local_part(), "ada.lovelace");
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

    #[test]
    fn quoted_local_parts_and_ip_literals_are_refused_by_choice() {
        for raw in [
            "\"john doe\"@example.com",
            "test@[192.0.2.1]",
            "test@[IPv6:::1]",
            "test@192.0.2.1",
        ] {
            assert_eq!(Email::parse(raw).unwrap_err().code, "invalid_email", "{raw}");
        }
    }

    #[test]
    fn internationalised_addresses_are_accepted() {
        assert!(Email::parse("jürgen@müller.de").is_ok());
        assert!(Email::parse("test@xn--hxajbheg2az3al.xn--jxalpdlp").is_ok());
    }

    #[test]
    fn gmail_dots_and_tags_fold_into_one_match_key() {
        let a = Email::parse("Ada.Lovelace+crm@googlemail.com").unwrap();
        let b = Email::parse("adalovelace@gmail.com").unwrap();
        assert_eq!(a.fold_gmail(), b.fold_gmail());
        assert_eq!(
            a.as_str(),
            "ada.lovelace+crm@googlemail.com",
            "the stored address is untouched"
        );
    }

    #[test]
    fn fold_gmail_leaves_other_providers_alone() {
        let email = Email::parse("ada.lovelace+crm@example.com").unwrap();
        assert_eq!(email.fold_gmail(), "ada.lovelace+crm@example.com");
    }

    #[test]
    fn free_mail_providers_are_recognised_under_country_suffixes() {
        for raw in [
            "a@gmail.com",
            "a@yahoo.co.uk",
            "a@yahoo.com",
            "a@hotmail.fr",
            "a@gmx.de",
            "a@gmx.net",
            "a@yandex.ru",
            "a@web.de",
            "a@proton.me",
            "a@163.com",
            "a@outlook.com",
            "a@live.com",
        ] {
            assert!(Email::parse(raw).unwrap().is_free_mail(), "{raw}");
        }
    }

    #[test]
    fn business_domains_are_not_free_mail() {
        for raw in [
            "a@gitlab.com",
            "a@yahoo.example.com",
            "a@mail.example.de",
            "a@liveperson.com",
            "a@gmail.co.example.org",
        ] {
            assert!(!Email::parse(raw).unwrap().is_free_mail(), "{raw}");
        }
    }
}
