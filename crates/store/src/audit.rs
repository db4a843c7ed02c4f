//! The audit log: who changed what, when, from what to what, and in which request.

use chrono::{DateTime, Utc};
use prospector_core::ids::UserId;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, query};

/// One audited change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    /// Id (time-ordered).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who, when a user did it.
    pub actor_id: Option<UserId>,
    /// Who, as shown (email, or `cli`, `system`).
    pub actor_label: String,
    /// How: `session`, `token`, `cli`, `system`.
    pub via: String,
    /// What happened, e.g. `user.create`.
    pub action: String,
    /// The kind of record, e.g. `user`.
    pub entity_type: String,
    /// The record's id.
    pub entity_id: Option<String>,
    /// The record before (absent for creations).
    pub before: Option<serde_json::Value>,
    /// The record after (absent for deletions).
    pub after: Option<serde_json::Value>,
    /// The HTTP request id.
    pub request_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
}

/// Appends an entry.
pub async fn insert(ex: &mut impl Exec, e: &AuditEntry) -> StoreResult<()> {
    ex.write(
        query(
            "INSERT INTO audit_log (id, at, actor_id, actor_label, via, action, entity_type, entity_id, before_json, \
             after_json, request_id, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(e.id)
        .bind(e.at)
        .bind(e.actor_id)
        .bind(&e.actor_label)
        .bind(&e.via)
        .bind(&e.action)
        .bind(&e.entity_type)
        .bind(e.entity_id.clone())
        .bind(e.before.clone())
        .bind(e.after.clone())
        .bind(e.request_id.clone())
        .bind(e.ip.clone()),
    )
    .await?;
    Ok(())
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only about this kind of record.
    pub entity_type: Option<String>,
    /// Only about this record.
    pub entity_id: Option<String>,
    /// Only by this user.
    pub actor_id: Option<UserId>,
    /// Only this action.
    pub action: Option<String>,
}

/// Entries newest first, before the keyset cursor `before`, at most `limit`.
pub async fn list(
    ex: &mut impl Exec,
    filter: &AuditFilter,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let mut sql = String::from(
        "SELECT id, at, actor_id, actor_label, via, action, entity_type, entity_id, before_json, after_json, \
         request_id, ip FROM audit_log WHERE 1 = 1",
    );
    let mut q = query("");
    if let Some(v) = &filter.entity_type {
        sql.push_str(&format!(" AND entity_type = ${}", q.push_bind(v.as_str())));
    }
    if let Some(v) = &filter.entity_id {
        sql.push_str(&format!(" AND entity_id = ${}", q.push_bind(v.as_str())));
    }
    if let Some(v) = filter.actor_id {
        sql.push_str(&format!(" AND actor_id = ${}", q.push_bind(v)));
    }
    if let Some(v) = &filter.action {
        sql.push_str(&format!(" AND action = ${}", q.push_bind(v.as_str())));
    }
    if let Some(v) = before {
        sql.push_str(&format!(" AND id < ${}", q.push_bind(v)));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", q.push_bind(limit)));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.get("id")?,
                at: r.get("at")?,
                actor_id: r.get("actor_id")?,
                actor_label: r.get("actor_label")?,
                via: r.get("via")?,
                action: r.get("action")?,
                entity_type: r.get("entity_type")?,
                entity_id: r.get("entity_id")?,
                before: r.get("before_json")?,
                after: r.get("after_json")?,
                request_id: r.get("request_id")?,
                ip: r.get("ip")?,
            })
        })
        .collect()
}
