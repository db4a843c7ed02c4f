//! The `VALUES` list of a multi-row INSERT, written for the backend.
//!
//! SQLite looks up a numbered parameter (`$7`) by walking a list of every parameter of the
//! statement, and sqlx asks for each parameter's name when binding, so binding a statement of
//! n `$N` parameters costs O(n²): for a 1,000-row insert of 32 columns that was ~95% of a bulk
//! load. Plain `?` parameters are bound by position at O(1) each, which is equivalent as long as
//! the values are bound in the order the placeholders appear — true of a row-by-row VALUES list.

use crate::query::Backend;

/// The placeholder for the `n`th bound value (1-based): `$n` on PostgreSQL, positional `?` on
/// SQLite. Only for statements whose placeholders appear in the order their values are bound.
pub fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

/// `(…), (…), …` for `rows` rows of `cols` parameters, numbered from `$1` on PostgreSQL and
/// positional `?` on SQLite; bind the values row by row, column by column.
pub fn values_rows(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_in_bind_order_on_postgres_and_positional_on_sqlite() {
        assert_eq!(values_rows(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholder(Backend::Postgres, 7), "$7");
        assert_eq!(placeholder(Backend::Sqlite, 7), "?");
    }
}
