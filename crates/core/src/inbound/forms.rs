//! Capture forms as rules: what makes a form an admin defines valid, and what makes a submission
//! to it acceptable. Pure: the app stores forms, refuses submissions and keeps the refused data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Behaviour;
use crate::Invalid;
use crate::records::RawPerson;

/// The field a person never fills in (it is hidden); bots do. Forms use it unless they name
/// their own.
pub const HONEYPOT_FIELD: &str = "_honeypot";

/// A field a capture form asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// The posted name (`email`, `company`, `employees`, or any custom name).
    pub name: String,
    /// The label shown to people filling it in.
    pub label: String,
    /// A submission without it is refused (422 naming the field).
    #[serde(default)]
    pub required: bool,
}

/// A form as an admin submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormInput {
    /// The path segment (`contact-us`); fixed once created.
    #[serde(default)]
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What filling it in means (a behaviour code).
    #[serde(default)]
    pub behaviour: String,
    /// Lead source recorded on people it creates.
    #[serde(default)]
    pub source: String,
    /// Fields asked for, in order.
    #[serde(default)]
    pub fields: Vec<FormField>,
    /// Values stamped on every submission.
    #[serde(default)]
    pub hidden_fields: BTreeMap<String, String>,
    /// The honeypot field's name (default [`HONEYPOT_FIELD`]).
    #[serde(default)]
    pub honeypot_field: Option<String>,
}

/// A valid form definition (trimmed, defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSpec {
    /// The path segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What filling it in means (never an unsubscribe).
    pub behaviour: Behaviour,
    /// Lead source code.
    pub source: String,
    /// Fields asked for, in order, at least one of them `email` or `phone`.
    pub fields: Vec<FormField>,
    /// Values stamped on every submission, none named like a visible field.
    pub hidden_fields: BTreeMap<String, String>,
    /// The honeypot field's name, not a field the form asks for.
    pub honeypot_field: String,
}

/// A name usable as a field name or source code: lower-case letters, digits, underscores.
fn code_ok(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 60
}

/// Checks `input` and builds the form it describes; the refusal names the first bad field
/// (`fields[2].name`, `hidden_fields.utm_x`, …).
pub fn validate_form(input: &FormInput) -> Result<FormSpec, Invalid> {
    let slug = input.slug.trim();
    if slug.is_empty()
        || slug.len() > 60
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Invalid::new(
            "slug",
            "invalid_slug",
            "use 1 to 60 lower-case letters, digits and hyphens, like contact-us",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Invalid::new(
            "name",
            "required",
            "give the form a name of up to 100 characters",
        ));
    }
    let behaviour = Behaviour::parse("behaviour", input.behaviour.trim())?;
    if behaviour == Behaviour::Unsubscribe {
        return Err(Invalid::new(
            "behaviour",
            "not_a_form_behaviour",
            "an unsubscribe is not captured by a form",
        ));
    }
    let source = input.source.trim();
    if !code_ok(source) {
        return Err(Invalid::new(
            "source",
            "invalid_source",
            "the lead source is a code of lower-case letters, digits and underscores, like web_contact_us",
        ));
    }
    let fields = validate_fields(&input.fields)?;
    let hidden = validate_hidden(&input.hidden_fields, &fields)?;
    let honeypot = input
        .honeypot_field
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(HONEYPOT_FIELD);
    if !code_ok(honeypot) {
        return Err(Invalid::new(
            "honeypot_field",
            "invalid_field_name",
            "the honeypot field name is lower-case letters, digits and underscores",
        ));
    }
    if fields.iter().any(|f| f.name == honeypot) || hidden.contains_key(honeypot) {
        return Err(Invalid::new(
            "honeypot_field",
            "duplicate",
            "the honeypot must be a field nobody fills in, not one the form asks for",
        ));
    }
    Ok(FormSpec {
        slug: slug.to_owned(),
        name: name.to_owned(),
        behaviour,
        source: source.to_owned(),
        fields,
        hidden_fields: hidden,
        honeypot_field: honeypot.to_owned(),
    })
}

fn validate_fields(input: &[FormField]) -> Result<Vec<FormField>, Invalid> {
    let mut fields: Vec<FormField> = Vec::new();
    for (i, f) in input.iter().enumerate() {
        let fname = f.name.trim();
        if !code_ok(fname) {
            return Err(Invalid::new(
                format!("fields[{i}].name"),
                "invalid_field_name",
                "a field name is lower-case letters, digits and underscores, like company or job_title",
            ));
        }
        if fields.iter().any(|g| g.name == fname) {
            return Err(Invalid::new(
                format!("fields[{i}].name"),
                "duplicate",
                format!("the field {fname} is listed twice"),
            ));
        }
        let label = f.label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(Invalid::new(
                format!("fields[{i}].label"),
                "required",
                "give the field a label of up to 100 characters",
            ));
        }
        fields.push(FormField {
            name: fname.to_owned(),
            label: label.to_owned(),
            required: f.required,
        });
    }
    if !fields.iter().any(|f| f.name == "email" || f.name == "phone") {
        return Err(Invalid::new(
            "fields",
            "missing_contact",
            "a form must ask for an email address or a phone number, or every submission is refused",
        ));
    }
    Ok(fields)
}

fn validate_hidden(
    input: &BTreeMap<String, String>,
    fields: &[FormField],
) -> Result<BTreeMap<String, String>, Invalid> {
    let mut hidden = BTreeMap::new();
    for (k, v) in input {
        let k = k.trim();
        if !code_ok(k) {
            return Err(Invalid::new(
                format!("hidden_fields.{k}"),
                "invalid_field_name",
                "a hidden field name is lower-case letters, digits and underscores, like utm_campaign",
            ));
        }
        if fields.iter().any(|f| f.name == k) {
            return Err(Invalid::new(
                format!("hidden_fields.{k}"),
                "duplicate",
                format!("{k} is already a visible field"),
            ));
        }
        hidden.insert(k.to_owned(), v.trim().chars().take(500).collect());
    }
    Ok(hidden)
}

/// What a submission says: the person as posted and what they wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submitted {
    /// The person, with the form's lead source and their company size (`employees`) as a custom
    /// field. With neither name given, the family name is the email's local part (or "Unknown"):
    /// short forms ask only for an address, and a person still needs a name to be listed.
    pub person: RawPerson,
    /// What they wrote, up to 4,000 characters.
    pub message: Option<String>,
}

/// The posted value of `key`, trimmed; `None` when missing or blank.
pub fn posted(fields: &BTreeMap<String, String>, key: &str) -> Option<String> {
    fields
        .get(key)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Reads a submission to a form asking for `asked`. Refused (the code says why): no email and no
/// phone (`missing_contact`), a required field left blank (`required`, naming it), employees
/// not a whole number (`invalid_number`).
pub fn read_submission(
    asked: &[FormField],
    fields: &BTreeMap<String, String>,
    source: &str,
) -> Result<Submitted, Invalid> {
    let email = posted(fields, "email");
    let phone = posted(fields, "phone");
    if email.is_none() && phone.is_none() {
        return Err(Invalid::new(
            "email",
            "missing_contact",
            "give an email address or a phone number",
        ));
    }
    if let Some(missing) = asked
        .iter()
        .find(|f| f.required && posted(fields, &f.name).is_none())
    {
        return Err(Invalid::new(
            missing.name.clone(),
            "required",
            format!("{} is required", missing.label),
        ));
    }
    let employees = match posted(fields, "employees").map(|e| e.replace([',', '_', ' '], "").parse::<u32>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return Err(Invalid::new(
                "employees",
                "invalid_number",
                "employees must be a whole number",
            ));
        }
    };
    let first_name = posted(fields, "first_name");
    let mut last_name = posted(fields, "last_name");
    if first_name.is_none() && last_name.is_none() {
        last_name = email
            .as_deref()
            .and_then(|e| e.split('@').next())
            .filter(|local| !local.is_empty())
            .map(str::to_owned)
            .or_else(|| Some("Unknown".to_owned()));
    }
    let person = RawPerson {
        first_name,
        last_name,
        email,
        phone,
        title: posted(fields, "title"),
        company: posted(fields, "company"),
        country: posted(fields, "country"),
        time_zone: None,
        source: Some(source.to_owned()),
        custom_fields: employees.map(|n| serde_json::json!({ "employees": n })),
    };
    Ok(Submitted {
        person,
        message: posted(fields, "message").map(|m| m.chars().take(4000).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FormInput {
        FormInput {
            slug: "demo-request".into(),
            name: " Demo request ".into(),
            behaviour: "contact_us".into(),
            source: "web_demo".into(),
            fields: vec![FormField {
                name: "email".into(),
                label: "Work email".into(),
                required: true,
            }],
            hidden_fields: BTreeMap::from([("utm_campaign".into(), "spring".into())]),
            honeypot_field: None,
        }
    }

    fn refusal(input: &FormInput) -> (String, &'static str) {
        let err = validate_form(input).unwrap_err();
        (err.field, err.code)
    }

    #[test]
    fn a_good_form_is_trimmed_and_gets_the_default_honeypot() {
        let form = validate_form(&input()).unwrap();
        assert_eq!(form.name, "Demo request");
        assert_eq!(form.behaviour, Behaviour::ContactUs);
        assert_eq!(form.honeypot_field, HONEYPOT_FIELD);
    }

    #[test]
    fn form_refusals_name_the_field_and_say_why() {
        let mut bad = input();
        bad.fields.push(FormField {
            name: "email".into(),
            label: "Again".into(),
            required: false,
        });
        assert_eq!(refusal(&bad), ("fields[1].name".into(), "duplicate"));
        let mut bad = input();
        bad.fields[0].name = "company".into();
        assert_eq!(refusal(&bad), ("fields".into(), "missing_contact"));
        let mut bad = input();
        bad.fields[0].label = " ".into();
        assert_eq!(refusal(&bad), ("fields[0].label".into(), "required"));
        let mut bad = input();
        bad.slug = "Contact Us".into();
        assert_eq!(refusal(&bad), ("slug".into(), "invalid_slug"));
        let mut bad = input();
        bad.behaviour = "unsubscribe".into();
        assert_eq!(refusal(&bad), ("behaviour".into(), "not_a_form_behaviour"));
        let mut bad = input();
        bad.source = "Web Demo".into();
        assert_eq!(refusal(&bad), ("source".into(), "invalid_source"));
        let mut bad = input();
        bad.hidden_fields.insert("email".into(), "x".into());
        assert_eq!(refusal(&bad), ("hidden_fields.email".into(), "duplicate"));
        let mut bad = input();
        bad.honeypot_field = Some("email".into());
        assert_eq!(refusal(&bad), ("honeypot_field".into(), "duplicate"));
        let mut bad = input();
        bad.honeypot_field = Some("Fax Number".into());
        assert_eq!(refusal(&bad), ("honeypot_field".into(), "invalid_field_name"));
    }

    fn post(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_submission_needs_an_email_or_a_phone_and_every_required_field() {
        let asked = input().fields;
        let err = read_submission(&asked, &post(&[("first_name", "Ada")]), "web").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("email", "missing_contact"));
        let company = FormField {
            name: "company".into(),
            label: "Company".into(),
            required: true,
        };
        let err = read_submission(
            &[company],
            &post(&[("phone", "+44 20 7946 0000"), ("company", " ")]),
            "web",
        )
        .unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("company", "required"));
        assert_eq!(err.message, "Company is required");
    }

    #[test]
    fn employees_accept_separators_and_refuse_words() {
        let ok = read_submission(
            &[],
            &post(&[("email", "a@acme.com"), ("employees", "1,200")]),
            "web",
        )
        .unwrap();
        assert_eq!(
            ok.person.custom_fields,
            Some(serde_json::json!({"employees": 1200}))
        );
        let err = read_submission(
            &[],
            &post(&[("email", "a@acme.com"), ("employees", "lots")]),
            "web",
        )
        .unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("employees", "invalid_number"));
    }

    #[test]
    fn an_address_alone_names_the_person_after_its_local_part() {
        let read = |pairs: &[(&str, &str)]| read_submission(&[], &post(pairs), "web_webcast").unwrap().person;
        let p = read(&[("email", " grace@navy.mil ")]);
        assert_eq!(p.last_name.as_deref(), Some("grace"));
        assert_eq!(p.email.as_deref(), Some("grace@navy.mil"));
        assert_eq!(p.source.as_deref(), Some("web_webcast"));
        let p = read(&[("phone", "555 0100")]);
        assert_eq!(p.last_name.as_deref(), Some("Unknown"));
        let p = read(&[("email", "a@b.co"), ("first_name", "Ada")]);
        assert_eq!((p.first_name.as_deref(), p.last_name), (Some("Ada"), None));
    }
}
