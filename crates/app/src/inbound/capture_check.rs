//! What a form post is before anything is read or written: the form's hidden fields applied,
//! the honeypot, the required fields and the person it names — or why it is refused. Checking
//! every post of a batch first lets the batch read what they need at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::inbound::forms::posted;
use prospector_core::inbound::{Behaviour, read_submission};
use prospector_core::records::{LeadStatus, NewPerson};
use prospector_store::inbound::{Form, Submission};
use prospector_store::records::PersonId;
use prospector_store::records::people::{Person, PersonKind};

use super::capture::{CaptureInput, UTM_FIELDS};
use super::config::InboundConfig;
use crate::AppError;

/// A form post checked for everything that needs no database.
#[derive(Debug)]
pub(super) struct Checked {
    /// The client address.
    pub ip: Option<String>,
    /// The submission as it will be stored.
    pub submission: Submission,
    /// What it is.
    pub verdict: Verdict,
}

/// What a form post is, before the rate limit.
#[derive(Debug)]
pub(super) enum Verdict {
    /// No active form has this slug.
    UnknownForm,
    /// A bot filled in the hidden field.
    Honeypot { form: String },
    /// Refused, with the code stored on the rejected submission.
    Refused { code: &'static str, err: AppError },
    /// The form itself is broken (answered, not stored).
    Broken(AppError),
    /// A person to create or update.
    Capture {
        form: String,
        behaviour: Behaviour,
        message: Option<String>,
        fresh: Box<Person>,
    },
}

/// Checks `input` against its form: hidden fields applied, honeypot, required fields, the person.
pub(super) fn check(config: &InboundConfig, mut input: CaptureInput, now: DateTime<Utc>) -> Checked {
    // PostgreSQL stores no NUL in text: the submission keeps each one as U+FFFD and is refused.
    let nul_in = input
        .fields
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| without_nul(k));
    if nul_in.is_some() {
        input.fields = input
            .fields
            .iter()
            .map(|(k, v)| (without_nul(k), without_nul(v)))
            .collect();
    }
    input.form = without_nul(&input.form);
    let form = config.forms.get(&input.form).filter(|f| f.active);
    // Hidden fields are the form's, not the visitor's: they override anything posted.
    if let Some(form) = form {
        for (k, v) in &form.hidden_fields {
            input.fields.insert(k.clone(), v.clone());
        }
    }
    let payload = serde_json::to_value(&input.fields).unwrap_or_else(|_| serde_json::json!({}));
    let utm: BTreeMap<&str, String> = UTM_FIELDS
        .iter()
        .filter_map(|k| posted(&input.fields, k).map(|v| (*k, v)))
        .collect();
    let utm = serde_json::to_value(&utm).unwrap_or_else(|_| serde_json::json!({}));
    let submission = Submission {
        id: prospector_core::ids::uuid_v7_at(now),
        form_slug: input.form.chars().take(100).collect(),
        ip: input.ip.clone(),
        payload,
        utm,
        person_id: None,
        outcome: "accepted".into(),
        reject_code: None,
        reject_message: None,
        received_at: now,
    };
    let verdict = match nul_in {
        Some(field) if form.is_some() => Verdict::Refused {
            code: "invalid",
            err: Invalid::new(
                field.clone(),
                "nul_character",
                format!("{field} contains a NUL character (U+0000), which cannot be stored"),
            )
            .into(),
        },
        _ => verdict(form, &input.fields, now),
    };
    Checked {
        ip: input.ip,
        submission,
        verdict,
    }
}

/// `s` with each NUL character replaced by U+FFFD.
fn without_nul(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{fffd}")
    } else {
        s.to_owned()
    }
}

fn verdict(form: Option<&Form>, fields: &BTreeMap<String, String>, now: DateTime<Utc>) -> Verdict {
    let Some(form) = form else {
        return Verdict::UnknownForm;
    };
    if posted(fields, &form.honeypot_field).is_some() {
        return Verdict::Honeypot {
            form: form.slug.clone(),
        };
    }
    let submitted = match read_submission(&form.fields, fields, &form.source) {
        Ok(s) => s,
        Err(invalid) => {
            let code = match invalid.code {
                "missing_contact" => "missing_contact",
                "required" => "missing_field",
                _ => "invalid",
            };
            return Verdict::Refused {
                code,
                err: invalid.into(),
            };
        }
    };
    let behaviour = match Behaviour::parse("behaviour", &form.behaviour) {
        Ok(b) => b,
        Err(e) => {
            return Verdict::Broken(AppError::Internal(format!(
                "form {} has a bad behaviour: {e}",
                form.slug
            )));
        }
    };
    let new = match NewPerson::parse(&submitted.person) {
        Ok(n) => n,
        Err(invalid) => {
            return Verdict::Refused {
                code: "invalid",
                err: invalid.into(),
            };
        }
    };
    // A form's lead enters as an Inquiry rather than Raw.
    let fresh = Person {
        status: LeadStatus::Inquiry,
        ..crate::records::people::person_from(new, PersonId::new_at(now), PersonKind::Lead, now)
    };
    Verdict::Capture {
        form: form.slug.clone(),
        behaviour,
        message: submitted.message,
        fresh: Box::new(fresh),
    }
}
