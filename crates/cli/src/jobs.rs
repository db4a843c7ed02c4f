//! `prospector jobs import FILE…`: job pages (markdown with front matter) into the database,
//! through the same use case as the editor, so a file is stored exactly as written.

use std::path::PathBuf;

use anyhow::{Context, bail};
use prospector_app::Actor;

use crate::commands::{app, open};
use crate::config::Config;

/// Imports each file; reports every file it could not import and fails if any.
pub async fn import(config: Config, files: Vec<PathBuf>) -> anyhow::Result<()> {
    let store = open(&config).await?;
    let app = app(store.clone(), &config);
    let mut failed = 0usize;
    for path in &files {
        let outcome = async {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the file", path.display()))?;
            app.import_job(&Actor::cli(), &path.display().to_string(), &text)
                .await
                .map_err(anyhow::Error::from)
        }
        .await;
        match outcome {
            Ok(job) => println!(
                "{}\t/jobs/{}\t{} stages: {}",
                job.title,
                job.slug,
                job.stages.len(),
                job.stages
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    store.close().await;
    if failed > 0 {
        bail!("{failed} of {} job files could not be imported", files.len());
    }
    eprintln!("imported {} job file(s)", files.len());
    Ok(())
}
