//! Reporting lines: who reports to whom among the people of an account, drawn as its org chart.

use prospector_core::Invalid;
use prospector_store::records::org_chart;
use prospector_store::records::people::{self, Person, PersonFilter, PersonSort};
use prospector_store::records::{AccountId, Direction, PersonId};

use super::scope_for;
use crate::audit::{self, Change};
use crate::{Actor, App, AppResult};

/// The most people an org chart draws; a bigger account shows its first ones and says so.
pub const ORG_CHART_MAX: i64 = 200;

/// One person on an account with whom they report to.
#[derive(Debug, Clone)]
pub struct OrgMember {
    /// The person.
    pub person: Person,
    /// Their manager, when known (and on the same account).
    pub reports_to: Option<PersonId>,
}

impl App {
    /// The people of an account the actor may see, oldest first, with their reporting lines.
    pub async fn account_people(&self, actor: &Actor, account: AccountId) -> AppResult<Vec<OrgMember>> {
        let mut reader = self.store().reader();
        self.account_for(&mut reader, actor, account, false).await?;
        let filter = PersonFilter {
            account_id: Some(account),
            ..PersonFilter::default()
        };
        let found = people::list(
            &mut reader,
            &filter,
            scope_for(actor),
            PersonSort::CreatedAt,
            Direction::Asc,
            None,
            ORG_CHART_MAX,
        )
        .await?;
        let ids: Vec<PersonId> = found.iter().map(|p| p.id).collect();
        let managers = org_chart::managers_of(&mut reader, &ids).await?;
        Ok(found
            .into_iter()
            .map(|person| {
                let reports_to = managers
                    .iter()
                    .find(|(id, _)| *id == person.id)
                    .map(|(_, m)| *m)
                    .filter(|m| ids.contains(m));
                OrgMember { person, reports_to }
            })
            .collect())
    }

    /// Whom a person reports to.
    pub async fn reports_to(&self, actor: &Actor, id: PersonId) -> AppResult<Option<PersonId>> {
        let mut reader = self.store().reader();
        self.person_for(&mut reader, actor, None, id, false).await?;
        Ok(org_chart::manager_of(&mut reader, id).await?)
    }

    /// Sets (or clears) whom a person reports to: someone else on the same account, and never in
    /// a loop.
    pub async fn set_reports_to(
        &self,
        actor: &Actor,
        id: PersonId,
        manager: Option<PersonId>,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let person = self.person_for(&mut tx, actor, None, id, true).await?;
        let before = org_chart::manager_of(&mut tx, id).await?;
        if let Some(m) = manager {
            let boss = self.person_for(&mut tx, actor, None, m, false).await?;
            if boss.account_id.is_none() || boss.account_id != person.account_id {
                return Err(Invalid::new(
                    "reports_to_id",
                    "different_account",
                    "a person reports to someone on the same account",
                )
                .into());
            }
            // Walk up from the manager; meeting the person again would close a loop.
            let mut at = Some(m);
            let mut steps = 0;
            while let Some(up) = at {
                if up == id {
                    return Err(Invalid::new(
                        "reports_to_id",
                        "cycle",
                        "that would make the person their own manager",
                    )
                    .into());
                }
                steps += 1;
                if steps > 100 {
                    break;
                }
                at = org_chart::manager_of(&mut tx, up).await?;
            }
        }
        org_chart::set_manager(&mut tx, id, manager).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "person.reports_to",
                entity_type: "person",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&manager),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
