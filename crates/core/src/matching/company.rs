//! Company names: `ACME, Inc.`, `Acme Incorporated` and `acme` are the same account. Names are folded,
//! legal-form suffixes are stripped and what remains is compared word by word, so word order and a dropped
//! word cost little while a different distinctive word costs a lot.

use super::distance::jaro_winkler;

use super::fold::fold;

/// Legal forms as they read once folded (dots and commas become spaces, so `N.V.` is `n v`). Longer forms
/// come first so `l l c` is stripped whole rather than leaving `l l`.
const LEGAL_FORMS: &[&str] = &[
    "incorporated",
    "corporation",
    "limited liability company",
    "limited",
    "company",
    "l l c",
    "l l p",
    "s p a",
    "s a s",
    "s a r l",
    "s a",
    "n v",
    "b v",
    "p l c",
    "pty ltd",
    "pty",
    "gmbh and co kg",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "inc",
    "llc",
    "llp",
    "ltd",
    "plc",
    "corp",
    "co",
    "sa",
    "sas",
    "sarl",
    "spa",
    "srl",
    "nv",
    "bv",
    "kk",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "se",
    "lp",
];

/// A company name reduced to the words that identify it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyName {
    words: Vec<String>,
    /// The words joined, kept because every comparison needs it.
    key: String,
}

impl CompanyName {
    /// Normalises `raw`: folds case, accents and punctuation, writes `&` as `and`, drops a leading `the`
    /// and strips legal-form suffixes (repeatedly, for `Acme Holdings Co., Ltd.`) — but never the last word,
    /// so a company called `AB` keeps its name.
    pub fn parse(raw: &str) -> Option<CompanyName> {
        let folded = fold(raw);
        let mut words: Vec<String> = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if words.len() > 1 && words[0] == "the" {
            words.remove(0);
        }
        while let Some(n) = legal_form_len(&words) {
            if n >= words.len() {
                break;
            }
            words.truncate(words.len() - n);
        }
        if words.is_empty() {
            None
        } else {
            Some(CompanyName {
                key: words.join(" "),
                words,
            })
        }
    }

    /// The normalised name, words joined by single spaces (`acme`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The normalised words in order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// How alike two names are, in [0, 1]: the better of Jaro–Winkler on the whole names and a soft
    /// word-overlap score (each word of one name paired with its closest word in the other, averaged both
    /// ways) — the first forgives typos, the second reordered or dropped words.
    pub fn similarity(&self, other: &CompanyName) -> f64 {
        let (a, b) = (self.key(), other.key());
        if a == b {
            return 1.0;
        }
        let whole = jaro_winkler(a, b);
        let soft = soft_overlap(&self.words, &other.words);
        whole.max(soft)
    }
}

/// How many trailing words of `words` form a legal suffix, if any.
fn legal_form_len(words: &[String]) -> Option<usize> {
    LEGAL_FORMS.iter().find_map(|form| {
        let parts: Vec<&str> = form.split(' ').collect();
        let n = parts.len();
        (words.len() >= n && words[words.len() - n..].iter().zip(&parts).all(|(w, p)| w == p)).then_some(n)
    })
}

/// Mean, over both directions, of how well each word finds a counterpart (Jaro–Winkler ≥ 0.9 counts in
/// full, less counts as nothing — a near miss on a short word is usually a different word).
fn soft_overlap(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // One pass over all word pairs serves both directions.
    let mut a_found = vec![false; a.len()];
    let mut b_found = vec![false; b.len()];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            if (a_found[i] && b_found[j]) || !(x == y || jaro_winkler(x, y) >= 0.9) {
                continue;
            }
            a_found[i] = true;
            b_found[j] = true;
        }
    }
    let share = |found: &[bool]| found.iter().filter(|f| **f).count() as f64 / found.len() as f64;
    (share(&a_found) + share(&b_found)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> String {
        CompanyName::parse(raw)
            .map(|c| c.key().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn legal_suffixes_are_stripped() {
        for raw in [
            "Acme, Inc.",
            "ACME Incorporated",
            "Acme LLC",
            "Acme L.L.C.",
            "Acme Ltd",
            "Acme Limited",
            "Acme GmbH",
            "Acme AG",
            "Acme N.V.",
            "Acme B.V.",
            "Acme S.A.",
            "Acme SAS",
            "Acme S.p.A.",
            "Acme Pty Ltd",
            "Acme PLC",
            "Acme Corp.",
            "Acme Corporation",
            "Acme Co., Ltd.",
            "Acme KK",
            "Acme Oy",
            "Acme AB",
            "Acme AS",
            "The Acme Company",
        ] {
            assert_eq!(key(raw), "acme", "{raw}");
        }
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_is_kept() {
        assert_eq!(key("AB"), "ab");
        assert_eq!(key("Co"), "co");
    }

    #[test]
    fn accents_and_ampersands_are_normalised() {
        assert_eq!(key("Société Générale S.A."), "societe generale");
        assert_eq!(key("Procter & Gamble Co."), key("Procter and Gamble Company"));
    }

    #[test]
    fn reordered_or_misspelt_names_are_similar_and_different_names_are_not() {
        let sim = |a: &str, b: &str| {
            CompanyName::parse(a)
                .unwrap()
                .similarity(&CompanyName::parse(b).unwrap())
        };
        assert!(sim("Microsoft Corporation", "microsoft") > 0.99);
        assert!(
            sim(
                "Abraham Lincoln Center Donoghue",
                "Abraham Lincoln Centre - Donoghue"
            ) > 0.9
        );
        assert!(sim("Gogle Inc", "Google LLC") > 0.9);
        assert!(sim("Apple Inc", "Oracle Corp") < 0.8);
    }

    #[test]
    fn empty_names_are_none() {
        assert_eq!(CompanyName::parse("  , . "), None);
    }
}
