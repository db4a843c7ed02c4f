//! What a customer story is nominated from, resolved from the record it was found on: an activity
//! on a timeline (its account through the activity or its person) or an account. The nomination
//! form shows it and fills the source in, so nobody types a source type and an id.

use prospector_core::records::ActivityId;
use prospector_store::records::AccountId;
use prospector_store::records::people::PersonKind;

use crate::{Actor, App, AppError, AppResult};

/// A nomination's source, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorySource {
    /// `activity` or `account`.
    pub source_type: String,
    /// The activity's or account's id.
    pub source_id: String,
    /// The account the story is about, when known.
    pub account_id: Option<String>,
    /// Its name.
    pub account_name: Option<String>,
    /// What the source is, for people (`Call with Ada Lovelace, 3 Mar 2026`).
    pub label: String,
    /// The activity's notes or subject, as a starting point for the quote.
    pub excerpt: String,
    /// The page the source was found on (to return to).
    pub back: String,
}

impl App {
    /// Resolves `source_type`/`id` for the nomination form: 404 when the record does not exist or
    /// the actor may not see it, 422 for a type that cannot be nominated from.
    pub async fn story_source(&self, actor: &Actor, source_type: &str, id: &str) -> AppResult<StorySource> {
        let not_found = |what: &str| AppError::NotFound(what.into());
        match source_type {
            "activity" => {
                let activity_id: ActivityId = id.trim().parse().map_err(|_| not_found("activity"))?;
                let a = self.get_activity(actor, activity_id).await?;
                let person = match a.person_id {
                    Some(p) => self.get_person(actor, None, p).await.ok(),
                    None => None,
                };
                let account_id = a.account_id.or(person.as_ref().and_then(|p| p.account_id));
                let account_name = match account_id {
                    Some(acc) => self.get_account(actor, acc).await.ok().map(|acc| acc.name),
                    None => None,
                };
                let with = person
                    .as_ref()
                    .map(|p| format!(" with {}", p.full_name()))
                    .unwrap_or_default();
                let back = match (&person, account_id) {
                    (Some(p), _) if p.kind == PersonKind::Contact => format!("/contacts/{}", p.id),
                    (Some(p), _) => format!("/leads/{}", p.id),
                    (None, Some(acc)) => format!("/accounts/{acc}"),
                    (None, None) => "/stories".into(),
                };
                Ok(StorySource {
                    source_type: "activity".into(),
                    source_id: a.id.to_string(),
                    account_id: account_id.map(|x| x.to_string()),
                    account_name,
                    label: format!("{}{with}, {}", a.kind.label(), a.occurred_at.format("%-d %b %Y")),
                    excerpt: a.search_body().unwrap_or_default(),
                    back,
                })
            }
            "account" => {
                let account_id: AccountId = id.trim().parse().map_err(|_| not_found("account"))?;
                let acc = self.get_account(actor, account_id).await?;
                Ok(StorySource {
                    source_type: "account".into(),
                    source_id: acc.id.to_string(),
                    account_id: Some(acc.id.to_string()),
                    account_name: Some(acc.name.clone()),
                    label: format!("The account {}", acc.name),
                    excerpt: String::new(),
                    back: format!("/accounts/{}", acc.id),
                })
            }
            other => Err(prospector_core::Invalid::unknown_value(
                "source_type",
                other,
                &crate::stories::SOURCE_TYPES,
            )
            .into()),
        }
    }
}
