//! Records use cases: people (leads and contacts), accounts, opportunities, activities, tasks,
//! merges, search and the editable lists. Pages and the API call the same methods.
//!
//! Record-level permissions, decided here and nowhere else:
//!
//! | role | sees and edits |
//! |---|---|
//! | admin (and the command line, the system) | everything |
//! | team lead | records owned by anyone in their team, their own, and the unowned pool |
//! | SDR | their own records and the unowned pool |
//! | AE | opportunities where they are the AE (or SDR), the people and accounts on them, and records they own |
//! | marketing, recruiter, interviewer | no records |
//!
//! A record the actor may not see is answered as not found when read (its existence is not
//! leaked) and as forbidden when they try to change it. Lists, counts and search apply the same
//! rule through [`Scope`], so a record is listed exactly when it can be opened.

pub mod accounts;
pub mod activities;
pub mod bulk;
pub mod catalogues;
pub mod merges;
pub mod opportunities;
pub mod org_chart;
pub mod people;
pub mod search;
pub mod task_board;
pub mod tasks;
pub mod views;

use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::records::TransitionError;
use prospector_core::role::Role;
use prospector_store::records::Scope;
use prospector_store::users;
use prospector_store::{Exec, StoreError};

use crate::{Actor, AppError, AppResult};

/// Counts stop here and report "at least": counting a huge filter then costs no more than this.
pub const COUNT_CAP: i64 = 10_000;
/// The largest page a list returns.
pub const MAX_PAGE: i64 = 500;

/// What the actor may see, as the store applies it.
pub fn scope_for(actor: &Actor) -> Scope {
    let Some(user) = actor.as_user() else {
        return Scope::All;
    };
    match user.role {
        Role::Admin => Scope::All,
        Role::TeamLead => Scope::TeamAndPool(user.id, user.team_id),
        Role::Sdr => Scope::OwnAndPool(user.id),
        Role::Ae => Scope::Opportunities(user.id),
        Role::Marketing | Role::Recruiter | Role::Interviewer => Scope::Nothing,
    }
}

/// Refuses roles that do not work records at all.
pub(crate) fn require_records(actor: &Actor) -> AppResult<()> {
    if scope_for(actor) == Scope::Nothing {
        return Err(AppError::Forbidden(format!(
            "your role ({}) does not work with records",
            actor.role().label()
        )));
    }
    Ok(())
}

/// Whether the record the actor asked for is visible: not visible is 404 for reads, 403 for
/// changes (the record exists — the caller checked — but is someone else's).
pub(crate) fn refuse_invisible(what: &str, for_edit: bool) -> AppError {
    if for_edit {
        AppError::Forbidden(format!(
            "this {what} belongs to another rep; you may not change it"
        ))
    } else {
        AppError::NotFound(what.to_owned())
    }
}

/// Checks who a record may be assigned to: admins assign anyone; team leads their team (and
/// themselves); everyone else only themselves. The owner must be an active user.
pub(crate) async fn check_owner(ex: &mut impl Exec, actor: &Actor, owner: Option<UserId>) -> AppResult<()> {
    let Some(owner) = owner else { return Ok(()) };
    let user = users::user_by_id(ex, owner)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| Invalid::new("owner_id", "unknown_user", "owner_id is not an active user"))?;
    let allowed = match scope_for(actor) {
        Scope::All => true,
        Scope::TeamAndPool(me, team) => owner == me || (team.is_some() && user.team_id == team),
        Scope::OwnAndPool(me) | Scope::Opportunities(me) => owner == me,
        Scope::Nothing => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "you may assign records only to yourself (team leads: to their team)".into(),
        ))
    }
}

/// A stale `If-Match` / `version`.
pub(crate) fn stale(what: &str, current: i64) -> AppError {
    AppError::Conflict {
        code: "stale_version",
        message: format!(
            "the {what} was changed by someone else (version {current} is current); reload and try again"
        ),
        field: Some("version".into()),
    }
}

/// Maps a stale write detected by the store.
pub(crate) fn stale_on_write(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict { constraint } if constraint.ends_with(".version") => AppError::Conflict {
            code: "stale_version",
            message: format!("the {what} was changed by someone else; reload and try again"),
            field: Some("version".into()),
        },
        other => other.into(),
    }
}

/// Maps a bad keyset cursor from the store to a 422 on `after`.
pub(crate) fn cursor_error(e: StoreError) -> AppError {
    match e {
        StoreError::Decode { column, message } if column == "after" => {
            Invalid::new("after", "invalid_cursor", message).into()
        }
        other => other.into(),
    }
}

/// A lifecycle or stage refusal: illegal moves are 409 naming what is allowed; bad input 422.
pub(crate) fn transition_error<S: std::fmt::Display>(e: TransitionError<S>) -> AppError {
    match e {
        TransitionError::Illegal { .. } => AppError::Conflict {
            code: "illegal_transition",
            message: e.to_string(),
            field: Some("status".into()),
        },
        TransitionError::Invalid(invalid) => AppError::Invalid(invalid),
    }
}

/// Clamps a requested page size.
pub(crate) fn page_size(limit: i64) -> i64 {
    limit.clamp(1, MAX_PAGE)
}
