//! The enrollment state machine: one person going through one sequence.
//!
//! ```text
//! start ─► active ◄──────────► paused (by hand | out of office | replied, when replies pause)
//!            │                    │
//!            └──────► finished ◄──┘  (replied, bounced, unsubscribed, meeting booked,
//!                                     exit status, completed with no reply, by hand)
//! ```
//!
//! Every transition returns the new enrollment and the side effects the app must carry out in the
//! same transaction (lead moves, suppression, scheduling), as plain values: core decides, the app
//! acts. Lead statuses are the snake_case codes of the lead lifecycle; the app applies a move only
//! when the lifecycle allows it (a lead already Qualified is not moved back to Qualifying).
//!
//! Inbound signals (reply, bounce, unsubscribe, meeting, out-of-office) arrive late and twice; they
//! never fail. Actions by a person (pause, resume, finish, step done) are refused with a reason
//! when they make no sense, so the page can say why.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::definition::ReplyBehaviour;
use crate::Invalid;

/// Days between finishing with no reply and moving the lead to Recycle (no response), so a late
/// reply still lands on a live lead.
pub const RECYCLE_DELAY_DAYS: i64 = 7;
/// How long an out-of-office pause lasts when the auto-reply gave no return date.
pub const DEFAULT_OUT_OF_OFFICE_DAYS: i64 = 7;

/// Lead status codes this machine moves leads to (the lifecycle owns the full list).
pub mod lead_status {
    /// Enrolled in a sequence.
    pub const ACCEPTED: &str = "accepted";
    /// Replied or booked a meeting: a conversation has started.
    pub const QUALIFYING: &str = "qualifying";
    /// The address bounced.
    pub const BAD_DATA: &str = "bad_data";
    /// Unsubscribed.
    pub const DISQUALIFIED: &str = "disqualified";
    /// Reason code with [`BAD_DATA`] for a bounce.
    pub const REASON_BOUNCED_EMAIL: &str = "bounced_email";
    /// Reason code with [`DISQUALIFIED`] for an unsubscribe.
    pub const REASON_UNSUBSCRIBE: &str = "unsubscribe";
}

/// Why an enrollment is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// A rep paused it.
    ByHand,
    /// The person is away; it resumes on its own.
    OutOfOffice,
    /// The person replied and the sequence is set to pause on replies.
    Replied,
}

impl PauseReason {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            PauseReason::ByHand => "by_hand",
            PauseReason::OutOfOffice => "out_of_office",
            PauseReason::Replied => "replied",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            PauseReason::ByHand => "Paused by hand",
            PauseReason::OutOfOffice => "Out of office",
            PauseReason::Replied => "Replied",
        }
    }
}

/// Why an enrollment finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The person replied.
    Replied,
    /// The address bounced.
    Bounced,
    /// The person unsubscribed.
    Unsubscribed,
    /// A meeting was booked.
    MeetingBooked,
    /// The lead was moved to an exit status (disqualified, recycle, …) by other means.
    ExitStatus,
    /// Every step was done without a reply.
    CompletedNoReply,
    /// A rep ended it.
    FinishedByHand,
}

impl FinishReason {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            FinishReason::Replied => "replied",
            FinishReason::Bounced => "bounced",
            FinishReason::Unsubscribed => "unsubscribed",
            FinishReason::MeetingBooked => "meeting_booked",
            FinishReason::ExitStatus => "exit_status",
            FinishReason::CompletedNoReply => "completed_no_reply",
            FinishReason::FinishedByHand => "finished_by_hand",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            FinishReason::Replied => "Replied",
            FinishReason::Bounced => "Bounced",
            FinishReason::Unsubscribed => "Unsubscribed",
            FinishReason::MeetingBooked => "Meeting booked",
            FinishReason::ExitStatus => "Lead left the funnel",
            FinishReason::CompletedNoReply => "Completed, no reply",
            FinishReason::FinishedByHand => "Finished by hand",
        }
    }
}

/// Where an enrollment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EnrollmentState {
    /// Steps are being scheduled and done.
    Active,
    /// Nothing is scheduled until it resumes.
    Paused {
        /// Why.
        reason: PauseReason,
        /// When the pause began; resuming shifts the remaining steps by the time paused.
        since: DateTime<Utc>,
        /// For out-of-office pauses, the (recipient-local) date to resume on.
        resume_on: Option<NaiveDate>,
    },
    /// Over for good.
    Finished {
        /// Why.
        reason: FinishReason,
        /// When.
        at: DateTime<Utc>,
    },
}

/// One person in one sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// Where it stands.
    pub state: EnrollmentState,
    /// Index of the next step to carry out.
    pub next_step: usize,
    /// How many steps the sequence had at enrollment.
    pub step_count: usize,
    /// The instant step offsets count from: the enrollment time, moved later by every pause so the
    /// remaining steps keep their spacing instead of all falling due at once on resume.
    pub anchor: DateTime<Utc>,
}

/// Something that happened to an enrollment, with when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The person replied.
    Reply {
        /// When.
        at: DateTime<Utc>,
    },
    /// A send to the person bounced permanently.
    Bounce {
        /// When.
        at: DateTime<Utc>,
    },
    /// The person unsubscribed.
    Unsubscribe {
        /// When.
        at: DateTime<Utc>,
    },
    /// An out-of-office auto-reply came back.
    OutOfOffice {
        /// When.
        at: DateTime<Utc>,
        /// The first day the person is back, when the reply said.
        return_date: Option<NaiveDate>,
    },
    /// A meeting with the person was booked.
    MeetingBooked {
        /// When.
        at: DateTime<Utc>,
    },
    /// The lead was moved to an exit status (disqualified, recycle, bad data, ineligible).
    ExitStatus {
        /// When.
        at: DateTime<Utc>,
        /// The status code it moved to, for the record.
        status: String,
    },
    /// A step was carried out (sent, called, done).
    StepDone {
        /// When.
        at: DateTime<Utc>,
        /// The step's index; must be the next step.
        step: usize,
    },
    /// A rep paused the enrollment.
    PauseByHand {
        /// When.
        at: DateTime<Utc>,
    },
    /// A rep resumed the enrollment.
    ResumeByHand {
        /// When.
        at: DateTime<Utc>,
    },
    /// The job scheduled by [`Effect::ResumeAt`] fired. It resumes only an out-of-office pause for
    /// that same date, so stale jobs (the rep resumed, or a later auto-reply moved the date) do nothing.
    ResumeAfterOutOfOffice {
        /// When.
        at: DateTime<Utc>,
        /// The date the job was scheduled for.
        date: NaiveDate,
    },
    /// A rep ended the enrollment.
    FinishByHand {
        /// When.
        at: DateTime<Utc>,
    },
}

/// Something the app must do because of a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Move the lead or contact to `status` (with `reason` for exit statuses), if the lifecycle allows.
    MoveLeadTo {
        /// Lead status code.
        status: String,
        /// Reason code, for exit statuses.
        reason: Option<String>,
    },
    /// Never email this address again (bounced or unsubscribed), across all sequences.
    SuppressAddress {
        /// `bounced` or `unsubscribed`.
        reason: String,
    },
    /// Cancel queued sends and open tasks of this enrollment.
    CancelPendingSteps,
    /// Schedule step `step`, due at `schedule::due_at(step, anchor, …)`.
    ScheduleStep {
        /// The step index.
        step: usize,
        /// The instant its offset counts from.
        anchor: DateTime<Utc>,
    },
    /// At `at`, move the lead to Recycle (no response) unless cancelled.
    ScheduleRecycleNoResponse {
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancel the pending recycle: the person answered after all.
    CancelRecycleNoResponse,
    /// Deliver [`Event::ResumeAfterOutOfOffice`] with this date at the window opening of this
    /// recipient-local date.
    ResumeAt {
        /// The recipient-local date.
        date: NaiveDate,
    },
}

/// A new enrollment state and what the app must do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The enrollment after the event.
    pub enrollment: Enrollment,
    /// Side effects, in the order to apply them.
    pub effects: Vec<Effect>,
}

impl Enrollment {
    /// Enrolls a person in a sequence of `step_count` steps at `now`: the lead becomes Accepted and
    /// the first step is scheduled. (Check [`super::eligibility::can_enroll`] first.)
    pub fn start(step_count: usize, now: DateTime<Utc>) -> Result<Transition, Invalid> {
        if step_count == 0 {
            return Err(Invalid::new(
                "steps",
                "no_steps",
                "a sequence needs at least one step",
            ));
        }
        let enrollment = Enrollment {
            state: EnrollmentState::Active,
            next_step: 0,
            step_count,
            anchor: now,
        };
        let effects = vec![
            move_lead(lead_status::ACCEPTED, None),
            Effect::ScheduleStep { step: 0, anchor: now },
        ];
        Ok(Transition { enrollment, effects })
    }

    /// Applies `event`. Signals from mail never fail; actions by people that make no sense in the
    /// current state are refused with code `invalid_transition`.
    pub fn apply(&self, event: &Event, on_reply: ReplyBehaviour) -> Result<Transition, Invalid> {
        match self.state {
            EnrollmentState::Finished { reason, at } => self.apply_finished(reason, at, event),
            EnrollmentState::Active => self.apply_live(None, event, on_reply),
            EnrollmentState::Paused {
                reason,
                since,
                resume_on,
            } => self.apply_live(Some((reason, since, resume_on)), event, on_reply),
        }
    }

    fn apply_live(
        &self,
        paused: Option<(PauseReason, DateTime<Utc>, Option<NaiveDate>)>,
        event: &Event,
        on_reply: ReplyBehaviour,
    ) -> Result<Transition, Invalid> {
        let pause_reason = paused.map(|(reason, _, _)| reason);
        match event {
            Event::Reply { at } => {
                let qualifying = move_lead(lead_status::QUALIFYING, None);
                match (on_reply, pause_reason) {
                    // Already waiting on this conversation: nothing new.
                    (ReplyBehaviour::Pause, Some(PauseReason::Replied)) => Ok(self.unchanged()),
                    (ReplyBehaviour::Pause, _) => Ok(self.pause(
                        PauseReason::Replied,
                        *at,
                        None,
                        vec![Effect::CancelPendingSteps, qualifying],
                    )),
                    (ReplyBehaviour::Finish, _) => {
                        Ok(self.finish(FinishReason::Replied, *at, vec![qualifying]))
                    }
                }
            }
            Event::Bounce { at } => Ok(self.finish(FinishReason::Bounced, *at, bounce_effects())),
            Event::Unsubscribe { at } => {
                Ok(self.finish(FinishReason::Unsubscribed, *at, unsubscribe_effects()))
            }
            Event::MeetingBooked { at } => Ok(self.finish(
                FinishReason::MeetingBooked,
                *at,
                vec![move_lead(lead_status::QUALIFYING, None)],
            )),
            Event::ExitStatus { at, .. } => Ok(self.finish(FinishReason::ExitStatus, *at, vec![])),
            Event::FinishByHand { at } => Ok(self.finish(FinishReason::FinishedByHand, *at, vec![])),
            Event::OutOfOffice { at, return_date } => match pause_reason {
                // A rep's pause or a conversation outranks an auto-reply.
                Some(PauseReason::ByHand | PauseReason::Replied) => Ok(self.unchanged()),
                Some(PauseReason::OutOfOffice) | None => {
                    let date = return_date
                        .unwrap_or_else(|| at.date_naive() + Duration::days(DEFAULT_OUT_OF_OFFICE_DAYS));
                    // A second auto-reply keeps the original start so the whole absence shifts the steps.
                    let since = paused.map_or(*at, |(_, since, _)| since);
                    Ok(self.pause(
                        PauseReason::OutOfOffice,
                        since,
                        Some(date),
                        vec![Effect::CancelPendingSteps, Effect::ResumeAt { date }],
                    ))
                }
            },
            Event::StepDone { at, step } => {
                if paused.is_some() {
                    return Err(refused("a paused enrollment has no steps to do; resume it first"));
                }
                if *step != self.next_step {
                    return Err(refused(&format!(
                        "step {} is not the next step (step {} is)",
                        step + 1,
                        self.next_step + 1
                    )));
                }
                Ok(self.step_done(*at))
            }
            Event::PauseByHand { at } => match paused {
                Some(_) => Err(refused("the enrollment is already paused")),
                None => Ok(self.pause(PauseReason::ByHand, *at, None, vec![Effect::CancelPendingSteps])),
            },
            Event::ResumeByHand { at } => match paused {
                Some((_, since, _)) => Ok(self.resume(since, *at)),
                None => Err(refused("the enrollment is not paused")),
            },
            Event::ResumeAfterOutOfOffice { at, date } => match paused {
                Some((PauseReason::OutOfOffice, since, Some(resume_on))) if resume_on == *date => {
                    Ok(self.resume(since, *at))
                }
                _ => Ok(self.unchanged()),
            },
        }
    }

    /// Late signals still protect the person (suppression) and the lead (no recycle after an answer);
    /// actions by people are refused.
    fn apply_finished(
        &self,
        reason: FinishReason,
        at: DateTime<Utc>,
        event: &Event,
    ) -> Result<Transition, Invalid> {
        let (new_reason, mut effects) = match event {
            Event::Reply { .. } => (
                FinishReason::Replied,
                vec![move_lead(lead_status::QUALIFYING, None)],
            ),
            Event::MeetingBooked { .. } => (
                FinishReason::MeetingBooked,
                vec![move_lead(lead_status::QUALIFYING, None)],
            ),
            Event::Bounce { .. } => (FinishReason::Bounced, bounce_effects()),
            Event::Unsubscribe { .. } => (FinishReason::Unsubscribed, unsubscribe_effects()),
            Event::ExitStatus { .. } => (FinishReason::ExitStatus, vec![]),
            Event::OutOfOffice { .. } | Event::ResumeAfterOutOfOffice { .. } => return Ok(self.unchanged()),
            Event::StepDone { .. }
            | Event::PauseByHand { .. }
            | Event::ResumeByHand { .. }
            | Event::FinishByHand { .. } => {
                return Err(refused(&format!(
                    "the enrollment has finished ({})",
                    reason.label().to_lowercase()
                )));
            }
        };
        let mut enrollment = *self;
        // "No reply" stops being true the moment anything answers; other reasons are history.
        if reason == FinishReason::CompletedNoReply {
            effects.insert(0, Effect::CancelRecycleNoResponse);
            enrollment.state = EnrollmentState::Finished {
                reason: new_reason,
                at,
            };
        }
        Ok(Transition { enrollment, effects })
    }

    fn step_done(&self, at: DateTime<Utc>) -> Transition {
        let mut enrollment = *self;
        enrollment.next_step += 1;
        if enrollment.next_step >= self.step_count {
            enrollment.state = EnrollmentState::Finished {
                reason: FinishReason::CompletedNoReply,
                at,
            };
            let recycle = Effect::ScheduleRecycleNoResponse {
                at: at + Duration::days(RECYCLE_DELAY_DAYS),
            };
            return Transition {
                enrollment,
                effects: vec![recycle],
            };
        }
        Transition {
            enrollment,
            effects: vec![Effect::ScheduleStep {
                step: enrollment.next_step,
                anchor: self.anchor,
            }],
        }
    }

    fn pause(
        &self,
        reason: PauseReason,
        since: DateTime<Utc>,
        resume_on: Option<NaiveDate>,
        effects: Vec<Effect>,
    ) -> Transition {
        let mut enrollment = *self;
        enrollment.state = EnrollmentState::Paused {
            reason,
            since,
            resume_on,
        };
        Transition { enrollment, effects }
    }

    fn resume(&self, since: DateTime<Utc>, at: DateTime<Utc>) -> Transition {
        let mut enrollment = *self;
        enrollment.state = EnrollmentState::Active;
        enrollment.anchor = self.anchor + (at - since).max(Duration::zero());
        let effects = vec![Effect::ScheduleStep {
            step: enrollment.next_step,
            anchor: enrollment.anchor,
        }];
        Transition { enrollment, effects }
    }

    fn finish(&self, reason: FinishReason, at: DateTime<Utc>, mut more: Vec<Effect>) -> Transition {
        let mut enrollment = *self;
        enrollment.state = EnrollmentState::Finished { reason, at };
        let mut effects = vec![Effect::CancelPendingSteps];
        effects.append(&mut more);
        Transition { enrollment, effects }
    }

    fn unchanged(&self) -> Transition {
        Transition {
            enrollment: *self,
            effects: vec![],
        }
    }
}

fn move_lead(status: &str, reason: Option<&str>) -> Effect {
    Effect::MoveLeadTo {
        status: status.to_owned(),
        reason: reason.map(str::to_owned),
    }
}

fn bounce_effects() -> Vec<Effect> {
    vec![
        move_lead(lead_status::BAD_DATA, Some(lead_status::REASON_BOUNCED_EMAIL)),
        Effect::SuppressAddress {
            reason: "bounced".to_owned(),
        },
    ]
}

fn unsubscribe_effects() -> Vec<Effect> {
    vec![
        move_lead(lead_status::DISQUALIFIED, Some(lead_status::REASON_UNSUBSCRIBE)),
        Effect::SuppressAddress {
            reason: "unsubscribed".to_owned(),
        },
    ]
}

fn refused(message: &str) -> Invalid {
    Invalid::new("enrollment", "invalid_transition", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn active(steps: usize) -> Enrollment {
        Enrollment::start(steps, t("2026-03-02T09:00:00Z"))
            .unwrap()
            .enrollment
    }

    fn apply(e: &Enrollment, event: Event) -> Transition {
        e.apply(&event, ReplyBehaviour::Finish).unwrap()
    }

    fn mv(status: &str, reason: Option<&str>) -> Effect {
        move_lead(status, reason)
    }

    #[test]
    fn enrolling_accepts_the_lead_and_schedules_the_first_step() {
        let tr = Enrollment::start(3, t("2026-03-02T09:00:00Z")).unwrap();
        assert_eq!(tr.enrollment.state, EnrollmentState::Active);
        assert_eq!(
            tr.effects,
            vec![
                mv("accepted", None),
                Effect::ScheduleStep {
                    step: 0,
                    anchor: t("2026-03-02T09:00:00Z")
                }
            ]
        );
        assert_eq!(
            Enrollment::start(0, t("2026-03-02T09:00:00Z")).unwrap_err().code,
            "no_steps"
        );
    }

    #[test]
    fn reply_finishes_and_moves_the_lead_to_qualifying() {
        let tr = apply(
            &active(3),
            Event::Reply {
                at: t("2026-03-03T10:00:00Z"),
            },
        );
        assert_eq!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::Replied,
                at: t("2026-03-03T10:00:00Z")
            }
        );
        assert_eq!(
            tr.effects,
            vec![Effect::CancelPendingSteps, mv("qualifying", None)]
        );
    }

    #[test]
    fn reply_pauses_when_the_sequence_says_so() {
        let at = t("2026-03-03T10:00:00Z");
        let tr = active(3)
            .apply(&Event::Reply { at }, ReplyBehaviour::Pause)
            .unwrap();
        assert_eq!(
            tr.enrollment.state,
            EnrollmentState::Paused {
                reason: PauseReason::Replied,
                since: at,
                resume_on: None
            }
        );
        assert_eq!(
            tr.effects,
            vec![Effect::CancelPendingSteps, mv("qualifying", None)]
        );
    }

    #[test]
    fn bounce_finishes_marks_bad_data_and_suppresses_the_address() {
        let tr = apply(
            &active(3),
            Event::Bounce {
                at: t("2026-03-02T09:05:00Z"),
            },
        );
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::Bounced,
                ..
            }
        ));
        assert_eq!(
            tr.effects,
            vec![
                Effect::CancelPendingSteps,
                mv("bad_data", Some("bounced_email")),
                Effect::SuppressAddress {
                    reason: "bounced".into()
                }
            ]
        );
    }

    #[test]
    fn unsubscribe_disqualifies_and_suppresses() {
        let tr = apply(
            &active(3),
            Event::Unsubscribe {
                at: t("2026-03-04T09:00:00Z"),
            },
        );
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::Unsubscribed,
                ..
            }
        ));
        assert!(tr.effects.contains(&mv("disqualified", Some("unsubscribe"))));
        assert!(tr.effects.contains(&Effect::SuppressAddress {
            reason: "unsubscribed".into()
        }));
    }

    #[test]
    fn last_step_done_finishes_with_no_reply_and_schedules_recycle_a_week_later() {
        let mut e = active(2);
        let tr = apply(
            &e,
            Event::StepDone {
                at: t("2026-03-02T09:10:00Z"),
                step: 0,
            },
        );
        assert_eq!(
            tr.effects,
            vec![Effect::ScheduleStep {
                step: 1,
                anchor: t("2026-03-02T09:00:00Z")
            }]
        );
        e = tr.enrollment;
        let tr = apply(
            &e,
            Event::StepDone {
                at: t("2026-03-05T11:00:00Z"),
                step: 1,
            },
        );
        assert_eq!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::CompletedNoReply,
                at: t("2026-03-05T11:00:00Z")
            }
        );
        assert_eq!(
            tr.effects,
            vec![Effect::ScheduleRecycleNoResponse {
                at: t("2026-03-12T11:00:00Z")
            }]
        );
    }

    #[test]
    fn a_late_reply_cancels_the_recycle() {
        let e = apply(
            &active(1),
            Event::StepDone {
                at: t("2026-03-02T10:00:00Z"),
                step: 0,
            },
        )
        .enrollment;
        let tr = apply(
            &e,
            Event::Reply {
                at: t("2026-03-06T08:00:00Z"),
            },
        );
        assert_eq!(
            tr.effects,
            vec![Effect::CancelRecycleNoResponse, mv("qualifying", None)]
        );
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::Replied,
                ..
            }
        ));
    }

    #[test]
    fn a_late_unsubscribe_after_a_reply_still_suppresses() {
        let e = apply(
            &active(3),
            Event::Reply {
                at: t("2026-03-03T10:00:00Z"),
            },
        )
        .enrollment;
        let tr = apply(
            &e,
            Event::Unsubscribe {
                at: t("2026-04-01T10:00:00Z"),
            },
        );
        assert!(tr.effects.contains(&Effect::SuppressAddress {
            reason: "unsubscribed".into()
        }));
        // The enrollment's own history is kept: it ended with a reply.
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::Replied,
                ..
            }
        ));
    }

    #[test]
    fn out_of_office_pauses_until_the_return_date_then_resumes_with_shifted_steps() {
        let e = active(3);
        let away = t("2026-03-03T09:00:00Z");
        let tr = apply(
            &e,
            Event::OutOfOffice {
                at: away,
                return_date: Some(date(2026, 3, 10)),
            },
        );
        assert_eq!(
            tr.effects,
            vec![
                Effect::CancelPendingSteps,
                Effect::ResumeAt {
                    date: date(2026, 3, 10)
                }
            ]
        );
        let back = t("2026-03-10T09:00:00Z");
        let tr = apply(
            &tr.enrollment,
            Event::ResumeAfterOutOfOffice {
                at: back,
                date: date(2026, 3, 10),
            },
        );
        assert_eq!(tr.enrollment.state, EnrollmentState::Active);
        assert_eq!(
            tr.enrollment.anchor,
            t("2026-03-09T09:00:00Z"),
            "shifted by the seven days away"
        );
        assert_eq!(
            tr.effects,
            vec![Effect::ScheduleStep {
                step: 0,
                anchor: t("2026-03-09T09:00:00Z")
            }]
        );
    }

    #[test]
    fn out_of_office_without_a_date_pauses_a_week() {
        let tr = apply(
            &active(3),
            Event::OutOfOffice {
                at: t("2026-03-03T09:00:00Z"),
                return_date: None,
            },
        );
        assert!(tr.effects.contains(&Effect::ResumeAt {
            date: date(2026, 3, 10)
        }));
    }

    #[test]
    fn a_stale_resume_job_does_nothing() {
        let e = apply(
            &active(3),
            Event::OutOfOffice {
                at: t("2026-03-03T09:00:00Z"),
                return_date: Some(date(2026, 3, 10)),
            },
        )
        .enrollment;
        // A second auto-reply moved the date; the first job must not resume early.
        let e = apply(
            &e,
            Event::OutOfOffice {
                at: t("2026-03-04T09:00:00Z"),
                return_date: Some(date(2026, 3, 17)),
            },
        )
        .enrollment;
        let tr = apply(
            &e,
            Event::ResumeAfterOutOfOffice {
                at: t("2026-03-10T08:00:00Z"),
                date: date(2026, 3, 10),
            },
        );
        assert_eq!(tr.enrollment, e);
        assert!(tr.effects.is_empty());
        assert!(
            matches!(e.state, EnrollmentState::Paused { since, .. } if since == t("2026-03-03T09:00:00Z"))
        );
    }

    #[test]
    fn out_of_office_does_not_override_a_pause_by_hand() {
        let e = apply(
            &active(3),
            Event::PauseByHand {
                at: t("2026-03-03T09:00:00Z"),
            },
        )
        .enrollment;
        let tr = apply(
            &e,
            Event::OutOfOffice {
                at: t("2026-03-03T10:00:00Z"),
                return_date: None,
            },
        );
        assert_eq!(tr.enrollment, e);
        assert!(tr.effects.is_empty());
    }

    #[test]
    fn pausing_twice_or_resuming_an_active_enrollment_is_refused() {
        let e = apply(
            &active(3),
            Event::PauseByHand {
                at: t("2026-03-03T09:00:00Z"),
            },
        )
        .enrollment;
        let err = e
            .apply(
                &Event::PauseByHand {
                    at: t("2026-03-03T10:00:00Z"),
                },
                ReplyBehaviour::Finish,
            )
            .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            ("invalid_transition", "the enrollment is already paused")
        );
        assert_eq!(
            active(3)
                .apply(
                    &Event::ResumeByHand {
                        at: t("2026-03-03T10:00:00Z")
                    },
                    ReplyBehaviour::Finish
                )
                .unwrap_err()
                .message,
            "the enrollment is not paused"
        );
    }

    #[test]
    fn doing_a_step_out_of_turn_is_refused() {
        let err = active(3)
            .apply(
                &Event::StepDone {
                    at: t("2026-03-03T09:00:00Z"),
                    step: 2,
                },
                ReplyBehaviour::Finish,
            )
            .unwrap_err();
        assert_eq!(err.message, "step 3 is not the next step (step 1 is)");
    }

    #[test]
    fn acting_on_a_finished_enrollment_is_refused_with_the_reason() {
        let e = apply(
            &active(3),
            Event::FinishByHand {
                at: t("2026-03-03T09:00:00Z"),
            },
        )
        .enrollment;
        let err = e
            .apply(
                &Event::ResumeByHand {
                    at: t("2026-03-04T09:00:00Z"),
                },
                ReplyBehaviour::Finish,
            )
            .unwrap_err();
        assert_eq!(err.message, "the enrollment has finished (finished by hand)");
    }

    #[test]
    fn exit_status_and_meeting_finish_the_enrollment() {
        let tr = apply(
            &active(3),
            Event::ExitStatus {
                at: t("2026-03-03T09:00:00Z"),
                status: "disqualified".into(),
            },
        );
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::ExitStatus,
                ..
            }
        ));
        assert_eq!(tr.effects, vec![Effect::CancelPendingSteps]);
        let tr = apply(
            &active(3),
            Event::MeetingBooked {
                at: t("2026-03-03T09:00:00Z"),
            },
        );
        assert!(matches!(
            tr.enrollment.state,
            EnrollmentState::Finished {
                reason: FinishReason::MeetingBooked,
                ..
            }
        ));
    }

    #[test]
    fn effects_and_events_serialize_as_snake_case_codes() {
        let json = serde_json::to_value(mv("bad_data", Some("bounced_email"))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type":"move_lead_to","status":"bad_data","reason":"bounced_email"})
        );
        let json = serde_json::to_value(EnrollmentState::Finished {
            reason: FinishReason::CompletedNoReply,
            at: t("2026-03-03T09:00:00Z"),
        })
        .unwrap();
        assert_eq!(json["state"], "finished");
        assert_eq!(json["reason"], "completed_no_reply");
        let event: Event = serde_json::from_value(serde_json::json!({"type":"out_of_office","at":"2026-03-03T09:00:00Z","return_date":"2026-03-10"})).unwrap();
        assert_eq!(
            event,
            Event::OutOfOffice {
                at: t("2026-03-03T09:00:00Z"),
                return_date: Some(date(2026, 3, 10))
            }
        );
    }
}
