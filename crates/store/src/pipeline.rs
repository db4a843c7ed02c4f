//! Writes sent together: SQLite runs a query string of several statements in one call, so
//! statements whose results nobody reads (inserts of new rows) can wait in the transaction and
//! travel with the next statement instead of costing a round trip to the connection's thread each.
//!
//! sqlx binds the values of a multi-statement query by a running count of plain `?` placeholders
//! (a numbered one is looked up by its number among all values, and the count skips ahead on the
//! numbers a statement does not use), so each statement is rewritten with plain `?` only, its
//! values repeated and reordered to follow the placeholders as they appear.
//!
//! sqlx 0.9 still runs several statements in one prepared query on SQLite, though it calls that
//! behaviour deprecated; a test in `crates/store/tests` fails if an upgrade drops it.

use crate::query::Query;
use crate::value::Value;

/// `sql` with every placeholder (`$N`, `?N`, or a plain `?`, which SQLite numbers one past the
/// largest so far) rewritten as a plain `?`, and the values in the order those now take them.
/// Quoted text, quoted identifiers and comments are left alone.
pub(crate) fn positional(sql: &str, args: &[Value]) -> (String, Vec<Value>) {
    let mut ordered = Vec::with_capacity(args.len());
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 16);
    let mut largest = 0usize;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        // A doubled quote is an escaped one inside the literal.
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'$' | b'?' => {
                let start = i;
                i += 1;
                let digits_start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let number = if i > digits_start {
                    sql[digits_start..i].parse::<usize>().unwrap_or(0)
                } else if bytes[start] == b'?' {
                    largest + 1
                } else {
                    // A `$` not followed by a number is not a placeholder of ours.
                    continue;
                };
                largest = largest.max(number);
                out.push_str(&sql[copied..start]);
                out.push('?');
                // Unbound placeholders are NULL in SQLite; keep that for a number with no value.
                ordered.push(
                    args.get(number.wrapping_sub(1))
                        .cloned()
                        .unwrap_or(Value::Text(None)),
                );
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    (out, ordered)
}

/// `queries` as one query string, run in order, with their values bound in the same order.
pub(crate) fn join(queries: Vec<Query>) -> Query {
    let mut sql = String::new();
    let mut args = Vec::new();
    for q in queries {
        let (text, values) = q.into_parts();
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        let (text, values) = positional(&text, &values);
        sql.push_str(&text);
        args.extend(values);
    }
    Query::from_parts(sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: i64) -> Value {
        Value::I64(Some(v))
    }

    fn numbers(values: &[Value]) -> Vec<i64> {
        values
            .iter()
            .map(|v| match v {
                Value::I64(Some(x)) => *x,
                other => panic!("not a number: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn placeholders_of_every_style_become_plain_with_values_in_their_order() {
        let (sql, values) = positional("SELECT $2, $1, $2", &[n(10), n(20)]);
        assert_eq!(sql, "SELECT ?, ?, ?");
        assert_eq!(numbers(&values), [20, 10, 20]);
        let (sql, values) = positional("VALUES (?, ?), (?, ?)", &[n(1), n(2), n(3), n(4)]);
        assert_eq!(sql, "VALUES (?, ?), (?, ?)");
        assert_eq!(numbers(&values), [1, 2, 3, 4]);
        let (_, values) = positional("x = ?2 AND y = ?", &[n(1), n(2), n(3)]);
        assert_eq!(
            numbers(&values),
            [2, 3],
            "a plain ? is one past the largest so far"
        );
    }

    #[test]
    fn quoted_text_and_comments_are_not_placeholders() {
        let (sql, values) = positional("SELECT '$1 ?', \"a$2\" -- $3 ?\n, $1 /* ? */", &[n(5)]);
        assert_eq!(sql, "SELECT '$1 ?', \"a$2\" -- $3 ?\n, ? /* ? */");
        assert_eq!(numbers(&values), [5]);
        let (sql, _) = positional("SELECT 'it''s ?', ?", &[n(1)]);
        assert_eq!(sql, "SELECT 'it''s ?', ?");
    }

    #[test]
    fn joined_statements_bind_in_order() {
        let joined = join(vec![
            crate::query::query("INSERT INTO a VALUES ($1, $2)")
                .bind(1i64)
                .bind(2i64),
            crate::query::query("INSERT INTO b VALUES (?, ?)")
                .bind(3i64)
                .bind(4i64),
            crate::query::query("SELECT * FROM c WHERE id = $1 OR parent = $1").bind(5i64),
        ]);
        assert_eq!(
            joined.sql(),
            "INSERT INTO a VALUES (?, ?);\nINSERT INTO b VALUES (?, ?);\nSELECT * FROM c WHERE id = ? OR parent = ?"
        );
        assert_eq!(numbers(&joined.into_parts().1), [1, 2, 3, 4, 5, 5]);
    }
}
