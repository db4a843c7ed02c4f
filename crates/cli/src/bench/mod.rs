//! `prospector bench …`: measurements of hot paths, printed as one line each (and recorded in
//! docs/benchmarks.md with the command that produced them).

pub mod inbound;

use clap::Subcommand;

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Inbound capture through HTTP (scoring, routing, SLA clocks) on a fresh SQLite database,
    /// and the time of one routing decision.
    Inbound {
        /// Form posts to send.
        #[arg(long, default_value_t = 20_000)]
        forms: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
}

/// Runs `command`.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Inbound { forms, clients } => inbound::run(forms, clients).await,
    }
}
