//! Folding free text to a comparable form: the same name typed on a French keyboard, in capitals or with
//! stray punctuation must compare equal, so every comparison starts from this one folding.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `raw` to lower-case ASCII-where-possible words separated by single spaces: accents are removed
/// (NFKD, combining marks dropped), `&` becomes `and`, apostrophes vanish (`O'Brien` = `obrien`) and every
/// other non-alphanumeric character separates words.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.nfkd() {
        if is_combining_mark(c) || matches!(c, '\'' | '\u{2019}' | '`') {
            continue;
        }
        if c == '&' {
            push_word(&mut out, "and", &mut pending_space);
            pending_space = true;
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

fn push_word(out: &mut String, word: &str, pending_space: &mut bool) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    *pending_space = false;
}

/// Returns `None` for a value that is empty once folded, so a blank CSV cell counts as missing.
pub fn non_empty(value: String) -> Option<String> {
    if value.is_empty() { None } else { Some(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(fold("  Société Générale, S.A. "), "societe generale s a");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("Müller-Lüdenscheidt"), "muller ludenscheidt");
    }

    #[test]
    fn ampersand_becomes_and() {
        assert_eq!(fold("Johnson&Johnson"), "johnson and johnson");
        assert_eq!(fold("Marks & Spencer"), "marks and spencer");
    }
}
