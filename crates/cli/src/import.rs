//! `prospector import FILE`: a resumable import job with a progress bar and a one-line summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prospector_app::Actor;
use prospector_app::import::{ImportOptions, ImportReport, Progress};
use prospector_core::import::{ObjectKind, Preset, UserMapping};
use serde::Deserialize;

use crate::commands;
use crate::config::Config;

/// A `--mapping` file: the mapping every file is read with, and for the files of a data plan a
/// mapping of their own, which replaces it for that file:
///
/// ```toml
/// [columns]
/// Rating = "custom"
///
/// [files."Contacts.json".columns]
/// title = "ignore"
/// ```
#[derive(Debug, Default, Deserialize)]
struct MappingFile {
    #[serde(flatten)]
    shared: UserMapping,
    #[serde(default)]
    files: BTreeMap<String, UserMapping>,
}

/// The options of `prospector import`, as given on the command line.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    pub file: PathBuf,
    pub object: String,
    pub preset: String,
    pub mapping: Option<PathBuf>,
    pub dry_run: bool,
    pub strict: bool,
    pub owner: Option<String>,
    pub json: bool,
    pub batch_size: usize,
}

fn parse_object(raw: &str) -> anyhow::Result<Option<ObjectKind>> {
    if raw.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    match ObjectKind::parse(raw) {
        Some(object) => Ok(Some(object)),
        None => {
            bail!("--object must be one of lead, contact, account, opportunity, task, auto (got '{raw}')")
        }
    }
}

fn parse_preset(raw: &str) -> anyhow::Result<Preset> {
    Ok(match raw.to_ascii_lowercase().as_str() {
        "auto" => Preset::Auto,
        "salesforce" => Preset::Salesforce,
        "hubspot" => Preset::Hubspot,
        "pipedrive" => Preset::Pipedrive,
        other => bail!("--preset must be one of salesforce, hubspot, pipedrive, auto (got '{other}')"),
    })
}

/// The report file beside `file`: `FILE.errors.csv`.
pub fn report_path(file: &Path, report: &ImportReport) -> PathBuf {
    let dir = file.parent().unwrap_or_else(|| Path::new("."));
    dir.join(format!("{}.errors.csv", report.file))
}

/// `prospector import`.
pub async fn import(config: Config, args: ImportArgs) -> anyhow::Result<()> {
    let mapping: MappingFile = match &args.mapping {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{} is not a valid mapping", path.display()))?
        }
        None => MappingFile::default(),
    };
    let options = ImportOptions {
        object: parse_object(&args.object)?,
        preset: parse_preset(&args.preset)?,
        mapping: mapping.shared,
        plan_mappings: mapping.files,
        dry_run: args.dry_run,
        strict: args.strict,
        owner_email: args.owner.clone(),
        batch_size: args.batch_size,
    };
    let store = commands::open(&config).await?;
    let app = commands::app(store.clone(), &config);
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let progress_bar = bar.clone();
    let progress = move |p: Progress| {
        progress_bar.set_length(p.total_bytes);
        progress_bar.set_position(p.bytes);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        progress_bar.set_message(format!("{} rows, {:.0} rows/s", p.rows, p.rows as f64 / secs));
    };
    let result = app
        .import_path(&Actor::cli(), &args.file, &options, &progress)
        .await;
    bar.finish_and_clear();
    store.close().await;
    let reports = result?;
    for report in &reports {
        let path = report_path(&args.file, report);
        if report.problems.is_empty() {
            let _ = std::fs::remove_file(&path);
        } else {
            std::fs::write(&path, report.errors_csv())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if args.json {
            let mut value = serde_json::to_value(report)?;
            if let Some(map) = value.as_object_mut() {
                map.remove("problems");
                map.insert("problem_count".into(), report.problems.len().into());
                map.insert("errors_file".into(), path.display().to_string().into());
            }
            println!("{value}");
        } else {
            println!("{}", report.one_line());
            if !report.problems.is_empty() {
                println!(
                    "  {} problems reported in {}",
                    report.problems.len(),
                    path.display()
                );
            }
        }
    }
    Ok(())
}
