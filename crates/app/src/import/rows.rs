//! One mapped row of a file turned into what the import writes: the same parsers as entry
//! (`NewPerson::parse`, `Domain::parse`, the lifecycle and stage codes), with every value refused
//! on the way reported where it sits and the rest of the row kept.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::import::mapping::Mapping;
use prospector_core::import::{Field, MappedRow, ObjectKind, RowError, Value};
use prospector_core::records::{Domain, NewPerson, RawPerson, Segment};
use prospector_store::import::ImportProblem;
use serde_json::Map;
use sha2::{Digest, Sha256};

/// Who should own the record, as the row says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OwnerRef {
    /// `Owner.Email` (lower-cased).
    pub email: Option<String>,
    /// `OwnerId`: another system's user id, with its column.
    pub external: Option<(String, Option<usize>)>,
}

/// A reference to another record by its external id, with the column it came from.
pub(crate) type Ref = Option<(String, Option<usize>)>;

/// A lead or contact ready to write.
#[derive(Debug, Clone)]
pub(crate) struct PersonDraft {
    pub new: NewPerson,
    pub status: Option<String>,
    pub do_not_call: Option<bool>,
    pub unsubscribed: Option<bool>,
    pub account_ref: Ref,
    pub account_name: Option<String>,
}

/// An account ready to write.
#[derive(Debug, Clone)]
pub(crate) struct AccountDraft {
    pub name: String,
    pub domain: Option<Domain>,
    pub employees: Option<i64>,
    pub segment: Option<String>,
    pub country: Option<String>,
}

/// An opportunity ready to write.
#[derive(Debug, Clone)]
pub(crate) struct OpportunityDraft {
    pub name: String,
    pub stage: Option<String>,
    pub amount_cents: Option<i64>,
    pub close_date: Option<NaiveDate>,
    pub next_step: Option<String>,
    pub account_ref: Ref,
    pub account_name: Option<String>,
}

/// A task ready to write.
#[derive(Debug, Clone)]
pub(crate) struct TaskDraft {
    pub title: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub who_ref: Ref,
    pub what_ref: Ref,
}

/// The object-specific part.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Person(Box<PersonDraft>),
    Account(AccountDraft),
    Opportunity(OpportunityDraft),
    Task(TaskDraft),
}

/// A row that passed: what to write, and the values refused on the way.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub line: u64,
    pub external_id: Option<String>,
    pub hash: String,
    pub body: Body,
    pub owner: OwnerRef,
    pub created_at: Option<DateTime<Utc>>,
    pub custom: Map<String, serde_json::Value>,
    pub issues: Vec<ImportProblem>,
}

/// A problem from the core reader, for the report.
pub(crate) fn problem_of(error: &RowError, refused: bool) -> ImportProblem {
    ImportProblem {
        line: i64::try_from(error.line).unwrap_or(i64::MAX),
        column: error.column.map(|c| i64::try_from(c).unwrap_or(i64::MAX)),
        header: error.header.clone(),
        field: error.problem.field.clone(),
        code: error.problem.code.to_owned(),
        message: error.problem.message.clone(),
        refused,
        file: None,
    }
}

/// A problem of `line` about our `field`, pinned to its column when the file has one.
pub(crate) fn problem_at(
    mapping: &Mapping,
    line: u64,
    field: Option<Field>,
    invalid: &Invalid,
    refused: bool,
) -> ImportProblem {
    let column = field.and_then(|f| mapping.column_of(f));
    ImportProblem {
        line: i64::try_from(line).unwrap_or(i64::MAX),
        column: column.map(|c| c as i64 + 1),
        header: column.map(|c| mapping.columns()[c].header.clone()),
        field: invalid.field.clone(),
        code: invalid.code.to_owned(),
        message: invalid.message.clone(),
        refused,
        file: None,
    }
}

fn text(row: &MappedRow, field: Field) -> Option<String> {
    match row.get(field)? {
        Value::Text(t) | Value::Code(t) | Value::Reference(t) => Some(t.clone()),
        Value::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

fn reference(mapping: &Mapping, row: &MappedRow, field: Field) -> Ref {
    text(row, field).map(|id| (id, mapping.column_of(field)))
}

fn instant(row: &MappedRow, field: Field) -> Option<DateTime<Utc>> {
    match row.get(field)? {
        Value::DateTime(t) => Some(*t),
        Value::Date(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        _ => None,
    }
}

fn flag(row: &MappedRow, field: Field) -> Option<bool> {
    match row.get(field)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn integer(row: &MappedRow, field: Field) -> Option<i64> {
    match row.get(field)? {
        Value::Integer(n) | Value::Money(n) => Some(*n),
        _ => None,
    }
}

fn row_hash(row: &MappedRow) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{:?}\u{1}{:?}", row.values, row.custom).as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// Which of our fields an `Invalid` from `NewPerson::parse` is about.
fn person_field(invalid: &Invalid) -> Option<Field> {
    Field::from_code(&invalid.field)
}

/// Turns a mapped row into a draft, or refuses it with the reason.
pub(crate) fn draft(mapping: &Mapping, row: MappedRow) -> Result<Draft, Box<ImportProblem>> {
    let object = mapping.object();
    let mut issues: Vec<ImportProblem> = row.issues.iter().map(|e| problem_of(e, false)).collect();
    let line = row.line;
    let refuse =
        |field: Option<Field>, invalid: Invalid| Box::new(problem_at(mapping, line, field, &invalid, true));
    let mut custom = Map::new();
    for (column, value) in &row.custom {
        let header = &mapping.columns()[*column].header;
        custom.insert(header.clone(), serde_json::Value::String(value.clone()));
    }
    let owner = OwnerRef {
        email: text(&row, Field::OwnerEmail).map(|e| e.to_lowercase()),
        external: reference(mapping, &row, Field::OwnerId),
    };
    let body = match object {
        ObjectKind::Lead | ObjectKind::Contact => {
            let (mut first, mut last) = (text(&row, Field::FirstName), text(&row, Field::LastName));
            if first.is_none()
                && last.is_none()
                && let Some(full) = text(&row, Field::FullName)
            {
                match full.rsplit_once(' ') {
                    Some((f, l)) => (first, last) = (Some(f.trim().to_owned()), Some(l.trim().to_owned())),
                    None => last = Some(full),
                }
            }
            let mut raw = RawPerson {
                first_name: first,
                last_name: last,
                email: text(&row, Field::Email),
                phone: text(&row, Field::Phone).or_else(|| text(&row, Field::MobilePhone)),
                title: text(&row, Field::Title),
                company: text(&row, Field::Company),
                country: text(&row, Field::Country),
                time_zone: None,
                source: text(&row, Field::LeadSource),
                custom_fields: None,
            };
            // The entry rules refuse a person for one bad optional value; an import keeps the
            // person without that value and reports it, unless nothing identifying is left.
            let new = loop {
                match NewPerson::parse(&raw) {
                    Ok(new) => break new,
                    Err(invalid) => {
                        let field = person_field(&invalid);
                        let slot = match invalid.field.as_str() {
                            _ if invalid.code == "required" => None,
                            "phone" => Some(&mut raw.phone),
                            "email" => Some(&mut raw.email),
                            "country" => Some(&mut raw.country),
                            "title" => Some(&mut raw.title),
                            "company" => Some(&mut raw.company),
                            "source" => Some(&mut raw.source),
                            "first_name" if raw.last_name.is_some() => Some(&mut raw.first_name),
                            "last_name" if raw.first_name.is_some() => Some(&mut raw.last_name),
                            _ => None,
                        };
                        let Some(slot) = slot.filter(|s| s.is_some()) else {
                            return Err(refuse(field, invalid));
                        };
                        *slot = None;
                        issues.push(problem_at(mapping, line, field, &invalid, false));
                    }
                }
            };
            let status = text(&row, Field::Status).or_else(|| text(&row, Field::LifecycleStage));
            Body::Person(Box::new(PersonDraft {
                new,
                status,
                do_not_call: flag(&row, Field::DoNotCall),
                unsubscribed: flag(&row, Field::HasOptedOutOfEmail),
                account_ref: reference(mapping, &row, Field::AccountRef),
                account_name: text(&row, Field::AccountName),
            }))
        }
        ObjectKind::Account => {
            let Some(name) = text(&row, Field::Company) else {
                return Err(refuse(
                    Some(Field::Company),
                    Invalid::new("company", "required", "an account needs a name"),
                ));
            };
            let domain = match text(&row, Field::Website) {
                Some(site) => match Domain::parse("website", &site) {
                    Ok(d) => Some(d),
                    Err(invalid) => {
                        issues.push(problem_at(mapping, line, Some(Field::Website), &invalid, false));
                        None
                    }
                },
                None => None,
            };
            let employees = integer(&row, Field::Employees);
            let country = match text(&row, Field::Country) {
                Some(c) => match prospector_core::records::Country::parse("country", &c) {
                    Ok(c) => Some(c.alpha2().to_owned()),
                    Err(invalid) => {
                        issues.push(problem_at(mapping, line, Some(Field::Country), &invalid, false));
                        None
                    }
                },
                None => None,
            };
            Body::Account(AccountDraft {
                name,
                domain,
                segment: employees
                    .and_then(|e| u32::try_from(e).ok())
                    .map(|e| Segment::for_employees(e).code().to_owned()),
                employees,
                country,
            })
        }
        ObjectKind::Opportunity => {
            let Some(name) = text(&row, Field::OpportunityName) else {
                return Err(refuse(
                    Some(Field::OpportunityName),
                    Invalid::new("opportunity_name", "required", "an opportunity needs a name"),
                ));
            };
            Body::Opportunity(OpportunityDraft {
                name,
                stage: text(&row, Field::Stage),
                amount_cents: integer(&row, Field::Amount),
                close_date: match row.get(Field::CloseDate) {
                    Some(Value::Date(d)) => Some(*d),
                    Some(Value::DateTime(t)) => Some(t.date_naive()),
                    _ => None,
                },
                next_step: text(&row, Field::NextStep),
                account_ref: reference(mapping, &row, Field::AccountRef),
                account_name: text(&row, Field::AccountName),
            })
        }
        ObjectKind::Task => Body::Task(TaskDraft {
            title: text(&row, Field::Subject).unwrap_or_else(|| "(no subject)".to_owned()),
            notes: text(&row, Field::Description),
            due_at: instant(&row, Field::DueDate),
            priority: text(&row, Field::Priority),
            status: text(&row, Field::TaskStatus),
            completed_at: instant(&row, Field::CompletedAt),
            who_ref: reference(mapping, &row, Field::WhoRef),
            what_ref: reference(mapping, &row, Field::WhatRef),
        }),
    };
    Ok(Draft {
        line,
        external_id: text(&row, Field::ExternalId),
        hash: row_hash(&row),
        body,
        owner,
        created_at: instant(&row, Field::CreatedAt),
        custom,
        issues,
    })
}

/// The text the search index holds for a person, as entry writes it.
pub(crate) fn person_search_body(new: &NewPerson) -> String {
    let name = [new.first_name.as_deref(), new.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [
        Some(name),
        new.email
            .as_ref()
            .map(|e: &Email| e.as_str().replace(['@', '.'], " ") + " " + e.as_str()),
        new.company.clone(),
        new.title.clone(),
        new.phone.as_ref().map(|p| p.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}
