//! What the upload page shows before anything is written: the columns and where each goes, the
//! first rows as they will be mapped, and the problems the file has by line and column — read by
//! the same reader and row rules as the import itself, so the preview cannot promise what the
//! import then refuses.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prospector_core::Invalid;
use prospector_core::import::fields::ValueKind;
use prospector_core::import::mapping::ColumnTarget;
use prospector_core::import::{Field, MappedRow, ObjectKind, Value};
use prospector_store::import::ImportProblem;
use serde::Serialize;

use super::rows::{draft, problem_of};
use super::{ImportOptions, Source, file_summary, open_source, preset_code, require_import};
use crate::{Actor, App, AppError, AppResult};

/// Problems listed in a preview; the rest are counted (the full list is the import's report).
pub const PREVIEW_PROBLEMS: usize = 100;

/// One column of the file and where its values go.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewColumn {
    /// 1-based, as in the error report.
    pub column: usize,
    /// The header as the file spells it.
    pub header: String,
    /// Our field code, `custom` (kept as a custom field) or `ignore`.
    pub target: String,
}

/// One row of the file as it will be mapped: a cell per column.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    /// Line of the file where the record starts.
    pub line: u64,
    /// The value each column gives, as it will be stored; empty when none.
    pub cells: Vec<String>,
    /// Whether the import will leave the whole row out.
    pub refused: bool,
}

/// A file read without writing anything.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    /// The object the rows will be imported as.
    pub object: String,
    /// The header preset that named the columns.
    pub preset: String,
    /// The file's encoding.
    pub encoding: String,
    /// Its delimiter (`json` for sObject trees).
    pub delimiter: String,
    /// Every column, in file order.
    pub columns: Vec<PreviewColumn>,
    /// The first rows.
    pub rows: Vec<PreviewRow>,
    /// The first [`PREVIEW_PROBLEMS`] problems of the whole file, in file order.
    pub problems: Vec<ImportProblem>,
    /// Records in the file.
    pub rows_total: u64,
    /// Records the import will leave out.
    pub refused_total: u64,
    /// Values the import will leave out of otherwise good records.
    pub issues_total: u64,
    /// Our fields a column of this object can fill, for the mapping editor.
    pub fields: Vec<&'static str>,
    /// Picklist values with no mapping of ours, and those the user mapped, for the value editor.
    pub picklist_choices: Vec<PicklistChoice>,
}

/// A picklist value of the file and what it becomes.
#[derive(Debug, Clone, Serialize)]
pub struct PicklistChoice {
    /// The list (`lead_status`, `opportunity_stage`, …).
    pub list: &'static str,
    /// The value as the file writes it.
    pub value: String,
    /// Rows with it that have no mapping (0 once the user mapped it).
    pub rows: u64,
    /// Our codes it may become.
    pub codes: &'static [&'static str],
    /// The user's choice, if any.
    pub chosen: Option<String>,
}

/// The unmapped values of the file plus the user's own value mappings.
fn picklist_choices(source: &Source, options: &ImportOptions) -> Vec<PicklistChoice> {
    let mut out = Vec::new();
    for (kind, entries) in &options.mapping.picklists.lists {
        for (value, code) in entries {
            out.push(PicklistChoice {
                list: kind.code(),
                value: value.clone(),
                rows: 0,
                codes: kind.codes(),
                chosen: Some(code.clone()),
            });
        }
    }
    if let Source::Csv(csv) = source {
        for ((field, value), rows) in &csv.summary().unmapped_values {
            let Some(ValueKind::Picklist(kind)) = Field::from_code(field).map(Field::kind) else {
                continue;
            };
            out.push(PicklistChoice {
                list: kind.code(),
                value: value.clone(),
                rows: *rows,
                codes: kind.codes(),
                chosen: None,
            });
        }
    }
    out
}

impl App {
    /// Checks that the file can be imported under `options` at all (it reads, the header maps,
    /// the edited mapping is coherent) and says which object its rows are.
    pub async fn import_header_check(
        &self,
        actor: &Actor,
        path: &Path,
        options: &ImportOptions,
    ) -> AppResult<ObjectKind> {
        require_import(actor)?;
        check_overrides(options)?;
        let source = open_source(path, options, Arc::new(AtomicU64::new(0)))?;
        Ok(source.mapping().object())
    }

    /// Reads the whole file under `options` without writing: the mapping, its first `rows` records
    /// as mapped, and every problem the rows have on their own (references to other records are
    /// checked by the import, against the database).
    pub async fn import_preview(
        &self,
        actor: &Actor,
        path: &Path,
        options: &ImportOptions,
        rows: usize,
    ) -> AppResult<ImportPreview> {
        require_import(actor)?;
        check_overrides(options)?;
        let mut source = open_source(path, options, Arc::new(AtomicU64::new(0)))?;
        let mapping = source.mapping().clone();
        let columns: Vec<PreviewColumn> = mapping
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| PreviewColumn {
                column: i + 1,
                header: c.header.clone(),
                target: match c.target {
                    ColumnTarget::Field(f) => f.code().to_owned(),
                    ColumnTarget::Custom => "custom".into(),
                    ColumnTarget::Ignored => "ignore".into(),
                },
            })
            .collect();
        let object = mapping.object();
        let mut preview_rows = Vec::new();
        let mut problems = Vec::new();
        let (mut total, mut refused, mut issues) = (0u64, 0u64, 0u64);
        let mut note = |found: Vec<ImportProblem>, problems: &mut Vec<ImportProblem>| {
            for p in found {
                if p.refused {
                    refused += 1;
                } else {
                    issues += 1;
                }
                if problems.len() < PREVIEW_PROBLEMS {
                    problems.push(p);
                }
            }
        };
        while let Some(row) = source.next_row() {
            total += 1;
            let (line, cells, found) = match row {
                Err(error) => (error.line, None, vec![problem_of(&error, true)]),
                Ok(mapped) => {
                    let line = mapped.line;
                    let cells =
                        (preview_rows.len() < rows).then(|| cells_of(&mapped, &mapping, columns.len()));
                    let found = match draft(&mapping, mapped) {
                        Ok(d) => d.issues,
                        Err(problem) => vec![*problem],
                    };
                    (line, cells, found)
                }
            };
            if preview_rows.len() < rows {
                preview_rows.push(PreviewRow {
                    line,
                    cells: cells.unwrap_or_else(|| vec![String::new(); columns.len()]),
                    refused: found.iter().any(|p| p.refused),
                });
            }
            note(found, &mut problems);
        }
        let (_, _, encoding, delimiter) = file_summary(&source);
        let picklist_choices = picklist_choices(&source, options);
        Ok(ImportPreview {
            object: object.code().to_owned(),
            preset: preset_code(mapping.preset()).to_owned(),
            encoding,
            delimiter,
            columns,
            rows: preview_rows,
            problems,
            rows_total: total,
            refused_total: refused,
            issues_total: issues,
            fields: Field::ALL
                .iter()
                .filter(|f| f.applies_to(object))
                .map(|f| f.code())
                .collect(),
            picklist_choices,
        })
    }
}

/// Two columns cannot fill one field: the second would silently win.
fn check_overrides(options: &ImportOptions) -> AppResult<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (header, target) in &options.mapping.columns {
        if matches!(target.as_str(), "custom" | "ignore") {
            continue;
        }
        if let Some(first) = seen.insert(target.as_str(), header.as_str()) {
            return Err(AppError::Invalid(Invalid::new(
                format!("mapping.{header}"),
                "duplicate_target",
                format!("“{first}” and “{header}” both go to {target}; choose one"),
            )));
        }
    }
    Ok(())
}

/// The cells of a mapped row in column order, each as it will be stored.
fn cells_of(row: &MappedRow, mapping: &prospector_core::import::Mapping, width: usize) -> Vec<String> {
    let mut cells = vec![String::new(); width];
    for (field, value) in &row.values {
        if let Some(i) = mapping.column_of(*field).filter(|i| *i < width) {
            cells[i] = shown(value);
        }
    }
    for (i, text) in &row.custom {
        if let Some(cell) = cells.get_mut(*i) {
            cell.clone_from(text);
        }
    }
    cells
}

fn shown(value: &Value) -> String {
    match value {
        Value::Text(t) | Value::Code(t) | Value::Reference(t) => t.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Money(cents) => format!("{}.{:02}", cents / 100, (cents % 100).abs()),
        Value::Percent(p) => format!("{p}%"),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::DateTime(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
