//! Writing and reading the audit log.

use chrono::{DateTime, Utc};
use prospector_core::role::Permission;
use prospector_store::WriteTx;
use prospector_store::audit::{self, AuditEntry, AuditFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, App, AppResult};

/// What changed, for [`record`].
pub struct Change<'a, B: Serialize, A: Serialize> {
    /// e.g. `user.create`.
    pub action: &'a str,
    /// e.g. `user`.
    pub entity_type: &'a str,
    /// The record's id.
    pub entity_id: Option<String>,
    /// The record before.
    pub before: Option<&'a B>,
    /// The record after.
    pub after: Option<&'a A>,
}

/// Appends an audit entry inside the use case's transaction, so the change and its record of it
/// commit together.
pub async fn record<B: Serialize, A: Serialize>(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    change: Change<'_, B, A>,
) -> AppResult<()> {
    let to_json = |v: Option<&dyn erased::Json>| v.map(erased::Json::json);
    let entry = AuditEntry {
        id: prospector_core::ids::uuid_v7_at(now),
        at: now,
        actor_id: actor.user_id(),
        actor_label: actor.label(),
        via: actor.via().to_owned(),
        action: change.action.to_owned(),
        entity_type: change.entity_type.to_owned(),
        entity_id: change.entity_id,
        before: to_json(change.before.map(|b| b as &dyn erased::Json)),
        after: to_json(change.after.map(|a| a as &dyn erased::Json)),
        request_id: actor.request_id.clone(),
        ip: actor.ip.clone(),
    };
    audit::insert(tx, &entry).await?;
    Ok(())
}

mod erased {
    /// Lets `record` take two different serialisable types without boxing at the call site.
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

impl App {
    /// Audit entries, newest first; admins only.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        before: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        actor.require(Permission::ReadAudit)?;
        Ok(audit::list(&mut self.store().reader(), filter, before, limit.clamp(1, 500)).await?)
    }
}
