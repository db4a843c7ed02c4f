//! The lead and contact lifecycle: Raw → Inquiry → MQL → Accepted → Qualifying → Qualified, with
//! four exits (Disqualified, Recycle, Bad Data, Ineligible) that each need a reason from the
//! admin-editable catalogue. Manual moves go through [`transition`] (or [`qualify`] for
//! Qualified); the product's own moves are the `on_*` functions, which return `None` when the
//! event does not change the status.
//!
//! What may follow what (manual moves):
//!
//! | from | may move to |
//! |---|---|
//! | raw | inquiry, mql, accepted, qualifying, any exit |
//! | inquiry | mql, accepted, qualifying, any exit |
//! | mql | accepted, qualifying, qualified, any exit |
//! | accepted | qualifying, qualified, any exit |
//! | qualifying | qualified, any exit |
//! | qualified | recycle, disqualified (the AE rejected the meeting or the deal died) |
//! | recycle | mql, accepted, qualifying, disqualified, bad_data, ineligible |
//! | bad_data | mql, accepted, qualifying, disqualified, ineligible (the data was fixed) |
//! | disqualified | nothing — terminal |
//! | ineligible | nothing — terminal |
//!
//! Nothing ever moves back to raw or inquiry: those describe how a person arrived, not where they
//! are. Disqualified and Ineligible are terminal because they are facts about the person (a
//! student, a competitor, a support request); if they come back with a new role they come back as
//! a new lead. Unsubscribing disqualifies from any status: it is the person's decision, not ours.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::records::qualification::Evaluation;
use crate::records::reasons::ReasonCatalog;
use crate::records::transition::TransitionError;

coded_enum! {
    /// Where a lead or contact is in the funnel.
    pub enum LeadStatus in "status" {
        /// Created by hand or import; nobody has looked yet.
        Raw => ("raw", "Raw"),
        /// Arrived by an inbound form or API, below the MQL score.
        Inquiry => ("inquiry", "Inquiry"),
        /// Marketing-qualified: the score reached the MQL threshold.
        Mql => ("mql", "MQL"),
        /// An SDR is working it (enrolled in a sequence or picked up by hand).
        Accepted => ("accepted", "Accepted"),
        /// In conversation: the person replied or talked to the SDR.
        Qualifying => ("qualifying", "Qualifying"),
        /// The qualification framework is satisfied; converted to contact, account and opportunity.
        Qualified => ("qualified", "Qualified"),
        /// Exit: not a buyer for us, ever (with a reason).
        Disqualified => ("disqualified", "Disqualified"),
        /// Exit: not now; back to nurture until re-scored (with a reason).
        Recycle => ("recycle", "Recycle"),
        /// Exit: the record cannot be worked as it is (with a reason).
        BadData => ("bad_data", "Bad data"),
        /// Exit: not a sales matter (with a reason).
        Ineligible => ("ineligible", "Ineligible"),
    }
}

/// The reason catalogue for lead and contact exits.
pub type LeadReasons = ReasonCatalog<LeadStatus>;

/// How long after a sequence finishes without a reply the person is recycled.
pub const RECYCLE_AFTER_NO_REPLY: Duration = Duration::days(7);

/// The reason the product records when a finished sequence got no reply.
pub const NO_RESPONSE: &str = "no_response";
/// The reason the product records when a person unsubscribes.
pub const UNSUBSCRIBE: &str = "unsubscribe";

impl LeadStatus {
    /// Whether this status is an exit, which needs a reason.
    pub fn is_exit(self) -> bool {
        matches!(
            self,
            LeadStatus::Disqualified | LeadStatus::Recycle | LeadStatus::BadData | LeadStatus::Ineligible
        )
    }

    /// Whether nothing may follow this status.
    pub fn is_terminal(self) -> bool {
        matches!(self, LeadStatus::Disqualified | LeadStatus::Ineligible)
    }

    /// Whether someone is still on the main path towards Qualified.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            LeadStatus::Raw
                | LeadStatus::Inquiry
                | LeadStatus::Mql
                | LeadStatus::Accepted
                | LeadStatus::Qualifying
        )
    }

    /// Every status a manual move may go to from `self` (Qualified among them where the
    /// qualification check may put it), in display order.
    pub fn allowed_next(self) -> Vec<LeadStatus> {
        LeadStatus::ALL
            .iter()
            .copied()
            .filter(|to| may_follow(self, *to))
            .collect()
    }
}

/// The default reason lists from GitLab's handbook.
pub fn default_lead_reasons() -> LeadReasons {
    ReasonCatalog::from_lists(
        &[
            (
                LeadStatus::Disqualified,
                &[
                    ("bad_buyer_profile", "Bad buyer profile"),
                    ("competitor", "Competitor"),
                    ("consultant", "Consultant"),
                    ("no_authority", "No authority"),
                    ("personal_use", "Personal use"),
                    ("student", "Student"),
                    ("unsubscribe", "Unsubscribe"),
                    ("no_longer_at_company", "No longer at company"),
                    ("export_control", "Export control"),
                    ("employee", "Employee"),
                ],
            ),
            (
                LeadStatus::Recycle,
                &[
                    ("no_budget", "No budget"),
                    ("no_interest", "No interest"),
                    ("no_response", "No response"),
                    ("not_ready_to_buy", "Not ready to buy"),
                    ("in_current_contract", "In current contract"),
                    ("evaluating", "Evaluating"),
                    ("doesnt_see_value", "Doesn't see value"),
                    ("product_limitation", "Product limitation"),
                    ("staying_with_incumbent", "Staying with incumbent"),
                ],
            ),
            (
                LeadStatus::BadData,
                &[
                    ("bad_phone", "Bad phone"),
                    ("bounced_email", "Bounced email"),
                    ("invalid_email", "Invalid email"),
                    ("no_data", "No data"),
                    ("spam", "Spam"),
                ],
            ),
            (
                LeadStatus::Ineligible,
                &[
                    ("support_request", "Support request"),
                    ("community_contributor", "Community contributor"),
                ],
            ),
        ],
        &[NO_RESPONSE, UNSUBSCRIBE, "bounced_email"],
    )
}

/// A status change that passed the rules, ready for the app to store and log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The status before.
    pub from: LeadStatus,
    /// The status after.
    pub to: LeadStatus,
    /// The reason code, present exactly when `to` is an exit.
    pub reason: Option<String>,
    /// Whether the product made the move (an event) rather than a person.
    pub automatic: bool,
}

impl Transition {
    /// Whether this move makes the person an MQL, so the app updates its [`MqlHistory`].
    pub fn counts_as_mql(&self) -> bool {
        self.to == LeadStatus::Mql
    }
}

/// A manual move from `from` to `to`. Refuses moves the table does not allow (409), exits without
/// an active reason from their list and reasons on non-exits (422), and Qualified, which only
/// [`qualify`] may grant (422, code `qualification_required`).
pub fn transition(
    from: LeadStatus,
    to: LeadStatus,
    reason: Option<&str>,
    catalogue: &LeadReasons,
) -> Result<Transition, TransitionError<LeadStatus>> {
    if !may_follow(from, to) {
        return Err(illegal(from, to));
    }
    if to == LeadStatus::Qualified {
        let message = "qualified is set by the qualification check: record the framework's answers instead";
        return Err(Invalid::new("status", "qualification_required", message).into());
    }
    let reason = if to.is_exit() {
        Some(catalogue.require(to, reason)?.code.clone())
    } else {
        if reason.is_some_and(|r| !r.trim().is_empty()) {
            let message =
                format!("{to} takes no reason: only disqualified, recycle, bad_data and ineligible do");
            return Err(Invalid::new("reason", "reason_not_applicable", message).into());
        }
        None
    };
    Ok(Transition {
        from,
        to,
        reason,
        automatic: false,
    })
}

/// Moves to Qualified when the framework is satisfied. Refuses the move from a status Qualified
/// may not follow (409), and an unsatisfied evaluation with what is missing (422, field
/// `qualification`).
pub fn qualify(from: LeadStatus, evaluation: &Evaluation) -> Result<Transition, TransitionError<LeadStatus>> {
    if !may_follow(from, LeadStatus::Qualified) {
        return Err(illegal(from, LeadStatus::Qualified));
    }
    if let Some(refusal) = evaluation.refusal() {
        return Err(refusal.into());
    }
    Ok(Transition {
        from,
        to: LeadStatus::Qualified,
        reason: None,
        automatic: false,
    })
}

/// A person was enrolled in a sequence: someone is working them now, so they become Accepted
/// (from raw, inquiry, mql, recycle or bad_data; later statuses are not moved back).
pub fn on_enrolled(from: LeadStatus) -> Option<Transition> {
    automatic(from, LeadStatus::Accepted, None)
}

/// The person replied: they are in conversation, so Qualifying (from any status that allows it;
/// never out of a terminal status).
pub fn on_reply(from: LeadStatus) -> Option<Transition> {
    automatic(from, LeadStatus::Qualifying, None)
}

/// The score crossed the MQL threshold: an earlier-stage or recycled person becomes an MQL
/// again. The app then calls [`MqlHistory::record`].
pub fn on_mql_score(from: LeadStatus) -> Option<Transition> {
    automatic(from, LeadStatus::Mql, None)
}

/// A sequence finished at `finished_at` with no reply. From [`RECYCLE_AFTER_NO_REPLY`] later, a
/// person still on the path before Qualifying is recycled with reason `no_response`; before then,
/// or for anyone who is qualifying, qualified or exited, nothing changes.
pub fn on_sequence_finished_without_reply(
    from: LeadStatus,
    finished_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let waiting = matches!(
        from,
        LeadStatus::Raw | LeadStatus::Inquiry | LeadStatus::Mql | LeadStatus::Accepted
    );
    if !waiting || now < finished_at + RECYCLE_AFTER_NO_REPLY {
        return None;
    }
    automatic(from, LeadStatus::Recycle, Some(NO_RESPONSE))
}

/// The person unsubscribed: Disqualified with reason `unsubscribe` from any status except
/// Disqualified itself (whose original reason is kept). This overrides the table, because the
/// person's wish outranks the funnel. Never emailing them again is the suppression list's job,
/// not the status's.
pub fn on_unsubscribe(from: LeadStatus) -> Option<Transition> {
    (from != LeadStatus::Disqualified).then(|| Transition {
        from,
        to: LeadStatus::Disqualified,
        reason: Some(UNSUBSCRIBE.to_owned()),
        automatic: true,
    })
}

/// How often a person became an MQL, kept across recycles so reports can tell first-time MQLs
/// from returning ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqlHistory {
    /// How many times the person became an MQL.
    pub count: u32,
    /// When they first became an MQL; never changes once set.
    pub first_at: Option<DateTime<Utc>>,
    /// When they last became an MQL.
    pub last_at: Option<DateTime<Utc>>,
}

impl MqlHistory {
    /// The history after becoming an MQL at `now`: the count goes up, the first time is kept.
    pub fn record(self, now: DateTime<Utc>) -> MqlHistory {
        MqlHistory {
            count: self.count.saturating_add(1),
            first_at: self.first_at.or(Some(now)),
            last_at: Some(now),
        }
    }
}

/// The table of manual moves (see the module documentation).
fn may_follow(from: LeadStatus, to: LeadStatus) -> bool {
    use LeadStatus::*;
    if from == to || matches!(to, Raw | Inquiry) {
        return false;
    }
    match from {
        Raw | Inquiry | Mql | Accepted | Qualifying => {
            let forward = to.is_open() && rank(to) > rank(from);
            let qualifies = to == Qualified && matches!(from, Mql | Accepted | Qualifying);
            forward || qualifies || to.is_exit()
        }
        Qualified => matches!(to, Recycle | Disqualified),
        Recycle => matches!(
            to,
            Mql | Accepted | Qualifying | Disqualified | BadData | Ineligible
        ),
        BadData => matches!(to, Mql | Accepted | Qualifying | Disqualified | Ineligible),
        Disqualified | Ineligible => false,
    }
}

/// Position on the main path, for "forward only".
fn rank(status: LeadStatus) -> usize {
    LeadStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(usize::MAX)
}

fn illegal(from: LeadStatus, to: LeadStatus) -> TransitionError<LeadStatus> {
    TransitionError::Illegal {
        from,
        to,
        allowed: from.allowed_next(),
    }
}

fn automatic(from: LeadStatus, to: LeadStatus, reason: Option<&str>) -> Option<Transition> {
    may_follow(from, to).then(|| Transition {
        from,
        to,
        reason: reason.map(str::to_owned),
        automatic: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::qualification::{Answers, Framework};
    use LeadStatus::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn statuses_serialize_as_snake_case_codes_with_separate_labels() {
        assert_eq!(serde_json::to_string(&BadData).unwrap(), "\"bad_data\"");
        assert_eq!(BadData.label(), "Bad data");
        assert_eq!(LeadStatus::parse("status", "MQL").unwrap(), Mql);
        assert_eq!(
            LeadStatus::parse("status", "lost").unwrap_err().code,
            "unknown_value"
        );
    }

    #[test]
    fn disqualify_without_reason_is_rejected() {
        let err = transition(Accepted, Disqualified, None, &default_lead_reasons()).unwrap_err();
        assert!(!err.is_conflict());
        assert!(err.to_string().contains("student"), "{err}");
    }

    #[test]
    fn disqualify_with_unknown_reason_lists_the_allowed_reasons() {
        let err = transition(Accepted, Disqualified, Some("rude"), &default_lead_reasons()).unwrap_err();
        let TransitionError::Invalid(invalid) = err else {
            panic!("expected 422")
        };
        assert_eq!(
            (invalid.field.as_str(), invalid.code),
            ("reason", "unknown_value")
        );
        assert!(
            invalid.message.contains("bad_buyer_profile, competitor"),
            "{}",
            invalid.message
        );
    }

    #[test]
    fn reason_from_another_exit_list_is_refused() {
        assert!(transition(Accepted, Disqualified, Some("no_budget"), &default_lead_reasons()).is_err());
    }

    #[test]
    fn disqualify_with_reason_is_accepted() {
        let moved = transition(Qualifying, Disqualified, Some("student"), &default_lead_reasons()).unwrap();
        assert_eq!(moved.reason.as_deref(), Some("student"));
        assert!(!moved.automatic);
    }

    #[test]
    fn nothing_moves_back_to_raw_or_inquiry() {
        for from in LeadStatus::ALL {
            for to in [Raw, Inquiry] {
                if rank(*from) >= rank(to) || !from.is_open() {
                    let err = transition(*from, to, None, &default_lead_reasons()).unwrap_err();
                    assert!(err.is_conflict(), "{from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn illegal_move_names_what_is_allowed() {
        let err = transition(Qualifying, Accepted, None, &default_lead_reasons()).unwrap_err();
        assert!(err.is_conflict());
        assert_eq!(
            err.to_string(),
            "cannot move from qualifying to accepted: allowed from qualifying are qualified, disqualified, recycle, bad_data, ineligible"
        );
    }

    #[test]
    fn terminal_statuses_allow_nothing() {
        for from in [Disqualified, Ineligible] {
            assert!(from.is_terminal());
            assert!(from.allowed_next().is_empty());
            assert!(
                transition(from, Recycle, Some("no_budget"), &default_lead_reasons())
                    .unwrap_err()
                    .is_conflict()
            );
        }
    }

    #[test]
    fn reason_on_a_non_exit_is_refused() {
        let err = transition(Mql, Accepted, Some("student"), &default_lead_reasons()).unwrap_err();
        assert_eq!(err.code(), "reason_not_applicable");
    }

    #[test]
    fn qualified_is_only_reached_through_the_qualification_check() {
        let err = transition(Qualifying, Qualified, None, &default_lead_reasons()).unwrap_err();
        assert_eq!(err.code(), "qualification_required");

        let bant = Framework::soft_bant();
        let half: Answers = [("budget".to_owned(), true), ("need".to_owned(), true)].into();
        assert_eq!(qualify(Qualifying, &bant.evaluate(&half)).unwrap().to, Qualified);

        let one: Answers = [("budget".to_owned(), true)].into();
        let err = qualify(Qualifying, &bant.evaluate(&one)).unwrap_err();
        assert_eq!(err.code(), "not_qualified");
        assert!(qualify(Raw, &bant.evaluate(&half)).unwrap_err().is_conflict());
    }

    #[test]
    fn enrolment_accepts_but_never_moves_back() {
        assert_eq!(on_enrolled(Mql).unwrap().to, Accepted);
        assert_eq!(on_enrolled(Recycle).unwrap().to, Accepted);
        assert!(on_enrolled(Qualifying).is_none());
        assert!(on_enrolled(Disqualified).is_none());
    }

    #[test]
    fn reply_moves_to_qualifying() {
        let moved = on_reply(Accepted).unwrap();
        assert_eq!(moved.to, Qualifying);
        assert!(moved.automatic);
        assert!(on_reply(Ineligible).is_none());
    }

    #[test]
    fn finished_sequence_without_reply_recycles_after_seven_days() {
        assert!(on_sequence_finished_without_reply(Accepted, at(1), at(7)).is_none());
        let moved = on_sequence_finished_without_reply(Accepted, at(1), at(8)).unwrap();
        assert_eq!(
            (moved.to, moved.reason.as_deref()),
            (Recycle, Some("no_response"))
        );
        assert!(on_sequence_finished_without_reply(Qualifying, at(1), at(20)).is_none());
    }

    #[test]
    fn unsubscribe_disqualifies_from_anywhere_but_keeps_an_earlier_disqualification() {
        for from in LeadStatus::ALL.iter().filter(|s| **s != Disqualified) {
            let moved = on_unsubscribe(*from).unwrap();
            assert_eq!(
                (moved.to, moved.reason.as_deref()),
                (Disqualified, Some("unsubscribe"))
            );
        }
        assert!(on_unsubscribe(Disqualified).is_none());
    }

    #[test]
    fn recycled_person_becomes_mql_again_and_the_first_time_is_kept() {
        let moved = on_mql_score(Recycle).unwrap();
        assert!(moved.counts_as_mql());
        let history = MqlHistory::default().record(at(1)).record(at(9));
        assert_eq!(history.count, 2);
        assert_eq!(history.first_at, Some(at(1)));
        assert_eq!(history.last_at, Some(at(9)));
        assert!(on_mql_score(Accepted).is_none());
    }

    #[test]
    fn reason_catalogue_round_trips_as_json_keyed_by_status_code() {
        let json = serde_json::to_value(default_lead_reasons()).unwrap();
        assert_eq!(json["lists"]["bad_data"][1]["code"], "bounced_email");
        let back: LeadReasons = serde_json::from_value(json).unwrap();
        assert_eq!(back, default_lead_reasons());
    }

    #[test]
    fn system_reasons_cannot_be_retired_by_admins() {
        let mut reasons = default_lead_reasons();
        assert!(reasons.retire(Recycle, NO_RESPONSE).is_err());
        assert!(reasons.retire(Disqualified, UNSUBSCRIBE).is_err());
        assert!(reasons.retire(Disqualified, "student").is_ok());
    }
}
