//! Adding, listing and changing users and teams.

use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::error::required_text;
use prospector_core::ids::{TeamId, UserId};
use prospector_core::role::{Permission, Role};
use prospector_store::users::{self, Team, User, UserFilter};
use prospector_store::{StoreError, WriteTx};

use crate::audit::{self, Change};
use crate::secrets::hash_password;
use crate::{Actor, App, AppError, AppResult};

/// Shortest password accepted (NIST SP 800-63B's minimum for user-chosen secrets).
pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_NAME_CHARS: usize = 200;

/// Input for a new user, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewUserInput {
    /// Login and mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Team name; created when it does not exist yet.
    #[serde(default)]
    pub team: Option<String>,
    /// Initial password; without one the user cannot log in until an admin sets one.
    #[serde(default)]
    pub password: Option<String>,
    /// IANA time zone, default UTC.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserPatch {
    /// New display name.
    pub name: Option<String>,
    /// New role code.
    pub role: Option<String>,
    /// New team name (empty string removes the team).
    pub team: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// New time zone.
    pub time_zone: Option<String>,
}

fn check_password(password: &str) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Invalid::new(
            "password",
            "too_short",
            format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Invalid::too_long("password", MAX_PASSWORD_CHARS));
    }
    Ok(())
}

fn check_time_zone(raw: &str) -> Result<String, Invalid> {
    let tz = raw.trim();
    // Full IANA validation arrives with the calendar code in core; until then refuse the obvious junk.
    let plausible = tz == "UTC"
        || (tz.contains('/')
            && tz.len() <= 64
            && tz
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)));
    if plausible {
        Ok(tz.to_owned())
    } else {
        Err(Invalid::new(
            "time_zone",
            "invalid_time_zone",
            format!("'{tz}' is not an IANA time zone such as Europe/Berlin"),
        ))
    }
}

impl App {
    /// Adds a user (admins and the command line).
    pub async fn add_user(&self, actor: &Actor, input: NewUserInput) -> AppResult<User> {
        actor.require(Permission::ManageUsers)?;
        let email = Email::parse(&input.email)?;
        let name = required_text("name", &input.name, MAX_NAME_CHARS)?;
        let role = Role::parse("role", &input.role)?;
        let time_zone = check_time_zone(input.time_zone.as_deref().unwrap_or("UTC"))?;
        let password_hash = match input.password {
            Some(p) => {
                check_password(&p)?;
                Some(hash_password(p).await?)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let team_id = match input.team.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(team) => Some(self.ensure_team(&mut tx, actor, team).await?.id),
            None => None,
        };
        let user = User {
            id: UserId::new_at(now),
            email,
            name,
            role,
            team_id,
            active: true,
            time_zone,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        match users::insert_user(&mut tx, &user, password_hash.as_deref()).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::conflict(
                    "email_taken",
                    "email",
                    format!("a user with email {} already exists", user.email),
                ));
            }
            other => other?,
        }
        if role == Role::TeamLead
            && let Some(team_id) = team_id
            && let Some(team) = users::team_by_id(&mut tx, team_id).await?
            && team.lead_id.is_none()
        {
            users::set_team_lead(&mut tx, team_id, Some(user.id)).await?;
        }
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "user.create",
                entity_type: "user",
                entity_id: Some(user.id.to_string()),
                before: None,
                after: Some(&user),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The team called `name`, created (and audited) when missing.
    async fn ensure_team(&self, tx: &mut WriteTx, actor: &Actor, name: &str) -> AppResult<Team> {
        if let Some(team) = users::team_by_name(tx, name).await? {
            return Ok(team);
        }
        let now = self.now();
        let team = Team {
            id: TeamId::new_at(now),
            name: required_text("team", name, MAX_NAME_CHARS)?,
            lead_id: None,
            time_zone: "UTC".into(),
            created_at: now,
        };
        users::insert_team(tx, &team).await?;
        audit::record::<(), _>(
            tx,
            actor,
            now,
            Change {
                action: "team.create",
                entity_type: "team",
                entity_id: Some(team.id.to_string()),
                before: None,
                after: Some(&team),
            },
        )
        .await?;
        Ok(team)
    }

    /// One user; any signed-in user may look colleagues up.
    pub async fn get_user(&self, _actor: &Actor, id: UserId) -> AppResult<User> {
        users::user_by_id(&mut self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))
    }

    /// Users in id order after `after`.
    pub async fn list_users(
        &self,
        _actor: &Actor,
        filter: &UserFilter,
        after: Option<UserId>,
        limit: i64,
    ) -> AppResult<Vec<User>> {
        Ok(users::list_users(&mut self.store().reader(), filter, after, limit.clamp(1, 500)).await?)
    }

    /// Every team.
    pub async fn list_teams(&self, _actor: &Actor) -> AppResult<Vec<Team>> {
        Ok(users::list_teams(&mut self.store().reader()).await?)
    }

    /// Changes a user (admins). With `expected_version`, a stale edit is refused with 409.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        patch: UserPatch,
        expected_version: Option<i64>,
    ) -> AppResult<User> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = users::user_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        if let Some(expected) = expected_version
            && expected != before.version
        {
            return Err(AppError::Conflict {
                code: "stale_version",
                message: format!(
                    "the user was changed by someone else (version {} is current)",
                    before.version
                ),
                field: Some("version".into()),
            });
        }
        let mut after = before.clone();
        if let Some(name) = &patch.name {
            after.name = required_text("name", name, MAX_NAME_CHARS)?;
        }
        if let Some(role) = &patch.role {
            after.role = Role::parse("role", role)?;
        }
        if let Some(tz) = &patch.time_zone {
            after.time_zone = check_time_zone(tz)?;
        }
        if let Some(team) = &patch.team {
            after.team_id = match team.trim() {
                "" => None,
                name => Some(self.ensure_team(&mut tx, actor, name).await?.id),
            };
        }
        if let Some(active) = patch.active {
            if !active && actor.user_id() == Some(id) {
                return Err(Invalid::new(
                    "active",
                    "cannot_deactivate_self",
                    "you cannot deactivate yourself",
                )
                .into());
            }
            after.active = active;
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        users::update_user(&mut tx, &after).await.map_err(|e| match e {
            StoreError::Conflict { .. } => AppError::Conflict {
                code: "stale_version",
                message: "the user was changed by someone else; reload and try again".into(),
                field: Some("version".into()),
            },
            other => other.into(),
        })?;
        if !after.active {
            prospector_store::auth::delete_user_sessions(&mut tx, id).await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "user.update",
                entity_type: "user",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a password: one's own, or anyone's for admins and the command line.
    pub async fn set_password(&self, actor: &Actor, id: UserId, password: String) -> AppResult<()> {
        if actor.user_id() != Some(id) {
            actor.require(Permission::ManageUsers)?;
        }
        check_password(&password)?;
        let hash = hash_password(password).await?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        users::user_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        users::set_password_hash(&mut tx, id, &hash, now).await?;
        audit::record::<(), ()>(
            &mut tx,
            actor,
            now,
            Change {
                action: "user.set_password",
                entity_type: "user",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user with `email` (for the command line).
    pub async fn user_by_email(&self, email: &Email) -> AppResult<Option<User>> {
        Ok(users::user_by_email(&mut self.store().reader(), email).await?)
    }

    /// How many users exist.
    pub async fn count_users(&self) -> AppResult<i64> {
        Ok(users::count_users(&mut self.store().reader()).await?)
    }
}
