//! Activities — calls, emails, LinkedIn messages, meetings, notes, status changes — are the
//! timeline of a person or account and the basis of every activity metric. They are append-only:
//! a mistake is fixed by a new entry that `corrects` the earlier one, so the history a team lead
//! reviews is the history that happened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;

crate::define_id!(
    /// Identifies an activity.
    ActivityId
);

/// The longest notes or body text.
const MAX_TEXT_LEN: usize = 32_000;
/// The longest call worth recording: a day, beyond which the duration is a typo.
const MAX_CALL_SECONDS: u32 = 24 * 60 * 60;
/// The longest message or thread id.
const MAX_ID_LEN: usize = 998;

coded_enum! {
    /// What kind of touch an activity is.
    pub enum ActivityKind in "kind" {
        /// A phone call.
        Call => ("call", "Call"),
        /// An email sent or received.
        Email => ("email", "Email"),
        /// A LinkedIn message or InMail.
        Linkedin => ("linkedin", "LinkedIn"),
        /// A meeting held or booked.
        Meeting => ("meeting", "Meeting"),
        /// A note.
        Note => ("note", "Note"),
        /// A lifecycle status change, written by the product.
        StatusChange => ("status_change", "Status change"),
        /// Says the activity it names (with its corrections) was logged by mistake.
        Retraction => ("retraction", "Deleted (logged by mistake)"),
    }
}

coded_enum! {
    /// Which way an email went.
    pub enum EmailDirection in "direction" {
        /// We sent it.
        Sent => ("sent", "Sent"),
        /// They sent it.
        Received => ("received", "Received"),
        /// We sent it and it bounced.
        Bounced => ("bounced", "Bounced"),
    }
}

/// One call outcome in the admin-editable list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallDisposition {
    /// Stable snake_case code stored on the call.
    pub code: String,
    /// The label shown to people.
    pub label: String,
    /// Whether the rep spoke with the person, which is what the connect rate counts.
    pub counts_as_connect: bool,
}

/// The call dispositions reps choose from. Admins edit it; the app passes the current one in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispositionList {
    dispositions: Vec<CallDisposition>,
}

impl Default for DispositionList {
    /// The defaults: connected, left voicemail, no answer, bad number, meeting booked, not
    /// interested, wrong person and call back later.
    fn default() -> Self {
        let d = |code: &str, label: &str, counts_as_connect| CallDisposition {
            code: code.to_owned(),
            label: label.to_owned(),
            counts_as_connect,
        };
        DispositionList {
            dispositions: vec![
                d("connected", "Connected", true),
                d("left_voicemail", "Left voicemail", false),
                d("no_answer", "No answer", false),
                d("bad_number", "Bad number", false),
                d("meeting_booked", "Meeting booked", true),
                d("not_interested", "Not interested", true),
                d("wrong_person", "Wrong person", true),
                d("call_back_later", "Call back later", true),
            ],
        }
    }
}

impl DispositionList {
    /// A list from admin input: at least one disposition, codes snake_case and unique, labels
    /// present.
    pub fn new(dispositions: Vec<CallDisposition>) -> Result<DispositionList, Invalid> {
        if dispositions.is_empty() {
            return Err(Invalid::required("dispositions"));
        }
        for (i, d) in dispositions.iter().enumerate() {
            let field = format!("dispositions[{i}]");
            let code_ok = !d.code.is_empty()
                && d.code.len() <= 64
                && d.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok {
                return Err(Invalid::new(
                    format!("{field}.code"),
                    "invalid_code",
                    "a code is lower-case letters, digits and _",
                ));
            }
            if dispositions[..i].iter().any(|earlier| earlier.code == d.code) {
                return Err(Invalid::new(
                    format!("{field}.code"),
                    "duplicate",
                    format!("'{}' appears twice", d.code),
                ));
            }
            crate::error::required_text(&format!("{field}.label"), &d.label, 100)?;
        }
        Ok(DispositionList { dispositions })
    }

    /// Every disposition, in the order reps see them.
    pub fn all(&self) -> &[CallDisposition] {
        &self.dispositions
    }

    /// Finds the disposition `code`, refusing unknown ones under the field `disposition`.
    pub fn require(&self, code: &str) -> Result<&CallDisposition, Invalid> {
        let wanted = code.trim().to_ascii_lowercase();
        self.dispositions
            .iter()
            .find(|d| d.code == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = self.dispositions.iter().map(|d| d.code.as_str()).collect();
                Invalid::unknown_value("disposition", code.trim(), &allowed)
            })
    }
}

/// What happened, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityDetail {
    /// A call with its outcome.
    Call {
        /// A disposition code from the current list.
        disposition: String,
        /// How long it lasted, in seconds.
        duration_seconds: Option<u32>,
        /// What was said.
        notes: Option<String>,
    },
    /// An email.
    Email {
        /// Which way it went.
        direction: EmailDirection,
        /// The RFC 5322 Message-ID, to thread replies and ignore duplicates.
        message_id: Option<String>,
        /// The thread it belongs to.
        thread_id: Option<String>,
        /// The subject line.
        subject: Option<String>,
    },
    /// A LinkedIn message or InMail.
    Linkedin {
        /// What was sent or received.
        notes: Option<String>,
    },
    /// A meeting.
    Meeting {
        /// When it starts.
        starts_at: DateTime<Utc>,
        /// Agenda or outcome.
        notes: Option<String>,
    },
    /// A free-text note.
    Note {
        /// The note.
        text: String,
    },
    /// A status change written by the product.
    StatusChange {
        /// Status code before.
        from: String,
        /// Status code after.
        to: String,
        /// Reason code, for exits.
        reason: Option<String>,
    },
    /// The activity named by `corrects` was logged by mistake: reports take it back and pages
    /// show it as deleted, while the history keeps both entries.
    Retraction {
        /// Why, in the rep's words.
        reason: Option<String>,
    },
}

impl ActivityDetail {
    /// The kind of activity this is.
    pub fn kind(&self) -> ActivityKind {
        match self {
            ActivityDetail::Call { .. } => ActivityKind::Call,
            ActivityDetail::Email { .. } => ActivityKind::Email,
            ActivityDetail::Linkedin { .. } => ActivityKind::Linkedin,
            ActivityDetail::Meeting { .. } => ActivityKind::Meeting,
            ActivityDetail::Note { .. } => ActivityKind::Note,
            ActivityDetail::StatusChange { .. } => ActivityKind::StatusChange,
            ActivityDetail::Retraction { .. } => ActivityKind::Retraction,
        }
    }
}

/// A validated activity ready to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewActivity {
    /// When it happened (not when it was logged).
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    pub detail: ActivityDetail,
    /// The earlier activity this one corrects, if any; pages show the newest correction in its
    /// place, and reports count only the latest version.
    pub corrects: Option<ActivityId>,
    /// Whether the call counted as a connect, fixed when logged so later edits to the
    /// disposition list do not rewrite history.
    pub is_connect: bool,
}

impl NewActivity {
    /// Validates an activity: a known disposition for calls, a plausible duration, texts within
    /// 32,000 characters and a non-blank note.
    pub fn new(
        occurred_at: DateTime<Utc>,
        detail: ActivityDetail,
        dispositions: &DispositionList,
    ) -> Result<NewActivity, Invalid> {
        let mut is_connect = false;
        match &detail {
            ActivityDetail::Call {
                disposition,
                duration_seconds,
                notes,
            } => {
                is_connect = dispositions.require(disposition)?.counts_as_connect;
                if duration_seconds.is_some_and(|s| s > MAX_CALL_SECONDS) {
                    return Err(Invalid::new(
                        "duration_seconds",
                        "out_of_range",
                        "a call lasts at most 24 hours",
                    ));
                }
                check_text("notes", notes.as_deref())?;
            }
            ActivityDetail::Email {
                message_id,
                thread_id,
                subject,
                ..
            } => {
                check_len("message_id", message_id.as_deref(), MAX_ID_LEN)?;
                check_len("thread_id", thread_id.as_deref(), MAX_ID_LEN)?;
                check_len("subject", subject.as_deref(), MAX_ID_LEN)?;
            }
            ActivityDetail::Linkedin { notes } | ActivityDetail::Meeting { notes, .. } => {
                check_text("notes", notes.as_deref())?
            }
            ActivityDetail::Note { text } => {
                crate::error::required_text("text", text, MAX_TEXT_LEN)?;
            }
            ActivityDetail::StatusChange { .. } => {}
            ActivityDetail::Retraction { .. } => {
                return Err(Invalid::new(
                    "corrects_id",
                    "required",
                    "a retraction names the activity logged by mistake in corrects_id",
                ));
            }
        }
        let detail = match detail {
            ActivityDetail::Call {
                disposition,
                duration_seconds,
                notes,
            } => ActivityDetail::Call {
                disposition: disposition.trim().to_ascii_lowercase(),
                duration_seconds,
                notes,
            },
            other => other,
        };
        Ok(NewActivity {
            occurred_at,
            detail,
            corrects: None,
            is_connect,
        })
    }

    /// A correction of activity `original`: validated like a new one, and of the same kind,
    /// because a call logged as an email is a different activity, not a correction.
    pub fn correction(
        original: ActivityId,
        original_kind: ActivityKind,
        occurred_at: DateTime<Utc>,
        detail: ActivityDetail,
        dispositions: &DispositionList,
    ) -> Result<NewActivity, Invalid> {
        if detail.kind() != original_kind {
            let message = format!("a correction of a {original_kind} must also be a {original_kind}");
            return Err(Invalid::new("kind", "kind_mismatch", message));
        }
        let mut activity = NewActivity::new(occurred_at, detail, dispositions)?;
        activity.corrects = Some(original);
        Ok(activity)
    }

    /// A retraction of the activity chain starting at `chain_root` (the first version; its
    /// corrections go with it), whose entry the rep picked is of kind `picked_kind`. Status
    /// changes are undone by moving the status, and a retraction is final.
    pub fn retraction(
        chain_root: ActivityId,
        picked_kind: ActivityKind,
        occurred_at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<NewActivity, Invalid> {
        match picked_kind {
            ActivityKind::Retraction => {
                return Err(Invalid::new(
                    "corrects_id",
                    "cannot_retract_retraction",
                    "a deletion cannot itself be deleted",
                ));
            }
            ActivityKind::StatusChange => {
                return Err(Invalid::new(
                    "corrects_id",
                    "written_by_product",
                    "a status change is undone by moving the record's status, not deleted",
                ));
            }
            _ => {}
        }
        let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        check_text("reason", reason.as_deref())?;
        Ok(NewActivity {
            occurred_at,
            detail: ActivityDetail::Retraction { reason },
            corrects: Some(chain_root),
            is_connect: false,
        })
    }
}

fn check_text(field: &str, text: Option<&str>) -> Result<(), Invalid> {
    check_len(field, text, MAX_TEXT_LEN)
}

fn check_len(field: &str, text: Option<&str>, max: usize) -> Result<(), Invalid> {
    if text.is_some_and(|t| t.chars().count() > max) {
        return Err(Invalid::too_long(field, max));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 3, 14, 0, 0).unwrap()
    }

    fn call(disposition: &str) -> ActivityDetail {
        ActivityDetail::Call {
            disposition: disposition.to_owned(),
            duration_seconds: Some(95),
            notes: None,
        }
    }

    #[test]
    fn connects_are_decided_by_the_disposition_list() {
        let list = DispositionList::default();
        assert!(
            NewActivity::new(now(), call("connected"), &list)
                .unwrap()
                .is_connect
        );
        assert!(
            !NewActivity::new(now(), call("Left_Voicemail"), &list)
                .unwrap()
                .is_connect
        );
    }

    #[test]
    fn unknown_disposition_is_refused_with_the_allowed_list() {
        let err = NewActivity::new(now(), call("hung_up"), &DispositionList::default()).unwrap_err();
        assert_eq!(err.field, "disposition");
        assert!(err.message.contains("connected, left_voicemail"));
    }

    #[test]
    fn a_correction_references_the_original_and_keeps_its_kind() {
        let list = DispositionList::default();
        let original = ActivityId::new_at(now());
        let fixed =
            NewActivity::correction(original, ActivityKind::Call, now(), call("meeting_booked"), &list)
                .unwrap();
        assert_eq!(fixed.corrects, Some(original));
        let note = ActivityDetail::Note { text: "oops".into() };
        assert_eq!(
            NewActivity::correction(original, ActivityKind::Call, now(), note, &list)
                .unwrap_err()
                .code,
            "kind_mismatch"
        );
    }

    #[test]
    fn a_retraction_names_the_chain_and_refuses_retractions_and_status_changes() {
        let root = ActivityId::new_at(now());
        let r =
            NewActivity::retraction(root, ActivityKind::Call, now(), Some("  wrong lead ".into())).unwrap();
        assert_eq!(r.corrects, Some(root));
        assert_eq!(
            r.detail,
            ActivityDetail::Retraction {
                reason: Some("wrong lead".into())
            }
        );
        let again = NewActivity::retraction(root, ActivityKind::Retraction, now(), None).unwrap_err();
        assert_eq!(again.code, "cannot_retract_retraction");
        let status = NewActivity::retraction(root, ActivityKind::StatusChange, now(), None).unwrap_err();
        assert_eq!(status.code, "written_by_product");
        let bare = NewActivity::new(
            now(),
            ActivityDetail::Retraction { reason: None },
            &DispositionList::default(),
        );
        assert_eq!(bare.unwrap_err().field, "corrects_id");
    }

    #[test]
    fn implausible_call_duration_and_blank_note_are_refused() {
        let list = DispositionList::default();
        let long = ActivityDetail::Call {
            disposition: "connected".into(),
            duration_seconds: Some(90_000),
            notes: None,
        };
        assert_eq!(
            NewActivity::new(now(), long, &list).unwrap_err().field,
            "duration_seconds"
        );
        let blank = ActivityDetail::Note { text: "  ".into() };
        assert_eq!(
            NewActivity::new(now(), blank, &list).unwrap_err().code,
            "required"
        );
    }

    #[test]
    fn activity_detail_serializes_with_its_kind() {
        let email = ActivityDetail::Email {
            direction: EmailDirection::Bounced,
            message_id: None,
            thread_id: None,
            subject: None,
        };
        let json = serde_json::to_value(&email).unwrap();
        assert_eq!(json["kind"], "email");
        assert_eq!(json["direction"], "bounced");
        assert_eq!(email.kind(), ActivityKind::Email);
    }

    #[test]
    fn disposition_lists_need_unique_snake_case_codes() {
        let mut items = DispositionList::default().all().to_vec();
        items.push(items[0].clone());
        assert_eq!(DispositionList::new(items).unwrap_err().code, "duplicate");
        assert!(DispositionList::new(vec![]).is_err());
    }
}
