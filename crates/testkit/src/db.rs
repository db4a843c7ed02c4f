//! Fresh databases for tests.

use std::sync::OnceLock;

use prospector_store::{Store, StoreOptions, migrations_fingerprint};
use sqlx::Connection;
use tokio::sync::OnceCell;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A new database on the test PostgreSQL server.
    Postgres,
}

/// A database that exists for one test and is removed afterwards.
#[derive(Debug)]
pub struct TestDb {
    /// The URL to connect to.
    pub url: String,
    /// Its backend.
    pub backend: Backend,
    dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn admin_url() -> String {
    std::env::var("PROSPECTOR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// The migrated template database, made once per test process; `None` when PostgreSQL is down.
async fn template() -> Option<&'static str> {
    static TEMPLATE: OnceCell<Option<String>> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let admin = admin_url();
            let mut conn = match sqlx::PgConnection::connect(&admin).await {
                Ok(c) => c,
                Err(e) => {
                    let message = format!("PostgreSQL at {admin} is not reachable ({e})");
                    assert!(
                        !crate::in_ci(),
                        "{message}: under CI=true the PostgreSQL tests must run"
                    );
                    warn_skip(&message);
                    return None;
                }
            };
            let name = format!(
                "prospector_tpl_{}",
                migrations_fingerprint(prospector_store::Backend::Postgres)
            );
            // Serialise template creation across test processes.
            let _ = sqlx::query("SELECT pg_advisory_lock(724011)")
                .execute(&mut conn)
                .await;
            let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .ok()
                .flatten()
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {building} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                    .execute(&mut conn)
                    .await
                    .expect("create template database");
                let store = Store::connect(&with_database(&admin, &building), &StoreOptions::default())
                    .await
                    .expect("connect to template database");
                store.migrate().await.expect("migrate template database");
                store.close().await;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE {building} RENAME TO {name}"
                )))
                .execute(&mut conn)
                .await
                .expect("publish template database");
            }
            let _ = sqlx::query("SELECT pg_advisory_unlock(724011)")
                .execute(&mut conn)
                .await;
            Some(name)
        })
        .await
        .as_deref()
}

fn warn_skip(message: &str) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!! SKIPPING every PostgreSQL test: {message}");
        eprintln!("!! Start PostgreSQL or set PROSPECTOR_TEST_POSTGRES_URL. Under CI=true this fails.");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    });
}

impl TestDb {
    /// A new SQLite database file in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("prospector.db").display());
        TestDb {
            url,
            backend: Backend::Sqlite,
            dir: Some(dir),
            pg_name: None,
        }
    }

    /// A new PostgreSQL database, migrated; `None` (after a loud warning) when PostgreSQL is not
    /// reachable outside CI.
    pub async fn postgres() -> Option<TestDb> {
        let template = template().await?;
        let admin = admin_url();
        let name = format!("prospector_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE {template}"
        )))
        .execute(&mut conn)
        .await
        .expect("create test database");
        let _ = conn.close().await;
        Some(TestDb {
            url: with_database(&admin, &name),
            backend: Backend::Postgres,
            dir: None,
            pg_name: Some(name),
        })
    }

    /// A new database of `backend`.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// Opens and migrates the store.
    pub async fn store(&self) -> Store {
        let store = Store::connect(
            &self.url,
            &StoreOptions {
                max_connections: 4,
                ..StoreOptions::default()
            },
        )
        .await
        .expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        store
    }

    /// The temporary directory of a SQLite database.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(tempfile::TempDir::path)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        // Drop is synchronous; drop the database from a short-lived runtime on another thread.
        let admin = admin_url();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}
