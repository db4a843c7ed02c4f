//! Records: accounts, people (leads and contacts in one table), opportunities, activities, tasks,
//! merges, the editable lists (reasons, dispositions, frameworks) and full-text search.
//!
//! Who may see what is decided in `app`; here it arrives as a [`Scope`], which every list, count
//! and visibility check turns into the same SQL, so a record is in a list exactly when
//! [`people::visible`] (and friends) say the actor may see it.

pub mod accounts;
pub mod activities;
pub mod catalogues;
pub mod merges;
pub mod opportunities;
pub mod org_chart;
pub mod people;
pub mod search;
pub mod tasks;
pub mod views;

use prospector_core::ids::{TeamId, UserId};

use crate::error::StoreError;
use crate::query::Query;

prospector_core::define_id!(
    /// A lead or contact.
    PersonId
);
prospector_core::define_id!(
    /// An account (a company).
    AccountId
);
prospector_core::define_id!(
    /// An opportunity.
    OpportunityId
);
prospector_core::define_id!(
    /// A task.
    TaskId
);
prospector_core::define_id!(
    /// A merge of two people or two accounts, kept so it can be undone.
    MergeId
);

crate::value::id_to_sql!(
    PersonId,
    AccountId,
    OpportunityId,
    TaskId,
    MergeId,
    prospector_core::records::ActivityId
);

/// Which records an actor may see, as the store applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything (admins, the command line, the system).
    All,
    /// Records the user owns, and the unowned pool (SDRs).
    OwnAndPool(UserId),
    /// Records owned by anyone in the team, and the unowned pool (team leads).
    TeamAndPool(UserId, Option<TeamId>),
    /// Opportunities where the user is the AE, the people and accounts on them, and records the
    /// user owns (AEs).
    Opportunities(UserId),
    /// Nothing (roles that do not work records).
    Nothing,
}

/// Which column of a table holds the owner, and how AEs reach its rows, for [`scope_sql`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scoped {
    People,
    Accounts,
    Opportunities,
    Tasks,
}

/// The SQL condition (starting with ` AND`) limiting `table` (aliased as itself) to `scope`,
/// binding into `q`.
pub(crate) fn scope_sql(scope: Scope, table: Scoped, q: &mut Query) -> String {
    let (t, owner) = match table {
        Scoped::People => ("people", "owner_id"),
        Scoped::Accounts => ("accounts", "owner_id"),
        Scoped::Opportunities => ("opportunities", "sdr_id"),
        Scoped::Tasks => ("tasks", "owner_id"),
    };
    match scope {
        Scope::All => String::new(),
        Scope::Nothing => " AND 1 = 0".into(),
        Scope::OwnAndPool(me) => {
            let n = q.push_bind(me);
            match table {
                // An opportunity has no pool: it belongs to its SDR and its AE.
                Scoped::Opportunities => format!(" AND ({t}.sdr_id = ${n} OR {t}.ae_id = ${n})"),
                _ => format!(" AND ({t}.{owner} = ${n} OR {t}.{owner} IS NULL)"),
            }
        }
        Scope::TeamAndPool(me, team) => {
            let n = q.push_bind(me);
            let team_owner = match team {
                Some(team) => {
                    let m = q.push_bind(team);
                    format!(" OR {t}.{owner} IN (SELECT id FROM users WHERE team_id = ${m})")
                }
                None => String::new(),
            };
            match table {
                Scoped::Opportunities => format!(
                    " AND ({t}.sdr_id = ${n} OR {t}.ae_id = ${n}{})",
                    team_owner.replace(&format!("{t}.{owner}"), &format!("{t}.sdr_id"))
                ),
                _ => format!(" AND ({t}.{owner} = ${n} OR {t}.{owner} IS NULL{team_owner})"),
            }
        }
        Scope::Opportunities(me) => {
            let n = q.push_bind(me);
            match table {
                Scoped::People => format!(
                    " AND ({t}.owner_id = ${n} OR {t}.id IN (SELECT person_id FROM opportunities WHERE ae_id = ${n}))"
                ),
                Scoped::Accounts => format!(
                    " AND ({t}.owner_id = ${n} OR {t}.id IN (SELECT account_id FROM opportunities WHERE ae_id = ${n}))"
                ),
                Scoped::Opportunities => format!(" AND ({t}.ae_id = ${n} OR {t}.sdr_id = ${n})"),
                Scoped::Tasks => format!(" AND {t}.owner_id = ${n}"),
            }
        }
    }
}

/// Sort order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    #[default]
    Desc,
}

impl Direction {
    pub(crate) fn sql(self) -> (&'static str, &'static str) {
        match self {
            Direction::Asc => ("ASC", ">"),
            Direction::Desc => ("DESC", "<"),
        }
    }
}

/// A count that stops at a cap, so counting a huge filter costs no more than counting the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Count {
    /// How many rows match, up to the cap.
    pub value: i64,
    /// Whether more rows match than were counted.
    pub capped: bool,
}

/// Lower-cased first three letters of the surname plus the first letter of the given name: the
/// blocking key for fuzzy duplicate lookup on entry.
pub fn name_key(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let letters = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let last = letters(last?);
    if last.is_empty() {
        return None;
    }
    let mut key: String = last.chars().take(3).collect();
    if let Some(f) = first.map(letters).and_then(|f| f.chars().next()) {
        key.push(f);
    }
    Some(key)
}

/// The last seven digits of a phone number, shared by every spelling of it.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then(|| digits[digits.len() - 7..].to_owned())
}
