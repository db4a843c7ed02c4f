//! Typed identifiers. Every record is keyed by a UUIDv7 (time-ordered, so keyset pagination by id
//! follows creation order); outside the process an id is an opaque string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares an id newtype that cannot be mixed up with another record's id.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new, time-ordered id; `at_millis` is the creation instant so ids sort by it.
            pub fn new_at(at: chrono::DateTime<chrono::Utc>) -> Self {
                Self($crate::ids::uuid_v7_at(at))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    $crate::Invalid::new("id", "invalid_id", format!("'{s}' is not a valid id"))
                })
            }
        }
    };
}

/// A UUIDv7 whose timestamp is `at`, so that ids minted by an injected clock sort like real ones.
/// A process-wide counter keeps ids minted within the same millisecond in minting order.
pub fn uuid_v7_at(at: chrono::DateTime<chrono::Utc>) -> Uuid {
    static CONTEXT: std::sync::Mutex<uuid::ContextV7> = std::sync::Mutex::new(uuid::ContextV7::new());
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let nanos = u32::try_from((millis % 1000) * 1_000_000).unwrap_or(0);
    let context = CONTEXT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Uuid::new_v7(uuid::Timestamp::from_unix(&*context, millis / 1000, nanos))
}

define_id!(
    /// A person who logs in.
    UserId
);
define_id!(
    /// A team of users with a lead.
    TeamId
);
define_id!(
    /// An API token.
    TokenId
);

/// A request id, carried from the HTTP edge into the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestId(pub String);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RequestId {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn late_at() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 2).unwrap()
    }

    #[test]
    fn ids_minted_later_sort_later() {
        let early = UserId::new_at(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let late = UserId::new_at(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap());
        assert!(early < late);
        let same: Vec<UserId> = (0..100).map(|_| UserId::new_at(late_at())).collect();
        assert!(
            same.windows(2).all(|w| w[0] < w[1]),
            "ids minted in one millisecond keep their order"
        );
        assert_eq!(late.to_string().parse::<UserId>().unwrap(), late);
        assert_eq!("nope".parse::<UserId>().unwrap_err().code, "invalid_id");
    }
}
