//! Time as the team lives it: business hours in a time zone, SLA clocks measured in them, and the
//! calendar invitation sent when a meeting is booked.

pub mod business_calendar;
pub mod invite;
pub mod sla;

pub use business_calendar::{BusinessCalendar, WorkingHours};
pub use invite::{InviteMethod, MeetingInvite, Participant};
pub use sla::{SlaClock, SlaKind, SlaPolicy, SlaStatus, SlaTarget};
