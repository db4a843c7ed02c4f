//! `prospector handbook export DIR` and `prospector handbook import DIR [--merge]`: thin wrappers
//! over the use cases the tests exercise (`App::export_handbook_git`, `App::import_handbook_dir`).

use std::path::PathBuf;

use prospector_app::Actor;

use crate::commands::{app, open};
use crate::config::Config;

/// `prospector handbook export DIR`.
pub async fn export(config: Config, dir: PathBuf, json: bool) -> anyhow::Result<()> {
    let store = open(&config).await?;
    let app = app(store, &config);
    let summary = app.export_handbook_git(&Actor::cli(), &dir).await?;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "wrote {} commits ({} pages) to {}",
            summary.commits,
            summary.pages,
            dir.display()
        );
    }
    app.store().close().await;
    Ok(())
}

/// `prospector handbook import DIR [--merge]`: exits 0 when the folder was read, listing the files
/// that could not be imported.
pub async fn import(config: Config, dir: PathBuf, merge: bool, json: bool) -> anyhow::Result<()> {
    let store = open(&config).await?;
    let app = app(store, &config);
    let report = app.import_handbook_dir(&Actor::cli(), &dir, merge).await?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for page in &report.imported {
            match page.proposal_id {
                Some(id) => println!("{}: {} ({}, proposal {id})", page.file, page.slug, page.outcome),
                None => println!("{}: {} ({})", page.file, page.slug, page.outcome),
            }
        }
        for failure in &report.failed {
            eprintln!("{}: not imported: {}", failure.file, failure.reason);
        }
        println!(
            "{} imported, {} not imported",
            report.imported.len(),
            report.failed.len()
        );
    }
    app.store().close().await;
    Ok(())
}
