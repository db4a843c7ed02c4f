//! The real `prospector` binary, run as a user runs it: flags, stdin, stdout/stderr, exit codes
//! and signals, against SQLite files and (when reachable) PostgreSQL.

#![allow(clippy::unwrap_used)]

mod accounts;
mod bench_import;
mod config;
mod dedupe;
mod demo;
mod errors;
mod help;
mod import;
mod support;
