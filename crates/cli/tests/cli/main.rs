//! The `prospector` binary, run as a child process on both backends.

// Test helpers outside #[test] functions unwrap freely: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod import;
