//! Background work through the outbox: use cases enqueue inside their transaction; the worker
//! claims due items under a lease, runs the handler for each kind, and records the outcome.
//! A crash mid-handler leaves the lease to expire, and the item is retried.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use prospector_store::WriteTx;
use prospector_store::outbox::{self, Claimed, NewItem};

use crate::{App, AppResult};

/// Attempts before an item is given up and shown as failed.
pub const MAX_ATTEMPTS: i64 = 10;

/// Adds work to the outbox inside `tx`. With a `dedupe_key`, enqueueing twice is harmless.
pub async fn enqueue(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    kind: &str,
    payload: serde_json::Value,
    available_at: DateTime<Utc>,
    dedupe_key: Option<String>,
) -> AppResult<bool> {
    let item = NewItem {
        kind: kind.to_owned(),
        payload,
        available_at,
        dedupe_key,
        max_attempts: MAX_ATTEMPTS,
    };
    Ok(outbox::enqueue(tx, prospector_core::ids::uuid_v7_at(now), &item, now).await?)
}

/// What a handler returns: done, or an error message (the item is retried with backoff).
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Runs one kind of outbox item.
pub trait Handler: Send + Sync {
    /// Runs the item; must be safe to run again after a crash (idempotent by its own key).
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a>;
}

/// Claims and runs outbox items.
#[derive(Clone)]
pub struct Worker {
    app: App,
    id: String,
    handlers: HashMap<String, Arc<dyn Handler>>,
    lease: Duration,
    batch: i64,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("id", &self.id)
            .field("kinds", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Backoff before retry `attempt` (1-based): 30 s, 1 min, 2 min, … capped at an hour.
pub fn backoff(attempt: i64) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    Duration::seconds((30 * 2i64.pow(exp)).min(3600))
}

impl Worker {
    /// A worker named `id` (unique per process, e.g. host + pid).
    pub fn new(app: App, id: impl Into<String>) -> Self {
        Self {
            app,
            id: id.into(),
            handlers: HashMap::new(),
            lease: Duration::minutes(5),
            batch: 50,
        }
    }

    /// Registers the handler for `kind`.
    #[must_use]
    pub fn with_handler(mut self, kind: &str, handler: Arc<dyn Handler>) -> Self {
        self.handlers.insert(kind.to_owned(), handler);
        self
    }

    /// Claims one batch of due items and runs them; returns how many ran. Tests call this
    /// directly to drain the outbox without waiting.
    pub async fn run_once(&self) -> AppResult<usize> {
        let now = self.app.now();
        let mut tx = self.app.store().begin().await?;
        let claimed = outbox::claim(&mut tx, &self.id, now, self.lease, self.batch).await?;
        tx.commit().await?;
        for item in &claimed {
            let outcome = match self.handlers.get(&item.kind) {
                Some(handler) => handler.run(&self.app, item).await,
                None => Err(format!("no handler for outbox kind '{}'", item.kind)),
            };
            let now = self.app.now();
            let mut tx = self.app.store().begin().await?;
            match outcome {
                Ok(()) => outbox::complete(&mut tx, item.id, now).await?,
                Err(error) => {
                    tracing::warn!(kind = %item.kind, id = %item.id, attempt = item.attempts, %error, "outbox item failed");
                    outbox::fail(&mut tx, item.id, &error, now + backoff(item.attempts), now).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(claimed.len())
    }

    /// Runs until `shutdown` resolves, polling every `interval` when idle.
    pub async fn run(self, interval: std::time::Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let ran = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker could not claim work");
                    0
                }
            };
            if ran > 0 {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_and_stop_growing_at_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(20).num_seconds(), 3600);
    }
}
