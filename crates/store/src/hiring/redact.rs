//! Erasing a person's data from the copies other features keep: mail in the outbox and its send
//! log, the audit trail, inbound messages, offer letters. A copy is found by its text (the
//! person's email, name, phone, or the ids of their records) because those tables are written by
//! code that knows nothing of hiring; the match is case-insensitive for ASCII.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, query};
use crate::value::{FromSql, ToSql};

/// What an erased piece of text is replaced with.
pub const ERASED: &str = "[erased]";

/// Shortest text searched for: a two-letter name would match half the database.
const MIN_NEEDLE: usize = 3;

/// The texts to erase, lower-cased, each at least three characters long.
#[derive(Debug, Clone, Default)]
pub struct Needles(Vec<String>);

impl Needles {
    /// From the person's email, name, phone and the like; blanks and too-short values are skipped.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> Needles {
        let mut out: Vec<String> = Vec::new();
        for v in values {
            let v = v.as_ref().trim().to_ascii_lowercase();
            if v.chars().count() >= MIN_NEEDLE && !out.contains(&v) {
                out.push(v);
            }
        }
        // Longest first, so "ada lovelace" is replaced before a shorter needle inside it.
        out.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Needles(out)
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `text` contains any needle.
    pub fn found_in(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        self.0.iter().any(|n| lower.contains(n.as_str()))
    }

    /// `text` with every needle replaced by [`ERASED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for n in &self.0 {
            // ASCII lower-casing keeps byte offsets, so positions found in the lower-cased copy
            // are positions in the original.
            let mut result = String::with_capacity(out.len());
            let lower = out.to_ascii_lowercase();
            let mut last = 0;
            for (at, _) in lower.match_indices(n.as_str()) {
                result.push_str(&out[last..at]);
                result.push_str(ERASED);
                last = at + n.len();
            }
            result.push_str(&out[last..]);
            out = result;
        }
        out
    }

    /// Redacts every string (and object key) in a JSON value; returns whether anything changed.
    pub fn redact_json(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) if self.found_in(s) => {
                *s = self.redact(s);
                true
            }
            Value::Array(items) => {
                // Every item is visited: no short-circuit once one has changed.
                let mut changed = false;
                for v in items.iter_mut() {
                    changed |= self.redact_json(v);
                }
                changed
            }
            Value::Object(map) => {
                let mut changed = false;
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, mut v) in entries {
                    changed |= self.redact_json(&mut v);
                    let k = if self.found_in(&k) {
                        changed = true;
                        self.redact(&k)
                    } else {
                        k
                    };
                    map.insert(k, v);
                }
                changed
            }
            _ => false,
        }
    }

    /// `CAST(column AS TEXT) LIKE … OR …` with the patterns bound from `$first`. SQLite's LIKE
    /// ignores ASCII case, as [`Needles::found_in`] does; PostgreSQL needs ILIKE for that.
    fn where_any(&self, backend: Backend, column: &str, first: usize) -> String {
        let like = match backend {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        };
        (0..self.0.len())
            .map(|i| format!("CAST({column} AS TEXT) {like} ${} ESCAPE '\\'", first + i))
            .collect::<Vec<_>>()
            .join(" OR ")
    }

    fn patterns(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(|n| {
            let escaped = n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        })
    }
}

/// Redacts the text column `column` of `table` (rows keyed by `key`, read as `K`) wherever it
/// holds a needle; returns the number of rows changed. Names are the caller's constants.
pub async fn redact_text_column<K>(
    ex: &mut impl Exec,
    table: &'static str,
    key: &'static str,
    column: &'static str,
    needles: &Needles,
) -> StoreResult<u64>
where
    K: FromSql + ToSql + Send,
{
    if needles.is_empty() {
        return Ok(0);
    }
    let mut q = query(format!(
        "SELECT {key} AS k, {column} AS v FROM {table} WHERE {}",
        needles.where_any(ex.backend(), column, 1)
    ));
    for p in needles.patterns() {
        q.push_bind(p);
    }
    let rows = ex.fetch_all(q).await?;
    let mut changed = 0;
    for row in rows {
        let k: K = row.get("k")?;
        let Some(text) = row.get::<Option<String>>("v")? else {
            continue;
        };
        ex.execute(
            query(format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2"))
                .bind(needles.redact(&text))
                .bind(k),
        )
        .await?;
        changed += 1;
    }
    Ok(changed)
}

/// Like [`redact_text_column`] for a JSON column (JSONB on PostgreSQL, TEXT on SQLite).
pub async fn redact_json_column<K>(
    ex: &mut impl Exec,
    table: &'static str,
    key: &'static str,
    column: &'static str,
    needles: &Needles,
) -> StoreResult<u64>
where
    K: FromSql + ToSql + Send,
{
    if needles.is_empty() {
        return Ok(0);
    }
    let mut q = query(format!(
        "SELECT {key} AS k, {column} AS v FROM {table} WHERE {}",
        needles.where_any(ex.backend(), column, 1)
    ));
    for p in needles.patterns() {
        q.push_bind(p);
    }
    let rows = ex.fetch_all(q).await?;
    let mut changed = 0;
    for row in rows {
        let k: K = row.get("k")?;
        let Some(mut value) = row.get::<Option<Value>>("v")? else {
            continue;
        };
        if needles.redact_json(&mut value) {
            ex.execute(
                query(format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2"))
                    .bind(value)
                    .bind(k),
            )
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// An email in the outbox that mentions the person.
#[derive(Debug, Clone)]
pub struct MailCopy {
    /// The outbox row.
    pub id: Uuid,
    /// Its payload (an `OutgoingEmail`).
    pub payload: Value,
    /// Not sent yet (nor given up on).
    pub pending: bool,
}

/// The `email.send` outbox rows whose payload holds a needle.
pub async fn mail_copies(ex: &mut impl Exec, needles: &Needles) -> StoreResult<Vec<MailCopy>> {
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query(format!(
        "SELECT id, payload, done_at, failed_at FROM outbox WHERE kind = 'email.send' AND ({})",
        needles.where_any(ex.backend(), "payload", 1)
    ));
    for p in needles.patterns() {
        q.push_bind(p);
    }
    let rows = ex.fetch_all(q).await?;
    let mut out = Vec::new();
    for row in rows {
        let done: Option<DateTime<Utc>> = row.get("done_at")?;
        let failed: Option<DateTime<Utc>> = row.get("failed_at")?;
        out.push(MailCopy {
            id: row.get("id")?,
            payload: row.get("payload")?,
            pending: done.is_none() && failed.is_none(),
        });
    }
    Ok(out)
}

/// Drops a queued email that has not been claimed; returns whether it was.
pub async fn drop_pending_mail(ex: &mut impl Exec, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = ex
        .execute(
            query(
                "DELETE FROM outbox WHERE id = $1 AND done_at IS NULL AND failed_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < $2)",
            )
            .bind(id)
            .bind(now),
        )
        .await?;
    Ok(n > 0)
}

/// Replaces an email's payload (and its send-log entry) with one that says nothing about anyone.
pub async fn blank_mail(ex: &mut impl Exec, id: Uuid, payload: Value) -> StoreResult<()> {
    ex.execute(
        query("UPDATE outbox SET payload = $1, last_error = NULL WHERE id = $2")
            .bind(payload)
            .bind(id),
    )
    .await?;
    ex.execute(
        query("UPDATE sent_messages SET recipients = $1, subject = $1, smtp_response = NULL WHERE outbox_id = $2")
            .bind(ERASED)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Clears the client address of audit entries about the given records (an application's IP is
/// personal data too).
pub async fn clear_audit_ips(ex: &mut impl Exec, entity_ids: &[String]) -> StoreResult<()> {
    for id in entity_ids {
        ex.execute(query("UPDATE audit_log SET ip = NULL WHERE entity_id = $1").bind(id.as_str()))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_needle_is_erased_and_nothing_else() {
        let n = Needles::new(["Ada Lovelace", "ADA@example.com", "", "Al"]);
        assert_eq!(
            n.redact("Hi ada lovelace <Ada@Example.com>, Al says hi"),
            "Hi [erased] <[erased]>, Al says hi"
        );
        let mut v = serde_json::json!({"to": [{"email": "ada@example.com", "name": "Ada Lovelace"}], "n": 1});
        assert!(n.redact_json(&mut v));
        assert_eq!(v["to"][0]["email"], "[erased]");
        assert_eq!(v["to"][0]["name"], "[erased]");
        assert!(!n.redact_json(&mut v), "nothing left to erase");
    }
}
