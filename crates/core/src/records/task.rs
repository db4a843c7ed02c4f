//! Tasks: something a rep must do, due at a time, made by hand or by a sequence step.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest task title.
const MAX_TITLE_LEN: usize = 200;
/// The longest task description.
const MAX_NOTES_LEN: usize = 32_000;

coded_enum! {
    /// How urgent a task is; the work queue sorts by it after the due time.
    pub enum TaskPriority in "priority" {
        /// Do first.
        High => ("high", "High"),
        /// The default.
        Normal => ("normal", "Normal"),
        /// When there is time.
        Low => ("low", "Low"),
    }
}

coded_enum! {
    /// Whether a task is still to do.
    pub enum TaskStatus in "status" {
        /// To do.
        Open => ("open", "Open"),
        /// Done.
        Done => ("done", "Done"),
        /// No longer needed (the sequence ended, the lead exited).
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl TaskStatus {
    /// Whether a task may move from `self` to `to`: open tasks are done or cancelled, and a done
    /// or cancelled task may be reopened when that was a mistake.
    pub fn may_become(self, to: TaskStatus) -> bool {
        matches!(
            (self, to),
            (TaskStatus::Open, TaskStatus::Done | TaskStatus::Cancelled)
                | (TaskStatus::Done | TaskStatus::Cancelled, TaskStatus::Open)
        )
    }
}

/// Validated input for a new task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    /// What to do, trimmed.
    pub title: String,
    /// Details, trimmed; `None` when blank.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// How urgent it is.
    pub priority: TaskPriority,
}

impl NewTask {
    /// Validates a task: a title of at most 200 characters, notes of at most 32,000, a due time
    /// and a priority code (default `normal`).
    pub fn parse(
        title: &str,
        notes: Option<&str>,
        due_at: Option<DateTime<Utc>>,
        priority: Option<&str>,
    ) -> Result<NewTask, Invalid> {
        let title = crate::error::required_text("title", title, MAX_TITLE_LEN)?;
        let notes = notes.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES_LEN) {
            return Err(Invalid::too_long("notes", MAX_NOTES_LEN));
        }
        let due_at = due_at.ok_or_else(|| Invalid::required("due_at"))?;
        let priority = match priority.map(str::trim).filter(|p| !p.is_empty()) {
            Some(raw) => TaskPriority::parse("priority", raw)?,
            None => TaskPriority::Normal,
        };
        Ok(NewTask {
            title,
            notes,
            due_at,
            priority,
        })
    }
}

/// Whether a task with `status` and `due_at` is overdue at `now`: only open tasks are.
pub fn is_overdue(status: TaskStatus, due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == TaskStatus::Open && due_at < now
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 5, 2, hour, 0, 0).unwrap()
    }

    #[test]
    fn task_defaults_to_normal_priority() {
        let task = NewTask::parse(" Call Ada ", Some("  "), Some(at(9)), None).unwrap();
        assert_eq!(
            (task.title.as_str(), task.priority, task.notes),
            ("Call Ada", TaskPriority::Normal, None)
        );
    }

    #[test]
    fn task_without_title_or_due_time_is_refused() {
        assert_eq!(
            NewTask::parse(" ", None, Some(at(9)), None).unwrap_err().field,
            "title"
        );
        assert_eq!(
            NewTask::parse("Call", None, None, None).unwrap_err().field,
            "due_at"
        );
        assert_eq!(
            NewTask::parse("Call", None, Some(at(9)), Some("urgent"))
                .unwrap_err()
                .code,
            "unknown_value"
        );
    }

    #[test]
    fn only_open_tasks_are_overdue() {
        assert!(is_overdue(TaskStatus::Open, at(9), at(10)));
        assert!(!is_overdue(TaskStatus::Open, at(11), at(10)));
        assert!(!is_overdue(TaskStatus::Done, at(9), at(10)));
    }

    #[test]
    fn closed_tasks_may_only_be_reopened() {
        assert!(TaskStatus::Open.may_become(TaskStatus::Done));
        assert!(TaskStatus::Done.may_become(TaskStatus::Open));
        assert!(!TaskStatus::Done.may_become(TaskStatus::Cancelled));
        assert!(!TaskStatus::Open.may_become(TaskStatus::Open));
    }
}
