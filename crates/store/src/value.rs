//! Values crossing into and out of SQL, independent of the backend. Each query is written once;
//! binding and decoding pick the native column type per backend (UUID vs BLOB, TIMESTAMPTZ vs
//! TEXT, JSONB vs TEXT), so PostgreSQL keeps real types and SQLite stays readable.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use uuid::Uuid;

use crate::error::StoreError;

/// A bound parameter. Every variant carries an `Option` so that a NULL still has a type:
/// PostgreSQL refuses a NULL typed as text in a UUID or timestamp column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// BOOLEAN / INTEGER 0-1.
    Bool(Option<bool>),
    /// BIGINT / INTEGER.
    I64(Option<i64>),
    /// DOUBLE PRECISION / REAL.
    F64(Option<f64>),
    /// TEXT.
    Text(Option<String>),
    /// UUID / BLOB(16).
    Uuid(Option<Uuid>),
    /// TIMESTAMPTZ / TEXT in a fixed-width UTC format that sorts as it reads.
    Time(Option<DateTime<Utc>>),
    /// DATE / TEXT `YYYY-MM-DD`.
    Date(Option<NaiveDate>),
    /// JSONB / TEXT.
    Json(Option<serde_json::Value>),
}

/// Something that can be bound as a query parameter.
pub trait ToSql {
    /// The value to bind.
    fn to_sql(self) -> Value;
    /// A NULL of this type.
    fn null() -> Value
    where
        Self: Sized;
}

macro_rules! to_sql {
    ($ty:ty, $variant:ident, $conv:expr) => {
        impl ToSql for $ty {
            fn to_sql(self) -> Value {
                #[allow(clippy::redundant_closure_call)]
                Value::$variant(Some(($conv)(self)))
            }
            fn null() -> Value {
                Value::$variant(None)
            }
        }
    };
}

to_sql!(bool, Bool, |v| v);
to_sql!(i64, I64, |v| v);
to_sql!(i32, I64, i64::from);
to_sql!(u32, I64, i64::from);
to_sql!(f64, F64, |v| v);
to_sql!(String, Text, |v| v);
to_sql!(&str, Text, |v: &str| v.to_owned());
to_sql!(&String, Text, |v: &String| v.clone());
to_sql!(Uuid, Uuid, |v| v);
to_sql!(DateTime<Utc>, Time, |v| v);
to_sql!(NaiveDate, Date, |v| v);
to_sql!(serde_json::Value, Json, |v| v);

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(self) -> Value {
        match self {
            Some(v) => v.to_sql(),
            None => T::null(),
        }
    }
    fn null() -> Value {
        T::null()
    }
}

impl ToSql for Value {
    fn to_sql(self) -> Value {
        self
    }
    fn null() -> Value {
        Value::Text(None)
    }
}

macro_rules! id_to_sql {
    ($($id:ty),*) => {$(
        impl $crate::value::ToSql for $id {
            fn to_sql(self) -> $crate::value::Value { $crate::value::Value::Uuid(Some(self.0)) }
            fn null() -> $crate::value::Value { $crate::value::Value::Uuid(None) }
        }
        impl $crate::value::FromSql for $id {
            fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
                <uuid::Uuid as $crate::value::FromSql>::from_sqlite(row, column).map(Self)
            }
            fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
                <uuid::Uuid as $crate::value::FromSql>::from_pg(row, column).map(Self)
            }
        }
    )*};
}
pub(crate) use id_to_sql;

/// How SQLite stores instants: microseconds, always `Z`, fixed width, so text order is time order.
pub(crate) fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A column that can be read from either backend.
pub trait FromSql: Sized {
    /// Reads `column` of a SQLite row.
    fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError>;
    /// Reads `column` of a PostgreSQL row.
    fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError>;
}

fn decode_err(column: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Decode {
        column: column.to_owned(),
        message: err.to_string(),
    }
}

/// SQLite's driver reads a NULL as `""` or `0`; a column read without `Option` must not be NULL.
fn not_null_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<(), StoreError> {
    use sqlx::ValueRef;
    let raw = sqlx::Row::try_get_raw(row, column).map_err(|e| decode_err(column, e))?;
    if raw.is_null() {
        Err(decode_err(column, "unexpected NULL"))
    } else {
        Ok(())
    }
}

macro_rules! native_from_sql {
    ($($ty:ty),*) => {$(
        impl FromSql for $ty {
            fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
                not_null_sqlite(row, column)?;
                sqlx::Row::try_get::<$ty, _>(row, column).map_err(|e| decode_err(column, e))
            }
            fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
                sqlx::Row::try_get::<$ty, _>(row, column).map_err(|e| decode_err(column, e))
            }
        }
    )*};
}

native_from_sql!(bool, i64, f64, String, Uuid);

impl FromSql for DateTime<Utc> {
    fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
        not_null_sqlite(row, column)?;
        let text: String = sqlx::Row::try_get(row, column).map_err(|e| decode_err(column, e))?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| decode_err(column, format!("{e} in '{text}'")))
    }
    fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
        sqlx::Row::try_get(row, column).map_err(|e| decode_err(column, e))
    }
}

impl FromSql for NaiveDate {
    fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
        not_null_sqlite(row, column)?;
        let text: String = sqlx::Row::try_get(row, column).map_err(|e| decode_err(column, e))?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|e| decode_err(column, format!("{e} in '{text}'")))
    }
    fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
        sqlx::Row::try_get(row, column).map_err(|e| decode_err(column, e))
    }
}

impl FromSql for serde_json::Value {
    fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
        not_null_sqlite(row, column)?;
        let text: String = sqlx::Row::try_get(row, column).map_err(|e| decode_err(column, e))?;
        serde_json::from_str(&text).map_err(|e| decode_err(column, e))
    }
    fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
        sqlx::Row::try_get::<sqlx::types::Json<serde_json::Value>, _>(row, column)
            .map(|j| j.0)
            .map_err(|e| decode_err(column, e))
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sqlite(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Self, StoreError> {
        use sqlx::ValueRef;
        let raw = sqlx::Row::try_get_raw(row, column).map_err(|e| decode_err(column, e))?;
        if raw.is_null() {
            Ok(None)
        } else {
            T::from_sqlite(row, column).map(Some)
        }
    }
    fn from_pg(row: &sqlx::postgres::PgRow, column: &str) -> Result<Self, StoreError> {
        use sqlx::ValueRef;
        let raw = sqlx::Row::try_get_raw(row, column).map_err(|e| decode_err(column, e))?;
        if raw.is_null() {
            Ok(None)
        } else {
            T::from_pg(row, column).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_times_sort_as_text_in_time_order() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        let c = a + chrono::Duration::milliseconds(500);
        let texts = [sqlite_time(a), sqlite_time(b), sqlite_time(c)];
        assert!(texts[0] < texts[1] && texts[1] < texts[2], "{texts:?}");
        assert_eq!(texts[0], "2026-01-01T09:00:00.000000Z");
    }
}
