//! Full-text search over people, accounts and activity notes, behind one call on both backends.
//!
//! Each searchable record has one row in `search_docs` (kind, record id, text), written by the app
//! in the same transaction as the record. SQLite indexes it with an external-content FTS5 table
//! kept in step by triggers; PostgreSQL with a generated `tsvector` column and a GIN index. A
//! query is reduced to its words, each matched as a prefix, all required.

use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Backend, Exec, Query, query};

/// What a search document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A lead or contact.
    Person,
    /// An account.
    Account,
    /// An activity with text (a note, call notes, …).
    Activity,
}

impl DocKind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            DocKind::Person => "person",
            DocKind::Account => "account",
            DocKind::Activity => "activity",
        }
    }

    fn from_code(code: &str) -> Option<DocKind> {
        match code {
            "person" => Some(DocKind::Person),
            "account" => Some(DocKind::Account),
            "activity" => Some(DocKind::Activity),
            _ => None,
        }
    }
}

/// One document found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// What it is.
    pub kind: DocKind,
    /// The record's id.
    pub ref_id: Uuid,
}

/// Sets the searchable text of a record (insert or replace).
pub async fn put(ex: &mut impl Exec, kind: DocKind, ref_id: Uuid, body: &str) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO search_docs (kind, ref_id, body) VALUES ($1, $2, $3) \
             ON CONFLICT (ref_id) DO UPDATE SET kind = excluded.kind, body = excluded.body",
        )
        .bind(kind.code())
        .bind(ref_id)
        .bind(body),
    )
    .await?;
    Ok(())
}

/// Adds many documents (bulk loads); ids must not be indexed yet.
pub async fn put_many(ex: &mut impl Exec, docs: &[(DocKind, Uuid, String)]) -> StoreResult<()> {
    for chunk in docs.chunks(5000) {
        let mut q = query("");
        for (kind, id, body) in chunk {
            q.push_bind(kind.code());
            q.push_bind(*id);
            q.push_bind(body.as_str());
        }
        let rows = crate::bulk::values_rows(ex.backend(), chunk.len(), 3);
        let sql = format!("INSERT INTO search_docs (kind, ref_id, body) VALUES {rows}");
        ex.execute(q.with_sql(sql)).await?;
    }
    Ok(())
}

/// Removes a record from the index.
pub async fn remove(ex: &mut impl Exec, ref_id: Uuid) -> StoreResult<()> {
    ex.execute(query("DELETE FROM search_docs WHERE ref_id = $1").bind(ref_id))
        .await?;
    Ok(())
}

/// The words of a query, lower-cased, letters and digits only; at most eight.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(8)
        .collect()
}

/// The backend's query expression for `text`, or `None` when it has no words. Every word must
/// match; only the last is a prefix (the one still being typed), which keeps a query of several
/// words selective on a large index.
fn match_expression(backend: Backend, text: &str) -> Option<String> {
    let words = words(text);
    let last = words.len().checked_sub(1)?;
    let terms = words.iter().enumerate().map(|(i, w)| match (backend, i == last) {
        (Backend::Sqlite, true) => format!("\"{w}\"*"),
        (Backend::Sqlite, false) => format!("\"{w}\""),
        (Backend::Postgres, true) => format!("{w}:*"),
        (Backend::Postgres, false) => w.clone(),
    });
    let joiner = if backend == Backend::Sqlite { " " } else { " & " };
    Some(terms.collect::<Vec<_>>().join(joiner))
}

/// A subquery selecting the `ref_id` of every document matching `text`, binding into `q`;
/// `None` when the text has no words.
pub(crate) fn ref_ids_matching(backend: Backend, text: &str, q: &mut Query) -> Option<String> {
    let expr = match_expression(backend, text)?;
    let n = q.push_bind(expr);
    Some(match backend {
        Backend::Sqlite => format!(
            "SELECT d.ref_id FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid \
             WHERE search_fts MATCH ${n}"
        ),
        Backend::Postgres => {
            format!("SELECT d.ref_id FROM search_docs d WHERE d.tsv @@ to_tsquery('simple', ${n})")
        }
    })
}

/// Documents matching every word of `text` (as prefixes), newest first, at most `limit`.
pub async fn search(ex: &mut impl Exec, text: &str, limit: i64) -> StoreResult<Vec<Hit>> {
    let Some(expr) = match_expression(ex.backend(), text) else {
        return Ok(Vec::new());
    };
    let sql = match ex.backend() {
        Backend::Sqlite => {
            "SELECT d.kind, d.ref_id FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid \
             WHERE search_fts MATCH $1 ORDER BY search_fts.rowid DESC LIMIT $2"
        }
        Backend::Postgres => {
            "SELECT d.kind, d.ref_id FROM search_docs d WHERE d.tsv @@ to_tsquery('simple', $1) \
             ORDER BY d.id DESC LIMIT $2"
        }
    };
    let rows = ex.fetch_all(query(sql).bind(expr).bind(limit)).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.get("kind")?;
        if let Some(kind) = DocKind::from_code(&kind) {
            hits.push(Hit {
                kind,
                ref_id: row.get("ref_id")?,
            });
        }
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_become_words_with_the_last_a_prefix_on_each_backend() {
        assert_eq!(
            match_expression(Backend::Sqlite, "Jane O'Neil").as_deref(),
            Some("\"jane\" \"o\" \"neil\"*")
        );
        assert_eq!(
            match_expression(Backend::Postgres, "jane@acme.com").as_deref(),
            Some("jane & acme & com:*")
        );
        assert_eq!(match_expression(Backend::Sqlite, " -- ''"), None);
    }
}
