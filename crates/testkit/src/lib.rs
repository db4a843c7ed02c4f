//! Test harness: a fresh database of either backend per test, and the whole app spawned on
//! 127.0.0.1:0 with a manual clock.
//!
//! PostgreSQL comes from `PROSPECTOR_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each test gets its own database, created from
//! a migrated template and dropped afterwards, so tests run in parallel. When PostgreSQL cannot be
//! reached the PostgreSQL half of each test is skipped with a loud message — unless `CI=true`,
//! where that is a failure.

mod db;
pub mod mail;
mod spawn;

pub use db::{Backend, TestDb};
pub use spawn::{ApiClient, TEST_PASSWORD, TestApp, default_start};

/// Whether we run under CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Declares each async test `fn name(db: TestDb)` twice: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::TestDb::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::TestDb::postgres().await {
                    super::$name(db).await
                }
            }
        }
    )*};
}
