//! The index duplicate detection on entry uses: built once from the existing records, then asked about each
//! new record — and grown as records are accepted, so an import also catches duplicates within itself.

use std::collections::HashMap;

use super::MatcherConfig;
use super::blocking::{BlockKey, keys};
use super::compare::score_reaching;
use super::record::{Prepared, Record};

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
    blocks: HashMap<BlockKey, Vec<u32>>,
}

impl MatchIndex {
    /// An empty index that matches with `config`.
    pub fn new(config: MatcherConfig) -> MatchIndex {
        MatchIndex {
            config,
            records: Vec::new(),
            blocks: HashMap::new(),
        }
    }

    /// Adds `record` and returns its position, the `index` later matches report.
    pub fn insert(&mut self, record: &Record) -> usize {
        let prepared = Prepared::of(record, self.config.fold_gmail);
        let position = self.records.len();
        // Positions are u32 to halve the blocks' memory; four billion records is beyond any one tenant.
        let slot = u32::try_from(position).unwrap_or(u32::MAX);
        for key in keys(&prepared) {
            self.blocks.entry(key).or_default().push(slot);
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
            let Some(block) = self.blocks.get(&key) else {
                continue;
            };
            if block.len() > self.config.max_block_size {
                continue;
            }
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
