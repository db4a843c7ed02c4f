//! What an admin edits: scoring rules, routing rules (flagging pool members who are deactivated or
//! unknown), rep settings, the team calendar and rate limit; and the "route this lead" preview.

use chrono::NaiveDate;
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::inbound::{
    LeadFacts, Region, RoutingDecision, RoutingRule, ScoringRules, route, validate_rules,
};
use prospector_core::records::Country;
use prospector_store::inbound::{self as store, Form, RepRow, Settings, Submission};
use prospector_store::records::PersonId;
use serde::Serialize;

use super::capture::{lead_facts, reps_for_routing, routing_rules, scoring_rules};
use super::{calendar_of, require_admin, require_inbound_viewer};
use crate::audit::{self, Change};
use crate::{Actor, App, AppResult};

/// Routing rules as saved, with the problems found in them (pool members deactivated or unknown:
/// saved anyway, and skipped at routing time with the reason logged).
#[derive(Debug, Clone, Serialize)]
pub struct RoutingRules {
    /// The rules, in order.
    pub rules: Vec<RoutingRule>,
    /// Whether these are the built-in default (no rules saved yet).
    pub default: bool,
    /// Problems to show the admin.
    pub warnings: Vec<RuleWarning>,
}

/// A problem in saved routing rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleWarning {
    /// Where: `rules[0].pool[1]`.
    pub field: String,
    /// `deactivated_user`, `unknown_user`, …
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl From<Invalid> for RuleWarning {
    fn from(i: Invalid) -> Self {
        RuleWarning {
            field: i.field,
            code: i.code,
            message: i.message,
        }
    }
}

/// A rep's inbound settings.
#[derive(Debug, Clone, Default)]
pub struct RepInput {
    /// Ramp share, 0–100 (the handbook uses 0, 50 and 100).
    pub share_percent: i64,
    /// Open inbound leads they may hold, if limited.
    pub capacity: Option<i64>,
    /// Out of office.
    pub out_of_office: bool,
}

/// A lead to route in the preview: an existing person, or facts typed by the admin.
#[derive(Debug, Clone, Default)]
pub struct PreviewInput {
    /// An existing person.
    pub person_id: Option<PersonId>,
    /// Employees, for the segment.
    pub employees: Option<u32>,
    /// Country (code or name), for the region.
    pub country: Option<String>,
    /// An account owner to assume.
    pub account_owner: Option<UserId>,
}

impl App {
    /// The scoring rules in force.
    pub async fn scoring_rules(&self, actor: &Actor) -> AppResult<ScoringRules> {
        require_inbound_viewer(actor)?;
        scoring_rules(&mut self.store().reader()).await
    }

    /// Replaces the scoring rules (validated; 422 naming the bad rule).
    pub async fn save_scoring_rules(&self, actor: &Actor, rules: ScoringRules) -> AppResult<ScoringRules> {
        require_admin(actor)?;
        rules.validate()?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = scoring_rules(&mut tx).await?;
        let body = serde_json::to_value(&rules).map_err(|e| crate::AppError::Internal(e.to_string()))?;
        store::save_rule_set(&mut tx, "scoring", body, now).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.scoring_rules",
                entity_type: "inbound_rules",
                entity_id: Some("scoring".into()),
                before: Some(&before),
                after: Some(&rules),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(rules)
    }

    /// The routing rules in force, with warnings.
    pub async fn routing_rules(&self, actor: &Actor) -> AppResult<RoutingRules> {
        require_inbound_viewer(actor)?;
        let mut reader = self.store().reader();
        let rows = store::reps(&mut reader, false).await?;
        let default = store::rule_set(&mut reader, "routing").await?.is_none();
        let rules = routing_rules(&mut reader, &rows).await?;
        let warnings = validate_rules(&rules, &reps_for_routing(&rows))
            .into_iter()
            .map(RuleWarning::from)
            .collect();
        Ok(RoutingRules {
            rules,
            default,
            warnings,
        })
    }

    /// Replaces the routing rules. Blank or repeated codes and empty pools are refused (422);
    /// pool members who are deactivated or unknown are saved and flagged in `warnings`.
    pub async fn save_routing_rules(
        &self,
        actor: &Actor,
        rules: Vec<RoutingRule>,
    ) -> AppResult<RoutingRules> {
        require_admin(actor)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let rows = store::reps(&mut tx, false).await?;
        let problems = validate_rules(&rules, &reps_for_routing(&rows));
        let (flagged, refused): (Vec<Invalid>, Vec<Invalid>) = problems
            .into_iter()
            .partition(|p| matches!(p.code, "deactivated_user" | "unknown_user"));
        if let Some(first) = refused.into_iter().next() {
            return Err(first.into());
        }
        let before = routing_rules(&mut tx, &rows).await?;
        let body = serde_json::to_value(&rules).map_err(|e| crate::AppError::Internal(e.to_string()))?;
        store::save_rule_set(&mut tx, "routing", body, now).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.routing_rules",
                entity_type: "inbound_rules",
                entity_id: Some("routing".into()),
                before: Some(&before),
                after: Some(&rules),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        for warning in &flagged {
            tracing::warn!(field = %warning.field, "{}", warning.message);
        }
        Ok(RoutingRules {
            rules,
            default: false,
            warnings: flagged.into_iter().map(RuleWarning::from).collect(),
        })
    }

    /// Every user with their inbound settings.
    pub async fn inbound_reps(&self, actor: &Actor) -> AppResult<Vec<RepRow>> {
        require_inbound_viewer(actor)?;
        Ok(store::reps(&mut self.store().reader(), true).await?)
    }

    /// Sets a rep's ramp share, capacity and out-of-office flag.
    pub async fn save_inbound_rep(&self, actor: &Actor, user: UserId, input: RepInput) -> AppResult<RepRow> {
        require_admin(actor)?;
        if !(0..=100).contains(&input.share_percent) {
            return Err(Invalid::new(
                "share_percent",
                "out_of_range",
                "share_percent is between 0 and 100",
            )
            .into());
        }
        if input.capacity.is_some_and(|c| c < 0) {
            return Err(Invalid::new("capacity", "out_of_range", "capacity cannot be negative").into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        prospector_store::users::user_by_id(&mut tx, user)
            .await?
            .ok_or_else(|| crate::AppError::NotFound("user".into()))?;
        store::save_rep(
            &mut tx,
            user,
            input.share_percent,
            input.capacity,
            input.out_of_office,
        )
        .await?;
        let row = store::reps(&mut tx, true)
            .await?
            .into_iter()
            .find(|r| r.user_id == user)
            .ok_or_else(|| crate::AppError::NotFound("user".into()))?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.rep",
                entity_type: "user",
                entity_id: Some(user.to_string()),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The team calendar, rate limit and hand-off SLA.
    pub async fn inbound_settings(&self, actor: &Actor) -> AppResult<Settings> {
        require_inbound_viewer(actor)?;
        Ok(store::settings(&mut self.store().reader()).await?)
    }

    /// Replaces the inbound settings (the calendar must make sense: a known time zone, working
    /// hours that end after they start).
    pub async fn save_inbound_settings(&self, actor: &Actor, settings: Settings) -> AppResult<Settings> {
        require_admin(actor)?;
        calendar_of(&settings)?;
        if settings.forms_per_minute_per_ip < 1 {
            return Err(Invalid::new(
                "forms_per_minute_per_ip",
                "out_of_range",
                "allow at least one form a minute",
            )
            .into());
        }
        if !(1..=30).contains(&settings.handoff_sla_days) {
            return Err(Invalid::new(
                "handoff_sla_days",
                "out_of_range",
                "between 1 and 30 business days",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = store::settings(&mut tx).await?;
        store::save_settings(&mut tx, &settings).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "inbound.settings",
                entity_type: "inbound_settings",
                entity_id: None,
                before: Some(&before),
                after: Some(&settings),
            },
        )
        .await?;
        tx.commit().await?;
        self.inbound_config_changed();
        Ok(settings)
    }

    /// Who would get this lead now, and why, without assigning anyone or moving the round-robin.
    pub async fn preview_routing(&self, actor: &Actor, input: PreviewInput) -> AppResult<RoutingDecision> {
        require_inbound_viewer(actor)?;
        let mut reader = self.store().reader();
        let mut facts = match input.person_id {
            Some(p) => {
                let person = self.person_for(&mut reader, actor, None, p, false).await?;
                lead_facts(&mut reader, &person).await?
            }
            None => LeadFacts::default(),
        };
        if let Some(e) = input.employees {
            facts.employees = Some(e);
        }
        if let Some(c) = input.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let country = Country::parse("country", c)?;
            facts.region = Region::parse("country", country.region().code()).ok();
        }
        if input.account_owner.is_some() {
            facts.account_owner = input.account_owner;
        }
        let rows = store::reps(&mut reader, false).await?;
        let rules = routing_rules(&mut reader, &rows).await?;
        let state = store::rule_set(&mut reader, "round_robin")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        Ok(route(&facts, &rules, &reps_for_routing(&rows), state))
    }

    /// The capture forms.
    pub async fn inbound_forms(&self, actor: &Actor) -> AppResult<Vec<Form>> {
        require_inbound_viewer(actor)?;
        Ok(store::list_forms(&mut self.store().reader()).await?)
    }

    /// Submissions, newest first: `rejected` ones keep everything that was posted so an admin can
    /// recover the lead.
    pub async fn inbound_submissions(
        &self,
        actor: &Actor,
        outcome: Option<&str>,
        limit: i64,
    ) -> AppResult<Vec<Submission>> {
        require_admin(actor)?;
        if let Some(o) = outcome
            && !matches!(o, "accepted" | "rejected")
        {
            return Err(Invalid::unknown_value("outcome", o, &["accepted", "rejected"]).into());
        }
        Ok(store::list_submissions(&mut self.store().reader(), outcome, limit.clamp(1, 500)).await?)
    }
}

/// Parses holiday dates typed one per line or comma-separated.
pub fn parse_holidays(raw: &str) -> Result<Vec<NaiveDate>, Invalid> {
    raw.split([',', '\n', ' '])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    "holidays",
                    "invalid_date",
                    format!("'{d}' is not a date like 2026-12-25"),
                )
            })
        })
        .collect()
}
