//! The editable lists: lead exit reasons (admins add, relabel, retire and restore).

use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::{LeadStatus, Reason};
use prospector_core::role::Permission;
use prospector_store::records::catalogues;

use super::require_records;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A change to one reason.
#[derive(Debug, Clone, Default)]
pub struct ReasonEdit {
    /// New label (required when adding).
    pub label: Option<String>,
    /// Retire (false) or restore (true).
    pub active: Option<bool>,
}

impl App {
    /// The lead and contact exit reasons.
    pub async fn lead_reasons(&self, actor: &Actor) -> AppResult<LeadReasons> {
        require_records(actor)?;
        Ok(catalogues::lead_reasons(&mut self.store().reader()).await?)
    }

    /// Adds, relabels, retires or restores a reason of `status` (admins). A code not in the list
    /// is added (it needs a label).
    pub async fn edit_lead_reason(
        &self,
        actor: &Actor,
        status: &str,
        code: &str,
        edit: ReasonEdit,
    ) -> AppResult<LeadReasons> {
        actor.require(Permission::ManageUsers)?;
        let status = LeadStatus::parse("status", status)?;
        if !status.is_exit() {
            let exits: Vec<&str> = LeadStatus::ALL
                .iter()
                .filter(|s| s.is_exit())
                .map(|s| s.code())
                .collect();
            return Err(prospector_core::Invalid::unknown_value("status", status.code(), &exits).into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = catalogues::lead_reasons(&mut tx).await?;
        let mut after = before.clone();
        let exists = after.label(status, code).is_some();
        if !exists {
            let label = edit
                .label
                .as_deref()
                .ok_or_else(|| prospector_core::Invalid::required("label"))?;
            after.add(status, code, label)?;
        } else if let Some(label) = &edit.label {
            after.relabel(status, code, label)?;
        }
        match edit.active {
            Some(false) => after.retire(status, code)?,
            Some(true) => after.restore(status, code)?,
            None => {}
        }
        let reason: Reason = serde_json::to_value(&after)
            .ok()
            .and_then(|v| {
                v["lists"][status.code()]
                    .as_array()?
                    .iter()
                    .find(|r| r["code"] == code.trim())
                    .cloned()
            })
            .and_then(|r| serde_json::from_value(r).ok())
            .ok_or_else(|| AppError::Internal("reason vanished after editing".into()))?;
        catalogues::save_lead_reason(&mut tx, status, &reason).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "lead_reason.edit",
                entity_type: "lead_reason",
                entity_id: Some(format!("{status}/{}", reason.code)),
                before: Some(&before),
                after: Some(&reason),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
