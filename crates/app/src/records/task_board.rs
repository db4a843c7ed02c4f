//! The follow-up board: a rep's tasks as they work them — overdue, due today, upcoming, and done
//! in the last week — with the person each one is about. Team leads (and admins) look at one
//! member's board or the whole team's; what they see is the record scope they already have.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use prospector_core::ids::UserId;
use prospector_core::records::TaskStatus;
use prospector_core::role::Role;
use prospector_core::sequence::schedule::local_instant;
use prospector_store::records::PersonId;
use prospector_store::records::people::{self, PersonKind};
use prospector_store::records::tasks::{self, Task, TaskFilter};

use super::{MAX_PAGE, require_records, scope_for};
use crate::{Actor, App, AppError, AppResult};

/// How far back "done recently" reaches.
pub const DONE_RECENTLY_DAYS: i64 = 7;

/// Whose tasks the board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardOwner {
    /// The actor's own.
    Me,
    /// Everyone's the actor may see (a team lead's team, an admin's everyone).
    Team,
    /// One user's (within what the actor may see).
    User(UserId),
}

/// A task with what the board shows about its person.
#[derive(Debug, Clone)]
pub struct BoardTask {
    /// The task.
    pub task: Task,
    /// The person's name, when the task is about one.
    pub person_name: Option<String>,
    /// Lead or contact (for the link).
    pub person_kind: Option<PersonKind>,
}

/// The board, each column soonest due first (done: latest first).
#[derive(Debug, Clone, Default)]
pub struct TaskBoard {
    /// Open and due before today (in the actor's time zone).
    pub overdue: Vec<BoardTask>,
    /// Open and due today.
    pub today: Vec<BoardTask>,
    /// Open and due after today.
    pub upcoming: Vec<BoardTask>,
    /// Done in the last [`DONE_RECENTLY_DAYS`] days.
    pub done_recently: Vec<BoardTask>,
    /// More open tasks than one board holds: the API lists them all.
    pub truncated: bool,
}

impl App {
    /// The follow-up board of `owner`, as `actor` may see it.
    pub async fn task_board(&self, actor: &Actor, owner: BoardOwner) -> AppResult<TaskBoard> {
        require_records(actor)?;
        let leads = matches!(actor.role(), Role::TeamLead | Role::Admin);
        let owner_id = match owner {
            BoardOwner::Me => Some(
                actor
                    .user_id()
                    .ok_or_else(|| AppError::Forbidden("the board is a user's own".into()))?,
            ),
            BoardOwner::User(id) if leads || actor.user_id() == Some(id) => Some(id),
            BoardOwner::Team if leads => None,
            _ => {
                return Err(AppError::Forbidden(
                    "only team leads see other people's tasks".into(),
                ));
            }
        };
        let now = self.now();
        let tz = actor
            .as_user()
            .and_then(|u| u.time_zone.parse::<chrono_tz::Tz>().ok())
            .unwrap_or(chrono_tz::UTC);
        let day_start = local_instant(tz, now.with_timezone(&tz).date_naive().and_time(NaiveTime::MIN));
        let day_end = day_start + Duration::days(1);
        let scope = scope_for(actor);
        let mut reader = self.store().reader();
        let open = TaskFilter {
            owner_id,
            status: Some(TaskStatus::Open),
            ..TaskFilter::default()
        };
        let open = tasks::list(&mut reader, &open, scope, None, MAX_PAGE).await?;
        let done = TaskFilter {
            owner_id,
            status: Some(TaskStatus::Done),
            completed_since: Some(now - Duration::days(DONE_RECENTLY_DAYS)),
            ..TaskFilter::default()
        };
        let mut done = tasks::list(&mut reader, &done, scope, None, MAX_PAGE).await?;
        done.sort_by(|a, b| b.completed_at.cmp(&a.completed_at).then(b.id.cmp(&a.id)));

        let ids: Vec<PersonId> = open.iter().chain(&done).filter_map(|t| t.person_id).collect();
        let people: HashMap<PersonId, (String, PersonKind)> = people::by_ids(&mut reader, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.full_name(), p.kind)))
            .collect();
        let with_person = |task: Task| {
            let person = task.person_id.and_then(|id| people.get(&id));
            BoardTask {
                person_name: person.map(|(n, _)| n.clone()),
                person_kind: person.map(|(_, k)| *k),
                task,
            }
        };
        let mut board = TaskBoard {
            truncated: i64::try_from(open.len()).unwrap_or(i64::MAX) >= MAX_PAGE,
            ..TaskBoard::default()
        };
        for task in open {
            let column = column_of(task.due_at, day_start, day_end);
            let item = with_person(task);
            match column {
                Column::Overdue => board.overdue.push(item),
                Column::Today => board.today.push(item),
                Column::Upcoming => board.upcoming.push(item),
            }
        }
        board.done_recently = done.into_iter().map(with_person).collect();
        Ok(board)
    }
}

enum Column {
    Overdue,
    Today,
    Upcoming,
}

fn column_of(due: DateTime<Utc>, day_start: DateTime<Utc>, day_end: DateTime<Utc>) -> Column {
    if due < day_start {
        Column::Overdue
    } else if due < day_end {
        Column::Today
    } else {
        Column::Upcoming
    }
}
