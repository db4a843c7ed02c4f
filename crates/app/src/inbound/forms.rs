//! Capture forms an admin creates, edits and archives: the fields asked for (and which are
//! required), hidden fields stamped on every submission, and the honeypot field's name. Every
//! change is validated (422 naming the field), audited, and drops the cached configuration.

use prospector_core::Invalid;
use prospector_core::inbound::validate_form;
use prospector_store::inbound::{self as store, Form};

use super::require_admin;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

pub use prospector_core::inbound::FormInput;

/// Checks `input` (the rules are core's) and builds the form it describes (active, not archived).
pub fn validate(input: &FormInput) -> Result<Form, Invalid> {
    let spec = validate_form(input)?;
    Ok(Form {
        slug: spec.slug,
        name: spec.name,
        behaviour: spec.behaviour.code().to_owned(),
        source: spec.source,
        active: true,
        fields: spec.fields,
        hidden_fields: spec.hidden_fields,
        honeypot_field: spec.honeypot_field,
        archived_at: None,
    })
}

impl App {
    /// One form (archived ones too).
    pub async fn inbound_form(&self, actor: &Actor, slug: &str) -> AppResult<Form> {
        super::require_inbound_viewer(actor)?;
        store::form_by_slug(&mut self.store().reader(), slug)
            .await?
            .ok_or_else(|| AppError::NotFound("form".into()))
    }

    /// Creates a form (409 when the slug is taken).
    pub async fn create_inbound_form(&self, actor: &Actor, input: FormInput) -> AppResult<Form> {
        require_admin(actor)?;
        let form = validate(&input)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if store::form_by_slug(&mut tx, &form.slug).await?.is_some() {
            return Err(AppError::conflict(
                "slug_taken",
                "slug",
                format!("a form already posts to /inbound/forms/{}", form.slug),
            ));
        }
        store::save_form(&mut tx, &form).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.form_created",
                entity_type: "inbound_form",
                entity_id: Some(form.slug.clone()),
                before: None,
                after: Some(&form),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(form)
    }

    /// Replaces the form at `slug` (its slug and archived state stay).
    pub async fn update_inbound_form(
        &self,
        actor: &Actor,
        slug: &str,
        mut input: FormInput,
    ) -> AppResult<Form> {
        require_admin(actor)?;
        input.slug = slug.to_owned();
        let mut form = validate(&input)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = store::form_by_slug(&mut tx, slug)
            .await?
            .ok_or_else(|| AppError::NotFound("form".into()))?;
        form.active = before.active;
        form.archived_at = before.archived_at;
        store::save_form(&mut tx, &form).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.form_updated",
                entity_type: "inbound_form",
                entity_id: Some(form.slug.clone()),
                before: Some(&before),
                after: Some(&form),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(form)
    }

    /// Archives the form at `slug` (it then answers 404, and its submissions stay) or, with
    /// `archived = false`, brings it back.
    pub async fn archive_inbound_form(&self, actor: &Actor, slug: &str, archived: bool) -> AppResult<Form> {
        require_admin(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = store::form_by_slug(&mut tx, slug)
            .await?
            .ok_or_else(|| AppError::NotFound("form".into()))?;
        let mut form = before.clone();
        form.active = !archived;
        form.archived_at = archived.then_some(before.archived_at.unwrap_or(now));
        store::save_form(&mut tx, &form).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: if archived {
                    "inbound.form_archived"
                } else {
                    "inbound.form_restored"
                },
                entity_type: "inbound_form",
                entity_id: Some(form.slug.clone()),
                before: Some(&before),
                after: Some(&form),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(form)
    }
}
