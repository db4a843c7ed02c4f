//! Validated input for creating a lead or contact. The API, forms and imports all build a
//! [`RawPerson`] and call [`NewPerson::parse`], so a person is checked the same way wherever they
//! come from, and every refusal names the field it is about.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Invalid;
use crate::email::Email;
use crate::records::geo::{Country, Region, parse_time_zone, time_zone_for};
use crate::records::phone::Phone;

/// The longest first or last name.
const MAX_NAME_LEN: usize = 100;
/// The longest title or company name.
const MAX_TITLE_LEN: usize = 200;
/// The longest source (`webinar-2025-03`, `linkedin`).
const MAX_SOURCE_LEN: usize = 100;
/// The most custom fields one person may carry.
pub const MAX_CUSTOM_FIELDS: usize = 100;
/// The longest custom field key.
pub const MAX_CUSTOM_KEY_LEN: usize = 64;
/// The longest custom field text value.
pub const MAX_CUSTOM_VALUE_LEN: usize = 32_000;

/// A person as submitted: every field optional text, as JSON bodies, forms and CSV rows give it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawPerson {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number, national (needs `country`) or international.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Company name as given.
    pub company: Option<String>,
    /// Country code or name.
    pub country: Option<String>,
    /// IANA time zone; derived from the country when absent.
    pub time_zone: Option<String>,
    /// Where the person came from.
    pub source: Option<String>,
    /// Extra fields: a JSON object of string keys to scalar values.
    pub custom_fields: Option<Value>,
}

/// Scalar custom values by key; nulls are dropped on parse, as "not set".
pub type CustomFields = BTreeMap<String, Value>;

/// A person that passed validation, ready for the app to store as a lead or contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPerson {
    /// Given name, trimmed.
    pub first_name: Option<String>,
    /// Family name, trimmed.
    pub last_name: Option<String>,
    /// Email address, lower-cased.
    pub email: Option<Email>,
    /// Phone in E.164.
    pub phone: Option<Phone>,
    /// Job title.
    pub title: Option<String>,
    /// Company name as given (account matching happens elsewhere).
    pub company: Option<String>,
    /// Country, when known.
    pub country: Option<Country>,
    /// Sales region, from the country.
    pub region: Option<Region>,
    /// Time zone: as given, else the country's default.
    #[serde(serialize_with = "serialize_tz")]
    pub time_zone: Option<Tz>,
    /// Where the person came from.
    pub source: Option<String>,
    /// Extra fields.
    pub custom_fields: CustomFields,
}

impl NewPerson {
    /// Validates `raw`: at least one of first and last name; at least one of email and phone,
    /// each well-formed; lengths within limits; a known country and time zone; custom fields an
    /// object of at most 100 scalar entries. The first problem found is returned.
    pub fn parse(raw: &RawPerson) -> Result<NewPerson, Invalid> {
        let first_name = optional_text("first_name", raw.first_name.as_deref(), MAX_NAME_LEN)?;
        let last_name = optional_text("last_name", raw.last_name.as_deref(), MAX_NAME_LEN)?;
        if first_name.is_none() && last_name.is_none() {
            return Err(Invalid::new(
                "last_name",
                "required",
                "give a first name or a last name",
            ));
        }
        let country = present(raw.country.as_deref())
            .map(|c| Country::parse("country", c))
            .transpose()?;
        let email = present(raw.email.as_deref())
            .map(|e| Email::parse_field("email", e))
            .transpose()?;
        let region_code = country.map(Country::alpha2);
        let phone = present(raw.phone.as_deref())
            .map(|p| Phone::parse("phone", p, region_code))
            .transpose()?;
        if email.is_none() && phone.is_none() {
            return Err(Invalid::new(
                "email",
                "required",
                "give an email address or a phone number",
            ));
        }
        let explicit_tz = present(raw.time_zone.as_deref())
            .map(|t| parse_time_zone("time_zone", t))
            .transpose()?;
        let region = country.map(Country::region);
        Ok(NewPerson {
            first_name,
            last_name,
            email,
            phone,
            title: optional_text("title", raw.title.as_deref(), MAX_TITLE_LEN)?,
            company: optional_text("company", raw.company.as_deref(), MAX_TITLE_LEN)?,
            country,
            region,
            time_zone: time_zone_for(explicit_tz, country, None),
            source: optional_text("source", raw.source.as_deref(), MAX_SOURCE_LEN)?,
            custom_fields: parse_custom_fields(raw.custom_fields.as_ref())?,
        })
    }
}

/// Checks custom fields: a JSON object (or nothing), at most 100 keys of 1–64 characters, each
/// value a string of at most 32,000 characters, a number or a boolean. Nested values are refused
/// because custom fields must be filterable and exportable as CSV columns.
pub fn parse_custom_fields(value: Option<&Value>) -> Result<CustomFields, Invalid> {
    let object = match value {
        None | Some(Value::Null) => return Ok(CustomFields::new()),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(Invalid::new(
                "custom_fields",
                "invalid_type",
                "custom_fields must be an object",
            ));
        }
    };
    if object.len() > MAX_CUSTOM_FIELDS {
        let message = format!(
            "custom_fields has {} keys; at most {MAX_CUSTOM_FIELDS} are allowed",
            object.len()
        );
        return Err(Invalid::new("custom_fields", "too_many", message));
    }
    let mut fields = CustomFields::new();
    for (key, value) in object {
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new(
                "custom_fields",
                "required",
                "custom field keys must not be blank",
            ));
        }
        let field = format!("custom_fields.{trimmed}");
        if trimmed.chars().count() > MAX_CUSTOM_KEY_LEN {
            let message = format!("custom field key is longer than {MAX_CUSTOM_KEY_LEN} characters");
            return Err(Invalid::new("custom_fields", "too_long", message));
        }
        match value {
            Value::Null => continue,
            Value::String(s) if s.chars().count() > MAX_CUSTOM_VALUE_LEN => {
                return Err(Invalid::too_long(field, MAX_CUSTOM_VALUE_LEN));
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            Value::Array(_) | Value::Object(_) => {
                let message = format!("{field} must be text, a number or true/false");
                return Err(Invalid::new(field, "invalid_type", message));
            }
        }
        if fields.insert(trimmed.to_owned(), value.clone()).is_some() {
            return Err(Invalid::new(
                field,
                "duplicate",
                format!("custom field '{trimmed}' is given twice"),
            ));
        }
    }
    Ok(fields)
}

/// `Some` trimmed text when it is not blank.
fn present(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

fn optional_text(field: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<String>, Invalid> {
    present(raw)
        .map(|text| crate::error::required_text(field, text, max_chars))
        .transpose()
}

fn serialize_tz<S: serde::Serializer>(tz: &Option<Tz>, serializer: S) -> Result<S::Ok, S::Error> {
    match tz {
        Some(tz) => serializer.serialize_str(tz.name()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(value: Value) -> RawPerson {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_typical_lead_is_parsed_with_region_and_time_zone() {
        let person = NewPerson::parse(&raw(json!({
            "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.com",
            "phone": "030 901820", "country": "Deutschland", "source": "webinar"
        })))
        .unwrap();
        assert_eq!(person.first_name.as_deref(), Some("Ada"));
        assert_eq!(person.email.unwrap().as_str(), "ada@example.com");
        assert_eq!(person.phone.unwrap().as_str(), "+4930901820");
        assert_eq!(person.region, Some(Region::Emea));
        assert_eq!(person.time_zone, Some(Tz::Europe__Berlin));
    }

    #[test]
    fn explicit_time_zone_wins_and_is_validated() {
        let person = NewPerson::parse(&raw(json!({"last_name": "Li", "email": "li@acme.cn", "country": "US", "time_zone": "America/Los_Angeles"}))).unwrap();
        assert_eq!(person.time_zone, Some(Tz::America__Los_Angeles));
        let err = NewPerson::parse(&raw(
            json!({"last_name": "Li", "email": "li@acme.cn", "time_zone": "Pacific Time"}),
        ))
        .unwrap_err();
        assert_eq!(err.field, "time_zone");
    }

    #[test]
    fn a_person_needs_a_name() {
        let err = NewPerson::parse(&raw(json!({"first_name": " ", "email": "a@acme.com"}))).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("last_name", "required"));
    }

    #[test]
    fn a_person_needs_an_email_or_a_phone() {
        let err = NewPerson::parse(&raw(json!({"first_name": "Ada"}))).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("email", "required"));
        assert!(NewPerson::parse(&raw(json!({"first_name": "Ada", "phone": "+44 20 7946 0018"}))).is_ok());
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases = [
            (json!({"first_name": "A", "email": "nope"}), "email"),
            (json!({"first_name": "A", "phone": "555"}), "phone"),
            (
                json!({"first_name": "A", "email": "a@acme.com", "country": "Narnia"}),
                "country",
            ),
            (
                json!({"first_name": "x".repeat(101), "email": "a@acme.com"}),
                "first_name",
            ),
            (
                json!({"first_name": "A", "email": "a@acme.com", "title": "t".repeat(201)}),
                "title",
            ),
        ];
        for (value, field) in cases {
            assert_eq!(NewPerson::parse(&raw(value)).unwrap_err().field, field);
        }
    }

    #[test]
    fn custom_fields_take_scalars_within_limits() {
        let fields = parse_custom_fields(Some(
            &json!({"seats": 40, "plan": "premium", "trial": true, "gone": null}),
        ))
        .unwrap();
        assert_eq!(fields.len(), 3);
        assert_eq!(
            parse_custom_fields(Some(&json!({"tags": ["a"]})))
                .unwrap_err()
                .field,
            "custom_fields.tags"
        );
        assert_eq!(
            parse_custom_fields(Some(&json!([1]))).unwrap_err().code,
            "invalid_type"
        );
        assert_eq!(
            parse_custom_fields(Some(&json!({"k": "v".repeat(32_001)})))
                .unwrap_err()
                .code,
            "too_long"
        );
        assert_eq!(
            parse_custom_fields(Some(&json!({"k".repeat(65): 1})))
                .unwrap_err()
                .code,
            "too_long"
        );
        let many: serde_json::Map<String, Value> = (0..101).map(|i| (format!("f{i}"), json!(i))).collect();
        assert_eq!(
            parse_custom_fields(Some(&Value::Object(many))).unwrap_err().code,
            "too_many"
        );
    }
}
