//! What each command does.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, bail};
use prospector_app::users::NewUserInput;
use prospector_app::{Actor, App, AppSettings, SystemClock};
use prospector_core::email::Email;
use prospector_store::{Store, StoreOptions};
use prospector_web::WebSettings;

use crate::config::Config;

/// Text or JSON logs on stderr, filtered by `log` (or RUST_LOG).
pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}

pub(crate) async fn open(config: &Config) -> anyhow::Result<Store> {
    let options = StoreOptions {
        max_connections: config.max_connections,
        ..StoreOptions::default()
    };
    let store = Store::connect(&config.database_url, &options).await?;
    store.migrate().await?;
    Ok(store)
}

pub(crate) fn app(store: Store, config: &Config) -> App {
    let settings = AppSettings {
        session_ttl: chrono::Duration::hours(config.session_ttl_hours),
        mail: mail_settings(config).unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail settings are invalid; mail from the system mailbox will wait");
            prospector_app::mail::MailSettings::default()
        }),
        import_dir: config.import_dir.clone(),
        ..AppSettings::default()
    };
    App::new(store, Arc::new(SystemClock), settings)
}

fn mail_settings(config: &Config) -> anyhow::Result<prospector_app::mail::MailSettings> {
    use prospector_app::mail::{MailSettings, SystemMailbox, crypto::SecretKey};
    if let Some(key) = &config.secret_key {
        SecretKey::from_base64(key).map_err(|e| anyhow::anyhow!("PROSPECTOR_SECRET_KEY: {e}"))?;
    }
    let system_mailbox = match &config.system_smtp_url {
        Some(url) => Some(
            SystemMailbox::from_url(
                url,
                config
                    .system_mail_from
                    .as_deref()
                    .unwrap_or("prospector@localhost"),
            )
            .map_err(|e| anyhow::anyhow!(e))?,
        ),
        None => None,
    };
    Ok(MailSettings {
        secret_key: config.secret_key.clone(),
        system_mailbox,
        ..MailSettings::default()
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn run_server(
    app: App,
    config: &Config,
    listen: &str,
    banner: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    banner(&format!("http://{addr}"));
    let web = WebSettings {
        secure_cookies: config.secure_cookies,
        max_body_bytes: config.max_body_bytes,
        trust_forwarded_for: config.trust_forwarded_for,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker_id = format!("{}-{}", hostname(), std::process::id());
    let worker = prospector_app::outbox::Worker::new(app.clone(), worker_id);
    let worker = prospector_app::hiring::register_handlers(worker);
    let worker = prospector_app::mail::with_mail_handlers(worker);
    let worker = prospector_app::inbound::register_handlers(worker);
    let worker = prospector_app::sequences::register_handlers(worker);
    let worker = prospector_app::dashboards::register_handlers(worker);
    let worker = prospector_app::import::register_handlers(worker);
    if let Err(e) = app.schedule_weekly_digest().await {
        tracing::warn!(error = %e, "could not schedule the weekly digest");
    }
    if let Err(e) = app.schedule_mailbox_syncs().await {
        tracing::warn!(error = %e, "could not schedule mailbox syncs");
    }
    if let Err(e) = app.schedule_sequence_sweep().await {
        tracing::warn!(error = %e, "could not schedule the sequence sweep");
    }
    if let Err(e) = app.schedule_import_housekeeping().await {
        tracing::warn!(error = %e, "could not schedule import housekeeping");
    }
    let mut worker_stop = stop_rx.clone();
    let worker_task = tokio::spawn(worker.run(std::time::Duration::from_secs(2), async move {
        let _ = worker_stop.changed().await;
    }));
    let store = app.store().clone();
    prospector_web::launch_with_listener(app, web, listener, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    let _ = worker_task.await;
    store.close().await;
    Ok(())
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "prospector".into())
}

/// `prospector serve`.
pub async fn serve(config: Config, listen: Option<String>) -> anyhow::Result<()> {
    let store = open(&config).await?;
    let listen = listen.unwrap_or_else(|| config.listen.clone());
    let app = app(store, &config);
    app.seed_default_handbook(&Actor::cli()).await?;
    run_server(app, &config, &listen, |url| {
        tracing::info!(%url, database = %prospector_store::redact_url(&config.database_url), "Prospector is serving");
        eprintln!("Prospector is serving on {url}");
    })
    .await
}

/// `prospector migrate`.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let store = open(&config).await?;
    store.close().await;
    eprintln!(
        "database is up to date: {}",
        prospector_store::redact_url(&config.database_url)
    );
    Ok(())
}

/// `prospector user add`.
pub async fn user_add(
    config: Config,
    email: String,
    name: String,
    role: String,
    team: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            bail!("--password-stdin was given but standard input was empty");
        }
        Some(password)
    } else {
        None
    };
    let store = open(&config).await?;
    let app = app(store.clone(), &config);
    let input = NewUserInput {
        email,
        name,
        role,
        team,
        password,
        time_zone: None,
    };
    let result = app.add_user(&Actor::cli(), input).await;
    store.close().await;
    let user = result?;
    println!("{}", user.id);
    eprintln!("added {} <{}> as {}", user.name, user.email, user.role.label());
    Ok(())
}

/// `prospector token create`.
pub async fn token_create(config: Config, email: String, name: String) -> anyhow::Result<()> {
    let email = Email::parse(&email)?;
    let store = open(&config).await?;
    let app = app(store.clone(), &config);
    let result = app.create_token(&Actor::cli(), Some(&email), &name).await;
    store.close().await;
    let created = result?;
    println!("{}", created.secret);
    eprintln!(
        "token '{}' for {email} created; it is shown only this once",
        created.token.name
    );
    Ok(())
}

/// `prospector demo`.
pub async fn demo(config: Config, listen: Option<String>) -> anyhow::Result<()> {
    let store = open(&config).await?;
    let app = app(store, &config);
    let seeded = app.seed_demo().await?;
    let listen = listen.unwrap_or_else(|| config.listen.clone());
    let database = prospector_store::redact_url(&config.database_url);
    run_server(app, &config, &listen, move |url| {
        println!("Prospector demo is running at {url}");
        println!(
            "database: {database}{}",
            if seeded {
                " (filled with the demo team)"
            } else {
                " (already had data; left as it was)"
            }
        );
        println!(
            "log in as any of these, password '{}':",
            prospector_app::demo::DEMO_PASSWORD
        );
        for member in &prospector_app::demo::DEMO_TEAM {
            println!("  {:<12} {:<32} {}", member.role, member.email, member.name);
        }
        println!("Press Ctrl+C to stop.");
    })
    .await
}
