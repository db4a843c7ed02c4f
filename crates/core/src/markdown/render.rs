//! Markdown to HTML that is safe to put in a page: CommonMark with tables, strikethrough and task lists,
//! heading anchors and a table of contents, handbook links rewritten to the app's routes, then everything
//! passed through ammonia so pasted HTML cannot run script.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::anchors::AnchorSet;
use super::parser_options;
use super::section::heading_level_number;

/// How links between pages are resolved.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Where pages are served, without a trailing slash: `/handbook`.
    pub base_path: &'a str,
    /// The directory of the page being rendered, relative to `base_path` (`""` for a top-level page,
    /// `"sales"` for `sales/discovery.md`), so `./qualification.md` resolves next to it.
    pub page_dir: &'a str,
}

impl<'a> RenderOptions<'a> {
    /// Options for a top-level page under `base_path`.
    pub fn new(base_path: &'a str) -> Self {
        Self {
            base_path,
            page_dir: "",
        }
    }
}

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 1 for `#`, up to 6.
    pub level: u8,
    /// The heading's plain text.
    pub text: String,
    /// The heading's `id`, for `#anchor` links.
    pub anchor: String,
}

/// A rendered page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Sanitised HTML, safe to embed without escaping.
    pub html: String,
    /// Every heading in order.
    pub toc: Vec<TocEntry>,
}

/// Renders `markdown` to sanitised HTML with heading anchors and a table of contents.
pub fn render(markdown: &str, options: &RenderOptions<'_>) -> Rendered {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, parser_options())
        .map(|event| rewrite_link(event, options))
        .collect();
    let toc = assign_heading_ids(&mut events);
    let mut raw_html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw_html, events.into_iter());
    Rendered {
        html: sanitize(&raw_html),
        toc,
    }
}

/// Gives each heading its GitHub-style id and returns the table of contents.
fn assign_heading_ids(events: &mut [Event<'_>]) -> Vec<TocEntry> {
    let mut anchors = AnchorSet::new();
    let mut toc = Vec::new();
    let mut index = 0;
    while index < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[index] {
            let level = heading_level_number(*level);
            let mut text = String::new();
            let mut end = index + 1;
            while end < events.len() && !matches!(events[end], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[end] {
                    text.push_str(t);
                }
                end += 1;
            }
            let anchor = anchors.anchor_for(&text);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[index] {
                *id = Some(CowStr::from(anchor.clone()));
            }
            toc.push(TocEntry { level, text, anchor });
            index = end;
        }
        index += 1;
    }
    toc
}

fn rewrite_link<'a>(event: Event<'a>, options: &RenderOptions<'_>) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = match page_link(&dest_url, options) {
                Some(rewritten) => CowStr::from(rewritten),
                None => dest_url,
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// The app route for a relative link between pages (`./qualification.md#soft-bant` →
/// `/handbook/qualification#soft-bant`); `None` for links that are left alone (absolute, rooted, fragments,
/// anything with a scheme — ammonia decides whether those survive).
fn page_link(dest: &str, options: &RenderOptions<'_>) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty()
        || dest.starts_with('/')
        || dest.starts_with('#')
        || dest.starts_with('\\')
        || has_scheme(dest)
    {
        return None;
    }
    let split_at = dest.find(['?', '#']).unwrap_or(dest.len());
    let (path, suffix) = dest.split_at(split_at);
    let path = path.strip_suffix(".md").unwrap_or(path);

    let mut segments: Vec<&str> = options.page_dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            // `..` above the handbook root stays at the root rather than escaping to other routes.
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let base = options.base_path.trim_end_matches('/');
    Some(format!("{base}/{}{suffix}", segments.join("/")))
}

/// Whether `dest` starts with `scheme:` — or contains a colon before any path character, which browsers may
/// still read as a scheme; such links are never treated as page paths.
fn has_scheme(dest: &str) -> bool {
    let before_path = dest.split(['/', '?', '#']).next().unwrap_or("");
    before_path.contains(':')
}

/// Only what markdown produces survives: no script, no event handlers, no styles, no frames; links only to
/// http(s), mailto and tel; task-list boxes forced to disabled checkboxes.
fn sanitize(html: &str) -> String {
    let heading_ids: HashSet<&str> = ["id"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked"])
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .add_tag_attributes("h1", heading_ids.iter().copied())
        .add_tag_attributes("h2", heading_ids.iter().copied())
        .add_tag_attributes("h3", heading_ids.iter().copied())
        .add_tag_attributes("h4", heading_ids.iter().copied())
        .add_tag_attributes("h5", heading_ids.iter().copied())
        .add_tag_attributes("h6", heading_ids.iter().copied())
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        render(markdown, &RenderOptions::new("/handbook")).html
    }

    #[test]
    fn headings_get_ids_and_a_table_of_contents() {
        let out = render(
            "# Soft BANT\n\n## Budget\n\n## Budget\n",
            &RenderOptions::new("/handbook"),
        );
        assert!(
            out.html.contains("<h1 id=\"soft-bant\">Soft BANT</h1>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"budget-1\">"), "{}", out.html);
        let toc: Vec<_> = out
            .toc
            .iter()
            .map(|e| (e.level, e.text.as_str(), e.anchor.as_str()))
            .collect();
        assert_eq!(
            toc,
            [
                (1, "Soft BANT", "soft-bant"),
                (2, "Budget", "budget"),
                (2, "Budget", "budget-1")
            ]
        );
    }

    #[test]
    fn relative_page_links_become_handbook_routes() {
        assert!(
            html("[q](./qualification.md#soft-bant)").contains("href=\"/handbook/qualification#soft-bant\"")
        );
        assert!(html("[q](qualification.md)").contains("href=\"/handbook/qualification\""));
        let nested = render(
            "[a](../aift.md) [b](calls.md?x=1)",
            &RenderOptions {
                base_path: "/handbook/",
                page_dir: "sales/outbound",
            },
        );
        assert!(
            nested.html.contains("href=\"/handbook/sales/aift\""),
            "{}",
            nested.html
        );
        assert!(
            nested
                .html
                .contains("href=\"/handbook/sales/outbound/calls?x=1\""),
            "{}",
            nested.html
        );
    }

    #[test]
    fn parent_links_cannot_climb_above_the_base_path() {
        assert!(html("[x](../../../admin.md)").contains("href=\"/handbook/admin\""));
    }

    #[test]
    fn absolute_rooted_and_fragment_links_are_kept() {
        let out = html("[a](https://example.com/x) [b](mailto:sdr@example.com) [c](/team) [d](#values)");
        assert!(out.contains("href=\"https://example.com/x\""));
        assert!(out.contains("href=\"mailto:sdr@example.com\""));
        assert!(out.contains("href=\"/team\""));
        assert!(out.contains("href=\"#values\""));
    }

    #[test]
    fn tables_strikethrough_and_task_lists_render() {
        let out = html("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n");
        assert!(out.contains("<table>") && out.contains("<td>1</td>"), "{out}");
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("checked=\"\""), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(out.contains("disabled=\"\""), "{out}");
        assert!(!out.contains("style="), "alignment styles are dropped: {out}");
    }

    #[test]
    fn raw_inputs_cannot_become_text_fields() {
        let out = html("<input type=\"text\" name=\"password\" value=\"x\">");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(!out.contains("name=") && !out.contains("value="), "{out}");
    }

    /// Returns the first dangerous thing found in the markup of `html` (tags and attributes, not text).
    fn dangerous(html: &str) -> Option<String> {
        let lower = html.to_lowercase();
        for tag in [
            "<script", "<iframe", "<svg", "<object", "<embed", "<style", "<form", "<math", "<base", "<meta",
            "<link",
        ] {
            if lower.contains(tag) {
                return Some(tag.to_owned());
            }
        }
        // Walk the tags, honouring quotes, and inspect every attribute.
        let bytes: Vec<char> = lower.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == '<' {
                let mut tag = String::new();
                let mut quote: Option<char> = None;
                i += 1;
                while i < bytes.len() {
                    let c = bytes[i];
                    match quote {
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None if c == '"' || c == '\'' => quote = Some(c),
                        None if c == '>' => break,
                        None => {}
                    }
                    tag.push(c);
                    i += 1;
                }
                let words: Vec<&str> = tag.split(|c: char| c.is_whitespace() || c == '/').collect();
                for word in &words[1..] {
                    let name = word.split('=').next().unwrap_or("");
                    if name.starts_with("on") && word.contains('=') {
                        return Some(format!("event handler in <{tag}>"));
                    }
                    if name == "style" || name == "srcdoc" || name == "formaction" {
                        return Some(format!("{name} in <{tag}>"));
                    }
                }
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    if tag.contains(scheme) {
                        return Some(format!("{scheme} in <{tag}>"));
                    }
                }
            }
            i += 1;
        }
        None
    }

    #[test]
    fn classic_xss_payloads_are_rendered_inert() {
        let payloads = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"x\" onerror=\"alert(1)\"/>",
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<body onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\">",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
            "[click](javascript&#58;alert(1))",
            "<javascript:alert(1)>",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<a href=\" javascript:alert(1)\">x</a>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<img src=x onerror=alert(1)//",
            "<script>alert(1)",
            "<scr<script>ipt>alert(1)</script>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<div style=\"position:fixed;top:0\">overlay</div>",
            "<object data=\"javascript:alert(1)\"></object>",
            "<embed src=\"javascript:alert(1)\">",
            "<form action=\"javascript:alert(1)\"><button>go</button></form>",
            "<button formaction=\"javascript:alert(1)\">x</button>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<details open ontoggle=alert(1)>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<style>body{background:red}</style>",
            "[x](https://ok.example \"title\" onmouseover=alert(1))",
            "<img src=\"x\" alt=\"\" onerror=\"alert(1)\"><noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        ];
        assert!(payloads.len() >= 20);
        for payload in payloads {
            let out = html(payload);
            assert_eq!(dangerous(&out), None, "payload {payload:?} rendered as {out:?}");
            // The same payload inside a list item and a table cell must be just as inert.
            let nested = html(&format!("* {payload}\n\n| a |\n|---|\n| {payload} |\n"));
            assert_eq!(
                dangerous(&nested),
                None,
                "nested payload {payload:?} rendered as {nested:?}"
            );
        }
    }

    #[test]
    fn the_dangerous_check_itself_catches_live_markup() {
        assert!(dangerous("<img src=x onerror=alert(1)>").is_some());
        assert!(dangerous("<a href=\"javascript:alert(1)\">").is_some());
        assert!(dangerous("<p style=\"x\">").is_some());
        assert!(dangerous("<p>javascript: is fine as text</p>").is_none());
    }
}
