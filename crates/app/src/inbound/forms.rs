//! Capture forms an admin creates, edits and archives: the fields asked for (and which are
//! required), hidden fields stamped on every submission, and the honeypot field's name. Every
//! change is validated (422 naming the field), audited, and drops the cached configuration.

use std::collections::BTreeMap;

use prospector_core::Invalid;
use prospector_core::inbound::Behaviour;
use prospector_store::inbound::{self as store, Form, FormField};
use serde::Deserialize;

use super::require_admin;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A form as an admin submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormInput {
    /// The path segment (`contact-us`); fixed once created.
    #[serde(default)]
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What filling it in means (a behaviour code).
    #[serde(default)]
    pub behaviour: String,
    /// Lead source recorded on people it creates.
    #[serde(default)]
    pub source: String,
    /// Fields asked for, in order.
    #[serde(default)]
    pub fields: Vec<FormField>,
    /// Values stamped on every submission.
    #[serde(default)]
    pub hidden_fields: BTreeMap<String, String>,
    /// The honeypot field's name (default `_honeypot`).
    #[serde(default)]
    pub honeypot_field: Option<String>,
}

fn field_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 60
}

/// Checks `input` and builds the form it describes (active, not archived).
pub fn validate(input: &FormInput) -> Result<Form, Invalid> {
    let slug = input.slug.trim();
    if slug.is_empty()
        || slug.len() > 60
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Invalid::new(
            "slug",
            "invalid_slug",
            "use 1 to 60 lower-case letters, digits and hyphens, like contact-us",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Invalid::new(
            "name",
            "required",
            "give the form a name of up to 100 characters",
        ));
    }
    let behaviour = Behaviour::parse("behaviour", input.behaviour.trim())?;
    if behaviour == Behaviour::Unsubscribe {
        return Err(Invalid::new(
            "behaviour",
            "not_a_form_behaviour",
            "an unsubscribe is not captured by a form",
        ));
    }
    let source = input.source.trim();
    if source.is_empty() || !field_name_ok(source) {
        return Err(Invalid::new(
            "source",
            "invalid_source",
            "the lead source is a code of lower-case letters, digits and underscores, like web_contact_us",
        ));
    }
    let mut fields: Vec<FormField> = Vec::new();
    for (i, f) in input.fields.iter().enumerate() {
        let fname = f.name.trim();
        if !field_name_ok(fname) {
            return Err(Invalid::new(
                format!("fields[{i}].name"),
                "invalid_field_name",
                "a field name is lower-case letters, digits and underscores, like company or job_title",
            ));
        }
        if fields.iter().any(|g| g.name == fname) {
            return Err(Invalid::new(
                format!("fields[{i}].name"),
                "duplicate",
                format!("the field {fname} is listed twice"),
            ));
        }
        let label = f.label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(Invalid::new(
                format!("fields[{i}].label"),
                "required",
                "give the field a label of up to 100 characters",
            ));
        }
        fields.push(FormField {
            name: fname.to_owned(),
            label: label.to_owned(),
            required: f.required,
        });
    }
    if !fields.iter().any(|f| f.name == "email" || f.name == "phone") {
        return Err(Invalid::new(
            "fields",
            "missing_contact",
            "a form must ask for an email address or a phone number, or every submission is refused",
        ));
    }
    let mut hidden = BTreeMap::new();
    for (k, v) in &input.hidden_fields {
        let k = k.trim();
        if !field_name_ok(k) {
            return Err(Invalid::new(
                format!("hidden_fields.{k}"),
                "invalid_field_name",
                "a hidden field name is lower-case letters, digits and underscores, like utm_campaign",
            ));
        }
        if fields.iter().any(|f| f.name == k) {
            return Err(Invalid::new(
                format!("hidden_fields.{k}"),
                "duplicate",
                format!("{k} is already a visible field"),
            ));
        }
        hidden.insert(k.to_owned(), v.trim().chars().take(500).collect());
    }
    let honeypot = input
        .honeypot_field
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(super::capture::HONEYPOT_FIELD);
    if !field_name_ok(honeypot) {
        return Err(Invalid::new(
            "honeypot_field",
            "invalid_field_name",
            "the honeypot field name is lower-case letters, digits and underscores",
        ));
    }
    if fields.iter().any(|f| f.name == honeypot) || hidden.contains_key(honeypot) {
        return Err(Invalid::new(
            "honeypot_field",
            "duplicate",
            "the honeypot must be a field nobody fills in, not one the form asks for",
        ));
    }
    Ok(Form {
        slug: slug.to_owned(),
        name: name.to_owned(),
        behaviour: behaviour.code().to_owned(),
        source: source.to_owned(),
        active: true,
        fields,
        hidden_fields: hidden,
        honeypot_field: honeypot.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FormInput {
        FormInput {
            slug: "demo-request".into(),
            name: "Demo request".into(),
            behaviour: "contact_us".into(),
            source: "web_demo".into(),
            fields: vec![FormField {
                name: "email".into(),
                label: "Work email".into(),
                required: true,
            }],
            hidden_fields: BTreeMap::from([("utm_campaign".into(), "spring".into())]),
            honeypot_field: None,
        }
    }

    #[test]
    fn a_good_form_gets_the_default_honeypot() {
        let form = validate(&input()).unwrap();
        assert_eq!(form.honeypot_field, "_honeypot");
        assert!(form.active);
    }

    #[test]
    fn refusals_name_the_field() {
        let mut bad = input();
        bad.fields.push(FormField {
            name: "email".into(),
            label: "Again".into(),
            required: false,
        });
        assert_eq!(validate(&bad).unwrap_err().field, "fields[1].name");
        let mut bad = input();
        bad.fields[0].name = "company".into();
        assert_eq!(validate(&bad).unwrap_err().field, "fields");
        let mut bad = input();
        bad.slug = "Contact Us".into();
        assert_eq!(validate(&bad).unwrap_err().field, "slug");
        let mut bad = input();
        bad.honeypot_field = Some("email".into());
        assert_eq!(validate(&bad).unwrap_err().field, "honeypot_field");
    }
}
