//! Import pages: past imports, the upload form, the preview with its editable column mapping,
//! and the job page whose progress updates while the import runs (it polls a small JSON
//! endpoint), ending with the error report and a link to the records.

mod plan_preview;
pub mod upload;

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::import::background::is_running_here;
use prospector_app::import::csv_cell;
use prospector_app::import::plan::PLAN_OBJECT;
use prospector_app::import::preview::{ImportPreview, PicklistChoice, RowOutcome, column_field};
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::import::ObjectKind;
use prospector_store::import::{ImportJob, ImportProblem};
use serde::Serialize;
use uuid::Uuid;

use self::upload::{Choices, Upload};
use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// Rows of the file shown in the preview.
const PREVIEW_ROWS: usize = 5;
/// Problems listed on the job page (the CSV report has them all).
const JOB_PROBLEMS: i64 = 200;

/// The import routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/imports", get(list))
        .route(
            "/imports/new",
            get(new_form)
                .merge(post(receive).layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES + 64 * 1024))),
        )
        .route("/imports/uploads/{id}", get(preview).post(choose))
        .route("/imports/{id}", get(job))
        .route("/imports/{id}/progress", get(progress))
        .route("/imports/{id}/errors.csv", get(errors_csv))
        .route("/imports/{id}/resume", post(resume))
}

fn parse_id(id: &str, what: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(AppError::NotFound(what.into())))
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "running" => ("Running", "info"),
        "done" => ("Done", "ok"),
        "rejected" => ("Rejected (strict)", "err"),
        "failed" => ("Failed", "err"),
        _ => ("Unknown", "muted"),
    }
}

/// Where the records of an object are listed.
fn records_href(object: &str) -> (&'static str, &'static str) {
    match ObjectKind::parse(object) {
        Some(ObjectKind::Lead) => ("/leads", "leads"),
        Some(ObjectKind::Contact) => ("/contacts", "contacts"),
        Some(ObjectKind::Account) => ("/accounts", "accounts"),
        Some(ObjectKind::Opportunity) => ("/opportunities", "opportunities"),
        // A data plan loads accounts first and hangs the rest off them.
        None if object == PLAN_OBJECT => ("/accounts", "accounts"),
        _ => ("/today", "tasks"),
    }
}

struct JobRow {
    id: String,
    file_name: String,
    object: String,
    status: &'static str,
    status_class: &'static str,
    rows: String,
    created: i64,
    updated: i64,
    refused: i64,
    started: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "imports_list.html")]
struct ListPage {
    layout: Layout,
    jobs: Vec<JobRow>,
    notice: Option<String>,
}

/// `GET /imports`: past imports, newest first.
pub async fn list(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let jobs = state.app.import_jobs(&actor, 200).await?;
    let (jar, flash) = flash::take(jar);
    let page = ListPage {
        layout: Layout::new(&actor, &csrf, "admin", "Imports"),
        jobs: jobs
            .iter()
            .map(|j| {
                let (status, status_class) = status_label(&j.status);
                JobRow {
                    id: j.id.to_string(),
                    file_name: j.file_name.clone(),
                    object: j.object.clone(),
                    status,
                    status_class,
                    rows: match j.rows_total {
                        Some(total) if j.status == "running" => format!("{} of {total}", j.rows_done),
                        _ => j.rows_done.to_string(),
                    },
                    created: j.created,
                    updated: j.updated,
                    refused: j.refused,
                    started: when(j.created_at),
                }
            })
            .collect(),
        notice: flash.notice,
    };
    Ok((jar, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "imports_new.html")]
struct NewPage {
    layout: Layout,
    objects: Vec<(&'static str, &'static str)>,
    presets: Vec<(&'static str, &'static str)>,
    /// Field the error is about (`file`, `object`, …), and the message.
    error_field: String,
    error: Option<String>,
}

const OBJECTS: [(&str, &str); 6] = [
    ("auto", "Detect from the columns"),
    ("lead", "Leads"),
    ("contact", "Contacts"),
    ("account", "Accounts"),
    ("opportunity", "Opportunities"),
    ("task", "Tasks and activities"),
];
const PRESETS: [(&str, &str); 4] = [
    ("auto", "Detect from the columns"),
    (
        "salesforce",
        "Salesforce (API names, report labels or snake_case)",
    ),
    ("hubspot", "HubSpot export"),
    ("pipedrive", "Pipedrive export"),
];

/// The form field a refusal is about (empty when none), and what to tell the user.
fn error_parts(error: Option<&AppError>) -> (String, Option<String>) {
    match error {
        None => (String::new(), None),
        Some(AppError::Invalid(invalid)) => (invalid.field.clone(), Some(invalid.message.clone())),
        Some(other) => (String::new(), Some(crate::error::classify(other).2)),
    }
}

fn new_page(actor: &Actor, csrf: &CsrfToken, error: Option<&AppError>) -> NewPage {
    let (error_field, error) = error_parts(error);
    NewPage {
        layout: Layout::new(actor, csrf, "admin", "New import"),
        objects: OBJECTS.to_vec(),
        presets: PRESETS.to_vec(),
        error_field,
        error,
    }
}

/// `GET /imports/new`: the upload form.
pub async fn new_form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    // Only those who may import see the form.
    state.app.import_jobs(&actor, 1).await?;
    Ok(new_page(&actor, &csrf, None).into_response())
}

/// `POST /imports/new` (multipart; the CSRF token rides in the query): stores the file, checks
/// that it can be read at all, and shows its preview.
pub async fn receive(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    state.app.import_jobs(&actor, 1).await?;
    let refused = |err: AppError| {
        let status = crate::error::classify(&err).0;
        Ok((status, new_page(&actor, &csrf, Some(&err))).into_response())
    };
    let form = match form {
        Ok(f) => f,
        Err(rejection) => {
            return refused(AppError::BadRequest {
                code: "bad_form",
                message: format!("the form could not be read: {}", rejection.body_text()),
            });
        }
    };
    let id = prospector_core::ids::uuid_v7_at(state.app.now());
    let upload = match upload::receive(id, state.app.upload_dir(id), state.app.now(), form).await {
        Ok(u) => u,
        Err(err) => return refused(err),
    };
    let checked = if upload.choices.plan {
        state
            .app
            .import_plan_check(
                &actor,
                &upload.file(),
                &upload.choices.options(),
                &upload.choices.files,
            )
            .await
            .map(|_| ())
    } else {
        state
            .app
            .import_header_check(&actor, &upload.file(), &upload.choices.options())
            .await
            .map(|_| ())
    };
    if let Err(err) = checked {
        upload.discard();
        let err = match upload.without_server_path(err) {
            AppError::Invalid(invalid) if invalid.field == "file" => AppError::Invalid(invalid),
            AppError::Invalid(invalid) => {
                AppError::Invalid(Invalid::new("file", invalid.code, invalid.message))
            }
            other => other,
        };
        return refused(err);
    }
    Ok(Redirect::to(&format!("/imports/uploads/{id}")).into_response())
}

struct ColumnRow {
    column: usize,
    header: String,
    target: String,
    /// The value of this column in each previewed row.
    samples: Vec<String>,
    error: Option<String>,
}

struct LineHead {
    line: u64,
    refused: bool,
    /// What the import will do with the row, in a word or three.
    will: String,
    /// The stored record it updates or duplicates.
    link: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "imports_preview.html")]
struct PreviewPage {
    layout: Layout,
    id: String,
    file_name: String,
    object_label: &'static str,
    preset: String,
    encoding: String,
    delimiter: String,
    strict: bool,
    owner_email: String,
    rows_total: u64,
    refused_total: u64,
    issues_total: u64,
    lines: Vec<LineHead>,
    columns: Vec<ColumnRow>,
    fields: Vec<&'static str>,
    problems: Vec<ImportProblem>,
    more_problems: u64,
    picklists: Vec<PicklistChoice>,
    error: Option<String>,
}

/// The columns of a preview with the value each shown row gives them; `error` is shown next to the
/// column whose form field (`field_of(header)`) is `error_field`.
fn column_rows(
    preview: &ImportPreview,
    field_of: impl Fn(&str) -> String,
    error_field: &str,
    error: Option<&str>,
) -> Vec<ColumnRow> {
    preview
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnRow {
            column: c.column,
            header: c.header.clone(),
            target: c.target.clone(),
            samples: preview
                .rows
                .iter()
                .map(|r| r.cells.get(i).cloned().unwrap_or_default())
                .collect(),
            error: (error_field == field_of(&c.header)).then(|| error.unwrap_or_default().to_owned()),
        })
        .collect()
}

fn object_label(object: &str) -> &'static str {
    OBJECTS
        .iter()
        .find(|(code, _)| *code == object)
        .map_or("Records", |(_, label)| label)
}

fn line_heads(preview: &ImportPreview) -> Vec<LineHead> {
    let page = |id: &uuid::Uuid| match preview.object.as_str() {
        "account" => format!("/accounts/{id}"),
        "contact" => format!("/contacts/{id}"),
        "lead" => format!("/leads/{id}"),
        _ => String::new(),
    };
    preview
        .rows
        .iter()
        .map(|r| {
            let (will, link) = match &r.outcome {
                RowOutcome::Create => ("new".to_owned(), None),
                RowOutcome::Update { record_id } => ("updates".to_owned(), Some(page(record_id))),
                RowOutcome::Unchanged { record_id } => ("unchanged".to_owned(), Some(page(record_id))),
                RowOutcome::Duplicate { record_id, label } => {
                    (format!("duplicate of {label}"), record_id.as_ref().map(page))
                }
                RowOutcome::Refused => (String::new(), None),
            };
            LineHead {
                line: r.line,
                refused: r.refused,
                will,
                link: link.filter(|l| !l.is_empty()),
            }
        })
        .collect()
}

/// The frame of an upload's preview, a single file's or a plan's.
fn preview_layout(actor: &Actor, csrf: &CsrfToken, upload: &Upload) -> Layout {
    Layout::new(
        actor,
        csrf,
        "admin",
        format!("Preview {}", upload.choices.file_name),
    )
}

fn preview_page(
    actor: &Actor,
    csrf: &CsrfToken,
    upload: &Upload,
    preview: ImportPreview,
    error: Option<&AppError>,
) -> PreviewPage {
    let (error_field, error) = error_parts(error);
    let columns = column_rows(&preview, column_field, &error_field, error.as_deref());
    let listed = preview.problems.len() as u64;
    let object_label = object_label(&preview.object);
    PreviewPage {
        layout: preview_layout(actor, csrf, upload),
        id: upload.id.to_string(),
        file_name: upload.choices.file_name.clone(),
        object_label,
        preset: preview.preset.clone(),
        encoding: preview.encoding.clone(),
        delimiter: match preview.delimiter.as_str() {
            "\t" => "tab".into(),
            "," => "comma".into(),
            ";" => "semicolon".into(),
            "|" => "pipe".into(),
            other => other.to_owned(),
        },
        strict: upload.choices.strict,
        owner_email: upload.choices.owner_email.clone(),
        rows_total: preview.rows_total,
        refused_total: preview.refused_total,
        issues_total: preview.issues_total,
        lines: line_heads(&preview),
        columns,
        fields: preview.fields.clone(),
        more_problems: (preview.refused_total + preview.issues_total).saturating_sub(listed),
        problems: preview.problems,
        picklists: preview.picklist_choices,
        error: if error_field.starts_with("mapping.") {
            None
        } else {
            error
        },
    }
}

fn open_upload(state: &AppState, id: Uuid) -> Result<Upload, PageError> {
    Ok(Upload::open(id, state.app.upload_dir(id))?)
}

/// `GET /imports/uploads/{id}`: the preview.
pub async fn preview(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "uploaded file")?;
    if state.app.import_run(&actor, id, 0).await.is_ok() {
        // Already started: the job page is where it is now (and the file may be gone).
        return Ok(Redirect::to(&format!("/imports/{id}")).into_response());
    }
    let mut upload = open_upload(&state, id)?;
    let (page, rows_total) = preview_of(&state, &actor, &csrf, &upload, None).await?;
    remember_total(&mut upload, rows_total)?;
    Ok(page)
}

/// The preview of `upload` under its choices — a plan's or a single file's — and the records it
/// counted. `error`, a refusal of choices just posted, is shown where it belongs and sets the
/// status.
async fn preview_of(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    upload: &Upload,
    error: Option<&AppError>,
) -> Result<(Response, u64), PageError> {
    let status = error.map_or(StatusCode::OK, |e| crate::error::classify(e).0);
    let options = upload.choices.options();
    if upload.choices.plan {
        let preview = state
            .app
            .import_plan_preview(actor, &upload.file(), &options, PREVIEW_ROWS)
            .await?;
        let total = preview.rows_total;
        let page = plan_preview::page(actor, csrf, upload, preview, error);
        return Ok(((status, page).into_response(), total));
    }
    let preview = state
        .app
        .import_preview(actor, &upload.file(), &options, PREVIEW_ROWS)
        .await?;
    let total = preview.rows_total;
    Ok((
        (status, preview_page(actor, csrf, upload, preview, error)).into_response(),
        total,
    ))
}

/// The preview as it was before choices that were refused, with the refusal: nothing is saved.
async fn refused(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    upload: &Upload,
    previous: Choices,
    error: &AppError,
) -> Result<Response, PageError> {
    let as_it_was = Upload {
        choices: previous,
        ..upload.clone()
    };
    Ok(preview_of(state, actor, csrf, &as_it_was, Some(error)).await?.0)
}

/// Keeps the records the preview counted: the job's total when it starts.
fn remember_total(upload: &mut Upload, rows_total: u64) -> Result<(), PageError> {
    if upload.choices.rows_total != Some(rows_total) {
        upload.choices.rows_total = Some(rows_total);
        upload.save()?;
    }
    Ok(())
}

/// `POST /imports/uploads/{id}`: saves the edited mapping and either shows the preview again
/// (`action=preview`) or starts the import (`action=start`).
pub async fn choose(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut upload = open_upload(&state, parse_id(&id, "uploaded file")?)?;
    let previous = upload.choices.clone();
    let mut action = "preview";
    for (name, value) in &fields {
        match name.as_str() {
            "action" if value == "start" => action = "start",
            "owner_email" => upload.choices.owner_email = value.trim().to_owned(),
            "strict" => upload.choices.strict = true,
            _ => {}
        }
    }
    if !fields.iter().any(|(n, _)| n == "strict") {
        upload.choices.strict = false;
    }
    if upload.choices.plan {
        return plan_preview::choose(
            &state,
            &actor,
            &csrf,
            upload,
            previous,
            &fields,
            action == "start",
        )
        .await;
    }
    let (columns, picklists) = edited_mapping(&fields, "");
    if !columns.is_empty() {
        upload.choices.columns = columns;
        // The value editor is part of the same form: what is not chosen there is not mapped.
        upload.choices.picklists = picklists;
    }
    let options = upload.choices.options();
    let checked = state
        .app
        .import_header_check(&actor, &upload.file(), &options)
        .await;
    if let Err(err) = checked {
        let err = upload.without_server_path(err);
        return refused(&state, &actor, &csrf, &upload, previous, &err).await;
    }
    upload.save()?;
    if action != "start" {
        return Ok(Redirect::to(&format!("/imports/uploads/{}", upload.id)).into_response());
    }
    let object = checked?;
    let options = prospector_app::import::ImportOptions {
        object: Some(object),
        ..options
    };
    start(&state, &actor, &upload, options).await
}

/// The mapping edited on a preview's form: header → target from `map:<scope><header>`, and list →
/// the file's value → our code from `pick:<scope><list>:<value>` (a value left to "leave out" is
/// not mapped). `scope` is `<file>:` for a plan's file, empty for a single file; a file's name
/// holds no `:` (see `upload::safe_name`), so one file's fields never pass for another's.
fn edited_mapping(
    fields: &[(String, String)],
    scope: &str,
) -> (
    BTreeMap<String, String>,
    BTreeMap<String, BTreeMap<String, String>>,
) {
    let mut columns = BTreeMap::new();
    let mut picklists: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (name, value) in fields {
        if let Some(header) = name.strip_prefix("map:").and_then(|n| n.strip_prefix(scope)) {
            columns.insert(header.to_owned(), value.clone());
        } else if let Some((list, from)) = name
            .strip_prefix("pick:")
            .and_then(|n| n.strip_prefix(scope))
            .and_then(|rest| rest.split_once(':'))
            && !value.is_empty()
        {
            picklists
                .entry(list.to_owned())
                .or_default()
                .insert(from.to_owned(), value.clone());
        }
    }
    (columns, picklists)
}

/// Starts the import of `upload` and goes to its job page (also when it had started already).
async fn start(
    state: &AppState,
    actor: &Actor,
    upload: &Upload,
    options: prospector_app::import::ImportOptions,
) -> Result<Response, PageError> {
    let total = upload.choices.rows_total.and_then(|n| i64::try_from(n).ok());
    match state
        .app
        .start_import_job(
            actor,
            upload.id,
            upload.file(),
            &upload.choices.file_name,
            options,
            total,
        )
        .await
    {
        Ok(_) | Err(AppError::Conflict { .. }) => {
            Ok(Redirect::to(&format!("/imports/{}", upload.id)).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "imports_job.html")]
struct JobPage {
    layout: Layout,
    id: String,
    file_name: String,
    object: String,
    status: String,
    status_label: &'static str,
    status_class: &'static str,
    stalled: bool,
    progress: JobProgress,
    started: String,
    finished: Option<String>,
    records_href: &'static str,
    records_label: &'static str,
    custom_fields: Vec<String>,
    problems: Vec<ImportProblem>,
    /// Whether the problems are in several files (a data plan): a column names the file.
    with_file: bool,
    /// A data plan's files once imported: name, object, records.
    plan_files: Vec<(String, String, i64)>,
    more_problems: i64,
    error: Option<String>,
    notice: Option<String>,
}

/// `GET /imports/{id}`: where an import stands; updates itself while it runs.
pub async fn job(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "import job")?;
    let (job, problems) = state.app.import_run(&actor, id, JOB_PROBLEMS).await?;
    let (status_label, status_class) = status_label(&job.status);
    let (records_href, records_label) = records_href(&job.object);
    let (jar, flash) = flash::take(jar);
    let listed = problems.len() as i64;
    let page = JobPage {
        layout: Layout::new(&actor, &csrf, "admin", format!("Import of {}", job.file_name)),
        id: id.to_string(),
        file_name: job.file_name.clone(),
        object: job.object.clone(),
        status: job.status.clone(),
        status_label,
        status_class,
        stalled: job.status == "running" && !is_running_here(id),
        progress: JobProgress::of(&job),
        started: when(job.created_at),
        finished: job.finished_at.map(when),
        records_href,
        records_label,
        custom_fields: job.summary["custom_fields"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        more_problems: (job.refused + job.issues).saturating_sub(listed),
        with_file: job.object == PLAN_OBJECT,
        plan_files: job.summary["files"]
            .as_array()
            .map(|files| {
                files
                    .iter()
                    .map(|f| {
                        (
                            f["file"].as_str().unwrap_or_default().to_owned(),
                            f["object"].as_str().unwrap_or_default().to_owned(),
                            f["rows"].as_i64().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        problems,
        error: job.summary["error"].as_str().map(str::to_owned),
        notice: flash.notice,
    };
    Ok((jar, page).into_response())
}

/// What the job page polls.
#[derive(Debug, Clone, Serialize)]
pub struct JobProgress {
    /// `running`, `done`, `rejected` or `failed`.
    pub status: String,
    /// Records of the file done.
    pub rows_done: i64,
    /// Records in the file, when known.
    pub rows_total: Option<i64>,
    /// New records.
    pub created: i64,
    /// Records changed by the file.
    pub updated: i64,
    /// Records the file already matched exactly.
    pub unchanged: i64,
    /// Rows that matched another record and were merged into it.
    pub duplicates: i64,
    /// Rows left out.
    pub refused: i64,
    /// Values left out of rows that were imported.
    pub issues: i64,
    /// Whole percent done.
    pub percent: i64,
}

impl JobProgress {
    fn of(job: &ImportJob) -> Self {
        let percent = match job.rows_total {
            _ if job.status != "running" => 100,
            Some(total) if total > 0 => (job.rows_done * 100 / total).clamp(0, 100),
            _ => 0,
        };
        Self {
            status: job.status.clone(),
            rows_done: job.rows_done,
            rows_total: job.rows_total,
            created: job.created,
            updated: job.updated,
            unchanged: job.unchanged,
            duplicates: job.duplicates,
            refused: job.refused,
            issues: job.issues,
            percent,
        }
    }
}

/// `GET /imports/{id}/progress`: the job's counts as JSON, for the job page's poller.
pub async fn progress(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "import job")?;
    let (job, _) = state.app.import_run(&actor, id, 0).await?;
    let mut response = Json(JobProgress::of(&job)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /imports/{id}/errors.csv`: every problem of the job, by line and column.
pub async fn errors_csv(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "import job")?;
    let (job, problems) = state.app.import_run(&actor, id, i64::MAX).await?;
    // A plan's lines are in several files; a file's report keeps the shape tools rely on.
    let with_file = job.object == PLAN_OBJECT;
    let mut out = String::from(if with_file { "file," } else { "" });
    out.push_str("line,column,header,field,code,refused,message\n");
    for p in &problems {
        if with_file {
            out.push_str(&csv_cell(p.file.as_deref().unwrap_or("")));
            out.push(',');
        }
        let cells = [
            p.line.to_string(),
            p.column.map(|c| c.to_string()).unwrap_or_default(),
            p.header.clone().unwrap_or_default(),
            p.field.clone(),
            p.code.clone(),
            p.refused.to_string(),
            p.message.clone(),
        ];
        let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    let stem = job
        .file_name
        .rsplit_once('.')
        .map_or(job.file_name.as_str(), |(stem, _)| stem);
    Ok(crate::api::stories::file_response(
        &format!("{stem}.errors.csv"),
        "text/csv; charset=utf-8",
        out.into_bytes(),
    ))
}

/// `POST /imports/{id}/resume`: runs a job again whose process died; committed batches are skipped.
pub async fn resume(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "import job")?;
    let notice = match state.app.resume_import_job(&actor, id).await {
        Ok(rows_done) => format!("Resuming after row {rows_done}."),
        Err(AppError::Conflict {
            code: "already_running",
            ..
        }) => "This import is running already.".to_owned(),
        Err(AppError::Conflict { code: "finished", .. }) => {
            "This import has finished; nothing to resume.".to_owned()
        }
        Err(err) => return Err(err.into()),
    };
    let jar = flash::set(
        jar,
        &Flash {
            notice: Some(notice),
            secret: None,
        },
        state.settings.secure_cookies,
    );
    Ok((jar, Redirect::to(&format!("/imports/{id}"))).into_response())
}
