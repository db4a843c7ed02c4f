//! The objects a file can hold and the fields of ours that its columns can fill, with how each value is read.

use serde::{Deserialize, Serialize};

use super::picklists::PicklistKind;

/// The kind of record a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A person not yet converted (Salesforce Lead).
    Lead,
    /// A person at an account (Salesforce Contact).
    Contact,
    /// An organisation (Salesforce Account).
    Account,
    /// A deal (Salesforce Opportunity).
    Opportunity,
    /// A task or logged activity (Salesforce Task; Events read the same way).
    Task,
}

impl ObjectKind {
    /// Every object, in the order the data plan of a CRM usually loads them.
    pub const ALL: [ObjectKind; 5] = [
        Self::Account,
        Self::Contact,
        Self::Lead,
        Self::Opportunity,
        Self::Task,
    ];

    /// The snake_case code (`lead`, `contact`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Contact => "contact",
            Self::Account => "account",
            Self::Opportunity => "opportunity",
            Self::Task => "task",
        }
    }

    /// The object for a code or a Salesforce sObject name (`Account`, `contact`, `Event` → task…).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "lead" | "leads" => Some(Self::Lead),
            "contact" | "contacts" | "person" | "people" => Some(Self::Contact),
            "account" | "accounts" | "company" | "companies" | "organization" => Some(Self::Account),
            "opportunity" | "opportunities" | "deal" | "deals" => Some(Self::Opportunity),
            "task" | "tasks" | "event" | "events" | "activity" | "activities" => Some(Self::Task),
            _ => None,
        }
    }
}

/// How the text of a column is turned into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Kept as trimmed text.
    Text,
    /// A whole number, thousands separators allowed.
    Integer,
    /// An amount of money, in cents.
    Money,
    /// A percentage from 0 to 100.
    Percent,
    /// Yes or no.
    Bool,
    /// A calendar date (also from a datetime or an Excel serial number).
    Date,
    /// An instant in UTC.
    DateTime,
    /// An identifier of another record (a Salesforce Id or an sObject-tree `@Ref`, without the `@`).
    Reference,
    /// A value from a list, mapped to our code.
    Picklist(PicklistKind),
}

macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $kind:expr, [$($object:ident),*];)*) => {
        /// A field of ours that a column can fill.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $($(#[$doc])* $variant,)*
        }

        impl Field {
            /// Every field, in the order the import summary lists them.
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The snake_case code used in mappings, the API and exports.
            pub fn code(self) -> &'static str {
                match self { $(Field::$variant => $code,)* }
            }

            /// How the field's text is read.
            pub fn kind(self) -> ValueKind {
                match self { $(Field::$variant => $kind,)* }
            }

            /// The objects that have this field.
            pub fn objects(self) -> &'static [ObjectKind] {
                match self { $(Field::$variant => &[$(ObjectKind::$object,)*],)* }
            }
        }
    };
}

use ValueKind::{Bool, Date, DateTime, Integer, Money, Percent, Picklist, Reference, Text};

fields! {
    /// The record's id in the system it came from (Salesforce `Id`, HubSpot `Record ID`, sObject `referenceId`).
    ExternalId = "external_id", Reference, [Lead, Contact, Account, Opportunity, Task];
    /// Given name.
    FirstName = "first_name", Text, [Lead, Contact];
    /// Family name.
    LastName = "last_name", Text, [Lead, Contact];
    /// The whole name when the file does not split it (Salesforce `Name` on a lead, Pipedrive `Person - Name`).
    FullName = "full_name", Text, [Lead, Contact];
    /// Email address (checked later by the email rules, not here).
    Email = "email", Text, [Lead, Contact];
    /// Main phone number.
    Phone = "phone", Text, [Lead, Contact, Account];
    /// Mobile phone number.
    MobilePhone = "mobile_phone", Text, [Lead, Contact];
    /// Job title.
    Title = "title", Text, [Lead, Contact];
    /// The organisation's name: a lead's company, or the account itself.
    Company = "company", Text, [Lead, Account];
    /// The name of the account a contact, deal or task belongs to, when the file has no account id.
    AccountName = "account_name", Text, [Contact, Opportunity, Task];
    /// Web site or domain.
    Website = "website", Text, [Lead, Account];
    /// Country name or code.
    Country = "country", Text, [Lead, Contact, Account];
    /// State, province or region.
    State = "state", Text, [Lead, Contact, Account];
    /// City.
    City = "city", Text, [Lead, Contact, Account];
    /// Street address.
    Street = "street", Text, [Lead, Contact, Account];
    /// Postal or ZIP code.
    PostalCode = "postal_code", Text, [Lead, Contact, Account];
    /// Where the lead came from.
    LeadSource = "lead_source", Picklist(PicklistKind::LeadSource), [Lead, Contact, Opportunity];
    /// Lead or contact status.
    Status = "status", Picklist(PicklistKind::LeadStatus), [Lead, Contact];
    /// HubSpot's lifecycle stage, mapped to our statuses like a lead status.
    LifecycleStage = "lifecycle_stage", Picklist(PicklistKind::LeadStatus), [Lead, Contact];
    /// Hot, warm, cold: kept as text because every CRM rates differently.
    Rating = "rating", Text, [Lead, Account];
    /// Industry.
    Industry = "industry", Text, [Lead, Account];
    /// Number of employees.
    Employees = "employees", Integer, [Lead, Account];
    /// Annual revenue.
    AnnualRevenue = "annual_revenue", Money, [Lead, Account];
    /// The owner's id in the system the file came from.
    OwnerId = "owner_id", Reference, [Lead, Contact, Account, Opportunity, Task];
    /// The owner's email address, the most reliable way to match a user.
    OwnerEmail = "owner_email", Text, [Lead, Contact, Account, Opportunity, Task];
    /// The owner's name as a report prints it (`Lead Owner`, `Contact owner`).
    OwnerName = "owner_name", Text, [Lead, Contact, Account, Opportunity, Task];
    /// The account a contact, deal or task belongs to, by its external id.
    AccountRef = "account_ref", Reference, [Contact, Opportunity, Task];
    /// When the record was created.
    CreatedAt = "created_at", DateTime, [Lead, Contact, Account, Opportunity, Task];
    /// When the record was last changed.
    LastModifiedAt = "last_modified_at", DateTime, [Lead, Contact, Account, Opportunity, Task];
    /// Free text.
    Description = "description", Text, [Lead, Contact, Account, Opportunity, Task];
    /// The person asked not to be called.
    DoNotCall = "do_not_call", Bool, [Lead, Contact];
    /// The person asked not to be emailed.
    HasOptedOutOfEmail = "has_opted_out_of_email", Bool, [Lead, Contact];
    /// The deal's name.
    OpportunityName = "opportunity_name", Text, [Opportunity];
    /// The deal's amount.
    Amount = "amount", Money, [Opportunity];
    /// The deal's stage.
    Stage = "stage", Picklist(PicklistKind::OpportunityStage), [Opportunity];
    /// When the deal is expected to close (or closed).
    CloseDate = "close_date", Date, [Opportunity];
    /// Probability of winning, 0–100.
    Probability = "probability", Percent, [Opportunity];
    /// The next step agreed.
    NextStep = "next_step", Text, [Opportunity];
    /// The task's subject line.
    Subject = "subject", Text, [Task];
    /// When the task is due (Salesforce `ActivityDate`).
    DueDate = "due_date", Date, [Task];
    /// Whether the task is open, done…
    TaskStatus = "task_status", Picklist(PicklistKind::TaskStatus), [Task];
    /// High, normal, low.
    Priority = "priority", Picklist(PicklistKind::TaskPriority), [Task];
    /// Call, email, meeting…
    TaskType = "task_type", Picklist(PicklistKind::TaskType), [Task];
    /// How a call ended.
    CallDisposition = "call_disposition", Picklist(PicklistKind::CallDisposition), [Task];
    /// How long a call lasted.
    CallDurationSeconds = "call_duration_seconds", Integer, [Task];
    /// The person the task is about (Salesforce `WhoId`: a lead or contact).
    WhoRef = "who_ref", Reference, [Task];
    /// The record the task is about (Salesforce `WhatId`: an account, deal…).
    WhatRef = "what_ref", Reference, [Task];
    /// When the task was completed.
    CompletedAt = "completed_at", DateTime, [Task];
}

impl Field {
    /// The field with this snake_case code.
    pub fn from_code(code: &str) -> Option<Field> {
        Self::ALL
            .iter()
            .copied()
            .find(|field| field.code() == code.trim())
    }

    /// Whether `object` has this field.
    pub fn applies_to(self, object: ObjectKind) -> bool {
        self.objects().contains(&object)
    }
}

/// The key under which headers and picklist values are compared: lower-case letters and digits only.
///
/// `FirstName`, `First Name`, `first_name`, `FIRSTNAME` and `"first_name"` all become `firstname`, which is how
/// Salesforce API names, report labels and warehouse exports of the same field meet.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_header_normalises_to_one_key() {
        for header in [
            "FirstName",
            "First Name",
            "first_name",
            "FIRSTNAME",
            "\"first_name\"",
            " first-name ",
        ] {
            assert_eq!(normalise(header), "firstname", "{header}");
        }
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for field in Field::ALL {
            assert_eq!(Field::from_code(field.code()), Some(*field));
        }
        let mut codes: Vec<_> = Field::ALL.iter().map(|field| field.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Field::ALL.len());
    }

    #[test]
    fn salesforce_object_names_parse() {
        assert_eq!(ObjectKind::parse("Account"), Some(ObjectKind::Account));
        assert_eq!(ObjectKind::parse("Event"), Some(ObjectKind::Task));
        assert_eq!(ObjectKind::parse("User"), None);
    }
}
