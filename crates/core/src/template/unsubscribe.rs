//! One-click unsubscribe (RFC 8058, required by Gmail and Yahoo for bulk senders): every automatic
//! email carries `List-Unsubscribe` with an HTTPS link (and a mailto fallback for clients that only
//! know RFC 2369) plus `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, which tells the
//! provider that a bare POST to the link unsubscribes — no page, no confirmation.

use crate::Invalid;
use crate::email::Email;

/// Tokens are opaque to core but go into a URL path unencoded, so they must be URL-safe.
const MAX_TOKEN_CHARS: usize = 200;

/// The unsubscribe link for one recipient: `{base_url}/u/{token}`, with an optional mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeLink {
    url: String,
    mailto: Option<String>,
}

impl UnsubscribeLink {
    /// Builds the link from the server's public HTTPS base URL and the recipient's token
    /// (letters, digits, `-` and `_`). `mailbox`, when given, receives unsubscribe emails whose
    /// subject carries the token.
    pub fn new(base_url: &str, token: &str, mailbox: Option<&Email>) -> Result<UnsubscribeLink, Invalid> {
        let base = base_url.trim().trim_end_matches('/');
        // RFC 8058 §3.1: the one-click URI must be HTTPS.
        let host = base.strip_prefix("https://").unwrap_or_default();
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | '"'))
        {
            return Err(Invalid::new(
                "base_url",
                "invalid_url",
                format!("'{base}' is not an https:// URL; one-click unsubscribe needs HTTPS"),
            ));
        }
        if token.is_empty() {
            return Err(Invalid::required("token"));
        }
        if token.len() > MAX_TOKEN_CHARS {
            return Err(Invalid::too_long("token", MAX_TOKEN_CHARS));
        }
        if !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Invalid::new(
                "token",
                "invalid_token",
                "an unsubscribe token may hold only letters, digits, - and _",
            ));
        }
        Ok(UnsubscribeLink {
            url: format!("{base}/u/{token}"),
            mailto: mailbox.map(|m| format!("mailto:{}?subject=unsubscribe%20{token}", m.as_str())),
        })
    }

    /// The HTTPS link, also given to templates as `unsubscribe_url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The two header lines to add, as (name, value) pairs. Both must be covered by the DKIM
    /// signature for providers to honour one-click (RFC 8058 §4).
    pub fn headers(&self) -> [(&'static str, String); 2] {
        let list = match &self.mailto {
            Some(mailto) => format!("<{}>, <{mailto}>", self.url),
            None => format!("<{}>", self.url),
        };
        [
            ("List-Unsubscribe", list),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_https_and_mailto_links_and_one_click() {
        let mailbox = Email::parse("unsubscribe@mail.example.org").unwrap();
        let link = UnsubscribeLink::new("https://crm.example.org/", "tok_123-ab", Some(&mailbox)).unwrap();
        assert_eq!(link.url(), "https://crm.example.org/u/tok_123-ab");
        assert_eq!(
            link.headers(),
            [
                (
                    "List-Unsubscribe",
                    "<https://crm.example.org/u/tok_123-ab>, <mailto:unsubscribe@mail.example.org?subject=unsubscribe%20tok_123-ab>"
                        .to_owned()
                ),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
            ]
        );
    }

    #[test]
    fn without_a_mailbox_only_the_https_link_is_listed() {
        let link = UnsubscribeLink::new("https://crm.example.org", "abc", None).unwrap();
        assert_eq!(link.headers()[0].1, "<https://crm.example.org/u/abc>");
    }

    #[test]
    fn plain_http_base_is_refused() {
        assert_eq!(
            UnsubscribeLink::new("http://crm.example.org", "abc", None)
                .unwrap_err()
                .code,
            "invalid_url"
        );
    }

    #[test]
    fn token_that_could_break_the_header_is_refused() {
        let err = UnsubscribeLink::new("https://crm.example.org", "a>b, <mailto:x", None).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("token", "invalid_token"));
    }
}
