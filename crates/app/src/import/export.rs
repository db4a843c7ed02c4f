//! Exporting records as Salesforce Bulk API 2.0 CSV (API-name headers, ISO-8601 instants) or as our
//! own field codes, streamed a page at a time. What an export writes, an import reads back unchanged.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use prospector_core::import::ObjectKind;
use prospector_store::import as store;
use prospector_store::{Exec, Row};
use uuid::Uuid;

use super::csv_cell;
use crate::{Actor, App, AppError, AppResult};

/// Which header names to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Salesforce API names (`FirstName`).
    Salesforce,
    /// Our field codes (`first_name`).
    Csv,
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Which records.
    pub object: ObjectKind,
    /// Which header names.
    pub format: ExportFormat,
    /// Only records changed at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// What to write for an empty value (Salesforce's Bulk API takes `#N/A` to clear a field).
    pub null: String,
}

/// A column: Salesforce name, our code, and how to read it from a row.
struct Column {
    salesforce: &'static str,
    code: &'static str,
    read: fn(&Row, &Lookups) -> AppResult<Option<String>>,
}

/// Ids of other systems and account domains, read once per export.
struct Lookups {
    own: HashMap<Uuid, String>,
    accounts: HashMap<Uuid, String>,
    people: HashMap<Uuid, String>,
    opportunities: HashMap<Uuid, String>,
    domains: HashMap<Uuid, String>,
}

fn id_of(map: &HashMap<Uuid, String>, id: Option<Uuid>) -> Option<String> {
    id.map(|id| map.get(&id).cloned().unwrap_or_else(|| id.to_string()))
}

fn text(row: &Row, column: &str) -> AppResult<Option<String>> {
    Ok(row.get::<Option<String>>(column)?)
}

fn instant(row: &Row, column: &str) -> AppResult<Option<String>> {
    Ok(row
        .get::<Option<DateTime<Utc>>>(column)?
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)))
}

fn date(row: &Row, column: &str) -> AppResult<Option<String>> {
    Ok(row
        .get::<Option<NaiveDate>>(column)?
        .map(|d| d.format("%Y-%m-%d").to_string()))
}

fn uuid(row: &Row, column: &str) -> AppResult<Option<Uuid>> {
    Ok(row.get::<Option<Uuid>>(column)?)
}

macro_rules! col {
    ($sf:literal, $code:literal, |$row:ident, $l:ident| $body:expr) => {
        Column {
            salesforce: $sf,
            code: $code,
            read: |$row: &Row, $l: &Lookups| -> AppResult<Option<String>> {
                let _ = &$l;
                $body
            },
        }
    };
}

fn columns(object: ObjectKind) -> (&'static str, &'static str, Vec<Column>) {
    let person = |contact: bool| {
        let mut cols = vec![
            col!("Id", "external_id", |r, l| Ok(id_of(&l.own, uuid(r, "id")?))),
            col!("FirstName", "first_name", |r, l| text(r, "first_name")),
            col!("LastName", "last_name", |r, l| text(r, "last_name")),
            col!("Email", "email", |r, l| text(r, "email")),
            col!("Phone", "phone", |r, l| text(r, "phone")),
            col!("Title", "title", |r, l| text(r, "title")),
        ];
        if contact {
            cols.push(col!("AccountId", "account_ref", |r, l| Ok(id_of(
                &l.accounts,
                uuid(r, "account_id")?
            ))));
        } else {
            cols.push(col!("Company", "company", |r, l| text(r, "company")));
        }
        cols.extend([
            col!("Country", "country", |r, l| text(r, "country")),
            col!("Status", "status", |r, l| text(r, "status")),
            col!("LeadSource", "lead_source", |r, l| text(r, "source")),
            col!("CreatedDate", "created_at", |r, l| instant(r, "created_at")),
        ]);
        cols
    };
    match object {
        ObjectKind::Lead => ("people", "people.kind = 'lead'", person(false)),
        ObjectKind::Contact => ("people", "people.kind = 'contact'", person(true)),
        ObjectKind::Account => (
            "accounts",
            "accounts.merged_into IS NULL",
            vec![
                col!("Id", "external_id", |r, l| Ok(id_of(&l.own, uuid(r, "id")?))),
                col!("Name", "company", |r, l| text(r, "name")),
                col!("Website", "website", |r, l| Ok(
                    uuid(r, "id")?.and_then(|id| l.domains.get(&id).cloned())
                )),
                col!("NumberOfEmployees", "employees", |r, l| Ok(r
                    .get::<Option<i64>>("employees")?
                    .map(|n| n.to_string()))),
                col!("BillingCountry", "country", |r, l| text(r, "country")),
                col!("CreatedDate", "created_at", |r, l| instant(r, "created_at")),
            ],
        ),
        ObjectKind::Opportunity => (
            "opportunities",
            "1 = 1",
            vec![
                col!("Id", "external_id", |r, l| Ok(id_of(&l.own, uuid(r, "id")?))),
                col!("Name", "opportunity_name", |r, l| text(r, "name")),
                col!("AccountId", "account_ref", |r, l| Ok(id_of(
                    &l.accounts,
                    uuid(r, "account_id")?
                ))),
                col!("StageName", "stage", |r, l| text(r, "stage")),
                col!("Amount", "amount", |r, l| Ok(r
                    .get::<Option<i64>>("amount_cents")?
                    .map(|c| format!(
                        "{}{}.{:02}",
                        if c < 0 { "-" } else { "" },
                        c.abs() / 100,
                        c.abs() % 100
                    )))),
                col!("CloseDate", "close_date", |r, l| date(r, "close_date")),
                col!("NextStep", "next_step", |r, l| text(r, "next_step")),
                col!("CreatedDate", "created_at", |r, l| instant(r, "created_at")),
            ],
        ),
        ObjectKind::Task => (
            "tasks",
            "1 = 1",
            vec![
                col!("Id", "external_id", |r, l| Ok(id_of(&l.own, uuid(r, "id")?))),
                col!("Subject", "subject", |r, l| text(r, "title")),
                col!("Description", "description", |r, l| text(r, "notes")),
                col!("ActivityDate", "due_date", |r, l| Ok(r
                    .get::<Option<DateTime<Utc>>>("due_at")?
                    .map(|t| t.format("%Y-%m-%d").to_string()))),
                col!("Status", "task_status", |r, l| Ok(text(r, "status")?.map(|s| {
                    if s == "done" {
                        "Completed".to_owned()
                    } else {
                        "Not Started".to_owned()
                    }
                }))),
                col!("Priority", "priority", |r, l| Ok(text(r, "priority")?.map(
                    |p| match p.as_str() {
                        "high" => "High".to_owned(),
                        "low" => "Low".to_owned(),
                        _ => "Normal".to_owned(),
                    }
                ))),
                col!("WhoId", "who_ref", |r, l| Ok(id_of(
                    &l.people,
                    uuid(r, "person_id")?
                ))),
                col!("WhatId", "what_ref", |r, l| Ok(
                    match uuid(r, "opportunity_id")? {
                        Some(o) => id_of(&l.opportunities, Some(o)),
                        None => id_of(&l.accounts, uuid(r, "account_id")?),
                    }
                )),
                col!("CreatedDate", "created_at", |r, l| instant(r, "created_at")),
            ],
        ),
    }
}

impl App {
    /// Writes every record of `options.object` as CSV to `out`, a page at a time; returns the
    /// number of records written.
    pub async fn export_csv(
        &self,
        actor: &Actor,
        options: &ExportOptions,
        out: &mut dyn Write,
    ) -> AppResult<u64> {
        if actor
            .as_user()
            .is_some_and(|u| u.role != prospector_core::role::Role::Admin)
        {
            return Err(AppError::Forbidden("only admins export".into()));
        }
        let mut reader = self.store().reader();
        let system = "salesforce";
        let own_object = options.object.code();
        let mut people = store::external_ids_of(&mut reader, "lead", system).await?;
        people.extend(store::external_ids_of(&mut reader, "contact", system).await?);
        let lookups = Lookups {
            own: match options.object {
                ObjectKind::Lead | ObjectKind::Contact => people.clone(),
                _ => store::external_ids_of(&mut reader, own_object, system).await?,
            },
            accounts: store::external_ids_of(&mut reader, "account", system).await?,
            people,
            opportunities: store::external_ids_of(&mut reader, "opportunity", system).await?,
            domains: store::account_domains(&mut reader).await?,
        };
        let (table, filter, cols) = columns(options.object);
        let header: Vec<&str> = cols
            .iter()
            .map(|c| match options.format {
                ExportFormat::Salesforce => c.salesforce,
                ExportFormat::Csv => c.code,
            })
            .collect();
        let io = |e: std::io::Error| AppError::Internal(format!("writing the export failed: {e}"));
        writeln!(out, "{}", header.join(",")).map_err(io)?;
        let mut after = None;
        let mut written = 0u64;
        loop {
            let rows = store::export_page(
                &mut reader,
                table,
                &format!("{table}.*"),
                filter,
                options.since,
                after,
                5_000,
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.get::<Uuid>("id")?);
            let mut text = String::new();
            for row in &rows {
                let cells: AppResult<Vec<String>> = cols
                    .iter()
                    .map(|c| {
                        Ok((c.read)(row, &lookups)?
                            .filter(|v| !v.is_empty())
                            .map_or_else(|| options.null.clone(), |v| csv_cell(&v)))
                    })
                    .collect();
                text.push_str(&cells?.join(","));
                text.push('\n');
                written += 1;
            }
            out.write_all(text.as_bytes()).map_err(io)?;
            if rows.len() < 5_000 {
                break;
            }
        }
        let _ = reader.backend();
        Ok(written)
    }
}
