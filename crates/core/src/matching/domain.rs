//! Email addresses and web domains as matching sees them. A lead's email domain points at its account
//! unless it is a free-mail domain: thousands of unrelated people share `gmail.com`, so it identifies no one.
//! (Kept here rather than borrowed from `email.rs`: matching must cope with values that would not parse.)

/// Domains where anyone can open a mailbox. Deliberately small: the big providers cover most addresses,
/// and a missing entry only makes a colleague look a little more like a match, never a match by itself.
const FREE_MAIL: &[&str] = &[
    "aol.com",
    "comcast.net",
    "fastmail.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "t-online.de",
    "web.de",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.fr",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// Whether `domain` (lower-case) is a free-mail domain that never identifies an account.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.binary_search(&domain).is_ok()
}

/// Normalises an email address for comparison: trimmed and lower-cased; with `fold_gmail`, Gmail's own
/// equivalences are applied too (dots in the local part and a `+tag` are ignored, and `googlemail.com` is
/// `gmail.com`), because Gmail delivers all of those spellings to one mailbox. Returns `None` without an `@`.
pub fn normalise_email(raw: &str, fold_gmail: bool) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let domain = domain.trim_end_matches('.');
    if fold_gmail && matches!(domain, "gmail.com" | "googlemail.com") {
        let local = local.split('+').next().unwrap_or(local).replace('.', "");
        return Some(format!("{local}@gmail.com"));
    }
    Some(format!("{local}@{domain}"))
}

/// The domain of a normalised email address, if it identifies an organisation (is not free mail).
pub fn account_domain_of_email(email: &str) -> Option<&str> {
    let (_, domain) = email.rsplit_once('@')?;
    (!is_free_mail(domain)).then_some(domain)
}

/// The bare host of a website as people type it (`https://www.Acme.com/about`, `acme.com`,
/// `WWW.ACME.COM`) — lower-cased, without scheme, `www.`, port or path — or `None` if it has no dot.
pub fn website_domain(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, rest)| rest);
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.strip_prefix("www.").unwrap_or(host).trim_end_matches('.');
    (host.contains('.') && !host.contains(' ')).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_mail_list_is_sorted_for_binary_search() {
        assert!(FREE_MAIL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn free_mail_domains_never_point_at_an_account() {
        assert!(is_free_mail("gmail.com"));
        assert_eq!(account_domain_of_email("jo@gmail.com"), None);
        assert_eq!(account_domain_of_email("jo@acme.com"), Some("acme.com"));
    }

    #[test]
    fn emails_ignore_case_and_gmail_folding_is_optional() {
        assert_eq!(
            normalise_email(" Jo.Smith+news@GMail.com ", false).as_deref(),
            Some("jo.smith+news@gmail.com")
        );
        assert_eq!(
            normalise_email(" Jo.Smith+news@GMail.com ", true).as_deref(),
            Some("josmith@gmail.com")
        );
        assert_eq!(
            normalise_email("jo.smith@googlemail.com", true).as_deref(),
            Some("josmith@gmail.com")
        );
        assert_eq!(
            normalise_email("Jo.Smith+x@acme.com", true).as_deref(),
            Some("jo.smith+x@acme.com")
        );
        assert_eq!(normalise_email("not an email", true), None);
    }

    #[test]
    fn websites_reduce_to_their_host() {
        for raw in [
            "https://www.Acme.com/about",
            "acme.com",
            "WWW.ACME.COM",
            "http://acme.com:8080?x=1",
        ] {
            assert_eq!(website_domain(raw).as_deref(), Some("acme.com"), "{raw}");
        }
        assert_eq!(website_domain("n/a"), None);
    }
}
