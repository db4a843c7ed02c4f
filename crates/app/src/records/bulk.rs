//! Bulk changes from a list: each selected person goes through the same use case as a change
//! made on their own page, and the outcome names every refusal with its reason — never
//! half-silent.

use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_store::records::PersonId;
use prospector_store::records::people::{Person, PersonKind};

use super::people::{PersonPatch, StatusInput};
use crate::{Actor, App, AppError, AppResult};

/// The most people one bulk change takes.
pub const BULK_MAX: usize = 500;

/// One person a bulk change refused.
#[derive(Debug)]
pub struct BulkRefusal {
    /// Who.
    pub id: PersonId,
    /// Their name, when the actor may see them.
    pub name: Option<String>,
    /// Why.
    pub error: AppError,
}

/// What a bulk change did.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    /// The people changed, as they are now.
    pub changed: Vec<Person>,
    /// The people refused, with the reason.
    pub refused: Vec<BulkRefusal>,
}

fn check_ids(ids: &[PersonId]) -> AppResult<()> {
    if ids.is_empty() {
        return Err(Invalid::new("ids", "required", "select at least one row").into());
    }
    if ids.len() > BULK_MAX {
        let message = format!("select at most {BULK_MAX} rows at once");
        return Err(Invalid::new("ids", "too_many", message).into());
    }
    Ok(())
}

impl App {
    async fn refusal(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
        error: AppError,
    ) -> BulkRefusal {
        let name = self.get_person(actor, kind, id).await.ok().map(|p| p.full_name());
        BulkRefusal { id, name, error }
    }

    /// Assigns each person to `owner` (`None`: back to the pool) through [`App::update_person`].
    pub async fn bulk_assign(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        ids: &[PersonId],
        owner: Option<UserId>,
    ) -> AppResult<BulkOutcome> {
        check_ids(ids)?;
        let mut outcome = BulkOutcome::default();
        for id in ids {
            let patch = PersonPatch {
                owner_id: Some(owner),
                ..PersonPatch::default()
            };
            match self.update_person(actor, kind, *id, patch, None).await {
                Ok(p) => outcome.changed.push(p),
                Err(e @ (AppError::Unavailable(_) | AppError::Internal(_))) => return Err(e),
                Err(e) => outcome.refused.push(self.refusal(actor, kind, *id, e).await),
            }
        }
        Ok(outcome)
    }

    /// Moves each person to the same status (with the same reason and note) through
    /// [`App::change_status`].
    pub async fn bulk_change_status(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        ids: &[PersonId],
        input: &StatusInput,
    ) -> AppResult<BulkOutcome> {
        check_ids(ids)?;
        let mut outcome = BulkOutcome::default();
        for id in ids {
            match self.change_status(actor, kind, *id, input.clone(), None).await {
                Ok(p) => outcome.changed.push(p),
                Err(e @ (AppError::Unavailable(_) | AppError::Internal(_))) => return Err(e),
                Err(e) => outcome.refused.push(self.refusal(actor, kind, *id, e).await),
            }
        }
        Ok(outcome)
    }
}
