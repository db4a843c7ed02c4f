//! Sequences: ordered touches (emails, calls, LinkedIn, tasks) on set days after enrollment, the
//! rules for when each becomes due in the recipient's local time, the enrollment state machine with
//! the lead moves it triggers, and how inbound mail is read for it.

pub mod default_cadence;
pub mod definition;
pub mod eligibility;
pub mod enrollment;
pub mod mail_signals;
pub mod schedule;
pub mod step;

pub use default_cadence::default_cadence;
pub use definition::{ReplyBehaviour, SendingWindow, SequenceDefinition, SequenceDraft, SequenceSettings};
pub use eligibility::{EnrollRefusal, PersonFacts, can_enroll};
pub use enrollment::{Effect, Enrollment, EnrollmentState, Event, FinishReason, PauseReason, Transition};
pub use mail_signals::{Bounce, MailSignal, classify};
pub use schedule::{MailboxPacer, due_at, next_sending_instant, plan_send};
pub use step::{HandbookLink, Step, StepDraft, StepKind};
