//! Soundex codes for blocking: two spellings that sound alike (`Smith`, `Smyth`) share a block, so a typo
//! in a surname does not hide a duplicate from the scorer.

/// Returns the American Soundex code of the first word of `folded` (already folded text), such as `s530`
/// for `smith`, or `None` when it has no letters.
pub fn soundex(folded: &str) -> Option<String> {
    let mut letters = folded.chars().filter(char::is_ascii_alphabetic);
    let first = letters.next()?;
    let mut code = String::with_capacity(4);
    code.push(first);
    let mut last = digit(first);
    for c in letters {
        let d = digit(c);
        // `h` and `w` do not separate letters of the same code; vowels do.
        if matches!(c, 'h' | 'w') {
            continue;
        }
        if d != '0' && d != last {
            code.push(d);
            if code.len() == 4 {
                break;
            }
        }
        last = d;
    }
    while code.len() < 4 {
        code.push('0');
    }
    Some(code)
}

fn digit(c: char) -> char {
    match c {
        'b' | 'f' | 'p' | 'v' => '1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
        'd' | 't' => '3',
        'l' => '4',
        'm' | 'n' => '5',
        'r' => '6',
        _ => '0',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_that_sound_alike_share_a_code() {
        assert_eq!(soundex("smith"), Some("s530".into()));
        assert_eq!(soundex("smyth"), Some("s530".into()));
        assert_eq!(soundex("robert"), soundex("rupert"));
        assert_eq!(soundex("ashcraft"), Some("a261".into()));
        assert_eq!(soundex("tymczak"), Some("t522".into()));
    }

    #[test]
    fn text_without_letters_has_no_code() {
        assert_eq!(soundex("123"), None);
        assert_eq!(soundex(""), None);
    }
}
