//! Queries written once for both backends, and the rows they return.
//!
//! SQL uses `$1, $2, …` placeholders (both backends accept them) and portable SQL; where the
//! dialects really differ, the caller branches on [`Exec::backend`].

use std::borrow::Cow;
use std::future::Future;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{AssertSqlSafe, Postgres, Sqlite};

use crate::error::{StoreError, StoreResult};
use crate::value::{FromSql, ToSql, Value, sqlite_time};

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite: the default, one writer connection.
    Sqlite,
    /// PostgreSQL: the scale-out store, several `serve` processes may share it.
    Postgres,
}

/// A statement and its parameters.
#[derive(Debug, Clone)]
pub struct Query {
    sql: Cow<'static, str>,
    args: Vec<Value>,
}

/// Starts a query with `sql`; bind parameters in placeholder order with [`Query::bind`].
pub fn query(sql: impl Into<Cow<'static, str>>) -> Query {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

impl Query {
    /// Binds the next `$n` parameter.
    #[must_use]
    pub fn bind(mut self, value: impl ToSql) -> Self {
        self.args.push(value.to_sql());
        self
    }

    /// Binds the next parameter in place (for builders that add filters in a loop).
    pub fn push_bind(&mut self, value: impl ToSql) -> usize {
        self.args.push(value.to_sql());
        self.args.len()
    }

    /// Replaces the SQL text, keeping the bound parameters (for builders that bind as they go).
    #[must_use]
    pub fn with_sql(mut self, sql: impl Into<Cow<'static, str>>) -> Self {
        self.sql = sql.into();
        self
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn into_parts(self) -> (Cow<'static, str>, Vec<Value>) {
        (self.sql, self.args)
    }

    pub(crate) fn from_parts(sql: String, args: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            args,
        }
    }

    pub(crate) fn sqlite(self) -> sqlx::query::Query<'static, Sqlite, SqliteArguments> {
        let mut q = sqlx::query::<Sqlite>(AssertSqlSafe(self.sql));
        for arg in self.args {
            q = match arg {
                Value::Bool(v) => q.bind(v),
                Value::I64(v) => q.bind(v),
                Value::F64(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Uuid(v) => q.bind(v),
                Value::Time(v) => q.bind(v.map(sqlite_time)),
                Value::Date(v) => q.bind(v.map(|d| d.format("%Y-%m-%d").to_string())),
                Value::Json(v) => q.bind(v.map(|j| j.to_string())),
                Value::Bytes(v) => q.bind(v),
            };
        }
        q
    }

    pub(crate) fn postgres(self) -> sqlx::query::Query<'static, Postgres, PgArguments> {
        let mut q = sqlx::query::<Postgres>(AssertSqlSafe(self.sql));
        for arg in self.args {
            q = match arg {
                Value::Bool(v) => q.bind(v),
                Value::I64(v) => q.bind(v),
                Value::F64(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Uuid(v) => q.bind(v),
                Value::Time(v) => q.bind(v),
                Value::Date(v) => q.bind(v),
                Value::Json(v) => q.bind(v.map(sqlx::types::Json)),
                Value::Bytes(v) => q.bind(v),
            };
        }
        q
    }
}

/// A row from either backend; read columns by name with [`Row::get`].
#[derive(Debug)]
pub enum Row {
    /// A SQLite row.
    Sqlite(SqliteRow),
    /// A PostgreSQL row.
    Postgres(PgRow),
}

impl Row {
    /// Reads `column` as `T`.
    pub fn get<T: FromSql>(&self, column: &str) -> StoreResult<T> {
        match self {
            Row::Sqlite(r) => T::from_sqlite(r, column),
            Row::Postgres(r) => T::from_pg(r, column),
        }
    }
}

/// Something queries run on: the reader pool or a write transaction.
pub trait Exec: Send {
    /// The backend, for the few statements whose SQL differs.
    fn backend(&self) -> Backend;
    /// All rows.
    fn fetch_all(&mut self, q: Query) -> impl Future<Output = StoreResult<Vec<Row>>> + Send;
    /// At most one row.
    fn fetch_optional(&mut self, q: Query) -> impl Future<Output = StoreResult<Option<Row>>> + Send;
    /// Runs a statement and returns the number of rows it changed.
    fn execute(&mut self, q: Query) -> impl Future<Output = StoreResult<u64>> + Send;
    /// Runs a statement that returns no rows and whose count nobody reads — an INSERT of new rows.
    /// A write transaction may hold it back and send it with its next statement (see
    /// `pipeline`), so its error, if any, is reported there; elsewhere it runs at once.
    fn write(&mut self, q: Query) -> impl Future<Output = StoreResult<()>> + Send {
        async move { self.execute(q).await.map(|_| ()) }
    }
    /// Exactly one row, or [`StoreError::NotFound`].
    fn fetch_one(&mut self, q: Query) -> impl Future<Output = StoreResult<Row>> + Send {
        async move { self.fetch_optional(q).await?.ok_or(StoreError::NotFound) }
    }
}

/// Runs `q` on a sqlx executor of either backend; shared by the pool and transaction impls.
macro_rules! run {
    (sqlite, $exec:expr, fetch_all, $q:expr) => {
        Ok($q
            .sqlite()
            .fetch_all($exec)
            .await?
            .into_iter()
            .map(Row::Sqlite)
            .collect())
    };
    (postgres, $exec:expr, fetch_all, $q:expr) => {
        Ok($q
            .postgres()
            .fetch_all($exec)
            .await?
            .into_iter()
            .map(Row::Postgres)
            .collect())
    };
    (sqlite, $exec:expr, fetch_optional, $q:expr) => {
        Ok($q.sqlite().fetch_optional($exec).await?.map(Row::Sqlite))
    };
    (postgres, $exec:expr, fetch_optional, $q:expr) => {
        Ok($q.postgres().fetch_optional($exec).await?.map(Row::Postgres))
    };
    (sqlite, $exec:expr, execute, $q:expr) => {
        Ok($q.sqlite().execute($exec).await?.rows_affected())
    };
    (postgres, $exec:expr, execute, $q:expr) => {
        Ok($q.postgres().execute($exec).await?.rows_affected())
    };
}
pub(crate) use run;
