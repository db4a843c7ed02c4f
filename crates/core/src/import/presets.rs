//! Which of our fields a column header means, as Salesforce, HubSpot and Pipedrive spell them, and which object
//! a header describes when the user leaves it to us.

use serde::{Deserialize, Serialize};

use super::fields::{Field, ObjectKind, normalise};

/// A family of header spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Salesforce API names (`FirstName`), report labels (`First Name`) and warehouse snake_case (`first_name`).
    Salesforce,
    /// HubSpot export labels (`Company Name`, `Lifecycle Stage`, `Record ID`).
    Hubspot,
    /// Pipedrive export labels (`Person - Name`, `Deal - Value`).
    Pipedrive,
    /// Whichever preset maps the most columns.
    #[default]
    Auto,
}

/// One spelling: a header (compared normalised) meaning `field`, on one object or (`None`) on any.
type Alias = (&'static str, Option<ObjectKind>, Field);

use Field::*;
use ObjectKind::{Account as A, Contact as C, Lead as L, Opportunity as O, Task as T};

const SALESFORCE: &[Alias] = &[
    ("Id", None, ExternalId),
    ("Lead ID", Some(L), ExternalId),
    ("Contact ID", Some(C), ExternalId),
    ("Account ID", Some(A), ExternalId),
    ("Opportunity ID", Some(O), ExternalId),
    ("Activity ID", Some(T), ExternalId),
    ("Mobile", None, MobilePhone),
    ("Name", Some(L), FullName),
    ("Name", Some(C), FullName),
    ("Name", Some(A), Company),
    ("Account Name", Some(A), Company),
    ("Name", Some(O), OpportunityName),
    ("Opportunity Name", None, OpportunityName),
    ("Company / Account", None, Company),
    ("Account Name", None, AccountName),
    ("AccountId", None, AccountRef),
    ("Street", None, Street),
    ("BillingStreet", Some(A), Street),
    ("BillingCity", Some(A), City),
    ("BillingState", Some(A), State),
    ("BillingPostalCode", Some(A), PostalCode),
    ("BillingCountry", Some(A), Country),
    ("MailingStreet", Some(C), Street),
    ("MailingCity", Some(C), City),
    ("MailingState", Some(C), State),
    ("MailingPostalCode", Some(C), PostalCode),
    ("MailingCountry", Some(C), Country),
    ("State/Province", None, State),
    ("Zip/Postal Code", None, PostalCode),
    ("Zip", None, PostalCode),
    ("Lead Status", None, Status),
    ("Status", Some(L), Status),
    ("Status", Some(C), Status),
    ("Status", Some(T), TaskStatus),
    ("NumberOfEmployees", None, Employees),
    ("Employees", None, Employees),
    ("AnnualRevenue", None, AnnualRevenue),
    ("Revenue", None, AnnualRevenue),
    ("OwnerId", None, OwnerId),
    ("Owner Email", None, OwnerEmail),
    ("Owner.Email", None, OwnerEmail),
    ("Lead Owner", None, OwnerName),
    ("Contact Owner", None, OwnerName),
    ("Account Owner", None, OwnerName),
    ("Opportunity Owner", None, OwnerName),
    ("Assigned", None, OwnerName),
    ("CreatedDate", None, CreatedAt),
    ("Created Date", None, CreatedAt),
    ("LastModifiedDate", None, LastModifiedAt),
    ("DoNotCall", None, DoNotCall),
    ("HasOptedOutOfEmail", None, HasOptedOutOfEmail),
    ("Email Opt Out", None, HasOptedOutOfEmail),
    ("StageName", None, Stage),
    ("Stage", None, Stage),
    ("CloseDate", None, CloseDate),
    ("Probability (%)", None, Probability),
    ("ActivityDate", None, DueDate),
    ("Due Date", None, DueDate),
    ("Type", Some(T), TaskType),
    ("Task Type", None, TaskType),
    ("CallDisposition", None, CallDisposition),
    ("Call Result", None, CallDisposition),
    ("CallDurationInSeconds", None, CallDurationSeconds),
    ("Call Duration", None, CallDurationSeconds),
    ("WhoId", None, WhoRef),
    ("WhatId", None, WhatRef),
    ("CompletedDateTime", None, CompletedAt),
];

const HUBSPOT: &[Alias] = &[
    ("Record ID", None, ExternalId),
    ("Contact ID", None, ExternalId),
    ("Company ID", None, ExternalId),
    ("Deal ID", None, ExternalId),
    ("Phone Number", None, Phone),
    ("Mobile Phone Number", None, MobilePhone),
    ("Job Title", None, Title),
    ("Company Name", None, Company),
    ("Name", Some(A), Company),
    ("Associated Company", None, AccountName),
    ("Website URL", None, Website),
    ("Company Domain Name", None, Website),
    ("Country/Region", None, Country),
    ("State/Region", None, State),
    ("Street Address", None, Street),
    ("Lead Status", None, Status),
    ("Lifecycle Stage", None, LifecycleStage),
    ("Original Source", None, LeadSource),
    ("Number of Employees", None, Employees),
    ("Contact owner", None, OwnerName),
    ("Company owner", None, OwnerName),
    ("Deal owner", None, OwnerName),
    ("Create Date", None, CreatedAt),
    ("Last Modified Date", None, LastModifiedAt),
    ("Deal Name", None, OpportunityName),
    ("Deal Stage", None, Stage),
    ("Close Date", None, CloseDate),
    ("Deal probability", None, Probability),
    ("Task Title", None, Subject),
    ("Task Status", None, TaskStatus),
    ("Call outcome", None, CallDisposition),
];

const PIPEDRIVE: &[Alias] = &[
    ("Person - ID", None, ExternalId),
    ("Organization - ID", Some(A), ExternalId),
    ("Deal - ID", None, ExternalId),
    ("Person - Name", None, FullName),
    ("Person - First name", None, FirstName),
    ("Person - Last name", None, LastName),
    ("Person - Email", None, Email),
    ("Person - Email - Work", None, Email),
    ("Person - Phone", None, Phone),
    ("Person - Phone - Work", None, Phone),
    ("Person - Phone - Mobile", None, MobilePhone),
    ("Person - Job title", None, Title),
    ("Person - Organization", Some(L), Company),
    ("Person - Organization", None, AccountName),
    ("Person - Owner", None, OwnerName),
    ("Person - Label", None, Status),
    ("Organization - Name", Some(A), Company),
    ("Organization - Name", Some(L), Company),
    ("Organization - Name", None, AccountName),
    ("Organization - Address", None, Street),
    ("Organization - Website", None, Website),
    ("Organization - Number of employees", None, Employees),
    ("Organization - Industry", None, Industry),
    ("Organization - Owner", None, OwnerName),
    ("Deal - Title", None, OpportunityName),
    ("Deal - Value", None, Amount),
    ("Deal - Stage", None, Stage),
    ("Deal - Expected close date", None, CloseDate),
    ("Deal - Probability", None, Probability),
    ("Deal - Owner", None, OwnerName),
    ("Deal - Organization", None, AccountName),
    ("Deal - Source", None, LeadSource),
    ("Activity - Subject", None, Subject),
    ("Activity - Type", None, TaskType),
    ("Activity - Due date", None, DueDate),
    ("Activity - Note", None, Description),
    ("Name", Some(A), Company),
];

impl Preset {
    /// Every concrete preset (not `Auto`).
    pub const CONCRETE: [Preset; 3] = [Preset::Salesforce, Preset::Hubspot, Preset::Pipedrive];

    fn aliases(self) -> &'static [Alias] {
        match self {
            Self::Salesforce => SALESFORCE,
            Self::Hubspot => HUBSPOT,
            Self::Pipedrive => PIPEDRIVE,
            Self::Auto => &[],
        }
    }

    /// The field `header` means on `object` under this preset; our own codes (`first_name`) match under every
    /// preset, so files we exported come back unchanged. `Auto` tries each preset in turn.
    pub fn field_for(self, header: &str, object: ObjectKind) -> Option<Field> {
        if self == Self::Auto {
            return Self::CONCRETE
                .iter()
                .find_map(|preset| preset.field_for(header, object));
        }
        let key = normalise(header);
        let aliases = self.aliases();
        let specific = aliases
            .iter()
            .find(|(alias, on, _)| *on == Some(object) && normalise(alias) == key);
        let general = || {
            aliases
                .iter()
                .find(|(alias, on, _)| on.is_none() && normalise(alias) == key)
        };
        let own = || {
            Field::ALL
                .iter()
                .find(|field| normalise(field.code()) == key)
                .map(|field| (key.as_str(), *field))
        };
        specific
            .or_else(general)
            .map(|(_, _, field)| *field)
            .or_else(|| own().map(|(_, field)| field))
            .filter(|field| field.applies_to(object))
    }

    /// How many of `headers` this preset maps on `object`.
    pub fn coverage(self, headers: &[String], object: ObjectKind) -> usize {
        headers
            .iter()
            .filter(|header| self.field_for(header, object).is_some())
            .count()
    }

    /// `Auto` resolved: the concrete preset mapping the most headers (Salesforce on a tie).
    pub fn resolve(self, headers: &[String], object: ObjectKind) -> Preset {
        if self != Self::Auto {
            return self;
        }
        let mut best = (Self::Salesforce, 0);
        for preset in Self::CONCRETE {
            let covered = preset.coverage(headers, object);
            if covered > best.1 {
                best = (preset, covered);
            }
        }
        best.0
    }
}

/// Guesses the object from the header: deal columns mean an opportunity, activity columns a task, people with a
/// company or lead status a lead, people with an account a contact, organisation columns an account.
pub fn guess_object(headers: &[String]) -> Option<ObjectKind> {
    let keys: Vec<String> = headers.iter().map(|header| normalise(header)).collect();
    let has = |names: &[&str]| names.iter().any(|name| keys.iter().any(|key| key == name));
    let has_prefix = |prefix: &str| keys.iter().any(|key| key.starts_with(prefix));
    if has(&[
        "stagename",
        "dealstage",
        "opportunityname",
        "dealname",
        "closedate",
        "expectedrevenue",
    ]) || has_prefix("deal")
    {
        return Some(ObjectKind::Opportunity);
    }
    if has(&[
        "whoid",
        "whatid",
        "calldisposition",
        "calldurationinseconds",
        "tasksubtype",
        "activitysubject",
    ]) || (has(&["subject"]) && has(&["activitydate", "duedate", "status", "priority"]))
    {
        return Some(ObjectKind::Task);
    }
    let person = has(&[
        "firstname",
        "lastname",
        "personname",
        "personfirstname",
        "fullname",
    ]);
    if person {
        if has(&[
            "company",
            "companyaccount",
            "leadstatus",
            "isconverted",
            "leadsource",
            "companyname",
        ]) && !has(&["accountid", "accountname", "contactid"])
        {
            return Some(ObjectKind::Lead);
        }
        return Some(ObjectKind::Contact);
    }
    if has(&[
        "name",
        "accountname",
        "companyname",
        "organizationname",
        "company",
    ]) && has(&[
        "industry",
        "numberofemployees",
        "employees",
        "annualrevenue",
        "website",
        "billingcity",
        "type",
    ]) {
        return Some(ObjectKind::Account);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn salesforce_api_names_report_labels_and_snake_case_meet() {
        for header in ["FirstName", "First Name", "first_name", "FIRSTNAME"] {
            assert_eq!(
                Preset::Salesforce.field_for(header, ObjectKind::Lead),
                Some(FirstName)
            );
        }
        assert_eq!(
            Preset::Salesforce.field_for("NumberOfEmployees", ObjectKind::Account),
            Some(Employees)
        );
        assert_eq!(
            Preset::Salesforce.field_for("number_of_employees", ObjectKind::Account),
            Some(Employees)
        );
        assert_eq!(
            Preset::Salesforce.field_for("CallDurationInSeconds", ObjectKind::Task),
            Some(CallDurationSeconds)
        );
        assert_eq!(
            Preset::Salesforce.field_for("ActivityDate", ObjectKind::Task),
            Some(DueDate)
        );
        assert_eq!(
            Preset::Salesforce.field_for("Id", ObjectKind::Contact),
            Some(ExternalId)
        );
        assert_eq!(
            Preset::Salesforce.field_for("AccountId", ObjectKind::Contact),
            Some(AccountRef)
        );
    }

    #[test]
    fn the_same_header_means_different_fields_on_different_objects() {
        assert_eq!(
            Preset::Salesforce.field_for("Status", ObjectKind::Lead),
            Some(Status)
        );
        assert_eq!(
            Preset::Salesforce.field_for("Status", ObjectKind::Task),
            Some(TaskStatus)
        );
        assert_eq!(
            Preset::Salesforce.field_for("Name", ObjectKind::Account),
            Some(Company)
        );
        assert_eq!(
            Preset::Salesforce.field_for("Name", ObjectKind::Opportunity),
            Some(OpportunityName)
        );
        assert_eq!(Preset::Salesforce.field_for("Amount", ObjectKind::Lead), None);
    }

    #[test]
    fn auto_picks_the_preset_that_maps_most_columns() {
        let hubspot = headers(&[
            "Record ID",
            "First Name",
            "Email",
            "Company Name",
            "Lifecycle Stage",
            "Contact owner",
        ]);
        assert_eq!(Preset::Auto.resolve(&hubspot, ObjectKind::Lead), Preset::Hubspot);
        let pipedrive = headers(&[
            "Person - Name",
            "Organization - Name",
            "Person - Email",
            "Deal - Value",
        ]);
        assert_eq!(
            Preset::Auto.resolve(&pipedrive, ObjectKind::Contact),
            Preset::Pipedrive
        );
        let salesforce = headers(&["Id", "FirstName", "LastName", "Company", "LeadSource", "Status"]);
        assert_eq!(
            Preset::Auto.resolve(&salesforce, ObjectKind::Lead),
            Preset::Salesforce
        );
    }

    #[test]
    fn the_object_is_guessed_from_telling_columns() {
        assert_eq!(
            guess_object(&headers(&["Name", "StageName", "Amount"])),
            Some(ObjectKind::Opportunity)
        );
        assert_eq!(
            guess_object(&headers(&["FirstName", "LastName", "Company", "Status"])),
            Some(ObjectKind::Lead)
        );
        assert_eq!(
            guess_object(&headers(&["lastName", "firstName", "accountId"])),
            Some(ObjectKind::Contact)
        );
        assert_eq!(
            guess_object(&headers(&["Subject", "WhoId", "Status"])),
            Some(ObjectKind::Task)
        );
        assert_eq!(
            guess_object(&headers(&["name", "industry", "website"])),
            Some(ObjectKind::Account)
        );
        assert_eq!(guess_object(&headers(&["colour", "size"])), None);
    }
}
