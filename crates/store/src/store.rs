//! Opening the database named by a URL, migrating it, and handing out readers and write
//! transactions.
//!
//! SQLite gets one writer connection (every write transaction starts with `BEGIN IMMEDIATE`, so
//! a read-then-write never fails to upgrade its lock) and a pool of read-only connections; WAL
//! lets readers run beside the writer. PostgreSQL gets one pool.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Postgres, Sqlite, Transaction};

use crate::error::{StoreError, StoreResult};
use crate::query::{Backend, Exec, Query, Row, run};

/// WAL pages the SQLite writer lets pile up before it copies them back into the database file
/// (SQLite's default is 1,000). Each of those checkpoints ends in an `fsync` and rewrites every
/// page written since the last one — the same hot index and rollup pages again and again under a
/// steady stream of small transactions, such as a burst of form captures. Four times the default
/// (a WAL of about 16 MB at 4 KiB pages) copies each hot page a quarter as often.
const WAL_CHECKPOINT_PAGES: u32 = 4_000;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How big the pools are and how long to wait.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// PostgreSQL pool size, or the number of SQLite reader connections.
    pub max_connections: u32,
    /// How long to wait for a connection (or SQLite's write lock) before giving up.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// The database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    Sqlite { writer: SqlitePool, readers: SqlitePool },
    Postgres { pool: PgPool },
}

/// Connection counts for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Open connections not in use.
    pub idle: u32,
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            if creds.contains(':') {
                format!("{}://{user}:***{}", &url[..scheme_end], &url[at..])
            } else {
                url.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://FILE` — created if missing — or `postgres://…`),
    /// without migrating it.
    pub async fn connect(url: &str, options: &StoreOptions) -> StoreResult<Store> {
        let scheme = url.split(':').next().unwrap_or("");
        match scheme {
            "sqlite" => Self::connect_sqlite(url, options).await,
            "postgres" | "postgresql" => Self::connect_postgres(url, options).await,
            _ => Err(StoreError::BadUrl(format!(
                "unsupported database URL '{}': use sqlite://FILE or postgres://USER@HOST/DB",
                redact_url(url)
            ))),
        }
    }

    async fn connect_sqlite(url: &str, options: &StoreOptions) -> StoreResult<Store> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::BadUrl(
                "an in-memory SQLite database cannot be shared by the writer and readers: use sqlite://FILE"
                    .into(),
            ));
        }
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(format!("bad SQLite URL '{url}': {e}")))?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(options.acquire_timeout)
            .foreign_keys(true)
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-32000")
            .log_statements(tracing::log::LevelFilter::Trace);
        let open_err =
            |e: sqlx::Error| StoreError::Unavailable(format!("cannot open SQLite database '{url}': {e}"));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES.to_string()),
            )
            .await
            .map_err(open_err)?;
        let readers = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(base.read_only(true))
            .await
            .map_err(open_err)?;
        Ok(Store {
            inner: Arc::new(Inner::Sqlite { writer, readers }),
        })
    }

    async fn connect_postgres(url: &str, options: &StoreOptions) -> StoreResult<Store> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(format!("bad PostgreSQL URL '{}': {e}", redact_url(url))))?
            .application_name("prospector")
            .log_statements(tracing::log::LevelFilter::Trace);
        let unavailable = |e: sqlx::Error| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                redact_url(url)
            ))
        };
        // One direct connection first: a pool retries a refused connection until its timeout and then reports
        // only "pool timed out", hiding the real reason (refused, unknown host, bad password).
        let probe = tokio::time::timeout(
            options.acquire_timeout,
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&connect),
        )
        .await
        .map_err(|_| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: timed out",
                redact_url(url)
            ))
        })?
        .map_err(unavailable)?;
        let _ = sqlx::Connection::close(probe).await;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(2))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(unavailable)?;
        Ok(Store {
            inner: Arc::new(Inner::Postgres { pool }),
        })
    }

    /// Applies the embedded migrations that have not run yet. Safe to call from several processes
    /// at once: PostgreSQL serialises them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &*self.inner {
            Inner::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Inner::Postgres { pool } => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Runs reads outside any transaction.
    pub fn reader(&self) -> Reader<'_> {
        Reader { store: self }
    }

    /// Starts a write transaction. Commit it with [`WriteTx::commit`]; dropping it rolls back.
    pub async fn begin(&self) -> StoreResult<WriteTx> {
        let inner = match &*self.inner {
            Inner::Sqlite { writer, .. } => TxInner::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Inner::Postgres { pool } => TxInner::Postgres(pool.begin().await?),
        };
        Ok(WriteTx {
            inner,
            held: Vec::new(),
        })
    }

    /// Answers whether the database responds (for `/healthz`).
    pub async fn ping(&self) -> StoreResult<()> {
        self.reader()
            .fetch_one(crate::query::query("SELECT 1 AS one"))
            .await
            .map(|_| ())
    }

    /// Pool sizes for metrics.
    pub fn pool_stats(&self) -> PoolStats {
        match &*self.inner {
            Inner::Sqlite { writer, readers } => PoolStats {
                size: writer.size() + readers.size(),
                idle: u32::try_from(writer.num_idle() + readers.num_idle()).unwrap_or(u32::MAX),
            },
            Inner::Postgres { pool } => PoolStats {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            },
        }
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        match &*self.inner {
            Inner::Sqlite { writer, readers } => {
                readers.close().await;
                writer.close().await;
            }
            Inner::Postgres { pool } => pool.close().await,
        }
    }

    /// The PostgreSQL pool, for the few backend-specific paths (bulk `COPY`).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &*self.inner {
            Inner::Postgres { pool } => Some(pool),
            Inner::Sqlite { .. } => None,
        }
    }
}

/// Reads outside a transaction, each statement on a pooled connection.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    store: &'a Store,
}

impl Exec for Reader<'_> {
    fn backend(&self) -> Backend {
        self.store.backend()
    }

    async fn fetch_all(&mut self, q: Query) -> StoreResult<Vec<Row>> {
        match &*self.store.inner {
            Inner::Sqlite { readers, .. } => run!(sqlite, readers, fetch_all, q),
            Inner::Postgres { pool } => run!(postgres, pool, fetch_all, q),
        }
    }

    async fn fetch_optional(&mut self, q: Query) -> StoreResult<Option<Row>> {
        match &*self.store.inner {
            Inner::Sqlite { readers, .. } => run!(sqlite, readers, fetch_optional, q),
            Inner::Postgres { pool } => run!(postgres, pool, fetch_optional, q),
        }
    }

    async fn execute(&mut self, q: Query) -> StoreResult<u64> {
        // A reader must not write: on SQLite its connections are read-only, so route writes that
        // slip through (e.g. a migration check) to the database's own refusal rather than hiding it.
        match &*self.store.inner {
            Inner::Sqlite { readers, .. } => run!(sqlite, readers, execute, q),
            Inner::Postgres { pool } => run!(postgres, pool, execute, q),
        }
    }
}

/// A write transaction: every write of a use case, its audit entry and its outbox rows commit
/// together or not at all.
#[derive(Debug)]
pub struct WriteTx {
    inner: TxInner,
    /// Writes held back to travel with the next statement (SQLite only; see `pipeline`).
    held: Vec<Query>,
}

#[derive(Debug)]
enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl WriteTx {
    /// Makes every write of the transaction durable.
    pub async fn commit(mut self) -> StoreResult<()> {
        if !self.held.is_empty() {
            let held = crate::pipeline::join(std::mem::take(&mut self.held));
            if let TxInner::Sqlite(tx) = &mut self.inner {
                held.sqlite().execute(&mut **tx).await?;
            }
        }
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Discards every write of the transaction.
    pub async fn rollback(self) -> StoreResult<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// `q` preceded by the held writes, which leave the queue.
    fn with_held(&mut self, q: Query) -> Query {
        if self.held.is_empty() {
            return q;
        }
        let mut all = std::mem::take(&mut self.held);
        all.push(q);
        crate::pipeline::join(all)
    }

    /// The PostgreSQL connection of this transaction, for bulk `COPY`.
    pub fn postgres_conn(&mut self) -> Option<&mut sqlx::PgConnection> {
        match &mut self.inner {
            TxInner::Postgres(tx) => Some(&mut **tx),
            TxInner::Sqlite(_) => None,
        }
    }
}

impl Exec for WriteTx {
    fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    // Held writes return no rows, so the rows of a joined query are all the last statement's.
    async fn fetch_all(&mut self, q: Query) -> StoreResult<Vec<Row>> {
        let q = self.with_held(q);
        match &mut self.inner {
            TxInner::Sqlite(tx) => run!(sqlite, &mut **tx, fetch_all, q),
            TxInner::Postgres(tx) => run!(postgres, &mut **tx, fetch_all, q),
        }
    }

    async fn fetch_optional(&mut self, q: Query) -> StoreResult<Option<Row>> {
        let q = self.with_held(q);
        match &mut self.inner {
            TxInner::Sqlite(tx) => run!(sqlite, &mut **tx, fetch_optional, q),
            TxInner::Postgres(tx) => run!(postgres, &mut **tx, fetch_optional, q),
        }
    }

    async fn execute(&mut self, q: Query) -> StoreResult<u64> {
        if self.held.is_empty() {
            return match &mut self.inner {
                TxInner::Sqlite(tx) => run!(sqlite, &mut **tx, execute, q),
                TxInner::Postgres(tx) => run!(postgres, &mut **tx, execute, q),
            };
        }
        // The count asked for is the last statement's alone: each statement reports its own.
        let q = self.with_held(q);
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                let mut results = sqlx::Executor::fetch_many(&mut **tx, q.sqlite());
                let mut last = 0;
                while let Some(step) = futures::TryStreamExt::try_next(&mut results).await? {
                    if let sqlx::Either::Left(done) = step {
                        last = done.rows_affected();
                    }
                }
                Ok(last)
            }
            TxInner::Postgres(tx) => run!(postgres, &mut **tx, execute, q),
        }
    }

    async fn write(&mut self, q: Query) -> StoreResult<()> {
        match &mut self.inner {
            TxInner::Sqlite(_) => {
                self.held.push(q);
                Ok(())
            }
            TxInner::Postgres(tx) => {
                q.postgres().execute(&mut **tx).await?;
                Ok(())
            }
        }
    }
}

/// A fingerprint of the embedded migrations of `backend` (versions and checksums), so a test
/// harness can cache a migrated template database and know when it is stale.
pub fn migrations_fingerprint(backend: Backend) -> String {
    use std::hash::{Hash, Hasher};
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for m in migrator.iter() {
        m.version.hash(&mut hasher);
        m.checksum.hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/p"),
            "postgres://app:***@db:5432/p"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/p"),
            "postgres://postgres@127.0.0.1/p"
        );
        assert_eq!(redact_url("sqlite://prospector.db"), "sqlite://prospector.db");
    }
}
