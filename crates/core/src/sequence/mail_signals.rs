//! Reading an inbound message for a sequence: is it a person replying, a bounce, or an
//! out-of-office auto-reply (and when are they back)? The app parses the MIME message and passes
//! header pairs and the text of its `text/*` and `message/delivery-status` parts, so core needs no
//! mail parser and every rule here is testable with plain strings.
//!
//! Order matters: bounces are checked first (a DSN also carries `Auto-Submitted`), then
//! out-of-office, then other automatic replies (ticket acknowledgements and the like), which are
//! not replies and change nothing. Anything else is a reply — when unsure, a person reads it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// How much of the body to read for a return date; the date is near the top, quotes come later.
const MAX_SCAN_CHARS: usize = 4_000;
/// A return date without a year that falls this many days before today is taken to be next year's.
const PAST_TOLERANCE_DAYS: i64 = 7;

/// What an inbound message means for the sender's enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MailSignal {
    /// A person wrote back.
    Reply,
    /// A delivery failure report.
    Bounce(Bounce),
    /// The person is away; `return_date` is their first day back, when the message said.
    OutOfOffice {
        /// First day back (the day after an "until" date), in the recipient's calendar.
        return_date: Option<NaiveDate>,
    },
    /// Some other machine-written answer (ticket receipt, "this mailbox is not monitored"): ignore.
    AutomaticReply,
}

/// What a delivery failure report says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounce {
    /// The address that failed, lower-cased, when the report names it.
    pub recipient: Option<String>,
    /// The enhanced status code (`5.1.1`), when given.
    pub status: Option<String>,
    /// A permanent failure (5.x.x or "failed"); temporary ones (4.x.x, "delayed") are only noted,
    /// since the server will keep trying.
    pub permanent: bool,
}

/// Classifies one inbound message. `headers` are (name, value) pairs with any names case; `text`
/// is the decoded text of the message's text parts; `now` supplies the year for dates without one.
pub fn classify(headers: &[(&str, &str)], text: &str, now: DateTime<Utc>) -> MailSignal {
    let subject = header(headers, "subject").unwrap_or_default().to_lowercase();
    if let Some(bounce) = bounce(headers, &subject, text) {
        return MailSignal::Bounce(bounce);
    }
    let automatic = is_automatic(headers);
    let body = readable_part(text).to_lowercase();
    let subject_says_away = contains_any(&subject, OUT_OF_OFFICE_SUBJECTS);
    if subject_says_away || (automatic && contains_any(&body, OUT_OF_OFFICE_BODY)) {
        let return_date = return_date(&format!("{subject}\n{body}"), now.date_naive());
        return MailSignal::OutOfOffice { return_date };
    }
    if automatic {
        MailSignal::AutomaticReply
    } else {
        MailSignal::Reply
    }
}

/// The first header called `name`, ignoring case.
fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| haystack.contains(n))
}

// ---- bounces -------------------------------------------------------------------------------

/// Subjects mail servers use for failure reports, in the languages we support.
const BOUNCE_SUBJECTS: &[&str] = &[
    "undelivered",
    "undeliverable",
    "delivery status notification",
    "delivery failure",
    "delivery has failed",
    "failure notice",
    "returned mail",
    "mail delivery failed",
    "unzustellbar",
    "nicht zustellbar",
    "non remis",
    "échec de la remise",
    "no se puede entregar",
    "no entregado",
];

/// Sender mailboxes that only ever send reports.
const BOUNCE_SENDERS: &[&str] = &["mailer-daemon", "postmaster"];

fn bounce(headers: &[(&str, &str)], subject: &str, text: &str) -> Option<Bounce> {
    let content_type = header(headers, "content-type")
        .unwrap_or_default()
        .to_lowercase()
        .replace(['"', ' '], "");
    let is_dsn =
        content_type.contains("multipart/report") && content_type.contains("report-type=delivery-status");
    let from = header(headers, "from").unwrap_or_default().to_lowercase();
    let from_daemon = BOUNCE_SENDERS
        .iter()
        .any(|s| from.contains(&format!("{s}@")) || from.starts_with(s));
    let failed_header = header(headers, "x-failed-recipients");
    let looks_like_report = from_daemon && contains_any(subject, BOUNCE_SUBJECTS);
    if !is_dsn && !looks_like_report && failed_header.is_none() {
        return None;
    }
    let fields = dsn_fields(text);
    let recipient = fields
        .final_recipient
        .or(fields.original_recipient)
        .or_else(|| failed_header.and_then(first_address))
        .or_else(|| first_address_not_daemon(text));
    let status = fields.status.or_else(|| enhanced_status_in(text));
    let delayed = fields.action.as_deref() == Some("delayed") || subject.contains("delay");
    let permanent = match status.as_deref() {
        Some(code) => code.starts_with('5'),
        None => !delayed,
    };
    Some(Bounce {
        recipient,
        status,
        permanent: permanent && !delayed,
    })
}

#[derive(Default)]
struct DsnFields {
    final_recipient: Option<String>,
    original_recipient: Option<String>,
    status: Option<String>,
    action: Option<String>,
}

/// The per-recipient fields of a `message/delivery-status` part (RFC 3464).
fn dsn_fields(text: &str) -> DsnFields {
    let mut fields = DsnFields::default();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" if fields.final_recipient.is_none() => {
                fields.final_recipient = address_field(value)
            }
            "original-recipient" if fields.original_recipient.is_none() => {
                fields.original_recipient = address_field(value)
            }
            "status" if fields.status.is_none() => fields.status = enhanced_status_in(value),
            "action" if fields.action.is_none() => fields.action = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    fields
}

/// `rfc822; bob@example.com` → `bob@example.com`.
fn address_field(value: &str) -> Option<String> {
    let address = value.split_once(';').map_or(value, |(_, a)| a);
    first_address(address)
}

/// The first thing shaped like an email address, lower-cased.
fn first_address(text: &str) -> Option<String> {
    addresses(text).next()
}

fn first_address_not_daemon(text: &str) -> Option<String> {
    addresses(text).find(|a| !BOUNCE_SENDERS.iter().any(|s| a.starts_with(&format!("{s}@"))))
}

fn addresses(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"' | '\'' | '[' | ']')
    })
    .map(|w| w.trim_end_matches(['.', ':']))
    .filter(|w| {
        w.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'))
    })
    .map(str::to_lowercase)
}

/// The first `class.subject.detail` code (RFC 3463) in `text`, e.g. `5.1.1`.
fn enhanced_status_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .find_map(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            let ok = parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..].iter().all(|p| (1..=3).contains(&p.len()));
            ok.then(|| w.to_owned())
        })
}

// ---- out of office -------------------------------------------------------------------------

/// Subjects that announce an absence (Outlook, Gmail, Exchange defaults and common hand-written ones).
const OUT_OF_OFFICE_SUBJECTS: &[&str] = &[
    "out of office",
    "out of the office",
    "automatic reply",
    "auto-reply",
    "autoreply",
    "auto reply",
    "away from the office",
    "on vacation",
    "on holiday",
    "on leave",
    "abwesenheit",
    "automatische antwort",
    "nicht im büro",
    "absence du bureau",
    "réponse automatique",
    "reponse automatique",
    "absent du bureau",
    "fuera de la oficina",
    "respuesta automática",
    "respuesta automatica",
    "ausente",
];

/// Body phrases that make an automatic message an absence notice.
const OUT_OF_OFFICE_BODY: &[&str] = &[
    "out of the office",
    "out of office",
    "on vacation",
    "on holiday",
    "on leave",
    "away from",
    "limited access",
    "parental leave",
    "abwesend",
    "nicht im büro",
    "urlaub",
    "je suis absent",
    "en congé",
    "en vacances",
    "fuera de la oficina",
    "de vacaciones",
    "ausente",
];

/// Headers that mark a message as written by a machine (RFC 3834 and vendor variants).
fn is_automatic(headers: &[(&str, &str)]) -> bool {
    let value = |name| header(headers, name).map(str::to_ascii_lowercase);
    value("auto-submitted").is_some_and(|v| v != "no")
        || value("x-autoreply").is_some()
        || value("x-autorespond").is_some()
        || value("precedence").is_some_and(|v| v == "auto_reply")
        || value("x-auto-response-suppress").is_some_and(|v| v.contains("oof"))
}

/// The new text of a reply: quoted lines and forwarded originals are not the sender's words.
fn readable_part(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("-----") || trimmed.starts_with("________") {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if out.len() > MAX_SCAN_CHARS {
            break;
        }
    }
    out
}

/// Whether the date after a phrase is the first day back or the last day away.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meaning {
    BackOn,
    /// "until 14 December": read inclusively, so they are back the day after. Contacting someone a
    /// day late costs nothing; contacting them on a day they said they are away looks careless.
    AwayUntil,
}

const PHRASES: &[(&str, Meaning)] = &[
    ("back in the office", Meaning::BackOn),
    ("back in office", Meaning::BackOn),
    ("back", Meaning::BackOn),
    ("return", Meaning::BackOn),
    ("returning", Meaning::BackOn),
    ("zurück", Meaning::BackOn),
    ("wieder", Meaning::BackOn),
    ("ab", Meaning::BackOn),
    ("de retour", Meaning::BackOn),
    ("retour", Meaning::BackOn),
    ("à partir du", Meaning::BackOn),
    ("de vuelta", Meaning::BackOn),
    ("regreso", Meaning::BackOn),
    ("volveré", Meaning::BackOn),
    ("a partir del", Meaning::BackOn),
    ("until", Meaning::AwayUntil),
    ("till", Meaning::AwayUntil),
    ("through", Meaning::AwayUntil),
    ("bis", Meaning::AwayUntil),
    ("jusqu'au", Meaning::AwayUntil),
    ("jusqu’au", Meaning::AwayUntil),
    ("hasta", Meaning::AwayUntil),
];

/// The first day back named in `text` (lower-case), trying every date phrase in reading order.
fn return_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let mut hits: Vec<(usize, &str, Meaning)> = PHRASES
        .iter()
        .flat_map(|(phrase, meaning)| text.match_indices(phrase).map(move |(at, p)| (at, p, *meaning)))
        .filter(|(at, p, _)| is_whole_word(text, *at, p.len()))
        .collect();
    hits.sort_by_key(|(at, p, _)| (*at, std::cmp::Reverse(p.len())));
    hits.into_iter().find_map(|(at, phrase, meaning)| {
        let after: String = text[at + phrase.len()..].chars().take(60).collect();
        let date = date_after(&tokens(&after), today)?;
        Some(match meaning {
            Meaning::BackOn => date,
            Meaning::AwayUntil => date + Duration::days(1),
        })
    })
}

fn is_whole_word(text: &str, at: usize, len: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphabetic)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Num(u32, usize),
    Sep(char),
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_alphabetic()) {
                word.push(c);
                chars.next();
            }
            out.push(Tok::Word(word));
        } else if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
                digits.push(c);
                chars.next();
            }
            out.push(Tok::Num(digits.parse().unwrap_or(0), digits.len()));
        } else {
            out.push(Tok::Sep(c));
            chars.next();
        }
    }
    out
}

/// Words between a phrase and its date that carry no meaning.
const FILLERS: &[&str] = &[
    "on",
    "the",
    "in",
    "office",
    "to",
    "at",
    "am",
    "zum",
    "dem",
    "den",
    "le",
    "el",
    "del",
    "du",
    "de",
    "work",
    "will",
    "be",
    "i",
    "and",
    "including",
    "inclusive",
    "inclus",
    "einschließlich",
];
/// Ordinal suffixes after a day number (English and French).
const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er"];

/// A date at the start of `toks`: ISO, `14.12.[2026]`, an unambiguous `d/m[/y]`, `14 December [2026]`,
/// `December 14[th][, 2026]`, or just a weekday (the next one after today).
fn date_after(toks: &[Tok], today: NaiveDate) -> Option<NaiveDate> {
    let mut i = 0;
    let mut weekday = None;
    while let Some(tok) = toks.get(i) {
        match tok {
            Tok::Word(w) if FILLERS.contains(&w.as_str()) => {}
            Tok::Word(w) if weekday_named(w).is_some() => weekday = weekday_named(w),
            Tok::Sep(',') => {}
            _ => break,
        }
        i += 1;
    }
    let rest = &toks[i..];
    let num = |k: usize| match rest.get(k) {
        Some(Tok::Num(n, _)) => Some(*n),
        _ => None,
    };
    let sep = |k: usize, c: char| rest.get(k) == Some(&Tok::Sep(c));
    let year_at = |k: usize| match rest.get(k) {
        Some(Tok::Num(y, 4)) => Some(*y as i32),
        Some(Tok::Num(y, 2)) if sep(k.wrapping_sub(1), '.') || sep(k.wrapping_sub(1), '/') => {
            Some(2000 + *y as i32)
        }
        _ => None,
    };
    // 2026-12-12
    if let (Some(Tok::Num(y, 4)), true, Some(m), true, Some(d)) =
        (rest.first(), sep(1, '-'), num(2), sep(3, '-'), num(4))
    {
        return NaiveDate::from_ymd_opt(*y as i32, m, d);
    }
    if let Some(first) = num(0) {
        // 14.12.2026 and 14.12.
        if sep(1, '.') && num(2).is_some() {
            let month = num(2)?;
            let year = if sep(3, '.') { year_at(4) } else { None };
            return resolve(year, month, first, today);
        }
        // 14/12/2026, only when day and month cannot be confused.
        if sep(1, '/') {
            let second = num(2)?;
            let year = if sep(3, '/') { year_at(4) } else { None };
            return match (first > 12, second > 12) {
                (true, false) => resolve(year, second, first, today),
                (false, true) => resolve(year, first, second, today),
                _ => None,
            };
        }
        // 14 December 2026, 14th of December, 14. Dezember, 14 de diciembre
        let mut k = 1;
        while matches!(rest.get(k), Some(Tok::Word(w)) if ORDINALS.contains(&w.as_str()) || w == "of" || w == "de")
            || sep(k, '.')
        {
            k += 1;
        }
        if let Some(Tok::Word(w)) = rest.get(k)
            && let Some(month) = month_named(w)
        {
            let mut y = k + 1;
            while sep(y, ',') || matches!(rest.get(y), Some(Tok::Word(w)) if w == "de") {
                y += 1;
            }
            return resolve(year_at(y), month, first, today);
        }
    }
    // December 14th, 2026
    if let Some(Tok::Word(w)) = rest.first()
        && let Some(month) = month_named(w)
    {
        let mut k = 1;
        while sep(k, '.') {
            k += 1;
        }
        let day = num(k)?;
        let mut y = k + 1;
        while matches!(rest.get(y), Some(Tok::Word(w)) if ORDINALS.contains(&w.as_str())) || sep(y, ',') {
            y += 1;
        }
        return resolve(year_at(y), month, day, today);
    }
    weekday.map(|wd| next_weekday_after(today, wd))
}

/// A date from parts, choosing the year when none was given: this year, unless that is more than
/// a week ago (an auto-reply in December about "5 January" means next year's).
fn resolve(year: Option<i32>, month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(year) = year {
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this_year {
        Some(date) if date >= today - Duration::days(PAST_TOLERANCE_DAYS) => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day),
    }
}

fn next_weekday_after(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead =
        (7 + weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

fn month_named(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["january", "jan", "januar", "jänner", "janvier", "enero"],
        &["february", "feb", "februar", "février", "fevrier", "febrero"],
        &["march", "mar", "märz", "maerz", "mars", "marzo"],
        &["april", "apr", "avril", "abril"],
        &["may", "mai", "mayo"],
        &["june", "jun", "juni", "juin", "junio"],
        &["july", "jul", "juli", "juillet", "julio"],
        &["august", "aug", "août", "aout", "agosto"],
        &["september", "sep", "sept", "septembre", "septiembre", "setiembre"],
        &["october", "oct", "oktober", "octobre", "octubre"],
        &["november", "nov", "novembre", "noviembre"],
        &[
            "december",
            "dec",
            "dezember",
            "dez",
            "décembre",
            "decembre",
            "diciembre",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&word))
        .map(|i| i as u32 + 1)
}

fn weekday_named(word: &str) -> Option<Weekday> {
    const DAYS: [(Weekday, &[&str]); 7] = [
        (Weekday::Mon, &["monday", "montag", "lundi", "lunes"]),
        (Weekday::Tue, &["tuesday", "dienstag", "mardi", "martes"]),
        (
            Weekday::Wed,
            &["wednesday", "mittwoch", "mercredi", "miércoles", "miercoles"],
        ),
        (Weekday::Thu, &["thursday", "donnerstag", "jeudi", "jueves"]),
        (Weekday::Fri, &["friday", "freitag", "vendredi", "viernes"]),
        (
            Weekday::Sat,
            &["saturday", "samstag", "samedi", "sábado", "sabado"],
        ),
        (Weekday::Sun, &["sunday", "sonntag", "dimanche", "domingo"]),
    ];
    DAYS.iter()
        .find(|(_, names)| names.contains(&word))
        .map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-01T10:00:00Z".parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ooo(return_date: Option<NaiveDate>) -> MailSignal {
        MailSignal::OutOfOffice { return_date }
    }

    #[test]
    fn gmail_delivery_status_report_is_a_permanent_bounce_with_recipient_and_code() {
        let headers = [
            ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
            ("Subject", "Delivery Status Notification (Failure)"),
            ("Auto-Submitted", "auto-replied"),
            (
                "Content-Type",
                "multipart/report; boundary=\"000000000000abc\"; report-type=delivery-status",
            ),
        ];
        let text = "Address not found\n\nYour message wasn't delivered to ada@analytical.example because the \
                    address couldn't be found, or is unable to receive mail.\n\n\
                    Reporting-MTA: dns; googlemail.com\n\n\
                    Final-Recipient: rfc822; Ada@Analytical.example\n\
                    Action: failed\nStatus: 5.1.1\n\
                    Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\n";
        assert_eq!(
            classify(&headers, text, now()),
            MailSignal::Bounce(Bounce {
                recipient: Some("ada@analytical.example".into()),
                status: Some("5.1.1".into()),
                permanent: true
            })
        );
    }

    #[test]
    fn postfix_bounce_without_report_part_is_read_from_the_text() {
        let headers = [
            ("From", "MAILER-DAEMON@mail.example.org (Mail Delivery System)"),
            ("Subject", "Undelivered Mail Returned to Sender"),
        ];
        let text = "This is the mail system at host mail.example.org.\n\n\
                    I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n\
                    <bob@widgets.example>: host mx.widgets.example[203.0.113.5] said: 550 5.1.1\n    <bob@widgets.example>: \
                    Recipient address rejected: User unknown in virtual mailbox table\n";
        let MailSignal::Bounce(bounce) = classify(&headers, text, now()) else {
            panic!("not a bounce")
        };
        assert_eq!(bounce.recipient.as_deref(), Some("bob@widgets.example"));
        assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
        assert!(bounce.permanent);
    }

    #[test]
    fn exchange_undeliverable_report_from_postmaster_is_a_bounce() {
        let headers = [
            ("From", "postmaster@contoso.example"),
            ("Subject", "Undeliverable: Quick question, John"),
            (
                "Content-Type",
                "multipart/report; report-type=\"delivery-status\"; boundary=\"b1\"",
            ),
        ];
        let text = "Your message to john@contoso.example couldn't be delivered.\n\
                    john wasn't found at contoso.example.\n\n\
                    Remote Server returned '550 5.4.1 Recipient address rejected: Access denied'\n";
        let MailSignal::Bounce(bounce) = classify(&headers, text, now()) else {
            panic!("not a bounce")
        };
        assert_eq!(bounce.recipient.as_deref(), Some("john@contoso.example"));
        assert_eq!(bounce.status.as_deref(), Some("5.4.1"));
    }

    #[test]
    fn delayed_delivery_report_is_not_permanent() {
        let headers = [
            ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
            ("Subject", "Delivery Status Notification (Delay)"),
            (
                "Content-Type",
                "multipart/report; report-type=delivery-status; boundary=x",
            ),
        ];
        let text = "Final-Recipient: rfc822; eve@slow.example\nAction: delayed\nStatus: 4.4.7\n";
        let MailSignal::Bounce(bounce) = classify(&headers, text, now()) else {
            panic!("not a bounce")
        };
        assert!(!bounce.permanent);
        assert_eq!(bounce.status.as_deref(), Some("4.4.7"));
    }

    #[test]
    fn outlook_automatic_reply_until_a_weekday_and_date_returns_the_day_after() {
        let headers = [
            ("From", "Ada Lovelace <ada@analytical.example>"),
            ("Subject", "Automatic reply: Quick question, Ada"),
            ("Auto-Submitted", "auto-replied"),
            ("X-Auto-Response-Suppress", "All"),
        ];
        let text = "Hello,\n\nI am out of the office until Monday, December 14 with limited access to email. \
                    For urgent matters please contact ops@analytical.example.\n\nAda";
        assert_eq!(classify(&headers, text, now()), ooo(Some(date(2026, 12, 15))));
    }

    #[test]
    fn gmail_vacation_responder_with_back_on_date() {
        let headers = [
            ("Subject", "Away"),
            ("Auto-Submitted", "auto-replied"),
            ("Precedence", "bulk"),
        ];
        let text = "Thanks for your email. I'm on holiday with my family and back on 12 December.\n";
        assert_eq!(classify(&headers, text, now()), ooo(Some(date(2026, 12, 12))));
    }

    #[test]
    fn iso_return_date_is_read() {
        let headers = [("Subject", "Re: Quick question"), ("X-Autoreply", "yes")];
        let text = "I'm travelling and away from my desk, returning on 2026-12-12.\n";
        assert_eq!(classify(&headers, text, now()), ooo(Some(date(2026, 12, 12))));
    }

    #[test]
    fn german_abwesenheitsnotiz_with_numeric_date() {
        let headers = [
            ("Subject", "Abwesenheitsnotiz: Quick question"),
            ("Auto-Submitted", "auto-replied"),
        ];
        let text = "Vielen Dank für Ihre Nachricht. Ich bin bis zum 14.12.2026 nicht im Büro und habe \
                    keinen Zugriff auf meine E-Mails.\n";
        assert_eq!(classify(&headers, text, now()), ooo(Some(date(2026, 12, 15))));
    }

    #[test]
    fn french_reply_in_december_about_january_means_next_year() {
        let headers = [
            ("Subject", "Réponse automatique : Quick question"),
            ("Auto-Submitted", "auto-replied"),
        ];
        let text =
            "Bonjour,\nJe suis absent jusqu'au 4 janvier inclus. En cas d'urgence, contactez mon équipe.\n";
        let december = "2026-12-20T09:00:00Z".parse().unwrap();
        assert_eq!(classify(&headers, text, december), ooo(Some(date(2027, 1, 5))));
    }

    #[test]
    fn spanish_respuesta_automatica_with_weekday_and_month_name() {
        let headers = [("Subject", "Respuesta automática: Quick question")];
        let text = "Estoy fuera de la oficina hasta el lunes 14 de diciembre. Responderé a mi regreso.\n";
        assert_eq!(classify(&headers, text, now()), ooo(Some(date(2026, 12, 15))));
    }

    #[test]
    fn out_of_office_without_a_date_has_no_return_date() {
        let headers = [("Subject", "Out of Office"), ("Auto-Submitted", "auto-replied")];
        let text =
            "I am currently out of the office with no access to email. I will reply when I get back.\n";
        assert_eq!(classify(&headers, text, now()), ooo(None));
    }

    #[test]
    fn back_on_a_weekday_alone_means_the_next_such_day() {
        let headers = [("Subject", "Out of office")];
        // 1 December 2026 is a Tuesday; "back on Monday" is 7 December.
        assert_eq!(
            classify(&headers, "Back on Monday.", now()),
            ooo(Some(date(2026, 12, 7)))
        );
    }

    #[test]
    fn a_person_mentioning_time_off_is_a_reply() {
        let headers = [
            ("From", "Bob <bob@widgets.example>"),
            ("Subject", "Re: Quick question, Bob"),
        ];
        let text = "Hi Sam,\n\nHappy to talk. I'm out until Friday but Monday afternoon works.\n\nBob\n\n\
                    > On Tue, 1 Dec 2026, Sam Rep wrote:\n> Out of office? Delivery Status Notification\n";
        assert_eq!(classify(&headers, text, now()), MailSignal::Reply);
    }

    #[test]
    fn a_ticket_acknowledgement_is_an_automatic_reply_not_a_reply() {
        let headers = [
            ("Subject", "[Ticket #4821] We received your request"),
            ("Auto-Submitted", "auto-replied"),
        ];
        let text =
            "Thanks for contacting support. A member of our team will get back to you within 24 hours.\n";
        assert_eq!(classify(&headers, text, now()), MailSignal::AutomaticReply);
    }

    #[test]
    fn auto_submitted_no_is_a_person() {
        let headers = [("Subject", "Re: hello"), ("Auto-Submitted", "no")];
        assert_eq!(classify(&headers, "Sounds good.", now()), MailSignal::Reply);
    }

    #[test]
    fn ambiguous_slash_dates_are_not_guessed() {
        let headers = [("Subject", "Out of office")];
        assert_eq!(classify(&headers, "Back on 1/5.", now()), ooo(None));
        assert_eq!(
            classify(&headers, "Back on 12/14.", now()),
            ooo(Some(date(2026, 12, 14)))
        );
    }

    #[test]
    fn signals_serialize_with_snake_case_tags() {
        let json = serde_json::to_value(ooo(Some(date(2026, 12, 15)))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type":"out_of_office","return_date":"2026-12-15"})
        );
    }
}
