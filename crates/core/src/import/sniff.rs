//! Which delimiter a CSV file uses, guessed from its first lines.
//!
//! Exports differ by locale and tool: Salesforce and US Excel write commas, European Excel semicolons, database
//! dumps tabs or pipes. The delimiter that splits every line into the same number of fields wins.

/// The delimiters we recognise, in the order preferred when two fit equally well.
pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records (not physical lines: quoted fields may span several) are looked at.
const SAMPLE_RECORDS: usize = 50;

/// Guesses the delimiter of `sample`, the beginning of a UTF-8 CSV text; a comma when nothing splits it.
///
/// Delimiters inside quoted fields are not counted, and a record that is cut off by the end of the sample is
/// ignored, so a long multi-line field does not mislead the guess.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let records = count_per_record(sample);
    let mut best = (b',', 0.0_f64, 0_usize);
    for (index, &candidate) in CANDIDATES.iter().enumerate() {
        let counts: Vec<usize> = records.iter().map(|counts| counts[index]).collect();
        let Some(mode) = mode_above_zero(&counts) else {
            continue;
        };
        let agreeing = counts.iter().filter(|&&count| count == mode).count();
        let consistency = agreeing as f64 / counts.len() as f64;
        // Consistency first; between equally consistent candidates, the one that splits more.
        if consistency > best.1 || (consistency == best.1 && mode > best.2) {
            best = (candidate, consistency, mode);
        }
    }
    best.0
}

/// Counts each candidate outside quotes, per complete record of the sample.
fn count_per_record(sample: &[u8]) -> Vec<[usize; 4]> {
    let mut records = Vec::new();
    let mut counts = [0_usize; 4];
    let mut in_quotes = false;
    let mut blank = true;
    for &byte in sample {
        match byte {
            b'"' => {
                in_quotes = !in_quotes;
                blank = false;
            }
            b'\n' if !in_quotes => {
                if !blank {
                    records.push(counts);
                    if records.len() == SAMPLE_RECORDS {
                        return records;
                    }
                }
                counts = [0; 4];
                blank = true;
            }
            b'\r' => {}
            _ if in_quotes => {}
            _ => {
                blank = false;
                if let Some(index) = CANDIDATES.iter().position(|&candidate| candidate == byte) {
                    counts[index] += 1;
                }
            }
        }
    }
    // A last record without a newline is complete only when the sample is the whole file; keeping it matters for
    // one-line files and costs little otherwise, since consistency is measured across all records.
    if !blank && !in_quotes {
        records.push(counts);
    }
    records
}

fn mode_above_zero(counts: &[usize]) -> Option<usize> {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for &count in counts.iter().filter(|&&count| count > 0) {
        match tally.iter_mut().find(|(value, _)| *value == count) {
            Some((_, seen)) => *seen += 1,
            None => tally.push((count, 1)),
        }
    }
    tally
        .into_iter()
        .max_by_key(|&(value, seen)| (seen, value))
        .map(|(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_common_delimiter_is_found() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\r\n1;2,5;3\r\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let sample = b"name;revenue\n\"Acme, Inc., Ltd\";\"1,000,000\"\n\"Beta, Co\";\"2,5\"\n";
        assert_eq!(sniff_delimiter(sample), b';');
    }

    #[test]
    fn multi_line_quoted_fields_stay_one_record() {
        let sample = b"a|b\n\"line one\nline, two, three\"|x\n1|2\n";
        assert_eq!(sniff_delimiter(sample), b'|');
    }

    #[test]
    fn comma_space_separated_files_are_comma_separated() {
        assert_eq!(
            sniff_delimiter(b"rec_id, given_name, surname\nrec-1-org, ada, lovelace\n"),
            b','
        );
    }

    #[test]
    fn a_single_column_defaults_to_comma() {
        assert_eq!(sniff_delimiter(b"email\na@example.com\n"), b',');
    }
}
