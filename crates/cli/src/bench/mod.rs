//! `prospector bench …`: fixed-seed data at scale and timings of the hot paths, printed with the
//! command that produced them and recorded in docs/benchmarks.md.

pub mod dashboards;
pub mod import;
mod import_bulk_sql;
pub mod inbound;
mod names;
pub mod records;
pub mod sequences;
mod smtp_sink;

use std::time::Duration;

use clap::Subcommand;

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Leads and activities: list + count, deep page, record + timeline, search by name and email.
    Records {
        /// How many leads to generate.
        #[arg(long, default_value_t = 100_000)]
        leads: usize,
        /// How many activities to generate.
        #[arg(long, default_value_t = 1_000_000)]
        activities: usize,
        /// Time a database that already holds data instead of refusing it.
        #[arg(long)]
        reuse: bool,
    },
    /// A year of a team's activity (fixed seed, bulk loaded with its rollups), then the team
    /// dashboard's server time.
    Dashboards {
        /// Reps, in teams of ten.
        #[arg(long, default_value_t = 50)]
        reps: usize,
        /// Days of activity (548 activities per rep per day).
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// Time a database that already holds data instead of refusing it.
        #[arg(long)]
        reuse: bool,
    },
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
    /// Sequences: the sweep over many enrollments, sending its emails to a local SMTP server, and a
    /// rep's Today list, on SQLite and PostgreSQL.
    Sequences {
        /// People enrolled.
        #[arg(long, default_value_t = 100_000)]
        enrollments: usize,
        /// Of them, due for an automatic email at once.
        #[arg(long, default_value_t = 1_000)]
        due: usize,
        /// Open calls on one rep's Today list.
        #[arg(long, default_value_t = 5_000)]
        today_items: usize,
        /// Outbox workers sending the swept emails at once (as that many `serve` processes).
        #[arg(long, default_value_t = 1)]
        senders: usize,
        /// PostgreSQL server to create a scratch database on; `none` skips PostgreSQL.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_url: String,
    },
    /// Inbound capture through HTTP (scoring, routing, SLA clocks) on a fresh SQLite database
    /// (or an empty PostgreSQL one), and the time of one routing decision.
    Inbound {
        /// Form posts to send.
        #[arg(long, default_value_t = 20_000)]
        forms: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Run on this empty PostgreSQL database instead of a fresh SQLite file.
        #[arg(long)]
        postgres_url: Option<String>,
    },
}

/// Runs `command` against `database_url` where it uses the configured database.
pub async fn run(command: BenchCommand, database_url: &str) -> anyhow::Result<()> {
    match command {
        BenchCommand::Records {
            leads,
            activities,
            reuse,
        } => {
            records::command(
                database_url,
                records::Options {
                    leads,
                    activities,
                    reuse,
                },
            )
            .await
        }
        BenchCommand::Inbound {
            forms,
            clients,
            postgres_url,
        } => inbound::run(forms, clients, postgres_url).await,
        BenchCommand::Sequences {
            enrollments,
            due,
            today_items,
            senders,
            postgres_url,
        } => {
            sequences::run(sequences::Options {
                enrollments,
                due,
                today_items,
                senders,
                postgres_url,
            })
            .await
        }
        BenchCommand::Dashboards { reps, days, reuse } => {
            dashboards::command(database_url, dashboards::Options { reps, days, reuse }).await
        }
        BenchCommand::Import {
            rows,
            seed,
            dir,
            postgres_url,
        } => import::run(rows, seed, dir, &postgres_url).await,
    }
}

/// p50 and p99 of `samples` (sorted in place).
pub fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).saturating_sub(1);
        samples
            .get(i.min(samples.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    (at(0.50), at(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let mut s: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(
            percentiles(&mut s),
            (Duration::from_millis(50), Duration::from_millis(99))
        );
    }
}
