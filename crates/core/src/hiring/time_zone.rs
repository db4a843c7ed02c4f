//! A candidate's time zone, taken from what they wrote in the questionnaire, and interview times
//! written in a zone for people (the calendar invitation itself stays in UTC).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The IANA zone in a candidate's answer ("Europe/Berlin", "europe/berlin", " UTC "), or `None`
/// when the answer is not one (free text such as "CET, flexible" is kept as an answer only:
/// guessing a zone from it would put interviews at the wrong hour).
pub fn parse_time_zone(answer: &str) -> Option<String> {
    let answer = answer.trim();
    if answer.is_empty() || answer.len() > 64 {
        return None;
    }
    Tz::from_str(answer)
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|tz| tz.name().eq_ignore_ascii_case(answer))
                .copied()
        })
        .map(|tz| tz.name().to_owned())
}

/// `at` in the zone `tz` (an IANA name; UTC when it is not one), e.g.
/// `Mon 2 Mar 2026, 15:00 CET (Europe/Berlin)`.
pub fn format_in_zone(at: DateTime<Utc>, tz: &str) -> String {
    match Tz::from_str(tz) {
        Ok(zone) if zone != Tz::UTC => {
            let local = at.with_timezone(&zone);
            format!("{} ({})", local.format("%a %-d %b %Y, %H:%M %Z"), zone.name())
        }
        _ => format!("{}", at.format("%a %-d %b %Y, %H:%M UTC")),
    }
}

/// Only the clock time of `at` in `tz` with the zone's abbreviation (`15:00 CET`), for an end time.
pub fn clock_in_zone(at: DateTime<Utc>, tz: &str) -> String {
    match Tz::from_str(tz) {
        Ok(zone) => at.with_timezone(&zone).format("%H:%M %Z").to_string(),
        Err(_) => at.format("%H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn an_iana_answer_is_the_zone_and_free_text_is_not() {
        assert_eq!(parse_time_zone(" Europe/Berlin "), Some("Europe/Berlin".into()));
        assert_eq!(
            parse_time_zone("america/new_york"),
            Some("America/New_York".into())
        );
        assert_eq!(parse_time_zone("CET, but flexible"), None);
        assert_eq!(parse_time_zone(""), None);
    }

    #[test]
    fn times_are_written_in_the_zone_with_its_name() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
        assert_eq!(
            format_in_zone(at, "Europe/Berlin"),
            "Mon 2 Mar 2026, 15:00 CET (Europe/Berlin)"
        );
        assert_eq!(
            format_in_zone(at, "America/New_York"),
            "Mon 2 Mar 2026, 09:00 EST (America/New_York)"
        );
        assert_eq!(format_in_zone(at, "UTC"), "Mon 2 Mar 2026, 14:00 UTC");
        assert_eq!(format_in_zone(at, "Not/AZone"), "Mon 2 Mar 2026, 14:00 UTC");
        assert_eq!(clock_in_zone(at, "Europe/Berlin"), "15:00 CET");
    }
}
