//! Users and teams.

use chrono::{DateTime, Utc};
use prospector_core::email::Email;
use prospector_core::ids::{TeamId, UserId};
use prospector_core::role::Role;

use crate::error::{StoreError, StoreResult};
use crate::query::{Exec, Row, query};

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login and mail address, lower-cased.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// What they do on the team.
    pub role: Role,
    /// Their team, if any.
    pub team_id: Option<TeamId>,
    /// Deactivated users cannot log in and are skipped by routing.
    pub active: bool,
    /// IANA time zone name for showing times.
    pub time_zone: String,
    /// When the user was added.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version, bumped on every update.
    pub version: i64,
}

/// A team of users with a lead.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Team {
    /// Id.
    pub id: TeamId,
    /// Unique name (case-insensitive).
    pub name: String,
    /// The team lead, if set.
    pub lead_id: Option<UserId>,
    /// The team's time zone, for business hours.
    pub time_zone: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

const USER_COLUMNS: &str =
    "id, email, name, role, team_id, active, time_zone, created_at, updated_at, version";

fn decode_user(row: &Row) -> StoreResult<User> {
    let email: String = row.get("email")?;
    let role: String = row.get("role")?;
    Ok(User {
        id: row.get("id")?,
        email: Email::parse(&email).map_err(|e| StoreError::Decode {
            column: "email".into(),
            message: e.message,
        })?,
        name: row.get("name")?,
        role: Role::parse("role", &role).map_err(|e| StoreError::Decode {
            column: "role".into(),
            message: e.message,
        })?,
        team_id: row.get("team_id")?,
        active: row.get("active")?,
        time_zone: row.get("time_zone")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

fn decode_team(row: &Row) -> StoreResult<Team> {
    Ok(Team {
        id: row.get("id")?,
        name: row.get("name")?,
        lead_id: row.get("lead_id")?,
        time_zone: row.get("time_zone")?,
        created_at: row.get("created_at")?,
    })
}

/// Adds a user; a taken email is [`StoreError::Conflict`].
pub async fn insert_user(ex: &mut impl Exec, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO users (id, email, name, role, team_id, password_hash, active, time_zone, created_at, \
             updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(user.id)
        .bind(user.email.as_str())
        .bind(&user.name)
        .bind(user.role.code())
        .bind(user.team_id)
        .bind(password_hash)
        .bind(user.active)
        .bind(&user.time_zone)
        .bind(user.created_at)
        .bind(user.updated_at)
        .bind(user.version),
    )
    .await?;
    Ok(())
}

/// The user with `id`.
pub async fn user_by_id(ex: &mut impl Exec, id: UserId) -> StoreResult<Option<User>> {
    let row = ex
        .fetch_optional(query(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id))
        .await?;
    row.as_ref().map(decode_user).transpose()
}

/// The user with `email`, and their password hash (for login only).
pub async fn credentials_by_email(
    ex: &mut impl Exec,
    email: &Email,
) -> StoreResult<Option<(User, Option<String>)>> {
    let row = ex
        .fetch_optional(
            query(format!(
                "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
            ))
            .bind(email.as_str()),
        )
        .await?;
    row.map(|r| Ok((decode_user(&r)?, r.get("password_hash")?)))
        .transpose()
}

/// The user with `email`.
pub async fn user_by_email(ex: &mut impl Exec, email: &Email) -> StoreResult<Option<User>> {
    Ok(credentials_by_email(ex, email).await?.map(|(u, _)| u))
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this team.
    pub team_id: Option<TeamId>,
    /// Only active (true) or deactivated (false) users.
    pub active: Option<bool>,
}

/// Users in id order, after the keyset cursor `after`, at most `limit`.
pub async fn list_users(
    ex: &mut impl Exec,
    filter: &UserFilter,
    after: Option<UserId>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let mut sql = format!("SELECT {USER_COLUMNS} FROM users WHERE 1 = 1");
    let mut q = query("");
    if let Some(role) = filter.role {
        let n = q.push_bind(role.code());
        sql.push_str(&format!(" AND role = ${n}"));
    }
    if let Some(team) = filter.team_id {
        let n = q.push_bind(team);
        sql.push_str(&format!(" AND team_id = ${n}"));
    }
    if let Some(active) = filter.active {
        let n = q.push_bind(active);
        sql.push_str(&format!(" AND active = ${n}"));
    }
    if let Some(after) = after {
        let n = q.push_bind(after);
        sql.push_str(&format!(" AND id > ${n}"));
    }
    let n = q.push_bind(limit);
    sql.push_str(&format!(" ORDER BY id LIMIT ${n}"));
    let rows = ex.fetch_all(q.with_sql(sql)).await?;
    rows.iter().map(decode_user).collect()
}

/// Saves `user` if its stored version is `user.version - 1`; a stale write is a conflict.
pub async fn update_user(ex: &mut impl Exec, user: &User) -> StoreResult<()> {
    let changed = ex
        .execute(
            query(
                "UPDATE users SET name = $1, role = $2, team_id = $3, active = $4, time_zone = $5, updated_at = $6, \
                 version = $7 WHERE id = $8 AND version = $9",
            )
            .bind(&user.name)
            .bind(user.role.code())
            .bind(user.team_id)
            .bind(user.active)
            .bind(&user.time_zone)
            .bind(user.updated_at)
            .bind(user.version)
            .bind(user.id)
            .bind(user.version - 1),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            constraint: "users.version".into(),
        });
    }
    Ok(())
}

/// Replaces a user's password hash.
pub async fn set_password_hash(
    ex: &mut impl Exec,
    id: UserId,
    hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    ex.execute(
        query("UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(hash)
            .bind(at)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// How many users exist (the demo fills only an empty database).
pub async fn count_users(ex: &mut impl Exec) -> StoreResult<i64> {
    ex.fetch_one(query("SELECT COUNT(*) AS n FROM users"))
        .await?
        .get("n")
}

/// Adds a team; a taken name is [`StoreError::Conflict`].
pub async fn insert_team(ex: &mut impl Exec, team: &Team) -> StoreResult<()> {
    ex.execute(
        query("INSERT INTO teams (id, name, lead_id, time_zone, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(team.id)
            .bind(&team.name)
            .bind(team.lead_id)
            .bind(&team.time_zone)
            .bind(team.created_at),
    )
    .await?;
    Ok(())
}

/// Sets a team's lead.
pub async fn set_team_lead(ex: &mut impl Exec, team: TeamId, lead: Option<UserId>) -> StoreResult<()> {
    ex.execute(
        query("UPDATE teams SET lead_id = $1 WHERE id = $2")
            .bind(lead)
            .bind(team),
    )
    .await?;
    Ok(())
}

/// The team called `name` (case-insensitive).
pub async fn team_by_name(ex: &mut impl Exec, name: &str) -> StoreResult<Option<Team>> {
    let row = ex
        .fetch_optional(
            query("SELECT id, name, lead_id, time_zone, created_at FROM teams WHERE lower(name) = lower($1)")
                .bind(name),
        )
        .await?;
    row.as_ref().map(decode_team).transpose()
}

/// The team with `id`.
pub async fn team_by_id(ex: &mut impl Exec, id: TeamId) -> StoreResult<Option<Team>> {
    let row = ex
        .fetch_optional(
            query("SELECT id, name, lead_id, time_zone, created_at FROM teams WHERE id = $1").bind(id),
        )
        .await?;
    row.as_ref().map(decode_team).transpose()
}

/// Every team by name.
pub async fn list_teams(ex: &mut impl Exec) -> StoreResult<Vec<Team>> {
    let rows = ex
        .fetch_all(query(
            "SELECT id, name, lead_id, time_zone, created_at FROM teams ORDER BY lower(name)",
        ))
        .await?;
    rows.iter().map(decode_team).collect()
}
