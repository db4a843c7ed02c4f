//! Email templates: a subject and a plain-text body written in minijinja syntax, e.g.
//! `Hi {{ first_name | default("there") }},`. A template is checked when it is saved — syntax,
//! and every variable against a fixed list — so a typo is caught by the person who made it,
//! not discovered when a thousand emails say "Hi ,".
//!
//! Escaping: templates are plain text and render without HTML escaping (an apostrophe in a name
//! must stay an apostrophe). The HTML part is generated afterwards from the rendered text, escaping
//! everything — including values from records — so neither a template nor a lead's data can inject
//! markup. Bare `http(s)://` URLs become links and blank lines become paragraphs.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Subjects longer than this are cut by every mail client anyway.
const MAX_SUBJECT_CHARS: usize = 300;
/// Sales emails are short; this only guards against pasting a whole document.
const MAX_BODY_CHARS: usize = 20_000;
/// Enough for any honest template; stops a runaway loop from tying up a worker.
const RENDER_FUEL: u64 = 50_000;

/// A variable a template may use, with the help text shown in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownVariable {
    /// The name written in the template, e.g. `first_name`.
    pub name: &'static str,
    /// What it holds, for the editor's help panel.
    pub description: &'static str,
}

/// Every variable a template may use. Each has a field of the same name in [`TemplateContext`].
pub const KNOWN_VARIABLES: &[KnownVariable] = &[
    KnownVariable {
        name: "first_name",
        description: "The recipient's first name",
    },
    KnownVariable {
        name: "last_name",
        description: "The recipient's last name",
    },
    KnownVariable {
        name: "full_name",
        description: "The recipient's full name",
    },
    KnownVariable {
        name: "email",
        description: "The recipient's email address",
    },
    KnownVariable {
        name: "title",
        description: "The recipient's job title",
    },
    KnownVariable {
        name: "company",
        description: "The recipient's company as written on the lead",
    },
    KnownVariable {
        name: "account_name",
        description: "The name of the account the recipient belongs to",
    },
    KnownVariable {
        name: "country",
        description: "The recipient's country",
    },
    KnownVariable {
        name: "sender_first_name",
        description: "Your first name",
    },
    KnownVariable {
        name: "sender_name",
        description: "Your full name",
    },
    KnownVariable {
        name: "sender_title",
        description: "Your job title",
    },
    KnownVariable {
        name: "sender_email",
        description: "Your email address",
    },
    KnownVariable {
        name: "sender_phone",
        description: "Your phone number",
    },
    KnownVariable {
        name: "sender_signature",
        description: "Your email signature",
    },
    KnownVariable {
        name: "meeting_link",
        description: "Your booking page link",
    },
    KnownVariable {
        name: "resource_url",
        description: "The link to the resource chosen for this sequence",
    },
    KnownVariable {
        name: "unsubscribe_url",
        description: "The one-click unsubscribe link for this recipient",
    },
];

/// The values for one rendering, built by the app from a lead, its account and the sender (or from
/// a real record for a preview). Blank values count as missing, so `default(…)` applies to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContext {
    /// The recipient's first name.
    pub first_name: Option<String>,
    /// The recipient's last name.
    pub last_name: Option<String>,
    /// The recipient's full name.
    pub full_name: Option<String>,
    /// The recipient's email address.
    pub email: Option<String>,
    /// The recipient's job title.
    pub title: Option<String>,
    /// The recipient's company as written on the lead.
    pub company: Option<String>,
    /// The name of the account the recipient belongs to.
    pub account_name: Option<String>,
    /// The recipient's country.
    pub country: Option<String>,
    /// Your first name.
    pub sender_first_name: Option<String>,
    /// Your full name.
    pub sender_name: Option<String>,
    /// Your job title.
    pub sender_title: Option<String>,
    /// Your email address.
    pub sender_email: Option<String>,
    /// Your phone number.
    pub sender_phone: Option<String>,
    /// Your email signature.
    pub sender_signature: Option<String>,
    /// Your booking page link.
    pub meeting_link: Option<String>,
    /// The link to the resource chosen for this sequence.
    pub resource_url: Option<String>,
    /// The one-click unsubscribe link for this recipient.
    pub unsubscribe_url: Option<String>,
}

impl TemplateContext {
    /// The non-blank values by variable name; missing and blank values are left out so the template
    /// sees them as undefined.
    fn values(&self) -> BTreeMap<String, String> {
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(self) else {
            return BTreeMap::new();
        };
        fields
            .into_iter()
            .filter_map(|(name, value)| match value {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some((name, s)),
                _ => None,
            })
            .collect()
    }

    /// A context where every known variable has a plausible value, used to try a template at save time.
    fn sample() -> TemplateContext {
        let v = |s: &str| Some(s.to_owned());
        TemplateContext {
            first_name: v("Ada"),
            last_name: v("Lovelace"),
            full_name: v("Ada Lovelace"),
            email: v("ada@example.com"),
            title: v("Head of Engineering"),
            company: v("Analytical Engines"),
            account_name: v("Analytical Engines Ltd"),
            country: v("United Kingdom"),
            sender_first_name: v("Sam"),
            sender_name: v("Sam Rep"),
            sender_title: v("Sales Development Representative"),
            sender_email: v("sam@example.org"),
            sender_phone: v("+44 20 7946 0000"),
            sender_signature: v("Sam Rep\nSales Development"),
            meeting_link: v("https://example.org/meet/sam"),
            resource_url: v("https://example.org/story"),
            unsubscribe_url: v("https://example.org/u/token"),
        }
    }
}

/// A checked email template: it parses, uses only known variables and renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateSource", into = "TemplateSource")]
pub struct EmailTemplate {
    subject: String,
    body: String,
}

/// The stored shape of a template: its two sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSource {
    /// Subject template (one line).
    pub subject: String,
    /// Plain-text body template.
    pub body: String,
}

/// What a template produced for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedEmail {
    /// One line, safe to put in a header.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// An HTML fragment (paragraphs, line breaks, links) made from `text` with everything escaped.
    pub html: String,
}

impl EmailTemplate {
    /// Checks a template as it is saved: lengths, syntax (with the line), unknown variables (named,
    /// with a suggestion and the known list) and a trial rendering with and without values.
    pub fn parse(subject: &str, body: &str) -> Result<EmailTemplate, Invalid> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(Invalid::required("subject"));
        }
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(Invalid::too_long("subject", MAX_SUBJECT_CHARS));
        }
        if body.trim().is_empty() {
            return Err(Invalid::required("body"));
        }
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(Invalid::too_long("body", MAX_BODY_CHARS));
        }
        let env = environment();
        for (field, source) in [("subject", subject), ("body", body)] {
            check_source(&env, field, source)?;
        }
        let template = EmailTemplate {
            subject: subject.to_owned(),
            body: body.to_owned(),
        };
        // Some mistakes (an unknown filter, a bad argument) only show when rendering.
        template.render(&TemplateContext::sample())?;
        template.render(&TemplateContext::default())?;
        Ok(template)
    }

    /// The subject source, for the editor.
    pub fn subject_source(&self) -> &str {
        &self.subject
    }

    /// The body source, for the editor.
    pub fn body_source(&self) -> &str {
        &self.body
    }

    /// The known variables this template uses, for showing which record fields matter.
    pub fn variables(&self) -> BTreeSet<String> {
        let env = environment();
        [&self.subject, &self.body]
            .into_iter()
            .filter_map(|src| env.template_from_str(src).ok())
            .flat_map(|t| t.undeclared_variables(false))
            .collect()
    }

    /// Renders for one recipient. Missing values fall back to the template's `default(…)` or to
    /// nothing; the subject is folded to one line so no value can add a header.
    pub fn render(&self, context: &TemplateContext) -> Result<RenderedEmail, Invalid> {
        let env = environment();
        let values = context.values();
        let render = |field: &str, source: &str| {
            env.template_from_str(source)
                .and_then(|t| t.render(&values))
                .map_err(|e| template_error(field, &e))
        };
        let subject = one_line(&render("subject", &self.subject)?);
        let text = tidy_text(&render("body", &self.body)?);
        let html = text_to_html(&text);
        Ok(RenderedEmail { subject, text, html })
    }
}

impl TryFrom<TemplateSource> for EmailTemplate {
    type Error = Invalid;
    fn try_from(source: TemplateSource) -> Result<Self, Self::Error> {
        EmailTemplate::parse(&source.subject, &source.body)
    }
}

impl From<EmailTemplate> for TemplateSource {
    fn from(template: EmailTemplate) -> Self {
        TemplateSource {
            subject: template.subject,
            body: template.body,
        }
    }
}

/// One configuration for every use, so a template behaves the same in the editor, preview and mailer.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Plain text: values go in verbatim; the HTML part is escaped separately.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Chainable so `{{ company.upper() }}`-style use of a missing value renders empty instead of failing
    // a send; unknown names are already refused at save time.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(RENDER_FUEL));
    env
}

/// Syntax first (with the line), then every free variable must be known.
fn check_source(env: &Environment<'static>, field: &str, source: &str) -> Result<(), Invalid> {
    let template = env
        .template_from_str(source)
        .map_err(|e| template_error(field, &e))?;
    let unknown: BTreeSet<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !KNOWN_VARIABLES.iter().any(|k| k.name == name))
        .collect();
    if let Some(name) = unknown.first() {
        let known: Vec<&str> = KNOWN_VARIABLES.iter().map(|k| k.name).collect();
        let hint = closest_known(name)
            .map(|k| format!(" (did you mean '{k}'?)"))
            .unwrap_or_default();
        return Err(Invalid::new(
            field,
            "unknown_variable",
            format!(
                "unknown variable '{name}' in {field}{hint}; known: {}",
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

fn template_error(field: &str, error: &minijinja::Error) -> Invalid {
    let what = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    let message = match error.line() {
        Some(line) => format!("{field} has a template error on line {line}: {what}"),
        None => format!("{field} has a template error: {what}"),
    };
    Invalid::new(field, "template_error", message)
}

/// The known name within two edits of a typo, if exactly one is closest.
fn closest_known(name: &str) -> Option<&'static str> {
    KNOWN_VARIABLES
        .iter()
        .map(|k| (edit_distance(name, k.name), k.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance with transpositions counted as one edit (`frist` → `first`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Folds every run of whitespace containing a line break into one space: a header is one line.
fn one_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises line endings, drops trailing spaces and collapses the blank lines a false `{% if %}`
/// leaves behind, so an email never shows a gaping hole.
fn tidy_text(raw: &str) -> String {
    let unix = raw.replace("\r\n", "\n");
    let mut out: Vec<&str> = Vec::new();
    for line in unix.split('\n') {
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Paragraphs from blank-line-separated blocks, `<br>` for single breaks, links for bare URLs;
/// every piece of text is escaped.
fn text_to_html(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                p.trim_end()
                    .split('\n')
                    .map(html_line)
                    .collect::<Vec<_>>()
                    .join("<br>\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn html_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while !rest.is_empty() {
        let space_end = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&escape_html(&rest[..space_end]));
        rest = &rest[space_end..];
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push_str(&html_word(&rest[..word_end]));
        rest = &rest[word_end..];
    }
    out
}

/// A word, made a link when it is a URL (ignoring wrapping brackets and trailing punctuation).
fn html_word(word: &str) -> String {
    let inner = word.trim_start_matches(['<', '(', '"', '\'']);
    let lead = &word[..word.len() - inner.len()];
    let url = inner.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '>', '"', '\'']);
    let trail = &inner[url.len()..];
    let is_url = ["https://", "http://"]
        .iter()
        .any(|p| url.len() > p.len() && url.starts_with(p));
    if !is_url {
        return escape_html(word);
    }
    let url = escape_html(url);
    format!(
        "{}<a href=\"{url}\">{url}</a>{}",
        escape_html(lead),
        escape_html(trail)
    )
}

/// Escapes the five characters that matter in HTML text and attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> TemplateContext {
        TemplateContext {
            first_name: Some("Zoë".into()),
            company: Some("O'Brien & Sons".into()),
            sender_name: Some("Sam Rep".into()),
            ..TemplateContext::default()
        }
    }

    #[test]
    fn unknown_variable_is_refused_naming_it_and_the_known_list() {
        let err = EmailTemplate::parse("Hello", "Hi {{ frist_name }},").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("body", "unknown_variable"));
        assert!(err.message.starts_with(
            "unknown variable 'frist_name' in body (did you mean 'first_name'?); known: first_name, last_name"
        ));
    }

    #[test]
    fn unknown_variable_in_subject_is_reported_on_subject() {
        let err = EmailTemplate::parse("For {{ compnay }}", "Hi").unwrap_err();
        assert_eq!(err.field, "subject");
        assert!(err.message.contains("'compnay'"));
    }

    #[test]
    fn syntax_error_reports_the_line() {
        let err = EmailTemplate::parse("Hello", "Hi,\n\nthanks\n{{ first_name \n").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("body", "template_error"));
        assert!(err.message.contains("line 4"), "{}", err.message);
    }

    #[test]
    fn unknown_filter_is_caught_at_save_time() {
        let err = EmailTemplate::parse("Hello", "Hi {{ first_name | shout }}").unwrap_err();
        assert_eq!(err.code, "template_error");
    }

    #[test]
    fn loop_variables_and_sets_are_not_unknown() {
        let body = "{% set greeting = 'Hi' %}{{ greeting }} {{ first_name }}";
        assert!(EmailTemplate::parse("x", body).is_ok());
    }

    #[test]
    fn missing_values_use_the_default_or_render_empty() {
        let t = EmailTemplate::parse(
            "Hi {{ first_name | default('there') }}",
            "Hi {{ first_name | default(\"there\") }} at {{ company }}.",
        )
        .unwrap();
        let out = t
            .render(&TemplateContext {
                first_name: Some("  ".into()),
                ..TemplateContext::default()
            })
            .unwrap();
        assert_eq!(out.subject, "Hi there");
        assert_eq!(out.text, "Hi there at .\n");
    }

    #[test]
    fn text_keeps_values_verbatim_and_html_escapes_them() {
        let t = EmailTemplate::parse(
            "{{ company }}",
            "Hi {{ first_name }},\n\nA note for {{ company }}.\nSee https://example.org/x?a=1&b=2.",
        )
        .unwrap();
        let out = t.render(&ctx()).unwrap();
        assert_eq!(out.subject, "O'Brien & Sons");
        assert_eq!(
            out.text,
            "Hi Zoë,\n\nA note for O'Brien & Sons.\nSee https://example.org/x?a=1&b=2.\n"
        );
        assert_eq!(
            out.html,
            "<p>Hi Zoë,</p>\n<p>A note for O&#39;Brien &amp; Sons.<br>\nSee <a href=\"https://example.org/x?a=1&amp;b=2\">https://example.org/x?a=1&amp;b=2</a>.</p>"
        );
    }

    #[test]
    fn markup_in_a_record_cannot_reach_the_html_part() {
        let t = EmailTemplate::parse("x", "Hi {{ first_name }}").unwrap();
        let c = TemplateContext {
            first_name: Some("<script>alert(1)</script>".into()),
            ..TemplateContext::default()
        };
        assert_eq!(
            t.render(&c).unwrap().html,
            "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>"
        );
    }

    #[test]
    fn a_value_with_line_breaks_cannot_add_a_header_line() {
        let t = EmailTemplate::parse("About {{ company }}", "x").unwrap();
        let c = TemplateContext {
            company: Some("Acme\r\nBcc: all@example.com".into()),
            ..TemplateContext::default()
        };
        assert_eq!(t.render(&c).unwrap().subject, "About Acme Bcc: all@example.com");
    }

    #[test]
    fn false_conditions_leave_no_blank_holes() {
        let body = "Hi,\n\n{% if meeting_link %}Book here: {{ meeting_link }}{% endif %}\n\n\nThanks\n";
        let t = EmailTemplate::parse("x", body).unwrap();
        assert_eq!(
            t.render(&TemplateContext::default()).unwrap().text,
            "Hi,\n\nThanks\n"
        );
    }

    #[test]
    fn variables_lists_what_the_template_uses() {
        let t = EmailTemplate::parse("For {{ company }}", "Hi {{ first_name | default('there') }}").unwrap();
        assert_eq!(
            t.variables().into_iter().collect::<Vec<_>>(),
            ["company", "first_name"]
        );
    }

    #[test]
    fn every_known_variable_has_a_context_field_and_no_more() {
        let full = serde_json::to_value(TemplateContext::default()).unwrap();
        let fields: BTreeSet<&str> = full.as_object().unwrap().keys().map(String::as_str).collect();
        let known: BTreeSet<&str> = KNOWN_VARIABLES.iter().map(|k| k.name).collect();
        assert_eq!(fields, known);
    }

    #[test]
    fn runaway_loops_are_stopped() {
        let err = EmailTemplate::parse(
            "x",
            "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}",
        );
        assert!(err.is_err());
    }

    #[test]
    fn template_round_trips_through_json_and_refuses_bad_sources() {
        let t = EmailTemplate::parse("Hi", "Hello {{ first_name }}").unwrap();
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(serde_json::from_value::<EmailTemplate>(json).unwrap(), t);
        assert!(
            serde_json::from_value::<EmailTemplate>(serde_json::json!({"subject":"x","body":"{{ nope }}"}))
                .is_err()
        );
    }
}
