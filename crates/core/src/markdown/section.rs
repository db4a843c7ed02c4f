//! One section of a page, found by its heading anchor, so a call panel can show just "the section" a step
//! or disposition links to; and the bullets under a heading, which job pages use for stages and attributes.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::anchors::AnchorSet;
use super::parser_options;

/// A heading of a page with where it sits in the markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, up to 6.
    pub level: u8,
    /// The heading's plain text (inline markup dropped).
    pub text: String,
    /// The anchor the rendered page gives it (same as the table of contents).
    pub anchor: String,
    /// Byte range of the heading itself in the source.
    pub range: Range<usize>,
}

/// Every heading of `markdown`, in order, with the same anchors `render` gives them.
pub fn headings(markdown: &str) -> Vec<Heading> {
    let mut anchors = AnchorSet::new();
    let mut found = Vec::new();
    let mut open: Option<(u8, String, usize)> = None;
    for (event, range) in Parser::new_ext(markdown, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((level_number(level), String::new(), range.start))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, start)) = open.take() {
                    let anchor = anchors.anchor_for(&text);
                    found.push(Heading {
                        level,
                        text,
                        anchor,
                        range: start..range.end,
                    });
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, buffer, _)) = open.as_mut() {
                    buffer.push_str(&text);
                }
            }
            _ => {}
        }
    }
    found
}

/// The section whose heading has `anchor`: the heading and everything up to the next heading of the same or a
/// higher level (so subsections come along). `None` when no heading has that anchor.
pub fn section<'a>(markdown: &'a str, anchor: &str) -> Option<&'a str> {
    let all = headings(markdown);
    let index = all.iter().position(|h| h.anchor == anchor)?;
    let range = section_range(markdown, &all, index);
    Some(markdown[range].trim_end())
}

/// Byte range of the section that starts at heading `index`, up to the next heading at its level or above.
fn section_range(markdown: &str, all: &[Heading], index: usize) -> Range<usize> {
    let heading = &all[index];
    let end = all[index + 1..]
        .iter()
        .find(|next| next.level <= heading.level)
        .map_or(markdown.len(), |next| next.range.start);
    heading.range.start..end
}

/// One top-level bullet of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// Plain text, inline markup dropped (for deriving names and matching keywords).
    pub text: String,
    /// The item's markdown as written, without the bullet marker (links and emphasis kept, for display).
    pub markdown: String,
}

/// The top-level bullets directly under the first heading whose text satisfies `matches` (before any subheading).
/// `None` when there is no such heading; an empty list when the heading has no bullets.
pub fn bullets_under_heading(markdown: &str, matches: impl Fn(&str) -> bool) -> Option<Vec<ListItem>> {
    let all = headings(markdown);
    let index = all.iter().position(|h| matches(&h.text))?;
    // Only up to the next heading of any level: bullets under a subheading belong to that subheading.
    let start = all[index].range.end;
    let end = all.get(index + 1).map_or(markdown.len(), |next| next.range.start);
    let body = &markdown[start..end];

    let mut items = Vec::new();
    let mut list_depth = 0usize;
    let mut item_depth = 0usize;
    let mut current: Option<(String, Range<usize>)> = None;
    for (event, range) in Parser::new_ext(body, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                item_depth += 1;
                if list_depth == 1 && item_depth == 1 {
                    current = Some((String::new(), range));
                }
            }
            Event::End(TagEnd::Item) => {
                item_depth = item_depth.saturating_sub(1);
                if item_depth == 0
                    && let Some((text, range)) = current.take()
                {
                    let markdown = strip_bullet_marker(&body[range]);
                    items.push(ListItem {
                        text: text.trim().to_owned(),
                        markdown,
                    });
                }
            }
            Event::Text(text) | Event::Code(text) if item_depth == 1 => {
                if let Some((buffer, _)) = current.as_mut() {
                    buffer.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak if item_depth == 1 => {
                if let Some((buffer, _)) = current.as_mut() {
                    buffer.push(' ');
                }
            }
            _ => {}
        }
    }
    Some(items)
}

/// `* text`, `- text`, `1. text` → `text`, keeping everything else as written.
fn strip_bullet_marker(item: &str) -> String {
    let trimmed = item.trim_start();
    let without_marker = if let Some(rest) = trimmed.strip_prefix(['*', '-', '+']) {
        rest
    } else {
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        trimmed[digits..].strip_prefix(['.', ')']).unwrap_or(trimmed)
    };
    without_marker.trim().to_owned()
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Shared with `render`, which must number headings the same way.
pub(crate) fn heading_level_number(level: HeadingLevel) -> u8 {
    level_number(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Qualification\n\nIntro.\n\n## Soft BANT\n\nBudget and authority.\n\n### Budget\n\nMoney.\n\n## AIFT\n\nAuthority.\n\n## Soft BANT\n\nAgain.\n";

    #[test]
    fn section_runs_until_the_next_heading_of_the_same_level() {
        assert_eq!(
            section(PAGE, "soft-bant"),
            Some("## Soft BANT\n\nBudget and authority.\n\n### Budget\n\nMoney.")
        );
    }

    #[test]
    fn a_subsection_stops_at_its_parents_sibling() {
        assert_eq!(section(PAGE, "budget"), Some("### Budget\n\nMoney."));
    }

    #[test]
    fn the_last_section_runs_to_the_end_and_duplicates_are_addressed_by_suffix() {
        assert_eq!(section(PAGE, "soft-bant-1"), Some("## Soft BANT\n\nAgain."));
        assert_eq!(section(PAGE, "qualification"), Some(PAGE.trim_end()));
    }

    #[test]
    fn unknown_anchor_finds_nothing() {
        assert_eq!(section(PAGE, "timeline"), None);
    }

    #[test]
    fn headings_carry_levels_text_and_anchors() {
        let found = headings("# Hello `world`\n\nSetext\n------\n");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].level, found[0].text.as_str(), found[0].anchor.as_str()),
            (1, "Hello world", "hello-world")
        );
        assert_eq!((found[1].level, found[1].anchor.as_str()), (2, "setext"));
    }

    #[test]
    fn bullets_under_a_heading_keep_their_markdown_and_skip_nested_items() {
        let md = "## Steps\n\nIntro line.\n\n* First [link](/a)\n* Second\n  * nested\n- Third\n\n## Next\n\n* elsewhere\n";
        let items = bullets_under_heading(md, |t| t.eq_ignore_ascii_case("steps")).unwrap_or_default();
        let texts: Vec<_> = items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["First link", "Second", "Third"]);
        assert_eq!(items[0].markdown, "First [link](/a)");
        assert!(items[1].markdown.starts_with("Second"));
    }

    #[test]
    fn bullets_under_a_missing_heading_is_none() {
        assert_eq!(bullets_under_heading("# Other\n\n* a\n", |t| t == "Steps"), None);
    }
}
