//! Opportunity stages, numbered as in GitLab's handbook, and the moves between them.
//!
//! Stage 0 (Pending Acceptance) is where a booked meeting lands; the AE accepts it (→ 1
//! Discovery, which makes it a sales-accepted opportunity, SAO) or rejects it (→ 9 Unqualified,
//! with a reason, which tells the SDR's team lead). Open stages 1–6 may move forwards or backwards
//! (deals slip), to Closed Won, to Closed Lost (with a reason) or be marked Duplicate. Closed Won,
//! Closed Lost, Unqualified and Duplicate are terminal: reopening a deal is a new opportunity, so
//! the funnel counts stay honest. Nothing returns to stage 0.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::records::reasons::ReasonCatalog;
use crate::records::transition::TransitionError;

coded_enum! {
    /// Where an opportunity is.
    pub enum OpportunityStage in "stage" {
        /// 0: a booked meeting waiting for the AE to accept or reject it.
        PendingAcceptance => ("pending_acceptance", "Pending Acceptance"),
        /// 1: accepted by the AE; a sales-accepted opportunity (SAO).
        Discovery => ("discovery", "Discovery"),
        /// 2: scoping; a sales-qualified opportunity (SQO).
        Scoping => ("scoping", "Scoping"),
        /// 3: the prospect is evaluating the product.
        TechnicalEvaluation => ("technical_evaluation", "Technical Evaluation"),
        /// 4: a proposal is out.
        Proposal => ("proposal", "Proposal"),
        /// 5: negotiating terms.
        Negotiating => ("negotiating", "Negotiating"),
        /// 6: awaiting signature.
        AwaitingSignature => ("awaiting_signature", "Awaiting Signature"),
        /// Won.
        ClosedWon => ("closed_won", "Closed Won"),
        /// 8: lost, with a reason.
        ClosedLost => ("closed_lost", "Closed Lost"),
        /// 9: rejected by the AE at stage 0, with a reason.
        Unqualified => ("unqualified", "Unqualified"),
        /// 10: the same deal exists already.
        Duplicate => ("duplicate", "Duplicate"),
    }
}

/// The reason catalogue for Unqualified and Closed Lost.
pub type OpportunityReasons = ReasonCatalog<OpportunityStage>;

impl OpportunityStage {
    /// The handbook's stage number; Closed Won has none.
    pub fn number(self) -> Option<u8> {
        use OpportunityStage::*;
        match self {
            PendingAcceptance => Some(0),
            Discovery => Some(1),
            Scoping => Some(2),
            TechnicalEvaluation => Some(3),
            Proposal => Some(4),
            Negotiating => Some(5),
            AwaitingSignature => Some(6),
            ClosedWon => None,
            ClosedLost => Some(8),
            Unqualified => Some(9),
            Duplicate => Some(10),
        }
    }

    /// Whether the deal is still being worked (stages 0–6).
    pub fn is_open(self) -> bool {
        self.number().is_some_and(|n| n <= 6)
    }

    /// Whether nothing may follow this stage.
    pub fn is_terminal(self) -> bool {
        !self.is_open()
    }

    /// Whether an opportunity at this stage was sales-accepted (SAO): stages 1–6, Closed Won and
    /// Closed Lost (which can only be reached from stage 1 or later). The SDR who set the meeting
    /// keeps this credit whatever happens next.
    pub fn is_sao(self) -> bool {
        self.is_open() && self != OpportunityStage::PendingAcceptance
            || matches!(self, OpportunityStage::ClosedWon | OpportunityStage::ClosedLost)
    }

    /// Whether an opportunity at this stage is sales-qualified (SQO): stages 2–6 and Closed Won.
    /// Closed Lost may or may not have passed stage 2, so for it pass the furthest stage reached.
    pub fn is_sqo(self) -> bool {
        self.number().is_some_and(|n| (2..=6).contains(&n)) || self == OpportunityStage::ClosedWon
    }

    /// Whether a move to this stage needs a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, OpportunityStage::Unqualified | OpportunityStage::ClosedLost)
    }

    /// Every stage that may follow `self`, in display order.
    pub fn allowed_next(self) -> Vec<OpportunityStage> {
        OpportunityStage::ALL
            .iter()
            .copied()
            .filter(|to| may_follow(self, *to))
            .collect()
    }
}

/// The default reasons for rejecting (Unqualified) and losing (Closed Lost) an opportunity.
pub fn default_opportunity_reasons() -> OpportunityReasons {
    ReasonCatalog::from_lists(
        &[
            (
                OpportunityStage::Unqualified,
                &[
                    ("no_pain", "No pain identified"),
                    ("no_authority", "No authority"),
                    ("no_budget", "No budget"),
                    ("no_timeline", "No timeline"),
                    ("bad_fit", "Not a fit"),
                    ("no_show", "Prospect did not show"),
                ],
            ),
            (
                OpportunityStage::ClosedLost,
                &[
                    ("lost_to_competitor", "Lost to competitor"),
                    ("no_budget", "No budget"),
                    ("no_decision", "No decision"),
                    ("price", "Price"),
                    ("product_limitation", "Product limitation"),
                    ("timing", "Timing"),
                    ("went_dark", "Went dark"),
                ],
            ),
        ],
        &[],
    )
}

/// A stage change that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    /// The stage before.
    pub from: OpportunityStage,
    /// The stage after.
    pub to: OpportunityStage,
    /// The reason code, present exactly when `to` needs one.
    pub reason: Option<String>,
    /// Whether the SDR's team lead must be told (a rejected meeting).
    pub notify_team_lead: bool,
    /// Whether this change makes the opportunity an SAO for the first time (accepted at 0).
    pub becomes_sao: bool,
}

/// Moves an opportunity from `from` to `to`: refuses moves the rules do not allow (409) and a
/// missing, unknown or inapplicable reason (422, field `reason`).
pub fn change_stage(
    from: OpportunityStage,
    to: OpportunityStage,
    reason: Option<&str>,
    catalogue: &OpportunityReasons,
) -> Result<StageChange, TransitionError<OpportunityStage>> {
    if !may_follow(from, to) {
        return Err(TransitionError::Illegal {
            from,
            to,
            allowed: from.allowed_next(),
        });
    }
    let reason = if to.needs_reason() {
        Some(catalogue.require(to, reason)?.code.clone())
    } else {
        if reason.is_some_and(|r| !r.trim().is_empty()) {
            let message = format!("{to} takes no reason: only unqualified and closed_lost do");
            return Err(Invalid::new("reason", "reason_not_applicable", message).into());
        }
        None
    };
    Ok(StageChange {
        from,
        to,
        reason,
        notify_team_lead: to == OpportunityStage::Unqualified,
        becomes_sao: !from.is_sao() && to.is_sao(),
    })
}

fn may_follow(from: OpportunityStage, to: OpportunityStage) -> bool {
    use OpportunityStage::*;
    if from == to || to == PendingAcceptance {
        return false;
    }
    match from {
        PendingAcceptance => matches!(to, Discovery | Unqualified | Duplicate),
        Discovery | Scoping | TechnicalEvaluation | Proposal | Negotiating | AwaitingSignature => {
            to.is_open() || matches!(to, ClosedWon | ClosedLost | Duplicate)
        }
        ClosedWon | ClosedLost | Unqualified | Duplicate => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OpportunityStage::*;

    #[test]
    fn stages_carry_handbook_numbers_codes_and_labels() {
        assert_eq!(PendingAcceptance.number(), Some(0));
        assert_eq!(AwaitingSignature.number(), Some(6));
        assert_eq!(ClosedWon.number(), None);
        assert_eq!(Duplicate.number(), Some(10));
        assert_eq!(TechnicalEvaluation.code(), "technical_evaluation");
        assert_eq!(TechnicalEvaluation.label(), "Technical Evaluation");
    }

    #[test]
    fn accepting_a_meeting_makes_an_sao() {
        let change =
            change_stage(PendingAcceptance, Discovery, None, &default_opportunity_reasons()).unwrap();
        assert!(change.becomes_sao);
        assert!(!change.notify_team_lead);
    }

    #[test]
    fn rejecting_a_meeting_needs_a_reason_and_tells_the_team_lead() {
        let reasons = default_opportunity_reasons();
        assert_eq!(
            change_stage(PendingAcceptance, Unqualified, None, &reasons)
                .unwrap_err()
                .code(),
            "required"
        );
        let change = change_stage(PendingAcceptance, Unqualified, Some("no_show"), &reasons).unwrap();
        assert!(change.notify_team_lead);
    }

    #[test]
    fn unqualified_is_only_reachable_from_stage_zero() {
        let err = change_stage(
            Scoping,
            Unqualified,
            Some("no_show"),
            &default_opportunity_reasons(),
        )
        .unwrap_err();
        assert!(err.is_conflict());
        assert!(err.to_string().contains("closed_lost"), "{err}");
    }

    #[test]
    fn closed_lost_needs_a_reason_from_its_list() {
        let reasons = default_opportunity_reasons();
        assert_eq!(
            change_stage(Proposal, ClosedLost, Some("no_show"), &reasons)
                .unwrap_err()
                .code(),
            "unknown_value"
        );
        assert!(change_stage(Proposal, ClosedLost, Some("price"), &reasons).is_ok());
    }

    #[test]
    fn open_deals_may_slip_back_but_never_to_stage_zero() {
        let reasons = default_opportunity_reasons();
        assert!(change_stage(Proposal, Scoping, None, &reasons).is_ok());
        assert!(
            change_stage(Proposal, PendingAcceptance, None, &reasons)
                .unwrap_err()
                .is_conflict()
        );
        assert!(
            change_stage(PendingAcceptance, ClosedWon, None, &reasons)
                .unwrap_err()
                .is_conflict()
        );
    }

    #[test]
    fn closed_stages_are_terminal() {
        for stage in [ClosedWon, ClosedLost, Unqualified, Duplicate] {
            assert!(stage.is_terminal());
            assert!(stage.allowed_next().is_empty(), "{stage}");
        }
    }

    #[test]
    fn sao_and_sqo_follow_the_stage() {
        assert!(!PendingAcceptance.is_sao());
        assert!(Discovery.is_sao() && !Discovery.is_sqo());
        assert!(Scoping.is_sao() && Scoping.is_sqo());
        assert!(ClosedWon.is_sao() && ClosedWon.is_sqo());
        assert!(ClosedLost.is_sao() && !ClosedLost.is_sqo());
        assert!(!Unqualified.is_sao() && !Duplicate.is_sao());
    }
}
