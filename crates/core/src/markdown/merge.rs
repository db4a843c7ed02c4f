//! Three-way merge of a handbook page: when a proposal was written against a revision that is no longer
//! current, its changes are replayed on the current text; where both touched the same lines the result is a
//! list of conflicts (base / current / proposed) for a person to resolve — the API's 409 body.

use std::ops::Range;

use serde::Serialize;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// The result of merging a proposal onto the current page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MergeOutcome {
    /// Both sides' changes applied; the merged text.
    Clean {
        /// The page with both sides' changes.
        text: String,
    },
    /// Some changes overlap; nothing is merged until they are resolved.
    Conflicts {
        /// Every overlapping change, in page order.
        conflicts: Vec<MergeConflict>,
    },
}

/// One place where the current page and the proposal changed the same lines differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeConflict {
    /// 1-based first base line of the conflict (for an insertion, the line it goes before).
    pub base_line: usize,
    /// 1-based first line of the conflict in the current page.
    pub current_line: usize,
    /// 1-based first line of the conflict in the proposal.
    pub proposed_line: usize,
    /// The lines as they were in the base revision.
    pub base: String,
    /// The lines as they are now.
    pub current: String,
    /// The lines as the proposal has them.
    pub proposed: String,
}

/// A change one side made: base lines `base` became that side's lines `side`.
#[derive(Debug, Clone)]
struct Change {
    base: Range<usize>,
    side: Range<usize>,
}

/// Merges `current` and `proposed`, both descended from `base`. Changes that touch the same or adjacent base
/// lines conflict (as in git), unless both sides made exactly the same change.
pub fn merge3(base: &str, current: &str, proposed: &str) -> MergeOutcome {
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let current_lines: Vec<&str> = current.split_inclusive('\n').collect();
    let proposed_lines: Vec<&str> = proposed.split_inclusive('\n').collect();
    let current_changes = changes(&base_lines, &current_lines);
    let proposed_changes = changes(&base_lines, &proposed_lines);

    let mut merged = String::with_capacity(current.len().max(proposed.len()));
    let mut conflicts = Vec::new();
    let mut base_pos = 0;
    let (mut ci, mut pi) = (0, 0);
    while ci < current_changes.len() || pi < proposed_changes.len() {
        // Start a region at the earliest pending change, then absorb every change from either side that
        // overlaps or touches it, until the region stops growing.
        let start = match (current_changes.get(ci), proposed_changes.get(pi)) {
            (Some(c), Some(p)) => c.base.start.min(p.base.start),
            (Some(c), None) => c.base.start,
            (None, Some(p)) => p.base.start,
            (None, None) => break,
        };
        let mut end = start;
        let (c_from, p_from) = (ci, pi);
        loop {
            let mut grew = false;
            if let Some(c) = current_changes.get(ci).filter(|c| c.base.start <= end) {
                end = end.max(c.base.end);
                ci += 1;
                grew = true;
            }
            if let Some(p) = proposed_changes.get(pi).filter(|p| p.base.start <= end) {
                end = end.max(p.base.end);
                pi += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        merged.extend(base_lines[base_pos..start].iter().copied());
        base_pos = end;

        let region = start..end;
        let current_range = side_range(&current_changes[c_from..ci], &region);
        let proposed_range = side_range(&proposed_changes[p_from..pi], &region);
        let current_text: String = current_range.as_ref().map_or_else(
            || base_lines[region.clone()].concat(),
            |r| current_lines[r.clone()].concat(),
        );
        let proposed_text: String = proposed_range.as_ref().map_or_else(
            || base_lines[region.clone()].concat(),
            |r| proposed_lines[r.clone()].concat(),
        );
        match (&current_range, &proposed_range) {
            (Some(_), None) => merged.push_str(&current_text),
            (None, Some(_)) => merged.push_str(&proposed_text),
            _ if current_text == proposed_text => merged.push_str(&current_text),
            _ => conflicts.push(MergeConflict {
                base_line: region.start + 1,
                current_line: current_range.map_or(0, |r| r.start) + 1,
                proposed_line: proposed_range.map_or(0, |r| r.start) + 1,
                base: base_lines[region].concat(),
                current: current_text,
                proposed: proposed_text,
            }),
        }
    }
    merged.extend(base_lines[base_pos..].iter().copied());

    if conflicts.is_empty() {
        MergeOutcome::Clean { text: merged }
    } else {
        MergeOutcome::Conflicts { conflicts }
    }
}

/// The lines of one side that correspond to base `region`, given that side's changes inside it;
/// `None` when that side did not change the region.
fn side_range(changes: &[Change], region: &Range<usize>) -> Option<Range<usize>> {
    let first = changes.first()?;
    let last = changes.last()?;
    // Outside its changes a side equals the base, so the offsets at the region's edges carry over.
    let start = first.side.start - (first.base.start - region.start);
    let end = last.side.end + (region.end - last.base.end);
    Some(start..end)
}

/// The non-equal runs of a line diff from base to one side.
fn changes(base: &[&str], side: &[&str]) -> Vec<Change> {
    capture_diff_slices(Algorithm::Myers, base, side)
        .into_iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        .map(|op| Change {
            base: op.old_range(),
            side: op.new_range(),
        })
        .fold(Vec::new(), |mut acc: Vec<Change>, change| {
            // A delete followed by an insert at the same spot is one replacement.
            match acc.last_mut() {
                Some(prev) if prev.base.end == change.base.start && prev.side.end == change.side.start => {
                    prev.base.end = change.base.end;
                    prev.side.end = change.side.end;
                }
                _ => acc.push(change),
            }
            acc
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "# Calls\n\nOne.\n\nTwo.\n\nThree.\n\nFour.\n";

    fn clean(outcome: MergeOutcome) -> String {
        match outcome {
            MergeOutcome::Clean { text } => text,
            MergeOutcome::Conflicts { conflicts } => panic!("unexpected conflicts: {conflicts:?}"),
        }
    }

    #[test]
    fn changes_to_different_parts_merge_cleanly() {
        let current = BASE.replace("One.", "One, edited by the lead.");
        let proposed = BASE.replace("Four.", "Four, proposed by a rep.");
        let merged = clean(merge3(BASE, &current, &proposed));
        assert_eq!(
            merged,
            "# Calls\n\nOne, edited by the lead.\n\nTwo.\n\nThree.\n\nFour, proposed by a rep.\n"
        );
    }

    #[test]
    fn only_one_side_changed_takes_that_side() {
        let proposed = BASE.replace("Two.", "Zwei.");
        assert_eq!(clean(merge3(BASE, BASE, &proposed)), proposed);
        assert_eq!(clean(merge3(BASE, &proposed, BASE)), proposed);
    }

    #[test]
    fn identical_changes_on_both_sides_merge_once() {
        let both = BASE.replace("Three.", "Three!\n\nAnd a half.");
        assert_eq!(clean(merge3(BASE, &both, &both)), both);
    }

    #[test]
    fn different_changes_to_the_same_line_conflict() {
        let current = BASE.replace("Two.", "Two (current).");
        let proposed = BASE.replace("Two.", "Two (proposed).");
        let MergeOutcome::Conflicts { conflicts } = merge3(BASE, &current, &proposed) else {
            panic!("expected a conflict");
        };
        assert_eq!(conflicts.len(), 1);
        let c = &conflicts[0];
        assert_eq!((c.base_line, c.current_line, c.proposed_line), (5, 5, 5));
        assert_eq!(
            (c.base.as_str(), c.current.as_str(), c.proposed.as_str()),
            ("Two.\n", "Two (current).\n", "Two (proposed).\n")
        );
    }

    #[test]
    fn deleting_a_line_the_other_side_edited_conflicts() {
        let current = BASE.replace("Three.\n\n", "");
        let proposed = BASE.replace("Three.", "Three, reworded.");
        let MergeOutcome::Conflicts { conflicts } = merge3(BASE, &current, &proposed) else {
            panic!("expected a conflict");
        };
        assert_eq!(conflicts[0].proposed, "Three, reworded.\n\n");
        assert_eq!(conflicts[0].current, "");
    }

    #[test]
    fn insertions_at_the_same_place_conflict_but_elsewhere_merge() {
        let current = format!("{BASE}Five (current).\n");
        let proposed = format!("{BASE}Five (proposed).\n");
        assert!(matches!(
            merge3(BASE, &current, &proposed),
            MergeOutcome::Conflicts { .. }
        ));
        let proposed_top = format!("Intro.\n{BASE}");
        assert_eq!(
            clean(merge3(BASE, &current, &proposed_top)),
            format!("Intro.\n{BASE}Five (current).\n")
        );
    }

    #[test]
    fn multiple_conflicts_are_all_reported_in_order() {
        let current = BASE.replace("One.", "1c").replace("Four.", "4c");
        let proposed = BASE.replace("One.", "1p").replace("Four.", "4p");
        let MergeOutcome::Conflicts { conflicts } = merge3(BASE, &current, &proposed) else {
            panic!("expected conflicts");
        };
        let lines: Vec<_> = conflicts.iter().map(|c| c.base_line).collect();
        assert_eq!(lines, [3, 9]);
    }

    #[test]
    fn outcome_serializes_with_a_tag() {
        let json = serde_json::to_value(merge3("a\n", "a\n", "b\n")).unwrap();
        assert_eq!(json, serde_json::json!({"outcome": "clean", "text": "b\n"}));
    }
}
