//! Signed links for candidates (view and answer an offer, fill in the questionnaire) without an account:
//! the payload and an expiry, signed with HMAC-SHA256. Tampering and expiry are told apart so the page can
//! say "this link has expired, ask for a new one" rather than "invalid link".

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Invalid;

type HmacSha256 = Hmac<Sha256>;

/// The format marker, so a future format can be told apart from this one.
const VERSION: &str = "v1";

/// A secret for signing links; at least 32 bytes, as HMAC-SHA256 gains nothing from less.
#[derive(Clone)]
pub struct SigningKey(HmacSha256);

impl SigningKey {
    /// Wraps secret bytes, refusing keys shorter than 32 bytes.
    pub fn new(secret: &[u8]) -> Result<SigningKey, Invalid> {
        let too_short = || {
            Invalid::new(
                "signing_key",
                "too_short",
                "the signing key must be at least 32 bytes",
            )
        };
        if secret.len() < 32 {
            return Err(too_short());
        }
        // The keyed state is built once here, so signing and verifying never have a key error to handle.
        HmacSha256::new_from_slice(secret)
            .map(SigningKey)
            .map_err(|_| too_short())
    }

    fn mac(&self, signed_part: &str) -> HmacSha256 {
        let mut mac = self.0.clone();
        mac.update(signed_part.as_bytes());
        mac
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("SigningKey(…)")
    }
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token this app made (wrong shape or encoding).
    #[error("the link is not valid")]
    Malformed,
    /// The payload or expiry was changed, or another key signed it.
    #[error("the link has been altered")]
    Tampered,
    /// Genuine, but past its expiry.
    #[error("the link has expired")]
    Expired,
}

/// A URL-safe token carrying `payload` until `expires_at`: `v1.<payload>.<expiry>.<signature>`.
/// The payload is readable (base64), not secret — put ids in it, not personal data.
pub fn sign(key: &SigningKey, payload: &str, expires_at: DateTime<Utc>) -> String {
    let signed_part = format!(
        "{VERSION}.{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        expires_at.timestamp()
    );
    let tag = key.mac(&signed_part).finalize().into_bytes();
    format!("{signed_part}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The payload of a token made by [`sign`] with `key`, if it is unaltered and `now` is before its expiry.
/// The signature is checked first (in constant time), so an altered expiry reads as tampering.
pub fn verify(key: &SigningKey, token: &str, now: DateTime<Utc>) -> Result<String, LinkError> {
    let (signed_part, tag) = token.rsplit_once('.').ok_or(LinkError::Malformed)?;
    let mut parts = signed_part.split('.');
    let (Some(version), Some(payload), Some(expiry), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(LinkError::Malformed);
    };
    if version != VERSION {
        return Err(LinkError::Malformed);
    }
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| LinkError::Malformed)?;
    key.mac(signed_part)
        .verify_slice(&tag)
        .map_err(|_| LinkError::Tampered)?;
    let expiry: i64 = expiry.parse().map_err(|_| LinkError::Malformed)?;
    if now.timestamp() >= expiry {
        return Err(LinkError::Expired);
    }
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| LinkError::Malformed)?;
    String::from_utf8(payload).map_err(|_| LinkError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn key() -> SigningKey {
        SigningKey::new(&[7u8; 32]).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let token = sign(&key(), "offer:01J0ABC", now() + TimeDelta::days(7));
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "URL-safe: {token}"
        );
        assert_eq!(verify(&key(), &token, now()), Ok("offer:01J0ABC".to_owned()));
        assert_eq!(
            verify(&key(), &token, now() + TimeDelta::days(7)),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn a_changed_payload_expiry_or_key_is_tampering() {
        let token = sign(&key(), "offer:1", now() + TimeDelta::days(1));
        let parts: Vec<&str> = token.split('.').collect();
        let other_payload = URL_SAFE_NO_PAD.encode("offer:2");
        let forged_payload = [parts[0], &other_payload, parts[2], parts[3]].join(".");
        assert_eq!(verify(&key(), &forged_payload, now()), Err(LinkError::Tampered));
        let later = (now() + TimeDelta::days(365)).timestamp().to_string();
        let forged_expiry = [parts[0], parts[1], &later, parts[3]].join(".");
        assert_eq!(verify(&key(), &forged_expiry, now()), Err(LinkError::Tampered));
        let other_key = SigningKey::new(&[8u8; 32]).unwrap();
        assert_eq!(verify(&other_key, &token, now()), Err(LinkError::Tampered));
    }

    #[test]
    fn an_expired_and_altered_link_reads_as_tampered() {
        let token = sign(&key(), "offer:1", now() - TimeDelta::days(1));
        let altered = token.replacen("v1.", "v1.x", 1);
        assert_eq!(verify(&key(), &altered, now()), Err(LinkError::Tampered));
        assert_eq!(verify(&key(), &token, now()), Err(LinkError::Expired));
    }

    #[test]
    fn garbage_is_malformed() {
        for token in ["", "abc", "v1.a.b", "v2.YQ.1.AAAA", "v1.YQ.1.!!!", "v1.a.b.c.d"] {
            assert_eq!(verify(&key(), token, now()), Err(LinkError::Malformed), "{token}");
        }
    }

    #[test]
    fn short_keys_are_refused_and_never_printed() {
        assert_eq!(SigningKey::new(b"short").unwrap_err().code, "too_short");
        assert_eq!(format!("{:?}", key()), "SigningKey(…)");
    }
}
