//! The default outbound cadence from the handbook: eight touch points over three weeks mixing
//! calls, voicemails, emails and LinkedIn. Each touch point may hold several steps on the same day
//! (a call, then the email that mentions it); steps on one day are done in list order.

use super::definition::{SequenceDefinition, SequenceDraft, SequenceSettings};
use super::step::StepDraft;
use crate::Invalid;
use crate::template::defaults::{BREAK_UP, FOLLOW_UP, INTRO, USEFUL_RESOURCE, WHY_NOT};

/// The shipped handbook page explaining the cadence (`crates/app/handbook/outbound-cadence.md`);
/// each step links the section on its kind of touch.
const HANDBOOK_PAGE: &str = "outbound-cadence";

const FIRST_CALL: &str = "Introduce yourself and why you are calling in one sentence, then ask whether \
improving how their team ships software is on their list this quarter. Listen more than you talk. \
No answer: leave a voicemail under 30 seconds (name, company, the one reason you called, your number \
twice) and say an email is on its way.";
const CALL: &str = "Call again at a different time of day than the last attempt. If they pick up, refer \
to your email and ask one open question about how they work today. No voicemail on this attempt.";
const SECOND_CALL: &str = "Second attempt today, a few hours after the first. No voicemail.";
const INMAIL: &str = "Send a LinkedIn connection request or InMail: two or three sentences, mention \
something specific about their role or company, and ask whether a short call makes sense. No pitch deck.";
const VOICEMAIL_WHY_NOT: &str = "Call; if there is no answer, leave a short voicemail saying you have \
written a few times and would value even a 'not now' — an email follows.";
const VOICEMAIL_LAST: &str = "Last call of the sequence. If there is no answer, leave a friendly voicemail \
saying this is your last attempt for now and that a short email follows.";

/// The default cadence as a draft, for seeding a new installation or resetting a sequence.
pub fn default_cadence_draft() -> SequenceDraft {
    let email = |day, template: &str, anchor: &str| StepDraft {
        kind: "automatic_email".into(),
        day_offset: day,
        template_id: Some(template.into()),
        script: None,
        handbook_page: Some(HANDBOOK_PAGE.into()),
        handbook_anchor: Some(anchor.into()),
    };
    let touch = |kind: &str, day, script: &str, anchor: &str| StepDraft {
        kind: kind.into(),
        day_offset: day,
        template_id: None,
        script: Some(script.into()),
        handbook_page: Some(HANDBOOK_PAGE.into()),
        handbook_anchor: Some(anchor.into()),
    };
    let steps = vec![
        // 1. Day 0: call + voicemail + email.
        touch("call", 0, FIRST_CALL, "voicemail"),
        email(0, INTRO, "emails"),
        // 2. Day 2: email.
        email(2, FOLLOW_UP, "emails"),
        // 3. Day 4: call ×2.
        touch("call", 4, CALL, "calls"),
        touch("call", 4, SECOND_CALL, "calls"),
        // 4. Day 7: useful-resource email.
        email(7, USEFUL_RESOURCE, "emails"),
        // 5. Day 9: call ×2.
        touch("call", 9, CALL, "calls"),
        touch("call", 9, SECOND_CALL, "calls"),
        // 6. Day 11: InMail + call ×2.
        touch("linkedin", 11, INMAIL, "the-8-step-cadence"),
        touch("call", 11, CALL, "calls"),
        touch("call", 11, SECOND_CALL, "calls"),
        // 7. Day 15: voicemail + "why not?" email.
        touch("call", 15, VOICEMAIL_WHY_NOT, "voicemail"),
        email(15, WHY_NOT, "emails"),
        // 8. Day 21: voicemail + "too busy or not interested?" email.
        touch("call", 21, VOICEMAIL_LAST, "voicemail"),
        email(21, BREAK_UP, "emails"),
    ];
    SequenceDraft {
        name: "Default outbound cadence".into(),
        steps,
        settings: SequenceSettings::default(),
    }
}

/// The default cadence, checked. It is a constant in spirit; the `Result` only exists because
/// definitions are built through the one checking path.
pub fn default_cadence() -> Result<SequenceDefinition, Invalid> {
    SequenceDefinition::parse(&default_cadence_draft())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sequence::step::StepKind;
    use crate::template::defaults::default_templates;

    #[test]
    fn default_cadence_is_valid_and_runs_three_weeks() {
        let cadence = default_cadence().unwrap();
        assert_eq!(cadence.length_days(), 21);
        let touch_days: std::collections::BTreeSet<u16> =
            cadence.steps().iter().map(|s| s.day_offset).collect();
        assert_eq!(touch_days.len(), 8, "eight touch points");
    }

    #[test]
    fn default_cadence_mixes_calls_emails_and_linkedin() {
        let cadence = default_cadence().unwrap();
        let count = |kind| cadence.steps().iter().filter(|s| s.kind == kind).count();
        assert_eq!(count(StepKind::AutomaticEmail), 5);
        assert_eq!(count(StepKind::Call), 9);
        assert_eq!(count(StepKind::Linkedin), 1);
    }

    #[test]
    fn default_cadence_uses_only_shipped_templates() {
        let shipped: Vec<&str> = default_templates().iter().map(|t| t.id).collect();
        for step in default_cadence().unwrap().steps() {
            if let Some(id) = &step.template_id {
                assert!(shipped.contains(&id.as_str()), "{id} is not shipped");
            }
        }
    }
}
