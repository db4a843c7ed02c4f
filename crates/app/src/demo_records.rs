//! The demo team's records: prospect accounts with their developer/IT landscape (with sources),
//! leads and contacts across every status with org charts, opportunities, and activities spread
//! over the last 90 days — so the record pages look like a real team's workspace.

use chrono::{Duration, NaiveDate};
use prospector_core::records::EmailDirection;
use prospector_core::records::RawPerson;
use prospector_core::records::activity::ActivityDetail;
use prospector_store::records::people::PersonKind;
use prospector_store::records::{AccountId, PersonId};
use prospector_store::users::User;

use crate::records::accounts::{AccountInput, TechStackInput};
use crate::records::activities::ActivityInput;
use crate::records::opportunities::OpportunityInput;
use crate::records::people::{Created, PersonInput, StatusInput};
use crate::{Actor, App, AppResult, Via};

struct DemoAccount {
    name: &'static str,
    domain: &'static str,
    country: &'static str,
    employees: i64,
    developers: i64,
    it: i64,
    stack: &'static [(&'static str, &'static str, &'static str)],
    teams: &'static [&'static str],
    triggers: &'static [&'static str],
    strategy: &'static str,
    /// (first, last, title, reports to index or none)
    people: &'static [(&'static str, &'static str, &'static str, Option<usize>)],
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        name: "Northwind Logistics",
        domain: "northwind-logistics.example",
        country: "US",
        employees: 4_800,
        developers: 620,
        it: 180,
        stack: &[
            ("scm", "Bitbucket Server", "job posting: senior build engineer"),
            ("ci_cd", "Jenkins", "discovery call with the platform lead"),
            ("issue_tracking", "Jira", "job posting: senior build engineer"),
            ("cloud", "AWS", "engineering blog, 'Moving routing to Lambda'"),
            ("languages", "Java, Go", "GitHub organisation"),
            (
                "competitor",
                "GitHub Enterprise (pilot)",
                "call with the VP Engineering",
            ),
        ],
        teams: &["Platform", "Routing", "Mobile"],
        triggers: &["New CTO from Shopify (Jan)", "Jenkins end-of-support migration"],
        strategy: "Land with the Platform team's CI migration; expand to Routing once the pilot shows faster pipelines.",
        people: &[
            ("Helen", "Okafor", "CTO", None),
            ("Marcus", "Lindqvist", "VP Engineering", Some(0)),
            ("Priyanka", "Rao", "Director, Platform Engineering", Some(1)),
            ("Tom", "Becker", "Staff DevOps Engineer", Some(2)),
            ("Lena", "Park", "Engineering Manager, Mobile", Some(1)),
        ],
    },
    DemoAccount {
        name: "Bluefin Health",
        domain: "bluefinhealth.example",
        country: "GB",
        employees: 1_400,
        developers: 210,
        it: 60,
        stack: &[
            ("scm", "GitHub", "StackShare profile"),
            ("ci_cd", "CircleCI", "conference talk by their SRE lead"),
            ("cloud", "Azure", "press release"),
            ("languages", "C#, TypeScript", "job postings"),
        ],
        teams: &["Patient apps", "Data platform"],
        triggers: &["Series D funding", "SOC 2 audit findings on change control"],
        strategy: "Compliance angle: audit trails and merge approvals for the SOC 2 remediation.",
        people: &[
            ("Oliver", "Grant", "Head of Engineering", None),
            ("Aisha", "Bello", "SRE Lead", Some(0)),
            ("Jack", "Morrison", "Security Engineer", Some(0)),
        ],
    },
    DemoAccount {
        name: "Kestrel Robotics",
        domain: "kestrel-robotics.example",
        country: "DE",
        employees: 380,
        developers: 95,
        it: 12,
        stack: &[
            ("scm", "Gitea (self-hosted)", "call with the CTO"),
            ("languages", "C++, Rust, Python", "GitHub organisation"),
        ],
        teams: &["Firmware", "Perception"],
        triggers: &[],
        strategy: "",
        people: &[
            ("Jonas", "Weber", "CTO", None),
            ("Mira", "Schulz", "Firmware Team Lead", Some(0)),
        ],
    },
    DemoAccount {
        name: "Atlas Insurance Group",
        domain: "atlas-insurance.example",
        country: "US",
        employees: 12_000,
        developers: 1_500,
        it: 900,
        stack: &[
            ("scm", "Azure DevOps Repos", "RFP shared by procurement"),
            ("ci_cd", "Azure Pipelines", "RFP shared by procurement"),
            ("issue_tracking", "Azure Boards", "RFP shared by procurement"),
            ("cloud", "Azure, on-premises VMware", "analyst report"),
            ("competitor", "Azure DevOps", "RFP shared by procurement"),
        ],
        teams: &[
            "Claims modernisation",
            "Enterprise architecture",
            "Digital channels",
        ],
        triggers: &["RFP for a DevSecOps platform due in Q3"],
        strategy: "Answer the RFP with the claims-modernisation team as champion; security scanning is the differentiator.",
        people: &[
            ("Karen", "Whitlock", "CIO", None),
            ("Raj", "Menon", "Chief Architect", Some(0)),
            ("Sofia", "Alvarez", "Director, Claims Modernisation", Some(0)),
            ("Dan", "O'Neill", "DevSecOps Manager", Some(2)),
        ],
    },
    DemoAccount {
        name: "Pinecrest Software",
        domain: "pinecrest.example",
        country: "CA",
        employees: 85,
        developers: 40,
        it: 3,
        stack: &[
            ("scm", "GitHub", "website footer"),
            ("ci_cd", "GitHub Actions", "public repos"),
        ],
        teams: &[],
        triggers: &["Hiring five engineers"],
        strategy: "",
        people: &[("Emma", "Tremblay", "Co-founder & CTO", None)],
    },
];

/// A lead not yet on an account: (first, last, company, title, source, status, reason, score).
type DemoLead = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
);

const LEADS: &[DemoLead] = &[
    (
        "Grace",
        "Kim",
        "Orbital Media",
        "Director of Engineering",
        "webcast",
        "mql",
        None,
        130,
    ),
    (
        "Peter",
        "Novak",
        "Lumen Retail",
        "DevOps Engineer",
        "trial",
        "accepted",
        None,
        95,
    ),
    (
        "Chloe",
        "Dubois",
        "Veridian Energy",
        "Head of Platform",
        "contact_us",
        "qualifying",
        None,
        160,
    ),
    (
        "Sam",
        "Adeyemi",
        "Quarry Labs",
        "Software Engineer",
        "gated_content",
        "inquiry",
        None,
        35,
    ),
    (
        "Lucas",
        "Ferreira",
        "Tidewater Bank",
        "VP Technology",
        "event",
        "raw",
        None,
        0,
    ),
    (
        "Nina",
        "Johansson",
        "Brightline Studio",
        "CTO",
        "webcast",
        "recycle",
        Some("no_budget"),
        70,
    ),
    (
        "Ahmed",
        "Karim",
        "University of Example",
        "PhD student",
        "trial",
        "disqualified",
        Some("student"),
        65,
    ),
    (
        "Julia",
        "Rossi",
        "Cobalt Freight",
        "IT Manager",
        "list",
        "bad_data",
        Some("bounced_email"),
        10,
    ),
    (
        "Ben",
        "Carter",
        "Acme Consulting",
        "Consultant",
        "form",
        "disqualified",
        Some("consultant"),
        60,
    ),
    (
        "Yuki",
        "Tanaka",
        "Sakura Games",
        "Build Engineer",
        "trial",
        "mql",
        None,
        110,
    ),
    (
        "Omar",
        "Haddad",
        "Desert Rose Telecom",
        "Platform Architect",
        "contact_us",
        "accepted",
        None,
        140,
    ),
    (
        "Ivy",
        "Chen",
        "Harbor Analytics",
        "Engineering Manager",
        "webcast",
        "recycle",
        Some("no_response"),
        45,
    ),
];

fn date(days_ago: i64, today: NaiveDate) -> NaiveDate {
    today - Duration::days(days_ago)
}

impl App {
    /// Adds the demo records, worked by the demo SDRs over the last 90 days.
    pub(crate) async fn seed_demo_records(&self, team: &[User]) -> AppResult<()> {
        let by_email = |e: &str| team.iter().find(|u| u.email.as_str() == e).cloned();
        let (Some(sam), Some(priya), Some(jordan), Some(chris), Some(olivia)) = (
            by_email("sam.sdr@demo.example"),
            by_email("priya.sdr@demo.example"),
            by_email("jordan.sdr@demo.example"),
            by_email("chris.ae@demo.example"),
            by_email("olivia.ae@demo.example"),
        ) else {
            return Ok(());
        };
        let sdrs = [sam.clone(), priya.clone(), jordan.clone()];
        let aes = [chris.clone(), olivia.clone()];
        let now = self.now();
        let today = now.date_naive();
        let mut n = 0usize;

        for (i, spec) in ACCOUNTS.iter().enumerate() {
            let sdr = &sdrs[i % sdrs.len()];
            let actor = Actor::user(sdr.clone(), Via::Session);
            let account = self
                .create_account(
                    &actor,
                    AccountInput {
                        name: Some(spec.name.into()),
                        domains: Some(vec![spec.domain.into()]),
                        employees: Some(spec.employees),
                        country: Some(spec.country.into()),
                        sdr_id: Some(Some(sdr.id)),
                        prospecting_status: Some(if i == 4 { "queued" } else { "actively_working" }.into()),
                        developer_count: Some(spec.developers),
                        it_headcount: (i != 2).then_some(spec.it),
                        tech_stack: Some(
                            spec.stack
                                .iter()
                                .enumerate()
                                .map(|(k, (category, value, source))| TechStackInput {
                                    category: (*category).into(),
                                    value: (*value).into(),
                                    source: (*source).into(),
                                    as_of: date(5 + 9 * k as i64 + 11 * i as i64, today),
                                })
                                .collect(),
                        ),
                        teams: Some(spec.teams.iter().map(|t| (*t).to_owned()).collect()),
                        triggers: Some(spec.triggers.iter().map(|t| (*t).to_owned()).collect()),
                        strategy: Some(spec.strategy.into()),
                        next_step_on: Some((!spec.strategy.is_empty()).then(|| date(-7 - i as i64, today))),
                        ..AccountInput::default()
                    },
                )
                .await?;
            let mut ids: Vec<PersonId> = Vec::new();
            for (k, (first, last, title, boss)) in spec.people.iter().enumerate() {
                let email = format!(
                    "{}.{}@{}",
                    first.to_lowercase(),
                    last.to_lowercase().replace('\'', ""),
                    spec.domain
                );
                let created = self
                    .create_person(
                        &actor,
                        PersonKind::Contact,
                        PersonInput {
                            raw: RawPerson {
                                first_name: Some((*first).into()),
                                last_name: Some((*last).into()),
                                email: Some(email),
                                phone: Some(format!("+1 415 555 {:04}", 100 + n)),
                                title: Some((*title).into()),
                                company: Some(spec.name.into()),
                                country: Some(spec.country.into()),
                                source: Some("outbound".into()),
                                ..RawPerson::default()
                            },
                            status: Some("mql".into()),
                            score: Some(60 + (n as i64 * 17) % 90),
                            account_id: Some(account.id),
                            ..PersonInput::default()
                        },
                    )
                    .await?;
                let Created::New(p) = created else { continue };
                if let Some(b) = boss.and_then(|b| ids.get(b).copied()) {
                    self.set_reports_to(&actor, p.id, Some(b)).await?;
                }
                let status = ["accepted", "qualifying", "accepted", "recycle", "qualifying"][k % 5];
                let reason = (status == "recycle").then(|| "not_ready_to_buy".to_owned());
                self.change_status(
                    &actor,
                    None,
                    p.id,
                    StatusInput {
                        status: status.into(),
                        reason,
                        ..StatusInput::default()
                    },
                    None,
                )
                .await?;
                self.demo_activities(&actor, p.id, Some(account.id), n).await?;
                ids.push(p.id);
                n += 1;
            }
            if i < 4 {
                let stage_path: &[&str] = match i {
                    0 => &["discovery", "scoping", "technical_evaluation"],
                    1 => &["discovery"],
                    3 => &["discovery", "scoping", "technical_evaluation", "proposal"],
                    _ => &[],
                };
                let o = self
                    .create_opportunity(
                        &actor,
                        OpportunityInput {
                            name: Some(format!("{} – new business", spec.name)),
                            account_id: Some(account.id),
                            person_id: ids.get(1).or(ids.first()).copied(),
                            ae_id: Some(aes[i % 2].id),
                            sdr_id: Some(sdr.id),
                            amount_cents: Some(spec.developers * 29 * 12 * 100),
                            close_date: Some(date(-45 - 10 * i as i64, today)),
                            next_step: Some("Technical deep dive with the platform team".into()),
                            ..OpportunityInput::default()
                        },
                    )
                    .await?;
                let ae = Actor::user(aes[i % 2].clone(), Via::Session);
                for stage in stage_path {
                    self.change_opportunity_stage(&ae, o.id, stage, None, None)
                        .await?;
                }
            }
        }

        for (k, (first, last, company, title, source, status, reason, score)) in LEADS.iter().enumerate() {
            let owner = &sdrs[k % sdrs.len()];
            let actor = Actor::user(owner.clone(), Via::Session);
            let slug = company.to_lowercase().replace(' ', "");
            let created = self
                .create_person(
                    &actor,
                    PersonKind::Lead,
                    PersonInput {
                        raw: RawPerson {
                            first_name: Some((*first).into()),
                            last_name: Some((*last).into()),
                            email: Some(format!("{}@{slug}.example", first.to_lowercase())),
                            phone: Some(format!("+1 212 555 {:04}", 200 + k)),
                            title: Some((*title).into()),
                            company: Some((*company).into()),
                            country: Some(["US", "GB", "DE", "FR", "JP"][k % 5].into()),
                            source: Some((*source).into()),
                            ..RawPerson::default()
                        },
                        status: Some(
                            if matches!(*status, "raw" | "inquiry") {
                                *status
                            } else {
                                "mql"
                            }
                            .to_owned(),
                        ),
                        score: Some(*score),
                        // A few wait in the unowned pool for whoever picks them up.
                        unowned: k % 6 == 4,
                        ..PersonInput::default()
                    },
                )
                .await?;
            let Created::New(p) = created else { continue };
            if !matches!(*status, "raw" | "inquiry" | "mql") {
                if matches!(*status, "qualifying") {
                    self.change_status(
                        &actor,
                        None,
                        p.id,
                        StatusInput {
                            status: "accepted".into(),
                            ..StatusInput::default()
                        },
                        None,
                    )
                    .await?;
                }
                self.change_status(
                    &actor,
                    None,
                    p.id,
                    StatusInput {
                        status: (*status).into(),
                        reason: reason.map(str::to_owned),
                        ..StatusInput::default()
                    },
                    None,
                )
                .await?;
            }
            if p.owner_id.is_some() {
                self.demo_activities(&actor, p.id, None, n).await?;
            }
            n += 1;
        }
        Ok(())
    }

    /// A few touches on a person, spread over the last 90 days.
    async fn demo_activities(
        &self,
        actor: &Actor,
        person: PersonId,
        account: Option<AccountId>,
        seed: usize,
    ) -> AppResult<()> {
        let now = self.now();
        let dispositions = [
            "no_answer",
            "left_voicemail",
            "connected",
            "call_back_later",
            "meeting_booked",
        ];
        let touches = 2 + seed % 4;
        for t in 0..touches {
            let days_ago = ((seed * 13 + t * 19) % 88) as i64 + 1;
            let at = now - Duration::days(days_ago) - Duration::minutes(((seed * 37 + t * 11) % 480) as i64);
            let detail = match (seed + t) % 4 {
                0 | 1 => ActivityDetail::Call {
                    disposition: dispositions[(seed + t) % dispositions.len()].into(),
                    duration_seconds: Some(((seed + t) % 9) as u32 * 60 + 30),
                    notes: Some(
                        [
                            "Asked about their CI pipeline times; call back after the sprint.",
                            "Gatekeeper says the team is evaluating tools this quarter.",
                            "Talked through the migration from Jenkins; wants a demo for the team.",
                        ][(seed + t) % 3]
                            .into(),
                    ),
                },
                2 => ActivityDetail::Email {
                    direction: if t % 2 == 0 {
                        EmailDirection::Sent
                    } else {
                        EmailDirection::Received
                    },
                    message_id: None,
                    thread_id: None,
                    subject: Some("Faster pipelines for your platform team".into()),
                },
                _ => ActivityDetail::Note {
                    text: [
                        "Budget owner is the VP Engineering; renewal of current tooling in the autumn.",
                        "Uses Jira heavily; security team wants audit trails on merges.",
                        "Met at the DevOps meetup; interested in the self-hosted option.",
                    ][seed % 3]
                        .into(),
                },
            };
            self.log_activity(
                actor,
                ActivityInput {
                    person_id: Some(person),
                    account_id: account,
                    opportunity_id: None,
                    occurred_at: Some(at),
                    detail,
                    corrects_id: None,
                },
            )
            .await?;
        }
        Ok(())
    }
}
