//! Duplicate detection: on entry (is this new lead someone we already have?), on import (which rows are
//! already here, or twice in the file?) and in `prospector dedupe`. All three use one [`Matcher`], so a
//! pair is a duplicate in the CLI exactly when the app would flag it.
//!
//! How it works, in order (details in `docs/matching.md`):
//! 1. each [`Record`] is normalised once — names and companies folded and stripped of legal forms,
//!    emails lower-cased, phones reduced to digits, dates to `YYYYMMDD`, addresses abbreviated one way;
//! 2. blocking gives each record a few keys and only records sharing a key are compared;
//! 3. each compared pair gets Fellegi–Sunter-style evidence from its field similarities, turned into a
//!    score in [0, 1]; pairs at or above the threshold are reported.

mod address;
mod blocking;
mod company;
mod compare;
mod distance;
mod domain;
mod evaluate;
mod fold;
mod index;
mod person;
mod phonetic;
mod record;

#[cfg(test)]
mod benchmark_tests;

pub use address::Address;
pub use company::CompanyName;
pub use compare::EVEN_ODDS_BITS;
pub use domain::{account_domain_of_email, is_free_mail, normalise_email, website_domain};
pub use evaluate::Evaluation;
pub use index::{Match, MatchIndex};
pub use person::BirthDate;
pub use record::Record;

use compare::{evidence, score_of, score_reaching};
use record::Prepared;

/// What the matcher reports and how hard it looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatcherConfig {
    /// The score at or above which a pair is reported as a duplicate; 0.5 is even odds.
    pub threshold: f64,
    /// Blocks shared by more records than this are not used to find candidates, which keeps the work
    /// near-linear in the number of records; other keys still bring true duplicates together.
    pub max_block_size: usize,
    /// Treat Gmail addresses that differ only in dots or a `+tag` as one address.
    pub fold_gmail: bool,
}

impl Default for MatcherConfig {
    fn default() -> Self {
        MatcherConfig {
            threshold: 0.5,
            max_block_size: 50,
            fold_gmail: false,
        }
    }
}

/// Two records the matcher considers one person or organisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Position of one record: in the input of [`Matcher::dedupe`] (always the lower of the two), or in
    /// the left input of [`Matcher::link`].
    pub left: usize,
    /// Position of the other record: in the same input for `dedupe`, in the right input for `link`.
    pub right: usize,
    /// How likely the two are one, in [0, 1].
    pub score: f64,
}

/// Finds duplicate records. Cheap to copy; holds only its configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Matcher {
    config: MatcherConfig,
}

impl Matcher {
    /// A matcher with `config`.
    pub fn new(config: MatcherConfig) -> Matcher {
        Matcher { config }
    }

    /// The configuration in use.
    pub fn config(&self) -> MatcherConfig {
        self.config
    }

    /// The score of one pair, in [0, 1], without blocking — for showing why two records were flagged.
    pub fn score(&self, a: &Record, b: &Record) -> f64 {
        let (a, b) = (
            Prepared::of(a, self.config.fold_gmail),
            Prepared::of(b, self.config.fold_gmail),
        );
        score_of(evidence(&a, &b))
    }

    /// An index of `records` for checking new records one at a time ([`MatchIndex::find_matches`]).
    pub fn index(&self, records: &[Record]) -> MatchIndex {
        let mut index = MatchIndex::new(self.config);
        for record in records {
            index.insert(record);
        }
        index
    }

    /// The duplicate pairs within `records`, ordered by `left` then `right` (`left < right`).
    pub fn dedupe(&self, records: &[Record]) -> Vec<Pair> {
        let index = self.index(records);
        let mut pairs = Vec::new();
        for right in 0..index.len() {
            let record = index.prepared(right);
            for left in index.candidates(record, right) {
                if let Some(score) = score_reaching(index.prepared(left), record, self.config.threshold) {
                    pairs.push(Pair { left, right, score });
                }
            }
        }
        pairs.sort_by(|a, b| a.left.cmp(&b.left).then(a.right.cmp(&b.right)));
        pairs
    }

    /// The pairs linking a record of `left` to a record of `right` that are one person or organisation,
    /// ordered by `left` then `right`. Duplicates within either side are not reported.
    pub fn link(&self, left: &[Record], right: &[Record]) -> Vec<Pair> {
        let index = self.index(right);
        let mut pairs = Vec::new();
        for (l, record) in left.iter().enumerate() {
            let prepared = Prepared::of(record, self.config.fold_gmail);
            for r in index.candidates(&prepared, index.len()) {
                if let Some(score) = score_reaching(&prepared, index.prepared(r), self.config.threshold) {
                    pairs.push(Pair {
                        left: l,
                        right: r,
                        score,
                    });
                }
            }
        }
        pairs.sort_by(|a, b| a.left.cmp(&b.left).then(a.right.cmp(&b.right)));
        pairs
    }

    /// Every pair within `records` that blocking puts forward for scoring, ordered, `left < right` — for
    /// measuring how many true duplicates blocking lets through and at what cost.
    pub fn candidate_pairs(&self, records: &[Record]) -> Vec<(usize, usize)> {
        let index = self.index(records);
        (0..index.len())
            .flat_map(|right| {
                index
                    .candidates(index.prepared(right), right)
                    .into_iter()
                    .map(move |left| (left, right))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, given: &str, surname: &str, email: &str) -> Record {
        Record {
            id: id.into(),
            given_name: Some(given.into()),
            surname: Some(surname.into()),
            email: Some(email.into()),
            ..Record::default()
        }
    }

    #[test]
    fn dedupe_reports_each_duplicate_pair_once_in_order() {
        let records = [
            person("1", "Jo", "Smith", "jo@acme.com"),
            person("2", "Ann", "Baker", "ann@example.org"),
            person("3", "Jo", "Smyth", "JO@ACME.COM"),
        ];
        let pairs = Matcher::default().dedupe(&records);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].left, pairs[0].right), (0, 2));
        assert!(pairs[0].score > 0.9);
    }

    #[test]
    fn link_pairs_records_across_two_lists() {
        let left = [
            person("a", "Ann", "Baker", "ann@example.org"),
            person("b", "Jo", "Smith", "jo@acme.com"),
        ];
        let right = [person("x", "Jo", "Smith", "jo@acme.com")];
        let pairs = Matcher::default().link(&left, &right);
        assert_eq!(
            pairs.iter().map(|p| (p.left, p.right)).collect::<Vec<_>>(),
            [(1, 0)]
        );
    }

    #[test]
    fn entry_finds_an_existing_account_by_company_and_website() {
        let accounts = [
            Record {
                id: "1".into(),
                company: Some("Acme, Inc.".into()),
                website: Some("acme.com".into()),
                ..Record::default()
            },
            Record {
                id: "2".into(),
                company: Some("Globex GmbH".into()),
                website: Some("globex.de".into()),
                ..Record::default()
            },
        ];
        let index = Matcher::default().index(&accounts);
        let new = Record {
            company: Some("ACME Incorporated".into()),
            website: Some("https://www.acme.com/".into()),
            ..Record::default()
        };
        let found = index.find_matches(&new);
        assert_eq!(found.iter().map(|m| m.index).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn gmail_folding_applies_only_when_configured() {
        let a = person("1", "Jo", "Smith", "jo.smith+crm@gmail.com");
        let b = Record {
            id: "2".into(),
            email: Some("josmith@gmail.com".into()),
            ..Record::default()
        };
        let folding = Matcher::new(MatcherConfig {
            fold_gmail: true,
            ..MatcherConfig::default()
        });
        assert!(folding.score(&a, &b) > Matcher::default().score(&a, &b));
    }

    #[test]
    fn a_higher_threshold_reports_fewer_pairs() {
        let records = [
            person("1", "Jo", "Smith", "jo@acme.com"),
            person("2", "Joe", "Smith", "jo@acme.com"),
            person("3", "Jo", "Smith", "joanna@acme.com"),
        ];
        let loose = Matcher::new(MatcherConfig {
            threshold: 0.01,
            ..MatcherConfig::default()
        })
        .dedupe(&records);
        let strict = Matcher::new(MatcherConfig {
            threshold: 0.999,
            ..MatcherConfig::default()
        })
        .dedupe(&records);
        assert!(strict.len() < loose.len());
    }
}
