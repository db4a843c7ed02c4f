//! `prospector bench …`: measurements run on this machine, printed for `docs/benchmarks.md`.

pub mod import;

use clap::Subcommand;

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Import generated Salesforce leads into SQLite and PostgreSQL and compare with bare bulk loads.
    Import {
        /// How many leads to generate.
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Random seed for the generated file.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where to write the file and the SQLite databases (default: a temporary directory).
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// PostgreSQL server to create a scratch database on; `none` skips PostgreSQL.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_url: String,
    },
}

/// Runs a benchmark.
pub async fn run(bench: Bench) -> anyhow::Result<()> {
    match bench {
        Bench::Import {
            rows,
            seed,
            dir,
            postgres_url,
        } => import::run(rows, seed, dir, &postgres_url).await,
    }
}
