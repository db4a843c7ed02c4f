//! Measuring the matcher against data whose true duplicates are known, so a change to weights or blocking
//! can be judged by precision, recall and F1 rather than by eye.

use std::collections::HashMap;
use std::hash::Hash;

use super::Pair;

/// How the pairs a matcher found compare with the true duplicate pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    /// Pairs that truly are duplicates.
    pub true_pairs: usize,
    /// Pairs the matcher reported.
    pub found_pairs: usize,
    /// Reported pairs that truly are duplicates.
    pub correct_pairs: usize,
}

impl Evaluation {
    /// Scores deduplication `pairs` against `clusters`, the true entity of each record by position: two
    /// records are true duplicates when their cluster labels are equal.
    pub fn against_clusters<K: Eq + Hash>(pairs: &[Pair], clusters: &[K]) -> Evaluation {
        let mut sizes: HashMap<&K, usize> = HashMap::new();
        for label in clusters {
            *sizes.entry(label).or_default() += 1;
        }
        let true_pairs = sizes.values().map(|n| n * (n - 1) / 2).sum();
        let correct_pairs = pairs
            .iter()
            .filter(|p| matches!((clusters.get(p.left), clusters.get(p.right)), (Some(a), Some(b)) if a == b))
            .count();
        Evaluation {
            true_pairs,
            found_pairs: pairs.len(),
            correct_pairs,
        }
    }

    /// The share of reported pairs that are true duplicates (1 when nothing was reported).
    pub fn precision(&self) -> f64 {
        ratio(self.correct_pairs, self.found_pairs)
    }

    /// The share of true duplicate pairs that were reported (1 when there were none).
    pub fn recall(&self) -> f64 {
        ratio(self.correct_pairs, self.true_pairs)
    }

    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_true_pairs_from_cluster_sizes_and_scores_found_pairs() {
        let clusters = ["a", "a", "a", "b", "c", "c"];
        let pairs = [
            Pair {
                left: 0,
                right: 1,
                score: 1.0,
            },
            Pair {
                left: 4,
                right: 5,
                score: 1.0,
            },
            Pair {
                left: 2,
                right: 3,
                score: 1.0,
            },
        ];
        let e = Evaluation::against_clusters(&pairs, &clusters);
        assert_eq!(
            e,
            Evaluation {
                true_pairs: 4,
                found_pairs: 3,
                correct_pairs: 2
            }
        );
        assert!((e.precision() - 2.0 / 3.0).abs() < 1e-9);
        assert!((e.recall() - 0.5).abs() < 1e-9);
    }
}
