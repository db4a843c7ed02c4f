//! Blocking: which records are worth comparing at all. Comparing every pair is quadratic — 5·10¹¹ pairs
//! for a million rows — so each record gets a few keys, and only records sharing a key are scored. Each key
//! tolerates a different kind of mistake (a typo in the surname, a swapped name, a missing field), so a
//! duplicate is missed only if every key is spoilt at once. Keys shared by too many records (`smith`,
//! the biggest customer's domain) are skipped by the index: they would cost much and decide little.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::domain::account_domain_of_email;
use super::person::phone_key;
use super::phonetic::soundex;
use super::record::Prepared;

/// A blocking key, hashed: a collision only adds a comparison, never loses one.
pub(crate) type BlockKey = u64;

/// Words too common in organisation names to bring two of them together on their own.
const COMMON_COMPANY_WORDS: &[&str] = &[
    "and",
    "the",
    "of",
    "for",
    "group",
    "holdings",
    "international",
    "services",
    "solutions",
    "center",
    "centre",
    "company",
    "school",
    "inc",
    "llc",
    "ltd",
];

/// The blocking keys of a record, sorted and without repeats.
pub(crate) fn keys(r: &Prepared) -> Vec<BlockKey> {
    let mut keys = Vec::with_capacity(12);
    let mut add = |tag: u8, parts: &[&str]| keys.push(hash(tag, parts));
    let prefix = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let head = |s: &str, n: usize| s[..prefix(s, n)].to_owned();

    if let Some(email) = &r.email {
        add(b'e', &[email]);
        // The mailbox name alone survives a typo in the domain (`jo@acme.cmo`).
        if let Some((local, _)) = email.split_once('@').filter(|(local, _)| local.len() >= 3) {
            add(b'l', &[local]);
        }
    }
    if let Some(phone) = &r.phone {
        add(b'p', &[phone_key(phone)]);
    }
    let given_sx = r.given.as_deref().and_then(soundex);
    let surname_sx = r.surname.as_deref().and_then(soundex);
    if let (Some(g), Some(s)) = (&r.given, &r.surname) {
        // Prefixes of one name with the initial of the other survive a typo late in either name.
        add(b's', &[&head(s, 3), &head(g, 1)]);
        add(b'g', &[&head(g, 3), &head(s, 1)]);
    }
    if let (Some(g), Some(s)) = (&given_sx, &surname_sx) {
        // Sorted, so a given name and surname entered the wrong way round share the key.
        let (lo, hi) = if g <= s { (g, s) } else { (s, g) };
        add(b'n', &[lo, hi]);
    }
    if let (Some(s), Some(postcode)) = (&surname_sx, &r.postcode) {
        add(b'z', &[s, postcode]);
    }
    if let Some(birth) = &r.birth {
        add(b'b', &[birth.digits()]);
        // A name with the year, or with the day and month, survives a typo in the other part of the date.
        for name in [&given_sx, &surname_sx].into_iter().flatten() {
            add(b'y', &[name, birth.year()]);
            add(b'm', &[name, birth.month_day()]);
        }
    }
    if let (None, None, Some(full)) = (&r.given, &r.surname, r.full()) {
        for word in full.split(' ').filter(|w| w.len() >= 3) {
            add(b'f', &[&head(word, 4)]);
        }
    }
    if let Some(street) = r.address.as_ref().and_then(|a| a.number_and_street()) {
        add(b'a', &[&street]);
    }
    if let Some(company) = &r.company {
        for word in company
            .words()
            .iter()
            .filter(|w| w.len() >= 3 && !COMMON_COMPANY_WORDS.contains(&w.as_str()))
        {
            add(b'c', &[word]);
        }
    }
    for domain in [
        r.website.as_deref(),
        r.email.as_deref().and_then(account_domain_of_email),
    ]
    .into_iter()
    .flatten()
    {
        add(b'd', &[domain]);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn hash(tag: u8, parts: &[&str]) -> BlockKey {
    // `DefaultHasher::new()` is unkeyed, so keys are the same on every run and output order is stable.
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    parts.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Record;

    fn keys_of(record: Record) -> Vec<BlockKey> {
        keys(&Prepared::of(&record, false))
    }

    fn shares_a_key(a: Record, b: Record) -> bool {
        let b = keys_of(b);
        keys_of(a).iter().any(|k| b.contains(k))
    }

    fn person(given: &str, surname: &str) -> Record {
        Record {
            given_name: Some(given.into()),
            surname: Some(surname.into()),
            ..Record::default()
        }
    }

    #[test]
    fn swapped_or_misspelt_names_share_a_block() {
        assert!(shares_a_key(person("isla", "hall"), person("hall", "isla")));
        assert!(shares_a_key(
            person("mitchell", "green"),
            person("mitchel", "grene")
        ));
    }

    #[test]
    fn different_people_do_not_share_a_block() {
        assert!(!shares_a_key(person("mitchell", "green"), person("ann", "baker")));
    }

    #[test]
    fn a_work_email_blocks_with_its_account_website_and_free_mail_does_not() {
        let org = Record {
            website: Some("www.acme.com".into()),
            ..Record::default()
        };
        let work = Record {
            email: Some("jo@acme.com".into()),
            ..Record::default()
        };
        let free = Record {
            email: Some("jo@gmail.com".into()),
            ..Record::default()
        };
        let gmail_org = Record {
            website: Some("gmail.com".into()),
            ..Record::default()
        };
        assert!(shares_a_key(work, org));
        assert!(!shares_a_key(free, gmail_org));
    }
}
