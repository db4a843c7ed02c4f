//! Email templates: checked when saved (syntax and every variable, so a typo is a 422 naming it),
//! previewed with a real record, and the shipped defaults seeded on first use.

use prospector_core::Invalid;
use prospector_core::template::defaults::default_templates;
use prospector_core::template::{EmailTemplate, RenderedEmail};
use prospector_store::WriteTx;
use prospector_store::records::PersonId;
use prospector_store::sequences::{self, TemplateRow};

use super::engine::template_context;
use crate::audit::{self, Change};
use crate::records::require_records;
use crate::{Actor, App, AppError, AppResult};

const MAX_ID_CHARS: usize = 100;

/// A template as typed.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    /// Name shown in lists.
    pub name: String,
    /// Subject source.
    pub subject: String,
    /// Body source.
    pub body: String,
}

/// Seeds the shipped templates (existing ones, possibly edited, are kept).
pub(crate) async fn seed_default_templates(
    tx: &mut WriteTx,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    for t in default_templates() {
        let row = TemplateRow {
            id: t.id.to_owned(),
            name: t.name.to_owned(),
            subject: t.subject.to_owned(),
            body: t.body.to_owned(),
            created_at: now,
            updated_at: now,
        };
        sequences::put_template(tx, &row, true).await?;
    }
    Ok(())
}

fn check_id(id: &str) -> Result<String, Invalid> {
    let id = id.trim();
    if id.is_empty()
        || id.len() > MAX_ID_CHARS
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Invalid::new(
            "id",
            "invalid_id",
            format!("a template id is 1 to {MAX_ID_CHARS} letters, digits, _ or -"),
        ));
    }
    Ok(id.to_owned())
}

impl App {
    /// All templates (the defaults seeded first).
    pub async fn list_templates(&self, actor: &Actor) -> AppResult<Vec<TemplateRow>> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        Ok(sequences::templates(&mut self.store().reader()).await?)
    }

    /// One template.
    pub async fn get_template(&self, actor: &Actor, id: &str) -> AppResult<TemplateRow> {
        require_records(actor)?;
        self.ensure_outbound_defaults().await?;
        sequences::template(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("template".into()))
    }

    /// Creates or replaces template `id`. The subject and body are checked now: an unknown
    /// variable is refused naming it (and the closest known one).
    pub async fn save_template(
        &self,
        actor: &Actor,
        id: &str,
        input: TemplateInput,
    ) -> AppResult<TemplateRow> {
        require_records(actor)?;
        let id = check_id(id)?;
        let name = prospector_core::error::required_text("name", &input.name, 120)?;
        EmailTemplate::parse(&input.subject, &input.body)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = sequences::template(&mut tx, &id).await?;
        let row = TemplateRow {
            id: id.clone(),
            name,
            subject: input.subject,
            body: input.body,
            created_at: before.as_ref().map_or(now, |b| b.created_at),
            updated_at: now,
        };
        sequences::put_template(&mut tx, &row, false).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "email_template.save",
                entity_type: "email_template",
                entity_id: Some(id),
                before: before.as_ref(),
                after: Some(&row),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Renders template `id` for a real person, as it would be sent by the actor.
    pub async fn preview_template(
        &self,
        actor: &Actor,
        id: &str,
        person: PersonId,
    ) -> AppResult<RenderedEmail> {
        let template = self.get_template(actor, id).await?;
        let mut reader = self.store().reader();
        let person = self.person_for(&mut reader, actor, None, person, false).await?;
        let sender = match actor.user_id() {
            Some(uid) => prospector_store::users::user_by_id(&mut reader, uid).await?,
            None => None,
        };
        let mailbox = match actor.user_id() {
            Some(uid) => prospector_store::mail::mailbox_by_user(&mut reader, uid).await?,
            None => None,
        };
        let parsed = EmailTemplate::parse(&template.subject, &template.body)?;
        let context = template_context(&person, sender.as_ref(), mailbox.as_ref(), None);
        Ok(parsed.render(&context)?)
    }
}
