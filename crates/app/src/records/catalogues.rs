//! The editable lists: lead exit reasons (admins add, relabel, retire and restore), and the call
//! dispositions and qualification frameworks (admins replace the whole list).

use prospector_core::records::activity::CallDisposition;
use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::qualification::Criterion;
use prospector_core::records::{DispositionList, Framework, LeadStatus, Reason};
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

    /// Replaces the call dispositions (admins): at least one, codes snake_case and unique, labels
    /// present (422 naming the field). Activities logged with a removed code keep it.
    pub async fn replace_dispositions(
        &self,
        actor: &Actor,
        list: Vec<CallDisposition>,
    ) -> AppResult<DispositionList> {
        require_list_admin(actor)?;
        let list = DispositionList::new(
            list.into_iter()
                .map(|d| CallDisposition {
                    code: d.code.trim().to_owned(),
                    label: d.label.trim().to_owned(),
                    counts_as_connect: d.counts_as_connect,
                })
                .collect(),
        )?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = catalogues::dispositions(&mut tx).await?.all().to_vec();
        let after = list.all().to_vec();
        catalogues::replace_dispositions(&mut tx, &list).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "dispositions.replace",
                entity_type: "call_dispositions",
                entity_id: None,
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Replaces the qualification frameworks (admins): each validated by `Framework::new`
    /// (422 naming `frameworks[i].…`), codes unique, and a framework some person is being
    /// qualified with cannot be removed (409).
    pub async fn replace_frameworks(
        &self,
        actor: &Actor,
        list: Vec<FrameworkInput>,
    ) -> AppResult<Vec<Framework>> {
        require_list_admin(actor)?;
        if list.is_empty() {
            return Err(prospector_core::Invalid::required("frameworks").into());
        }
        let mut checked: Vec<Framework> = Vec::with_capacity(list.len());
        for (i, f) in list.into_iter().enumerate() {
            let framework = Framework::new(&f.code, &f.name, f.criteria, f.required)
                .map_err(|e| prefixed(&format!("frameworks[{i}]"), e))?;
            if checked.iter().any(|c| c.code == framework.code) {
                return Err(prospector_core::Invalid::new(
                    format!("frameworks[{i}].code"),
                    "duplicate",
                    format!("framework '{}' appears twice", framework.code),
                )
                .into());
            }
            checked.push(framework);
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = catalogues::frameworks(&mut tx).await?;
        let removed: Vec<String> = before
            .iter()
            .filter(|b| !checked.iter().any(|c| c.code == b.code))
            .map(|b| b.code.clone())
            .collect();
        let in_use = catalogues::frameworks_in_use(&mut tx, &removed).await?;
        if !in_use.is_empty() {
            return Err(AppError::conflict(
                "framework_in_use",
                "frameworks",
                format!(
                    "{} cannot be removed: leads are being qualified with it",
                    in_use.join(", ")
                ),
            ));
        }
        catalogues::replace_frameworks(&mut tx, &checked).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "frameworks.replace",
                entity_type: "qualification_frameworks",
                entity_id: None,
                before: Some(&before),
                after: Some(&checked),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(checked)
    }
}

/// One framework as an admin sends it.
#[derive(Debug, Clone)]
pub struct FrameworkInput {
    /// Stable snake_case code.
    pub code: String,
    /// Name shown to people.
    pub name: String,
    /// Criteria in the order asked.
    pub criteria: Vec<Criterion>,
    /// How many must be met.
    pub required: usize,
}

/// Only admins edit the lists everyone works from.
fn require_list_admin(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::ManageUsers)?;
    Ok(())
}

/// `e` with its field put under `prefix` (`criteria[0].code` → `frameworks[1].criteria[0].code`).
fn prefixed(prefix: &str, mut e: prospector_core::Invalid) -> AppError {
    e.field = format!("{prefix}.{}", e.field);
    e.into()
}
