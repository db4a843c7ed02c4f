//! What the sweep reads once per batch of claimed enrollments rather than once per due step: the
//! people, which of their addresses are on the suppression list, and each enrollment's last
//! Message-ID (for threading). Three reads per batch instead of four per step keep a sweep of
//! thousands of due steps short on PostgreSQL, where each statement is a round trip.

use std::collections::HashMap;

use prospector_store::WriteTx;
use prospector_store::records::PersonId;
use prospector_store::records::people::{self, Person};
use prospector_store::sequences::{self, EnrollmentRow};
use uuid::Uuid;

use crate::AppResult;

/// Facts about one batch, read inside its transaction (so they are what the steps would have read).
#[derive(Debug, Default)]
pub(super) struct BatchFacts {
    people: HashMap<PersonId, Person>,
    suppressed: HashMap<String, String>,
    last_message: HashMap<Uuid, String>,
}

impl BatchFacts {
    /// Reads the facts of `rows` in three statements.
    pub(super) async fn load(tx: &mut WriteTx, rows: &[EnrollmentRow]) -> AppResult<Self> {
        let ids: Vec<PersonId> = rows.iter().map(|r| r.person_id).collect();
        let people: HashMap<PersonId, Person> = people::by_ids(tx, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let keys: Vec<String> = people
            .values()
            .filter_map(|p| p.email.as_ref().map(|e| e.fold_gmail()))
            .collect();
        let suppressed = sequences::suppressions(tx, &keys).await?;
        let enrollments: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let last_message = sequences::last_message_ids(tx, &enrollments).await?;
        Ok(Self {
            people,
            suppressed,
            last_message,
        })
    }

    /// The person, unless removed.
    pub(super) fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    /// Why `person`'s address is suppressed, if it is.
    pub(super) fn suppression(&self, person: &Person) -> Option<&str> {
        let key = person.email.as_ref()?.fold_gmail();
        self.suppressed.get(&key).map(String::as_str)
    }

    /// The enrollment's last Message-ID.
    pub(super) fn last_message_id(&self, enrollment: Uuid) -> Option<String> {
        self.last_message.get(&enrollment).cloned()
    }
}
