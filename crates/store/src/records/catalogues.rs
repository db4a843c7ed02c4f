//! The admin-editable lists records depend on: lead exit reasons, call dispositions and
//! qualification frameworks. The migration seeds them with core's defaults.

use prospector_core::records::activity::CallDisposition;
use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::{DispositionList, Framework, LeadStatus, Reason};

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, query};

fn decode_err(column: &str, message: impl Into<String>) -> StoreError {
    StoreError::Decode {
        column: column.into(),
        message: message.into(),
    }
}

/// The lead reason catalogue, in list order.
pub async fn lead_reasons(ex: &mut impl Exec) -> StoreResult<LeadReasons> {
    let rows = ex
        .fetch_all(query(
            "SELECT status, code, label, active, system FROM lead_reasons ORDER BY status, position, code",
        ))
        .await?;
    let mut lists = serde_json::Map::new();
    for row in rows {
        let status: String = row.get("status")?;
        let reason = Reason {
            code: row.get("code")?,
            label: row.get("label")?,
            active: row.get("active")?,
            system: row.get("system")?,
        };
        let entry = lists
            .entry(status)
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(list) = entry {
            list.push(serde_json::to_value(reason).map_err(|e| decode_err("lead_reasons", e.to_string()))?);
        }
    }
    serde_json::from_value(serde_json::json!({ "lists": lists }))
        .map_err(|e| decode_err("lead_reasons", e.to_string()))
}

/// Saves one reason of the catalogue (insert or update), keeping its position when it exists.
pub async fn save_lead_reason(ex: &mut impl Exec, status: LeadStatus, reason: &Reason) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO lead_reasons (status, code, label, active, system, position) VALUES ($1, $2, $3, $4, $5, \
             (SELECT COALESCE(MAX(position), -1) + 1 FROM lead_reasons WHERE status = $1)) \
             ON CONFLICT (status, code) DO UPDATE SET label = excluded.label, active = excluded.active",
        )
        .bind(status.code())
        .bind(reason.code.as_str())
        .bind(reason.label.as_str())
        .bind(reason.active)
        .bind(reason.system),
    )
    .await?;
    Ok(())
}

/// The call dispositions, in list order.
pub async fn dispositions(ex: &mut impl Exec) -> StoreResult<DispositionList> {
    let rows = ex
        .fetch_all(query(
            "SELECT code, label, counts_as_connect FROM call_dispositions ORDER BY position, code",
        ))
        .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(CallDisposition {
                code: r.get("code")?,
                label: r.get("label")?,
                counts_as_connect: r.get("counts_as_connect")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    DispositionList::new(list).map_err(|e| decode_err("call_dispositions", e.message))
}

/// The qualification frameworks, in list order.
pub async fn frameworks(ex: &mut impl Exec) -> StoreResult<Vec<Framework>> {
    let rows = ex
        .fetch_all(query(
            "SELECT code, name, criteria, required FROM qualification_frameworks ORDER BY position, code",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let criteria: serde_json::Value = r.get("criteria")?;
            let required: i64 = r.get("required")?;
            Ok(Framework {
                code: r.get("code")?,
                name: r.get("name")?,
                criteria: serde_json::from_value(criteria)
                    .map_err(|e| decode_err("criteria", e.to_string()))?,
                required: usize::try_from(required).map_err(|e| decode_err("required", e.to_string()))?,
            })
        })
        .collect()
}

/// Replaces the call dispositions with `list` (already validated), in its order.
pub async fn replace_dispositions(ex: &mut impl Exec, list: &DispositionList) -> StoreResult<()> {
    ex.execute(query("DELETE FROM call_dispositions")).await?;
    for (i, d) in list.all().iter().enumerate() {
        ex.execute(
            query(
                "INSERT INTO call_dispositions (code, label, counts_as_connect, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(d.code.as_str())
            .bind(d.label.as_str())
            .bind(d.counts_as_connect)
            .bind(i64::try_from(i).unwrap_or(i64::MAX)),
        )
        .await?;
    }
    Ok(())
}

/// Replaces the qualification frameworks with `list` (each already validated), in its order.
pub async fn replace_frameworks(ex: &mut impl Exec, list: &[Framework]) -> StoreResult<()> {
    ex.execute(query("DELETE FROM qualification_frameworks")).await?;
    for (i, f) in list.iter().enumerate() {
        let criteria =
            serde_json::to_value(&f.criteria).map_err(|e| decode_err("criteria", e.to_string()))?;
        ex.execute(
            query(
                "INSERT INTO qualification_frameworks (code, name, criteria, required, position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(f.code.as_str())
            .bind(f.name.as_str())
            .bind(criteria)
            .bind(i64::try_from(f.required).unwrap_or(i64::MAX))
            .bind(i64::try_from(i).unwrap_or(i64::MAX)),
        )
        .await?;
    }
    Ok(())
}

/// The frameworks among `codes` that some person is being qualified with.
pub async fn frameworks_in_use(ex: &mut impl Exec, codes: &[String]) -> StoreResult<Vec<String>> {
    let mut used = Vec::new();
    for code in codes {
        let row = ex
            .fetch_optional(
                query("SELECT 1 AS one FROM people WHERE framework = $1 LIMIT 1").bind(code.as_str()),
            )
            .await?;
        if row.is_some() {
            used.push(code.clone());
        }
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use prospector_core::records::lifecycle::default_lead_reasons;

    use super::*;
    use crate::{Store, StoreOptions};

    async fn seeded_lists_are_core_defaults(url: &str) {
        let store = Store::connect(url, &StoreOptions::default())
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let mut r = store.reader();
        assert_eq!(
            lead_reasons(&mut r).await.expect("reasons"),
            default_lead_reasons()
        );
        assert_eq!(
            dispositions(&mut r).await.expect("dispositions"),
            DispositionList::default()
        );
        assert_eq!(
            frameworks(&mut r).await.expect("frameworks"),
            Framework::defaults()
        );
        store.close().await;
    }

    #[tokio::test]
    async fn the_migration_seeds_exactly_the_core_defaults() {
        let sqlite = prospector_testkit::TestDb::sqlite().await;
        seeded_lists_are_core_defaults(&sqlite.url).await;
        if let Some(pg) = prospector_testkit::TestDb::postgres().await {
            seeded_lists_are_core_defaults(&pg.url).await;
        }
    }
}
