//! Salesforce DX sObject-tree JSON (`sf data import tree`) and its data plan, read into the same rows as CSV.
//!
//! A tree file holds `{"records":[{"attributes":{"type","referenceId"}, …fields}]}`; a record points at one saved
//! earlier with `"@AccountRef1"`. The `referenceId` becomes the row's `external_id`, and references keep the id
//! without the `@`, so `account_ref` on a contact equals `external_id` on its account.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value as Json;

use super::error::{ImportError, RowError};
use super::fields::ObjectKind;
use super::reader::Row;
use crate::Invalid;

/// The header name under which the `referenceId` is placed; our own code, so every preset maps it.
pub const REFERENCE_ID_COLUMN: &str = "external_id";

/// One sObject-tree file, flattened to a header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SObjectTree {
    /// The sObject type of the records (`Account`).
    pub sobject: String,
    /// Our object for that type, when we have one.
    pub object: Option<ObjectKind>,
    /// `external_id` then the field names in order of first appearance.
    pub header: Vec<String>,
    /// One row per record; `line` is the record's number (1-based).
    pub rows: Vec<Row>,
    /// Records or values we could not read (nested child records), each with its record number.
    pub errors: Vec<RowError>,
}

fn json_error(error: &serde_json::Error) -> ImportError {
    ImportError::Json {
        line: error.line() as u64,
        column: error.column() as u64,
        message: error.to_string(),
    }
}

fn shape_error(message: &str) -> ImportError {
    ImportError::Json {
        line: 0,
        column: 0,
        message: message.to_owned(),
    }
}

/// Reads one sObject-tree file.
pub fn parse_tree(bytes: &[u8]) -> Result<SObjectTree, ImportError> {
    let document: Json = serde_json::from_slice(bytes).map_err(|error| json_error(&error))?;
    let records = document
        .get("records")
        .and_then(Json::as_array)
        .ok_or_else(|| shape_error("not an sObject tree: expected {\"records\": [...]}"))?;
    let mut header = vec![REFERENCE_ID_COLUMN.to_owned()];
    let mut sobject = String::new();
    let mut pending: Vec<(u64, Vec<(usize, String)>)> = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let number = index as u64 + 1;
        let Some(fields) = record.as_object() else {
            let problem = Invalid::new("record", "not_a_record", "expected a JSON object");
            errors.push(RowError::new(number, None, None, problem));
            continue;
        };
        let mut values = Vec::new();
        if let Some(attributes) = fields.get("attributes") {
            if let Some(kind) = attributes.get("type").and_then(Json::as_str)
                && sobject.is_empty()
            {
                kind.clone_into(&mut sobject);
            }
            if let Some(reference) = attributes.get("referenceId").and_then(Json::as_str) {
                values.push((0, reference.to_owned()));
            }
        }
        for (name, value) in fields.iter().filter(|(name, _)| name.as_str() != "attributes") {
            let column = match header.iter().position(|existing| existing == name) {
                Some(column) => column,
                None => {
                    header.push(name.clone());
                    header.len() - 1
                }
            };
            let text = match value {
                Json::Null => continue,
                Json::String(text) => text.clone(),
                Json::Bool(_) | Json::Number(_) => value.to_string(),
                Json::Object(_) | Json::Array(_) => {
                    let message = format!(
                        "nested records under '{name}' are not read; import them as their own file in the data plan"
                    );
                    let problem = Invalid::new(name.as_str(), "nested_records", message);
                    errors.push(RowError::new(number, Some(column + 1), Some(name), problem));
                    continue;
                }
            };
            values.push((column, text));
        }
        pending.push((number, values));
    }
    let width = header.len();
    let rows = pending
        .into_iter()
        .map(|(line, values)| {
            let mut fields = vec![String::new(); width];
            for (column, text) in values {
                fields[column] = text;
            }
            Row { line, fields }
        })
        .collect();
    let object = ObjectKind::parse(&sobject);
    Ok(SObjectTree {
        sobject,
        object,
        header,
        rows,
        errors,
    })
}

/// One step of a data plan: the files of one sObject, loaded in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStep {
    /// The sObject type (`Account`).
    pub sobject: String,
    /// Tree files, relative to the plan.
    pub files: Vec<String>,
    /// Whether the records' referenceIds may be referred to by later steps.
    #[serde(default)]
    pub save_refs: bool,
    /// Whether `@Ref` values in these files point at records saved earlier.
    #[serde(default)]
    pub resolve_refs: bool,
}

/// Reads a `data-plan.json`: the steps in load order.
pub fn parse_data_plan(bytes: &[u8]) -> Result<Vec<PlanStep>, ImportError> {
    serde_json::from_slice(bytes).map_err(|error| json_error(&error))
}

/// The referenceIds saved by earlier steps of a plan, to check the `@Ref` values of later ones.
#[derive(Debug, Clone, Default)]
pub struct ReferenceBook {
    saved: HashSet<String>,
}

impl ReferenceBook {
    /// Remembers the referenceIds of `tree` (call for steps with `saveRefs`).
    pub fn save(&mut self, tree: &SObjectTree) {
        self.saved.extend(
            tree.rows
                .iter()
                .map(|row| row[0].clone())
                .filter(|id| !id.is_empty()),
        );
    }

    /// Every `@Ref` value in `tree` that no earlier step saved, with its record number and column.
    pub fn unresolved(&self, tree: &SObjectTree) -> Vec<RowError> {
        let mut errors = Vec::new();
        for row in &tree.rows {
            for (column, value) in row.fields.iter().enumerate().skip(1) {
                let Some(reference) = value.strip_prefix('@') else {
                    continue;
                };
                if !self.saved.contains(reference) {
                    let header = &tree.header[column];
                    let message =
                        format!("'{value}' refers to no record saved by an earlier step of the data plan");
                    let problem = Invalid::new(header.as_str(), "unresolved_reference", message);
                    errors.push(RowError::new(row.line, Some(column + 1), Some(header), problem));
                }
            }
        }
        errors
    }
}

impl std::ops::Index<usize> for Row {
    type Output = String;

    fn index(&self, column: usize) -> &String {
        &self.fields[column]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNTS: &str = r#"{"records":[{"attributes":{"type":"Account","referenceId":"AccountRef1"},"name":"Acme","NumberOfEmployees":12}]}"#;
    const CONTACTS: &str = r#"{"records":[
        {"attributes":{"type":"Contact","referenceId":"ContactRef1"},"lastName":"Lovelace","accountId":"@AccountRef1"},
        {"attributes":{"type":"Contact","referenceId":"ContactRef2"},"lastName":"Babbage","accountId":"@AccountRef9"}]}"#;

    #[test]
    fn records_become_rows_with_the_reference_id_first() {
        let tree = parse_tree(ACCOUNTS.as_bytes()).unwrap();
        assert_eq!(
            (tree.sobject.as_str(), tree.object),
            ("Account", Some(ObjectKind::Account))
        );
        assert_eq!(tree.header, ["external_id", "NumberOfEmployees", "name"]);
        assert_eq!(tree.rows[0].fields, ["AccountRef1", "12", "Acme"]);
    }

    #[test]
    fn references_to_unsaved_records_are_reported() {
        let mut book = ReferenceBook::default();
        book.save(&parse_tree(ACCOUNTS.as_bytes()).unwrap());
        let errors = book.unresolved(&parse_tree(CONTACTS.as_bytes()).unwrap());
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].code()), (2, "unresolved_reference"));
    }

    #[test]
    fn json_that_is_not_a_tree_is_refused_with_its_position() {
        let error = parse_tree(b"{\n  \"records\": [,]\n}").unwrap_err();
        assert!(matches!(error, ImportError::Json { line: 2, .. }), "{error}");
        assert!(matches!(parse_tree(b"[1,2]"), Err(ImportError::Json { .. })));
    }

    #[test]
    fn nested_child_records_are_reported_not_dropped_silently() {
        let text = r#"{"records":[{"attributes":{"type":"Account","referenceId":"A1"},"Name":"X","Contacts":{"records":[]}}]}"#;
        let tree = parse_tree(text.as_bytes()).unwrap();
        assert_eq!(tree.errors[0].code(), "nested_records");
    }
}
