//! An uploaded import file on disk, beside the choices made for it. The file is streamed to disk
//! (never held in memory: a Salesforce export can be gigabytes) under a directory named by the
//! upload's id, which later becomes the job's id, so a job found `running` after a restart can
//! be resumed from the same file with the same choices.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::extract::Multipart;
use axum::http::StatusCode;
use prospector_app::AppError;
use prospector_app::import::ImportOptions;
use prospector_app::import::housekeeping::UPLOAD_MANIFEST;
use prospector_app::import::plan::is_plan;
use prospector_core::Invalid;
use prospector_core::import::picklists::{PicklistKind, PicklistMaps};
use prospector_core::import::{ObjectKind, Preset, UserMapping};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// The largest upload accepted by the import page.
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024 * 1024;

/// What the user chose for an upload; saved as `upload.json` beside the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Choices {
    /// The file's name as uploaded (what the import reports and the error report is named after);
    /// for a data plan, the plan's.
    pub file_name: String,
    /// Every file uploaded together: one, or a data plan and the files it names.
    #[serde(default)]
    pub files: Vec<String>,
    /// Whether `file_name` is a data plan, imported with its files as one job.
    #[serde(default)]
    pub plan: bool,
    /// `lead`, `contact`, … or `auto`.
    pub object: String,
    /// `salesforce`, `hubspot`, `pipedrive` or `auto`.
    pub preset: String,
    /// Owner of rows that name none.
    pub owner_email: String,
    /// Import nothing when any row is bad.
    pub strict: bool,
    /// Header → field code, `custom` or `ignore`, as edited on the preview.
    pub columns: BTreeMap<String, String>,
    /// Picklist (`lead_status`, …) → the file's value → our code, as edited on the preview.
    #[serde(default)]
    pub picklists: BTreeMap<String, BTreeMap<String, String>>,
    /// A data plan's files by name → their `columns`, as edited in each file's section of the
    /// plan's preview. A file not here is mapped automatically.
    #[serde(default)]
    pub plan_columns: BTreeMap<String, BTreeMap<String, String>>,
    /// A data plan's files by name → their `picklists`, likewise.
    #[serde(default)]
    pub plan_picklists: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    /// Records the preview counted (the job's total).
    pub rows_total: Option<u64>,
    /// When it arrived (housekeeping removes uploads nobody started within a week).
    #[serde(default)]
    pub uploaded_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Choices {
    /// The import options these choices mean.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            object: ObjectKind::parse(&self.object),
            preset: preset_of(&self.preset),
            mapping: user_mapping(&self.columns, &self.picklists),
            plan_mappings: self
                .plan_columns
                .keys()
                .chain(self.plan_picklists.keys())
                .map(|file| {
                    let columns = self.plan_columns.get(file).cloned().unwrap_or_default();
                    let picklists = self.plan_picklists.get(file).cloned().unwrap_or_default();
                    (file.clone(), user_mapping(&columns, &picklists))
                })
                .collect(),
            strict: self.strict,
            owner_email: Some(self.owner_email.trim().to_owned()).filter(|e| !e.is_empty()),
            ..ImportOptions::default()
        }
    }
}

/// The overrides of one file: header → target, and list → the file's value → our code (a list
/// we do not know is dropped: the form only offers ours).
fn user_mapping(
    columns: &BTreeMap<String, String>,
    picklists: &BTreeMap<String, BTreeMap<String, String>>,
) -> UserMapping {
    UserMapping {
        columns: columns.clone(),
        picklists: PicklistMaps {
            lists: picklists
                .iter()
                .filter_map(|(list, values)| {
                    let kind: PicklistKind =
                        serde_json::from_value(serde_json::Value::String(list.clone())).ok()?;
                    Some((kind, values.clone()))
                })
                .collect(),
        },
    }
}

/// The preset for a code from the form; anything else is `auto`.
pub fn preset_of(code: &str) -> Preset {
    match code {
        "salesforce" => Preset::Salesforce,
        "hubspot" => Preset::Hubspot,
        "pipedrive" => Preset::Pipedrive,
        _ => Preset::Auto,
    }
}

/// One upload: its directory, the file in it and the choices.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The upload's (and later the job's) id.
    pub id: Uuid,
    /// Its directory.
    pub dir: PathBuf,
    /// What the user chose.
    pub choices: Choices,
}

impl Upload {
    /// The uploaded file.
    pub fn file(&self) -> PathBuf {
        self.dir.join(&self.choices.file_name)
    }

    /// Reads upload `id` from `dir` (the app's upload directory for it), or `NotFound`.
    pub fn open(id: Uuid, dir: PathBuf) -> Result<Upload, AppError> {
        let text = std::fs::read(dir.join(UPLOAD_MANIFEST))
            .map_err(|_| AppError::NotFound("uploaded file".into()))?;
        let choices: Choices =
            serde_json::from_slice(&text).map_err(|e| AppError::Internal(format!("upload {id}: {e}")))?;
        Ok(Upload { id, dir, choices })
    }

    /// Writes the choices back.
    pub fn save(&self) -> Result<(), AppError> {
        let json = serde_json::to_vec_pretty(&self.choices).map_err(|e| AppError::Internal(e.to_string()))?;
        std::fs::write(self.dir.join(UPLOAD_MANIFEST), json)
            .map_err(|e| AppError::Internal(format!("cannot save the upload: {e}")))
    }

    /// `error` as the page shows it: a refusal names the file as the app read it, under the
    /// server's upload directory, which says nothing to the reader and should not be shown; the
    /// file's own name stays.
    pub fn without_server_path(&self, error: AppError) -> AppError {
        match error {
            AppError::Invalid(invalid) => {
                let dir = format!("{}{}", self.dir.display(), std::path::MAIN_SEPARATOR);
                AppError::Invalid(Invalid {
                    message: invalid.message.replace(&dir, ""),
                    ..invalid
                })
            }
            other => other,
        }
    }

    /// Removes the upload (a file that cannot be imported at all).
    pub fn discard(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A file name safe to keep on disk: the last path component, without control characters.
/// The extension is kept because it says whether the file is an sObject tree (`.json`).
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ':' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() || cleaned == UPLOAD_MANIFEST {
        "import.csv".to_owned()
    } else {
        cleaned.chars().take(200).collect()
    }
}

fn unreadable(e: &axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::Invalid(Invalid::new(
            "file",
            "too_large",
            "the file may be at most 1 GB; import larger files with `prospector import`",
        ))
    } else {
        AppError::BadRequest {
            code: "bad_form",
            message: format!("the form could not be read: {}", e.body_text()),
        }
    }
}

fn io_error(e: &std::io::Error) -> AppError {
    AppError::Internal(format!("cannot store the uploaded file: {e}"))
}

/// Streams the upload form to disk into `dir`, the directory of the new upload `id`. Refuses a
/// form without a file.
pub async fn receive(
    id: Uuid,
    dir: PathBuf,
    now: chrono::DateTime<chrono::Utc>,
    mut form: Multipart,
) -> Result<Upload, AppError> {
    tokio::fs::create_dir_all(&dir).await.map_err(|e| io_error(&e))?;
    let result = async {
        let mut choices = Choices {
            object: "auto".into(),
            preset: "auto".into(),
            uploaded_at: Some(now),
            ..Choices::default()
        };
        let mut bytes = 0u64;
        while let Some(mut field) = form.next_field().await.map_err(|e| unreadable(&e))? {
            let name = field.name().unwrap_or("").to_owned();
            if name == "file" {
                // A browser sends a part without a name when no file was chosen.
                let Some(file_name) = field.file_name().filter(|n| !n.is_empty()).map(safe_name) else {
                    continue;
                };
                let mut out = tokio::fs::File::create(dir.join(&file_name))
                    .await
                    .map_err(|e| io_error(&e))?;
                let mut size = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                    size += chunk.len() as u64;
                    out.write_all(&chunk).await.map_err(|e| io_error(&e))?;
                }
                out.flush().await.map_err(|e| io_error(&e))?;
                bytes += size;
                if !choices.files.contains(&file_name) {
                    choices.files.push(file_name);
                }
                continue;
            }
            let text = field.text().await.map_err(|e| unreadable(&e))?;
            match name.as_str() {
                "object" => choices.object = text,
                "preset" => choices.preset = text,
                "owner_email" => choices.owner_email = text,
                "strict" => choices.strict = !text.is_empty(),
                _ => {}
            }
        }
        if choices.files.is_empty() || bytes == 0 {
            return Err(AppError::Invalid(Invalid::new(
                "file",
                "required",
                if choices.files.is_empty() {
                    "choose a file to import"
                } else {
                    "the file is empty"
                },
            )));
        }
        let plans: Vec<&String> = choices
            .files
            .iter()
            .filter(|f| is_plan(&dir.join(f.as_str())))
            .collect();
        match (plans.as_slice(), choices.files.len()) {
            ([], 1) => choices.file_name = choices.files[0].clone(),
            ([plan], _) => {
                choices.file_name = (*plan).clone();
                choices.plan = true;
            }
            ([], _) => {
                return Err(AppError::Invalid(Invalid::new(
                    "file",
                    "several_files",
                    "several files are imported together only with the Salesforce data plan that \
                     names them; choose the plan too, or one file at a time",
                )));
            }
            _ => {
                return Err(AppError::Invalid(Invalid::new(
                    "file",
                    "several_plans",
                    "choose one data plan at a time",
                )));
            }
        }
        if choices.object != "auto" && ObjectKind::parse(&choices.object).is_none() {
            return Err(AppError::Invalid(Invalid::new(
                "object",
                "invalid",
                "choose lead, contact, account, opportunity, task or detect",
            )));
        }
        let upload = Upload {
            id,
            dir: dir.clone(),
            choices,
        };
        upload.save()?;
        Ok(upload)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_dir_all(&dir).await;
    }
    result
}
