//! Where the work happens: places in the product (a call disposition, a lead status and its
//! reasons, a qualification criterion, a hiring stage, a routing rule, a sequence step) linked to
//! the handbook section that says how to do it. Defaults ship here; admins change them, and what
//! they set is kept in `handbook_links` and wins over the default.
//!
//! A context is written `kind:key` (`status:disqualified`, `criterion:soft_bant:budget`). A key of
//! `*` covers every key (`disposition:*` is the section for the whole disposition list); looking up
//! `criterion:soft_bant:budget` tries it, then `criterion:soft_bant:*`, then `criterion:*`.

use std::collections::BTreeMap;

use prospector_core::Invalid;
use prospector_core::role::Role;
use prospector_store::handbook::{self as store, Link};

use super::{RenderedSection, parse_slug};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// The kinds of place that may link to a section.
pub const CONTEXT_KINDS: [&str; 7] = [
    "disposition",
    "status",
    "reason",
    "criterion",
    "stage",
    "routing_rule",
    "sequence_step",
];

/// The shipped links: (context, page slug, anchor).
pub const DEFAULT_LINKS: [(&str, &str, &str); 17] = [
    ("disposition:*", "outbound-cadence", "call-dispositions"),
    ("status:disqualified", "lead-lifecycle", "disqualified"),
    ("status:recycle", "lead-lifecycle", "recycle"),
    ("status:bad_data", "lead-lifecycle", "bad-data"),
    ("status:ineligible", "lead-lifecycle", "ineligible"),
    ("status:*", "lead-lifecycle", "statuses"),
    // The lifecycle page tells SDRs to consider a story for community contributors.
    (
        "reason:ineligible:community_contributor",
        "customer-stories",
        "story-types",
    ),
    ("criterion:soft_bant:*", "qualification", "soft-bant"),
    ("criterion:aift:*", "qualification", "aift"),
    ("stage:review", "hiring-process", "application-review"),
    ("stage:questionnaire", "hiring-process", "stages"),
    ("stage:screening", "hiring-process", "screening-call"),
    ("stage:interview", "hiring-process", "team-lead-interview"),
    ("stage:offer", "hiring-process", "offer"),
    ("stage:hired", "hiring-process", "stages"),
    ("routing_rule:*", "inbound-sla", "routing"),
    ("sequence_step:*", "outbound-cadence", "the-8-step-cadence"),
];

/// One link as in effect.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandbookLink {
    /// `kind:key`.
    pub context: String,
    /// The page.
    pub page_slug: String,
    /// The heading anchor.
    pub anchor: String,
    /// Whether an admin set it (else it is the shipped default).
    pub customised: bool,
}

/// The handbook section shown for one exit reason.
#[derive(Debug, Clone)]
pub struct ReasonSection {
    /// The exit status's code.
    pub status: String,
    /// The reason's code.
    pub reason: String,
    /// Whether the reason has its own link (else this is its status's section).
    pub own: bool,
    /// The section.
    pub section: RenderedSection,
}

/// A change to one link: a section, or `None` to go back to the default.
#[derive(Debug, Clone)]
pub struct LinkInput {
    /// `kind:key`.
    pub context: String,
    /// `(page slug, anchor)`, or `None` to remove an admin's link.
    pub section: Option<(String, String)>,
}

/// Splits and checks `kind:key`.
pub fn parse_context(raw: &str) -> Result<(String, String), Invalid> {
    let raw = raw.trim();
    let bad = || {
        Invalid::new(
            "context",
            "invalid_context",
            format!(
                "'{raw}' is not a context: write kind:key with kind one of {}",
                CONTEXT_KINDS.join(", ")
            ),
        )
    };
    let (kind, key) = raw.split_once(':').ok_or_else(bad)?;
    let key_ok = !key.is_empty()
        && key.len() <= 120
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '*' | '.'));
    if !CONTEXT_KINDS.contains(&kind) || !key_ok {
        return Err(bad());
    }
    Ok((kind.to_owned(), key.to_owned()))
}

/// The contexts to try for `context`, most specific first.
fn candidates(context: &str) -> Vec<String> {
    let mut out = vec![context.to_owned()];
    let mut rest = context;
    while let Some((head, _)) = rest.rsplit_once(':') {
        let wild = format!("{head}:*");
        if !out.contains(&wild) {
            out.push(wild);
        }
        rest = head;
    }
    out
}

/// The links in effect: defaults overlaid with admins' rows.
fn effective(rows: &[Link]) -> BTreeMap<String, HandbookLink> {
    let mut map: BTreeMap<String, HandbookLink> = DEFAULT_LINKS
        .iter()
        .map(|(c, slug, anchor)| {
            (
                (*c).to_owned(),
                HandbookLink {
                    context: (*c).to_owned(),
                    page_slug: (*slug).to_owned(),
                    anchor: (*anchor).to_owned(),
                    customised: false,
                },
            )
        })
        .collect();
    for r in rows {
        let context = format!("{}:{}", r.context, r.key);
        map.insert(
            context.clone(),
            HandbookLink {
                context,
                page_slug: r.page_slug.clone(),
                anchor: r.anchor.clone(),
                customised: true,
            },
        );
    }
    map
}

impl App {
    /// Every link in effect, by context.
    pub async fn handbook_links(&self, _actor: &Actor) -> AppResult<Vec<HandbookLink>> {
        let rows = store::list_links(&mut self.store().reader()).await?;
        Ok(effective(&rows).into_values().collect())
    }

    /// Sets or removes links (admins). Each linked section must exist.
    pub async fn set_handbook_links(
        &self,
        actor: &Actor,
        changes: Vec<LinkInput>,
    ) -> AppResult<Vec<HandbookLink>> {
        if actor.role() != Role::Admin {
            return Err(AppError::Forbidden(
                "only admins change where the handbook is linked".into(),
            ));
        }
        let mut parsed = Vec::with_capacity(changes.len());
        for change in changes {
            let (kind, key) = parse_context(&change.context)?;
            let section = match change.section {
                Some((slug, anchor)) => {
                    let slug = parse_slug(&slug)?;
                    let anchor = anchor.trim().trim_start_matches('#').to_owned();
                    if self.handbook_section(&slug, &anchor).await?.is_none() {
                        return Err(Invalid::new(
                            "anchor",
                            "unknown_section",
                            format!("the handbook has no section {slug}#{anchor}"),
                        )
                        .into());
                    }
                    Some((slug, anchor))
                }
                None => None,
            };
            parsed.push((kind, key, section));
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        for (kind, key, section) in parsed {
            let context = format!("{kind}:{key}");
            match &section {
                Some((slug, anchor)) => {
                    store::upsert_link(
                        &mut tx,
                        &Link {
                            context: kind.clone(),
                            key: key.clone(),
                            page_slug: slug.clone(),
                            anchor: anchor.clone(),
                            updated_by: actor.user_id(),
                            updated_at: now,
                        },
                    )
                    .await?;
                }
                None => store::delete_link(&mut tx, &kind, &key).await?,
            }
            audit::record::<(), _>(
                &mut tx,
                actor,
                now,
                Change {
                    action: "handbook.link",
                    entity_type: "handbook_link",
                    entity_id: Some(context.clone()),
                    before: None,
                    after: Some(&serde_json::json!({
                        "context": context,
                        "page_slug": section.as_ref().map(|s| &s.0),
                        "anchor": section.as_ref().map(|s| &s.1),
                    })),
                },
            )
            .await?;
        }
        let rows = store::list_links(&mut tx).await?;
        tx.commit().await?;
        Ok(effective(&rows).into_values().collect())
    }

    /// The rendered section each context links to (most specific link first; contexts without a
    /// link, or whose section no longer exists, are left out), in the order asked.
    pub async fn linked_sections(&self, contexts: &[String]) -> AppResult<Vec<(String, RenderedSection)>> {
        let rows = store::list_links(&mut self.store().reader()).await?;
        let links = effective(&rows);
        let mut out = Vec::new();
        for context in contexts {
            let Some(link) = candidates(context).iter().find_map(|c| links.get(c)) else {
                continue;
            };
            if let Some(section) = self.handbook_section(&link.page_slug, &link.anchor).await? {
                out.push((context.clone(), section));
            }
        }
        Ok(out)
    }

    /// The section for each exit reason `(status, reason)`: the reason's own link
    /// (`reason:<status>:<reason>`, then `reason:<status>:*`), else its status's
    /// (`status:<status>`, then `status:*`). Each comes with whether it is the reason's own.
    pub async fn reason_sections(&self, reasons: &[(String, String)]) -> AppResult<Vec<ReasonSection>> {
        let rows = store::list_links(&mut self.store().reader()).await?;
        let links = effective(&rows);
        let mut out = Vec::new();
        for (status, reason) in reasons {
            let own = candidates(&format!("reason:{status}:{reason}"))
                .into_iter()
                .find_map(|c| links.get(&c).cloned());
            let link = match own.clone() {
                Some(l) => Some(l),
                None => candidates(&format!("status:{status}"))
                    .into_iter()
                    .find_map(|c| links.get(&c).cloned()),
            };
            let Some(link) = link else { continue };
            if let Some(section) = self.handbook_section(&link.page_slug, &link.anchor).await? {
                out.push(ReasonSection {
                    status: status.clone(),
                    reason: reason.clone(),
                    own: own.is_some(),
                    section,
                });
            }
        }
        Ok(out)
    }

    /// The rendered section one context links to.
    pub async fn linked_section(&self, context: &str) -> AppResult<Option<RenderedSection>> {
        Ok(self
            .linked_sections(&[context.to_owned()])
            .await?
            .pop()
            .map(|(_, s)| s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_fall_back_from_the_code_to_the_whole_list() {
        assert_eq!(
            candidates("criterion:soft_bant:budget"),
            vec![
                "criterion:soft_bant:budget",
                "criterion:soft_bant:*",
                "criterion:*"
            ]
        );
        assert_eq!(candidates("disposition:*"), vec!["disposition:*"]);
    }

    #[test]
    fn contexts_name_a_known_kind_and_a_key() {
        assert_eq!(
            parse_context(" status:disqualified "),
            Ok(("status".into(), "disqualified".into()))
        );
        assert_eq!(
            parse_context("weather:rain").map_err(|e| e.code),
            Err("invalid_context")
        );
        assert_eq!(
            parse_context("status:").map_err(|e| e.code),
            Err("invalid_context")
        );
        assert_eq!(
            parse_context("status:a b").map_err(|e| e.code),
            Err("invalid_context")
        );
    }

    #[test]
    fn every_default_names_a_section_of_the_starting_handbook() {
        for (context, slug, anchor) in DEFAULT_LINKS {
            assert!(parse_context(context).is_ok(), "{context}");
            let body = super::super::defaults::DEFAULT_PAGES
                .iter()
                .find(|(s, _)| *s == slug)
                .map(|(_, b)| *b)
                .unwrap_or_else(|| panic!("{context}: no page {slug}"));
            assert!(
                prospector_core::markdown::section(body, anchor).is_some(),
                "{context}: no #{anchor} on {slug}"
            );
        }
    }
}
