//! Inbound configuration cached in memory: settings, forms, scoring and routing rules and the
//! business calendars are read on every capture yet change only when an admin saves them, so
//! reading them once saves four or five round trips per form.
//!
//! Every save through `App` invalidates the cache after it commits. A generation counter stops a
//! capture that read the old configuration before the save from putting it back afterwards. Other
//! `serve` processes (PostgreSQL scale-out) do not see this process's invalidations, so a cached
//! copy is also dropped after [`MAX_AGE`]: an edit reaches every server within seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prospector_core::ids::{TeamId, UserId};
use prospector_core::inbound::{RoutingRule, ScoringRules};
use prospector_core::schedule::{BusinessCalendar, WorkingHours};
use prospector_store::Exec;
use prospector_store::inbound::calendars::{self, CalendarOwner, CalendarRow};
use prospector_store::inbound::{self as store, Form, Settings};

use super::calendar_of;
use crate::{AppError, AppResult};

/// How long another process's edit can go unseen.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// The inbound configuration as read at one moment.
#[derive(Debug)]
pub struct InboundConfig {
    /// The team-wide settings row.
    pub settings: Settings,
    /// The team-wide calendar built from it.
    pub team_wide: BusinessCalendar,
    /// Forms by slug (archived ones included: they answer 404).
    pub forms: HashMap<String, Form>,
    /// The scoring rules in force.
    pub scoring: ScoringRules,
    /// The saved routing rules; `None` until an admin saves some (the default depends on reps).
    pub routing: Option<Vec<RoutingRule>>,
    /// Users' own calendars.
    pub users: HashMap<UserId, BusinessCalendar>,
    /// Teams' calendars.
    pub teams: HashMap<TeamId, BusinessCalendar>,
}

impl InboundConfig {
    /// Reads everything (five statements).
    pub async fn load(ex: &mut impl Exec) -> AppResult<InboundConfig> {
        let settings = store::settings(ex).await?;
        let team_wide = calendar_of(&settings)?;
        let forms = store::list_forms(ex)
            .await?
            .into_iter()
            .map(|f| (f.slug.clone(), f))
            .collect();
        let scoring = store::rule_set(ex, "scoring")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let routing = match store::rule_set(ex, "routing").await? {
            Some(v) => Some(
                serde_json::from_value(v)
                    .map_err(|e| AppError::Internal(format!("stored routing rules do not parse: {e}")))?,
            ),
            None => None,
        };
        let (mut users, mut teams) = (HashMap::new(), HashMap::new());
        for row in calendars::list(ex).await? {
            // A stored calendar was validated when saved; one that no longer builds (a time zone
            // dropped from the database) falls back rather than stopping every capture.
            let Ok(calendar) = calendar_from_row(&row) else {
                tracing::warn!(owner = %row.owner_id, "a stored business calendar does not build; using the team-wide one");
                continue;
            };
            match row.owner_kind {
                CalendarOwner::User => users.insert(UserId(row.owner_id), calendar),
                CalendarOwner::Team => teams.insert(TeamId(row.owner_id), calendar),
            };
        }
        Ok(InboundConfig {
            settings,
            team_wide,
            forms,
            scoring,
            routing,
            users,
            teams,
        })
    }
}

/// Builds a core calendar from a stored one (refusing what core refuses).
pub fn calendar_from_row(row: &CalendarRow) -> AppResult<BusinessCalendar> {
    let tz = BusinessCalendar::parse_time_zone("time_zone", &row.time_zone)?;
    let hour = |h: i64| u32::try_from(h).unwrap_or(u32::MAX);
    let day = Some(WorkingHours::hours(
        hour(row.work_start_hour),
        hour(row.work_end_hour),
    )?);
    let mut week = [None; 7];
    for d in &row.workdays {
        match d {
            1..=7 => week[(*d - 1) as usize] = day,
            _ => {
                return Err(prospector_core::Invalid::new(
                    "workdays",
                    "out_of_range",
                    format!("{d} is not a weekday: use 1 (Monday) to 7 (Sunday)"),
                )
                .into());
            }
        }
    }
    Ok(BusinessCalendar::new(
        tz,
        week,
        row.holidays.iter().copied().collect(),
    )?)
}

#[derive(Debug, Default)]
struct State {
    generation: u64,
    loaded: Option<(Arc<InboundConfig>, Instant)>,
}

/// The cache held by `App`.
#[derive(Debug, Default)]
pub struct ConfigCache {
    state: Mutex<State>,
}

impl ConfigCache {
    /// The cached configuration, or a fresh read through `ex` (kept unless an edit happened
    /// meanwhile).
    pub async fn get(&self, ex: &mut impl Exec) -> AppResult<Arc<InboundConfig>> {
        let generation = {
            let state = self.lock();
            if let Some((config, at)) = &state.loaded
                && at.elapsed() < MAX_AGE
            {
                return Ok(config.clone());
            }
            state.generation
        };
        let config = Arc::new(InboundConfig::load(ex).await?);
        let mut state = self.lock();
        if state.generation == generation {
            state.loaded = Some((config.clone(), Instant::now()));
        }
        Ok(config)
    }

    /// Drops the cached copy; call after committing an edit.
    pub fn invalidate(&self) {
        let mut state = self.lock();
        state.generation += 1;
        state.loaded = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state half-written (each field is
        // replaced whole), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl crate::App {
    /// The inbound configuration, cached (read through the reader pool when stale).
    pub(crate) async fn inbound_config(&self) -> AppResult<Arc<InboundConfig>> {
        self.inbound_config.get(&mut self.store().reader()).await
    }

    /// The inbound configuration, cached (read inside `ex`, a write transaction, when stale).
    pub(crate) async fn inbound_config_in(&self, ex: &mut impl Exec) -> AppResult<Arc<InboundConfig>> {
        self.inbound_config.get(ex).await
    }

    /// Drops the cached configuration after an edit committed.
    pub(crate) fn inbound_config_changed(&self) {
        self.inbound_config.invalidate();
    }
}
