//! YAML front matter (`---\nYAML\n---\nbody`), as job pages and handbook pages in git carry it. The raw text is
//! kept so a page that was only read is written back byte for byte; only an edited front matter is re-emitted.

use serde_json::{Map, Number, Value};
use yaml_rust2::yaml::{Hash, Yaml};
use yaml_rust2::{YamlEmitter, YamlLoader};

use crate::Invalid;

/// A document split at its front matter. Both parts borrow from the original text and
/// `opening + yaml + closing + body` is exactly the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitDocument<'a> {
    /// Everything from the opening `---` through the closing delimiter line, newline included;
    /// empty when there is no front matter.
    pub block: &'a str,
    /// The YAML between the delimiters (including its last newline); `None` when there is no front matter.
    pub yaml: Option<&'a str>,
    /// The rest of the document, unchanged.
    pub body: &'a str,
}

/// Splits off front matter when the text starts with a `---` line and has a closing `---` (or `...`) line.
/// Anything else — no opening line, or an opening line that is never closed — is all body.
pub fn split_front_matter(text: &str) -> SplitDocument<'_> {
    let no_front_matter = SplitDocument {
        block: "",
        yaml: None,
        body: text,
    };
    let Some(after_open) = strip_delimiter_line(text, "---") else {
        return no_front_matter;
    };
    let yaml_start = text.len() - after_open.len();
    let mut offset = yaml_start;
    for line in after_open.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end() == "---" || bare.trim_end() == "..." {
            let body_start = offset + line.len();
            return SplitDocument {
                block: &text[..body_start],
                yaml: Some(&text[yaml_start..offset]),
                body: &text[body_start..],
            };
        }
        offset += line.len();
    }
    no_front_matter
}

/// The rest of `text` after a first line that is exactly `delimiter` (trailing blanks allowed), or `None`.
fn strip_delimiter_line<'a>(text: &'a str, delimiter: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(delimiter)?;
    let line_end = rest.find('\n')?;
    rest[..line_end].trim().is_empty().then(|| &rest[line_end + 1..])
}

/// Parsed front matter: top-level keys in the order written, each with a JSON-shaped value.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    block: String,
    entries: Vec<(String, Value)>,
    edited: bool,
}

impl FrontMatter {
    /// Parses the front matter of `text`, returning it with the body. `Ok(None)` when the text has none;
    /// an `Invalid` on `front_matter` when the YAML does not parse or is not a mapping of keys to values.
    pub fn parse_document(text: &str) -> Result<(Option<FrontMatter>, &str), Invalid> {
        let split = split_front_matter(text);
        let Some(yaml) = split.yaml else {
            return Ok((None, split.body));
        };
        let entries = parse_entries(yaml)?;
        Ok((
            Some(FrontMatter {
                block: split.block.to_owned(),
                entries,
                edited: false,
            }),
            split.body,
        ))
    }

    /// The value of a top-level key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of a top-level key when it is a scalar, as text (`title: 3` reads as `"3"`); blank is `None`.
    pub fn get_text(&self, key: &str) -> Option<String> {
        let text = match self.get(key)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// Top-level keys and values in the order they were written.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }

    /// Sets a key, keeping its position when present and appending it otherwise.
    pub fn set(&mut self, key: &str, value: Value) {
        self.edited = true;
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing)) => *existing = value,
            None => self.entries.push((key.to_owned(), value)),
        }
    }

    /// Removes a key, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        self.edited = true;
        Some(self.entries.remove(index).1)
    }

    /// The front matter block as it was read (delimiters included), for showing or storing verbatim.
    pub fn raw(&self) -> &str {
        &self.block
    }

    /// The block to write back: the original text when nothing was changed (comments, quoting and spacing kept),
    /// otherwise the entries emitted as YAML between `---` lines.
    pub fn to_block(&self) -> String {
        if !self.edited {
            return self.block.clone();
        }
        let mut hash = Hash::new();
        for (key, value) in &self.entries {
            hash.insert(Yaml::String(key.clone()), to_yaml(value));
        }
        let mut out = String::new();
        let mut emitter = YamlEmitter::new(&mut out);
        // Emitting into a String cannot fail for lack of space; a failure here would be a bug in the emitter,
        // and an empty mapping is the honest fallback rather than a panic while saving a page.
        if emitter.dump(&Yaml::Hash(hash)).is_err() {
            out.clear();
        }
        let yaml = out.strip_prefix("---").unwrap_or(&out).trim_start_matches('\n');
        if yaml.is_empty() || yaml == "{}" {
            "---\n---\n".to_owned()
        } else {
            format!("---\n{yaml}\n---\n")
        }
    }

    /// The whole document: front matter block followed by `body`.
    pub fn to_document(&self, body: &str) -> String {
        format!("{}{body}", self.to_block())
    }
}

fn parse_entries(yaml: &str) -> Result<Vec<(String, Value)>, Invalid> {
    let docs = YamlLoader::load_from_str(yaml).map_err(|e| {
        Invalid::new(
            "front_matter",
            "invalid_front_matter",
            format!("front matter is not valid YAML: {e}"),
        )
    })?;
    match docs.into_iter().next() {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Hash(hash)) => Ok(hash
            .into_iter()
            .map(|(k, v)| (key_text(&k), to_json(v)))
            .collect()),
        Some(_) => Err(Invalid::new(
            "front_matter",
            "invalid_front_matter",
            "front matter must be a list of `key: value` lines",
        )),
    }
}

fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

fn to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::String(s) => Value::String(s),
        Yaml::Integer(i) => Value::Number(i.into()),
        // A float JSON cannot hold (inf, nan) stays as the text that was written.
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or(Value::String(s), Value::Number),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.into_iter()
                .map(|(k, v)| (key_text(&k), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    }
}

fn to_yaml(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Yaml::Real(n.to_string()), Yaml::Integer),
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Array(items.iter().map(to_yaml).collect()),
        Value::Object(map) => {
            let mut hash = Hash::new();
            for (k, v) in map {
                hash.insert(Yaml::String(k.clone()), to_yaml(v));
            }
            Yaml::Hash(hash)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\nlayout: job_page\ntitle: \"Account Executive\"  # shown on the careers page\nteam: Sales\n---\n\nBody with trailing spaces  \n";

    #[test]
    fn split_separates_block_yaml_and_body_exactly() {
        let split = split_front_matter(PAGE);
        assert_eq!(
            split.yaml,
            Some(
                "layout: job_page\ntitle: \"Account Executive\"  # shown on the careers page\nteam: Sales\n"
            )
        );
        assert_eq!(split.body, "\nBody with trailing spaces  \n");
        assert_eq!(format!("{}{}", split.block, split.body), PAGE);
    }

    #[test]
    fn text_without_an_opening_or_closing_delimiter_is_all_body() {
        assert_eq!(split_front_matter("# Title\n---\n").yaml, None);
        assert_eq!(split_front_matter("---\ntitle: x\nno end\n").yaml, None);
        assert_eq!(split_front_matter("----\ntitle: x\n---\n").yaml, None);
    }

    #[test]
    fn crlf_documents_split_and_round_trip() {
        let text = "---\r\ntitle: X\r\n---\r\nbody\r\n";
        let (fm, body) = FrontMatter::parse_document(text).unwrap();
        let fm = fm.unwrap();
        assert_eq!(fm.get_text("title").as_deref(), Some("X"));
        assert_eq!(fm.to_document(body), text);
    }

    #[test]
    fn keys_keep_their_order_and_unedited_front_matter_round_trips() {
        let (fm, body) = FrontMatter::parse_document(PAGE).unwrap();
        let fm = fm.unwrap();
        let keys: Vec<_> = fm.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["layout", "title", "team"]);
        assert_eq!(fm.get_text("title").as_deref(), Some("Account Executive"));
        assert_eq!(fm.to_document(body), PAGE);
        assert_eq!(fm.raw(), &PAGE[..PAGE.len() - body.len()]);
    }

    #[test]
    fn edited_front_matter_is_emitted_in_order_and_parses_back() {
        let (fm, body) = FrontMatter::parse_document(PAGE).unwrap();
        let mut fm = fm.unwrap();
        fm.set("status", Value::String("closed".into()));
        fm.set("title", Value::String("Senior: Account Executive".into()));
        fm.remove("team");
        let doc = fm.to_document(body);
        assert!(doc.ends_with("---\n\nBody with trailing spaces  \n"), "{doc}");
        let (again, again_body) = FrontMatter::parse_document(&doc).unwrap();
        let again = again.unwrap();
        let keys: Vec<_> = again.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["layout", "title", "status"]);
        assert_eq!(
            again.get_text("title").as_deref(),
            Some("Senior: Account Executive")
        );
        assert_eq!(again_body, body);
    }

    #[test]
    fn values_keep_their_types() {
        let (fm, _) = FrontMatter::parse_document(
            "---\nn: 3\nf: 1.5\nb: true\nlist: [a, b]\nmap: {x: 1}\nnothing:\n---\n",
        )
        .unwrap();
        let fm = fm.unwrap();
        assert_eq!(fm.get("n"), Some(&Value::from(3)));
        assert_eq!(fm.get("f"), Some(&Value::from(1.5)));
        assert_eq!(fm.get("b"), Some(&Value::Bool(true)));
        assert_eq!(fm.get("list"), Some(&serde_json::json!(["a", "b"])));
        assert_eq!(fm.get("map"), Some(&serde_json::json!({"x": 1})));
        assert_eq!(fm.get("nothing"), Some(&Value::Null));
        assert_eq!(fm.get_text("n").as_deref(), Some("3"));
    }

    #[test]
    fn broken_yaml_or_a_bare_scalar_is_refused_on_front_matter() {
        let err = FrontMatter::parse_document("---\ntitle: [unclosed\n---\nbody").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("front_matter", "invalid_front_matter")
        );
        let err = FrontMatter::parse_document("---\njust a sentence\n---\nbody").unwrap_err();
        assert_eq!(err.code, "invalid_front_matter");
    }

    #[test]
    fn empty_front_matter_is_an_empty_map() {
        let (fm, body) = FrontMatter::parse_document("---\n---\nbody").unwrap();
        assert!(fm.unwrap().entries().is_empty());
        assert_eq!(body, "body");
    }
}
