//! Whether a row's references — AccountId, WhoId, WhatId, OwnerId, or `@AccountRefN` in an sObject
//! tree — point at a record. The import asks here before it writes each batch, and the preview asks
//! the same question before anything is written, so the references the preview lists are the ones
//! the import will report. A reference names a record by its external id: one stored by an earlier
//! import, or — for a preview, where nothing is written yet — one that an earlier row or an earlier
//! file of the same data plan will create.

use std::collections::{HashMap, HashSet};

use prospector_core::ids::UserId;
use prospector_store::Exec;
use prospector_store::import::{self as store, ImportProblem, Known};
use uuid::Uuid;

use super::batch_write::Written;
use super::rows::{Body, Draft, Ref};
use crate::AppResult;

/// What a reference column points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RefKind {
    /// `AccountId` of a person or an opportunity.
    Account,
    /// `WhoId` of a task: a lead or a contact.
    Who,
    /// `WhatId` of a task: an account or an opportunity.
    What,
    /// `OwnerId`: a user.
    Owner,
}

impl RefKind {
    /// The objects a reference of this kind may name.
    fn objects(self) -> &'static [&'static str] {
        match self {
            RefKind::Account => &["account"],
            RefKind::Who => &["lead", "contact"],
            RefKind::What => &["account", "opportunity"],
            RefKind::Owner => &["user"],
        }
    }

    /// Our field, as the error report names it.
    fn field(self) -> &'static str {
        match self {
            RefKind::Account => "account_ref",
            RefKind::Who => "who_ref",
            RefKind::What => "what_ref",
            RefKind::Owner => "owner_id",
        }
    }

    /// What it should have named, for the message.
    fn described(self) -> &'static str {
        match self {
            RefKind::Account => "account",
            RefKind::Who => "lead or contact",
            RefKind::What => "account or opportunity",
            RefKind::Owner => "user",
        }
    }
}

/// The references a draft makes, with their kinds.
fn references_of(d: &Draft) -> Vec<(RefKind, &Ref)> {
    let mut out = vec![(RefKind::Owner, &d.owner.external)];
    match &d.body {
        Body::Person(p) => out.push((RefKind::Account, &p.account_ref)),
        Body::Opportunity(o) => out.push((RefKind::Account, &o.account_ref)),
        Body::Task(t) => {
            out.push((RefKind::Who, &t.who_ref));
            out.push((RefKind::What, &t.what_ref));
        }
        Body::Account(_) => {}
    }
    out
}

/// Records that will exist before the import reaches a row although they are not stored yet: the
/// rows a preview has read so far, in this file and the plan's earlier files. Empty for the import
/// itself, whose earlier batches and files are committed by the time it looks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ahead {
    ids: HashMap<&'static str, HashSet<String>>,
}

impl Ahead {
    /// Notes that the import will create (or match) the `object` known as `external_id`.
    pub(crate) fn add(&mut self, object: &'static str, external_id: String) {
        self.ids.entry(object).or_default().insert(external_id);
    }

    fn find(&self, kind: RefKind, id: &str) -> Option<Known> {
        kind.objects().iter().find_map(|object| {
            self.ids
                .get(object)
                .is_some_and(|ids| ids.contains(id))
                .then(|| Known {
                    object: (*object).to_owned(),
                    // Not written yet: a preview only asks whether it will resolve.
                    record_id: Uuid::nil(),
                    row_hash: None,
                })
        })
    }
}

/// Where a row's references lead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolved {
    /// The owner, by `Owner.Email` or by `OwnerId` (the import's default owner is the caller's).
    pub owner: Option<UserId>,
    /// The account of a person or an opportunity.
    pub account: Option<Known>,
    /// The lead or contact of a task.
    pub who: Option<Known>,
    /// The account or opportunity of a task.
    pub what: Option<Known>,
}

/// The stored records that the references of one batch name, looked up together (one query per
/// kind, not one per row).
#[derive(Debug, Default)]
pub(crate) struct Lookups {
    found: HashMap<RefKind, HashMap<String, Known>>,
}

impl Lookups {
    /// Looks up every reference of `drafts` among the external ids of `system`, and among those
    /// of the batch still being `written`.
    pub(crate) async fn of<'a>(
        ex: &mut impl Exec,
        system: &str,
        drafts: impl IntoIterator<Item = &'a Draft>,
        written: &Written,
    ) -> AppResult<Lookups> {
        let mut wanted: HashMap<RefKind, Vec<String>> = HashMap::new();
        for d in drafts {
            for (kind, reference) in references_of(d) {
                if let Some((id, _)) = reference {
                    wanted.entry(kind).or_default().push(id.clone());
                }
            }
        }
        let mut found = HashMap::new();
        for (kind, ids) in wanted {
            let mut known = store::known_ids(ex, kind.objects(), system, &ids).await?;
            written.overlay(kind.objects(), &mut known);
            found.insert(kind, known);
        }
        Ok(Lookups { found })
    }

    /// Where `d`'s references lead. Each reference that leads nowhere is added to `d.issues` with
    /// its line, column and reason (the value is left out, the row kept). `headers` names the
    /// file's columns; `ahead` holds what earlier rows will have created.
    pub(crate) fn resolve(
        &self,
        d: &mut Draft,
        users: &HashMap<String, UserId>,
        headers: &[String],
        ahead: &Ahead,
    ) -> Resolved {
        let line = i64::try_from(d.line).unwrap_or(i64::MAX);
        let mut issues = Vec::new();
        let mut resolve = |kind: RefKind, reference: &Ref| -> Option<Known> {
            let (id, column) = reference.as_ref()?;
            if let Some(known) = self
                .found
                .get(&kind)
                .and_then(|m| m.get(id))
                .cloned()
                .or_else(|| ahead.find(kind, id))
            {
                return Some(known);
            }
            issues.push(ImportProblem {
                line,
                column: column.map(|c| c as i64 + 1),
                header: column.and_then(|c| headers.get(c).cloned()),
                field: kind.field().to_owned(),
                code: "unresolved_reference".into(),
                message: format!("'{id}' refers to no {} imported so far", kind.described()),
                refused: false,
                file: None,
            });
            None
        };
        // An owner named by email needs no external id.
        let owner = d
            .owner
            .email
            .as_ref()
            .and_then(|e| users.get(e).copied())
            .or_else(|| resolve(RefKind::Owner, &d.owner.external).map(|k| UserId(k.record_id)));
        let mut resolved = Resolved {
            owner,
            ..Resolved::default()
        };
        match &d.body {
            Body::Person(p) => resolved.account = resolve(RefKind::Account, &p.account_ref),
            Body::Opportunity(o) => resolved.account = resolve(RefKind::Account, &o.account_ref),
            Body::Task(t) => {
                resolved.who = resolve(RefKind::Who, &t.who_ref);
                resolved.what = resolve(RefKind::What, &t.what_ref);
            }
            Body::Account(_) => {}
        }
        d.issues.append(&mut issues);
        resolved
    }
}
