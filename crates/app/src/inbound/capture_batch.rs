//! Group commit for form captures.
//!
//! Every capture writes a dozen rows in a write transaction, and on SQLite all writes go through
//! one connection: committing each form alone spends most of the writer's time writing the same
//! index and rollup pages to the WAL again and again, and handing the connection from one request
//! to the next. Captures that arrive while another batch is being written therefore wait in a
//! queue, and the next batch writes all of them in one transaction — one after another, so each
//! still sees the ones before it (two posts by the same person make one person). A lone form is a
//! batch of one and waits for nothing.
//!
//! The batch is written by a spawned task, not by a request's own future: a client that hangs up
//! must not cancel a transaction that carries other people's forms. If the batch transaction
//! fails, each of its forms is written again on its own, so one bad form cannot lose the others.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::capture::{CaptureInput, Captured};
use crate::{App, AppError, AppResult};

/// Most forms written in one transaction: enough to amortise the commit, small enough that the
/// first form of a batch is not held long.
const MAX_BATCH: usize = 64;

/// A form waiting to be written, and where its answer goes.
struct Waiting {
    input: CaptureInput,
    reply: oneshot::Sender<AppResult<Captured>>,
}

/// The queue of forms waiting for the next batch.
#[derive(Default)]
pub(crate) struct CaptureQueue {
    waiting: Mutex<Vec<Waiting>>,
    /// Whether a task is writing batches now; at most one is.
    draining: AtomicBool,
}

impl std::fmt::Debug for CaptureQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureQueue")
            .field("draining", &self.draining.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl CaptureQueue {
    fn push(&self, w: Waiting) {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(w);
    }

    fn take_batch(&self) -> Vec<Waiting> {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = waiting.len().min(MAX_BATCH);
        waiting.drain(..n).collect()
    }

    fn is_empty(&self) -> bool {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
    }

    /// Claims the right to drain; false when another task already drains.
    fn claim(&self) -> bool {
        self.draining
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

/// Gives up the drain however the draining task ends — a panic included, or every later form
/// would wait for a drainer that is gone.
struct Release(Arc<CaptureQueue>);

impl Drop for Release {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.draining.store(false, Ordering::Release);
        }
    }
}

impl App {
    /// Form posts waiting for the batch being written to finish (for monitoring, and for tests
    /// that line posts up behind a batch).
    pub fn captures_waiting(&self) -> usize {
        self.captures
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Takes a public form post. Refusals (unknown form 404, no email or phone 422, bad input 422,
    /// a flood 429) are stored as rejected submissions before answering.
    pub async fn capture_form(&self, input: CaptureInput) -> AppResult<Captured> {
        let (reply, answer) = oneshot::channel();
        let queue = Arc::clone(&self.captures);
        queue.push(Waiting { input, reply });
        if queue.claim() {
            tokio::spawn(self.clone().drain_captures());
        }
        answer
            .await
            .unwrap_or_else(|_| Err(AppError::Internal("the capture was dropped unanswered".into())))
    }

    /// Writes batches until the queue is empty, then gives up the drain — checking once more, as a
    /// form pushed just before the give-up would otherwise wait for the next one.
    async fn drain_captures(self) {
        let _release = Release(Arc::clone(&self.captures));
        loop {
            loop {
                let batch = self.captures.take_batch();
                if batch.is_empty() {
                    break;
                }
                self.write_captures(batch).await;
            }
            self.captures.draining.store(false, Ordering::Release);
            if self.captures.is_empty() || !self.captures.claim() {
                return;
            }
        }
    }

    async fn write_captures(&self, batch: Vec<Waiting>) {
        let inputs: Vec<CaptureInput> = batch.iter().map(|w| w.input.clone()).collect();
        match self.capture_together(inputs).await {
            Ok(answers) => {
                for (w, answer) in batch.into_iter().zip(answers) {
                    let _ = w.reply.send(answer);
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some(w) = batch.into_iter().next() {
                    let _ = w.reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, forms = batch.len(), "a capture batch failed; writing its forms one by one");
                for w in batch {
                    let answer = match self.capture_together(vec![w.input]).await {
                        Ok(mut answers) => answers
                            .pop()
                            .unwrap_or_else(|| Err(AppError::Internal("a capture gave no answer".into()))),
                        Err(e) => Err(e),
                    };
                    let _ = w.reply.send(answer);
                }
            }
        }
    }
}
