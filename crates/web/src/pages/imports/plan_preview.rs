//! A data plan's preview page: each of its files in load order, as it will be mapped, with the
//! rows it leaves out and the references that lead nowhere — and each file's mapping editable as
//! a single file's is, its choices saved per file (`Choices::plan_columns`, `plan_picklists`).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};
use prospector_app::import::plan_mapping::{column_field, file_field};
use prospector_app::import::preview::{PicklistChoice, PlanPreview};
use prospector_app::{Actor, AppError};
use prospector_store::import::ImportProblem;

use super::upload::{Choices, Upload};
use super::{
    ColumnRow, LineHead, column_rows, edited_mapping, error_parts, line_heads, object_label, preview_layout,
    refused, start,
};
use crate::csrf::CsrfToken;
use crate::pages::{Layout, PageError};
use crate::state::AppState;

/// One file of a data plan on its preview page.
struct PlanFileSection {
    file: String,
    object_label: &'static str,
    rows_total: u64,
    refused_total: u64,
    issues_total: u64,
    lines: Vec<LineHead>,
    columns: Vec<ColumnRow>,
    problems: Vec<ImportProblem>,
    more_problems: u64,
    /// Our fields a column of the file's object can fill.
    fields: Vec<&'static str>,
    picklists: Vec<PicklistChoice>,
    /// What prefixes the names of its editors' fields (`<file>:`) and their ids (`<n>-`).
    scope: String,
    id_prefix: String,
    /// A refusal about the file as a whole (its header maps to nothing under the choices).
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "imports_plan_preview.html")]
pub(super) struct PlanPreviewPage {
    layout: Layout,
    id: String,
    file_name: String,
    rows_total: u64,
    refused_total: u64,
    issues_total: u64,
    files: Vec<PlanFileSection>,
    strict: bool,
    owner_email: String,
    /// A refusal that is about no one file or column.
    error: Option<String>,
}

/// The page for `preview`; `error`, a refusal of the choices just posted, is shown beside the
/// column or in the section of the file it names, else above the files.
pub(super) fn page(
    actor: &Actor,
    csrf: &CsrfToken,
    upload: &Upload,
    preview: PlanPreview,
    error: Option<&AppError>,
) -> PlanPreviewPage {
    let (error_field, error) = error_parts(error);
    let mut placed = false;
    let files: Vec<PlanFileSection> = preview
        .files
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.preview;
            let listed = p.problems.len() as u64;
            let columns = column_rows(
                &p,
                |header| column_field(&f.file, header),
                &error_field,
                error.as_deref(),
            );
            let file_error = (error_field == file_field(&f.file)).then(|| error.clone().unwrap_or_default());
            placed |= file_error.is_some() || columns.iter().any(|c| c.error.is_some());
            PlanFileSection {
                object_label: object_label(&p.object),
                rows_total: p.rows_total,
                refused_total: p.refused_total,
                issues_total: p.issues_total,
                lines: line_heads(&p),
                columns,
                more_problems: (p.refused_total + p.issues_total).saturating_sub(listed),
                problems: p.problems,
                fields: p.fields,
                picklists: p.picklist_choices,
                scope: format!("{}:", f.file),
                id_prefix: format!("{}-", i + 1),
                error: file_error,
                file: f.file,
            }
        })
        .collect();
    PlanPreviewPage {
        layout: preview_layout(actor, csrf, upload),
        id: upload.id.to_string(),
        file_name: upload.choices.file_name.clone(),
        rows_total: preview.rows_total,
        refused_total: files.iter().map(|f| f.refused_total).sum(),
        issues_total: files.iter().map(|f| f.issues_total).sum(),
        files,
        strict: upload.choices.strict,
        owner_email: upload.choices.owner_email.clone(),
        error: error.filter(|_| !placed),
    }
}

/// `POST /imports/uploads/{id}` for a plan (the options already applied to `upload`): takes each
/// file's edited mapping, checks it with the plan, and saves the choices only when all of it
/// holds; then shows the preview again or starts the import. A refusal shows the preview as it
/// was (`previous`) with the reason beside the column it is about, and saves nothing.
pub(super) async fn choose(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    mut upload: Upload,
    previous: Choices,
    fields: &[(String, String)],
    start_now: bool,
) -> Result<Response, PageError> {
    for file in upload.choices.files.clone() {
        let (columns, picklists) = edited_mapping(fields, &format!("{file}:"));
        // A form without the file's selects (a script's "start") keeps what was chosen before.
        if columns.is_empty() {
            continue;
        }
        upload.choices.plan_columns.insert(file.clone(), columns);
        // The value editor is part of the same form: what is not chosen there is not mapped.
        upload.choices.plan_picklists.insert(file, picklists);
    }
    let options = upload.choices.options();
    let checked = state
        .app
        .import_plan_check(actor, &upload.file(), &options, &upload.choices.files)
        .await;
    if let Err(err) = &checked {
        return refused(state, actor, csrf, &upload, previous, err).await;
    }
    upload.save()?;
    if !start_now {
        return Ok(Redirect::to(&format!("/imports/uploads/{}", upload.id)).into_response());
    }
    start(state, actor, &upload, options).await
}
