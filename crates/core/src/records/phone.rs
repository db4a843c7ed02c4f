//! Phone numbers, parsed once into E.164 (`+14155552671`) so dialers, dedupe and imports agree.
//! Parsing and validation use the `phonenumber` crate (a port of Google's libphonenumber), which
//! knows every country's numbering plan; a number without `+` needs the person's country.

use std::fmt;

use phonenumber::Mode;
use phonenumber::country::Id;
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest raw input worth handing to the parser (extensions and formatting included).
const MAX_RAW_LEN: usize = 64;

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses `raw` as typed by a person or found in an import. `default_region` is the ISO
    /// 3166 alpha-2 country used for numbers written without `+` (usually the person's
    /// country); refusals are reported under `field` with code `invalid_phone`.
    pub fn parse(field: &str, raw: &str, default_region: Option<&str>) -> Result<Phone, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::required(field));
        }
        let bad = |why: &str| {
            Invalid::new(
                field,
                "invalid_phone",
                format!("'{value}' is not a valid phone number: {why}"),
            )
        };
        if value.chars().count() > MAX_RAW_LEN {
            return Err(bad("it is too long"));
        }
        let region = default_region.and_then(|r| r.trim().to_ascii_uppercase().parse::<Id>().ok());
        let international = value.starts_with('+') || value.starts_with("00");
        if region.is_none() && !international {
            return Err(bad("start it with + and the country code, or give the country"));
        }
        let number =
            phonenumber::parse(region, value).map_err(|_| bad("it cannot be read as a phone number"))?;
        if !phonenumber::is_valid(&number) {
            return Err(bad("no such number exists in that country's numbering plan"));
        }
        Ok(Phone(number.format().mode(Mode::E164).to_string()))
    }

    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse("phone", &value, None)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_use_the_default_region() {
        assert_eq!(
            Phone::parse("phone", "(415) 555-2671", Some("US"))
                .unwrap()
                .as_str(),
            "+14155552671"
        );
        assert_eq!(
            Phone::parse("phone", "030 901820", Some("de")).unwrap().as_str(),
            "+4930901820"
        );
        assert_eq!(
            Phone::parse("phone", "020 7946 0018", Some("GB"))
                .unwrap()
                .as_str(),
            "+442079460018"
        );
    }

    #[test]
    fn international_numbers_need_no_region() {
        assert_eq!(
            Phone::parse("phone", "+44 20 7946 0018", None).unwrap().as_str(),
            "+442079460018"
        );
        assert_eq!(
            Phone::parse("phone", "+61 2 9374 4000", Some("US"))
                .unwrap()
                .as_str(),
            "+61293744000"
        );
    }

    #[test]
    fn national_number_without_region_is_refused() {
        let err = Phone::parse("mobile", "415 555 2671", None).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("mobile", "invalid_phone"));
    }

    #[test]
    fn impossible_numbers_are_refused_naming_the_field() {
        for raw in ["12", "+1 000 000 0000", "call me", "+999 1234 5678"] {
            let err = Phone::parse("phone", raw, Some("US")).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("phone", "invalid_phone"),
                "{raw}"
            );
        }
        assert_eq!(
            Phone::parse("phone", "  ", Some("US")).unwrap_err().code,
            "required"
        );
    }
}
