//! The email templates the default cadence ships with: short, plain and honest, meant to be edited
//! by each team. The sequence's default cadence refers to them by id.

/// A template shipped with Prospector, seeded into a new installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultTemplate {
    /// Stable id the default cadence refers to.
    pub id: &'static str,
    /// Name shown in the template list.
    pub name: &'static str,
    /// Subject source.
    pub subject: &'static str,
    /// Body source.
    pub body: &'static str,
}

/// Id of the first email, sent with the first call.
pub const INTRO: &str = "default_intro";
/// Id of the short follow-up two days later.
pub const FOLLOW_UP: &str = "default_follow_up";
/// Id of the email sharing a useful resource.
pub const USEFUL_RESOURCE: &str = "default_useful_resource";
/// Id of the "why not?" email.
pub const WHY_NOT: &str = "default_why_not";
/// Id of the last, "too busy or not interested?" email.
pub const BREAK_UP: &str = "default_too_busy";

/// The templates, in cadence order.
pub fn default_templates() -> [DefaultTemplate; 5] {
    [
        DefaultTemplate {
            id: INTRO,
            name: "Cadence 1: introduction",
            subject: "Quick question, {{ first_name | default(\"there\") }}",
            body: concat!(
                "Hi {{ first_name | default(\"there\") }},\n\n",
                "I just tried to reach you by phone. I work with teams like {{ company | default(\"yours\") }} ",
                "and wanted to ask whether improving how your team ships software is on your list this quarter.\n\n",
                "If it is, would a 20-minute call next week be useful?",
                "{% if meeting_link %} You can pick a time here: {{ meeting_link }}{% endif %}\n",
                "If it isn't, just say so and I won't keep writing.\n\n",
                "Best,\n{{ sender_signature | default(sender_name) }}\n",
            ),
        },
        DefaultTemplate {
            id: FOLLOW_UP,
            name: "Cadence 2: follow-up",
            subject: "Re: Quick question, {{ first_name | default(\"there\") }}",
            body: concat!(
                "Hi {{ first_name | default(\"there\") }},\n\n",
                "Following up on my note from earlier this week. If someone else at ",
                "{{ company | default(\"your company\") }} looks after this, I'd be grateful for a pointer.\n\n",
                "Thanks,\n{{ sender_signature | default(sender_name) }}\n",
            ),
        },
        DefaultTemplate {
            id: USEFUL_RESOURCE,
            name: "Cadence 4: useful resource",
            subject: "How other teams handled this",
            body: concat!(
                "Hi {{ first_name | default(\"there\") }},\n\n",
                "No need to reply to this one. Here is a short write-up of how a team in a similar ",
                "position to {{ company | default(\"yours\") }} approached it",
                "{% if resource_url %}: {{ resource_url }}{% else %}.{% endif %}\n\n",
                "If any of it is relevant, I'm happy to walk you through the details.\n\n",
                "Best,\n{{ sender_signature | default(sender_name) }}\n",
            ),
        },
        DefaultTemplate {
            id: WHY_NOT,
            name: "Cadence 7: why not?",
            subject: "Why not?",
            body: concat!(
                "Hi {{ first_name | default(\"there\") }},\n\n",
                "I've reached out a few times without hearing back, which usually means one of three things: ",
                "the timing is wrong, someone else owns this, or it simply isn't a priority.\n\n",
                "Could you tell me which? A one-word reply is plenty.\n\n",
                "Thanks,\n{{ sender_signature | default(sender_name) }}\n",
            ),
        },
        DefaultTemplate {
            id: BREAK_UP,
            name: "Cadence 8: too busy or not interested?",
            subject: "Too busy or not interested?",
            body: concat!(
                "Hi {{ first_name | default(\"there\") }},\n\n",
                "This is my last note for now. Are you too busy, or not interested?\n\n",
                "Either answer helps: if it's timing, I'll check back in a few months; if not, I'll close my file ",
                "and stop writing.\n\n",
                "All the best,\n{{ sender_signature | default(sender_name) }}\n",
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{EmailTemplate, TemplateContext};

    #[test]
    fn every_default_template_parses_and_renders_without_data() {
        for t in default_templates() {
            let parsed = EmailTemplate::parse(t.subject, t.body).unwrap_or_else(|e| panic!("{}: {e}", t.id));
            let out = parsed.render(&TemplateContext::default()).unwrap();
            assert!(out.text.starts_with("Hi there,"), "{}", t.id);
            assert!(!out.text.contains("{{"), "{}", t.id);
        }
    }

    #[test]
    fn intro_offers_the_meeting_link_only_when_there_is_one() {
        let [intro, ..] = default_templates();
        let t = EmailTemplate::parse(intro.subject, intro.body).unwrap();
        let with = TemplateContext {
            first_name: Some("Ada".into()),
            meeting_link: Some("https://example.org/meet".into()),
            sender_name: Some("Sam Rep".into()),
            ..TemplateContext::default()
        };
        let out = t.render(&with).unwrap();
        assert_eq!(out.subject, "Quick question, Ada");
        assert!(out.text.contains("pick a time here: https://example.org/meet\n"));
        assert!(out.text.ends_with("Best,\nSam Rep\n"));
        assert!(
            !t.render(&TemplateContext::default())
                .unwrap()
                .text
                .contains("pick a time")
        );
    }
}
