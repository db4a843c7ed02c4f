//! The demo's hiring: an SDR job page with a Hiring Process section, and candidates at
//! different stages (one declined, one scheduled for an interview).

use std::collections::BTreeMap;

use chrono::Duration;
use prospector_core::email::Email;
use prospector_core::hiring::StageKind;

use super::apply::ApplyInput;
use super::interviews::ScheduleInput;
use super::pipeline::DeclineInput;
use crate::{Actor, App, AppResult};

/// The demo job page, written the way the team publishes its pages.
pub const DEMO_JOB_PAGE: &str = "---
layout: job_page
title: \"Sales Development Representative\"
location: Remote, Americas
team: SDR West
---

You like talking to people who build software, and you are curious about how their teams work. As a Sales
Development Representative you start the conversations that become our customers: you research organisations,
call and email the people who choose developer tools, and book qualified meetings for our Account Executives.

## Responsibilities

* Prospect into your assigned accounts by phone, email and LinkedIn, following our [sequences](/handbook/sequences)
* Answer inbound hand-raisers within the hour, and qualify or disqualify them with a reason
* Research each account’s developer landscape and keep the CRM current  
* Hand qualified meetings to Account Executives with clear notes

## Qualifications

* Experience prospecting by phone and email
* Clear, friendly writing
* Curiosity about how developers work
* Resilience: you keep going after a “no”

## Hiring Process

Applicants can expect the hiring process to follow the order below. Applicants can be declined at any stage.

* Qualified applicants receive a short questionnaire from our recruiters
* Selected candidates are invited to a [screening call](/handbook/hiring#screening-call) with a recruiter
* Candidates then interview with the SDR team lead
* Candidates complete a mock cold call with two Account Executives
* Finally, candidates interview with our Chief Executive Officer
* Successful candidates receive an offer via email
";

fn answers() -> BTreeMap<String, String> {
    [
        (
            "why_this_role",
            "I enjoy opening conversations with technical buyers.",
        ),
        (
            "phone_prospecting",
            "Two years of outbound calling, 60 dials a day.",
        ),
        ("email_prospecting", "Wrote and ran multi-step email sequences."),
        ("crm_experience", "Salesforce daily; some HubSpot."),
        ("time_zone", "America/Los_Angeles"),
        ("notice_period", "Two weeks"),
        ("pay_expectation", "USD 65,000 base"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl App {
    /// Adds the demo job and candidates; `lead` (a demo user's email) manages the hire.
    pub async fn seed_hiring_demo(&self, lead: &str) -> AppResult<()> {
        let actor = Actor::cli();
        let job = self
            .import_job(&actor, "demo/sales-development-representative.md", DEMO_JOB_PAGE)
            .await?;
        let lead = self.user_by_email(&Email::parse(lead)?).await?;
        if let Some(lead) = &lead {
            let patch = super::jobs::JobPatch {
                hiring_manager_id: Some(lead.id.to_string()),
                ..Default::default()
            };
            self.update_job(&actor, job.id, patch).await?;
        }
        let people = [
            (
                "Taylor Brooks",
                "taylor.brooks@candidates.example",
                "careers_page",
            ),
            ("Morgan Diaz", "morgan.diaz@candidates.example", "referral"),
            ("Jamie Park", "jamie.park@candidates.example", "linkedin"),
            ("Casey Nguyen", "casey.nguyen@candidates.example", "careers_page"),
        ];
        let mut ids = Vec::new();
        for (name, email, source) in people {
            let outcome = self
                .apply(
                    &job.slug,
                    ApplyInput {
                        name: name.into(),
                        email: email.into(),
                        phone: "+1 415 555 0142".into(),
                        links: vec!["https://www.linkedin.com/in/example".into()],
                        answers: answers(),
                        consent: true,
                        source: Some(source.into()),
                        resume: Some(("resume.pdf".into(), DEMO_PDF.to_vec())),
                        honeypot: String::new(),
                        ip: None,
                    },
                )
                .await?;
            if let Some(id) = outcome.application_id {
                ids.push(id);
            }
        }
        let stage = |kind| job.stages.iter().find(|s| s.kind == kind).map(|s| s.code.clone());
        if let (Some(id), Some(code)) = (ids.get(1), stage(StageKind::Screening)) {
            self.move_application(&actor, *id, &code).await?;
        }
        if let (Some(id), Some(code)) = (ids.get(2), stage(StageKind::Interview)) {
            self.move_application(&actor, *id, &code).await?;
            if let Some(lead) = &lead {
                let starts = self.now() + Duration::days(2);
                self.schedule_interview(
                    &actor,
                    *id,
                    ScheduleInput {
                        starts_at: starts,
                        ends_at: starts + Duration::minutes(45),
                        interviewer_ids: vec![lead.id],
                        location: Some("Video call".into()),
                        stage: None,
                    },
                )
                .await?;
            }
        }
        if let Some(id) = ids.get(3) {
            self.decline_application(
                &actor,
                *id,
                DeclineInput {
                    reason: "not_enough_experience".into(),
                    note: None,
                    template: Some("standard".into()),
                    delay_hours: Some(24),
                },
            )
            .await?;
        }
        Ok(())
    }
}
