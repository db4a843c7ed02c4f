//! A data plan's preview page: each of its files in load order, as it will be mapped, with the
//! rows it leaves out and the references that lead nowhere.

use askama::Template;
use askama_web::WebTemplate;
use prospector_app::Actor;
use prospector_app::import::preview::PlanPreview;
use prospector_store::import::ImportProblem;

use super::upload::Upload;
use super::{ColumnRow, LineHead, column_rows, line_heads, object_label};
use crate::csrf::CsrfToken;
use crate::pages::Layout;

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
}

pub(super) fn page(
    actor: &Actor,
    csrf: &CsrfToken,
    upload: &Upload,
    preview: PlanPreview,
) -> PlanPreviewPage {
    let files: Vec<PlanFileSection> = preview
        .files
        .into_iter()
        .map(|f| {
            let p = f.preview;
            let listed = p.problems.len() as u64;
            PlanFileSection {
                object_label: object_label(&p.object),
                rows_total: p.rows_total,
                refused_total: p.refused_total,
                issues_total: p.issues_total,
                lines: line_heads(&p),
                columns: column_rows(&p, "", None),
                more_problems: (p.refused_total + p.issues_total).saturating_sub(listed),
                problems: p.problems,
                file: f.file,
            }
        })
        .collect();
    PlanPreviewPage {
        layout: Layout::new(
            actor,
            csrf,
            "admin",
            format!("Preview {}", upload.choices.file_name),
        ),
        id: upload.id.to_string(),
        file_name: upload.choices.file_name.clone(),
        rows_total: preview.rows_total,
        refused_total: files.iter().map(|f| f.refused_total).sum(),
        issues_total: files.iter().map(|f| f.issues_total).sum(),
        files,
        strict: upload.choices.strict,
        owner_email: upload.choices.owner_email.clone(),
    }
}
