//! Writing one decided batch of an import: its records, their search text and external ids, its
//! problems and the job's progress, in one transaction — so a batch is either all there, counted
//! by the job, or not there at all, and a resumed import starts after the last one written.
//!
//! A batch is written while the next is decided (parsing, matching): the two use different cores,
//! and on SQLite the write runs on the store's writer thread anyway. Batches are still committed
//! one at a time in file order. The batch being written is not yet visible to the next batch's
//! lookups, so [`Written`] stands in for its external ids until it is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use prospector_store::import::{self, Conflict, Counts, ImportProblem, Known};
use prospector_store::{Store, Value, WriteTx};
use uuid::Uuid;

use crate::AppResult;

/// A decided batch: the rows to write into each table, in the store's column order.
pub(super) struct BatchRows {
    pub people: Vec<Vec<Value>>,
    pub accounts: Vec<Vec<Value>>,
    pub domains: Vec<Vec<Value>>,
    pub opportunities: Vec<Vec<Value>>,
    pub tasks: Vec<Vec<Value>>,
    pub search: Vec<Vec<Value>>,
    /// `(object, external id, record, row hash)` of every row imported or matched.
    pub external: Vec<(&'static str, String, Uuid, String)>,
    /// The job's sequence number of the batch's first problem.
    pub problems_from: i64,
    /// When the batch was decided: its records' `updated_at` and the job's progress time.
    pub now: DateTime<Utc>,
}

/// The external ids of the batch being written, as the next batch's lookups would find them once
/// it is committed.
#[derive(Debug, Default)]
pub(crate) struct Written {
    by_object: HashMap<&'static str, HashMap<String, Known>>,
}

impl Written {
    /// What `rows` will have stored.
    pub(super) fn of(rows: &BatchRows) -> Written {
        let mut by_object: HashMap<&'static str, HashMap<String, Known>> = HashMap::new();
        for (object, external_id, record_id, hash) in &rows.external {
            by_object.entry(object).or_default().insert(
                external_id.clone(),
                Known {
                    object: (*object).to_owned(),
                    record_id: *record_id,
                    row_hash: Some(hash.clone()),
                },
            );
        }
        Written { by_object }
    }

    /// Adds to `found` (external id → record, as `import::known_ids` read it for `objects`) what
    /// this batch writes; this batch is newer than what was read.
    pub(crate) fn overlay(&self, objects: &[&str], found: &mut HashMap<String, Known>) {
        for object in objects {
            if let Some(written) = self.by_object.get(object) {
                found.extend(written.iter().map(|(id, known)| (id.clone(), known.clone())));
            }
        }
    }
}

/// Writes `rows`, their `problems` and `counts` as job `job`'s progress, in one transaction.
pub(super) async fn write(
    store: Store,
    system: &'static str,
    job: Uuid,
    rows: BatchRows,
    problems: Vec<ImportProblem>,
    counts: Counts,
) -> AppResult<()> {
    let mut tx: WriteTx = store.begin().await?;
    import::commit_batch_without_flush(&mut tx).await?;
    let keep = |update: &'static [&'static str]| Conflict {
        target: "id",
        update,
        keep_old_when_null: true,
    };
    import::upsert(
        &mut tx,
        "people",
        &[
            "id",
            "kind",
            "first_name",
            "last_name",
            "email",
            "email_key",
            "phone",
            "phone_key",
            "name_key",
            "title",
            "company",
            "account_id",
            "country",
            "region",
            "time_zone",
            "owner_id",
            "status",
            "source",
            "do_not_call",
            "unsubscribed",
            "custom_fields",
            "created_at",
            "updated_at",
        ],
        rows.people,
        Some(keep(&[
            "first_name",
            "last_name",
            "email",
            "email_key",
            "phone",
            "phone_key",
            "name_key",
            "title",
            "company",
            "account_id",
            "country",
            "region",
            "time_zone",
            "owner_id",
            "source",
            "custom_fields",
            "updated_at",
        ])),
    )
    .await?;
    import::upsert(
        &mut tx,
        "accounts",
        &[
            "id",
            "name",
            "employees",
            "segment",
            "country",
            "owner_id",
            "custom_fields",
            "created_at",
            "updated_at",
        ],
        rows.accounts,
        Some(keep(&[
            "name",
            "employees",
            "segment",
            "country",
            "owner_id",
            "custom_fields",
            "updated_at",
        ])),
    )
    .await?;
    import::upsert(
        &mut tx,
        "account_domains",
        &["id", "domain", "account_id"],
        rows.domains,
        Some(Conflict {
            target: "domain",
            update: &[],
            keep_old_when_null: false,
        }),
    )
    .await?;
    import::upsert(
        &mut tx,
        "opportunities",
        &[
            "id",
            "name",
            "account_id",
            "stage",
            "ae_id",
            "amount_cents",
            "close_date",
            "next_step",
            "created_at",
            "updated_at",
        ],
        rows.opportunities,
        Some(keep(&[
            "name",
            "account_id",
            "stage",
            "ae_id",
            "amount_cents",
            "close_date",
            "next_step",
            "updated_at",
        ])),
    )
    .await?;
    import::upsert(
        &mut tx,
        "tasks",
        &[
            "id",
            "title",
            "notes",
            "due_at",
            "priority",
            "status",
            "owner_id",
            "person_id",
            "account_id",
            "opportunity_id",
            "completed_at",
            "created_at",
            "updated_at",
        ],
        rows.tasks,
        Some(keep(&[
            "title",
            "notes",
            "due_at",
            "priority",
            "status",
            "owner_id",
            "person_id",
            "account_id",
            "opportunity_id",
            "completed_at",
            "updated_at",
        ])),
    )
    .await?;
    import::upsert(
        &mut tx,
        "search_docs",
        &["kind", "ref_id", "body"],
        rows.search,
        Some(Conflict {
            target: "ref_id",
            update: &["body"],
            keep_old_when_null: false,
        }),
    )
    .await?;
    import::save_external_ids(&mut tx, system, &rows.external).await?;
    import::insert_problems(&mut tx, job, rows.problems_from, &problems).await?;
    import::advance(&mut tx, job, &counts, rows.now).await?;
    tx.commit().await?;
    Ok(())
}
