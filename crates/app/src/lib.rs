//! Prospector's use cases. Each public method takes an [`Actor`], checks permission, and runs its
//! writes, their audit entries and any outbox rows in one transaction. Nothing here knows HTTP.

pub mod actor;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod dashboards;
pub mod demo;
mod demo_records;
pub mod error;
pub mod handbook;
pub mod hiring;
pub mod import;
pub mod inbound;
pub mod mail;
pub mod outbox;
pub mod records;
pub mod secrets;
pub mod sequences;
pub mod stories;
pub mod stories_source;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use prospector_store::Store;

pub use actor::{Actor, Principal, Via};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult};

/// Tunables of the use cases.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// How long a browser session lives without use.
    pub session_ttl: chrono::Duration,
    /// Login throttling.
    pub throttle: auth::ThrottleSettings,
    /// Mail: the credential key, the system mailbox, sync interval.
    pub mail: mail::MailSettings,
    /// Where files uploaded for import wait, one directory per upload (named by its id, which
    /// becomes the job's id), until their import is done.
    pub import_dir: std::path::PathBuf,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::days(14),
            throttle: auth::ThrottleSettings::default(),
            mail: mail::MailSettings::default(),
            import_dir: std::env::temp_dir().join("prospector-imports"),
        }
    }
}

/// The application: the store, a clock and the settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    settings: Arc<AppSettings>,
    /// Inbound forms, rules and calendars, read once (see `inbound::config`).
    inbound_config: Arc<inbound::config::ConfigCache>,
    /// Form posts waiting to be written together (see `inbound::capture_batch`).
    captures: Arc<inbound::capture_batch::CaptureQueue>,
}

impl App {
    /// Builds the application over an opened, migrated store.
    pub fn new(store: Store, clock: Arc<dyn Clock>, settings: AppSettings) -> Self {
        Self {
            store,
            clock,
            settings: Arc::new(settings),
            inbound_config: Arc::default(),
            captures: Arc::default(),
        }
    }

    /// The store (for health checks and metrics).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The settings.
    pub fn settings(&self) -> &AppSettings {
        &self.settings
    }
}
