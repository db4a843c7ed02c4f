//! The weekly digest: every Monday morning each team lead gets last week's numbers against the
//! team's targets and the hygiene list, through the outbox like every other email. The job
//! reschedules itself for the next Monday; a `digest_runs` row per week and team makes a retried
//! or duplicated job harmless.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use prospector_core::metrics::{DateRange, Grain};
use prospector_store::dashboards::hygiene;
use prospector_store::dashboards::ramp as ramp_store;
use prospector_store::users;

use super::{Scope, report::Dashboard};
use crate::mail::{self, Address, OutgoingEmail};
use crate::outbox::{Handler, HandlerFuture};
use crate::{App, AppResult};

/// The outbox kind of the weekly digest job.
pub const DIGEST: &str = "dashboards.weekly_digest";

/// The hour (UTC) on Monday the digest goes out.
const SEND_HOUR: u32 = 7;

/// When the digest of the week starting `week_start` goes out: the following Monday at 07:00 UTC.
pub fn send_time(week_start: NaiveDate) -> DateTime<Utc> {
    (week_start + Duration::days(7))
        .and_hms_opt(SEND_HOUR, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

/// The Monday starting the last full week before `now`'s week.
pub fn last_week(now: DateTime<Utc>) -> NaiveDate {
    Grain::Week.bucket(now.date_naive()) - Duration::days(7)
}

/// Runs the digest job.
#[derive(Debug)]
pub struct DigestHandler;

impl Handler for DigestHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a prospector_store::outbox::Claimed) -> HandlerFuture<'a> {
        Box::pin(async move {
            let week = item
                .payload
                .get("week_start")
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse::<NaiveDate>().ok())
                .ok_or_else(|| "payload has no week_start".to_owned())?;
            app.send_weekly_digests(week).await.map_err(|e| e.to_string())?;
            app.enqueue_digest(week + Duration::days(7))
                .await
                .map_err(|e| e.to_string())
        })
    }
}

impl App {
    /// Schedules the digest of the current week (sent next Monday); called at start-up. Harmless
    /// when already scheduled.
    pub async fn schedule_weekly_digest(&self) -> AppResult<()> {
        self.enqueue_digest(last_week(self.now()) + Duration::days(7))
            .await
    }

    async fn enqueue_digest(&self, week_start: NaiveDate) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        crate::outbox::enqueue(
            &mut tx,
            now,
            DIGEST,
            serde_json::json!({ "week_start": week_start.to_string() }),
            send_time(week_start),
            Some(format!("{DIGEST}:{week_start}")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Mails the digest of the week starting `week_start` to the lead of every team that has one
    /// and has not had it yet; returns how many went out.
    pub async fn send_weekly_digests(&self, week_start: NaiveDate) -> AppResult<usize> {
        let teams = users::list_teams(&mut self.store().reader()).await?;
        let range = DateRange::new(week_start, week_start + Duration::days(6))?;
        let mut sent = 0;
        for team in teams {
            let Some(lead_id) = team.lead_id else { continue };
            let Some(lead) = users::user_by_id(&mut self.store().reader(), lead_id).await? else {
                continue;
            };
            if !lead.active {
                continue;
            }
            let scope = Scope {
                range,
                grain: Grain::Day,
                team: Some(team.clone()),
                rep: None,
                source: None,
                segment: None,
            };
            let dashboard = self.dashboard_for_digest(&scope).await?;
            let reps: Vec<_> = dashboard.reps.iter().map(|r| r.rep_id).collect();
            let now = self.now();
            let items = hygiene::list(&mut self.store().reader(), Some(&reps), now, 20).await?;
            let text = digest_text(&team.name, &dashboard, &items);
            let mut tx = self.store().begin().await?;
            if !ramp_store::mark_digest_sent(&mut tx, week_start, team.id.0, now).await? {
                continue;
            }
            let email = OutgoingEmail {
                from_user_id: None,
                to: vec![Address {
                    email: lead.email.to_string(),
                    name: Some(lead.name.clone()),
                }],
                cc: Vec::new(),
                subject: format!("{}: week of {}", team.name, week_start.format("%-d %B %Y")),
                text,
                html: None,
                calendar: None,
                message_id: mail::new_message_id(now, "prospector.local"),
                in_reply_to: None,
                headers: Vec::new(),
                about: None,
            };
            mail::enqueue_email(&mut tx, now, &email, now).await?;
            tx.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }

    async fn dashboard_for_digest(&self, scope: &Scope) -> AppResult<Dashboard> {
        self.team_dashboard(&crate::Actor::system(), scope).await
    }
}

fn digest_text(team: &str, d: &Dashboard, items: &[hygiene::HygieneItem]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "{team}, week of {} to {}\n", d.from, d.to);
    let c = &d.totals;
    let _ = writeln!(t, "Activities: {}", c.activities);
    let _ = writeln!(
        t,
        "Calls: {}, connects: {} ({:.0}%)",
        c.counts.calls,
        c.counts.connects,
        c.connect_rate * 100.0
    );
    let _ = writeln!(
        t,
        "Emails sent: {}, replies: {} ({:.0}%)",
        c.counts.emails_sent,
        c.counts.replies,
        c.reply_rate * 100.0
    );
    let _ = writeln!(
        t,
        "Meetings: {}, SAOs: {}, SQOs: {}",
        c.counts.meetings, c.counts.saos, c.counts.sqos
    );
    let _ = writeln!(
        t,
        "Opportunities: {}, pipeline created: {:.2}\n",
        c.counts.opportunities,
        c.counts.pipeline_cents as f64 / 100.0
    );
    let _ = writeln!(t, "Against target (ramp month in brackets):");
    for r in &d.reps {
        let parts: Vec<String> = r
            .attainment
            .iter()
            .map(|a| format!("{} {}/{} ({:.0}%)", a.metric, a.actual, a.target, a.ratio * 100.0))
            .collect();
        let _ = writeln!(t, "- {} (month {}): {}", r.name, r.ramp_month, parts.join(", "));
    }
    let _ = writeln!(t, "\nNeeds attention:");
    if items.is_empty() {
        let _ = writeln!(
            t,
            "Nothing: no pending MQLs, stalled leads, overdue tasks or opportunities without a next step."
        );
    }
    for i in items {
        let _ = writeln!(
            t,
            "- {}: {} (since {}) {}",
            i.kind.label(),
            i.title,
            i.since.format("%Y-%m-%d"),
            i.href
        );
    }
    let _ = writeln!(
        t,
        "\nSequence results and failed sequence steps are not in this digest yet."
    );
    t
}
