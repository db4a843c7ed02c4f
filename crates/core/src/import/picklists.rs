//! Salesforce, HubSpot and Pipedrive picklist values, mapped to Prospector's codes by an editable table.
//!
//! The defaults cover the values each CRM ships with; every org renames some, so the table is plain data that an
//! admin extends from the import screen or a TOML file. A value with no entry is reported, never guessed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fields::normalise;
use crate::Invalid;

/// A list whose values are mapped to our codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PicklistKind {
    /// Lead and contact status (and HubSpot lifecycle stage).
    LeadStatus,
    /// Lead source.
    LeadSource,
    /// Opportunity stage.
    OpportunityStage,
    /// Task status.
    TaskStatus,
    /// Task type.
    TaskType,
    /// Task priority.
    TaskPriority,
    /// Call disposition (how a call ended).
    CallDisposition,
}

impl PicklistKind {
    /// Every picklist.
    pub const ALL: [PicklistKind; 7] = [
        Self::LeadStatus,
        Self::LeadSource,
        Self::OpportunityStage,
        Self::TaskStatus,
        Self::TaskType,
        Self::TaskPriority,
        Self::CallDisposition,
    ];

    /// The snake_case code of the list.
    pub fn code(self) -> &'static str {
        match self {
            Self::LeadStatus => "lead_status",
            Self::LeadSource => "lead_source",
            Self::OpportunityStage => "opportunity_stage",
            Self::TaskStatus => "task_status",
            Self::TaskType => "task_type",
            Self::TaskPriority => "task_priority",
            Self::CallDisposition => "call_disposition",
        }
    }

    /// Our codes for this list: the only values a mapping may produce.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Self::LeadStatus => &[
                "raw",
                "inquiry",
                "mql",
                "accepted",
                "qualifying",
                "qualified",
                "disqualified",
                "recycle",
                "bad_data",
                "ineligible",
            ],
            Self::LeadSource => &[
                "web",
                "phone_inquiry",
                "contact_us",
                "trial",
                "webinar",
                "webcast",
                "gated_content",
                "event",
                "trade_show",
                "partner_referral",
                "employee_referral",
                "external_referral",
                "purchased_list",
                "advertisement",
                "organic_search",
                "paid_search",
                "social",
                "email",
                "outbound",
                "word_of_mouth",
                "public_relations",
                "other",
            ],
            Self::OpportunityStage => &[
                "pending_acceptance",
                "discovery",
                "scoping",
                "technical_evaluation",
                "proposal",
                "negotiating",
                "awaiting_signature",
                "closed_won",
                "closed_lost",
                "unqualified",
                "duplicate",
            ],
            Self::TaskStatus => &["open", "in_progress", "waiting", "deferred", "completed"],
            Self::TaskType => &["call", "email", "meeting", "linkedin", "task", "note", "other"],
            Self::TaskPriority => &["high", "normal", "low"],
            Self::CallDisposition => &[
                "connected",
                "left_voicemail",
                "no_answer",
                "bad_number",
                "meeting_booked",
                "not_interested",
            ],
        }
    }

    fn defaults(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::LeadStatus => &[
                // Salesforce's shipped values.
                ("Open - Not Contacted", "inquiry"),
                ("Working - Contacted", "accepted"),
                ("Closed - Converted", "qualified"),
                ("Closed - Not Converted", "disqualified"),
                ("Open", "inquiry"),
                ("New", "inquiry"),
                ("Contacted", "accepted"),
                ("Working", "accepted"),
                ("Converted", "qualified"),
                ("Unqualified", "disqualified"),
                ("Nurture", "recycle"),
                ("Nurturing", "recycle"),
                // GitLab's handbook statuses, with the spellings orgs use for them.
                ("Marketing Qualified", "mql"),
                ("Sales Accepted", "accepted"),
                ("Qualifying", "qualifying"),
                ("Recycled", "recycle"),
                ("Bad Data", "bad_data"),
                // HubSpot lead status and lifecycle stage (internal values and labels normalise alike).
                ("In Progress", "accepted"),
                ("Attempted to Contact", "accepted"),
                ("Connected", "qualifying"),
                ("Open Deal", "qualified"),
                ("Bad Timing", "recycle"),
                ("Subscriber", "raw"),
                ("Lead", "inquiry"),
                ("Marketing Qualified Lead", "mql"),
                ("Sales Qualified Lead", "qualifying"),
                ("Opportunity", "qualified"),
                ("Customer", "qualified"),
                ("Evangelist", "qualified"),
            ],
            Self::LeadSource => &[
                ("Web", "web"),
                ("Website", "web"),
                ("Phone Inquiry", "phone_inquiry"),
                ("Contact Us", "contact_us"),
                ("Free Trial", "trial"),
                ("Gated Content", "gated_content"),
                ("Seminar - Internal", "event"),
                ("Seminar - Partner", "event"),
                ("Conference", "event"),
                ("Partner", "partner_referral"),
                ("Partner Referral", "partner_referral"),
                ("Employee Referral", "employee_referral"),
                ("External Referral", "external_referral"),
                ("Referrals", "external_referral"),
                ("Purchased List", "purchased_list"),
                ("Vendor List", "purchased_list"),
                ("ZoomInfo", "purchased_list"),
                ("Advertisement", "advertisement"),
                ("Paid Social", "advertisement"),
                ("Organic Search", "organic_search"),
                ("Paid Search", "paid_search"),
                ("Social Media", "social"),
                ("LinkedIn", "social"),
                ("Email Marketing", "email"),
                ("Direct Traffic", "web"),
                ("Prospecting", "outbound"),
                ("SDR Generated", "outbound"),
                ("Word of mouth", "word_of_mouth"),
                ("Public Relations", "public_relations"),
                ("Offline", "other"),
                ("Other Campaigns", "other"),
            ],
            Self::OpportunityStage => &[
                ("Prospecting", "pending_acceptance"),
                ("Qualification", "discovery"),
                ("Needs Analysis", "scoping"),
                ("Value Proposition", "technical_evaluation"),
                ("Id. Decision Makers", "technical_evaluation"),
                ("Perception Analysis", "technical_evaluation"),
                ("Proposal/Price Quote", "proposal"),
                ("Negotiation/Review", "negotiating"),
                ("Closed Won", "closed_won"),
                ("Closed Lost", "closed_lost"),
                // GitLab's numbered stages.
                ("0-Pending Acceptance", "pending_acceptance"),
                ("1-Discovery", "discovery"),
                ("2-Scoping", "scoping"),
                ("3-Technical Evaluation", "technical_evaluation"),
                ("4-Proposal", "proposal"),
                ("5-Negotiating", "negotiating"),
                ("6-Awaiting Signature", "awaiting_signature"),
                ("7-Closed Won", "closed_won"),
                ("8-Closed Lost", "closed_lost"),
                ("9-Unqualified", "unqualified"),
                ("10-Duplicate", "duplicate"),
                // HubSpot's default pipeline.
                ("Appointment Scheduled", "discovery"),
                ("Qualified to Buy", "scoping"),
                ("Presentation Scheduled", "technical_evaluation"),
                ("Decision Maker Bought-In", "proposal"),
                ("Contract Sent", "awaiting_signature"),
                // Pipedrive's default pipeline.
                ("Qualified", "discovery"),
                ("Contact Made", "discovery"),
                ("Demo Scheduled", "scoping"),
                ("Proposal Made", "proposal"),
                ("Negotiations Started", "negotiating"),
                ("Won", "closed_won"),
                ("Lost", "closed_lost"),
            ],
            Self::TaskStatus => &[
                ("Not Started", "open"),
                ("In Progress", "in_progress"),
                ("Completed", "completed"),
                ("Waiting on someone else", "waiting"),
                ("Deferred", "deferred"),
                ("Done", "completed"),
                ("Closed", "completed"),
            ],
            Self::TaskType => &[
                ("Call", "call"),
                ("Email", "email"),
                ("Meeting", "meeting"),
                ("LinkedIn", "linkedin"),
                ("InMail", "linkedin"),
                ("To Do", "task"),
                ("Send Letter", "other"),
                ("Send Quote", "other"),
                ("Other", "other"),
            ],
            Self::TaskPriority => &[
                ("High", "high"),
                ("Normal", "normal"),
                ("Medium", "normal"),
                ("Low", "low"),
            ],
            Self::CallDisposition => &[
                ("Connected", "connected"),
                ("Left Voicemail", "left_voicemail"),
                ("Left VM", "left_voicemail"),
                ("Voicemail", "left_voicemail"),
                ("No Answer", "no_answer"),
                ("No Answer - No VM", "no_answer"),
                ("Busy", "no_answer"),
                ("Bad Number", "bad_number"),
                ("Wrong Number", "bad_number"),
                ("Disconnected", "bad_number"),
                ("Meeting Booked", "meeting_booked"),
                ("Meeting Set", "meeting_booked"),
                ("Meeting Scheduled", "meeting_booked"),
                ("Not Interested", "not_interested"),
            ],
        }
    }
}

/// Value → code tables per picklist; the defaults plus whatever the admin added (TOML-friendly).
///
/// Keys are compared after [`normalise`], so `Closed - Won`, `closed won` and `CLOSED_WON` are one value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PicklistMaps {
    /// For each list, the source value (as written) → our code.
    pub lists: BTreeMap<PicklistKind, BTreeMap<String, String>>,
}

impl PicklistMaps {
    /// The shipped mappings; each of our own codes also maps to itself, so our exports import unchanged.
    pub fn defaults() -> Self {
        let mut maps = Self::default();
        for kind in PicklistKind::ALL {
            let list = maps.lists.entry(kind).or_default();
            for code in kind.codes() {
                list.insert(normalise(code), (*code).to_owned());
            }
            for (value, code) in kind.defaults() {
                list.insert(normalise(value), (*code).to_owned());
            }
        }
        maps
    }

    /// Adds (or replaces) entries from `edits`, refusing codes that are not ours.
    pub fn merge(&mut self, edits: &PicklistMaps) -> Result<(), Invalid> {
        for (kind, entries) in &edits.lists {
            for (value, code) in entries {
                if !kind.codes().contains(&code.as_str()) {
                    return Err(Invalid::unknown_value(kind.code(), code, kind.codes()));
                }
                self.lists
                    .entry(*kind)
                    .or_default()
                    .insert(normalise(value), code.clone());
            }
        }
        Ok(())
    }

    /// Our code for `value` in `kind`, or `None` when the table has no entry (the caller reports it).
    pub fn lookup(&self, kind: PicklistKind, value: &str) -> Option<&str> {
        self.lists.get(&kind)?.get(&normalise(value)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_defaults_map_to_our_codes() {
        let maps = PicklistMaps::defaults();
        assert_eq!(
            maps.lookup(PicklistKind::LeadStatus, "Open - Not Contacted"),
            Some("inquiry")
        );
        assert_eq!(
            maps.lookup(PicklistKind::LeadStatus, "Closed - Not Converted"),
            Some("disqualified")
        );
        assert_eq!(maps.lookup(PicklistKind::LeadStatus, "MQL"), Some("mql"));
        assert_eq!(
            maps.lookup(PicklistKind::OpportunityStage, "Id. Decision Makers"),
            Some("technical_evaluation")
        );
        assert_eq!(
            maps.lookup(PicklistKind::OpportunityStage, "closedwon"),
            Some("closed_won")
        );
        assert_eq!(
            maps.lookup(PicklistKind::OpportunityStage, "9-Unqualified"),
            Some("unqualified")
        );
        assert_eq!(maps.lookup(PicklistKind::TaskStatus, "Not Started"), Some("open"));
        assert_eq!(
            maps.lookup(PicklistKind::CallDisposition, "Left VM"),
            Some("left_voicemail")
        );
    }

    #[test]
    fn every_default_targets_one_of_our_codes() {
        for kind in PicklistKind::ALL {
            for (value, code) in kind.defaults() {
                assert!(kind.codes().contains(code), "{value} → {code}");
            }
        }
    }

    #[test]
    fn unknown_values_stay_unmapped() {
        assert_eq!(PicklistMaps::defaults().lookup(PicklistKind::TaskType, "X"), None);
    }

    #[test]
    fn admin_edits_extend_the_table_and_bad_codes_are_refused() {
        let mut maps = PicklistMaps::defaults();
        let mut edits = PicklistMaps::default();
        edits
            .lists
            .entry(PicklistKind::LeadStatus)
            .or_default()
            .insert("Attempting Contact".into(), "accepted".into());
        maps.merge(&edits).unwrap();
        assert_eq!(
            maps.lookup(PicklistKind::LeadStatus, "attempting contact"),
            Some("accepted")
        );

        edits
            .lists
            .entry(PicklistKind::LeadStatus)
            .or_default()
            .insert("Hot".into(), "on_fire".into());
        assert_eq!(maps.merge(&edits).unwrap_err().code, "unknown_value");
    }

    #[test]
    fn the_table_round_trips_through_json_like_a_config_file() {
        let maps = PicklistMaps::defaults();
        let json = serde_json::to_string(&maps).unwrap();
        assert!(json.contains("\"opportunity_stage\""));
        assert_eq!(serde_json::from_str::<PicklistMaps>(&json).unwrap(), maps);
    }
}
