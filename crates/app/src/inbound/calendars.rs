//! Business calendars per user and per team: an SLA clock runs on its owner's calendar (their
//! own, else their team's, else the team-wide settings). Admins set anyone's; a user may set
//! their own. Every change is validated, audited and drops the cached configuration.

use chrono::NaiveDate;
use prospector_core::Invalid;
use prospector_core::ids::{TeamId, UserId};
use prospector_core::role::Role;
use prospector_store::inbound::calendars::{self, CalendarOwner, CalendarRow};
use prospector_store::users;
use serde::Deserialize;
use uuid::Uuid;

use super::config::calendar_from_row;
use super::require_inbound_viewer;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// A calendar as submitted.
#[derive(Debug, Clone, Deserialize)]
pub struct CalendarInput {
    /// IANA time zone.
    pub time_zone: String,
    /// Working hours start (hour of the day).
    pub work_start_hour: i64,
    /// Working hours end.
    pub work_end_hour: i64,
    /// ISO weekdays worked (1 = Monday); default Monday to Friday.
    #[serde(default = "weekdays")]
    pub workdays: Vec<u32>,
    /// Dates off.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

fn weekdays() -> Vec<u32> {
    vec![1, 2, 3, 4, 5]
}

fn may_edit(actor: &Actor, kind: CalendarOwner, id: Uuid) -> AppResult<()> {
    if actor.role() == Role::Admin || (kind == CalendarOwner::User && actor.user_id() == Some(UserId(id))) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an admin sets other people's and teams' business calendars".into(),
        ))
    }
}

impl App {
    /// Every stored per-user and per-team calendar.
    pub async fn inbound_calendars(&self, actor: &Actor) -> AppResult<Vec<CalendarRow>> {
        require_inbound_viewer(actor)?;
        Ok(calendars::list(&mut self.store().reader()).await?)
    }

    /// Sets the calendar of a user or a team (422 naming the bad field; 404 for an unknown owner).
    pub async fn save_inbound_calendar(
        &self,
        actor: &Actor,
        kind: CalendarOwner,
        owner: Uuid,
        input: CalendarInput,
    ) -> AppResult<CalendarRow> {
        may_edit(actor, kind, owner)?;
        let mut workdays = input.workdays.clone();
        workdays.sort_unstable();
        workdays.dedup();
        let mut holidays = input.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let row = CalendarRow {
            owner_kind: kind,
            owner_id: owner,
            time_zone: input.time_zone.trim().to_owned(),
            work_start_hour: input.work_start_hour,
            work_end_hour: input.work_end_hour,
            workdays,
            holidays,
        };
        if !(0..=23).contains(&row.work_start_hour) {
            return Err(Invalid::new("work_start_hour", "out_of_range", "an hour from 0 to 23").into());
        }
        if !(1..=24).contains(&row.work_end_hour) || row.work_end_hour <= row.work_start_hour {
            return Err(Invalid::new(
                "work_end_hour",
                "invalid_working_hours",
                "working hours end after they start, by hour 24 at the latest",
            )
            .into());
        }
        calendar_from_row(&row)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let exists = match kind {
            CalendarOwner::User => users::user_by_id(&mut tx, UserId(owner)).await?.is_some(),
            CalendarOwner::Team => users::team_by_id(&mut tx, TeamId(owner)).await?.is_some(),
        };
        if !exists {
            return Err(AppError::NotFound(kind.code().into()));
        }
        calendars::save(&mut tx, &row, now).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.calendar",
                entity_type: kind.code(),
                entity_id: Some(owner.to_string()),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(row)
    }

    /// Removes a user's or team's calendar: they fall back to the next one.
    pub async fn remove_inbound_calendar(
        &self,
        actor: &Actor,
        kind: CalendarOwner,
        owner: Uuid,
    ) -> AppResult<()> {
        may_edit(actor, kind, owner)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if !calendars::remove(&mut tx, kind, owner).await? {
            return Err(AppError::NotFound("calendar".into()));
        }
        audit::record::<(), ()>(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.calendar_removed",
                entity_type: kind.code(),
                entity_id: Some(owner.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(())
    }
}
