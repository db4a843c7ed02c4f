//! The parser against Dominic Sayers' isemail test set (164 addresses with RFC categories).
//! Every address the set calls an error must be refused; the plainly valid ones must be accepted;
//! the RFC-valid-but-exotic categories (quoted strings, comments, literals, obsolete forms) are
//! refused by choice, as the module documentation explains.

use std::collections::BTreeMap;

use super::Email;

/// Where the shared test data lives; `ISEMAIL_TESTS` points elsewhere when it has moved.
const DEFAULT_PATH: &str = "/work/shared/data/email/isemail_tests.xml";

/// One test case: the address and its isemail category.
struct Case {
    id: String,
    address: String,
    category: String,
    diagnosis: String,
}

fn cases() -> Vec<Case> {
    let path = std::env::var("ISEMAIL_TESTS").unwrap_or_else(|_| DEFAULT_PATH.to_owned());
    let xml = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {path} (set ISEMAIL_TESTS): {e}"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let text = |node: roxmltree::Node, tag: &str| {
        node.children()
            .find(|c| c.has_tag_name(tag))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_owned()
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("test"))
        .map(|n| Case {
            id: n.attribute("id").unwrap_or("").to_owned(),
            // The set writes control characters as the Unicode "symbol for" block (U+2400 + code).
            address: text(n, "address")
                .chars()
                .map(|c| match c as u32 {
                    code @ 0x2400..=0x241F => char::from_u32(code - 0x2400).unwrap_or(c),
                    _ => c,
                })
                .collect(),
            category: text(n, "category"),
            diagnosis: text(n, "diagnosis"),
        })
        .collect()
}

#[test]
fn isemail_set_has_all_cases() {
    assert_eq!(cases().len(), 164);
}

#[test]
fn every_isemail_error_is_refused() {
    let accepted: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.category == "ISEMAIL_ERR" && Email::parse(&c.address).is_ok())
        .map(|c| format!("#{} {:?} ({})", c.id, c.address, c.diagnosis))
        .collect();
    assert!(accepted.is_empty(), "accepted error addresses: {accepted:#?}");
}

#[test]
fn plainly_valid_isemail_addresses_are_accepted() {
    // Dotless domains (`test@io`, `test@org`) are valid mail routing but never a prospect's work
    // address, so those two valid cases are refused by choice.
    let refused: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.category == "ISEMAIL_VALID_CATEGORY" || c.category == "ISEMAIL_DNSWARN")
        .filter(|c| c.address.split('@').nth(1).is_some_and(|d| d.contains('.')))
        .filter(|c| Email::parse(&c.address).is_err())
        .map(|c| format!("#{} {:?} ({})", c.id, c.address, c.diagnosis))
        .collect();
    assert!(refused.is_empty(), "refused valid addresses: {refused:#?}");
}

/// Prints accepted/total per category; run with `--nocapture` to see the agreement figures.
#[test]
fn isemail_agreement_by_category() {
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in cases() {
        let entry = by_category.entry(case.category.clone()).or_default();
        entry.1 += 1;
        if Email::parse(&case.address).is_ok() {
            entry.0 += 1;
        }
    }
    for (category, (accepted, total)) in &by_category {
        println!("{category}: accepted {accepted} of {total}");
    }
    assert_eq!(by_category.get("ISEMAIL_ERR").map(|(a, _)| *a), Some(0));
}
