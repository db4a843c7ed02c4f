//! `prospector export`: Salesforce Bulk API 2.0 CSV (or our field codes) on standard output.

use std::io::Write;

use anyhow::bail;
use prospector_app::Actor;
use prospector_app::import::export::{ExportFormat, ExportOptions};
use prospector_core::import::ObjectKind;

use crate::commands;
use crate::config::Config;

/// `prospector export`.
pub async fn export(
    config: Config,
    object: String,
    format: String,
    since: Option<String>,
    null: String,
) -> anyhow::Result<()> {
    let Some(object) = ObjectKind::parse(&object) else {
        bail!("--object must be one of lead, contact, account, opportunity, task (got '{object}')");
    };
    let format = match format.as_str() {
        "salesforce" => ExportFormat::Salesforce,
        "csv" => ExportFormat::Csv,
        other => bail!("--format must be salesforce or csv (got '{other}')"),
    };
    let since = match since {
        Some(raw) => match prospector_core::import::values::parse_datetime(&raw) {
            Ok(t) => Some(t),
            Err(why) => bail!("--since '{raw}' is not a time: {why}"),
        },
        None => None,
    };
    let store = commands::open(&config).await?;
    let app = commands::app(store.clone(), &config);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let options = ExportOptions {
        object,
        format,
        since,
        null,
    };
    let result = app.export_csv(&Actor::cli(), &options, &mut out).await;
    out.flush()?;
    store.close().await;
    let written = result?;
    eprintln!("exported {written} {} records", object.code());
    Ok(())
}
