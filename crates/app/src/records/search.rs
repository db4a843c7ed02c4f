//! One search box across people, accounts and notes. An email address is looked up exactly
//! through the email index first; words go to the full-text index. Results the actor may not see
//! are dropped.

use prospector_core::records::activity::ActivityDetail;
use prospector_store::records::activities;
use prospector_store::records::people::{self, PersonKind};
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{AccountId, PersonId, Scope};
use serde::Serialize;
use uuid::Uuid;

use super::{require_records, scope_for};
use crate::{Actor, App, AppResult};

/// One thing found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// `lead`, `contact`, `account` or `activity`.
    pub kind: &'static str,
    /// The record's id.
    pub id: Uuid,
    /// What to show as the link.
    pub title: String,
    /// A second line (email, company, or the note's start).
    pub subtitle: Option<String>,
    /// For activities: the person it is about.
    pub person_id: Option<PersonId>,
    /// For activities: the account it is about.
    pub account_id: Option<AccountId>,
}

fn person_result(p: &people::Person) -> SearchResult {
    SearchResult {
        kind: if p.kind == PersonKind::Contact {
            "contact"
        } else {
            "lead"
        },
        id: p.id.0,
        title: p.full_name(),
        subtitle: p
            .email
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| p.company.clone()),
        person_id: None,
        account_id: p.account_id,
    }
}

impl App {
    /// Up to `limit` records matching `q`, newest first, that the actor may see.
    pub async fn search(&self, actor: &Actor, q: &str, limit: i64) -> AppResult<Vec<SearchResult>> {
        require_records(actor)?;
        let limit = limit.clamp(1, 100);
        let scope = scope_for(actor);
        let mut reader = self.store().reader();
        let mut out: Vec<SearchResult> = Vec::new();
        let q = q.trim();
        // An email address is an exact lookup through its index; words only when it finds nobody.
        if let Ok(email) = prospector_core::email::Email::parse(q) {
            for p in people::by_email(&mut reader, email.as_str(), scope, limit).await? {
                out.push(person_result(&p));
            }
            if !out.is_empty() {
                return Ok(out);
            }
        }
        // Fetch more than asked when some may be filtered out by visibility.
        let fetch = if scope == Scope::All {
            limit
        } else {
            (limit * 5).min(500)
        };
        for hit in search::search(&mut reader, q, fetch).await? {
            if out.len() as i64 >= limit {
                break;
            }
            if out.iter().any(|r| r.id == hit.ref_id) {
                continue;
            }
            let found = match hit.kind {
                DocKind::Person => {
                    let id = PersonId(hit.ref_id);
                    match self.person_for(&mut reader, actor, None, id, false).await {
                        Ok(p) => Some(person_result(&p)),
                        Err(_) => None,
                    }
                }
                DocKind::Account => match self
                    .account_for(&mut reader, actor, AccountId(hit.ref_id), false)
                    .await
                {
                    Ok(a) => Some(SearchResult {
                        kind: "account",
                        id: a.id.0,
                        title: a.name.clone(),
                        subtitle: a.domains.first().cloned(),
                        person_id: None,
                        account_id: None,
                    }),
                    Err(_) => None,
                },
                DocKind::Activity => {
                    let Some(a) =
                        activities::get(&mut reader, prospector_core::records::ActivityId(hit.ref_id))
                            .await?
                    else {
                        continue;
                    };
                    if self.check_activity_visible(&mut reader, actor, &a).await.is_err() {
                        continue;
                    }
                    let text = a.search_body().unwrap_or_default();
                    let title = match &a.detail {
                        ActivityDetail::Note { .. } => "Note".to_owned(),
                        other => other.kind().label().to_owned(),
                    };
                    Some(SearchResult {
                        kind: "activity",
                        id: a.id.0,
                        title,
                        subtitle: Some(text.chars().take(140).collect()),
                        person_id: a.person_id,
                        account_id: a.account_id,
                    })
                }
            };
            out.extend(found);
        }
        out.truncate(usize::try_from(limit).unwrap_or(20));
        Ok(out)
    }
}
