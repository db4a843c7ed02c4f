//! Line diffs for showing what a handbook proposal or revision changes, grouped into hunks with context.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Whether a line is kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    /// In both versions (context).
    Unchanged,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
}

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// What happened to the line.
    pub change: LineChange,
    /// 1-based line number in the old text (absent for added lines).
    pub old_line: Option<usize>,
    /// 1-based line number in the new text (absent for removed lines).
    pub new_line: Option<usize>,
    /// The line without its line ending.
    pub text: String,
}

/// A run of changes with the unchanged lines around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffHunk {
    /// 1-based first old line shown (0 when the old text is empty).
    pub old_start: usize,
    /// Number of old lines shown.
    pub old_len: usize,
    /// 1-based first new line shown (0 when the new text is empty).
    pub new_start: usize,
    /// Number of new lines shown.
    pub new_len: usize,
    /// The lines, in display order.
    pub lines: Vec<DiffLine>,
}

/// The hunks that turn `old` into `new`, each with up to `context` unchanged lines either side.
/// Identical texts give no hunks.
pub fn diff_lines(old: &str, new: &str, context: usize) -> Vec<DiffHunk> {
    let diff = TextDiff::from_lines(old, new);
    diff.grouped_ops(context)
        .iter()
        .map(|group| {
            let mut lines = Vec::new();
            for op in group {
                for change in diff.iter_changes(op) {
                    let kind = match change.tag() {
                        ChangeTag::Equal => LineChange::Unchanged,
                        ChangeTag::Insert => LineChange::Added,
                        ChangeTag::Delete => LineChange::Removed,
                    };
                    lines.push(DiffLine {
                        change: kind,
                        old_line: change.old_index().map(|i| i + 1),
                        new_line: change.new_index().map(|i| i + 1),
                        text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                    });
                }
            }
            let old_len = lines.iter().filter(|l| l.change != LineChange::Added).count();
            let new_len = lines.iter().filter(|l| l.change != LineChange::Removed).count();
            let old_start = group
                .first()
                .map_or(0, |op| op.old_range().start + usize::from(old_len > 0));
            let new_start = group
                .first()
                .map_or(0, |op| op.new_range().start + usize::from(new_len > 0));
            DiffHunk {
                old_start,
                old_len,
                new_start,
                new_len,
                lines,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_have_no_hunks() {
        assert!(diff_lines("a\nb\n", "a\nb\n", 3).is_empty());
    }

    #[test]
    fn a_changed_line_shows_with_context_and_line_numbers() {
        let old = "1\n2\n3\n4\n5\n6\n7\n";
        let new = "1\n2\n3\nfour\n5\n6\n7\n";
        let hunks = diff_lines(old, new, 1);
        assert_eq!(hunks.len(), 1);
        let hunk = &hunks[0];
        assert_eq!(
            (hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len),
            (3, 3, 3, 3)
        );
        let shown: Vec<_> = hunk.lines.iter().map(|l| (l.change, l.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (LineChange::Unchanged, "3"),
                (LineChange::Removed, "4"),
                (LineChange::Added, "four"),
                (LineChange::Unchanged, "5"),
            ]
        );
        assert_eq!((hunk.lines[1].old_line, hunk.lines[1].new_line), (Some(4), None));
        assert_eq!((hunk.lines[2].old_line, hunk.lines[2].new_line), (None, Some(4)));
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 2\n", "two\n")
            .replace("line 19\n", "nineteen\n");
        assert_eq!(diff_lines(&old, &new, 2).len(), 2);
    }

    #[test]
    fn adding_to_an_empty_page_is_one_added_hunk() {
        let hunks = diff_lines("", "new\npage\n", 3);
        assert_eq!(hunks.len(), 1);
        assert_eq!(
            (
                hunks[0].old_start,
                hunks[0].old_len,
                hunks[0].new_start,
                hunks[0].new_len
            ),
            (0, 0, 1, 2)
        );
        assert!(hunks[0].lines.iter().all(|l| l.change == LineChange::Added));
    }

    #[test]
    fn changes_serialize_as_snake_case_codes() {
        assert_eq!(
            serde_json::to_string(&LineChange::Unchanged).unwrap(),
            "\"unchanged\""
        );
    }
}
