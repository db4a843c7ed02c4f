//! Merging two people or two accounts, and undoing it. A merge keeps every activity (they move
//! to the survivor), records what moved and both records as they were, and is audited; undo puts
//! everything back as long as the survivor has not been changed since.

use prospector_core::records::activity::ActivityDetail;
use prospector_store::records::accounts;
use prospector_store::records::activities::Subject;
use prospector_store::records::merges::{self, Merge, Moved};
use prospector_store::records::people::{self, Person, PersonKind};
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{AccountId, MergeId, PersonId};
use serde::{Deserialize, Serialize};

use super::stale_on_write;
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Serialize, Deserialize)]
struct PersonSnapshot {
    survivor_before: Person,
    survivor_after: Person,
    loser: Person,
    moved: Vec<Moved>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AccountSnapshot {
    survivor_version: i64,
    loser: accounts::Account,
    moved: Vec<Moved>,
}

impl App {
    /// Merges person `loser` into `survivor`: the loser's activities, tasks and opportunities
    /// move to the survivor, the survivor's blank fields are filled from the loser, and the loser
    /// is hidden. The actor must be allowed to change both.
    pub async fn merge_people(&self, actor: &Actor, survivor: PersonId, loser: PersonId) -> AppResult<Merge> {
        if survivor == loser {
            return Err(prospector_core::Invalid::new(
                "loser_id",
                "same_record",
                "a person cannot be merged into itself",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.person_for(&mut tx, actor, None, survivor, true).await?;
        let lost = self.person_for(&mut tx, actor, None, loser, true).await?;
        let mut moved = Vec::new();
        for (table, column) in [
            ("activities", "person_id"),
            ("tasks", "person_id"),
            ("opportunities", "person_id"),
        ] {
            moved.push(merges::move_rows(&mut tx, table, column, loser.0, survivor.0).await?);
        }
        let mut after = before.clone();
        macro_rules! fill {
            ($($f:ident),*) => {$( if after.$f.is_none() { after.$f = lost.$f.clone(); } )*};
        }
        fill!(
            first_name, last_name, email, phone, title, company, account_id, country, region, time_zone,
            source, owner_id
        );
        after.score = after.score.max(lost.score);
        after.mql_count += lost.mql_count;
        after.first_mql_at = match (after.first_mql_at, lost.first_mql_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        after.do_not_call |= lost.do_not_call;
        after.unsubscribed |= lost.unsubscribed;
        after.updated_at = now;
        after.version = before.version + 1;
        people::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("person"))?;
        let mut hidden = lost.clone();
        hidden.kind = PersonKind::Merged;
        hidden.merged_into = Some(survivor);
        hidden.updated_at = now;
        hidden.version = lost.version + 1;
        people::update(&mut tx, &hidden)
            .await
            .map_err(stale_on_write("person"))?;
        search::remove(&mut tx, loser.0).await?;
        search::put(&mut tx, DocKind::Person, survivor.0, &after.search_body()).await?;
        let snapshot = PersonSnapshot {
            survivor_before: before,
            survivor_after: after.clone(),
            loser: lost,
            moved,
        };
        let merge = Merge {
            id: MergeId::new_at(now),
            kind: "person".into(),
            survivor_id: survivor.0,
            loser_id: loser.0,
            snapshot: serde_json::to_value(&snapshot).map_err(|e| AppError::Internal(e.to_string()))?,
            actor_id: actor.user_id(),
            merged_at: now,
            undone_at: None,
        };
        merges::insert(&mut tx, &merge).await?;
        let note = format!(
            "Merged {} ({}) into this record",
            snapshot.loser.full_name(),
            loser
        );
        self.append_activity(
            &mut tx,
            actor,
            Subject::Person(survivor),
            None,
            ActivityDetail::Note { text: note },
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "person.merge",
                entity_type: "merge",
                entity_id: Some(merge.id.to_string()),
                before: Some(&snapshot.loser),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(merge)
    }

    /// Merges account `loser` into `survivor`: its people, opportunities, activities, tasks,
    /// domains and child accounts move to the survivor.
    pub async fn merge_accounts(
        &self,
        actor: &Actor,
        survivor: AccountId,
        loser: AccountId,
    ) -> AppResult<Merge> {
        if survivor == loser {
            return Err(prospector_core::Invalid::new(
                "loser_id",
                "same_record",
                "an account cannot be merged into itself",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let keep = self.account_for(&mut tx, actor, survivor, true).await?;
        let lost = self.account_for(&mut tx, actor, loser, true).await?;
        let mut moved = Vec::new();
        for (table, column) in [
            ("people", "account_id"),
            ("opportunities", "account_id"),
            ("activities", "account_id"),
            ("tasks", "account_id"),
            ("account_domains", "account_id"),
            ("accounts", "parent_id"),
        ] {
            moved.push(merges::move_rows(&mut tx, table, column, loser.0, survivor.0).await?);
        }
        let mut hidden = lost.clone();
        hidden.domains = Vec::new();
        hidden.merged_into = Some(survivor);
        hidden.updated_at = now;
        hidden.version = lost.version + 1;
        accounts::update(&mut tx, &hidden)
            .await
            .map_err(stale_on_write("account"))?;
        let mut after = accounts::get(&mut tx, survivor)
            .await?
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        after.updated_at = now;
        after.version = keep.version + 1;
        accounts::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("account"))?;
        self.resegment(&mut tx, survivor).await?;
        search::remove(&mut tx, loser.0).await?;
        search::put(&mut tx, DocKind::Account, survivor.0, &after.search_body()).await?;
        let snapshot = AccountSnapshot {
            survivor_version: after.version,
            loser: lost,
            moved,
        };
        let merge = Merge {
            id: MergeId::new_at(now),
            kind: "account".into(),
            survivor_id: survivor.0,
            loser_id: loser.0,
            snapshot: serde_json::to_value(&snapshot).map_err(|e| AppError::Internal(e.to_string()))?,
            actor_id: actor.user_id(),
            merged_at: now,
            undone_at: None,
        };
        merges::insert(&mut tx, &merge).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "account.merge",
                entity_type: "merge",
                entity_id: Some(merge.id.to_string()),
                before: Some(&snapshot.loser),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(merge)
    }

    /// Undoes a merge: the loser comes back with everything that moved. Refused (409) when it was
    /// undone already or the survivor changed since.
    pub async fn undo_merge(&self, actor: &Actor, id: MergeId) -> AppResult<Merge> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let merge = merges::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("merge".into()))?;
        let conflict = |message: String| AppError::Conflict {
            code: "cannot_undo",
            message,
            field: None,
        };
        if merge.undone_at.is_some() {
            return Err(conflict("this merge was undone already".into()));
        }
        match merge.kind.as_str() {
            "person" => {
                let snap: PersonSnapshot = serde_json::from_value(merge.snapshot.clone())
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let survivor = self
                    .person_for(&mut tx, actor, None, PersonId(merge.survivor_id), true)
                    .await?;
                if survivor.version != snap.survivor_after.version {
                    return Err(conflict(
                        "the surviving person was changed after the merge; undo those changes first".into(),
                    ));
                }
                for m in &snap.moved {
                    merges::move_back(&mut tx, m, merge.loser_id).await?;
                }
                let mut restored_survivor = snap.survivor_before.clone();
                restored_survivor.updated_at = now;
                restored_survivor.version = survivor.version + 1;
                people::update(&mut tx, &restored_survivor)
                    .await
                    .map_err(stale_on_write("person"))?;
                let current_loser = people::get(&mut tx, PersonId(merge.loser_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("person".into()))?;
                let mut loser = snap.loser.clone();
                loser.updated_at = now;
                loser.version = current_loser.version + 1;
                people::update(&mut tx, &loser)
                    .await
                    .map_err(stale_on_write("person"))?;
                search::put(&mut tx, DocKind::Person, loser.id.0, &loser.search_body()).await?;
                search::put(
                    &mut tx,
                    DocKind::Person,
                    restored_survivor.id.0,
                    &restored_survivor.search_body(),
                )
                .await?;
            }
            "account" => {
                let snap: AccountSnapshot = serde_json::from_value(merge.snapshot.clone())
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let survivor = self
                    .account_for(&mut tx, actor, AccountId(merge.survivor_id), true)
                    .await?;
                if survivor.version != snap.survivor_version {
                    return Err(conflict(
                        "the surviving account was changed after the merge; undo those changes first".into(),
                    ));
                }
                for m in &snap.moved {
                    merges::move_back(&mut tx, m, merge.loser_id).await?;
                }
                let current_loser = accounts::get(&mut tx, AccountId(merge.loser_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("account".into()))?;
                let mut loser = snap.loser.clone();
                loser.updated_at = now;
                loser.version = current_loser.version + 1;
                accounts::update(&mut tx, &loser)
                    .await
                    .map_err(stale_on_write("account"))?;
                let survivor = accounts::get(&mut tx, survivor.id)
                    .await?
                    .ok_or_else(|| AppError::NotFound("account".into()))?;
                self.resegment(&mut tx, survivor.id).await?;
                self.resegment(&mut tx, loser.id).await?;
                search::put(&mut tx, DocKind::Account, loser.id.0, &loser.search_body()).await?;
                search::put(&mut tx, DocKind::Account, survivor.id.0, &survivor.search_body()).await?;
            }
            other => return Err(AppError::Internal(format!("unknown merge kind {other}"))),
        }
        if !merges::mark_undone(&mut tx, id, now).await? {
            return Err(conflict("this merge was undone already".into()));
        }
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "merge.undo",
                entity_type: "merge",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(&merge.loser_id),
            },
        )
        .await?;
        tx.commit().await?;
        let mut merge = merge;
        merge.undone_at = Some(now);
        Ok(merge)
    }
}
