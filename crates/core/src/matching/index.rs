//! The index duplicate detection on entry uses: built once from the existing records, then asked about each
//! new record — and grown as records are accepted, so an import also catches duplicates within itself.

use std::collections::HashMap;

use super::MatcherConfig;
use super::blocking::{BlockKey, keys};
use super::compare::score_reaching;
use super::record::{Interner, Prepared, Record};

/// An existing record that a candidate resembles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The position of the existing record in the order it was inserted.
    pub index: usize,
    /// How likely the two are one person or organisation, in [0, 1].
    pub score: f64,
}

/// Normalised records and their blocks, ready to be searched for duplicates of a new record.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    config: MatcherConfig,
    records: Vec<Prepared>,
    blocks: HashMap<BlockKey, Block>,
    /// The one copy of each name, city and company the records share.
    interner: Interner,
}

/// The positions of the records sharing one blocking key, ascending. An import of a million people
/// makes millions of keys, most held by one record, so a lone position is kept inline; and a block
/// that outgrows `max_block_size` is never searched again, so its positions are let go.
#[derive(Debug, Clone)]
enum Block {
    One(u32),
    /// Two or more positions; empty once the block has outgrown the limit.
    Few(Box<[u32]>),
}

impl Block {
    /// Adds `position` (above every position held), or lets the block go once it holds more than `limit`.
    fn push(&mut self, position: u32, limit: usize) {
        let held: &[u32] = match self {
            Block::One(first) => std::slice::from_ref(first),
            Block::Few(positions) if positions.is_empty() => return,
            Block::Few(positions) => positions,
        };
        *self = if held.len() >= limit {
            Block::Few(Box::default())
        } else {
            // Blocks stop growing at the limit (50 by default), so copying one to grow it costs little.
            Block::Few(held.iter().copied().chain([position]).collect())
        };
    }

    /// The positions, or `None` for a block too large to search.
    fn positions(&self) -> Option<&[u32]> {
        match self {
            Block::One(position) => Some(std::slice::from_ref(position)),
            Block::Few(positions) if positions.is_empty() => None,
            Block::Few(positions) => Some(positions),
        }
    }
}

impl MatchIndex {
    /// An empty index that matches with `config`.
    pub fn new(config: MatcherConfig) -> MatchIndex {
        MatchIndex {
            config,
            records: Vec::new(),
            blocks: HashMap::new(),
            interner: Interner::default(),
        }
    }

    /// Adds `record` and returns its position, the `index` later matches report.
    pub fn insert(&mut self, record: &Record) -> usize {
        let mut prepared = Prepared::of(record, self.config.fold_gmail);
        prepared.share_text(&mut self.interner);
        let position = self.records.len();
        // Positions are u32 to halve the blocks' memory; four billion records is beyond any one tenant.
        let slot = u32::try_from(position).unwrap_or(u32::MAX);
        for key in keys(&prepared) {
            self.blocks
                .entry(key)
                .and_modify(|block| block.push(slot, self.config.max_block_size))
                .or_insert_with(|| {
                    if self.config.max_block_size == 0 {
                        Block::Few(Box::default())
                    } else {
                        Block::One(slot)
                    }
                });
        }
        self.records.push(prepared);
        position
    }

    /// How many records the index holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the index holds no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The indexed records that `candidate` probably duplicates — score at or above the configured
    /// threshold — best first, ties by position.
    pub fn find_matches(&self, candidate: &Record) -> Vec<Match> {
        let prepared = Prepared::of(candidate, self.config.fold_gmail);
        let mut found: Vec<Match> = self
            .candidates(&prepared, self.records.len())
            .into_iter()
            .filter_map(|j| {
                let score = score_reaching(&prepared, &self.records[j], self.config.threshold)?;
                Some(Match { index: j, score })
            })
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        found
    }

    /// Positions below `below` sharing a usable block with `record`, ascending and without repeats.
    pub(crate) fn candidates(&self, record: &Prepared, below: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for key in keys(record) {
            let Some(block) = self.blocks.get(&key).and_then(Block::positions) else {
                continue;
            };
            // Blocks are filled in insertion order, so they are sorted.
            let end = block.partition_point(|&j| (j as usize) < below);
            out.extend(block[..end].iter().map(|&j| j as usize));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The normalised record at `position`.
    pub(crate) fn prepared(&self, position: usize) -> &Prepared {
        &self.records[position]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(given: &str, surname: &str, email: &str) -> Record {
        Record {
            given_name: Some(given.into()),
            surname: Some(surname.into()),
            email: Some(email.into()),
            company: Some("Acme Widgets Inc.".into()),
            ..Record::default()
        }
    }

    fn index_with_limit(limit: usize) -> MatchIndex {
        MatchIndex::new(MatcherConfig {
            max_block_size: limit,
            ..MatcherConfig::default()
        })
    }

    #[test]
    fn a_block_is_searched_up_to_its_limit_and_never_once_it_outgrows_it() {
        // Three people at one company with one surname; the twin, with a typo early in the given name
        // and no email, shares only blocks that all three are in (surname prefix, sounds, company).
        let people = [
            lead("jane", "smith", "jane@one.example"),
            lead("joan", "smith", "joan@two.example"),
            lead("june", "smith", "june@three.example"),
        ];
        let twin = Record {
            email: None,
            ..lead("jnae", "smith", "")
        };
        let mut index = index_with_limit(2);
        index.insert(&people[0]);
        index.insert(&people[1]);
        let found: Vec<usize> = index.find_matches(&twin).iter().map(|m| m.index).collect();
        assert!(
            found.contains(&0),
            "within the limit the block is searched: {found:?}"
        );
        index.insert(&people[2]);
        assert!(
            index.find_matches(&twin).is_empty(),
            "past the limit the block is skipped, as before it was let go"
        );
        // A block of one is searched like any other.
        let mut single = index_with_limit(2);
        single.insert(&people[0]);
        assert_eq!(single.find_matches(&twin).first().map(|m| m.index), Some(0));
    }

    #[test]
    fn records_with_the_same_names_and_company_share_one_copy() {
        let mut index = index_with_limit(50);
        index.insert(&lead("jane", "smith", "jane@one.example"));
        index.insert(&lead("jane", "smith", "jane@two.example"));
        let (a, b) = (index.prepared(0), index.prepared(1));
        let same = |x: &Option<std::sync::Arc<str>>, y: &Option<std::sync::Arc<str>>| match (x, y) {
            (Some(x), Some(y)) => std::sync::Arc::ptr_eq(x, y),
            _ => false,
        };
        assert!(same(&a.given, &b.given) && same(&a.surname, &b.surname));
        assert!(matches!((&a.company, &b.company), (Some(x), Some(y)) if std::sync::Arc::ptr_eq(x, y)));
        assert_ne!(a.email, b.email);
    }
}
