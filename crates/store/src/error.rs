//! The store's one error type. sqlx errors are classified here, once, so the layers above
//! speak of "not found", "conflict" and "unavailable" instead of driver details.

/// What can go wrong in storage, in terms the application can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the write; `constraint` names it as well as the
    /// database tells (e.g. `users.email`).
    #[error("conflicts with an existing record ({constraint})")]
    Conflict {
        /// The constraint or column the database reported.
        constraint: String,
    },
    /// The database could not be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database URL is not one Prospector can use.
    #[error("{0}")]
    BadUrl(String),
    /// A stored value could not be read back into its type.
    #[error("could not read column {column}: {message}")]
    Decode {
        /// The column being read.
        column: String,
        /// What went wrong.
        message: String,
    },
    /// Anything else the database reported.
    #[error("database error: {0}")]
    Database(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(err.to_string()),
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() || db.is_foreign_key_violation() {
                    let constraint = db.constraint().map(str::to_owned).unwrap_or_else(|| {
                        // SQLite names the columns only in its message: "UNIQUE constraint failed: users.email".
                        db.message().rsplit(": ").next().unwrap_or("unknown").to_owned()
                    });
                    StoreError::Conflict { constraint }
                } else {
                    StoreError::Database(db.message().to_owned())
                }
            }
            other => StoreError::Database(other.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(err.to_string())
    }
}

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;
