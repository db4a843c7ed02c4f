//! A sequence definition: a name, its ordered steps and the settings that decide when touches may
//! happen and what a reply does. Built only through [`SequenceDefinition::parse`], so a definition
//! in hand always has at least one step, in day order.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::step::{Step, StepDraft};
use crate::Invalid;
use crate::error::required_text;

/// Sequence names are labels in lists.
const MAX_NAME_CHARS: usize = 120;
/// A cadence longer than this is a campaign, not a sequence.
pub const MAX_STEPS: usize = 50;
/// A year and a bit of public holidays for several countries; more is a data-entry mistake.
pub const MAX_HOLIDAYS: usize = 400;
/// The re-contact window cannot exceed two years.
pub const MAX_RECONTACT_DAYS: u16 = 730;

/// The hours of the recipient's local day during which touches may be due, e.g. 08:00–18:00.
/// Always within one day (start before end): overnight windows make no sense for sales outreach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowDraft", into = "WindowDraft")]
pub struct SendingWindow {
    start: NaiveTime,
    end: NaiveTime,
}

/// The stored and transmitted shape of a window: `{"start":"08:00","end":"18:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDraft {
    /// Opening time, `HH:MM`.
    pub start: String,
    /// Closing time, `HH:MM` (exclusive).
    pub end: String,
}

impl SendingWindow {
    /// A window from `start` (inclusive) to `end` (exclusive); refuses an empty or inverted window.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<SendingWindow, Invalid> {
        if start >= end {
            return Err(Invalid::new(
                "sending_window",
                "invalid_window",
                format!(
                    "the sending window must open before it closes (got {} to {})",
                    fmt_time(start),
                    fmt_time(end)
                ),
            ));
        }
        Ok(SendingWindow { start, end })
    }

    /// Parses `HH:MM` times.
    pub fn parse(start: &str, end: &str) -> Result<SendingWindow, Invalid> {
        SendingWindow::new(
            parse_time("sending_window.start", start)?,
            parse_time("sending_window.end", end)?,
        )
    }

    /// When the window opens each local day.
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// When the window closes each local day (exclusive).
    pub fn end(&self) -> NaiveTime {
        self.end
    }
}

impl Default for SendingWindow {
    /// 08:00–18:00: business hours in most of the world.
    fn default() -> Self {
        SendingWindow {
            start: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl TryFrom<WindowDraft> for SendingWindow {
    type Error = Invalid;
    fn try_from(draft: WindowDraft) -> Result<Self, Self::Error> {
        SendingWindow::parse(&draft.start, &draft.end)
    }
}

impl From<SendingWindow> for WindowDraft {
    fn from(window: SendingWindow) -> Self {
        WindowDraft {
            start: fmt_time(window.start),
            end: fmt_time(window.end),
        }
    }
}

fn parse_time(field: &str, raw: &str) -> Result<NaiveTime, Invalid> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| {
        Invalid::new(
            field,
            "invalid_time",
            format!("'{}' is not a time like 08:00", raw.trim()),
        )
    })
}

fn fmt_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// What a reply does to the enrollment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyBehaviour {
    /// The conversation has started; the sequence is over (the usual choice).
    #[default]
    Finish,
    /// Hold the remaining steps so the rep can resume them if the conversation stalls.
    Pause,
}

impl ReplyBehaviour {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ReplyBehaviour::Finish => "finish",
            ReplyBehaviour::Pause => "pause",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ReplyBehaviour::Finish => "Finish the sequence",
            ReplyBehaviour::Pause => "Pause the sequence",
        }
    }
}

/// When touches may happen and how the sequence reacts. Times are always read in the recipient's
/// time zone, because a 9 a.m. email is only polite where it is 9 a.m.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceSettings {
    /// Local hours during which steps become due.
    pub sending_window: SendingWindow,
    /// Skip Saturdays and Sundays.
    pub business_days_only: bool,
    /// Local calendar dates on which nothing is due (the team's list; per-country lists are the
    /// app's to merge in before scheduling).
    pub holidays: BTreeSet<NaiveDate>,
    /// What a reply does.
    pub on_reply: ReplyBehaviour,
    /// Days after an enrollment finished during which the person may not be enrolled again.
    pub recontact_window_days: u16,
    /// Automatic emails carry a tracking pixel so opens are counted. Off unless a sequence opts
    /// in: opens are unreliable (image blocking, privacy proxies) and some teams would rather not.
    #[serde(default)]
    pub track_opens: bool,
}

impl Default for SequenceSettings {
    /// 08:00–18:00 on business days, no holidays, finish on reply, 90 days before re-contact.
    fn default() -> Self {
        SequenceSettings {
            sending_window: SendingWindow::default(),
            business_days_only: true,
            holidays: BTreeSet::new(),
            on_reply: ReplyBehaviour::Finish,
            recontact_window_days: 90,
            track_opens: false,
        }
    }
}

/// A sequence as it comes from a form or the API, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceDraft {
    /// The sequence's name.
    pub name: String,
    /// Steps in the order they happen.
    pub steps: Vec<StepDraft>,
    /// Window, days, holidays and reactions.
    #[serde(default)]
    pub settings: SequenceSettings,
}

/// A checked sequence definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SequenceDraft", into = "SequenceDraft")]
pub struct SequenceDefinition {
    name: String,
    steps: Vec<Step>,
    settings: SequenceSettings,
}

impl SequenceDefinition {
    /// Checks a draft: a name, 1..=[`MAX_STEPS`] valid steps whose day offsets never go backwards,
    /// and settings within bounds.
    pub fn parse(draft: &SequenceDraft) -> Result<SequenceDefinition, Invalid> {
        let name = required_text("name", &draft.name, MAX_NAME_CHARS)?;
        if draft.steps.is_empty() {
            return Err(Invalid::new(
                "steps",
                "no_steps",
                "a sequence needs at least one step",
            ));
        }
        if draft.steps.len() > MAX_STEPS {
            return Err(Invalid::new(
                "steps",
                "too_many_steps",
                format!("a sequence has at most {MAX_STEPS} steps"),
            ));
        }
        let steps = draft
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| Step::parse(i, s))
            .collect::<Result<Vec<_>, _>>()?;
        // Offsets count from enrollment, so a later step on an earlier day would run out of order.
        for (i, pair) in steps.windows(2).enumerate() {
            if pair[1].day_offset < pair[0].day_offset {
                return Err(Invalid::new(
                    format!("steps[{}].day_offset", i + 1),
                    "out_of_order",
                    format!(
                        "step {} is on day {} but step {} before it is on day {}; steps must be in day order",
                        i + 2,
                        pair[1].day_offset,
                        i + 1,
                        pair[0].day_offset
                    ),
                ));
            }
        }
        let settings = &draft.settings;
        if settings.holidays.len() > MAX_HOLIDAYS {
            return Err(Invalid::new(
                "settings.holidays",
                "too_many_holidays",
                format!("at most {MAX_HOLIDAYS} holidays can be listed"),
            ));
        }
        if settings.recontact_window_days > MAX_RECONTACT_DAYS {
            return Err(Invalid::new(
                "settings.recontact_window_days",
                "out_of_range",
                format!("the re-contact window is at most {MAX_RECONTACT_DAYS} days"),
            ));
        }
        Ok(SequenceDefinition {
            name,
            steps,
            settings: settings.clone(),
        })
    }

    /// The sequence's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The steps, in order; never empty.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Window, days, holidays and reactions.
    pub fn settings(&self) -> &SequenceSettings {
        &self.settings
    }

    /// The last step's day: how long the sequence runs without pauses, in calendar days.
    pub fn length_days(&self) -> u16 {
        self.steps.last().map_or(0, |s| s.day_offset)
    }
}

impl TryFrom<SequenceDraft> for SequenceDefinition {
    type Error = Invalid;
    fn try_from(draft: SequenceDraft) -> Result<Self, Self::Error> {
        SequenceDefinition::parse(&draft)
    }
}

impl From<SequenceDefinition> for SequenceDraft {
    fn from(def: SequenceDefinition) -> Self {
        SequenceDraft {
            name: def.name,
            steps: def.steps.iter().map(Step::to_draft).collect(),
            settings: def.settings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(day: i64) -> StepDraft {
        StepDraft {
            kind: "call".into(),
            day_offset: day,
            ..StepDraft::default()
        }
    }

    fn draft(steps: Vec<StepDraft>) -> SequenceDraft {
        SequenceDraft {
            name: "Outbound".into(),
            steps,
            settings: SequenceSettings::default(),
        }
    }

    #[test]
    fn sequence_without_steps_is_refused() {
        let err = SequenceDefinition::parse(&draft(vec![])).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("steps", "no_steps"));
    }

    #[test]
    fn steps_out_of_day_order_are_refused() {
        let err = SequenceDefinition::parse(&draft(vec![call(0), call(5), call(3)])).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("steps[2].day_offset", "out_of_order")
        );
    }

    #[test]
    fn step_errors_name_the_step() {
        let err = SequenceDefinition::parse(&draft(vec![call(0), call(-2)])).unwrap_err();
        assert_eq!(err.field, "steps[1].day_offset");
    }

    #[test]
    fn inverted_window_is_refused() {
        assert_eq!(
            SendingWindow::parse("18:00", "08:00").unwrap_err().code,
            "invalid_window"
        );
        assert_eq!(
            SendingWindow::parse("8am", "18:00").unwrap_err().code,
            "invalid_time"
        );
    }

    #[test]
    fn definition_round_trips_through_json() {
        let def = SequenceDefinition::parse(&draft(vec![call(0), call(2)])).unwrap();
        let json = serde_json::to_value(&def).unwrap();
        assert_eq!(
            json["settings"]["sending_window"],
            serde_json::json!({"start":"08:00","end":"18:00"})
        );
        assert_eq!(json["settings"]["on_reply"], "finish");
        assert_eq!(json["steps"][0]["kind"], "call");
        let back: SequenceDefinition = serde_json::from_value(json).unwrap();
        assert_eq!(back, def);
    }

    #[test]
    fn invalid_json_definition_is_refused_on_load() {
        let json = serde_json::json!({"name":"x","steps":[]});
        assert!(serde_json::from_value::<SequenceDefinition>(json).is_err());
    }
}
