//! The demo workspace: a realistic small team, and the records each part of the product adds.
//! Filled only into an empty database, so running the demo twice changes nothing.

use crate::users::NewUserInput;
use crate::{Actor, App, AppResult};

/// The password of every demo user (printed by `prospector demo`).
pub const DEMO_PASSWORD: &str = "prospector-demo";

/// A demo login to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// Who.
    pub name: &'static str,
    /// Login.
    pub email: &'static str,
    /// Role code.
    pub role: &'static str,
}

/// The demo team.
pub const DEMO_TEAM: [DemoLogin; 10] = [
    DemoLogin {
        name: "Alex Morgan",
        email: "alex.admin@demo.example",
        role: "admin",
    },
    DemoLogin {
        name: "Dana Whitfield",
        email: "dana.lead@demo.example",
        role: "team_lead",
    },
    DemoLogin {
        name: "Sam Ortiz",
        email: "sam.sdr@demo.example",
        role: "sdr",
    },
    DemoLogin {
        name: "Priya Nair",
        email: "priya.sdr@demo.example",
        role: "sdr",
    },
    DemoLogin {
        name: "Jordan Lee",
        email: "jordan.sdr@demo.example",
        role: "sdr",
    },
    DemoLogin {
        name: "Mei Chen",
        email: "mei.sdr@demo.example",
        role: "sdr",
    },
    DemoLogin {
        name: "Chris Baker",
        email: "chris.ae@demo.example",
        role: "ae",
    },
    DemoLogin {
        name: "Olivia Grant",
        email: "olivia.ae@demo.example",
        role: "ae",
    },
    DemoLogin {
        name: "Nora Patel",
        email: "nora.marketing@demo.example",
        role: "marketing",
    },
    DemoLogin {
        name: "Ravi Kumar",
        email: "ravi.recruiting@demo.example",
        role: "recruiter",
    },
];

fn team_of(role: &str) -> Option<&'static str> {
    match role {
        "team_lead" | "sdr" => Some("SDR West"),
        "ae" => Some("Account Executives"),
        _ => None,
    }
}

impl App {
    /// Fills an empty database with the demo team; returns false (and does nothing) when the
    /// database already has users.
    pub async fn seed_demo(&self) -> AppResult<bool> {
        if self.count_users().await? > 0 {
            return Ok(false);
        }
        let actor = Actor::cli();
        for member in &DEMO_TEAM {
            self.add_user(
                &actor,
                NewUserInput {
                    email: member.email.into(),
                    name: member.name.into(),
                    role: member.role.into(),
                    team: team_of(member.role).map(str::to_owned),
                    password: Some(DEMO_PASSWORD.into()),
                    time_zone: Some("America/Los_Angeles".into()),
                },
            )
            .await?;
        }
        self.seed_hiring_demo("dana.lead@demo.example").await?;
        self.seed_demo_handbook_and_stories().await?;
        self.seed_demo_records(&self.list_users(&actor, &Default::default(), None, 100).await?)
            .await?;
        Ok(true)
    }
}
