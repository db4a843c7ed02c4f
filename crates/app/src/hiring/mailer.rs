//! The mail hiring sends: acknowledgements, declines (from templates), interview invitations with
//! their calendar part, offer letters, approval requests and scorecard reminders. Every message is
//! queued with [`crate::mail::enqueue_email`] inside the use case's transaction.

use chrono::{DateTime, Utc};
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::schedule::invite::{InviteMethod, MeetingInvite, Participant};
use prospector_store::WriteTx;

use crate::AppResult;
use crate::mail::{Address, CalendarPart, OutgoingEmail, enqueue_email, new_message_id};

/// The host part of hiring Message-IDs.
const MESSAGE_HOST: &str = "hiring.prospector";

/// A decline email template: a code, a label for the form, a subject and a body with
/// `{first_name}` and `{job_title}` placeholders.
#[derive(Debug, Clone, Copy)]
pub struct DeclineTemplate {
    /// Code sent by forms and the API.
    pub code: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// Subject.
    pub subject: &'static str,
    /// Body.
    pub body: &'static str,
}

/// The decline templates.
pub const DECLINE_TEMPLATES: [DeclineTemplate; 3] = [
    DeclineTemplate {
        code: "standard",
        label: "Standard (after review)",
        subject: "Your application for {job_title}",
        body: "Hi {first_name},\n\nThank you for applying for the {job_title} role. We have read your application \
               carefully and have decided not to move forward with it at this time.\n\nWe wish you the best in your search.\n",
    },
    DeclineTemplate {
        code: "after_interview",
        label: "After interviews",
        subject: "Your interviews for {job_title}",
        body: "Hi {first_name},\n\nThank you for the time you spent interviewing with us for the {job_title} role. \
               After careful consideration we have decided not to move forward.\n\nWe appreciated getting to know you.\n",
    },
    DeclineTemplate {
        code: "position_filled",
        label: "Position filled",
        subject: "The {job_title} role has been filled",
        body: "Hi {first_name},\n\nThank you for your interest in the {job_title} role. The position has now been \
               filled, so we are closing the remaining applications.\n\nWe hope to hear from you again.\n",
    },
];

/// The decline template with `code`, or a 422 listing the codes.
pub fn decline_template(code: &str) -> Result<DeclineTemplate, Invalid> {
    DECLINE_TEMPLATES
        .into_iter()
        .find(|t| t.code == code.trim())
        .ok_or_else(|| {
            let codes: Vec<&str> = DECLINE_TEMPLATES.iter().map(|t| t.code).collect();
            Invalid::unknown_value("template", code.trim(), &codes)
        })
}

/// Fills `{first_name}` and `{job_title}`.
pub fn fill(text: &str, name: &str, job_title: &str) -> String {
    let first = name.split_whitespace().next().unwrap_or(name);
    text.replace("{first_name}", first)
        .replace("{job_title}", job_title)
}

/// A plain message to one person about a record.
pub fn message(
    now: DateTime<Utc>,
    to_email: &str,
    to_name: &str,
    subject: String,
    text: String,
    about: (&str, String),
) -> OutgoingEmail {
    OutgoingEmail {
        from_user_id: None,
        to: vec![Address {
            email: to_email.to_owned(),
            name: Some(to_name.to_owned()),
        }],
        cc: Vec::new(),
        subject,
        text,
        html: None,
        calendar: None,
        message_id: new_message_id(now, MESSAGE_HOST),
        in_reply_to: None,
        headers: Vec::new(),
        about: Some((about.0.to_owned(), about.1)),
    }
}

/// Queues `email` to go at `send_at`; returns its outbox dedupe key (for cancelling).
pub async fn queue(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    email: &OutgoingEmail,
    send_at: DateTime<Utc>,
) -> AppResult<String> {
    enqueue_email(tx, now, email, send_at).await?;
    Ok(format!("email:{}", email.message_id))
}

/// An interview as a calendar invitation: the organiser, every interviewer and the candidate as
/// attendees, `METHOD:REQUEST`.
#[derive(Debug, Clone)]
pub struct InterviewInvite {
    /// Stable id (`interview-<id>@host`).
    pub uid: String,
    /// Starts.
    pub starts_at: DateTime<Utc>,
    /// Ends.
    pub ends_at: DateTime<Utc>,
    /// Title.
    pub summary: String,
    /// Body.
    pub description: String,
    /// Room or link.
    pub location: Option<String>,
    /// Who sends it.
    pub organizer: Participant,
    /// Interviewers (at least one).
    pub interviewers: Vec<Participant>,
    /// The candidate.
    pub candidate: Participant,
}

impl InterviewInvite {
    /// The iCalendar text. Core's writer takes one host and one guest; further interviewers are
    /// added as more `ATTENDEE` lines, folded the same way.
    pub fn to_ics(&self, stamped_at: DateTime<Utc>) -> Result<String, Invalid> {
        let first = self
            .interviewers
            .first()
            .ok_or_else(|| Invalid::required("interviewer_ids"))?;
        let invite = MeetingInvite {
            uid: self.uid.clone(),
            sequence: 0,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            summary: self.summary.clone(),
            description: self.description.clone(),
            location: self.location.clone(),
            organizer: self.organizer.clone(),
            ae: first.clone(),
            prospect: self.candidate.clone(),
        };
        invite.validate()?;
        let ics = invite.to_ics(InviteMethod::Request, stamped_at);
        let mut extra = String::new();
        for p in self.interviewers.iter().skip(1) {
            let name: String = p.name.chars().filter(|c| *c != '"' && !c.is_control()).collect();
            fold_into(
                &mut extra,
                &format!(
                    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=\"{name}\":mailto:{}",
                    p.email
                ),
            );
        }
        Ok(ics.replacen("END:VEVENT\r\n", &format!("{extra}END:VEVENT\r\n"), 1))
    }
}

/// Appends `line` folded at 75 octets with CRLF, as RFC 5545 requires.
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut budget = 75;
    while rest.len() > budget {
        let mut cut = budget;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        budget = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// A participant from a name and an address as stored.
pub fn participant(name: &str, email: &str) -> Result<Participant, Invalid> {
    Ok(Participant {
        name: name.to_owned(),
        email: Email::parse(email)?,
    })
}

/// Attaches the calendar part.
pub fn with_calendar(mut email: OutgoingEmail, ics: &str) -> OutgoingEmail {
    email.calendar = Some(CalendarPart {
        method: "REQUEST".into(),
        ics: ics.to_owned(),
    });
    email
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_interviewer_is_an_attendee_and_lines_stay_folded() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-03T14:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let invite = InterviewInvite {
            uid: "interview-1@x".into(),
            starts_at: at,
            ends_at: at + chrono::Duration::hours(1),
            summary: "Interview".into(),
            description: "Talk".into(),
            location: None,
            organizer: participant("Rec Ruiter", "rec@example.com").unwrap(),
            interviewers: vec![
                participant("Ann One", "ann@example.com").unwrap(),
                participant(
                    "Bob Two With A Very Long Name Indeed",
                    "bob.two.long.address@example.com",
                )
                .unwrap(),
            ],
            candidate: participant("Cand Idate", "cand@example.com").unwrap(),
        };
        let ics = invite.to_ics(at).unwrap();
        assert!(ics.contains("METHOD:REQUEST"));
        let unfolded = ics.replace("\r\n ", "");
        for who in [
            "ann@example.com",
            "bob.two.long.address@example.com",
            "cand@example.com",
        ] {
            assert!(
                unfolded.contains(&format!(":mailto:{who}")),
                "{who} missing in {ics}"
            );
        }
        assert!(ics.split("\r\n").all(|l| l.len() <= 75), "{ics}");
    }

    #[test]
    fn decline_templates_fill_first_name_and_title() {
        let t = decline_template("standard").unwrap();
        assert_eq!(fill(t.subject, "Ada Lovelace", "SDR"), "Your application for SDR");
        assert!(fill(t.body, "Ada Lovelace", "SDR").starts_with("Hi Ada,"));
        assert_eq!(
            decline_template("nope").map(|t| t.code).unwrap_err().field,
            "template"
        );
    }
}
