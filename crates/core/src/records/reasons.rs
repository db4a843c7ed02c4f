//! Reason catalogues as data: the lists of reasons a record may give for leaving the main path
//! (a lead disqualified as `student`, an opportunity lost to `no_budget`). Admins edit them, so
//! the app loads the current catalogue and passes it in; the defaults here are GitLab's.
//!
//! Reasons are never deleted, only retired: records keep the code they were given and pages still
//! show its label, but a retired reason cannot be chosen again. System reasons (those the product
//! itself writes, such as `unsubscribe` and `no_response`) may be relabelled but not retired.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest reason code.
const MAX_CODE_LEN: usize = 64;
/// The longest reason label.
const MAX_LABEL_LEN: usize = 100;

/// One reason in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable snake_case code stored on records (`student`, `no_budget`).
    pub code: String,
    /// The label shown to people.
    pub label: String,
    /// Whether it may still be chosen; retired reasons only label old records.
    pub active: bool,
    /// Whether the product writes it itself, which keeps it from being retired.
    pub system: bool,
}

impl Reason {
    /// An active reason an admin may retire.
    pub fn new(code: &str, label: &str) -> Self {
        Self {
            code: code.to_owned(),
            label: label.to_owned(),
            active: true,
            system: false,
        }
    }

    /// An active reason the product relies on, which cannot be retired.
    pub fn system(code: &str, label: &str) -> Self {
        Self {
            system: true,
            ..Self::new(code, label)
        }
    }
}

/// Reason lists keyed by the state that needs a reason (a `LeadStatus` exit, an
/// `OpportunityStage` such as closed lost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(serialize = "K: Serialize + Ord", deserialize = "K: Deserialize<'de> + Ord"))]
pub struct ReasonCatalog<K> {
    lists: BTreeMap<K, Vec<Reason>>,
}

impl<K: Copy + Ord + fmt::Display> ReasonCatalog<K> {
    /// A catalogue built from lists of `(code, label)`; codes in `system` are marked as system
    /// reasons. Used for the built-in defaults.
    pub fn from_lists(lists: &[(K, &[(&str, &str)])], system: &[&str]) -> Self {
        let lists = lists
            .iter()
            .map(|(key, reasons)| {
                let reasons = reasons
                    .iter()
                    .map(|(code, label)| {
                        if system.contains(code) {
                            Reason::system(code, label)
                        } else {
                            Reason::new(code, label)
                        }
                    })
                    .collect();
                (*key, reasons)
            })
            .collect();
        Self { lists }
    }

    /// The reasons that may be chosen for `key`, in catalogue order.
    pub fn choices(&self, key: K) -> impl Iterator<Item = &Reason> {
        self.lists.get(&key).into_iter().flatten().filter(|r| r.active)
    }

    /// The label of `code` under `key`, retired or not, for showing old records.
    pub fn label(&self, key: K, code: &str) -> Option<&str> {
        self.find(key, code).map(|r| r.label.as_str())
    }

    /// Checks the reason given for moving to `key`: it must be present and an active reason of
    /// that list. Refusals are reported under the field `reason` and list the allowed codes.
    pub fn require(&self, key: K, reason: Option<&str>) -> Result<&Reason, Invalid> {
        let allowed: Vec<&str> = self.choices(key).map(|r| r.code.as_str()).collect();
        let given = reason.map(str::trim).filter(|r| !r.is_empty());
        let Some(given) = given else {
            let message = format!(
                "a reason is required for {key}: allowed reasons are {}",
                allowed.join(", ")
            );
            return Err(Invalid::new("reason", "required", message));
        };
        let wanted = given.to_ascii_lowercase();
        self.choices(key).find(|r| r.code == wanted).ok_or_else(|| {
            let message = format!(
                "unknown reason '{given}' for {key}: allowed reasons are {}",
                allowed.join(", ")
            );
            Invalid::new("reason", "unknown_value", message)
        })
    }

    /// Adds a reason to the list for `key` (creating the list), refusing malformed or duplicate
    /// codes and blank or long labels.
    pub fn add(&mut self, key: K, code: &str, label: &str) -> Result<(), Invalid> {
        let code = parse_code(code)?;
        let label = crate::error::required_text("label", label, MAX_LABEL_LEN)?;
        if self.find(key, &code).is_some() {
            return Err(Invalid::new(
                "code",
                "duplicate",
                format!("{key} already has a reason '{code}'"),
            ));
        }
        self.lists
            .entry(key)
            .or_default()
            .push(Reason::new(&code, &label));
        Ok(())
    }

    /// Changes the label of an existing reason; the code, which records store, never changes.
    pub fn relabel(&mut self, key: K, code: &str, label: &str) -> Result<(), Invalid> {
        let label = crate::error::required_text("label", label, MAX_LABEL_LEN)?;
        self.find_mut(key, code)?.label = label;
        Ok(())
    }

    /// Retires a reason so it can no longer be chosen. System reasons and the last active reason
    /// of a list are kept, because the product or the state machine would have nothing to record.
    pub fn retire(&mut self, key: K, code: &str) -> Result<(), Invalid> {
        let active = self.choices(key).count();
        let reason = self.find_mut(key, code)?;
        if reason.system {
            return Err(Invalid::new(
                "code",
                "system_reason",
                format!("'{code}' is used by Prospector itself and cannot be retired"),
            ));
        }
        if reason.active && active <= 1 {
            return Err(Invalid::new(
                "code",
                "last_reason",
                format!("{key} needs at least one reason to choose from"),
            ));
        }
        reason.active = false;
        Ok(())
    }

    /// Makes a retired reason choosable again.
    pub fn restore(&mut self, key: K, code: &str) -> Result<(), Invalid> {
        self.find_mut(key, code)?.active = true;
        Ok(())
    }

    fn find(&self, key: K, code: &str) -> Option<&Reason> {
        self.lists.get(&key)?.iter().find(|r| r.code == code)
    }

    fn find_mut(&mut self, key: K, code: &str) -> Result<&mut Reason, Invalid> {
        self.lists
            .get_mut(&key)
            .and_then(|list| list.iter_mut().find(|r| r.code == code))
            .ok_or_else(|| Invalid::new("code", "not_found", format!("{key} has no reason '{code}'")))
    }
}

/// Validates a new reason code: snake_case ASCII, so it is safe in URLs, CSV and filters.
fn parse_code(raw: &str) -> Result<String, Invalid> {
    let code = crate::error::required_text("code", raw, MAX_CODE_LEN)?;
    let well_formed = code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(Invalid::new(
            "code",
            "invalid_code",
            format!("'{code}' must be lower-case letters, digits and _"),
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> ReasonCatalog<&'static str> {
        ReasonCatalog::from_lists(
            &[(
                "lost",
                &[("no_budget", "No budget"), ("no_response", "No response")],
            )],
            &["no_response"],
        )
    }

    #[test]
    fn missing_reason_lists_the_allowed_ones() {
        let err = catalogue().require("lost", None).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("reason", "required"));
        assert!(err.message.contains("no_budget, no_response"), "{}", err.message);
    }

    #[test]
    fn unknown_reason_is_refused_and_known_one_matches_any_case() {
        assert_eq!(
            catalogue().require("lost", Some("bored")).unwrap_err().code,
            "unknown_value"
        );
        assert_eq!(
            catalogue().require("lost", Some(" No_Budget ")).unwrap().code,
            "no_budget"
        );
    }

    #[test]
    fn retired_reason_keeps_its_label_but_cannot_be_chosen() {
        let mut catalogue = catalogue();
        catalogue.retire("lost", "no_budget").unwrap();
        assert!(catalogue.require("lost", Some("no_budget")).is_err());
        assert_eq!(catalogue.label("lost", "no_budget"), Some("No budget"));
        catalogue.restore("lost", "no_budget").unwrap();
        assert!(catalogue.require("lost", Some("no_budget")).is_ok());
    }

    #[test]
    fn system_reason_cannot_be_retired() {
        assert_eq!(
            catalogue().retire("lost", "no_response").unwrap_err().code,
            "system_reason"
        );
    }

    #[test]
    fn added_reasons_need_a_snake_case_code_and_no_duplicate() {
        let mut catalogue = catalogue();
        assert_eq!(
            catalogue
                .add("lost", "Too Pricey", "Too pricey")
                .unwrap_err()
                .code,
            "invalid_code"
        );
        assert_eq!(
            catalogue.add("lost", "no_budget", "Again").unwrap_err().code,
            "duplicate"
        );
        catalogue.add("lost", "too_pricey", "Too pricey").unwrap();
        assert_eq!(
            catalogue.require("lost", Some("too_pricey")).unwrap().label,
            "Too pricey"
        );
    }

    #[test]
    fn relabelling_keeps_the_code() {
        let mut catalogue = catalogue();
        catalogue.relabel("lost", "no_budget", "Budget frozen").unwrap();
        assert_eq!(catalogue.label("lost", "no_budget"), Some("Budget frozen"));
    }
}
