//! Saved list views: a user's named query strings for a list page (leads, contacts, accounts,
//! opportunities), so a view is both a link in the sidebar of the list and a shareable URL.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use serde::Serialize;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

prospector_core::define_id!(
    /// A saved list view.
    SavedViewId
);

crate::value::id_to_sql!(SavedViewId);

/// A named list view of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedView {
    /// Id.
    pub id: SavedViewId,
    /// Whose.
    pub user_id: UserId,
    /// Which list: `leads`, `contacts`, `accounts`, `opportunities`.
    pub page: String,
    /// The name the user gave it.
    pub name: String,
    /// The list's filters as a query string (no leading `?`, no page cursor).
    pub query: String,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

fn decode(row: &Row) -> StoreResult<SavedView> {
    Ok(SavedView {
        id: row.get("id")?,
        user_id: row.get("user_id")?,
        page: row.get("page")?,
        name: row.get("name")?,
        query: row.get("query")?,
        created_at: row.get("created_at")?,
    })
}

/// Saves `view`, replacing the user's view of the same page and name.
pub async fn upsert(ex: &mut impl Exec, view: &SavedView) -> StoreResult<()> {
    ex.execute(
        query("DELETE FROM saved_views WHERE user_id = $1 AND page = $2 AND name = $3")
            .bind(view.user_id)
            .bind(view.page.as_str())
            .bind(view.name.as_str()),
    )
    .await?;
    ex.execute(
        query(
            "INSERT INTO saved_views (id, user_id, page, name, query, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(view.id)
        .bind(view.user_id)
        .bind(view.page.as_str())
        .bind(view.name.as_str())
        .bind(view.query.as_str())
        .bind(view.created_at),
    )
    .await?;
    Ok(())
}

/// The user's views of `page`, by name, at most `limit`.
pub async fn list(ex: &mut impl Exec, user: UserId, page: &str, limit: i64) -> StoreResult<Vec<SavedView>> {
    let rows = ex
        .fetch_all(
            query(
                "SELECT id, user_id, page, name, query, created_at FROM saved_views \
                 WHERE user_id = $1 AND page = $2 ORDER BY name LIMIT $3",
            )
            .bind(user)
            .bind(page)
            .bind(limit),
        )
        .await?;
    rows.iter().map(decode).collect()
}

/// Deletes the user's view `id`; a view of someone else is not found.
pub async fn delete(ex: &mut impl Exec, user: UserId, id: SavedViewId) -> StoreResult<()> {
    let n = ex
        .execute(
            query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
