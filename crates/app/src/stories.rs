//! Customer stories: anyone nominates one from an activity or an account; marketing moves it across
//! the board (Suggested → Accepted → Interviewed → Drafted → Customer-approved → Published, or
//! Dropped). Nothing is customer-approved or published without recorded consent. SDRs and other
//! nominators see only their own nominations.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_core::ids::{UserId, uuid_v7_at};
use prospector_core::role::Role;
use prospector_store::stories::{self as store, Story, StoryFilter};
use prospector_store::users::{self, UserFilter};
use prospector_store::{Exec, StoreError};
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::mail::{self, Address, OutgoingEmail};
use crate::{Actor, App, AppError, AppResult};

/// Story types: (code, label).
pub const STORY_TYPES: [(&str, &str); 5] = [
    ("why_chose_us", "Why they chose us"),
    ("how_they_use_it", "How they use it"),
    ("switched_from", "Switched from …"),
    ("innersourcing", "Innersourcing"),
    ("contributor", "Contributor"),
];

/// Board columns in order: (code, label). `dropped` is the way off the board.
pub const STAGES: [(&str, &str); 7] = [
    ("suggested", "Suggested"),
    ("accepted", "Accepted"),
    ("interviewed", "Interviewed"),
    ("drafted", "Drafted"),
    ("customer_approved", "Customer-approved"),
    ("published", "Published"),
    ("dropped", "Dropped"),
];

/// What a story may come from.
pub const SOURCE_TYPES: [&str; 2] = ["activity", "account"];

/// The largest consent file kept.
pub const MAX_CONSENT_BYTES: usize = 5 * 1024 * 1024;

/// The label of a story type or stage code.
pub fn label_of(code: &str) -> &str {
    STORY_TYPES
        .iter()
        .chain(STAGES.iter())
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A nomination, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewStory {
    /// A [`STORY_TYPES`] code.
    pub story_type: String,
    /// For `switched_from`: the tool they left.
    pub switched_from: Option<String>,
    /// `activity` or `account`.
    pub source_type: String,
    /// The activity's or account's id.
    pub source_id: String,
    /// The account, when known (defaults to the source for an account).
    pub account_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// What the customer said.
    pub quote: String,
    /// Why it is a story.
    pub summary: String,
}

/// A move on the board.
#[derive(Debug, Clone, Default)]
pub struct StoryMove {
    /// The target column.
    pub stage: String,
    /// Why, when dropping.
    pub reason: Option<String>,
    /// Where, when publishing.
    pub url: Option<String>,
}

/// Consent to publish, as recorded by marketing.
#[derive(Debug, Clone, Default)]
pub struct NewConsent {
    /// The customer person who approved.
    pub given_by: String,
    /// When they approved (default: now).
    pub given_at: Option<DateTime<Utc>>,
    /// The signed form's file name.
    pub file_name: String,
    /// Its media type.
    pub content_type: Option<String>,
    /// Its bytes (at most [`MAX_CONSENT_BYTES`]).
    pub bytes: Vec<u8>,
}

fn one_of(field: &str, raw: &str, allowed: &[&str]) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_lowercase();
    if allowed.contains(&code.as_str()) {
        Ok(code)
    } else {
        Err(Invalid::unknown_value(field, raw, allowed))
    }
}

fn optional_text(field: &str, raw: Option<String>, max: usize) -> Result<Option<String>, Invalid> {
    raw.filter(|t| !t.trim().is_empty())
        .map(|t| required_text(field, &t, max))
        .transpose()
}

/// Whether `role` works the board (sees every story and moves them).
fn works_board(role: Role) -> bool {
    matches!(role, Role::Marketing | Role::Admin)
}

/// Whether `role` sees every story (the board's workers and team leads).
fn sees_all(role: Role) -> bool {
    works_board(role) || role == Role::TeamLead
}

/// Checks a move on the board; the story's consent and the move's reason and URL decide.
pub fn check_move(story: &Story, to: &str, reason: Option<&str>, url: Option<&str>) -> Result<(), AppError> {
    let codes: Vec<&str> = STAGES.iter().map(|(c, _)| *c).collect();
    let to = one_of("stage", to, &codes)?;
    if story.stage == to {
        return Err(AppError::conflict(
            "same_stage",
            "stage",
            format!("the story is already {}", label_of(&to)),
        ));
    }
    if story.stage == "published" {
        return Err(AppError::conflict(
            "already_published",
            "stage",
            "a published story stays published",
        ));
    }
    let consented = story.consent_given_by.is_some() && story.consent_given_at.is_some();
    match to.as_str() {
        "customer_approved" | "published" if !consented => Err(Invalid::new(
            "consent",
            "consent_required",
            "record the customer's consent (who, when and the signed file) first",
        )
        .into()),
        "published" => {
            let url = url.map(str::trim).unwrap_or_default();
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(())
            } else {
                Err(Invalid::new("url", "url_required", "publishing needs the story's http(s) URL").into())
            }
        }
        "dropped" if reason.is_none_or(|r| r.trim().is_empty()) => {
            Err(Invalid::new("reason", "reason_required", "say why the story is dropped").into())
        }
        _ => Ok(()),
    }
}

impl App {
    fn require_board(&self, actor: &Actor) -> AppResult<()> {
        if works_board(actor.role()) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only marketing moves customer stories".into(),
            ))
        }
    }

    /// Nominates a customer story; marketing is emailed in the same transaction.
    pub async fn nominate_story(&self, actor: &Actor, input: NewStory) -> AppResult<Story> {
        let nominator = actor
            .as_user()
            .cloned()
            .ok_or_else(|| AppError::Forbidden("a story is nominated by a user".into()))?;
        let type_codes: Vec<&str> = STORY_TYPES.iter().map(|(c, _)| *c).collect();
        let story_type = one_of("story_type", &input.story_type, &type_codes)?;
        let switched_from = optional_text("switched_from", input.switched_from, 200)?;
        if story_type == "switched_from" && switched_from.is_none() {
            return Err(Invalid::new("switched_from", "required", "name the tool they switched from").into());
        }
        let source_type = one_of("source_type", &input.source_type, &SOURCE_TYPES)?;
        let source_id = required_text("source_id", &input.source_id, 100)?;
        // A source that is a real record fills in the account the story is about (so it shows on
        // that account's page); ids from elsewhere (an external account key) are kept as given.
        let resolved = self.story_source(actor, &source_type, &source_id).await.ok();
        let account_id = optional_text("account_id", input.account_id, 100)?
            .or_else(|| resolved.as_ref().and_then(|r| r.account_id.clone()))
            .or_else(|| (source_type == "account").then(|| source_id.clone()));
        let account_name = optional_text("account_name", input.account_name, 200)?
            .or_else(|| resolved.as_ref().and_then(|r| r.account_name.clone()));
        let now = self.now();
        let story = Story {
            id: uuid_v7_at(now),
            story_type,
            switched_from,
            source_type,
            source_id,
            account_id,
            account_name,
            quote: required_text("quote", &input.quote, 5000)?,
            summary: required_text("summary", &input.summary, 2000)?,
            stage: "suggested".into(),
            nominated_by: nominator.id,
            nominated_at: now,
            updated_at: now,
            consent_given_by: None,
            consent_given_at: None,
            consent_recorded_by: None,
            consent_file_name: None,
            consent_file_type: None,
            published_url: None,
            dropped_reason: None,
            version: 1,
        };
        let base = self.public_url().await?;
        let mut tx = self.store().begin().await?;
        store::insert(&mut tx, &story).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "story.nominate",
                entity_type: "customer_story",
                entity_id: Some(story.id.to_string()),
                before: None,
                after: Some(&story),
            },
        )
        .await?;
        let filter = UserFilter {
            role: Some(Role::Marketing),
            active: Some(true),
            ..UserFilter::default()
        };
        let marketing = users::list_users(&mut tx, &filter, None, 500).await?;
        if !marketing.is_empty() {
            let about = story
                .account_name
                .clone()
                .unwrap_or_else(|| story.source_id.clone());
            let email = OutgoingEmail {
                from_user_id: None,
                to: marketing
                    .iter()
                    .map(|u| Address {
                        email: u.email.to_string(),
                        name: Some(u.name.clone()),
                    })
                    .collect(),
                cc: Vec::new(),
                subject: format!("New customer story: {} ({about})", label_of(&story.story_type)),
                text: format!(
                    "{} nominated a customer story.\n\nType: {}\nAbout: {about}\n\n\"{}\"\n\n{}\n\nSee it on the board: {base}/stories#story-{}\n",
                    nominator.name,
                    label_of(&story.story_type),
                    story.quote,
                    story.summary,
                    story.id
                ),
                html: None,
                calendar: None,
                message_id: mail::new_message_id(now, "prospector.local"),
                in_reply_to: None,
                headers: Vec::new(),
                about: Some(("customer_story".into(), story.id.to_string())),
            };
            mail::enqueue_email(&mut tx, now, &email, now).await?;
        }
        tx.commit().await?;
        Ok(story)
    }

    async fn visible_story(&self, ex: &mut impl Exec, actor: &Actor, id: Uuid) -> AppResult<Story> {
        let story = store::by_id(ex, id)
            .await?
            .ok_or_else(|| AppError::NotFound("story".into()))?;
        if sees_all(actor.role()) || actor.user_id() == Some(story.nominated_by) {
            Ok(story)
        } else {
            Err(AppError::NotFound("story".into()))
        }
    }

    /// Stories the actor may see, newest first: everything for marketing, admins and team leads,
    /// one's own nominations for everyone else.
    pub async fn list_stories(
        &self,
        actor: &Actor,
        filter: &StoryFilter,
        before: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<Story>> {
        let mut filter = filter.clone();
        if !sees_all(actor.role()) {
            filter.nominated_by = Some(
                actor
                    .user_id()
                    .ok_or_else(|| AppError::Forbidden("stories are seen by users".into()))?,
            );
        }
        Ok(store::list(&mut self.store().reader(), &filter, before, limit.clamp(1, 1000)).await?)
    }

    /// The stories about an account (for the account page), as far as the actor may see them.
    pub async fn stories_for_account(&self, actor: &Actor, account_id: &str) -> AppResult<Vec<Story>> {
        let filter = StoryFilter {
            account_id: Some(account_id.to_owned()),
            ..StoryFilter::default()
        };
        self.list_stories(actor, &filter, None, 200).await
    }

    /// One story.
    pub async fn get_story(&self, actor: &Actor, id: Uuid) -> AppResult<Story> {
        self.visible_story(&mut self.store().reader(), actor, id).await
    }

    /// Who nominates most: (user, name, nominations), most first.
    pub async fn top_story_nominators(
        &self,
        _actor: &Actor,
        limit: i64,
    ) -> AppResult<Vec<(UserId, String, i64)>> {
        Ok(store::top_nominators(&mut self.store().reader(), limit.clamp(1, 100)).await?)
    }

    /// Moves a story on the board (marketing and admins).
    pub async fn move_story(&self, actor: &Actor, id: Uuid, input: StoryMove) -> AppResult<Story> {
        self.require_board(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut story = self.visible_story(&mut tx, actor, id).await?;
        check_move(
            &story,
            &input.stage,
            input.reason.as_deref(),
            input.url.as_deref(),
        )?;
        let before = story.clone();
        story.stage = input.stage.trim().to_ascii_lowercase();
        match story.stage.as_str() {
            "published" => story.published_url = input.url.map(|u| u.trim().to_owned()),
            "dropped" => story.dropped_reason = optional_text("reason", input.reason, 1000)?,
            _ => {}
        }
        story.updated_at = now;
        story.version += 1;
        self.save_story(&mut tx, actor, now, "story.move", &before, &story)
            .await?;
        tx.commit().await?;
        Ok(story)
    }

    /// Records the customer's consent with its signed file (marketing and admins).
    pub async fn record_story_consent(
        &self,
        actor: &Actor,
        id: Uuid,
        consent: NewConsent,
    ) -> AppResult<Story> {
        self.require_board(actor)?;
        let given_by = required_text("given_by", &consent.given_by, 200)?;
        let file_name = required_text("file_name", &consent.file_name, 200)?;
        if consent.bytes.is_empty() {
            return Err(Invalid::new("file", "required", "attach the signed consent file").into());
        }
        if consent.bytes.len() > MAX_CONSENT_BYTES {
            return Err(Invalid::new("file", "too_large", "the consent file may be at most 5 MB").into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let mut story = self.visible_story(&mut tx, actor, id).await?;
        let before = story.clone();
        story.consent_given_by = Some(given_by);
        story.consent_given_at = Some(consent.given_at.unwrap_or(now));
        story.consent_recorded_by = actor.user_id();
        story.consent_file_name = Some(file_name);
        story.consent_file_type = Some(
            consent
                .content_type
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "application/octet-stream".into()),
        );
        story.updated_at = now;
        story.version += 1;
        self.save_story(&mut tx, actor, now, "story.consent", &before, &story)
            .await?;
        store::set_consent_file(&mut tx, id, consent.bytes).await?;
        tx.commit().await?;
        Ok(story)
    }

    /// The consent file: (name, media type, bytes). Board workers and the nominator.
    pub async fn story_consent_file(&self, actor: &Actor, id: Uuid) -> AppResult<(String, String, Vec<u8>)> {
        let mut reader = self.store().reader();
        let story = self.visible_story(&mut reader, actor, id).await?;
        let bytes = store::consent_file(&mut reader, id)
            .await?
            .ok_or_else(|| AppError::NotFound("consent file".into()))?;
        Ok((
            story.consent_file_name.unwrap_or_else(|| "consent".into()),
            story
                .consent_file_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes,
        ))
    }

    async fn save_story(
        &self,
        tx: &mut prospector_store::WriteTx,
        actor: &Actor,
        now: DateTime<Utc>,
        action: &str,
        before: &Story,
        after: &Story,
    ) -> AppResult<()> {
        match store::update(tx, after).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::conflict(
                    "stale_version",
                    "version",
                    "the story changed meanwhile; reload and try again",
                ));
            }
            other => other?,
        }
        audit::record(
            tx,
            actor,
            now,
            Change {
                action,
                entity_type: "customer_story",
                entity_id: Some(after.id.to_string()),
                before: Some(before),
                after: Some(after),
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(stage: &str, consented: bool) -> Story {
        Story {
            id: Uuid::nil(),
            story_type: "why_chose_us".into(),
            switched_from: None,
            source_type: "account".into(),
            source_id: "a1".into(),
            account_id: None,
            account_name: None,
            quote: "q".into(),
            summary: "s".into(),
            stage: stage.into(),
            nominated_by: UserId(Uuid::nil()),
            nominated_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
            consent_given_by: consented.then(|| "Pat".into()),
            consent_given_at: consented.then_some(DateTime::<Utc>::MIN_UTC),
            consent_recorded_by: None,
            consent_file_name: None,
            consent_file_type: None,
            published_url: None,
            dropped_reason: None,
            version: 1,
        }
    }

    fn code(r: Result<(), AppError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(AppError::Invalid(i)) => i.code,
            Err(AppError::Conflict { code, .. }) => code,
            Err(_) => "other",
        }
    }

    #[test]
    fn publishing_needs_consent_and_a_url() {
        let url = Some("https://example.com/s");
        assert_eq!(
            code(check_move(&story("drafted", false), "published", None, url)),
            "consent_required"
        );
        assert_eq!(
            code(check_move(
                &story("drafted", false),
                "customer_approved",
                None,
                None
            )),
            "consent_required"
        );
        assert_eq!(
            code(check_move(
                &story("customer_approved", true),
                "published",
                None,
                None
            )),
            "url_required"
        );
        assert_eq!(
            code(check_move(
                &story("customer_approved", true),
                "published",
                None,
                url
            )),
            "ok"
        );
    }

    #[test]
    fn dropping_needs_a_reason_and_published_is_final() {
        assert_eq!(
            code(check_move(&story("accepted", false), "dropped", None, None)),
            "reason_required"
        );
        assert_eq!(
            code(check_move(
                &story("accepted", false),
                "dropped",
                Some("left"),
                None
            )),
            "ok"
        );
        assert_eq!(
            code(check_move(&story("published", true), "dropped", Some("x"), None)),
            "already_published"
        );
        assert_eq!(
            code(check_move(&story("accepted", false), "accepted", None, None)),
            "same_stage"
        );
        assert_eq!(
            code(check_move(&story("accepted", false), "nowhere", None, None)),
            "unknown_value"
        );
    }
}
