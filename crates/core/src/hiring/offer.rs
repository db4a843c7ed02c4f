//! An offer's life: drafted, approved by an ordered chain (hiring manager, then CEO, by default), sent,
//! then accepted, declined or expired. A rejection sends it back to draft so it can be revised and resubmitted.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::conflict::{Conflict, HiringError};
use crate::Invalid;

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Being prepared.
    Draft,
    /// Waiting on the approval chain.
    PendingApproval,
    /// Everyone approved; ready to send.
    Approved,
    /// With the candidate.
    Sent,
    /// The candidate said yes.
    Accepted,
    /// The candidate said no.
    Declined,
    /// The candidate did not answer in time.
    Expired,
}

impl OfferStatus {
    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::PendingApproval => "pending_approval",
            Self::Approved => "approved",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::PendingApproval => "Pending approval",
            Self::Approved => "Approved",
            Self::Sent => "Sent",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
            Self::Expired => "Expired",
        }
    }
}

/// An approver's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Go ahead.
    Approved,
    /// Not like this.
    Rejected,
}

/// One link of the approval chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalStep {
    /// Who approves: a role code (`hiring_manager`, `ceo`) or a user id, as the app assigns.
    pub approver: String,
    /// Their answer, once given.
    pub decision: Option<ApprovalDecision>,
    /// When they answered.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why, for a rejection.
    pub note: Option<String>,
}

/// The default approval chain, in order.
pub const DEFAULT_APPROVAL_CHAIN: [&str; 2] = ["hiring_manager", "ceo"];

/// An offer to one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// Where it stands.
    pub status: OfferStatus,
    /// The approvers in the order they must answer.
    pub chain: Vec<ApprovalStep>,
    /// The last rejection, kept after the offer returns to draft so the author sees why.
    pub last_rejection: Option<ApprovalStep>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// The answer is due before this instant.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the candidate answered (or it expired).
    pub closed_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// A draft with the given approval chain (at least one approver, no one twice).
    pub fn draft(approvers: &[&str]) -> Result<Offer, Invalid> {
        if approvers.iter().all(|a| a.trim().is_empty()) {
            return Err(Invalid::required("approvers"));
        }
        let mut chain: Vec<ApprovalStep> = Vec::new();
        for approver in approvers.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            if chain.iter().any(|s| s.approver == approver) {
                return Err(Invalid::new(
                    "approvers",
                    "duplicate",
                    format!("{approver} is in the chain twice"),
                ));
            }
            chain.push(ApprovalStep {
                approver: approver.to_owned(),
                decision: None,
                decided_at: None,
                note: None,
            });
        }
        Ok(Offer {
            status: OfferStatus::Draft,
            chain,
            last_rejection: None,
            sent_at: None,
            expires_at: None,
            closed_at: None,
        })
    }

    /// A draft with the default chain: hiring manager, then CEO.
    pub fn draft_with_default_chain() -> Result<Offer, Invalid> {
        Self::draft(&DEFAULT_APPROVAL_CHAIN)
    }

    /// Sends the draft for approval; the chain starts over.
    pub fn submit(&self) -> Result<Offer, Conflict> {
        self.require(OfferStatus::Draft, "submit")?;
        let mut next = self.clone();
        for step in &mut next.chain {
            step.decision = None;
            step.decided_at = None;
            step.note = None;
        }
        next.status = OfferStatus::PendingApproval;
        Ok(next)
    }

    /// Whose answer the offer waits for.
    pub fn next_approver(&self) -> Option<&str> {
        if self.status != OfferStatus::PendingApproval {
            return None;
        }
        self.chain
            .iter()
            .find(|s| s.decision.is_none())
            .map(|s| s.approver.as_str())
    }

    /// `approver` approves; refused unless it is their turn. The last approval makes the offer approved.
    pub fn approve(&self, approver: &str, now: DateTime<Utc>) -> Result<Offer, Conflict> {
        let index = self.turn_of(approver)?;
        let mut next = self.clone();
        next.chain[index].decision = Some(ApprovalDecision::Approved);
        next.chain[index].decided_at = Some(now);
        if next
            .chain
            .iter()
            .all(|s| s.decision == Some(ApprovalDecision::Approved))
        {
            next.status = OfferStatus::Approved;
        }
        Ok(next)
    }

    /// `approver` rejects with a reason; the offer goes back to draft.
    pub fn reject(&self, approver: &str, note: &str, now: DateTime<Utc>) -> Result<Offer, HiringError> {
        let note = crate::error::required_text("note", note, 2_000)?;
        let index = self.turn_of(approver)?;
        let mut next = self.clone();
        let mut step = next.chain[index].clone();
        step.decision = Some(ApprovalDecision::Rejected);
        step.decided_at = Some(now);
        step.note = Some(note);
        next.last_rejection = Some(step);
        next.status = OfferStatus::Draft;
        for step in &mut next.chain {
            step.decision = None;
            step.decided_at = None;
        }
        Ok(next)
    }

    /// Sends an approved offer, open for an answer until `expires_at`.
    pub fn send(&self, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<Offer, HiringError> {
        self.require(OfferStatus::Approved, "send")?;
        if expires_at <= now {
            return Err(
                Invalid::new("expires_at", "in_the_past", "the offer must expire in the future").into(),
            );
        }
        Ok(Offer {
            status: OfferStatus::Sent,
            sent_at: Some(now),
            expires_at: Some(expires_at),
            ..self.clone()
        })
    }

    /// The candidate accepts; refused once the offer has expired.
    pub fn accept(&self, now: DateTime<Utc>) -> Result<Offer, Conflict> {
        self.answer(OfferStatus::Accepted, now)
    }

    /// The candidate declines.
    pub fn decline(&self, now: DateTime<Utc>) -> Result<Offer, Conflict> {
        self.answer(OfferStatus::Declined, now)
    }

    /// Marks a sent offer expired once its time is up; any other offer is returned unchanged, so a sweeper
    /// can call this on everything.
    pub fn expire_if_due(&self, now: DateTime<Utc>) -> Offer {
        match self.expires_at {
            Some(expires_at) if self.status == OfferStatus::Sent && now >= expires_at => Offer {
                status: OfferStatus::Expired,
                closed_at: Some(expires_at),
                ..self.clone()
            },
            _ => self.clone(),
        }
    }

    fn answer(&self, to: OfferStatus, now: DateTime<Utc>) -> Result<Offer, Conflict> {
        let current = self.expire_if_due(now);
        if current.status == OfferStatus::Expired {
            return Err(Conflict::new("offer_expired", "the offer has expired"));
        }
        current.require(OfferStatus::Sent, "answer")?;
        Ok(Offer {
            status: to,
            closed_at: Some(now),
            ..current
        })
    }

    fn turn_of(&self, approver: &str) -> Result<usize, Conflict> {
        self.require(OfferStatus::PendingApproval, "approve or reject")?;
        let index = self
            .chain
            .iter()
            .position(|s| s.decision.is_none())
            .unwrap_or(self.chain.len());
        match self.chain.get(index) {
            Some(step) if step.approver == approver => Ok(index),
            Some(step) => Err(Conflict::new(
                "not_your_turn",
                format!("the offer is waiting for {}, not {approver}", step.approver),
            )),
            None => Err(Conflict::new("offer_not_pending", "every approver has answered")),
        }
    }

    fn require(&self, status: OfferStatus, action: &str) -> Result<(), Conflict> {
        if self.status == status {
            return Ok(());
        }
        Err(Conflict::new(
            "offer_wrong_status",
            format!(
                "cannot {action} an offer that is {}",
                self.status.label().to_lowercase()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, day, 12, 0, 0).unwrap()
    }

    fn approved() -> Offer {
        let offer = Offer::draft_with_default_chain().unwrap().submit().unwrap();
        offer
            .approve("hiring_manager", t(1))
            .unwrap()
            .approve("ceo", t(2))
            .unwrap()
    }

    #[test]
    fn approvals_go_in_order_then_the_offer_is_approved() {
        let offer = Offer::draft_with_default_chain().unwrap().submit().unwrap();
        assert_eq!(offer.next_approver(), Some("hiring_manager"));
        assert_eq!(offer.approve("ceo", t(1)).unwrap_err().code, "not_your_turn");
        let offer = offer.approve("hiring_manager", t(1)).unwrap();
        assert_eq!(
            (offer.status, offer.next_approver()),
            (OfferStatus::PendingApproval, Some("ceo"))
        );
        let offer = offer.approve("ceo", t(2)).unwrap();
        assert_eq!(
            (offer.status, offer.next_approver()),
            (OfferStatus::Approved, None)
        );
    }

    #[test]
    fn a_rejection_returns_the_offer_to_draft_with_the_reason() {
        let offer = Offer::draft_with_default_chain().unwrap().submit().unwrap();
        let offer = offer.approve("hiring_manager", t(1)).unwrap();
        assert_eq!(offer.reject("ceo", " ", t(2)).unwrap_err().code(), "required");
        let offer = offer.reject("ceo", "Too high for the band", t(2)).unwrap();
        assert_eq!(offer.status, OfferStatus::Draft);
        assert_eq!(
            offer.last_rejection.as_ref().and_then(|r| r.note.as_deref()),
            Some("Too high for the band")
        );
        assert!(offer.chain.iter().all(|s| s.decision.is_none()));
        let resubmitted = offer.submit().unwrap();
        assert_eq!(resubmitted.next_approver(), Some("hiring_manager"));
    }

    #[test]
    fn sending_needs_approval_and_a_future_expiry() {
        let draft = Offer::draft_with_default_chain().unwrap();
        assert_eq!(draft.send(t(3), t(10)).unwrap_err().code(), "offer_wrong_status");
        assert_eq!(approved().send(t(3), t(3)).unwrap_err().code(), "in_the_past");
        let sent = approved().send(t(3), t(10)).unwrap();
        assert_eq!((sent.status, sent.sent_at), (OfferStatus::Sent, Some(t(3))));
    }

    #[test]
    fn a_sent_offer_is_accepted_or_declined_before_it_expires() {
        let sent = approved().send(t(3), t(10)).unwrap();
        assert_eq!(sent.accept(t(4)).unwrap().status, OfferStatus::Accepted);
        assert_eq!(sent.decline(t(4)).unwrap().status, OfferStatus::Declined);
        assert_eq!(sent.accept(t(10)).unwrap_err().code, "offer_expired");
        let expired = sent.expire_if_due(t(11));
        assert_eq!(
            (expired.status, expired.closed_at),
            (OfferStatus::Expired, Some(t(10)))
        );
        assert_eq!(
            sent.expire_if_due(t(10) - TimeDelta::seconds(1)).status,
            OfferStatus::Sent
        );
        assert_eq!(expired.accept(t(11)).unwrap_err().code, "offer_expired");
    }

    #[test]
    fn an_answered_offer_cannot_be_answered_again() {
        let accepted = approved().send(t(3), t(10)).unwrap().accept(t(4)).unwrap();
        assert_eq!(accepted.decline(t(5)).unwrap_err().code, "offer_wrong_status");
    }

    #[test]
    fn the_chain_needs_someone_and_no_one_twice() {
        assert_eq!(Offer::draft(&[]).unwrap_err().code, "required");
        assert_eq!(Offer::draft(&["ceo", "ceo"]).unwrap_err().code, "duplicate");
        assert_eq!(Offer::draft(&["vp_sales"]).unwrap().chain.len(), 1);
    }

    #[test]
    fn statuses_serialize_as_codes() {
        assert_eq!(
            serde_json::to_string(&OfferStatus::PendingApproval).unwrap(),
            "\"pending_approval\""
        );
    }
}
