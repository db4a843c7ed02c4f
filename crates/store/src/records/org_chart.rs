//! Reporting lines between people, from which an account's org chart is drawn.

use super::PersonId;
use crate::error::StoreResult;
use crate::query::{Exec, query};

/// Whom each of `ids` reports to (people without a manager are left out).
pub async fn managers_of(ex: &mut impl Exec, ids: &[PersonId]) -> StoreResult<Vec<(PersonId, PersonId)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query("");
    let ns: Vec<String> = ids.iter().map(|id| format!("${}", q.push_bind(*id))).collect();
    let sql = format!(
        "SELECT id, reports_to_id FROM people WHERE reports_to_id IS NOT NULL AND id IN ({})",
        ns.join(", ")
    );
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| Ok((r.get("id")?, r.get("reports_to_id")?)))
        .collect()
}

/// Whom `id` reports to.
pub async fn manager_of(ex: &mut impl Exec, id: PersonId) -> StoreResult<Option<PersonId>> {
    let row = ex
        .fetch_optional(query("SELECT reports_to_id FROM people WHERE id = $1").bind(id))
        .await?;
    match row {
        Some(r) => r.get("reports_to_id"),
        None => Ok(None),
    }
}

/// Sets (or clears) whom `id` reports to.
pub async fn set_manager(ex: &mut impl Exec, id: PersonId, manager: Option<PersonId>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE people SET reports_to_id = $1 WHERE id = $2")
            .bind(manager)
            .bind(id),
    )
    .await?;
    Ok(())
}
