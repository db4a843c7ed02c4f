//! Roles and what each may do. Permission rules live here as data so `app` asks one question
//! (`role.may(Permission::…)`) instead of scattering role checks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// What a user is on the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    TeamLead,
    Sdr,
    Ae,
    Marketing,
    Recruiter,
    Interviewer,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::TeamLead,
        Role::Sdr,
        Role::Ae,
        Role::Marketing,
        Role::Recruiter,
        Role::Interviewer,
    ];

    /// The stable snake_case code used in the API, the CLI and storage.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::TeamLead => "team_lead",
            Role::Sdr => "sdr",
            Role::Ae => "ae",
            Role::Marketing => "marketing",
            Role::Recruiter => "recruiter",
            Role::Interviewer => "interviewer",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::TeamLead => "Team lead",
            Role::Sdr => "SDR",
            Role::Ae => "Account executive",
            Role::Marketing => "Marketing",
            Role::Recruiter => "Recruiter",
            Role::Interviewer => "Interviewer",
        }
    }

    /// Parses a role code, refusing unknown ones with the allowed list (reported under `field`).
    pub fn parse(field: &str, raw: &str) -> Result<Role, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        Role::ALL.into_iter().find(|r| r.code() == wanted).ok_or_else(|| {
            let allowed: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
            Invalid::unknown_value(field, raw, &allowed)
        })
    }

    /// Whether this role grants `permission`.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::TeamLead => matches!(permission, ManageOwnTokens | ViewTeam),
            Role::Sdr | Role::Ae | Role::Marketing | Role::Recruiter | Role::Interviewer => {
                matches!(permission, ManageOwnTokens)
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse("role", s)
    }
}

/// Something a user may be allowed to do that is not about one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Add, deactivate and change users and teams.
    ManageUsers,
    /// Create and revoke API tokens for any user.
    ManageAllTokens,
    /// Create and revoke one's own API tokens.
    ManageOwnTokens,
    /// Read the audit log.
    ReadAudit,
    /// See the team's members and their numbers.
    ViewTeam,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_role_names_the_field_and_allowed_values() {
        let err = Role::parse("role", "boss").unwrap_err();
        assert_eq!(err.field, "role");
        assert!(
            err.message
                .contains("admin, team_lead, sdr, ae, marketing, recruiter, interviewer")
        );
        assert_eq!(Role::parse("role", " Team_Lead ").unwrap(), Role::TeamLead);
    }

    #[test]
    fn only_admins_manage_users() {
        assert!(Role::Admin.may(Permission::ManageUsers));
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
            assert!(!role.may(Permission::ManageUsers), "{role} must not manage users");
        }
        assert!(!Role::TeamLead.may(Permission::ReadAudit));
        assert!(!Role::Sdr.may(Permission::ReadAudit));
    }
}
