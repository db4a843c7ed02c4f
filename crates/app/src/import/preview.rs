//! What the upload page shows before anything is written: the columns and where each goes, the
//! first rows as they will be mapped, and the problems the file has by line and column — read by
//! the same reader and row rules as the import itself, so the preview cannot promise what the
//! import then refuses.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::import::fields::ValueKind;
use prospector_core::import::mapping::ColumnTarget;
use prospector_core::import::{Field, MappedRow, ObjectKind, Value};
use prospector_store::import::{self as store, ImportProblem};
use serde::Serialize;

use super::batch_write::Written;
pub use super::outcomes::RowOutcome;
use super::outcomes::outcomes_of;
use super::plan::read_plan;
use super::plan_mapping::{check_file_mapping, step_options};
use super::references::{Ahead, Lookups};
use super::rows::{Draft, draft, problem_of};
use super::{ImportOptions, Source, file_summary, open_source, preset_code, require_import, system_of};
use crate::{Actor, App, AppError, AppResult};

/// Problems listed in a preview; the rest are counted (the full list is the import's report).
pub const PREVIEW_PROBLEMS: usize = 100;

/// The form field a refusal about column `header` of a single file names (a data plan's are in
/// [`super::plan_mapping`]).
pub fn column_field(header: &str) -> String {
    format!("mapping.{header}")
}

/// Each file of a data plan as it will be imported, in plan order.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPreview {
    /// The files.
    pub files: Vec<PlanFilePreview>,
    /// Records in all of them.
    pub rows_total: u64,
}

/// One file of a data plan, previewed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanFilePreview {
    /// Its name.
    pub file: String,
    /// What it holds and how it maps.
    pub preview: ImportPreview,
}

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
    /// What the import will do with it.
    pub outcome: RowOutcome,
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
    for ((field, value), rows) in source.unmapped_values() {
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
        check_overrides(&options.mapping.columns, column_field)?;
        let source = open_source(path, options, Arc::new(AtomicU64::new(0)))?;
        Ok(source.mapping().object())
    }

    /// Reads the whole file under `options` without writing: the mapping, its first `rows` records
    /// as mapped, and every problem the import will report — the rows' own, and references that
    /// name no stored record (the import's own check, asked before anything is written).
    pub async fn import_preview(
        &self,
        actor: &Actor,
        path: &Path,
        options: &ImportOptions,
        rows: usize,
    ) -> AppResult<ImportPreview> {
        require_import(actor)?;
        check_overrides(&options.mapping.columns, column_field)?;
        let mut source = open_source(path, options, Arc::new(AtomicU64::new(0)))?;
        let users = store::users_by_email(&mut self.store().reader()).await?;
        self.preview_source(&mut source, options, rows, &users, &mut Ahead::default())
            .await
    }

    /// Previews a data plan's files in plan order, each as [`App::import_preview`] would. A file's
    /// references may name records of the plan's earlier files (or earlier rows): those resolve,
    /// as they will when the import reaches them.
    pub async fn import_plan_preview(
        &self,
        actor: &Actor,
        plan_path: &Path,
        options: &ImportOptions,
        rows: usize,
    ) -> AppResult<PlanPreview> {
        require_import(actor)?;
        let users = store::users_by_email(&mut self.store().reader()).await?;
        let mut ahead = Ahead::default();
        let mut files = Vec::new();
        for file in read_plan(plan_path)? {
            let options = step_options(options, &file);
            check_file_mapping(&file, &options.mapping)?;
            let mut source = open_source(&file.path, &options, Arc::new(AtomicU64::new(0)))?;
            let preview = self
                .preview_source(&mut source, &options, rows, &users, &mut ahead)
                .await?;
            files.push(PlanFilePreview {
                file: file.name,
                preview,
            });
        }
        Ok(PlanPreview {
            rows_total: files.iter().map(|f| f.preview.rows_total).sum(),
            files,
        })
    }

    /// Reads `source` to its end, as the import would, writing nothing. The references of each
    /// chunk of rows are looked up together; `ahead` holds the records earlier rows (and earlier
    /// files of a plan) will have created, and grows with this file's.
    async fn preview_source(
        &self,
        source: &mut Source,
        options: &ImportOptions,
        rows: usize,
        users: &HashMap<String, UserId>,
        ahead: &mut Ahead,
    ) -> AppResult<ImportPreview> {
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
        let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let object = mapping.object();
        let system = system_of(mapping.preset());
        let mut preview_rows = Vec::new();
        let mut shown: Vec<(usize, Draft)> = Vec::new();
        let mut tally = Tally::default();
        let mut chunk: Vec<Result<Draft, Vec<ImportProblem>>> = Vec::new();
        let mut done = false;
        while !done {
            match source.next_row() {
                None => done = true,
                Some(row) => {
                    tally.total += 1;
                    let (line, cells, entry) = match row {
                        Err(error) => (error.line, None, Err(vec![problem_of(&error, true)])),
                        Ok(mapped) => {
                            let line = mapped.line;
                            let cells = (preview_rows.len() < rows)
                                .then(|| cells_of(&mapped, &mapping, columns.len()));
                            (line, cells, draft(&mapping, mapped).map_err(|p| vec![*p]))
                        }
                    };
                    if preview_rows.len() < rows {
                        // A reference that leads nowhere leaves out its value, never the row.
                        let refused = match &entry {
                            Ok(d) => d.issues.iter().any(|p| p.refused),
                            Err(found) => found.iter().any(|p| p.refused),
                        };
                        if let (Ok(d), false) = (&entry, refused) {
                            shown.push((preview_rows.len(), d.clone()));
                        }
                        preview_rows.push(PreviewRow {
                            line,
                            cells: cells.unwrap_or_else(|| vec![String::new(); columns.len()]),
                            refused,
                            outcome: RowOutcome::Refused,
                        });
                    }
                    chunk.push(entry);
                }
            }
            if chunk.len() >= PREVIEW_CHUNK || (done && !chunk.is_empty()) {
                let drafts = chunk.iter().filter_map(|e| e.as_ref().ok());
                let lookups =
                    Lookups::of(&mut self.store().reader(), system, drafts, &Written::default()).await?;
                for entry in chunk.drain(..) {
                    let found = match entry {
                        Err(found) => found,
                        Ok(mut d) => {
                            lookups.resolve(&mut d, users, &headers, ahead);
                            if let Some(id) = d.external_id.take() {
                                ahead.add(object.code(), id);
                            }
                            d.issues
                        }
                    };
                    tally.note(found);
                }
            }
        }
        let drafts: Vec<&Draft> = shown.iter().map(|(_, d)| d).collect();
        let outcomes = outcomes_of(&mut self.store().reader(), object, system, &drafts).await?;
        for ((row, _), outcome) in shown.iter().zip(outcomes) {
            preview_rows[*row].outcome = outcome;
        }
        let (_, _, encoding, delimiter) = file_summary(source);
        let picklist_choices = picklist_choices(source, options);
        Ok(ImportPreview {
            object: object.code().to_owned(),
            preset: preset_code(mapping.preset()).to_owned(),
            encoding,
            delimiter,
            columns,
            rows: preview_rows,
            problems: tally.problems,
            rows_total: tally.total,
            refused_total: tally.refused,
            issues_total: tally.issues,
            fields: Field::ALL
                .iter()
                .filter(|f| f.applies_to(object))
                .map(|f| f.code())
                .collect(),
            picklist_choices,
        })
    }
}

/// Rows per reference lookup in a preview (as many as an import batch).
const PREVIEW_CHUNK: usize = super::DEFAULT_BATCH;

/// What a preview has counted so far, and the first problems.
#[derive(Debug, Default)]
struct Tally {
    total: u64,
    refused: u64,
    issues: u64,
    problems: Vec<ImportProblem>,
}

impl Tally {
    fn note(&mut self, found: Vec<ImportProblem>) {
        for p in found {
            if p.refused {
                self.refused += 1;
            } else {
                self.issues += 1;
            }
            if self.problems.len() < PREVIEW_PROBLEMS {
                self.problems.push(p);
            }
        }
    }
}

/// Two columns cannot fill one field: the second would silently win. The refusal names the form
/// field `field_of(header)` of the second column.
pub(super) fn check_overrides(
    columns: &BTreeMap<String, String>,
    field_of: impl Fn(&str) -> String,
) -> AppResult<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (header, target) in columns {
        if matches!(target.as_str(), "custom" | "ignore") {
            continue;
        }
        if let Some(first) = seen.insert(target.as_str(), header.as_str()) {
            return Err(AppError::Invalid(Invalid::new(
                field_of(header),
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
