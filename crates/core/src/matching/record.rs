//! The record the matcher compares: a lead, contact or account reduced to the fields that identify it,
//! every one optional because imports and forms fill them unevenly — and its normalised form, computed
//! once per record rather than once per comparison.

use super::address::Address;
use super::company::CompanyName;
use super::domain::{normalise_email, website_domain};
use super::fold::{fold, non_empty};
use super::person::{BirthDate, phone_digits};

/// A person or organisation as raw text, the way it arrives from a form or a CSV row. Blank strings count
/// as missing. Build one with struct-update syntax: `Record { id: "7".into(), email: Some(…), ..Default::default() }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The caller's identifier, returned untouched.
    pub id: String,
    /// First or given name.
    pub given_name: Option<String>,
    /// Last name or surname.
    pub surname: Option<String>,
    /// The whole name when it is not split into given name and surname.
    pub full_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number in any spelling.
    pub phone: Option<String>,
    /// Date of birth (`YYYYMMDD`, `YYYY-MM-DD` or `DD/MM/YYYY`).
    pub date_of_birth: Option<String>,
    /// Street address, house number included; further lines may be appended.
    pub address: Option<String>,
    /// Suburb, town or city.
    pub city: Option<String>,
    /// Postcode or ZIP code.
    pub postcode: Option<String>,
    /// State, county or region.
    pub state: Option<String>,
    /// Company or organisation name.
    pub company: Option<String>,
    /// Website, in any spelling (`https://www.acme.com/`, `acme.com`).
    pub website: Option<String>,
}

/// A record's fields normalised for comparison and blocking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    pub given: Option<String>,
    pub surname: Option<String>,
    /// The whole name, folded: `full_name`, or given name and surname joined.
    pub full: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth: Option<BirthDate>,
    pub address: Option<Address>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub state: Option<String>,
    pub company: Option<CompanyName>,
    pub website: Option<String>,
}

impl Prepared {
    pub fn of(record: &Record, fold_gmail: bool) -> Prepared {
        let text = |v: &Option<String>| v.as_deref().map(fold).and_then(non_empty);
        let given = text(&record.given_name);
        let surname = text(&record.surname);
        let full = text(&record.full_name).or_else(|| match (&given, &surname) {
            (Some(g), Some(s)) => Some(format!("{g} {s}")),
            (Some(n), None) | (None, Some(n)) => Some(n.clone()),
            (None, None) => None,
        });
        Prepared {
            given,
            surname,
            full,
            email: record
                .email
                .as_deref()
                .and_then(|e| normalise_email(e, fold_gmail)),
            phone: record.phone.as_deref().and_then(phone_digits),
            birth: record.date_of_birth.as_deref().and_then(BirthDate::parse),
            address: record.address.as_deref().and_then(Address::parse),
            city: text(&record.city),
            postcode: text(&record.postcode).map(|p| p.replace(' ', "")),
            state: text(&record.state),
            company: record.company.as_deref().and_then(CompanyName::parse),
            website: record.website.as_deref().and_then(website_domain),
        }
    }
}
