//! A candidate's way through a job's stages. Moves go forward only; a candidate can be declined (with a
//! reason and a chosen email, optionally delayed) or withdraw at any stage; hiring closes the job.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::conflict::{Conflict, HiringError};
use super::job_page::JobStatus;
use super::stages::{Stage, StageKind};
use crate::Invalid;
use crate::error::required_text;

/// Where an application stands overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// In the pipeline.
    Active,
    /// Declined by the team.
    Declined,
    /// Withdrawn by the candidate.
    Withdrawn,
    /// Hired.
    Hired,
}

impl ApplicationStatus {
    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Hired => "hired",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Declined => "Declined",
            Self::Withdrawn => "Withdrawn",
            Self::Hired => "Hired",
        }
    }
}

/// Why a candidate was declined (the default list; the app may let admins extend it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// Not enough relevant experience.
    NotEnoughExperience,
    /// Cannot work from where the job needs.
    Location,
    /// Pay expectations do not meet.
    Compensation,
    /// Someone else was hired.
    PositionFilled,
    /// Not a fit for the role or team.
    NotAFit,
    /// The candidate stopped answering.
    NoResponse,
    /// Anything else; a note should say what.
    Other,
}

impl DeclineReason {
    /// Every reason, in display order.
    pub const ALL: [DeclineReason; 7] = [
        Self::NotEnoughExperience,
        Self::Location,
        Self::Compensation,
        Self::PositionFilled,
        Self::NotAFit,
        Self::NoResponse,
        Self::Other,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotEnoughExperience => "not_enough_experience",
            Self::Location => "location",
            Self::Compensation => "compensation",
            Self::PositionFilled => "position_filled",
            Self::NotAFit => "not_a_fit",
            Self::NoResponse => "no_response",
            Self::Other => "other",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotEnoughExperience => "Not enough experience",
            Self::Location => "Location",
            Self::Compensation => "Compensation",
            Self::PositionFilled => "Position filled",
            Self::NotAFit => "Not a fit",
            Self::NoResponse => "No response",
            Self::Other => "Other",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == raw.trim())
            .ok_or_else(|| Invalid::unknown_value("reason", raw.trim(), &Self::ALL.map(DeclineReason::code)))
    }
}

/// The email a decline sends, when one is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclineEmail {
    /// The code of the email template the recruiter picked.
    pub template: String,
    /// When to send it: `now` plus the chosen delay (a same-day "no" after an interview reads badly).
    pub send_at: DateTime<Utc>,
}

/// How an application was declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decline {
    /// The reason from the list.
    pub reason: DeclineReason,
    /// Free text, required for `other`.
    pub note: Option<String>,
    /// The stage the candidate was at.
    pub at_stage: String,
    /// The email to send, if any.
    pub email: Option<DeclineEmail>,
    /// When it was declined.
    pub declined_at: DateTime<Utc>,
}

/// The longest an email may be held back; beyond that the candidate has waited too long for an answer.
pub const MAX_DECLINE_EMAIL_DELAY: TimeDelta = TimeDelta::days(14);

const MAX_NOTE_CHARS: usize = 2_000;

/// A candidate's application to one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// The code of the stage the candidate is at (or was at when the application ended).
    pub stage: String,
    /// Whether it is still in the pipeline.
    pub status: ApplicationStatus,
    /// Set when declined.
    pub decline: Option<Decline>,
    /// When it ended (declined, withdrawn or hired); retention counts from here.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Application {
    /// A new application at the job's first stage. Refused on a job that is not open.
    pub fn new(job: JobStatus, stages: &[Stage]) -> Result<Application, HiringError> {
        require_open(job)?;
        let first = stages.first().ok_or_else(|| Invalid::required("stages"))?;
        Ok(Application {
            stage: first.code.clone(),
            status: ApplicationStatus::Active,
            decline: None,
            closed_at: None,
        })
    }

    /// Moves to a later stage (skipping is allowed). Refused as a conflict when the stage is not after the
    /// current one, the application has ended, or the job is not open. Moving to the `hired` stage hires.
    pub fn advance_to(
        &self,
        job: JobStatus,
        stages: &[Stage],
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<Application, HiringError> {
        self.require_active()?;
        require_open(job)?;
        let current = position(stages, &self.stage)?;
        let target = position(stages, to)?;
        if target <= current {
            return Err(Conflict::new(
                "stage_not_forward",
                format!(
                    "the application is at {}; it can only move to a later stage",
                    stages[current].name
                ),
            )
            .into());
        }
        let hired = stages[target].kind == StageKind::Hired;
        Ok(Application {
            stage: stages[target].code.clone(),
            status: if hired {
                ApplicationStatus::Hired
            } else {
                ApplicationStatus::Active
            },
            decline: None,
            closed_at: hired.then_some(now),
        })
    }

    /// Hires the candidate: moves to the last (`hired`) stage and returns the job's new status, `closed`,
    /// because one hire fills the opening.
    pub fn hire(
        &self,
        job: JobStatus,
        stages: &[Stage],
        now: DateTime<Utc>,
    ) -> Result<(Application, JobStatus), HiringError> {
        let hired = stages
            .iter()
            .find(|s| s.kind == StageKind::Hired)
            .ok_or_else(|| Invalid::new("stages", "no_hired_stage", "the job has no Hired stage"))?;
        let application = self.advance_to(job, stages, &hired.code, now)?;
        Ok((application, JobStatus::Closed))
    }

    /// Declines at the current stage. Allowed on a closed job — that is how the other candidates are told
    /// the position was filled. `template` picks the email (none when `None`); `delay` holds it back.
    pub fn decline(
        &self,
        reason: DeclineReason,
        note: Option<&str>,
        template: Option<&str>,
        delay: Option<TimeDelta>,
        now: DateTime<Utc>,
    ) -> Result<Application, HiringError> {
        self.require_active()?;
        let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(required_text("note", n, MAX_NOTE_CHARS)?),
            None if reason == DeclineReason::Other => {
                return Err(
                    Invalid::new("note", "required", "a note is required when the reason is Other").into(),
                );
            }
            None => None,
        };
        let email = match template.map(str::trim).filter(|t| !t.is_empty()) {
            Some(template) => {
                let delay = delay.unwrap_or_default();
                if delay < TimeDelta::zero() || delay > MAX_DECLINE_EMAIL_DELAY {
                    return Err(Invalid::new(
                        "delay",
                        "out_of_range",
                        "the email delay must be between 0 and 14 days",
                    )
                    .into());
                }
                Some(DeclineEmail {
                    template: required_text("template", template, 100)?,
                    send_at: now + delay,
                })
            }
            None if delay.is_some() => {
                return Err(
                    Invalid::new("template", "required", "a delay needs an email template to send").into(),
                );
            }
            None => None,
        };
        Ok(Application {
            stage: self.stage.clone(),
            status: ApplicationStatus::Declined,
            decline: Some(Decline {
                reason,
                note,
                at_stage: self.stage.clone(),
                email,
                declined_at: now,
            }),
            closed_at: Some(now),
        })
    }

    /// The candidate withdraws at the current stage (allowed on any job status).
    pub fn withdraw(&self, now: DateTime<Utc>) -> Result<Application, HiringError> {
        self.require_active()?;
        Ok(Application {
            stage: self.stage.clone(),
            status: ApplicationStatus::Withdrawn,
            decline: None,
            closed_at: Some(now),
        })
    }

    fn require_active(&self) -> Result<(), Conflict> {
        if self.status == ApplicationStatus::Active {
            return Ok(());
        }
        Err(Conflict::new(
            "application_closed",
            format!(
                "the application is already {}",
                self.status.label().to_lowercase()
            ),
        ))
    }
}

fn require_open(job: JobStatus) -> Result<(), Conflict> {
    match job {
        JobStatus::Open => Ok(()),
        JobStatus::Closed => Err(Conflict::new(
            "job_closed",
            "the job is closed; candidates cannot move forward",
        )),
        JobStatus::Draft => Err(Conflict::new(
            "job_not_open",
            "the job is a draft and not open yet",
        )),
    }
}

fn position(stages: &[Stage], code: &str) -> Result<usize, Invalid> {
    stages.iter().position(|s| s.code == code).ok_or_else(|| {
        let allowed: Vec<&str> = stages.iter().map(|s| s.code.as_str()).collect();
        Invalid::unknown_value("stage", code, &allowed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hiring::stages::default_stages;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn fresh() -> (Vec<Stage>, Application) {
        let stages = default_stages();
        let app = Application::new(JobStatus::Open, &stages).unwrap();
        (stages, app)
    }

    #[test]
    fn a_new_application_starts_at_application_review() {
        let (_, app) = fresh();
        assert_eq!(
            (app.stage.as_str(), app.status),
            ("application_review", ApplicationStatus::Active)
        );
    }

    #[test]
    fn moving_forward_and_skipping_stages_is_allowed() {
        let (stages, app) = fresh();
        let app = app
            .advance_to(JobStatus::Open, &stages, "questionnaire", now())
            .unwrap();
        let app = app
            .advance_to(JobStatus::Open, &stages, "interview_team_lead", now())
            .unwrap();
        assert_eq!(app.stage, "interview_team_lead");
    }

    #[test]
    fn moving_backwards_or_staying_is_a_conflict() {
        let (stages, app) = fresh();
        let app = app
            .advance_to(JobStatus::Open, &stages, "screening_call", now())
            .unwrap();
        let back = app
            .advance_to(JobStatus::Open, &stages, "questionnaire", now())
            .unwrap_err();
        assert!(matches!(back, HiringError::Conflict(ref c) if c.code == "stage_not_forward"));
        let same = app
            .advance_to(JobStatus::Open, &stages, "screening_call", now())
            .unwrap_err();
        assert_eq!(same.code(), "stage_not_forward");
    }

    #[test]
    fn an_unknown_stage_is_invalid_input() {
        let (stages, app) = fresh();
        let err = app
            .advance_to(JobStatus::Open, &stages, "lunch", now())
            .unwrap_err();
        assert!(matches!(err, HiringError::Invalid(ref i) if i.code == "unknown_value"));
    }

    #[test]
    fn moves_on_a_closed_or_draft_job_are_conflicts() {
        let (stages, app) = fresh();
        assert_eq!(
            app.advance_to(JobStatus::Closed, &stages, "offer", now())
                .unwrap_err()
                .code(),
            "job_closed"
        );
        assert_eq!(
            app.hire(JobStatus::Closed, &stages, now()).unwrap_err().code(),
            "job_closed"
        );
        assert_eq!(
            Application::new(JobStatus::Draft, &stages).unwrap_err().code(),
            "job_not_open"
        );
    }

    #[test]
    fn hiring_closes_the_job_and_ends_the_application() {
        let (stages, app) = fresh();
        let (hired, job) = app.hire(JobStatus::Open, &stages, now()).unwrap();
        assert_eq!(
            (hired.stage.as_str(), hired.status, job),
            ("hired", ApplicationStatus::Hired, JobStatus::Closed)
        );
        assert_eq!(hired.closed_at, Some(now()));
        assert_eq!(hired.withdraw(now()).unwrap_err().code(), "application_closed");
    }

    #[test]
    fn declining_at_any_stage_records_reason_stage_and_delayed_email() {
        let (stages, app) = fresh();
        let app = app
            .advance_to(JobStatus::Open, &stages, "interview_ceo", now())
            .unwrap();
        let declined = app
            .decline(
                DeclineReason::NotAFit,
                Some(" culture "),
                Some("decline_after_interview"),
                Some(TimeDelta::days(2)),
                now(),
            )
            .unwrap();
        assert_eq!(declined.status, ApplicationStatus::Declined);
        let decline = declined.decline.unwrap();
        assert_eq!(
            (decline.at_stage.as_str(), decline.note.as_deref()),
            ("interview_ceo", Some("culture"))
        );
        let email = decline.email.unwrap();
        assert_eq!(email.template, "decline_after_interview");
        assert_eq!(email.send_at, now() + TimeDelta::days(2));
    }

    #[test]
    fn other_candidates_can_be_declined_after_the_job_closed() {
        let (_, app) = fresh();
        let declined = app
            .decline(
                DeclineReason::PositionFilled,
                None,
                Some("position_filled"),
                None,
                now(),
            )
            .unwrap();
        assert_eq!(
            declined.decline.and_then(|d| d.email).map(|e| e.send_at),
            Some(now())
        );
    }

    #[test]
    fn decline_input_is_checked() {
        let (_, app) = fresh();
        assert_eq!(
            app.decline(DeclineReason::Other, None, None, None, now())
                .unwrap_err()
                .code(),
            "required"
        );
        let too_late = app.decline(
            DeclineReason::Location,
            None,
            Some("t"),
            Some(TimeDelta::days(30)),
            now(),
        );
        assert_eq!(too_late.unwrap_err().code(), "out_of_range");
        let no_template = app.decline(
            DeclineReason::Location,
            None,
            None,
            Some(TimeDelta::hours(1)),
            now(),
        );
        assert_eq!(no_template.unwrap_err().code(), "required");
    }

    #[test]
    fn a_declined_or_withdrawn_application_cannot_move() {
        let (stages, app) = fresh();
        let withdrawn = app.withdraw(now()).unwrap();
        assert_eq!(withdrawn.status, ApplicationStatus::Withdrawn);
        let err = withdrawn
            .advance_to(JobStatus::Open, &stages, "offer", now())
            .unwrap_err();
        assert_eq!(err.code(), "application_closed");
        let declined = app
            .decline(DeclineReason::NoResponse, None, None, None, now())
            .unwrap();
        assert_eq!(
            declined
                .decline(DeclineReason::NoResponse, None, None, None, now())
                .unwrap_err()
                .code(),
            "application_closed"
        );
    }

    #[test]
    fn reasons_parse_from_codes_and_list_the_allowed_ones() {
        assert_eq!(DeclineReason::parse("not_a_fit"), Ok(DeclineReason::NotAFit));
        let err = DeclineReason::parse("rude").unwrap_err();
        assert!(err.message.contains(
            "not_enough_experience, location, compensation, position_filled, not_a_fit, no_response, other"
        ));
        assert_eq!(
            serde_json::to_string(&DeclineReason::PositionFilled).unwrap(),
            "\"position_filled\""
        );
    }
}
