//! Heading anchors as GitHub makes them, so links written for the git copy of the handbook keep working here.

use std::collections::{HashMap, HashSet};

/// GitHub's slug for a heading: lower case, letters/digits/`-`/`_` kept (any script), spaces become `-`,
/// everything else dropped. `Soft BANT` → `soft-bant`, `What's new?` → `whats-new`.
pub fn slugify_heading(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c == ' ' {
            slug.push('-');
        }
    }
    slug
}

/// Hands out heading anchors for one page, de-duplicated the way GitHub does (`faq`, `faq-1`, `faq-2`).
#[derive(Debug, Default, Clone)]
pub struct AnchorSet {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl AnchorSet {
    /// An empty set, for the start of a page.
    pub fn new() -> Self {
        Self::default()
    }

    /// The anchor for the next heading with this text; a heading with no usable characters gets `section`
    /// so that every heading stays linkable.
    pub fn anchor_for(&mut self, heading_text: &str) -> String {
        let mut base = slugify_heading(heading_text);
        if base.is_empty() {
            base = "section".to_owned();
        }
        let mut suffix = self.next_suffix.get(&base).copied().unwrap_or(0);
        loop {
            let candidate = if suffix == 0 {
                base.clone()
            } else {
                format!("{base}-{suffix}")
            };
            suffix += 1;
            // A heading literally titled "FAQ 1" may already own `faq-1`; skip past it.
            if self.used.insert(candidate.clone()) {
                self.next_suffix.insert(base, suffix);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slugify_heading("Soft BANT"), "soft-bant");
        assert_eq!(slugify_heading("What's new?"), "whats-new");
        assert_eq!(slugify_heading("  Step 1: call  "), "step-1-call");
        assert_eq!(slugify_heading("Über Qualität"), "über-qualität");
        assert_eq!(slugify_heading("snake_case-and-dash"), "snake_case-and-dash");
    }

    #[test]
    fn repeated_headings_get_numbered_anchors() {
        let mut set = AnchorSet::new();
        assert_eq!(set.anchor_for("FAQ"), "faq");
        assert_eq!(set.anchor_for("FAQ"), "faq-1");
        assert_eq!(set.anchor_for("FAQ"), "faq-2");
        assert_eq!(set.anchor_for("Other"), "other");
    }

    #[test]
    fn a_heading_that_looks_like_a_numbered_duplicate_is_not_reused() {
        let mut set = AnchorSet::new();
        assert_eq!(set.anchor_for("FAQ 1"), "faq-1");
        assert_eq!(set.anchor_for("FAQ"), "faq");
        assert_eq!(set.anchor_for("FAQ"), "faq-2");
    }

    #[test]
    fn headings_without_letters_still_get_an_anchor() {
        let mut set = AnchorSet::new();
        assert_eq!(set.anchor_for("???"), "section");
        assert_eq!(set.anchor_for("!!!"), "section-1");
    }
}
