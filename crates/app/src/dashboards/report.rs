//! The dashboard: every metric of a scope, summed from the rollups.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use prospector_core::ids::UserId;
use prospector_core::metrics::{
    Attainment, Counts, ExitCategory, FUNNEL, Grain, RampTargets, StepCounts, percentile, ramp_month,
    step_counts,
};
use prospector_core::role::Role;
use prospector_core::schedule::SlaStatus;
use prospector_store::dashboards::{rollups, sequences as dash_sequences};
use prospector_store::inbound::{self as inbound_store, ClockFilter};
use prospector_store::users::{self, UserFilter};
use serde::Serialize;
use uuid::Uuid;

use super::Scope;
use crate::inbound::{calendar_of, sla::core_clock};
use crate::{Actor, App, AppResult};

/// Counters with their rates.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// The counters.
    #[serde(flatten)]
    pub counts: Counts,
    /// Calls, emails sent, LinkedIn messages and meetings.
    pub activities: i64,
    /// Connects over calls.
    pub connect_rate: f64,
    /// Replies over emails sent.
    pub reply_rate: f64,
}

impl From<Counts> for Totals {
    fn from(counts: Counts) -> Self {
        Totals {
            activities: counts.activities(),
            connect_rate: counts.connect_rate(),
            reply_rate: counts.reply_rate(),
            counts,
        }
    }
}

/// One bucket (day, week or month) of the series.
#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    /// Its first day.
    pub start: NaiveDate,
    /// Its numbers.
    pub totals: Totals,
}

/// One rep's numbers and attainment.
#[derive(Debug, Clone, Serialize)]
pub struct RepRow {
    /// The rep.
    pub rep_id: UserId,
    /// Their name.
    pub name: String,
    /// Their numbers.
    pub totals: Totals,
    /// Their ramp month at the end of the range.
    pub ramp_month: u32,
    /// Against the targets of that month.
    pub attainment: Vec<Attainment>,
}

/// One step of the funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelRow {
    /// Status code or `sao`.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// Entries in the period.
    pub count: i64,
    /// Over the previous step (none for the first).
    pub conversion: Option<f64>,
}

/// Exits by reason.
#[derive(Debug, Clone, Serialize)]
pub struct ExitRow {
    /// `disqualified`, `recycle` or `bad_data`.
    pub category: ExitCategory,
    /// The reason code (`unspecified` when none was given).
    pub reason: String,
    /// How many.
    pub count: i64,
}

/// Time spent in a status by those who left it in the period.
#[derive(Debug, Clone, Serialize)]
pub struct TimeInRow {
    /// Status code.
    pub status: String,
    /// How many left it.
    pub left: i64,
    /// Their average time in it, in hours.
    pub average_hours: f64,
}

/// Speed to lead over first-touch SLA clocks started in the period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpeedToLead {
    /// Clocks counted (met, missed or still breached).
    pub clocks: i64,
    /// Of which touched.
    pub touched: i64,
    /// Median business minutes to first touch.
    pub median_minutes: Option<i64>,
    /// 90th percentile.
    pub p90_minutes: Option<i64>,
    /// Breached (or touched late) over counted.
    pub breach_rate: f64,
    /// Breached count.
    pub breached: i64,
}

/// Accounts the scope's reps work.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Accounts with one of the reps as SDR.
    pub accounts: i64,
    /// Of which actively worked.
    pub actively_working: i64,
    /// Of which have any research (stack, headcount or strategy).
    pub researched: i64,
    /// People (on an account) enrolled in a sequence in the period.
    pub people_sequenced: i64,
    /// The accounts those people belong to.
    pub accounts_sequenced: i64,
    /// People sequenced per account sequenced.
    pub people_sequenced_per_account: f64,
}

/// Results of one step of one sequence in the period.
#[derive(Debug, Clone, Serialize)]
pub struct SequenceStepRow {
    /// The sequence.
    pub sequence_id: Uuid,
    /// Its name.
    pub sequence: String,
    /// The step, from 1.
    pub step: i64,
    /// Step kind code (automatic_email, manual_email, call, linkedin, task).
    pub kind: String,
    /// The numbers (see `core::metrics::step_counts`).
    #[serde(flatten)]
    pub counts: StepCounts,
}

/// Every metric of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Grouping.
    pub grain: Grain,
    /// Totals over the period.
    pub totals: Totals,
    /// Per bucket, every bucket of the range present (zeros included) so charts have no gaps.
    pub series: Vec<Bucket>,
    /// Per rep.
    pub reps: Vec<RepRow>,
    /// The funnel.
    pub funnel: Vec<FunnelRow>,
    /// Exits by reason.
    pub exits: Vec<ExitRow>,
    /// Time in each status.
    pub time_in: Vec<TimeInRow>,
    /// Speed to lead.
    pub speed: SpeedToLead,
    /// Account coverage.
    pub coverage: Coverage,
    /// Results per sequence step, by sequence name then step.
    pub sequence_steps: Vec<SequenceStepRow>,
}

impl App {
    /// The team dashboard for `scope` (team leads and admins).
    pub async fn team_dashboard(&self, actor: &Actor, scope: &Scope) -> AppResult<Dashboard> {
        super::require_team_view(actor)?;
        self.dashboard(scope).await
    }

    /// A rep's own dashboard (the rep themself, or anyone who sees the team).
    pub async fn rep_dashboard(&self, actor: &Actor, scope: &Scope) -> AppResult<Dashboard> {
        let Some(rep) = &scope.rep else {
            return Err(prospector_core::Invalid::required("rep").into());
        };
        super::require_rep_view(actor, rep.id)?;
        self.dashboard(scope).await
    }

    /// The reps a scope covers: the one rep, or the SDRs of the team (or of everyone).
    pub(crate) async fn scope_reps(&self, scope: &Scope) -> AppResult<Vec<users::User>> {
        if let Some(rep) = &scope.rep {
            return Ok(vec![rep.clone()]);
        }
        let filter = UserFilter {
            role: Some(Role::Sdr),
            team_id: scope.team.as_ref().map(|t| t.id),
            active: Some(true),
        };
        Ok(users::list_users(&mut self.store().reader(), &filter, None, 1000).await?)
    }

    async fn dashboard(&self, scope: &Scope) -> AppResult<Dashboard> {
        let filter = scope.filter();
        let mut reader = self.store().reader();
        let rows = rollups::counts_by_day_and_rep(&mut reader, &filter).await?;
        let status = rollups::status_totals(&mut reader, &filter).await?;

        let mut total = Counts::default();
        let mut by_bucket: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
        let mut by_rep: BTreeMap<Uuid, Counts> = BTreeMap::new();
        for r in &rows {
            total.add(&r.counts);
            by_bucket
                .entry(scope.grain.bucket(r.day))
                .or_default()
                .add(&r.counts);
            by_rep.entry(r.rep).or_default().add(&r.counts);
        }
        let mut series = Vec::new();
        let mut day = scope.grain.bucket(scope.range.from);
        while day <= scope.range.to {
            let counts = by_bucket.get(&day).copied().unwrap_or_default();
            series.push(Bucket {
                start: day,
                totals: counts.into(),
            });
            day = next_bucket(scope.grain, day);
        }

        let team_reps = self.scope_reps(scope).await?;
        let mut reps = Vec::new();
        for user in &team_reps {
            let counts = by_rep.remove(&user.id.0).unwrap_or_default();
            reps.push(
                self.rep_row(
                    user.id,
                    user.name.clone(),
                    user.created_at.date_naive(),
                    counts,
                    scope,
                )
                .await?,
            );
        }
        // Reps who did work in the scope but are no longer SDRs of the team still count.
        for (rep, counts) in by_rep {
            if rep.is_nil() {
                continue;
            }
            let id = UserId(rep);
            if let Some(u) = users::user_by_id(&mut reader, id).await? {
                reps.push(
                    self.rep_row(id, u.name, u.created_at.date_naive(), counts, scope)
                        .await?,
                );
            }
        }

        let value = |metric: &str| status.iter().find(|s| s.metric == metric).map_or(0, |s| s.value);
        let mut funnel: Vec<FunnelRow> = Vec::new();
        for step in FUNNEL {
            let count = if step.code == "sao" {
                total.saos
            } else {
                value(&format!("entered:{}", step.code))
            };
            let conversion = funnel.last().map(|prev| {
                if prev.count == 0 {
                    0.0
                } else {
                    count as f64 / prev.count as f64
                }
            });
            funnel.push(FunnelRow {
                code: step.code,
                label: step.label,
                count,
                conversion,
            });
        }
        let mut exits = Vec::new();
        let mut time_in = Vec::new();
        for s in &status {
            if let Some(rest) = s.metric.strip_prefix("exit:") {
                if let Some((cat, reason)) = rest.split_once(':')
                    && let Some(category) = ExitCategory::of(cat)
                    && s.value != 0
                {
                    exits.push(ExitRow {
                        category,
                        reason: reason.to_owned(),
                        count: s.value,
                    });
                }
            } else if let Some(st) = s.metric.strip_prefix("time_in:")
                && s.events > 0
            {
                time_in.push(TimeInRow {
                    status: st.to_owned(),
                    left: s.events,
                    average_hours: (s.value as f64 / s.events as f64 / 360.0).round() / 10.0,
                });
            }
        }
        exits.sort_by(|a, b| a.category.cmp(&b.category).then(b.count.cmp(&a.count)));
        let rep_ids: Vec<UserId> = team_reps.iter().map(|u| u.id).collect();
        let speed = self.speed_to_lead(scope, &rep_ids).await?;
        let coverage = self.coverage(&rep_ids, &filter).await?;
        let sequence_steps = self.sequence_steps(&filter).await?;
        Ok(Dashboard {
            from: scope.range.from,
            to: scope.range.to,
            grain: scope.grain,
            totals: total.into(),
            series,
            reps,
            funnel,
            exits,
            time_in,
            speed,
            coverage,
            sequence_steps,
        })
    }

    async fn rep_row(
        &self,
        rep: UserId,
        name: String,
        joined: NaiveDate,
        counts: Counts,
        scope: &Scope,
    ) -> AppResult<RepRow> {
        let ramp = prospector_store::dashboards::ramp::get(&mut self.store().reader(), rep).await?;
        let started = ramp.as_ref().map_or(joined, |r| r.started_on);
        let targets = ramp.and_then(|r| r.targets).unwrap_or_default();
        let month = ramp_month(started, scope.range.to);
        let attainment =
            RampTargets::for_month(&targets, month).attainment(&counts, scope.range.from, scope.range.to);
        Ok(RepRow {
            rep_id: rep,
            name,
            totals: counts.into(),
            ramp_month: month,
            attainment,
        })
    }

    async fn speed_to_lead(&self, scope: &Scope, reps: &[UserId]) -> AppResult<SpeedToLead> {
        let mut reader = self.store().reader();
        let settings = inbound_store::settings(&mut reader).await?;
        let calendar = calendar_of(&settings)?;
        let since = scope
            .range
            .from
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let until = (scope.range.to + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let now = self.now();
        let clocks = inbound_store::clocks(&mut reader, ClockFilter::StartedSince(since), 100_000).await?;
        let mut minutes = Vec::new();
        let mut out = SpeedToLead::default();
        for c in clocks
            .iter()
            .filter(|c| c.started_at < until && c.opportunity_id.is_none())
        {
            if c.stopped_at.is_some() && c.first_touch_at.is_none() {
                continue; // called off (an unsubscribe): neither met nor breached
            }
            if (scope.rep.is_some() || scope.team.is_some()) && !c.owner_id.is_some_and(|o| reps.contains(&o))
            {
                continue;
            }
            if scope.source.is_some() && c.source != scope.source {
                continue;
            }
            out.clocks += 1;
            match core_clock(c).status(&calendar, now, c.first_touch_at) {
                SlaStatus::Met { business_minutes } => minutes.push(business_minutes),
                SlaStatus::Missed { business_minutes, .. } => {
                    minutes.push(business_minutes);
                    out.breached += 1;
                }
                SlaStatus::Breached { .. } => out.breached += 1,
                _ => {}
            }
        }
        out.touched = minutes.len() as i64;
        out.median_minutes = percentile(&mut minutes, 50);
        out.p90_minutes = percentile(&mut minutes, 90);
        out.breach_rate = prospector_core::metrics::ratio(out.breached, out.clocks);
        Ok(out)
    }

    async fn coverage(&self, reps: &[UserId], filter: &rollups::Filter) -> AppResult<Coverage> {
        let mut reader = self.store().reader();
        let (accounts, actively_working, researched) =
            prospector_store::dashboards::hygiene::coverage(&mut reader, reps).await?;
        let (people_sequenced, accounts_sequenced) =
            dash_sequences::people_sequenced(&mut reader, filter).await?;
        Ok(Coverage {
            accounts,
            actively_working,
            researched,
            people_sequenced,
            accounts_sequenced,
            people_sequenced_per_account: prospector_core::metrics::ratio(
                people_sequenced,
                accounts_sequenced,
            ),
        })
    }

    async fn sequence_steps(&self, filter: &rollups::Filter) -> AppResult<Vec<SequenceStepRow>> {
        let groups = dash_sequences::step_groups(&mut self.store().reader(), filter).await?;
        let mut out: Vec<SequenceStepRow> = Vec::new();
        for g in groups {
            let counts = step_counts(&g.status, g.outcome.as_deref(), g.is_connect, g.n);
            match out.last_mut() {
                Some(row) if row.sequence_id == g.sequence_id && row.step == g.step_index + 1 => {
                    row.counts.add(&counts);
                }
                _ => out.push(SequenceStepRow {
                    sequence_id: g.sequence_id,
                    sequence: g.sequence,
                    step: g.step_index + 1,
                    kind: g.kind,
                    counts,
                }),
            }
        }
        Ok(out)
    }
}

fn next_bucket(grain: Grain, start: NaiveDate) -> NaiveDate {
    match grain {
        Grain::Day => start + Duration::days(1),
        Grain::Week => start + Duration::days(7),
        Grain::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start + Duration::days(31)),
    }
}
