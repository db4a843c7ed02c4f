//! The string measures the matcher scores with — strsim's Jaro–Winkler, normalised Levenshtein and
//! "Damerau–Levenshtein distance at most one" — computed on bytes, on the stack, when both strings are
//! ASCII and short, which nearly every name, email and phone number is.
//!
//! An import scores each row against up to hundreds of candidates, so these run millions of times:
//! strsim counts characters on every call, decodes UTF-8 as it goes and allocates its tables, which was
//! more than half of a 100,000-row import. On ASCII a character is a byte, so the same algorithms on
//! bytes give the same numbers (the same arithmetic in the same order); anything else is left to strsim.

use std::cmp::{max, min};

/// Longest string handled on the stack; longer ones go to strsim.
const STACK: usize = 64;

fn short_ascii(a: &str, b: &str) -> bool {
    a.len() <= STACK && b.len() <= STACK && a.is_ascii() && b.is_ascii()
}

/// `strsim::jaro_winkler(a, b)`.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !short_ascii(a, b) {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sim = jaro(a, b);
    if sim > 0.7 {
        let prefix_length = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix_length as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// strsim's `generic_jaro` on bytes of at most `STACK` each.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let search_range = (max(a_len, b_len) / 2).saturating_sub(1);
    let mut a_flags = [false; STACK];
    let mut b_flags = [false; STACK];
    let mut matches = 0_usize;
    for (i, x) in a.iter().enumerate() {
        let min_bound = i.saturating_sub(search_range);
        let max_bound = min(b_len, i + search_range + 1);
        for j in min_bound..max_bound {
            if *x == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0_usize;
    let mut j = 0;
    for (i, x) in a.iter().enumerate() {
        if a_flags[i] {
            while !b_flags[j] {
                j += 1;
            }
            if *x != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

/// `strsim::normalized_levenshtein(a, b)`.
pub(crate) fn normalized_levenshtein(a: &str, b: &str) -> f64 {
    if !short_ascii(a, b) {
        return strsim::normalized_levenshtein(a, b);
    }
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    1.0 - (levenshtein(a.as_bytes(), b.as_bytes()) as f64) / (a.len().max(b.len()) as f64)
}

/// `strsim::normalized_levenshtein(a, b)` where it is above `floor`; where it is not, some number
/// at or below `floor` — for a caller to whom every similarity up to `floor` counts the same.
///
/// Most pairs an import compares are strangers whose addresses differ early, so the distance is
/// given up as soon as it must exceed the most that still scores above `floor`.
pub(crate) fn normalized_levenshtein_above(a: &str, b: &str, floor: f64) -> f64 {
    if !short_ascii(a, b) || (a.is_empty() && b.is_empty()) {
        return normalized_levenshtein(a, b);
    }
    let longest = a.len().max(b.len());
    let similarity = |distance: usize| 1.0 - (distance as f64) / (longest as f64);
    if similarity(0) <= floor {
        return similarity(0);
    }
    // The largest distance whose similarity is above `floor`, from the same arithmetic as the result:
    // a larger distance gives a similarity at or below it.
    let mut most = 0;
    while most < longest && similarity(most + 1) > floor {
        most += 1;
    }
    match levenshtein_within(a.as_bytes(), b.as_bytes(), most) {
        Some(distance) => similarity(distance),
        None => similarity(most + 1),
    }
}

/// Levenshtein distance of byte strings of at most `STACK` each, one row of the table at a time.
fn levenshtein(a: &[u8], b: &[u8]) -> usize {
    levenshtein_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// The Levenshtein distance if it is at most `most`, else `None` — found out as soon as a whole row of
/// the table exceeds `most`, since no later row has a smaller cell.
fn levenshtein_within(a: &[u8], b: &[u8], most: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > most {
        return None;
    }
    let mut row = [0_usize; STACK];
    for (j, cell) in row.iter_mut().take(b.len()).enumerate() {
        *cell = j + 1;
    }
    let mut result = b.len();
    for (i, x) in a.iter().enumerate() {
        result = i + 1;
        let mut diagonal = i;
        let mut row_min = result;
        for (j, y) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(x != y);
            diagonal = row[j];
            result = min(result + 1, min(substitution, diagonal + 1));
            row[j] = result;
            row_min = min(row_min, result);
        }
        if row_min > most {
            return None;
        }
    }
    (result <= most).then_some(result)
}

/// `strsim::damerau_levenshtein(a, b) <= 1`: equal, or one character changed, added, removed, or two
/// neighbours swapped.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    if !(a.is_ascii() && b.is_ascii()) {
        return strsim::damerau_levenshtein(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let Some(first) = short.iter().zip(long).position(|(x, y)| x != y) else {
        // One is a prefix of the other.
        return long.len() - short.len() <= 1;
    };
    match long.len() - short.len() {
        0 => {
            let rest = first + 1;
            short[rest..] == long[rest..]
                || (rest < short.len()
                    && short[first] == long[rest]
                    && short[rest] == long[first]
                    && short[rest + 1..] == long[rest + 1..])
        }
        1 => short[first..] == long[first + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Short strings over a small alphabet, so that pairs share letters, prefixes and near misses;
    /// some with accents (strsim's path) and some past the stack limit.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => "[abcde.@0-9]{0,12}",
            1 => "[aé ü]{0,6}",
            1 => "[ab]{60,70}",
        ]
    }

    /// A word and a slight edit of it, the pairs near the thresholds.
    fn near_pair() -> impl Strategy<Value = (String, String)> {
        ("[abcdef]{0,10}", any::<usize>(), any::<u8>(), 0..4_u8).prop_map(|(w, at, c, op)| {
            let mut v: Vec<char> = w.chars().collect();
            let i = if v.is_empty() { 0 } else { at % v.len() };
            let c = char::from(b'a' + c % 6);
            match op {
                0 if !v.is_empty() => v[i] = c,
                1 => v.insert(i, c),
                2 if !v.is_empty() => {
                    v.remove(i);
                }
                3 if i + 1 < v.len() => v.swap(i, i + 1),
                _ => {}
            }
            (w, v.into_iter().collect())
        })
    }

    fn agree_with_strsim(a: &str, b: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(jaro_winkler(a, b).to_bits(), strsim::jaro_winkler(a, b).to_bits());
        prop_assert_eq!(
            normalized_levenshtein(a, b).to_bits(),
            strsim::normalized_levenshtein(a, b).to_bits()
        );
        for floor in [0.0, 0.5, 0.8, 0.95] {
            let exact = strsim::normalized_levenshtein(a, b);
            let above = normalized_levenshtein_above(a, b, floor);
            if exact > floor {
                prop_assert_eq!(above.to_bits(), exact.to_bits());
            } else {
                prop_assert!(above <= floor, "{} for {:?} {:?} at {}", above, a, b, floor);
            }
        }
        prop_assert_eq!(within_one_edit(a, b), strsim::damerau_levenshtein(a, b) <= 1);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn measures_equal_strsims_to_the_bit(a in word(), b in word()) {
            agree_with_strsim(&a, &b)?;
        }

        #[test]
        fn near_misses_equal_strsims_to_the_bit((a, b) in near_pair()) {
            agree_with_strsim(&a, &b)?;
        }
    }

    #[test]
    fn known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-4);
        assert_eq!(normalized_levenshtein("", ""), 1.0);
        assert!(within_one_edit("2079460958", "2079460985"));
        assert!(!within_one_edit("2079460958", "2079469085"));
    }
}
