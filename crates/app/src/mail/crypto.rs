//! Mailbox passwords sealed at rest with AES-256-GCM.
//!
//! Where the key comes from is a trade-off the operator chooses:
//! - `PROSPECTOR_SECRET_KEY` (base64 of 32 bytes) keeps the key out of the database: a stolen
//!   database file or backup alone does not reveal any mailbox password. Losing the key means
//!   every user types their mailbox password again (nothing else is lost).
//! - Without it, a random key is generated on first use into the `settings` table, so a fresh
//!   install works with no setup. Then the passwords are only protected against casual reading
//!   (an admin browsing a table, a row pasted into a ticket, a log line): whoever has the whole
//!   database has the key too. Production installs should set the key.
//!
//! Sealed values look like `v1:<base64 of nonce ‖ ciphertext>`; the `v1` leaves room to rotate to
//! another scheme without guessing.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

use crate::{AppError, AppResult};

const PREFIX: &str = "v1:";
/// The `settings` key holding the generated key when none is configured.
pub const GENERATED_KEY_SETTING: &str = "mail.secret_key";

/// A 256-bit key.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// Reads a key given as base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<SecretKey, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| format!("the secret key is not base64: {e}"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("the secret key must be 32 bytes, not {}", b.len()))?;
        Ok(SecretKey(key))
    }

    /// A new random key, as base64.
    pub fn generate_base64() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    /// Seals `plain`.
    pub fn seal(&self, plain: &str) -> AppResult<String> {
        let cipher = Aes256Gcm::new((&self.0).into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .map_err(|_| AppError::Internal("could not seal a secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    /// Opens a value sealed by [`SecretKey::seal`] under the same key.
    pub fn open(&self, sealed: &str) -> AppResult<String> {
        let broken = || {
            AppError::Internal(
                "a stored mailbox password cannot be decrypted: was the secret key changed? \
                 Enter the password again"
                    .into(),
            )
        };
        let body = sealed.strip_prefix(PREFIX).ok_or_else(broken)?;
        let bytes = STANDARD.decode(body).map_err(|_| broken())?;
        if bytes.len() < 12 {
            return Err(broken());
        }
        let (nonce, data) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| broken())?;
        let cipher = Aes256Gcm::new((&self.0).into());
        let plain = cipher.decrypt(&Nonce::from(nonce), data).map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_only_with_its_key() {
        let key = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        let sealed = key.seal("hunter2").unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains("hunter2"));
        assert_ne!(sealed, key.seal("hunter2").unwrap(), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "hunter2");
        let other = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(SecretKey::from_base64("not base64!").is_err());
        assert!(SecretKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(SecretKey::from_base64(&STANDARD.encode([1u8; 32])).is_ok());
    }
}
