//! The calendar invitation (iTIP over email, RFC 5545/5546) sent when an SDR books a meeting for an
//! AE with a prospect, and the cancellation sent when it is called off.
//!
//! The writer is our own rather than the `icalendar` crate's builder because that builder stamps
//! `DTSTAMP` from the system clock when it is missing (core never reads the clock) and, in 0.17, can
//! leave a folded continuation line at 76 octets. What an invite needs is a dozen fixed lines, so
//! owning the folding and escaping is cheaper than working around them. The tests read our output
//! back with `icalendar`'s parser.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::email::Email;

/// The longest content line RFC 5545 allows, in octets, excluding the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// Identifies us in `PRODID`, as RFC 5545 requires of every calendar.
const PRODID: &str = "-//Prospector//Prospector//EN";

/// Whether the invitation asks people to attend or tells them the meeting is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteMethod {
    /// `METHOD:REQUEST`: a new or updated meeting.
    Request,
    /// `METHOD:CANCEL`: the meeting will not happen.
    Cancel,
}

/// Someone on the invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// The name calendars show (`CN`).
    pub name: String,
    /// Where replies go (`mailto:`).
    pub email: Email,
}

/// A booked meeting between an AE and a prospect, as sent to their calendars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingInvite {
    /// Stable across every update and the cancellation of the same meeting (e.g. the meeting's id
    /// `@` the instance's host); calendars match on it.
    pub uid: String,
    /// Revision number: 0 for the first request, one more for each later request or cancellation,
    /// so calendars apply them in order.
    pub sequence: u32,
    /// When the meeting starts.
    pub starts_at: DateTime<Utc>,
    /// When the meeting ends.
    pub ends_at: DateTime<Utc>,
    /// The title.
    pub summary: String,
    /// The body (agenda, dial-in); may span lines.
    pub description: String,
    /// Where, if anywhere in particular (a room or a video link).
    pub location: Option<String>,
    /// Who sends the invitation and receives replies (usually the booking SDR or the AE).
    pub organizer: Participant,
    /// The account executive taking the meeting.
    pub ae: Participant,
    /// The prospect.
    pub prospect: Participant,
}

impl MeetingInvite {
    /// Checks what a calendar would refuse: a blank `uid` or `summary`, or an end not after the start.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.uid.trim().is_empty() {
            return Err(Invalid::required("uid"));
        }
        if self.summary.trim().is_empty() {
            return Err(Invalid::required("summary"));
        }
        if self.ends_at <= self.starts_at {
            return Err(Invalid::new(
                "ends_at",
                "ends_before_start",
                "a meeting must end after it starts",
            ));
        }
        Ok(())
    }

    /// The `text/calendar` body for `method`, stamped `stamped_at` (the instant the message is made).
    /// Lines end in CRLF and are folded at 75 octets, as RFC 5545 requires.
    pub fn to_ics(&self, method: InviteMethod, stamped_at: DateTime<Utc>) -> String {
        let (method_code, status) = match method {
            InviteMethod::Request => ("REQUEST", "CONFIRMED"),
            InviteMethod::Cancel => ("CANCEL", "CANCELLED"),
        };
        let mut ics = String::with_capacity(1024);
        for line in [
            "BEGIN:VCALENDAR".to_owned(),
            format!("PRODID:{PRODID}"),
            "VERSION:2.0".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{method_code}"),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", escape_text(&self.uid)),
            format!("DTSTAMP:{}", utc_stamp(stamped_at)),
            format!("DTSTART:{}", utc_stamp(self.starts_at)),
            format!("DTEND:{}", utc_stamp(self.ends_at)),
            format!("SEQUENCE:{}", self.sequence),
            format!("STATUS:{status}"),
            format!("SUMMARY:{}", escape_text(&self.summary)),
            format!("DESCRIPTION:{}", escape_text(&self.description)),
        ] {
            push_line(&mut ics, &line);
        }
        if let Some(location) = self.location.as_deref().filter(|l| !l.trim().is_empty()) {
            push_line(&mut ics, &format!("LOCATION:{}", escape_text(location)));
        }
        push_line(
            &mut ics,
            &format!(
                "ORGANIZER;CN={}:mailto:{}",
                param_value(&self.organizer.name),
                self.organizer.email
            ),
        );
        for attendee in [&self.ae, &self.prospect] {
            push_line(
                &mut ics,
                &format!(
                    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN={}:mailto:{}",
                    param_value(&attendee.name),
                    attendee.email
                ),
            );
        }
        push_line(&mut ics, "END:VEVENT");
        push_line(&mut ics, "END:VCALENDAR");
        ics
    }
}

/// A UTC DATE-TIME in RFC 5545's basic form, `20260303T140000Z`.
fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon and comma get a backslash; any newline becomes `\n`.
fn escape_text(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalised.len());
    for c in normalised.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// A parameter value such as `CN`: quoted when it holds `:`, `;` or `,`. Parameter values cannot
/// escape anything, so double quotes and control characters (newlines) are dropped.
fn param_value(value: &str) -> String {
    let clean: String = value.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// Appends `line` folded to at most 75 octets per physical line (continuations start with a space,
/// which counts), never splitting a UTF-8 character, each ended by CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut budget = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= budget {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = budget;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        // Writing to a String cannot fail.
        let _ = write!(out, "{head}\r\n ");
        rest = tail;
        budget = MAX_LINE_OCTETS - 1;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use icalendar::parser::{read_calendar, unfold};

    use super::*;

    fn person(name: &str, email: &str) -> Participant {
        Participant {
            name: name.to_owned(),
            email: Email::parse(email).unwrap(),
        }
    }

    fn invite() -> MeetingInvite {
        MeetingInvite {
            uid: "0190f1c2-meeting@prospector.example".to_owned(),
            sequence: 0,
            starts_at: Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 3, 3, 14, 30, 0).unwrap(),
            summary: "Intro: Acme, Inc. <> Prospector; 30 min".to_owned(),
            description: "Agenda:\n1. Your goals, today's process\\tools\n2. A short demo — über easy\r\nBring questions!"
                .repeat(2),
            location: Some("https://meet.example/abc".to_owned()),
            organizer: person("Sam Rep", "sam@prospector.example"),
            ae: person("Lovelace, Ada", "ada@prospector.example"),
            prospect: person("Grace \"Amazing\" Hopper", "grace@acme.example"),
        }
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 15, 0).unwrap()
    }

    #[test]
    fn every_line_ends_in_crlf_and_fits_75_octets() {
        let ics = invite().to_ics(InviteMethod::Request, stamp());
        assert!(ics.ends_with("\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert!(ics.contains("\r\n "), "the long description is folded");
    }

    #[test]
    fn a_request_parses_back_with_its_fields() {
        let original = invite();
        let ics = original.to_ics(InviteMethod::Request, stamp());
        let unfolded = unfold(&ics);
        let calendar = read_calendar(&unfolded).unwrap();
        let method = calendar.properties.iter().find(|p| p.name == "METHOD").unwrap();
        assert_eq!(method.val.as_str(), "REQUEST");
        let event = calendar.components.iter().find(|c| c.name == "VEVENT").unwrap();
        let value = |name: &str| {
            event
                .find_prop(name)
                .unwrap()
                .val
                .clone()
                .unescape_text()
                .as_str()
                .to_owned()
        };
        assert_eq!(value("UID"), original.uid);
        assert_eq!(value("DTSTAMP"), "20260301T091500Z");
        assert_eq!(value("DTSTART"), "20260303T140000Z");
        assert_eq!(value("DTEND"), "20260303T143000Z");
        assert_eq!(value("SEQUENCE"), "0");
        assert_eq!(value("STATUS"), "CONFIRMED");
        assert_eq!(value("SUMMARY"), original.summary);
        assert_eq!(value("DESCRIPTION"), original.description.replace("\r\n", "\n"));
        let attendees: Vec<_> = event.properties.iter().filter(|p| p.name == "ATTENDEE").collect();
        assert_eq!(attendees.len(), 2);
        assert_eq!(attendees[0].val.as_str(), "mailto:ada@prospector.example");
        assert_eq!(attendees[1].val.as_str(), "mailto:grace@acme.example");
        let param = |i: usize, key: &str| {
            attendees[i]
                .params
                .iter()
                .find(|p| p.key == key)
                .and_then(|p| p.val.as_ref())
                .map(|v| v.as_str().to_owned())
        };
        assert_eq!(param(0, "ROLE").as_deref(), Some("REQ-PARTICIPANT"));
        assert_eq!(param(0, "PARTSTAT").as_deref(), Some("NEEDS-ACTION"));
        assert_eq!(param(1, "RSVP").as_deref(), Some("TRUE"));
        assert!(param(0, "CN").unwrap().contains("Lovelace, Ada"));
        assert_eq!(
            event.find_prop("ORGANIZER").unwrap().val.as_str(),
            "mailto:sam@prospector.example"
        );
    }

    #[test]
    fn a_cancellation_says_cancel_and_cancelled() {
        let mut meeting = invite();
        meeting.sequence = 1;
        let ics = meeting.to_ics(InviteMethod::Cancel, stamp());
        let unfolded = unfold(&ics);
        let calendar = read_calendar(&unfolded).unwrap();
        assert_eq!(
            calendar
                .properties
                .iter()
                .find(|p| p.name == "METHOD")
                .unwrap()
                .val
                .as_str(),
            "CANCEL"
        );
        let event = calendar.components.iter().find(|c| c.name == "VEVENT").unwrap();
        assert_eq!(event.find_prop("STATUS").unwrap().val.as_str(), "CANCELLED");
        assert_eq!(event.find_prop("SEQUENCE").unwrap().val.as_str(), "1");
        assert_eq!(event.find_prop("UID").unwrap().val.as_str(), meeting.uid);
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_newlines() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg:h"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng:h"
        );
    }

    #[test]
    fn parameter_values_with_separators_are_quoted_and_quotes_dropped() {
        assert_eq!(param_value("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(param_value("Grace \"G\" Hopper"), "Grace G Hopper");
        assert_eq!(param_value("Plain"), "Plain");
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "über€😀".repeat(30)));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75);
        }
        assert_eq!(
            unfold(&out).trim_end(),
            format!("SUMMARY:{}", "über€😀".repeat(30))
        );
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_not_folded_and_150_folds_within_limits() {
        let mut out = String::new();
        push_line(&mut out, &"x".repeat(75));
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));
        out.clear();
        push_line(&mut out, &"x".repeat(150));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.split("\r\n").filter(|l| !l.is_empty()).count(), 3);
    }

    #[test]
    fn an_invite_ending_before_it_starts_is_refused() {
        let mut meeting = invite();
        assert!(meeting.validate().is_ok());
        meeting.ends_at = meeting.starts_at;
        assert_eq!(meeting.validate().unwrap_err().code, "ends_before_start");
        meeting.summary = "  ".to_owned();
        assert_eq!(meeting.validate().unwrap_err().field, "summary");
    }
}
