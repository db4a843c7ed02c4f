//! Business calendars per user or per team (`inbound_calendars`): the working hours an SLA clock
//! runs on when its owner (or the owner's team) has their own.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::query::{Exec, Row, query};

/// Whose calendar it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarOwner {
    /// One user.
    User,
    /// Everyone in a team without their own.
    Team,
}

impl CalendarOwner {
    /// The owner kind named in a path (`users` or `teams`; the singular too).
    pub fn from_path(kind: &str) -> Option<CalendarOwner> {
        match kind {
            "users" | "user" => Some(CalendarOwner::User),
            "teams" | "team" => Some(CalendarOwner::Team),
            _ => None,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            CalendarOwner::User => "user",
            CalendarOwner::Team => "team",
        }
    }
}

/// A stored calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CalendarRow {
    /// User or team.
    pub owner_kind: CalendarOwner,
    /// The user's or team's id.
    pub owner_id: Uuid,
    /// IANA time zone.
    pub time_zone: String,
    /// Working hours start, hour of the day.
    pub work_start_hour: i64,
    /// Working hours end, hour of the day.
    pub work_end_hour: i64,
    /// ISO weekdays worked (1 = Monday … 7 = Sunday).
    pub workdays: Vec<u32>,
    /// Dates not worked.
    pub holidays: Vec<NaiveDate>,
}

fn calendar_of(r: &Row) -> StoreResult<CalendarRow> {
    let kind: String = r.get("owner_kind")?;
    let workdays: serde_json::Value = r.get("workdays")?;
    let holidays: serde_json::Value = r.get("holidays")?;
    Ok(CalendarRow {
        owner_kind: if kind == "team" {
            CalendarOwner::Team
        } else {
            CalendarOwner::User
        },
        owner_id: r.get("owner_id")?,
        time_zone: r.get("time_zone")?,
        work_start_hour: r.get("work_start_hour")?,
        work_end_hour: r.get("work_end_hour")?,
        workdays: serde_json::from_value(workdays).unwrap_or_default(),
        holidays: serde_json::from_value(holidays).unwrap_or_default(),
    })
}

/// Every stored calendar.
pub async fn list(ex: &mut impl Exec) -> StoreResult<Vec<CalendarRow>> {
    let rows = ex
        .fetch_all(query(
            "SELECT owner_kind, owner_id, time_zone, work_start_hour, work_end_hour, workdays, holidays \
             FROM inbound_calendars ORDER BY owner_kind, owner_id",
        ))
        .await?;
    rows.iter().map(calendar_of).collect()
}

/// Inserts or replaces a calendar.
pub async fn save(ex: &mut impl Exec, c: &CalendarRow, now: DateTime<Utc>) -> StoreResult<()> {
    ex.execute(
        query(
            "INSERT INTO inbound_calendars (owner_kind, owner_id, time_zone, work_start_hour, work_end_hour, \
             workdays, holidays, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (owner_kind, owner_id) DO UPDATE SET time_zone = excluded.time_zone, \
             work_start_hour = excluded.work_start_hour, work_end_hour = excluded.work_end_hour, \
             workdays = excluded.workdays, holidays = excluded.holidays, updated_at = excluded.updated_at",
        )
        .bind(c.owner_kind.code())
        .bind(c.owner_id)
        .bind(&c.time_zone)
        .bind(c.work_start_hour)
        .bind(c.work_end_hour)
        .bind(serde_json::to_value(&c.workdays).unwrap_or_else(|_| serde_json::json!([])))
        .bind(serde_json::to_value(&c.holidays).unwrap_or_else(|_| serde_json::json!([])))
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Removes a calendar (the owner falls back to their team's, then the team-wide one); returns
/// whether one was stored.
pub async fn remove(ex: &mut impl Exec, owner_kind: CalendarOwner, owner_id: Uuid) -> StoreResult<bool> {
    let n = ex
        .execute(
            query("DELETE FROM inbound_calendars WHERE owner_kind = $1 AND owner_id = $2")
                .bind(owner_kind.code())
                .bind(owner_id),
        )
        .await?;
    Ok(n > 0)
}
