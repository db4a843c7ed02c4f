//! The whole CSV path in one stream: decode, split, map, and keep the tally for the import summary.

use std::collections::BTreeMap;
use std::io::Read;

use super::encoding::{DecodedReader, TextEncoding, decode};
use super::error::{ImportError, RowError};
use super::fields::ObjectKind;
use super::mapping::{MappedRow, Mapping, MappingOptions};
use super::presets::Preset;
use super::reader::{CsvRows, MAX_FIELD_CHARS, ReaderOptions};

/// How to read one CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// Object, preset and the user's overrides.
    pub mapping: MappingOptions,
    /// The delimiter, or `None` to guess.
    pub delimiter: Option<u8>,
    /// The encoding, or `None` to detect (a BOM always wins).
    pub encoding: Option<TextEncoding>,
    /// The longest field accepted, in characters.
    pub max_field_chars: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            mapping: MappingOptions::default(),
            delimiter: None,
            encoding: None,
            max_field_chars: MAX_FIELD_CHARS,
        }
    }
}

/// What happened to a file, for the summary screen and `--json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The encoding the file was read in.
    pub encoding: &'static str,
    /// The delimiter used.
    pub delimiter: char,
    /// The object the rows were read as.
    pub object: ObjectKind,
    /// The header preset used.
    pub preset: Preset,
    /// Rows read, refused ones included.
    pub rows_read: u64,
    /// Rows refused whole (too many fields, oversized field, broken quoting).
    pub rows_refused: u64,
    /// Rows kept with at least one value refused or unmapped.
    pub rows_with_issues: u64,
    /// Headers kept as custom fields.
    pub custom_fields: Vec<String>,
    /// Picklist values with no mapping: (field code, value) → how many rows had it.
    pub unmapped_values: BTreeMap<(String, String), u64>,
}

/// A CSV file being read: an iterator of mapped rows, each refused row an `Err` with its line.
pub struct CsvImport<R: Read> {
    rows: CsvRows<DecodedReader<R>>,
    mapping: Mapping,
    summary: ImportSummary,
}

/// Opens `input` (the file's bytes, as given by the caller) for import: detects the encoding and delimiter,
/// reads the header and plans the columns. File-level problems are errors here; row problems come later.
pub fn open_csv<R: Read>(input: R, options: &ImportOptions) -> Result<CsvImport<R>, ImportError> {
    let text = decode(input, options.encoding)?;
    let encoding = text.encoding();
    let reader_options = ReaderOptions {
        delimiter: options.delimiter,
        max_field_chars: options.max_field_chars,
    };
    let rows = CsvRows::new(text, reader_options)?;
    let mut mapping_options = options.mapping.clone();
    // A semicolon-separated file comes from a locale that writes decimal commas.
    mapping_options.decimal_comma |= rows.delimiter() == b';';
    let mapping = Mapping::new(rows.header(), &mapping_options)?;
    let summary = ImportSummary {
        encoding: encoding.label(),
        delimiter: char::from(rows.delimiter()),
        object: mapping.object(),
        preset: mapping.preset(),
        rows_read: 0,
        rows_refused: 0,
        rows_with_issues: 0,
        custom_fields: mapping.custom_fields().into_iter().map(str::to_owned).collect(),
        unmapped_values: BTreeMap::new(),
    };
    Ok(CsvImport {
        rows,
        mapping,
        summary,
    })
}

impl<R: Read> CsvImport<R> {
    /// The column plan.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The tally so far (complete once the iterator is exhausted).
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }
}

impl<R: Read> Iterator for CsvImport<R> {
    type Item = Result<MappedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        self.summary.rows_read += 1;
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                self.summary.rows_refused += 1;
                return Some(Err(error));
            }
        };
        let mapped = self.mapping.map_row(&row);
        if !mapped.issues.is_empty() {
            self.summary.rows_with_issues += 1;
            for key in mapped.unmapped_values(&row) {
                *self.summary.unmapped_values.entry(key).or_default() += 1;
            }
        }
        Some(Ok(mapped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::Field;
    use crate::import::values::Value;

    #[test]
    fn a_windows_1252_semicolon_file_reads_end_to_end() {
        let bytes = b"Vorname;Nachname;E-Mail;Company;Status;AnnualRevenue\r\nJ\xFCrgen;M\xFCller;j@example.de;ACME;Open;1.234.567,89\r\n";
        let mut options = ImportOptions::default();
        options
            .mapping
            .user
            .columns
            .insert("Vorname".into(), "first_name".into());
        options
            .mapping
            .user
            .columns
            .insert("Nachname".into(), "last_name".into());
        options
            .mapping
            .user
            .columns
            .insert("E-Mail".into(), "email".into());
        let mut import = open_csv(&bytes[..], &options).unwrap();
        let row = import.next().unwrap().unwrap();
        assert_eq!(row.get(Field::FirstName), Some(&Value::Text("Jürgen".into())));
        assert_eq!(row.get(Field::AnnualRevenue), Some(&Value::Money(123_456_789)));
        assert_eq!(row.get(Field::Status), Some(&Value::Code("inquiry".into())));
        let summary = import.summary();
        assert_eq!(
            (summary.encoding, summary.delimiter, summary.object),
            ("windows-1252", ';', ObjectKind::Lead)
        );
    }

    #[test]
    fn bad_rows_are_counted_and_good_ones_kept() {
        let text = "Subject,WhoId,Status,Type\nCall,003A,Completed,Call\nx,y,z,w,extra\nEmail,003B,Completed,Carrier pigeon\n";
        let mut import = open_csv(text.as_bytes(), &ImportOptions::default()).unwrap();
        let results: Vec<_> = import.by_ref().collect();
        assert_eq!(results.len(), 3);
        assert_eq!(results[1].as_ref().unwrap_err().line, 3);
        let summary = import.summary();
        assert_eq!(
            (summary.rows_read, summary.rows_refused, summary.rows_with_issues),
            (3, 1, 1)
        );
        assert_eq!(
            summary
                .unmapped_values
                .get(&("task_type".into(), "Carrier pigeon".into())),
            Some(&1)
        );
    }
}
