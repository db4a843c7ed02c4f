//! The parts of a person that identify them — names, date of birth, phone — and how alike two of each are.
//! Each comparison returns a similarity in [0, 1]; how much a similarity counts is `compare.rs`'s business.

use strsim::damerau_levenshtein;

use super::distance::{jaro_winkler, within_one_edit};

/// How alike two folded names are: Jaro–Winkler, which forgives typos and rewards a shared beginning, and
/// full marks when one is the other's initial (`j` for `john`).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let initial = |short: &str, long: &str| short.chars().count() == 1 && long.starts_with(short);
    if initial(a, b) || initial(b, a) {
        return 0.9;
    }
    jaro_winkler(a, b)
}

/// How alike two folded full names are regardless of word order (`smith john` = `john smith`): the words
/// of each are sorted before comparing.
pub fn full_name_similarity(a: &str, b: &str) -> f64 {
    let sorted = |s: &str| {
        let mut words: Vec<&str> = s.split(' ').collect();
        words.sort_unstable();
        words.join(" ")
    };
    name_similarity(a, b).max(jaro_winkler(&sorted(a), &sorted(b)))
}

/// A calendar date as written in a record, kept as its digits `YYYYMMDD` so typos can be measured in digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BirthDate {
    digits: String,
}

impl BirthDate {
    /// Reads `19560409`, `1956-04-09`, `1956/4/9` or day-first `09/04/1956` (month-first dates read as
    /// day-first; the day/month swap tolerance in [`BirthDate::similarity`] absorbs the ambiguity).
    /// Returns `None` for anything else rather than guessing.
    pub fn parse(raw: &str) -> Option<BirthDate> {
        let parts: Vec<&str> = raw
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let (y, m, d) = match parts.as_slice() {
            [all] if all.len() == 8 => (&all[0..4], &all[4..6], &all[6..8]),
            [y, m, d] if y.len() == 4 => (*y, *m, *d),
            [d, m, y] if y.len() == 4 => (*y, *m, *d),
            _ => return None,
        };
        let (m, d) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
        if m == 0 || d == 0 || m > 31 || d > 31 {
            return None;
        }
        Some(BirthDate {
            digits: format!("{y}{m:02}{d:02}"),
        })
    }

    /// The date as `YYYYMMDD`.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The year, `YYYY`.
    pub fn year(&self) -> &str {
        &self.digits[..4]
    }

    /// The month and day, `MMDD`.
    pub fn month_day(&self) -> &str {
        &self.digits[4..]
    }

    /// How alike two dates are: 1 when equal; 0.8 when day and month are swapped or one digit is mistyped
    /// or two neighbouring digits transposed (the mistakes people and OCR make); 0.5 for two such
    /// mistakes, still likelier between one person's records than between strangers'; 0 otherwise.
    pub fn similarity(&self, other: &BirthDate) -> f64 {
        if self.digits == other.digits {
            return 1.0;
        }
        let swapped = format!(
            "{}{}{}",
            &self.digits[..4],
            &self.digits[6..8],
            &self.digits[4..6]
        );
        if swapped == other.digits || within_one_edit(&self.digits, &other.digits) {
            return 0.8;
        }
        if damerau_levenshtein(&self.digits, &other.digits) == 2 {
            return 0.5;
        }
        0.0
    }
}

/// A phone number as its digits; national and international spellings of one number share their last
/// seven digits, which is what [`phone_similarity`] and blocking compare.
pub fn phone_digits(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then_some(digits)
}

/// How alike two phone digit strings are: 1 when equal or when one ends with the other's last seven
/// digits or more (a country or area code added); 0.6 for a single mistyped or transposed digit; 0 otherwise.
pub fn phone_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 7 && long.ends_with(short) {
        return 1.0;
    }
    if within_one_edit(a, b) {
        return 0.6;
    }
    0.0
}

/// The last seven digits of a phone number, the part every spelling of it shares.
pub fn phone_key(digits: &str) -> &str {
    &digits[digits.len().saturating_sub(7)..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_forgive_typos_and_initials() {
        assert!(name_similarity("jonathan", "jonathon") > 0.9);
        assert!(name_similarity("j", "john") >= 0.9);
        assert!(name_similarity("mary", "peter") < 0.6);
    }

    #[test]
    fn full_names_ignore_word_order() {
        assert!(full_name_similarity("smith john", "john smith") > 0.99);
    }

    #[test]
    fn dates_are_read_in_common_formats() {
        let d = BirthDate::parse("19560409").unwrap();
        assert_eq!(BirthDate::parse("1956-04-09"), Some(d.clone()));
        assert_eq!(BirthDate::parse("1956/4/9"), Some(d.clone()));
        assert_eq!(BirthDate::parse("09/04/1956"), Some(d));
        assert_eq!(BirthDate::parse("yesterday"), None);
        assert_eq!(BirthDate::parse("1956"), None);
    }

    #[test]
    fn dates_tolerate_swaps_and_single_typos_only() {
        let d = |s| BirthDate::parse(s).unwrap();
        assert_eq!(d("19560409").similarity(&d("19560409")), 1.0);
        assert!(d("19560409").similarity(&d("19560904")) > 0.5);
        assert!(d("19560409").similarity(&d("19650409")) > 0.5);
        assert!(d("19560409").similarity(&d("19560419")) > 0.5);
        assert_eq!(d("19560409").similarity(&d("19570419")), 0.5);
        assert_eq!(d("19560409").similarity(&d("19721130")), 0.0);
    }

    #[test]
    fn phones_match_with_or_without_country_code() {
        assert_eq!(phone_similarity("4402079460958", "02079460958"), 1.0);
        assert_eq!(phone_similarity("2079460958", "2079460985"), 0.6);
        assert_eq!(phone_similarity("2079460958", "3125550000"), 0.0);
        assert_eq!(phone_key("4402079460958"), "9460958");
    }
}
