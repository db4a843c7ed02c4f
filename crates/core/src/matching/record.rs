//! The record the matcher compares: a lead, contact or account reduced to the fields that identify it,
//! every one optional because imports and forms fill them unevenly — and its normalised form, computed
//! once per record rather than once per comparison.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

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

/// Normalised text that many records may hold alike (a first name, a city): the index keeps one copy
/// of each value, which is most of what a million stored people cost in memory.
pub(crate) type Text = Arc<str>;

/// A record's fields normalised for comparison and blocking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    pub given: Option<Text>,
    pub surname: Option<Text>,
    /// The whole name as written, folded — only when the record has one; see [`Prepared::full`].
    full_name: Option<Text>,
    pub email: Option<Box<str>>,
    pub phone: Option<Box<str>>,
    pub birth: Option<BirthDate>,
    pub address: Option<Address>,
    pub city: Option<Text>,
    pub postcode: Option<Text>,
    pub state: Option<Text>,
    pub company: Option<Arc<CompanyName>>,
    pub website: Option<Text>,
}

impl Prepared {
    pub fn of(record: &Record, fold_gmail: bool) -> Prepared {
        let text = |v: &Option<String>| v.as_deref().map(fold).and_then(non_empty).map(Text::from);
        Prepared {
            given: text(&record.given_name),
            surname: text(&record.surname),
            full_name: text(&record.full_name),
            email: record
                .email
                .as_deref()
                .and_then(|e| normalise_email(e, fold_gmail))
                .map(String::into_boxed_str),
            phone: record
                .phone
                .as_deref()
                .and_then(phone_digits)
                .map(String::into_boxed_str),
            birth: record.date_of_birth.as_deref().and_then(BirthDate::parse),
            address: record.address.as_deref().and_then(Address::parse),
            city: text(&record.city),
            postcode: text(&record.postcode).map(|p| Text::from(p.replace(' ', ""))),
            state: text(&record.state),
            company: record
                .company
                .as_deref()
                .and_then(CompanyName::parse)
                .map(Arc::new),
            website: record.website.as_deref().and_then(website_domain).map(Text::from),
        }
    }

    /// The whole name, folded: as written, or given name and surname joined. Built when asked rather
    /// than kept, since it is only compared when one side lacks a split name.
    pub fn full(&self) -> Option<Cow<'_, str>> {
        if let Some(full) = &self.full_name {
            return Some(Cow::Borrowed(full));
        }
        match (&self.given, &self.surname) {
            (Some(g), Some(s)) => Some(Cow::Owned(format!("{g} {s}"))),
            (Some(n), None) | (None, Some(n)) => Some(Cow::Borrowed(n)),
            (None, None) => None,
        }
    }

    /// Makes the text fields share the copies `interner` already holds, adding the ones it lacks.
    pub fn share_text(&mut self, interner: &mut Interner) {
        for field in [
            &mut self.given,
            &mut self.surname,
            &mut self.full_name,
            &mut self.city,
            &mut self.postcode,
            &mut self.state,
            &mut self.website,
        ]
        .into_iter()
        .flatten()
        {
            *field = interner.text(field);
        }
        if let Some(company) = &mut self.company {
            *company = interner.company(company);
        }
    }
}

/// One copy of each text value and company name an index holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    texts: HashSet<Text>,
    companies: HashSet<Arc<CompanyName>>,
}

impl Interner {
    fn text(&mut self, value: &Text) -> Text {
        if let Some(kept) = self.texts.get(value) {
            return Arc::clone(kept);
        }
        self.texts.insert(Arc::clone(value));
        Arc::clone(value)
    }

    fn company(&mut self, value: &Arc<CompanyName>) -> Arc<CompanyName> {
        if let Some(kept) = self.companies.get(value) {
            return Arc::clone(kept);
        }
        self.companies.insert(Arc::clone(value));
        Arc::clone(value)
    }
}
