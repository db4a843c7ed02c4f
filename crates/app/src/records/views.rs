//! Saved list views: a user names the filters of a list page and gets them back as a link.

use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_store::records::views::{self, SavedView, SavedViewId};

use super::require_records;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// The list pages a view can be saved for.
pub const VIEW_PAGES: [&str; 4] = ["leads", "contacts", "accounts", "opportunities"];

/// The longest query string a view keeps.
const MAX_QUERY: usize = 2_000;
/// How many views a user keeps per list.
const MAX_VIEWS: i64 = 100;

/// The query string to store: no leading `?`, no page cursor, no CSRF token, no empty values —
/// so the same filters always give the same view.
pub fn normalise_query(raw: &str) -> String {
    let raw = raw.trim().trim_start_matches('?');
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(raw.as_bytes())
                .filter(|(k, v)| !v.trim().is_empty() && k != "after" && k != "csrf_token"),
        )
        .finish()
}

fn check_page(page: &str) -> Result<&str, Invalid> {
    VIEW_PAGES
        .iter()
        .find(|p| **p == page)
        .copied()
        .ok_or_else(|| Invalid::unknown_value("page", page, &VIEW_PAGES))
}

impl App {
    /// Saves the filters `query` of list `page` as the actor's view `name` (replacing a view of
    /// the same name).
    pub async fn save_view(
        &self,
        actor: &Actor,
        page: &str,
        name: &str,
        query: &str,
    ) -> AppResult<SavedView> {
        require_records(actor)?;
        let user = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("only a signed-in user has saved views".into()))?;
        let page = check_page(page)?;
        let name = required_text("name", name, 100)?;
        let query = normalise_query(query);
        if query.len() > MAX_QUERY {
            return Err(Invalid::too_long("query", MAX_QUERY).into());
        }
        let now = self.now();
        let view = SavedView {
            id: SavedViewId::new_at(now),
            user_id: user,
            page: page.to_owned(),
            name,
            query,
            created_at: now,
        };
        let mut tx = self.store().begin().await?;
        views::upsert(&mut tx, &view).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "saved_view.save",
                entity_type: "saved_view",
                entity_id: Some(view.id.to_string()),
                before: None,
                after: Some(&view),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The actor's saved views of list `page`, by name.
    pub async fn saved_views(&self, actor: &Actor, page: &str) -> AppResult<Vec<SavedView>> {
        require_records(actor)?;
        let Some(user) = actor.user_id() else {
            return Ok(Vec::new());
        };
        let page = check_page(page)?;
        Ok(views::list(&mut self.store().reader(), user, page, MAX_VIEWS).await?)
    }

    /// Deletes one of the actor's saved views.
    pub async fn delete_view(&self, actor: &Actor, id: SavedViewId) -> AppResult<()> {
        let user = actor
            .user_id()
            .ok_or_else(|| AppError::NotFound("saved view".into()))?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        views::delete(&mut tx, user, id).await.map_err(|e| match e {
            prospector_store::StoreError::NotFound => AppError::NotFound("saved view".into()),
            other => other.into(),
        })?;
        audit::record::<(), ()>(
            &mut tx,
            actor,
            now,
            Change {
                action: "saved_view.delete",
                entity_type: "saved_view",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_query;

    #[test]
    fn a_view_keeps_filters_but_not_the_cursor_or_blanks() {
        assert_eq!(
            normalise_query("?status=mql&owner=&after=123~abc&q=acme+corp&csrf_token=x"),
            "status=mql&q=acme+corp"
        );
    }
}
