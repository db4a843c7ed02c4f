//! JSON shapes of the records API, kept apart from the stored types.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use prospector_app::records::people::{DuplicateMatch, TimelinePage};
use prospector_app::records::search::SearchResult;
use prospector_core::records::ActivityId;
use prospector_store::records::Count;
use prospector_store::records::accounts::Account;
use prospector_store::records::activities::Activity;
use prospector_store::records::merges::Merge;
use prospector_store::records::opportunities::Opportunity;
use prospector_store::records::people::{Person, PersonKind};
use prospector_store::records::tasks::Task;
use serde::Serialize;
use utoipa::ToSchema;

fn opt<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

/// A lead or contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    /// Opaque id.
    pub id: String,
    /// `lead` or `contact`.
    pub kind: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The name as shown.
    pub name: String,
    /// Email, lower-cased.
    pub email: Option<String>,
    /// Phone in E.164.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Company as given.
    pub company: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// Region: amer, emea, apac, latam.
    pub region: Option<String>,
    /// IANA time zone (derived from the country when not given).
    pub time_zone: Option<String>,
    /// Owner's user id; absent for the unowned pool.
    pub owner_id: Option<String>,
    /// raw, inquiry, mql, accepted, qualifying, qualified, disqualified, recycle, bad_data, ineligible.
    pub status: String,
    /// Reason code of an exit status.
    pub status_reason: Option<String>,
    /// Where they came from.
    pub source: Option<String>,
    /// Lead score.
    pub score: i64,
    /// How many times they became an MQL.
    pub mql_count: i64,
    /// When they first became an MQL.
    pub first_mql_at: Option<DateTime<Utc>>,
    /// Never call.
    pub do_not_call: bool,
    /// Unsubscribed from email.
    pub unsubscribed: bool,
    /// Qualification framework code.
    pub framework: Option<String>,
    /// Qualification answers: criterion code → met.
    #[schema(value_type = Object)]
    pub qualification: serde_json::Value,
    /// Custom fields.
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Send back as `version` or `If-Match` to refuse stale updates.
    pub version: i64,
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.to_string(),
            kind: match p.kind {
                PersonKind::Lead => "lead",
                PersonKind::Contact => "contact",
                PersonKind::Merged => "merged",
            }
            .into(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            name: p.full_name(),
            email: opt(p.email.as_ref()),
            phone: p.phone.clone(),
            title: p.title.clone(),
            company: p.company.clone(),
            account_id: opt(p.account_id),
            country: p.country.clone(),
            region: p.region.clone(),
            time_zone: p.time_zone.clone(),
            owner_id: opt(p.owner_id),
            status: p.status.code().into(),
            status_reason: p.status_reason.clone(),
            source: p.source.clone(),
            score: p.score,
            mql_count: p.mql_count,
            first_mql_at: p.first_mql_at,
            do_not_call: p.do_not_call,
            unsubscribed: p.unsubscribed,
            framework: p.framework.clone(),
            qualification: p.qualification.clone(),
            custom_fields: p.custom_fields.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    /// The people.
    pub items: Vec<PersonDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
    /// How many match, counted up to 10,000 (see `count_capped`); absent with `count=false`.
    pub count: Option<i64>,
    /// True when more than `count` match.
    pub count_capped: Option<bool>,
}

impl PersonList {
    pub(crate) fn new(items: &[Person], next_after: Option<String>, count: Option<Count>) -> Self {
        Self {
            items: items.iter().map(PersonDto::from).collect(),
            next_after,
            count: count.map(|c| c.value),
            count_capped: count.map(|c| c.capped),
        }
    }
}

/// Someone already stored whom the new person probably is.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateDto {
    /// The stored person's id.
    pub id: String,
    /// `lead` or `contact`.
    pub kind: String,
    /// How likely the two are one, 0–1.
    pub score: f64,
    /// What matched: email, phone or name.
    pub field: String,
    /// Their owner.
    pub owner_id: Option<String>,
    /// Name (only when you may see the person).
    pub name: Option<String>,
    /// Email (only when you may see the person).
    pub email: Option<String>,
}

impl From<&DuplicateMatch> for DuplicateDto {
    fn from(m: &DuplicateMatch) -> Self {
        Self {
            id: m.id.to_string(),
            kind: if m.kind == PersonKind::Contact {
                "contact"
            } else {
                "lead"
            }
            .into(),
            score: m.score,
            field: m.field.into(),
            owner_id: opt(m.owner_id),
            name: m.name.clone(),
            email: m.email.clone(),
        }
    }
}

/// The error part of a duplicate answer (the same shape as every error).
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateError {
    /// `duplicate`.
    pub code: String,
    /// What matched.
    pub message: String,
    /// `email`, `phone` or `name`.
    pub field: String,
}

/// The 409 answer to creating someone who exists: the error and the matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateBody {
    /// `{"code":"duplicate","message","field"}`.
    pub error: DuplicateError,
    /// Best first.
    pub matches: Vec<DuplicateDto>,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Web domains.
    pub domains: Vec<String>,
    /// Parent account.
    pub parent_id: Option<String>,
    /// Employees.
    pub employees: Option<i64>,
    /// large, mid_market, smb: the largest in the parent/child hierarchy.
    pub segment: Option<String>,
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Owner.
    pub owner_id: Option<String>,
    /// Assigned SDR.
    pub sdr_id: Option<String>,
    /// queued, actively_working, worked_this_year, restricted.
    pub prospecting_status: String,
    /// Developers.
    pub developer_count: Option<i64>,
    /// IT headcount.
    pub it_headcount: Option<i64>,
    /// `[{category, value, source, as_of}]`.
    #[schema(value_type = Vec<Object>)]
    pub tech_stack: serde_json::Value,
    /// Teams.
    #[schema(value_type = Vec<String>)]
    pub teams: serde_json::Value,
    /// Triggers.
    #[schema(value_type = Vec<String>)]
    pub triggers: serde_json::Value,
    /// Strategy.
    pub strategy: Option<String>,
    /// Next step date.
    pub next_step_on: Option<NaiveDate>,
    /// Custom fields.
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for If-Match.
    pub version: i64,
}

impl From<&Account> for AccountDto {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name.clone(),
            domains: a.domains.clone(),
            parent_id: opt(a.parent_id),
            employees: a.employees,
            segment: a.segment.clone(),
            country: a.country.clone(),
            region: a.region.clone(),
            owner_id: opt(a.owner_id),
            sdr_id: opt(a.sdr_id),
            prospecting_status: a.prospecting_status.clone(),
            developer_count: a.developer_count,
            it_headcount: a.it_headcount,
            tech_stack: a.tech_stack.clone(),
            teams: a.teams.clone(),
            triggers: a.triggers.clone(),
            strategy: a.strategy.clone(),
            next_step_on: a.next_step_on,
            custom_fields: a.custom_fields.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// The accounts.
    pub items: Vec<AccountDto>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
    /// How many match (up to 10,000).
    pub count: Option<i64>,
    /// True when more than `count` match.
    pub count_capped: Option<bool>,
}

/// An opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityDto {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Account.
    pub account_id: Option<String>,
    /// Main contact.
    pub person_id: Option<String>,
    /// Stage code (pending_acceptance … duplicate).
    pub stage: String,
    /// The handbook's stage number (none for closed_won).
    pub stage_number: Option<u8>,
    /// Reason for unqualified / closed_lost.
    pub stage_reason: Option<String>,
    /// AE.
    pub ae_id: Option<String>,
    /// SDR credited.
    pub sdr_id: Option<String>,
    /// Amount in cents.
    pub amount_cents: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Close date.
    pub close_date: Option<NaiveDate>,
    /// Next step.
    pub next_step: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for If-Match.
    pub version: i64,
}

impl From<&Opportunity> for OpportunityDto {
    fn from(o: &Opportunity) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            account_id: opt(o.account_id),
            person_id: opt(o.person_id),
            stage: o.stage.code().into(),
            stage_number: o.stage.number(),
            stage_reason: o.stage_reason.clone(),
            ae_id: opt(o.ae_id),
            sdr_id: opt(o.sdr_id),
            amount_cents: o.amount_cents,
            currency: o.currency.clone(),
            close_date: o.close_date,
            next_step: o.next_step.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

/// A page of opportunities.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityList {
    /// The opportunities.
    pub items: Vec<OpportunityDto>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
}

/// An activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// Opaque id.
    pub id: String,
    /// call, email, linkedin, meeting, note, status_change, retraction.
    pub kind: String,
    /// Person.
    pub person_id: Option<String>,
    /// Account.
    pub account_id: Option<String>,
    /// Opportunity.
    pub opportunity_id: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The kind's fields (disposition, duration_seconds, notes; direction, subject; text; from, to, reason …).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The activity this corrects (or, for a retraction, deletes as logged by mistake).
    pub corrects_id: Option<String>,
    /// Whether a call counted as a connect.
    pub is_connect: bool,
    /// Whether it was deleted as logged by mistake (a retraction names it or the version it corrects).
    pub retracted: bool,
    /// Who logged it.
    pub actor_id: Option<String>,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
}

impl From<&Activity> for ActivityDto {
    fn from(a: &Activity) -> Self {
        Self {
            id: a.id.to_string(),
            kind: a.kind.code().into(),
            person_id: opt(a.person_id),
            account_id: opt(a.account_id),
            opportunity_id: opt(a.opportunity_id),
            occurred_at: a.occurred_at,
            detail: serde_json::to_value(&a.detail).unwrap_or(serde_json::Value::Null),
            corrects_id: opt(a.corrects_id),
            is_connect: a.is_connect,
            retracted: false,
            actor_id: opt(a.actor_id),
            created_at: a.created_at,
        }
    }
}

impl ActivityDto {
    /// The activity with whether it was deleted as logged by mistake.
    pub fn with_retracted(a: &Activity, retracted: &HashSet<ActivityId>) -> Self {
        Self {
            retracted: retracted.contains(&a.id),
            ..Self::from(a)
        }
    }
}

/// A timeline page, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    /// Newest first.
    pub items: Vec<ActivityDto>,
    /// Pass as `before` for older entries.
    pub next_before: Option<String>,
}

impl From<TimelinePage> for Timeline {
    fn from(page: TimelinePage) -> Self {
        Self {
            items: page
                .items
                .iter()
                .map(|a| ActivityDto::with_retracted(a, &page.retracted))
                .collect(),
            next_before: page.next_before,
        }
    }
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    /// Opaque id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Details.
    pub notes: Option<String>,
    /// Due.
    pub due_at: DateTime<Utc>,
    /// high, normal, low.
    pub priority: String,
    /// open, done, cancelled.
    pub status: String,
    /// Owner.
    pub owner_id: Option<String>,
    /// Person.
    pub person_id: Option<String>,
    /// Account.
    pub account_id: Option<String>,
    /// Opportunity.
    pub opportunity_id: Option<String>,
    /// When done or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for If-Match.
    pub version: i64,
    /// The sequence step (Today work item) this task stands for, if it is one.
    pub step_id: Option<String>,
}

impl From<&Task> for TaskDto {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title.clone(),
            notes: t.notes.clone(),
            due_at: t.due_at,
            priority: t.priority.code().into(),
            status: t.status.code().into(),
            owner_id: opt(t.owner_id),
            person_id: opt(t.person_id),
            account_id: opt(t.account_id),
            opportunity_id: opt(t.opportunity_id),
            completed_at: t.completed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
            step_id: t.step_execution_id.map(|id| id.to_string()),
        }
    }
}

/// A page of tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    /// Soonest due first.
    pub items: Vec<TaskDto>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
}

/// A merge.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeDto {
    /// Opaque id; `POST /api/v1/merges/{id}/undo` undoes it.
    pub id: String,
    /// person or account.
    pub kind: String,
    /// The record kept.
    pub survivor_id: String,
    /// The record merged away.
    pub loser_id: String,
    /// When.
    pub merged_at: DateTime<Utc>,
    /// When it was undone.
    pub undone_at: Option<DateTime<Utc>>,
}

impl From<&Merge> for MergeDto {
    fn from(m: &Merge) -> Self {
        Self {
            id: m.id.to_string(),
            kind: m.kind.clone(),
            survivor_id: m.survivor_id.to_string(),
            loser_id: m.loser_id.to_string(),
            merged_at: m.merged_at,
            undone_at: m.undone_at,
        }
    }
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultDto {
    /// lead, contact, account or activity.
    pub kind: String,
    /// The record's id.
    pub id: String,
    /// What to show.
    pub title: String,
    /// Second line.
    pub subtitle: Option<String>,
    /// For activities: the person.
    pub person_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
}

impl From<&SearchResult> for SearchResultDto {
    fn from(r: &SearchResult) -> Self {
        Self {
            kind: r.kind.into(),
            id: r.id.to_string(),
            title: r.title.clone(),
            subtitle: r.subtitle.clone(),
            person_id: opt(r.person_id),
            account_id: opt(r.account_id),
        }
    }
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    /// Newest first; exact email matches first.
    pub items: Vec<SearchResultDto>,
}

/// What a conversion made.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConvertedDto {
    /// The person, now a contact.
    pub contact: PersonDto,
    /// The matched or new account.
    pub account: AccountDto,
    /// Whether the account was created.
    pub account_created: bool,
    /// The opportunity at stage 0.
    pub opportunity: OpportunityDto,
}
