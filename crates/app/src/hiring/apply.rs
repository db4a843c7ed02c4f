//! Public applications: validated, rate-limited per address, protected by a honeypot; the same
//! person (by email) is recognised across applications and jobs; an acknowledgement is mailed.

use std::collections::BTreeMap;

use chrono::Duration;
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::error::required_text;
use prospector_core::hiring::{Application, MAX_RESUME_BYTES, sniff_resume};
use prospector_store::auth::{self as store_auth, Throttle};
use prospector_store::hiring::applications::{self as store_apps, ApplicationRow, Candidate, ResumeMeta};
use serde::Serialize;
use uuid::Uuid;

use super::mailer;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// Applications accepted from one address per hour.
pub const APPLY_LIMIT_PER_HOUR: i64 = 10;
const MAX_LINKS: usize = 5;

/// What an applicant sent.
#[derive(Debug, Clone, Default)]
pub struct ApplyInput {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone, as typed.
    pub phone: String,
    /// Profile links, one per entry.
    pub links: Vec<String>,
    /// Questionnaire answers, question code → text.
    pub answers: BTreeMap<String, String>,
    /// Consent to processing was ticked.
    pub consent: bool,
    /// Where they heard of the job (`careers_page` when not said).
    pub source: Option<String>,
    /// The résumé's file name and bytes.
    pub resume: Option<(String, Vec<u8>)>,
    /// The hidden field bots fill in.
    pub honeypot: String,
    /// The client's address, for the rate limit.
    pub ip: Option<String>,
}

/// What happened to an application.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyOutcome {
    /// The application (the existing one when they had applied to this job before).
    pub application_id: Option<Uuid>,
    /// The candidate.
    pub candidate_id: Option<Uuid>,
    /// The email belonged to someone who had applied before (to any job).
    pub returning_candidate: bool,
    /// They had applied to this job before; no second application was made.
    pub already_applied: bool,
}

/// The refusal for a résumé over the limit (also used by the web layer for oversized bodies).
pub fn resume_too_large() -> Invalid {
    Invalid::new(
        "resume",
        "too_large",
        format!(
            "the résumé is larger than the limit of {} MB",
            MAX_RESUME_BYTES / (1024 * 1024)
        ),
    )
}

fn clean_links(links: &[String]) -> Result<Vec<String>, Invalid> {
    let links: Vec<String> = links
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(str::to_owned)
        .collect();
    if links.len() > MAX_LINKS {
        return Err(Invalid::new(
            "links",
            "too_many",
            format!("at most {MAX_LINKS} links"),
        ));
    }
    for link in &links {
        if !(link.starts_with("https://") || link.starts_with("http://")) || link.len() > 500 {
            return Err(Invalid::new(
                "links",
                "invalid_url",
                format!("'{link}' is not a web address"),
            ));
        }
    }
    Ok(links)
}

impl App {
    /// Applies to the open job `slug`. A filled honeypot is accepted silently and stores nothing.
    pub async fn apply(&self, slug: &str, input: ApplyInput) -> AppResult<ApplyOutcome> {
        let job = self.public_job(slug).await?;
        if !input.honeypot.trim().is_empty() {
            tracing::info!(ip = ?input.ip, "application honeypot filled; ignored");
            return Ok(ApplyOutcome {
                application_id: None,
                candidate_id: None,
                returning_candidate: false,
                already_applied: false,
            });
        }
        self.count_application_attempt(input.ip.as_deref()).await?;

        let name = required_text("name", &input.name, 200)?;
        let email = Email::parse_field("email", &input.email)?;
        let phone = input.phone.trim();
        if phone.chars().count() > 40 {
            return Err(Invalid::too_long("phone", 40).into());
        }
        let phone = (!phone.is_empty()).then(|| phone.to_owned());
        let links = clean_links(&input.links)?;
        let answers = job
            .questionnaire
            .validate(&input.answers)
            .map_err(|mut problems| AppError::Invalid(problems.remove(0)))?;
        if !input.consent {
            return Err(Invalid::new(
                "consent",
                "required",
                "we need your consent to process your application",
            )
            .into());
        }
        let (file_name, bytes) = input.resume.ok_or_else(|| Invalid::required("resume"))?;
        if bytes.len() > MAX_RESUME_BYTES {
            return Err(resume_too_large().into());
        }
        let kind = sniff_resume(&bytes)?;
        let file_name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && !"/\\\"".contains(*c))
            .take(200)
            .collect();
        let source = input
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("careers_page")
            .chars()
            .take(60)
            .collect::<String>();

        let now = self.now();
        let actor = Actor::system().with_request(None, input.ip.clone());
        let mut tx = self.store().begin().await?;
        // The questionnaire's time-zone answer, when it names a zone, is where interviews are
        // written for the candidate; a later application's answer replaces an older one.
        let time_zone = answers
            .get("time_zone")
            .and_then(|a| prospector_core::hiring::parse_time_zone(a));
        let existing = store_apps::candidate_by_email(&mut tx, email.as_str()).await?;
        let returning = existing.is_some();
        let candidate = match existing {
            Some(mut c) => {
                c.name = name.clone();
                c.phone = phone.or(c.phone);
                c.time_zone = time_zone.or(c.time_zone);
                for l in links {
                    if !c.links.contains(&l) {
                        c.links.push(l);
                    }
                }
                c.updated_at = now;
                store_apps::update_candidate(&mut tx, &c).await?;
                c
            }
            None => {
                let c = Candidate {
                    id: prospector_core::ids::uuid_v7_at(now),
                    email: Some(email.as_str().to_owned()),
                    name: name.clone(),
                    phone,
                    links,
                    tags: Vec::new(),
                    created_at: now,
                    updated_at: now,
                    anonymised_at: None,
                    time_zone,
                };
                store_apps::insert_candidate(&mut tx, &c).await?;
                c
            }
        };
        let previous = store_apps::application_for(&mut tx, job.id, candidate.id).await?;
        let already_applied = previous.is_some();
        let application = match previous {
            Some(a) => a,
            None => {
                let state = Application::new(job.status, &job.stages)?;
                let a = ApplicationRow {
                    id: prospector_core::ids::uuid_v7_at(now),
                    job_id: job.id,
                    candidate_id: candidate.id,
                    stage: state.stage,
                    status: state.status,
                    source,
                    answers,
                    consent_at: now,
                    decline_reason: None,
                    decline_note: None,
                    decline_email_key: None,
                    created_at: now,
                    updated_at: now,
                    closed_at: None,
                    anonymised_at: None,
                };
                store_apps::insert_application(&mut tx, &a).await?;
                store_apps::enter_stage(&mut tx, a.id, &a.stage, now).await?;
                a
            }
        };
        let meta = ResumeMeta {
            id: prospector_core::ids::uuid_v7_at(now),
            application_id: application.id,
            kind: kind.extension().to_owned(),
            file_name: if file_name.is_empty() {
                format!("resume.{}", kind.extension())
            } else {
                file_name
            },
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            created_at: now,
        };
        store_apps::insert_resume(&mut tx, &meta, bytes).await?;
        audit::record(
            &mut tx,
            &actor,
            now,
            Change::<(), _> {
                action: if already_applied {
                    "application.reapply"
                } else {
                    "application.create"
                },
                entity_type: "application",
                entity_id: Some(application.id.to_string()),
                before: None,
                after: Some(&serde_json::json!({
                    "job_id": job.id, "candidate_id": candidate.id, "stage": application.stage,
                    "returning_candidate": returning,
                })),
            },
        )
        .await?;
        let ack = mailer::message(
            now,
            email.as_str(),
            &name,
            format!("We received your application for {}", job.title),
            format!(
                "Hi {},\n\nThank you for applying for the {} role. We have your application and résumé, and a \
                 recruiter will read them. We will write to you at this address about the next steps.\n",
                name.split_whitespace().next().unwrap_or(&name),
                job.title
            ),
            ("application", application.id.to_string()),
        );
        mailer::queue(&mut tx, now, &ack, now).await?;
        tx.commit().await?;
        Ok(ApplyOutcome {
            application_id: Some(application.id),
            candidate_id: Some(candidate.id),
            returning_candidate: returning,
            already_applied,
        })
    }

    /// Counts an application from `ip` in a one-hour window, refusing past the limit with 429.
    async fn count_application_attempt(&self, ip: Option<&str>) -> AppResult<()> {
        let Some(ip) = ip else { return Ok(()) };
        let key = format!("apply:{ip}");
        let now = self.now();
        let window = Duration::hours(1);
        let mut tx = self.store().begin().await?;
        let current = store_auth::throttle(&mut tx, &key).await?;
        let state = match current {
            Some(t) if now - t.window_started_at < window => Throttle {
                failures: t.failures + 1,
                ..t
            },
            _ => Throttle {
                failures: 1,
                window_started_at: now,
                locked_until: None,
            },
        };
        if state.failures > APPLY_LIMIT_PER_HOUR {
            let retry = (state.window_started_at + window - now).num_seconds().max(1);
            return Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from(retry).unwrap_or(60),
            });
        }
        store_auth::save_throttle(&mut tx, &key, &state).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// The latest résumé of an application and its bytes, for whoever may see the application.
    pub async fn resume_download(
        &self,
        actor: &Actor,
        application_id: Uuid,
    ) -> AppResult<(ResumeMeta, Vec<u8>)> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        self.application_access(actor, &job, a.id).await?;
        let mut reader = self.store().reader();
        let meta = store_apps::resumes_of(&mut reader, a.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound("résumé".into()))?;
        let bytes = store_apps::resume_content(&mut reader, meta.id)
            .await?
            .ok_or_else(|| AppError::NotFound("résumé".into()))?;
        Ok((meta, bytes))
    }

    /// The résumés of an application, without their bytes.
    pub async fn resumes(&self, actor: &Actor, application_id: Uuid) -> AppResult<Vec<ResumeMeta>> {
        let a = self.application(application_id).await?;
        let job = self.job(a.job_id).await?;
        self.application_access(actor, &job, a.id).await?;
        Ok(store_apps::resumes_of(&mut self.store().reader(), a.id).await?)
    }
}
