//! Scoring a pair of records, Fellegi–Sunter style. Each field both records have adds evidence in bits
//! (log₂ of how much likelier that agreement is between two records of one person than between two
//! strangers): an exact match adds the field's `agree` weight, a clear mismatch adds its (negative)
//! `disagree` weight, and similarities in between are interpolated. A field either record lacks adds
//! nothing. The sum is turned into a score in [0, 1] with a logistic curve centred on [`EVEN_ODDS_BITS`].
//!
//! The weights are round figures from the usual m/u reasoning — e.g. a surname agrees for ~90% of true
//! pairs and ~0.5% of random pairs, log₂(0.9 / 0.005) ≈ 7.5; a disagreement is log₂(0.1 / 0.995) ≈ −3.3 —
//! not fitted to any one data set.

use super::distance::{normalized_levenshtein_above, within_one_edit};
use super::domain::account_domain_of_email;
use super::person::{full_name_similarity, name_similarity, phone_similarity};
use super::record::{Prepared, Text};

/// The evidence, in bits, at which a pair is as likely a duplicate as not (score 0.5). Two records need
/// about two strongly agreeing fields (a name and a date of birth, a company and a phone) beyond any
/// disagreements to get there.
pub const EVEN_ODDS_BITS: f64 = 14.0;

/// How much one field's agreement and disagreement count, and below which similarity it counts as a
/// full disagreement.
#[derive(Debug, Clone, Copy)]
struct Weight {
    agree: f64,
    disagree: f64,
    floor: f64,
}

const GIVEN_NAME: Weight = Weight {
    agree: 6.5,
    disagree: -3.0,
    floor: 0.7,
};
const SURNAME: Weight = Weight {
    agree: 8.0,
    disagree: -3.5,
    floor: 0.7,
};
const FULL_NAME: Weight = Weight {
    agree: 13.0,
    disagree: -5.0,
    floor: 0.7,
};
/// A different address is weak evidence: people keep several.
const EMAIL: Weight = Weight {
    agree: 14.0,
    disagree: -2.0,
    floor: 0.8,
};
const PHONE: Weight = Weight {
    agree: 12.0,
    disagree: -3.0,
    floor: 0.4,
};
const BIRTH_DATE: Weight = Weight {
    agree: 12.0,
    disagree: -4.0,
    floor: 0.3,
};
const ADDRESS: Weight = Weight {
    agree: 9.0,
    disagree: -3.0,
    floor: 0.6,
};
const CITY: Weight = Weight {
    agree: 5.0,
    disagree: -1.5,
    floor: 0.75,
};
const POSTCODE: Weight = Weight {
    agree: 6.0,
    disagree: -2.0,
    floor: 0.0,
};
const STATE: Weight = Weight {
    agree: 1.5,
    disagree: -1.0,
    floor: 0.0,
};
const COMPANY: Weight = Weight {
    agree: 9.0,
    disagree: -3.0,
    floor: 0.7,
};
const WEBSITE: Weight = Weight {
    agree: 10.0,
    disagree: -2.0,
    floor: 0.0,
};
/// Given name and surname found the other way round: the agreement counts, less this much.
const SWAPPED_NAMES_PENALTY: f64 = 2.0;
/// A person's work email at an organisation's website domain.
const EMAIL_AT_WEBSITE: f64 = 4.0;

impl Weight {
    fn of(self, similarity: f64) -> f64 {
        if similarity >= 1.0 {
            self.agree
        } else if similarity <= self.floor {
            self.disagree
        } else {
            self.disagree + (self.agree - self.disagree) * (similarity - self.floor) / (1.0 - self.floor)
        }
    }
}

/// The evidence, in bits, that `a` and `b` describe the same person or organisation.
pub(crate) fn evidence(a: &Prepared, b: &Prepared) -> f64 {
    bits(a, b, None).unwrap_or(f64::NEG_INFINITY)
}

/// `score_of(evidence(a, b))` when it is at least `threshold`, otherwise `None`.
///
/// The same number, but most pairs that blocking puts forward are strangers, and a stranger is
/// given up as soon as the fields not yet compared could not lift it to the threshold even if they
/// all agreed: the cheap and telling fields (phone, email, names) are compared first and the company,
/// the dearest comparison, last — an import skips most of its company comparisons this way.
pub(crate) fn score_reaching(a: &Prepared, b: &Prepared, threshold: f64) -> Option<f64> {
    let score = score_of(bits(a, b, Some(threshold))?);
    (score >= threshold).then_some(score)
}

/// Bits of evidence left between a pair given up and the threshold, so that rounding in the sums
/// can never give up a pair that reaches it.
const MARGIN_BITS: f64 = 1e-6;

/// The evidence, or `None` once it is sure to fall short of `threshold`. Fields are compared in
/// order of cost, and summed in one fixed order whatever the order of comparison, so the result is
/// the same to the bit with or without a threshold.
fn bits(a: &Prepared, b: &Prepared, threshold: Option<f64>) -> Option<f64> {
    let most = |w: Weight, both: bool| if both { w.agree } else { 0.0 };
    let email_max = most(EMAIL, a.email.is_some() && b.email.is_some());
    // At least what `names` can give: both names agreeing (a crossed or full-name match gives less).
    let names_max = GIVEN_NAME.agree + SURNAME.agree;
    let address_max = most(ADDRESS, a.address.is_some() && b.address.is_some())
        + most(CITY, a.city.is_some() && b.city.is_some());
    let company_max = most(COMPANY, a.company.is_some() && b.company.is_some());
    let mut unknown = email_max + names_max + address_max + company_max;
    let mut known = 0.0;
    let hopeless =
        |known: f64, unknown: f64| threshold.is_some_and(|t| score_of(known + unknown + MARGIN_BITS) < t);

    let phone = field(&a.phone, &b.phone, PHONE, |x, y| phone_similarity(x, y));
    let birth = field(&a.birth, &b.birth, BIRTH_DATE, |x, y| x.similarity(y));
    let postcode = field(&a.postcode, &b.postcode, POSTCODE, |x, y| {
        postcode_similarity(x, y)
    });
    let state = field(&a.state, &b.state, STATE, |x, y| f64::from(u8::from(x == y)));
    let website = field(&a.website, &b.website, WEBSITE, |x, y| {
        f64::from(u8::from(x == y))
    });
    let (at_website, at_website_back) = (email_at_website(a, b), email_at_website(b, a));
    known += phone + birth + postcode + state + website + at_website + at_website_back;
    if hopeless(known, unknown) {
        return None;
    }
    // Every similarity up to the floor weighs the same, so the distance may stop there.
    let email = field(&a.email, &b.email, EMAIL, |x, y| {
        normalized_levenshtein_above(x, y, EMAIL.floor)
    });
    (known, unknown) = (known + email, unknown - email_max);
    if hopeless(known, unknown) {
        return None;
    }
    let names = names(a, b);
    (known, unknown) = (known + names, unknown - names_max);
    if hopeless(known, unknown) {
        return None;
    }
    let address = field(&a.address, &b.address, ADDRESS, |x, y| x.similarity(y));
    let city = field(&a.city, &b.city, CITY, |x, y| name_similarity(x, y));
    (known, unknown) = (known + address + city, unknown - address_max);
    if hopeless(known, unknown) {
        return None;
    }
    let company = field(&a.company, &b.company, COMPANY, |x, y| x.similarity(y));

    // The order `evidence` has always summed in.
    let mut bits = names;
    bits += email;
    bits += phone;
    bits += birth;
    bits += address;
    bits += city;
    bits += postcode;
    bits += state;
    bits += company;
    bits += website;
    Some(bits + at_website + at_website_back)
}

/// Turns evidence in bits into a score in [0, 1].
pub(crate) fn score_of(bits: f64) -> f64 {
    1.0 / (1.0 + (EVEN_ODDS_BITS - bits).exp2())
}

fn field<T>(a: &Option<T>, b: &Option<T>, weight: Weight, similarity: impl Fn(&T, &T) -> f64) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => weight.of(similarity(a, b)),
        _ => 0.0,
    }
}

/// Names compared as given name and surname where both records have them — also crosswise, since the two
/// are often entered the wrong way round — or as whole names otherwise.
fn names(a: &Prepared, b: &Prepared) -> f64 {
    let split = |a_given, a_surname, b_given, b_surname| {
        let given = field(a_given, b_given, GIVEN_NAME, |x: &Text, y| name_similarity(x, y));
        let surname = field(a_surname, b_surname, SURNAME, |x: &Text, y| name_similarity(x, y));
        given + surname
    };
    let comparable = |x: &Option<Text>, y: &Option<Text>| x.is_some() && y.is_some();
    let direct_possible = comparable(&a.given, &b.given) || comparable(&a.surname, &b.surname);
    let crossed_possible = comparable(&a.given, &b.surname) || comparable(&a.surname, &b.given);
    if direct_possible || crossed_possible {
        let direct = if direct_possible {
            split(&a.given, &a.surname, &b.given, &b.surname)
        } else {
            f64::MIN
        };
        let crossed = if crossed_possible {
            split(&a.given, &a.surname, &b.surname, &b.given) - SWAPPED_NAMES_PENALTY
        } else {
            f64::MIN
        };
        return direct.max(crossed);
    }
    match (a.full(), b.full()) {
        (Some(x), Some(y)) => FULL_NAME.of(full_name_similarity(&x, &y)),
        _ => 0.0,
    }
}

fn postcode_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if within_one_edit(a, b) {
        0.5
    } else {
        0.0
    }
}

fn email_at_website(person: &Prepared, organisation: &Prepared) -> f64 {
    // The website first: it is the rarer of the two, and reading the email's domain costs more.
    let Some(website) = organisation.website.as_deref() else {
        return 0.0;
    };
    match person.email.as_deref().and_then(account_domain_of_email) {
        Some(domain) if domain == website => EMAIL_AT_WEBSITE,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Record;
    use proptest::strategy::Strategy;

    fn prepared(record: Record) -> Prepared {
        Prepared::of(&record, false)
    }

    fn person(given: &str, surname: &str, dob: &str, postcode: &str) -> Prepared {
        prepared(Record {
            given_name: Some(given.into()),
            surname: Some(surname.into()),
            date_of_birth: Some(dob.into()),
            postcode: Some(postcode.into()),
            ..Record::default()
        })
    }

    #[test]
    fn same_person_with_a_typo_scores_above_even_odds() {
        let bits = evidence(
            &person("mitchell", "green", "19560409", "2119"),
            &person("mitchel", "green", "19560409", "2119"),
        );
        assert!(score_of(bits) > 0.9, "{bits}");
    }

    #[test]
    fn namesakes_born_on_other_days_elsewhere_score_low() {
        let bits = evidence(
            &person("john", "smith", "19560409", "2119"),
            &person("john", "smith", "19811203", "3000"),
        );
        assert!(score_of(bits) < 0.1, "{bits}");
    }

    #[test]
    fn swapped_given_name_and_surname_still_match() {
        let bits = evidence(
            &person("isla", "hall", "19850207", "2119"),
            &person("hall", "isla", "19850207", "2119"),
        );
        assert!(score_of(bits) > 0.9, "{bits}");
    }

    #[test]
    fn an_email_at_the_accounts_domain_counts_but_free_mail_does_not() {
        let org = prepared(Record {
            website: Some("https://acme.com".into()),
            ..Record::default()
        });
        let work = prepared(Record {
            email: Some("jo@acme.com".into()),
            ..Record::default()
        });
        let free = prepared(Record {
            email: Some("jo@gmail.com".into()),
            ..Record::default()
        });
        assert!(evidence(&work, &org) > 0.0);
        assert_eq!(evidence(&free, &org), 0.0);
    }

    fn some_of(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
        proptest::option::of(proptest::sample::select(pool).prop_map(str::to_owned))
    }

    /// Records whose every field is missing or one of a few near spellings, so that pairs fall on
    /// both sides of any threshold.
    fn record() -> impl Strategy<Value = Record> {
        let names = &["jo", "joe", "john", "smith", "smyth", "baker", "ann", "j"];
        (
            (
                some_of(names),
                some_of(names),
                some_of(&["jo smith", "ann baker"]),
            ),
            some_of(&["jo@acme.com", "joe@acme.com", "jo@gmail.com", "ann@globex.de"]),
            some_of(&["+1 415 555 0101", "4155550110", "02079460958"]),
            some_of(&["19560409", "19560904", "19570409"]),
            some_of(&["12 high st", "12 high street", "4 low rd"]),
            (
                some_of(&["sydney", "sidney"]),
                some_of(&["2119", "2191"]),
                some_of(&["nsw", "vic"]),
            ),
            some_of(&["Acme Inc", "ACME", "Globex GmbH", "Acme Widgets"]),
            some_of(&["acme.com", "https://www.globex.de/"]),
        )
            .prop_map(
                |(
                    (given, surname, full),
                    email,
                    phone,
                    birth,
                    address,
                    (city, postcode, state),
                    company,
                    website,
                )| {
                    Record {
                        given_name: given,
                        surname,
                        full_name: full,
                        email,
                        phone,
                        date_of_birth: birth,
                        address,
                        city,
                        postcode,
                        state,
                        company,
                        website,
                        ..Record::default()
                    }
                },
            )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn giving_up_early_never_changes_the_outcome_or_the_score(
            a in record(),
            b in record(),
            threshold in 0.01_f64..0.999,
        ) {
            let (a, b) = (prepared(a), prepared(b));
            let full = score_of(evidence(&a, &b));
            let expected = (full >= threshold).then_some(full.to_bits());
            proptest::prop_assert_eq!(score_reaching(&a, &b, threshold).map(f64::to_bits), expected);
        }
    }

    #[test]
    fn missing_fields_add_no_evidence() {
        assert_eq!(
            evidence(
                &prepared(Record::default()),
                &person("a", "b", "19560409", "2119")
            ),
            0.0
        );
    }
}
