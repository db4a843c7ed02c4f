//! Prospector's one storage API over SQLite and PostgreSQL.
//!
//! Queries are written once (`$n` placeholders, portable SQL) and run on anything that
//! implements [`Exec`]: the reader pool ([`Store::reader`]) or a write transaction
//! ([`Store::begin`]). Each backend keeps its own embedded migrations; backend-specific SQL is
//! confined to the few places where the dialects really differ, and each such place branches on
//! [`Backend`] explicitly.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod dashboards;
mod error;
pub mod handbook;
pub mod hiring;
pub mod import;
pub mod inbound;
pub mod mail;
pub mod outbox;
mod pipeline;
mod query;
pub mod records;
pub mod send_queue;
pub mod sequences;
mod store;
pub mod stories;
pub mod users;
mod value;

pub use error::{StoreError, StoreResult};
pub use query::{Backend, Exec, Query, Row, query};
pub use store::{PoolStats, Reader, Store, StoreOptions, WriteTx, migrations_fingerprint, redact_url};
pub use value::{FromSql, ToSql, Value};

use prospector_core::ids::{TeamId, TokenId, UserId};
value::id_to_sql!(UserId, TeamId, TokenId);
