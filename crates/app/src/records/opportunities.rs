//! Opportunities: create, read, list, update and stage moves.

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::Invalid;
use prospector_core::error::required_text;
use prospector_core::ids::UserId;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_core::records::{OpportunityStage, change_stage};
use prospector_core::role::Role;
use prospector_store::records::activities::Subject;
use prospector_store::records::opportunities::{self, Opportunity, OpportunityFilter};
use prospector_store::records::{AccountId, Direction, OpportunityId, PersonId};
use prospector_store::users;
use prospector_store::{Exec, WriteTx};

use super::people::TimelinePage;
use super::{
    page_size, refuse_invisible, require_records, scope_for, stale, stale_on_write, transition_error,
};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// DESIGN.md: an opportunity rejected as Unqualified "tells the SDR's team lead" — in the app and
/// by email through the outbox, like the hand-off rejection of inbound, inside `tx`.
async fn tell_team_lead_unqualified(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    opp: &Opportunity,
) -> AppResult<()> {
    let Some(sdr) = opp.sdr_id else {
        return Ok(());
    };
    let Some(lead) = crate::inbound::team_lead_of(tx, sdr).await? else {
        return Ok(());
    };
    let message = format!(
        "Opportunity unqualified: {} was moved to Unqualified: {}.",
        opp.name,
        opp.stage_reason.clone().unwrap_or_default()
    );
    crate::inbound::notify(
        tx,
        now,
        lead,
        "opportunity_unqualified",
        &message,
        (opp.person_id, Some(opp.id)),
    )
    .await
}

/// Opportunity fields; on update absent means unchanged.
#[derive(Debug, Clone, Default)]
pub struct OpportunityInput {
    /// Name (required on create).
    pub name: Option<String>,
    /// Account.
    pub account_id: Option<AccountId>,
    /// Main contact.
    pub person_id: Option<PersonId>,
    /// AE.
    pub ae_id: Option<UserId>,
    /// SDR credited (default: the actor when an SDR).
    pub sdr_id: Option<UserId>,
    /// Amount in cents.
    pub amount_cents: Option<i64>,
    /// ISO currency (default USD).
    pub currency: Option<String>,
    /// Expected close date.
    pub close_date: Option<NaiveDate>,
    /// Next step.
    pub next_step: Option<String>,
}

/// A page of opportunities.
#[derive(Debug, Clone)]
pub struct OpportunityPage {
    /// The opportunities.
    pub items: Vec<Opportunity>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
}

fn check_amount(v: Option<i64>) -> Result<Option<i64>, Invalid> {
    match v {
        Some(a) if a < 0 => Err(Invalid::new(
            "amount_cents",
            "out_of_range",
            "amount_cents cannot be negative",
        )),
        other => Ok(other),
    }
}

fn check_currency(raw: &str) -> Result<String, Invalid> {
    let c = raw.trim().to_ascii_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(Invalid::new(
            "currency",
            "invalid_currency",
            "currency is a three-letter ISO code such as USD",
        ))
    }
}

async fn check_user_role(ex: &mut impl Exec, field: &str, id: UserId, role: Role) -> AppResult<()> {
    users::user_by_id(ex, id)
        .await?
        .filter(|u| u.active && (u.role == role || u.role == Role::Admin || u.role == Role::TeamLead))
        .map(|_| ())
        .ok_or_else(|| {
            Invalid::new(
                field,
                "unknown_user",
                format!("{field} must be an active {}", role.label()),
            )
            .into()
        })
}

/// The cursor after `o`.
pub fn opportunity_cursor(o: &Opportunity) -> String {
    format!("{}~{}", o.updated_at.timestamp_micros(), o.id)
}

fn parse_cursor(raw: &str) -> Result<(DateTime<Utc>, OpportunityId), Invalid> {
    let bad = || Invalid::new("after", "invalid_cursor", "not a cursor from this list");
    let (t, id) = raw.split_once('~').ok_or_else(bad)?;
    let t = t
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok((t, id.parse().map_err(|_| bad())?))
}

impl App {
    pub(crate) async fn opportunity_for(
        &self,
        ex: &mut impl Exec,
        actor: &Actor,
        id: OpportunityId,
        for_edit: bool,
    ) -> AppResult<Opportunity> {
        let o = opportunities::get(ex, id)
            .await?
            .ok_or_else(|| AppError::NotFound("opportunity".into()))?;
        if !opportunities::visible(ex, scope_for(actor), id).await? {
            return Err(refuse_invisible("opportunity", for_edit));
        }
        Ok(o)
    }

    /// Creates an opportunity at stage 0 (pending acceptance).
    pub async fn create_opportunity(&self, actor: &Actor, input: OpportunityInput) -> AppResult<Opportunity> {
        require_records(actor)?;
        let now = self.now();
        let name = required_text("name", input.name.as_deref().unwrap_or(""), 200)?;
        let mut tx = self.store().begin().await?;
        if let Some(a) = input.account_id {
            self.account_for(&mut tx, actor, a, true).await?;
        }
        if let Some(p) = input.person_id {
            self.person_for(&mut tx, actor, None, p, true).await?;
        }
        if let Some(ae) = input.ae_id {
            check_user_role(&mut tx, "ae_id", ae, Role::Ae).await?;
        }
        let sdr_id = input
            .sdr_id
            .or_else(|| actor.as_user().filter(|u| u.role == Role::Sdr).map(|u| u.id));
        let o = Opportunity {
            id: OpportunityId::new_at(now),
            name,
            account_id: input.account_id,
            person_id: input.person_id,
            stage: OpportunityStage::PendingAcceptance,
            stage_reason: None,
            ae_id: input.ae_id,
            sdr_id,
            amount_cents: check_amount(input.amount_cents)?,
            currency: check_currency(input.currency.as_deref().unwrap_or("USD"))?,
            close_date: input.close_date,
            next_step: input
                .next_step
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        opportunities::insert(&mut tx, &o).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "opportunity.create",
                entity_type: "opportunity",
                entity_id: Some(o.id.to_string()),
                before: None,
                after: Some(&o),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(o)
    }

    /// One opportunity.
    pub async fn get_opportunity(&self, actor: &Actor, id: OpportunityId) -> AppResult<Opportunity> {
        self.opportunity_for(&mut self.store().reader(), actor, id, false)
            .await
    }

    /// A page of opportunities the actor may see, most recently changed first.
    pub async fn list_opportunities(
        &self,
        actor: &Actor,
        filter: &OpportunityFilter,
        after: Option<&str>,
        limit: i64,
    ) -> AppResult<OpportunityPage> {
        let limit = page_size(limit);
        let after = after.map(parse_cursor).transpose()?;
        let items = opportunities::list(
            &mut self.store().reader(),
            filter,
            scope_for(actor),
            Direction::Desc,
            after,
            limit,
        )
        .await?;
        let next_after = (items.len() as i64 == limit)
            .then(|| items.last().map(opportunity_cursor))
            .flatten();
        Ok(OpportunityPage { items, next_after })
    }

    /// Changes an opportunity's fields (not its stage).
    pub async fn update_opportunity(
        &self,
        actor: &Actor,
        id: OpportunityId,
        input: OpportunityInput,
        expected_version: Option<i64>,
    ) -> AppResult<Opportunity> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.opportunity_for(&mut tx, actor, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale("opportunity", before.version));
        }
        let mut after = before.clone();
        if let Some(n) = &input.name {
            after.name = required_text("name", n, 200)?;
        }
        if let Some(a) = input.account_id {
            self.account_for(&mut tx, actor, a, true).await?;
            after.account_id = Some(a);
        }
        if let Some(p) = input.person_id {
            self.person_for(&mut tx, actor, None, p, true).await?;
            after.person_id = Some(p);
        }
        if let Some(ae) = input.ae_id {
            check_user_role(&mut tx, "ae_id", ae, Role::Ae).await?;
            after.ae_id = Some(ae);
        }
        if let Some(sdr) = input.sdr_id {
            check_user_role(&mut tx, "sdr_id", sdr, Role::Sdr).await?;
            after.sdr_id = Some(sdr);
        }
        if input.amount_cents.is_some() {
            after.amount_cents = check_amount(input.amount_cents)?;
        }
        if let Some(c) = &input.currency {
            after.currency = check_currency(c)?;
        }
        if input.close_date.is_some() {
            after.close_date = input.close_date;
        }
        if let Some(n) = &input.next_step {
            after.next_step = Some(n.trim().to_owned()).filter(|s| !s.is_empty());
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        opportunities::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("opportunity"))?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "opportunity.update",
                entity_type: "opportunity",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves an opportunity to another stage (409 naming what is allowed; 422 for a missing or
    /// unknown reason), writing the stage-change activity and the audit entry.
    pub async fn change_opportunity_stage(
        &self,
        actor: &Actor,
        id: OpportunityId,
        stage: &str,
        reason: Option<&str>,
        expected_version: Option<i64>,
    ) -> AppResult<Opportunity> {
        let to = OpportunityStage::parse("stage", stage)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.opportunity_for(&mut tx, actor, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale("opportunity", before.version));
        }
        let change = change_stage(before.stage, to, reason, &default_opportunity_reasons())
            .map_err(transition_error)?;
        let mut after = before.clone();
        after.stage = change.to;
        after.stage_reason = change.reason.clone();
        after.updated_at = now;
        after.version = before.version + 1;
        opportunities::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("opportunity"))?;
        let detail = ActivityDetail::StatusChange {
            from: change.from.code().into(),
            to: change.to.code().into(),
            reason: change.reason.clone(),
        };
        self.append_activity(
            &mut tx,
            actor,
            Subject::Opportunity(id),
            before.account_id,
            detail,
            now,
        )
        .await?;
        if change.notify_team_lead {
            tell_team_lead_unqualified(&mut tx, now, &after).await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "opportunity.stage",
                entity_type: "opportunity",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An opportunity's timeline, newest first.
    pub async fn opportunity_timeline(
        &self,
        actor: &Actor,
        id: OpportunityId,
        before: Option<&str>,
        limit: i64,
    ) -> AppResult<TimelinePage> {
        self.opportunity_for(&mut self.store().reader(), actor, id, false)
            .await?;
        self.timeline_of(Subject::Opportunity(id), before, limit).await
    }
}
