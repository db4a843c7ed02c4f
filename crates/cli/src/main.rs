//! The `prospector` command.

mod bench;
mod commands;
mod config;
mod dedupe;
mod export;
mod handbook;
mod import;
mod jobs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  prospector demo                                  run on SQLite with a demo team, print the logins
  prospector serve --listen 0.0.0.0:8080           serve the database in ./prospector.db
  prospector --database-url postgres://postgres@127.0.0.1/prospector serve
  prospector migrate                               apply database migrations and exit
  prospector user add --email dana@example.com --name 'Dana Whitfield' --role team_lead --team West --password-stdin
  prospector token create --email dana@example.com --name zapier
  prospector dedupe leads.csv --id-column Id > duplicates.csv
  prospector jobs import ../shared/data/jobs/*.md      import job pages for the careers site
  prospector import leads.csv --object lead --preset salesforce --owner dana@example.com
  prospector export --object contact --format salesforce --null '#N/A' > contacts.csv

Configuration: defaults, then --config FILE (TOML), then PROSPECTOR_* environment variables
(e.g. PROSPECTOR_DATABASE_URL, PROSPECTOR_LISTEN, PROSPECTOR_LOG_FORMAT=json), then flags.";

/// Prospector: the sales-development platform in one binary.
#[derive(Debug, Parser)]
#[command(name = "prospector", version, about, after_help = EXAMPLES)]
struct Cli {
    /// A TOML config file.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database: sqlite://FILE (default sqlite://prospector.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API (migrates first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the duplicate pairs in a CSV of people or accounts (or the links to a second file) as
    /// `left_id,right_id,score`, using the same matcher as entry and import.
    Dedupe {
        /// The CSV file.
        file: PathBuf,
        /// Link FILE's records to this file's instead of finding duplicates within FILE.
        #[arg(long, value_name = "OTHER_FILE")]
        link: Option<PathBuf>,
        /// The column holding each row's id (default: the record id column, else the line number).
        #[arg(long, value_name = "COLUMN")]
        id_column: Option<String>,
        /// lead, contact or account (default: lead).
        #[arg(long)]
        object: Option<String>,
        /// Lowest score reported, 0–1 (default 0.5).
        #[arg(long)]
        threshold: Option<f64>,
    },
    /// Manage job pages.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Export the handbook as a git repository, or import a folder of markdown pages.
    Handbook {
        #[command(subcommand)]
        command: HandbookCommand,
    },
    /// Fill an empty database (default sqlite://prospector-demo.db) with a demo team, then serve it.
    Demo {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Import a CSV file, an sObject-tree JSON or a data-plan.json (resumes an interrupted run of the same file).
    Import {
        /// The file.
        file: PathBuf,
        /// lead, contact, account, opportunity, task, or auto (from the header).
        #[arg(long, default_value = "auto")]
        object: String,
        /// salesforce, hubspot, pipedrive, or auto.
        #[arg(long, default_value = "auto")]
        preset: String,
        /// A TOML mapping: [columns] header = "field code" | "custom" | "ignore"; [picklists.KIND] value = "code"; for a
        /// data plan, [files."Contacts.json".columns] (and .picklists) replace them for that file.
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import nothing when any row is bad.
        #[arg(long)]
        strict: bool,
        /// Owner (by email) of rows that name none.
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
        /// Continue an interrupted import of this file (the default whenever one exists).
        #[arg(long)]
        resume: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = prospector_app::import::DEFAULT_BATCH, hide = true)]
        batch_size: usize,
    },
    /// Export records as CSV on standard output.
    Export {
        /// lead, contact, account, opportunity or task.
        #[arg(long)]
        object: String,
        /// salesforce (API-name headers) or csv (our field codes).
        #[arg(long, default_value = "salesforce")]
        format: String,
        /// Only records changed at or after this time (ISO 8601).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// What to write for an empty value, e.g. '#N/A'.
        #[arg(long, default_value = "")]
        null: String,
    },
    /// Generate fixed-seed data at scale and time requests.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        /// Login and mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// admin, team_lead, sdr, ae, marketing, recruiter or interviewer.
        #[arg(long)]
        role: String,
        /// Team name (created when new).
        #[arg(long)]
        team: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Import job pages (markdown with `title` in the front matter); a page whose slug exists replaces it.
    Import {
        /// The markdown files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum HandbookCommand {
    /// Write the handbook to a fresh git repository in DIR: one commit per merged revision.
    Export {
        /// An empty or missing directory.
        dir: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read every *.md file in DIR (front matter kept) as proposals for review.
    Import {
        /// The folder of markdown files.
        dir: PathBuf,
        /// Merge the pages at once instead of proposing them.
        #[arg(long)]
        merge: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token and print it (it is shown only once).
    Create {
        /// Whose token.
        #[arg(long)]
        email: String,
        /// What it is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let (mut config, warnings) = match config::Config::load(cli.config.as_deref(), &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let explicit_database = cli.database_url.is_some() || env.contains_key("PROSPECTOR_DATABASE_URL");
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    // Long-running bulk commands legitimately run statements slower than sqlx's alert threshold;
    // its warning prints the whole multi-row statement, which would bury the progress bar.
    if matches!(
        cli.command,
        Command::Import { .. } | Command::Export { .. } | Command::Bench { .. }
    ) {
        config.log.push_str(",sqlx=error");
    }
    commands::init_logging(&config);
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    if let Command::Dedupe {
        file,
        link,
        id_column,
        object,
        threshold,
    } = &cli.command
    {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return match dedupe::run(
            file,
            link.as_deref(),
            id_column.as_deref(),
            object.as_deref(),
            *threshold,
            &mut out,
        )
        .and_then(|()| std::io::Write::flush(&mut out).map_err(Into::into))
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { listen } => commands::serve(config, listen).await,
            Command::Migrate => commands::migrate(config).await,
            Command::User {
                command:
                    UserCommand::Add {
                        email,
                        name,
                        role,
                        team,
                        password_stdin,
                    },
            } => commands::user_add(config, email, name, role, team, password_stdin).await,
            Command::Token {
                command: TokenCommand::Create { email, name },
            } => commands::token_create(config, email, name).await,
            Command::Dedupe { .. } => Ok(()),
            Command::Jobs {
                command: JobsCommand::Import { files },
            } => jobs::import(config, files).await,
            Command::Handbook {
                command: HandbookCommand::Export { dir, json },
            } => handbook::export(config, dir, json).await,
            Command::Handbook {
                command: HandbookCommand::Import { dir, merge, json },
            } => handbook::import(config, dir, merge, json).await,
            Command::Demo { listen } => {
                if !explicit_database {
                    config.database_url = "sqlite://prospector-demo.db".into();
                }
                commands::demo(config, listen).await
            }
            Command::Import {
                file,
                object,
                preset,
                mapping,
                dry_run,
                strict,
                owner,
                resume: _,
                json,
                batch_size,
            } => {
                let args = import::ImportArgs {
                    file,
                    object,
                    preset,
                    mapping,
                    dry_run,
                    strict,
                    owner,
                    json,
                    batch_size,
                };
                import::import(config, args).await
            }
            Command::Export {
                object,
                format,
                since,
                null,
            } => export::export(config, object, format, since, null).await,
            Command::Bench { command } => bench::run(command, &config.database_url).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
