//! Interviews: scheduled with one or more interviewers and an ICS invitation to each side; blind
//! scorecards due within business days, with reminders until submitted.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::hiring::{Scorecard, ScorecardInput, attributes_for, may_see_other_scorecards};
use prospector_core::ids::UserId;
use prospector_core::schedule::business_calendar::BusinessCalendar;
use prospector_store::hiring::interviews::{self as store_iv, Interview, ScorecardRow};
use prospector_store::outbox::Claimed;
use prospector_store::users;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ApplicationAccess, SCORECARD_REMINDER, mailer, require_job};
use crate::audit::{self, Change};
use crate::outbox::{Handler, HandlerFuture};
use crate::{Actor, App, AppError, AppResult};

/// Business days after an interview by which scorecards are due.
pub const SCORECARD_DUE_BUSINESS_DAYS: i64 = 2;
/// Reminders sent per late scorecard (one per business day).
pub const MAX_REMINDERS: i64 = 3;

/// An interview to schedule.
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleInput {
    /// Starts (RFC 3339).
    pub starts_at: DateTime<Utc>,
    /// Ends.
    pub ends_at: DateTime<Utc>,
    /// Interviewers' user ids.
    pub interviewer_ids: Vec<UserId>,
    /// Room or video link.
    #[serde(default)]
    pub location: Option<String>,
    /// The stage it belongs to (default: the application's current stage).
    #[serde(default)]
    pub stage: Option<String>,
}

/// A scorecard as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScorecardSubmission {
    /// `strong_yes`, `yes`, `no` or `strong_no`.
    pub overall: String,
    /// Attribute → rating code.
    #[serde(default)]
    pub ratings: std::collections::BTreeMap<String, String>,
    /// Pros.
    #[serde(default)]
    pub pros: String,
    /// Cons.
    #[serde(default)]
    pub cons: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// The scorecards of an application the actor may read, and how many are hidden from them.
#[derive(Debug, Clone, Serialize)]
pub struct VisibleScorecards {
    /// Readable scorecards.
    pub items: Vec<ScorecardRow>,
    /// Scorecards of colleagues withheld until the actor submits theirs.
    pub hidden: usize,
}

/// An interview's start and end in `zone` (`Mon 2 Mar 2026, 15:00 CET (Europe/Berlin) – 16:00 CET`).
pub fn when_for(interview: &Interview, zone: &str) -> String {
    format!(
        "{} – {}",
        prospector_core::hiring::format_in_zone(interview.starts_at, zone),
        prospector_core::hiring::clock_in_zone(interview.ends_at, zone)
    )
}

/// `, 14:00 UTC` beside a time written in another zone, so nobody has to convert; empty for UTC.
fn utc_aside(interview: &Interview, zone: &str) -> String {
    if zone == "UTC" {
        String::new()
    } else {
        format!(", {} UTC", interview.starts_at.format("%H:%M"))
    }
}

/// `days` business days after `at`, counting Monday–Friday office hours in UTC (per-team
/// calendars can come later).
fn business_days_after(at: DateTime<Utc>, days: i64) -> AppResult<DateTime<Utc>> {
    let tz = BusinessCalendar::parse_time_zone("time_zone", "UTC")?;
    let cal = BusinessCalendar::office_hours(tz);
    Ok(cal.add_business_minutes(at, days * cal.business_day_minutes()))
}

impl App {
    /// The attributes scorecards rate for a job: its qualifications, or the defaults.
    pub fn scorecard_attributes(job: &prospector_store::hiring::jobs::Job) -> Vec<String> {
        let page = prospector_core::hiring::JobPage::parse(&job.source).ok();
        let quals: Vec<String> = page
            .map(|p| p.qualifications().into_iter().map(|q| q.text).collect())
            .unwrap_or_default();
        attributes_for(&quals)
    }

    /// Schedules an interview and mails the invitation to the candidate and every interviewer.
    pub async fn schedule_interview(
        &self,
        actor: &Actor,
        application_id: Uuid,
        input: ScheduleInput,
    ) -> AppResult<Interview> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        require_job(actor, &job)?;
        if a.status != prospector_core::hiring::ApplicationStatus::Active {
            return Err(AppError::conflict(
                "application_closed",
                "application",
                "the application is closed",
            ));
        }
        if input.interviewer_ids.is_empty() {
            return Err(Invalid::required("interviewer_ids").into());
        }
        let stage = input.stage.clone().unwrap_or_else(|| a.stage.clone());
        if !job.stages.iter().any(|s| s.code == stage) {
            let codes: Vec<&str> = job.stages.iter().map(|s| s.code.as_str()).collect();
            return Err(Invalid::unknown_value("stage", &stage, &codes).into());
        }
        let mut reader = self.store().reader();
        let mut interviewers = Vec::new();
        for id in &input.interviewer_ids {
            let u = users::user_by_id(&mut reader, *id)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| {
                    Invalid::new(
                        "interviewer_ids",
                        "unknown_user",
                        format!("no active user with id {id}"),
                    )
                })?;
            if !interviewers.iter().any(|x: &users::User| x.id == u.id) {
                interviewers.push(u);
            }
        }
        let candidate = prospector_store::hiring::applications::candidate_by_id(&mut reader, a.candidate_id)
            .await?
            .ok_or_else(|| AppError::NotFound("candidate".into()))?;
        let candidate_email = candidate.email.clone().ok_or_else(|| {
            AppError::conflict(
                "candidate_anonymised",
                "application",
                "the candidate's data was erased",
            )
        })?;
        let now = self.now();
        let interview = Interview {
            id: prospector_core::ids::uuid_v7_at(now),
            application_id: a.id,
            stage: stage.clone(),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            location: input.location.clone().filter(|l| !l.trim().is_empty()),
            scorecard_due_at: business_days_after(input.ends_at, SCORECARD_DUE_BUSINESS_DAYS)?,
            created_by: actor.user_id(),
            created_at: now,
            interviewer_ids: interviewers.iter().map(|u| u.id).collect(),
        };
        let organizer = match actor.as_user() {
            Some(u) => mailer::participant(&u.name, u.email.as_str())?,
            None => mailer::participant("Recruiting", "recruiting@prospector.invalid")?,
        };
        let stage_name = App::stage_name(&job, &stage);
        let invite = mailer::InterviewInvite {
            uid: format!("interview-{}@hiring.prospector", interview.id),
            starts_at: interview.starts_at,
            ends_at: interview.ends_at,
            summary: format!("{stage_name}: {} for {}", candidate.name, job.title),
            description: format!("{stage_name} for the {} role.", job.title),
            location: interview.location.clone(),
            organizer,
            interviewers: interviewers
                .iter()
                .map(|u| mailer::participant(&u.name, u.email.as_str()))
                .collect::<Result<_, _>>()?,
            candidate: mailer::participant(&candidate.name, &candidate_email)?,
        };
        let ics = invite.to_ics(now)?;
        let base = self.public_url().await?;
        let candidate_zone = candidate.time_zone.clone().unwrap_or_else(|| "UTC".into());
        let for_candidate = when_for(&interview, &candidate_zone);
        let mut tx = self.store().begin().await?;
        store_iv::insert_interview(&mut tx, &interview).await?;
        let about = ("application", a.id.to_string());
        let to_candidate = mailer::message(
            now,
            &candidate_email,
            &candidate.name,
            format!("Interview for {}: {for_candidate}", job.title),
            format!(
                "Hi {},\n\nYour {stage_name} for the {} role is on {for_candidate}{}. The invitation is attached.\n\n\
                 The role: {base}/jobs/{}\n",
                candidate
                    .name
                    .split_whitespace()
                    .next()
                    .unwrap_or(&candidate.name),
                job.title,
                utc_aside(&interview, &candidate_zone),
                job.slug,
            ),
            about.clone(),
        );
        mailer::queue(&mut tx, now, &mailer::with_calendar(to_candidate, &ics), now).await?;
        for u in &interviewers {
            let mine = when_for(&interview, &u.time_zone);
            let theirs = if candidate_zone == u.time_zone {
                String::new()
            } else {
                format!(
                    " ({} for the candidate)",
                    prospector_core::hiring::format_in_zone(interview.starts_at, &candidate_zone)
                )
            };
            let msg = mailer::message(
                now,
                u.email.as_str(),
                &u.name,
                format!("Interview: {} for {} ({mine})", candidate.name, job.title),
                format!(
                    "You are interviewing {} ({stage_name}, {}) on {mine}{theirs}.\nYour scorecard is due by {}.\n\n\
                     The candidate and your scorecard: {base}/hiring/applications/{}\n",
                    candidate.name,
                    job.title,
                    prospector_core::hiring::format_in_zone(interview.scorecard_due_at, &u.time_zone),
                    a.id,
                ),
                about.clone(),
            );
            mailer::queue(&mut tx, now, &mailer::with_calendar(msg, &ics), now).await?;
            crate::outbox::enqueue(
                &mut tx,
                now,
                SCORECARD_REMINDER,
                serde_json::json!({"interview_id": interview.id, "interviewer_id": u.id, "n": 1}),
                interview.scorecard_due_at,
                Some(format!("{SCORECARD_REMINDER}:{}:{}:1", interview.id, u.id)),
            )
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "interview.schedule",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({
                    "interview_id": interview.id, "starts_at": interview.starts_at,
                    "interviewer_ids": interview.interviewer_ids,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(interview)
    }

    /// The interviews the actor conducts.
    pub async fn my_interviews(&self, actor: &Actor) -> AppResult<Vec<Interview>> {
        let user = actor
            .user_id()
            .ok_or_else(|| AppError::Forbidden("interviews belong to users".into()))?;
        Ok(store_iv::interviews_for_user(&mut self.store().reader(), user).await?)
    }

    /// The interviews of an application.
    pub async fn application_interviews(
        &self,
        actor: &Actor,
        application_id: Uuid,
    ) -> AppResult<Vec<Interview>> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        let access = self.application_access(actor, &job, a.id).await?;
        let all = store_iv::interviews_of(&mut self.store().reader(), a.id).await?;
        Ok(match access {
            ApplicationAccess::Decider => all,
            ApplicationAccess::Interviewer => all
                .into_iter()
                .filter(|i| actor.user_id().is_some_and(|u| i.interviewer_ids.contains(&u)))
                .collect(),
        })
    }

    /// Submits the actor's scorecard for an interview; a second one is a 409.
    pub async fn submit_scorecard(
        &self,
        actor: &Actor,
        interview_id: Uuid,
        input: ScorecardSubmission,
    ) -> AppResult<ScorecardRow> {
        let mut reader = self.store().reader();
        let interview = store_iv::interview_by_id(&mut reader, interview_id)
            .await?
            .ok_or_else(|| AppError::NotFound("interview".into()))?;
        let user = actor
            .user_id()
            .filter(|u| interview.interviewer_ids.contains(u))
            .ok_or_else(|| {
                AppError::Forbidden("only the interview's interviewers submit scorecards".into())
            })?;
        if store_iv::has_scorecard(&mut reader, interview.id, user).await? {
            return Err(AppError::conflict(
                "scorecard_already_submitted",
                "interview_id",
                "you have already submitted your scorecard for this interview",
            ));
        }
        let a = self.application(interview.application_id).await?;
        let job = self.job(a.job_id).await?;
        let attributes = App::scorecard_attributes(&job);
        let ratings: Vec<(&str, &str)> = input
            .ratings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let card = Scorecard::parse(
            &attributes,
            &ScorecardInput {
                overall: &input.overall,
                ratings,
                pros: &input.pros,
                cons: &input.cons,
                notes: &input.notes,
            },
        )?;
        let now = self.now();
        let row = ScorecardRow {
            id: prospector_core::ids::uuid_v7_at(now),
            interview_id: interview.id,
            application_id: a.id,
            interviewer_id: user,
            overall: card.overall.code().to_owned(),
            ratings: card
                .attributes
                .iter()
                .map(|r| (r.attribute.clone(), r.rating.map(|x| x.code().to_owned())))
                .collect(),
            pros: card.pros,
            cons: card.cons,
            notes: card.notes,
            submitted_at: now,
        };
        let mut tx = self.store().begin().await?;
        store_iv::insert_scorecard(&mut tx, &row)
            .await
            .map_err(|e| match e {
                prospector_store::StoreError::Conflict { .. } => AppError::conflict(
                    "scorecard_already_submitted",
                    "interview_id",
                    "you have already submitted your scorecard for this interview",
                ),
                other => other.into(),
            })?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change::<(), _> {
                action: "scorecard.submit",
                entity_type: "application",
                entity_id: Some(a.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({"interview_id": interview.id, "overall": row.overall})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The scorecards of an application the actor may read: deciders see all; an interviewer sees
    /// colleagues' only once their own is in.
    pub async fn scorecards(&self, actor: &Actor, application_id: Uuid) -> AppResult<VisibleScorecards> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        let access = self.application_access(actor, &job, a.id).await?;
        let all = store_iv::scorecards_of(&mut self.store().reader(), a.id).await?;
        let me = actor.user_id();
        let submitted_own = all.iter().any(|s| Some(s.interviewer_id) == me);
        if may_see_other_scorecards(access == ApplicationAccess::Decider, submitted_own) {
            return Ok(VisibleScorecards {
                items: all,
                hidden: 0,
            });
        }
        let total = all.len();
        let items: Vec<ScorecardRow> = all.into_iter().filter(|s| Some(s.interviewer_id) == me).collect();
        Ok(VisibleScorecards {
            hidden: total - items.len(),
            items,
        })
    }
}

/// Reminds an interviewer whose scorecard is due and not in; repeats each business day up to
/// [`MAX_REMINDERS`].
pub struct ReminderHandler;

impl Handler for ReminderHandler {
    fn run<'a>(&'a self, app: &'a App, item: &'a Claimed) -> HandlerFuture<'a> {
        Box::pin(async move { remind(app, item).await.map_err(|e| e.to_string()) })
    }
}

async fn remind(app: &App, item: &Claimed) -> AppResult<()> {
    let field = |k: &str| item.payload.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let (Some(iv), Some(user)) = (field("interview_id"), field("interviewer_id")) else {
        return Ok(());
    };
    let n = item
        .payload
        .get("n")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(1);
    let (Ok(iv), Ok(user)) = (iv.parse::<Uuid>(), user.parse::<UserId>()) else {
        return Ok(());
    };
    let mut reader = app.store().reader();
    let Some(interview) = store_iv::interview_by_id(&mut reader, iv).await? else {
        return Ok(());
    };
    if store_iv::has_scorecard(&mut reader, iv, user).await? {
        return Ok(());
    }
    let Some(u) = users::user_by_id(&mut reader, user).await? else {
        return Ok(());
    };
    let a = app.application(interview.application_id).await?;
    let job = app.job(a.job_id).await?;
    let now = app.now();
    let base = app.public_url().await?;
    let mut tx = app.store().begin().await?;
    let msg = mailer::message(
        now,
        u.email.as_str(),
        &u.name,
        format!("Reminder: your scorecard for {} is due", job.title),
        format!(
            "Your scorecard for the interview on {} was due {}. Please submit it in Prospector:\n\n{base}/hiring/applications/{}\n",
            prospector_core::hiring::format_in_zone(interview.starts_at, &u.time_zone),
            prospector_core::hiring::format_in_zone(interview.scorecard_due_at, &u.time_zone),
            a.id,
        ),
        ("application", a.id.to_string()),
    );
    mailer::queue(&mut tx, now, &msg, now).await?;
    if n < MAX_REMINDERS {
        crate::outbox::enqueue(
            &mut tx,
            now,
            SCORECARD_REMINDER,
            serde_json::json!({"interview_id": iv, "interviewer_id": user, "n": n + 1}),
            business_days_after(now, 1)?,
            Some(format!("{SCORECARD_REMINDER}:{iv}:{user}:{}", n + 1)),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
