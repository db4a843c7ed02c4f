//! What the import will do with each row a preview shows: create a record, update the one an
//! earlier import of the same id made, leave it as it is, or skip it as a duplicate — decided as
//! the import decides (the external id and the row's hash first, then the same matcher), but
//! against only the stored records that share a key with the shown rows (their email, phone or
//! name key; their domain or name for accounts), so a preview stays quick however large the
//! database. Rows shown earlier count as stored, as they will be by the time the import reaches
//! the later ones.

use prospector_core::import::ObjectKind;
use prospector_core::matching::{MatchIndex, Matcher};
use prospector_store::Exec;
use prospector_store::import as store;
use prospector_store::records::accounts;
use prospector_store::records::people::{self, DuplicateKeys};
use serde::Serialize;
use uuid::Uuid;

use super::rows::{Body, Draft};
use super::{account_record, object_code, person_record};
use crate::AppResult;

/// Stored candidates read per key value, as on entry.
const CANDIDATES_PER_KEY: i64 = 50;

/// What the import will do with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "will")]
pub enum RowOutcome {
    /// A new record.
    Create,
    /// The record an earlier import of this id made, changed.
    Update {
        /// That record.
        record_id: Uuid,
    },
    /// The record an earlier import of this id made, which already holds this row.
    Unchanged {
        /// That record.
        record_id: Uuid,
    },
    /// Not imported: it is a record already stored, or a row earlier in the file.
    Duplicate {
        /// The stored record it duplicates (none for an earlier row).
        record_id: Option<Uuid>,
        /// Who or what that is, for the page.
        label: String,
    },
    /// Left out for its problems.
    Refused,
}

/// The outcome of each of `drafts` (rows of `object` from `system`, in file order).
pub(crate) async fn outcomes_of(
    ex: &mut impl Exec,
    object: ObjectKind,
    system: &str,
    drafts: &[&Draft],
) -> AppResult<Vec<RowOutcome>> {
    let ids: Vec<String> = drafts.iter().filter_map(|d| d.external_id.clone()).collect();
    let known = store::known_ids(ex, &[object_code(object)], system, &ids).await?;
    let mut stored = Stored::read(ex, drafts).await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let outcome = match d.external_id.as_ref().and_then(|e| known.get(e)) {
            Some(k) if k.row_hash.as_deref() == Some(d.hash.as_str()) => RowOutcome::Unchanged {
                record_id: k.record_id,
            },
            Some(k) => RowOutcome::Update {
                record_id: k.record_id,
            },
            None => match stored.duplicate_of(d) {
                Some((record_id, label)) => RowOutcome::Duplicate { record_id, label },
                None => {
                    stored.add(d);
                    RowOutcome::Create
                }
            },
        };
        out.push(outcome);
    }
    Ok(out)
}

/// The stored people or accounts the shown rows could duplicate, indexed for the matcher.
struct Stored {
    people: MatchIndex,
    accounts: MatchIndex,
    /// Per index entry: the record's id and label (`None` for a row shown earlier).
    people_ids: Vec<Option<(Uuid, String)>>,
    account_ids: Vec<Option<(Uuid, String)>>,
    domains: std::collections::HashMap<String, (Uuid, String)>,
}

impl Stored {
    async fn read(ex: &mut impl Exec, drafts: &[&Draft]) -> AppResult<Stored> {
        let matcher = Matcher::default();
        let mut stored = Stored {
            people: matcher.index(&[]),
            accounts: matcher.index(&[]),
            people_ids: Vec::new(),
            account_ids: Vec::new(),
            domains: std::collections::HashMap::new(),
        };
        let keys: Vec<DuplicateKeys> = drafts
            .iter()
            .filter_map(|d| match &d.body {
                Body::Person(p) => Some(DuplicateKeys::of(
                    p.new.email.as_ref(),
                    p.new.phone.as_ref().map(|x| x.as_str()),
                    p.new.first_name.as_deref(),
                    p.new.last_name.as_deref(),
                )),
                _ => None,
            })
            .collect();
        for p in people::duplicate_candidates_of_many(ex, &keys, CANDIDATES_PER_KEY).await? {
            stored.people.insert(&prospector_core::matching::Record {
                given_name: p.first_name.clone(),
                surname: p.last_name.clone(),
                email: p.email.as_ref().map(|e| e.as_str().to_owned()),
                phone: p.phone.clone(),
                company: p.company.clone(),
                ..Default::default()
            });
            let label = p
                .email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .or_else(|| {
                    let name = [p.first_name.as_deref(), p.last_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    (!name.is_empty()).then_some(name)
                })
                .unwrap_or_else(|| p.id.to_string());
            stored.people_ids.push(Some((p.id.0, label)));
        }
        let mut domains = Vec::new();
        for d in drafts {
            if let Body::Account(a) = &d.body {
                if let Some(dom) = &a.domain {
                    domains.push(dom.as_str().to_owned());
                }
                for found in accounts::by_name(ex, &a.name, CANDIDATES_PER_KEY).await? {
                    let first = found.domains.first().map(String::as_str);
                    stored
                        .accounts
                        .insert(&account_record(String::new(), &found.name, first));
                    stored.account_ids.push(Some((found.id.0, found.name.clone())));
                }
            }
        }
        for (domain, a) in accounts::by_domains(ex, &domains).await? {
            stored.domains.insert(domain, (a.id.0, a.name));
        }
        Ok(stored)
    }

    /// The stored record (or earlier row) `d` duplicates, as the import's matcher finds it.
    fn duplicate_of(&self, d: &Draft) -> Option<(Option<Uuid>, String)> {
        let (index, ids) = match &d.body {
            Body::Person(p) => {
                let found = self.people.find_matches(&person_record(String::new(), &p.new));
                return found.first().map(|m| earlier_or(&self.people_ids[m.index]));
            }
            Body::Account(a) => {
                if let Some(hit) = a.domain.as_ref().and_then(|dom| self.domains.get(dom.as_str())) {
                    return Some((Some(hit.0), hit.1.clone()));
                }
                let record = account_record(String::new(), &a.name, a.domain.as_ref().map(|x| x.as_str()));
                (self.accounts.find_matches(&record), &self.account_ids)
            }
            Body::Opportunity(_) | Body::Task(_) => return None,
        };
        index.first().map(|m| earlier_or(&ids[m.index]))
    }

    /// Counts a row that will be created, for the rows after it.
    fn add(&mut self, d: &Draft) {
        match &d.body {
            Body::Person(p) => {
                self.people.insert(&person_record(String::new(), &p.new));
                self.people_ids.push(None);
            }
            Body::Account(a) => {
                let domain = a.domain.as_ref().map(|x| x.as_str());
                self.accounts
                    .insert(&account_record(String::new(), &a.name, domain));
                self.account_ids.push(None);
            }
            Body::Opportunity(_) | Body::Task(_) => {}
        }
    }
}

/// A stored record's id and label, or (for a row shown earlier, not stored yet) no id.
fn earlier_or(entry: &Option<(Uuid, String)>) -> (Option<Uuid>, String) {
    match entry {
        Some((id, label)) => (Some(*id), label.clone()),
        None => (None, "a row earlier in the file".to_owned()),
    }
}
