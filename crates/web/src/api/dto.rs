//! The JSON shapes of the API. Kept apart from domain types so the API stays stable while the
//! domain evolves, and so `core` carries no transport derives.

use chrono::{DateTime, Utc};
use prospector_store::audit::AuditEntry;
use prospector_store::auth::ApiToken;
use prospector_store::users::{Team, User};
use serde::Serialize;
use utoipa::ToSchema;

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Opaque id.
    pub id: String,
    /// Login and mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role code: admin, team_lead, sdr, ae, marketing, recruiter, interviewer.
    pub role: String,
    /// Team id.
    pub team_id: Option<String>,
    /// Deactivated users cannot log in.
    pub active: bool,
    /// IANA time zone.
    pub time_zone: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for optimistic concurrency (send as `If-Match` or `version`).
    pub version: i64,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.to_string(),
            name: u.name.clone(),
            role: u.role.code().to_owned(),
            team_id: u.team_id.map(|t| t.to_string()),
            active: u.active,
            time_zone: u.time_zone.clone(),
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users.
    pub items: Vec<UserDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The team lead's user id.
    pub lead_id: Option<String>,
    /// Time zone for business hours.
    pub time_zone: String,
}

impl From<&Team> for TeamDto {
    fn from(t: &Team) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            lead_id: t.lead_id.map(|l| l.to_string()),
            time_zone: t.time_zone.clone(),
        }
    }
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// Opaque id.
    pub id: String,
    /// Owner's user id.
    pub user_id: String,
    /// What it is for.
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&ApiToken> for TokenDto {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            user_id: t.user_id.to_string(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token just created, with its secret — shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenDto {
    /// The token.
    pub token: TokenDto,
    /// Send as `Authorization: Bearer <secret>`. It cannot be shown again.
    pub secret: String,
}

/// A list of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// Newest first.
    pub items: Vec<TokenDto>,
}

/// A list of teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamList {
    /// By name.
    pub items: Vec<TeamDto>,
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    /// Opaque id.
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The acting user's id.
    pub actor_id: Option<String>,
    /// The actor as shown (email, `cli`, `system`).
    pub actor: String,
    /// `session`, `token`, `cli` or `system`.
    pub via: String,
    /// e.g. `user.create`.
    pub action: String,
    /// e.g. `user`.
    pub entity_type: String,
    /// The record's id.
    pub entity_id: Option<String>,
    /// The record before.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The HTTP request id.
    pub request_id: Option<String>,
    /// Client address.
    pub ip: Option<String>,
}

impl From<&AuditEntry> for AuditDto {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id.to_string(),
            at: e.at,
            actor_id: e.actor_id.map(|a| a.to_string()),
            actor: e.actor_label.clone(),
            via: e.via.clone(),
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            request_id: e.request_id.clone(),
            ip: e.ip.clone(),
        }
    }
}

/// A page of audit entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Newest first.
    pub items: Vec<AuditDto>,
    /// Pass as `before` for older entries; absent on the last page.
    pub next_before: Option<String>,
}
