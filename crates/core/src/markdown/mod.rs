//! Handbook and job pages are markdown: rendering to safe HTML, pulling out one section, front matter,
//! and the line diffs and three-way merges that handbook proposals need.

pub mod anchors;
pub mod diff;
pub mod front_matter;
pub mod merge;
pub mod render;
pub mod section;

pub use anchors::{AnchorSet, slugify_heading};
pub use diff::{DiffHunk, DiffLine, LineChange, diff_lines};
pub use front_matter::{FrontMatter, SplitDocument, split_front_matter};
pub use merge::{MergeConflict, MergeOutcome, merge3};
pub use render::{RenderOptions, Rendered, TocEntry, render};
pub use section::{Heading, ListItem, bullets_under_heading, headings, section};

use pulldown_cmark::Options;

/// The markdown dialect every handbook page is read in; rendering, sections and anchors must agree on it,
/// or a heading's anchor in the table of contents would not find its section.
pub(crate) fn parser_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}
