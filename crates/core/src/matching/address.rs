//! Street addresses: `707 E. 37th Street` and `707 East 37th St` are one place. Addresses are folded, common
//! words are written one way, and compared word by word so a missing second line costs little.

use super::distance::jaro_winkler;

use super::fold::fold;

/// Long and short spellings of street words, written to the short one.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("avenue", "ave"),
    ("av", "ave"),
    ("boulevard", "blvd"),
    ("circle", "cir"),
    ("court", "ct"),
    ("crescent", "cres"),
    ("drive", "dr"),
    ("east", "e"),
    ("highway", "hwy"),
    ("lane", "ln"),
    ("north", "n"),
    ("parkway", "pkwy"),
    ("place", "pl"),
    ("road", "rd"),
    ("south", "s"),
    ("square", "sq"),
    ("street", "st"),
    ("str", "st"),
    ("suite", "ste"),
    ("terrace", "tce"),
    ("west", "w"),
];

/// A street address as comparable words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    words: Vec<String>,
}

impl Address {
    /// Normalises `raw` (folded, street words abbreviated one way), or `None` when nothing is left.
    pub fn parse(raw: &str) -> Option<Address> {
        let words: Vec<String> = fold(raw)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| {
                ABBREVIATIONS
                    .iter()
                    .find(|(long, _)| *long == w)
                    .map_or_else(|| w.to_owned(), |(_, s)| (*s).to_owned())
            })
            .collect();
        if words.is_empty() {
            None
        } else {
            Some(Address { words })
        }
    }

    /// The normalised words in order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The house number and the first word of the street name after it (`707 37th`), the part of an
    /// address least often abbreviated or left out; used as a blocking key.
    pub fn number_and_street(&self) -> Option<String> {
        let number_at = self
            .words
            .iter()
            .position(|w| w.chars().all(|c| c.is_ascii_digit()))?;
        let street = self.words[number_at + 1..].iter().find(|w| !is_direction(w))?;
        Some(format!("{} {street}", self.words[number_at]))
    }

    /// How alike two addresses are, in [0, 1]. Each word of the shorter address is paired with its closest
    /// word in the longer one (Jaro–Winkler; numbers must be equal), weighted 3:1 against the same the other
    /// way round — so `7 wallaby pl` against `7 wallaby pl delmar` scores high, and a different house
    /// number scores low.
    pub fn similarity(&self, other: &Address) -> f64 {
        let (short, long) = if self.words.len() <= other.words.len() {
            (&self.words, &other.words)
        } else {
            (&other.words, &self.words)
        };
        0.75 * best_mean(short, long) + 0.25 * best_mean(long, short)
    }
}

fn is_direction(word: &str) -> bool {
    matches!(word, "n" | "s" | "e" | "w" | "ne" | "nw" | "se" | "sw")
}

fn best_mean(from: &[String], to: &[String]) -> f64 {
    let total: f64 = from
        .iter()
        .map(|w| to.iter().map(|t| word_similarity(w, t)).fold(0.0, f64::max))
        .sum();
    total / from.len() as f64
}

fn word_similarity(a: &str, b: &str) -> f64 {
    let numeric = |w: &str| w.chars().any(|c| c.is_ascii_digit());
    if numeric(a) || numeric(b) {
        return if a == b { 1.0 } else { 0.0 };
    }
    jaro_winkler(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(raw: &str) -> Address {
        Address::parse(raw).unwrap()
    }

    #[test]
    fn abbreviations_and_punctuation_do_not_matter() {
        assert_eq!(addr("707 E. 37th Street"), addr("707 East 37th St"));
        assert_eq!(
            addr("707 E. 37th Street").number_and_street().as_deref(),
            Some("707 37th")
        );
    }

    #[test]
    fn a_missing_second_line_costs_little_and_another_house_number_costs_much() {
        assert!(addr("7 wallaby place").similarity(&addr("7 wallaby place, delmar")) > 0.9);
        assert!(addr("7 wallaby place").similarity(&addr("9 wallaby place")) < 0.8);
    }
}
