//! One step of a sequence: what kind of touch it is, on which day after enrollment it falls, and
//! what the rep (or the mailer) needs to carry it out.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::error::required_text;

/// The longest call script or task instruction we keep; longer text belongs in the handbook.
const MAX_SCRIPT_CHARS: usize = 4_000;
/// Template ids are opaque to core, but they are keys, not prose.
const MAX_TEMPLATE_ID_CHARS: usize = 100;
/// Handbook pages and anchors are path-like strings.
const MAX_HANDBOOK_CHARS: usize = 300;
/// A sequence may run for at most a year; anything longer is almost certainly a typo.
pub const MAX_DAY_OFFSET: u16 = 365;

/// What kind of touch a step is. Only `AutomaticEmail` is carried out without a person; every other
/// kind becomes a task in the rep's work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// An email rendered from a template and sent by the mailer inside the sending window.
    AutomaticEmail,
    /// An email drafted from a template that the rep reviews, edits and sends.
    ManualEmail,
    /// A phone call (with a voicemail if nobody answers), guided by a script.
    Call,
    /// A LinkedIn connection request or InMail.
    Linkedin,
    /// Anything else the rep must do by hand.
    Task,
}

impl StepKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [StepKind; 5] = [
        StepKind::AutomaticEmail,
        StepKind::ManualEmail,
        StepKind::Call,
        StepKind::Linkedin,
        StepKind::Task,
    ];

    /// The stable snake_case code used in the API and storage.
    pub fn code(self) -> &'static str {
        match self {
            StepKind::AutomaticEmail => "automatic_email",
            StepKind::ManualEmail => "manual_email",
            StepKind::Call => "call",
            StepKind::Linkedin => "linkedin",
            StepKind::Task => "task",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            StepKind::AutomaticEmail => "Automatic email",
            StepKind::ManualEmail => "Manual email",
            StepKind::Call => "Call",
            StepKind::Linkedin => "LinkedIn",
            StepKind::Task => "Task",
        }
    }

    /// Whether the step needs an email template.
    pub fn is_email(self) -> bool {
        matches!(self, StepKind::AutomaticEmail | StepKind::ManualEmail)
    }

    /// Parses a kind code, refusing unknown ones with the allowed list (reported under `field`).
    pub fn parse(field: &str, raw: &str) -> Result<StepKind, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        StepKind::ALL
            .into_iter()
            .find(|k| k.code() == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = StepKind::ALL.iter().map(|k| k.code()).collect();
                Invalid::unknown_value(field, raw, &allowed)
            })
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A pointer into the team handbook so a rep can read why a step is done the way it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandbookLink {
    /// The handbook page, e.g. `sales-development/cadence`.
    pub page: String,
    /// An anchor on that page without the `#`, e.g. `voicemail`; empty for the top of the page.
    pub anchor: String,
}

/// A step as it comes from a form or the API, before it is checked. Kinds are codes so an unknown
/// kind is reported as a validation error rather than a deserialisation failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDraft {
    /// A [`StepKind`] code.
    pub kind: String,
    /// Calendar days after enrollment (day 0 is the enrollment day); signed so a negative
    /// number typed into a form is refused with a message instead of wrapping.
    pub day_offset: i64,
    /// The email template to use; required for email kinds.
    #[serde(default)]
    pub template_id: Option<String>,
    /// What to say on a call or do for a task; optional for every kind.
    #[serde(default)]
    pub script: Option<String>,
    /// Handbook page for this step, if any.
    #[serde(default)]
    pub handbook_page: Option<String>,
    /// Anchor on the handbook page, if any.
    #[serde(default)]
    pub handbook_anchor: Option<String>,
}

/// A checked step. Offsets count calendar days from enrollment (not from the previous step) so that
/// editing one step's day never silently moves every later step, and the whole cadence can be read
/// as a calendar ("day 0, day 2, day 4 …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What kind of touch this is.
    pub kind: StepKind,
    /// Calendar days after the enrollment day, `0..=MAX_DAY_OFFSET`.
    pub day_offset: u16,
    /// The email template id (present for email kinds, absent otherwise).
    pub template_id: Option<String>,
    /// Call script or task instructions.
    pub script: Option<String>,
    /// Where in the handbook this step is explained.
    pub handbook: Option<HandbookLink>,
}

impl Step {
    /// Checks a draft, naming offending fields as `steps[i].field` so a form can point at them.
    pub fn parse(index: usize, draft: &StepDraft) -> Result<Step, Invalid> {
        let field = |name: &str| format!("steps[{index}].{name}");
        let kind = StepKind::parse(&field("kind"), &draft.kind)?;
        if draft.day_offset < 0 {
            return Err(Invalid::new(
                field("day_offset"),
                "negative_offset",
                format!(
                    "step {} has a negative day offset ({}); day 0 is the enrollment day",
                    index + 1,
                    draft.day_offset
                ),
            ));
        }
        let day_offset = u16::try_from(draft.day_offset)
            .ok()
            .filter(|d| *d <= MAX_DAY_OFFSET)
            .ok_or_else(|| {
                Invalid::new(
                    field("day_offset"),
                    "offset_too_large",
                    format!(
                        "step {} is more than {MAX_DAY_OFFSET} days after enrollment",
                        index + 1
                    ),
                )
            })?;
        let template_id = optional_text(
            &field("template_id"),
            draft.template_id.as_deref(),
            MAX_TEMPLATE_ID_CHARS,
        )?;
        if kind.is_email() && template_id.is_none() {
            return Err(Invalid::new(
                field("template_id"),
                "required",
                format!("step {} is an email and needs a template", index + 1),
            ));
        }
        if !kind.is_email() && template_id.is_some() {
            return Err(Invalid::new(
                field("template_id"),
                "not_allowed",
                format!(
                    "step {} is a {} and cannot use an email template",
                    index + 1,
                    kind.label().to_lowercase()
                ),
            ));
        }
        let script = optional_text(&field("script"), draft.script.as_deref(), MAX_SCRIPT_CHARS)?;
        let page = optional_text(
            &field("handbook_page"),
            draft.handbook_page.as_deref(),
            MAX_HANDBOOK_CHARS,
        )?;
        let anchor = optional_text(
            &field("handbook_anchor"),
            draft.handbook_anchor.as_deref(),
            MAX_HANDBOOK_CHARS,
        )?;
        let handbook = match (page, anchor) {
            (Some(page), anchor) => Some(HandbookLink {
                page,
                anchor: anchor.unwrap_or_default().trim_start_matches('#').to_owned(),
            }),
            (None, Some(_)) => return Err(Invalid::required(field("handbook_page"))),
            (None, None) => None,
        };
        Ok(Step {
            kind,
            day_offset,
            template_id,
            script,
            handbook,
        })
    }

    /// The draft this step came from, for edit forms and storage round trips.
    pub fn to_draft(&self) -> StepDraft {
        StepDraft {
            kind: self.kind.code().to_owned(),
            day_offset: i64::from(self.day_offset),
            template_id: self.template_id.clone(),
            script: self.script.clone(),
            handbook_page: self.handbook.as_ref().map(|h| h.page.clone()),
            handbook_anchor: self
                .handbook
                .as_ref()
                .map(|h| h.anchor.clone())
                .filter(|a| !a.is_empty()),
        }
    }
}

/// Blank means absent; otherwise trimmed and length-checked.
fn optional_text(field: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<String>, Invalid> {
    match raw {
        Some(text) if !text.trim().is_empty() => required_text(field, text, max_chars).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str, day: i64) -> StepDraft {
        StepDraft {
            kind: kind.into(),
            day_offset: day,
            ..StepDraft::default()
        }
    }

    #[test]
    fn unknown_kind_is_refused_with_the_allowed_list() {
        let err = Step::parse(2, &draft("fax", 1)).unwrap_err();
        assert_eq!(err.field, "steps[2].kind");
        assert_eq!(err.code, "unknown_value");
        assert!(
            err.message
                .contains("automatic_email, manual_email, call, linkedin, task")
        );
    }

    #[test]
    fn negative_offset_is_refused() {
        let err = Step::parse(0, &draft("call", -1)).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("steps[0].day_offset", "negative_offset")
        );
    }

    #[test]
    fn offset_beyond_a_year_is_refused() {
        assert_eq!(
            Step::parse(0, &draft("call", 400)).unwrap_err().code,
            "offset_too_large"
        );
    }

    #[test]
    fn email_step_without_template_is_refused() {
        let err = Step::parse(1, &draft("automatic_email", 0)).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("steps[1].template_id", "required")
        );
    }

    #[test]
    fn call_step_with_template_is_refused() {
        let mut d = draft("call", 0);
        d.template_id = Some("t1".into());
        assert_eq!(Step::parse(0, &d).unwrap_err().code, "not_allowed");
    }

    #[test]
    fn handbook_anchor_loses_its_hash_and_round_trips() {
        let mut d = draft("Call", 3);
        d.script = Some("  Hi, it's Sam.  ".into());
        d.handbook_page = Some("sdr/calls".into());
        d.handbook_anchor = Some("#voicemail".into());
        let step = Step::parse(0, &d).unwrap();
        assert_eq!(step.kind, StepKind::Call);
        assert_eq!(step.script.as_deref(), Some("Hi, it's Sam."));
        assert_eq!(
            step.handbook,
            Some(HandbookLink {
                page: "sdr/calls".into(),
                anchor: "voicemail".into()
            })
        );
        assert_eq!(Step::parse(0, &step.to_draft()).unwrap(), step);
    }

    #[test]
    fn anchor_without_page_is_refused() {
        let mut d = draft("task", 0);
        d.handbook_anchor = Some("x".into());
        assert_eq!(Step::parse(0, &d).unwrap_err().field, "steps[0].handbook_page");
    }
}
