//! Account classification: the segment by employee count (for a whole parent/child hierarchy,
//! the largest member's), and where the account is in prospecting. The research landscape lives
//! in `research`, the web domain in `domain`.

coded_enum! {
    /// Company size band; routing and territories use it.
    pub enum Segment in "segment" {
        /// More than 2,000 employees.
        Large => ("large", "Large"),
        /// 101 to 2,000 employees.
        MidMarket => ("mid_market", "Mid-Market"),
        /// Up to 100 employees.
        Smb => ("smb", "SMB"),
    }
}

/// The most employees an SMB account has.
pub const SMB_MAX_EMPLOYEES: u32 = 100;
/// The most employees a Mid-Market account has; above this it is Large.
pub const MID_MARKET_MAX_EMPLOYEES: u32 = 2_000;

impl Segment {
    /// The segment for a company with `employees` people.
    pub fn for_employees(employees: u32) -> Segment {
        if employees <= SMB_MAX_EMPLOYEES {
            Segment::Smb
        } else if employees <= MID_MARKET_MAX_EMPLOYEES {
            Segment::MidMarket
        } else {
            Segment::Large
        }
    }
}

/// The segment for every account of a parent/child hierarchy, given each member's employee count:
/// the largest one's, because a subsidiary of a large group is sold to as part of that group.
/// `None` when no member's size is known.
pub fn segment_for_hierarchy(employee_counts: &[u32]) -> Option<Segment> {
    employee_counts.iter().copied().max().map(Segment::for_employees)
}

coded_enum! {
    /// Where an account is in the SDR's prospecting cycle.
    pub enum ProspectingStatus in "prospecting_status" {
        /// Assigned and waiting to be worked.
        Queued => ("queued", "Queued"),
        /// An SDR is working it now.
        ActivelyWorking => ("actively_working", "Actively working"),
        /// Worked earlier this year; wait before working it again.
        WorkedThisYear => ("worked_this_year", "Worked this year"),
        /// Must not be prospected (existing deal, legal or partner restriction).
        Restricted => ("restricted", "Restricted"),
    }
}

impl ProspectingStatus {
    /// Whether an SDR may start outbound work on the account.
    pub fn may_prospect(self) -> bool {
        matches!(
            self,
            ProspectingStatus::Queued | ProspectingStatus::ActivelyWorking
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_boundaries_follow_the_handbook() {
        assert_eq!(Segment::for_employees(0), Segment::Smb);
        assert_eq!(Segment::for_employees(100), Segment::Smb);
        assert_eq!(Segment::for_employees(101), Segment::MidMarket);
        assert_eq!(Segment::for_employees(2_000), Segment::MidMarket);
        assert_eq!(Segment::for_employees(2_001), Segment::Large);
    }

    #[test]
    fn hierarchy_takes_the_largest_member() {
        assert_eq!(segment_for_hierarchy(&[40, 2_500, 300]), Some(Segment::Large));
        assert_eq!(segment_for_hierarchy(&[40, 90]), Some(Segment::Smb));
        assert_eq!(segment_for_hierarchy(&[]), None);
    }

    #[test]
    fn codes_and_labels_are_separate() {
        assert_eq!(Segment::MidMarket.code(), "mid_market");
        assert_eq!(Segment::MidMarket.label(), "Mid-Market");
        assert_eq!(
            serde_json::to_string(&ProspectingStatus::WorkedThisYear).unwrap(),
            "\"worked_this_year\""
        );
        assert_eq!(
            ProspectingStatus::parse("prospecting_status", "paused")
                .unwrap_err()
                .field,
            "prospecting_status"
        );
    }

    #[test]
    fn restricted_accounts_are_not_prospected() {
        assert!(!ProspectingStatus::Restricted.may_prospect());
        assert!(ProspectingStatus::Queued.may_prospect());
    }
}
