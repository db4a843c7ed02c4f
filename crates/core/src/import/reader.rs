//! A streaming CSV reader that yields numbered rows and refuses broken ones without losing the rest.
//!
//! The csv crate is lenient by design (flexible field counts, stray quotes kept as text); we keep that leniency
//! for the sake of real files and add the three refusals people need to hear about: more fields than the header,
//! a field longer than any real value, and a quote that is never closed.

use std::io::{self, Chain, Cursor, Read};

use csv::{ByteRecord, ReaderBuilder, Trim};

use super::error::{ImportError, RowError};
use super::sniff::sniff_delimiter;
use crate::Invalid;

/// The longest field we accept, in characters; Salesforce's own long text areas stop at 32,768, and anything
/// longer in a CSV is almost always a quote that swallowed the lines after it.
pub const MAX_FIELD_CHARS: usize = 32_000;

const SNIFF_BYTES: u64 = 64 * 1024;

/// One record of the file, before any mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Physical line where the record starts: 1-based, the header is line 1 (for JSON, the record number).
    pub line: u64,
    /// The fields, trimmed, one per header column (a short row is padded with empty fields).
    pub fields: Vec<String>,
}

/// How to read the CSV text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderOptions {
    /// The delimiter, or `None` to guess it from the first lines.
    pub delimiter: Option<u8>,
    /// Fields longer than this many characters are refused.
    pub max_field_chars: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            max_field_chars: MAX_FIELD_CHARS,
        }
    }
}

/// Feeds the csv parser line endings it cannot miscount, and counts quotes on the way.
///
/// The csv crate reports where a record's bytes begin, which for a record after blank lines or a CRLF is a line
/// too early. Turning every CRLF and lone CR into LF and ending the text with a LF lets us compute the start line
/// exactly from the parser's position after the record. An odd quote count at the end of the file means a quote
/// was left open, which the csv crate itself does not report.
struct LineEndings<R> {
    inner: R,
    scratch: Vec<u8>,
    held_cr: bool,
    last: u8,
    finished: bool,
    quotes: u64,
}

impl<R: Read> LineEndings<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            scratch: vec![0; SNIFF_BYTES as usize],
            held_cr: false,
            last: b'\n',
            finished: false,
            quotes: 0,
        }
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte of room is kept for a CR held over from the previous read.
        while !self.finished && buf.len() > 1 {
            let want = (buf.len() - 1).min(self.scratch.len());
            let read = self.inner.read(&mut self.scratch[..want])?;
            let mut out = 0;
            if read == 0 {
                self.finished = true;
                if self.held_cr || self.last != b'\n' {
                    buf[0] = b'\n';
                    out = 1;
                }
                self.held_cr = false;
            }
            for &byte in &self.scratch[..read] {
                if self.held_cr {
                    self.held_cr = false;
                    buf[out] = b'\n';
                    out += 1;
                    if byte == b'\n' {
                        continue;
                    }
                }
                if byte == b'\r' {
                    self.held_cr = true;
                    continue;
                }
                buf[out] = byte;
                out += 1;
            }
            if out > 0 {
                self.last = buf[out - 1];
                self.quotes += buf[..out].iter().filter(|&&byte| byte == b'"').count() as u64;
                return Ok(out);
            }
        }
        Ok(0)
    }
}

type Source<R> = LineEndings<Chain<Cursor<Vec<u8>>, R>>;

/// Rows of a UTF-8 CSV text, read one at a time; see [`crate::import::encoding::decode`] for other encodings.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<Source<R>>,
    header: Vec<String>,
    header_line: u64,
    delimiter: u8,
    max_field_chars: usize,
    /// One record of look-ahead: only at the end of the file do we know whether the last one is a runaway quote.
    pending: Option<(u64, ByteRecord)>,
    next: ByteRecord,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header of `text` (UTF-8), guessing the delimiter unless `options` gives one.
    pub fn new(mut text: R, options: ReaderOptions) -> Result<Self, ImportError> {
        let mut sample = Vec::new();
        text.by_ref().take(SNIFF_BYTES).read_to_end(&mut sample)?;
        let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&sample));
        let source = LineEndings::new(Cursor::new(sample).chain(text));
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .trim(Trim::None)
            .buffer_capacity(SNIFF_BYTES as usize)
            .from_reader(source);
        let mut record = ByteRecord::new();
        if !read_record(&mut reader, &mut record)? {
            return Err(ImportError::Empty);
        }
        let header_line = start_line(&reader, &record);
        let header: Vec<String> = record.iter().map(text_of).collect();
        if header.iter().all(String::is_empty) {
            return Err(ImportError::Empty);
        }
        Ok(Self {
            reader,
            header,
            header_line,
            delimiter,
            max_field_chars: options.max_field_chars,
            pending: None,
            next: ByteRecord::new(),
            done: false,
        })
    }

    /// The header fields as the file spells them (trimmed).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The physical line of the header (1 unless the file starts with blank lines).
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The delimiter used, given or guessed.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    fn check(&self, line: u64, record: &ByteRecord) -> Result<Row, RowError> {
        let width = self.header.len();
        let extra_has_text = record
            .iter()
            .skip(width)
            .any(|field| !field.trim_ascii().is_empty());
        if extra_has_text {
            let message = format!(
                "this row has {} fields but the header has {width}; a delimiter inside an unquoted value is the usual cause",
                record.len()
            );
            return Err(RowError::new(
                line,
                Some(width + 1),
                None,
                Invalid::new("row", "too_many_fields", message),
            ));
        }
        for (index, field) in record.iter().take(width).enumerate() {
            if field.len() > self.max_field_chars {
                let chars = String::from_utf8_lossy(field).chars().count();
                if chars > self.max_field_chars {
                    let header = &self.header[index];
                    let message = format!(
                        "the value has {chars} characters, more than the {} allowed; an unclosed quote before it is the usual cause",
                        self.max_field_chars
                    );
                    let problem = Invalid::new(header.as_str(), "too_long", message);
                    return Err(RowError::new(line, Some(index + 1), Some(header), problem));
                }
            }
        }
        let mut fields: Vec<String> = record.iter().take(width).map(text_of).collect();
        fields.resize(width, String::new());
        Ok(Row { line, fields })
    }

    fn runaway_quote(&self, line: u64, record: &ByteRecord) -> RowError {
        let column = record
            .iter()
            .position(|field| field.contains(&b'\n'))
            .unwrap_or(record.len().saturating_sub(1));
        let header = self.header.get(column).map(String::as_str);
        let message = "a quote opened in this row is never closed, so everything after it up to the end of the file \
                       was read as one value; close the quote or double the quotes inside the value";
        let problem = Invalid::new(header.unwrap_or("row"), "invalid_quoting", message);
        RowError::new(line, Some(column + 1), header, problem)
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let mut next = std::mem::take(&mut self.next);
            match read_record(&mut self.reader, &mut next) {
                Ok(true) => {
                    let line = start_line(&self.reader, &next);
                    if let Some((line, record)) = self.pending.replace((line, next)) {
                        let row = self.check(line, &record);
                        self.next = record;
                        return Some(row);
                    }
                }
                Ok(false) => {
                    self.done = true;
                    let (line, record) = self.pending.take()?;
                    return Some(if self.reader.get_ref().quotes % 2 == 1 {
                        // The open quote ran to the end of the file, so no line end followed the record.
                        Err(self.runaway_quote(line + 1, &record))
                    } else {
                        self.check(line, &record)
                    });
                }
                Err(error) => {
                    self.done = true;
                    let line = self.pending.as_ref().map_or(self.header_line, |(line, _)| *line) + 1;
                    let problem = Invalid::new("file", "read_failed", format!("reading stopped: {error}"));
                    return Some(Err(RowError::new(line, None, None, problem)));
                }
            }
        }
        None
    }
}

fn read_record<R: Read>(reader: &mut csv::Reader<R>, record: &mut ByteRecord) -> Result<bool, io::Error> {
    reader
        .read_byte_record(record)
        .map_err(|error| match error.into_kind() {
            csv::ErrorKind::Io(error) => error,
            other => io::Error::other(format!("{other:?}")),
        })
}

/// The line a record starts on: the parser stands just past the record's line end (`LineEndings` guarantees
/// one), and each line end inside quoted fields moves the start one line further up.
fn start_line<R: Read>(reader: &csv::Reader<R>, record: &ByteRecord) -> u64 {
    let embedded = record.as_slice().iter().filter(|&&byte| byte == b'\n').count() as u64;
    reader.position().line().saturating_sub(1 + embedded)
}

fn text_of(field: &[u8]) -> String {
    String::from_utf8_lossy(field).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Result<Row, RowError>> {
        CsvRows::new(text.as_bytes(), ReaderOptions::default())
            .unwrap()
            .collect()
    }

    fn lines(text: &str) -> Vec<u64> {
        rows(text).into_iter().map(|row| row.unwrap().line).collect()
    }

    #[test]
    fn header_is_line_one_and_rows_follow() {
        let mut reader = CsvRows::new("a,b\n1,2\n3,4\n".as_bytes(), ReaderOptions::default()).unwrap();
        assert_eq!(reader.header(), ["a", "b"]);
        assert_eq!(reader.header_line(), 1);
        assert_eq!(
            reader.next().unwrap().unwrap(),
            Row {
                line: 2,
                fields: vec!["1".into(), "2".into()]
            }
        );
        assert_eq!(reader.next().unwrap().unwrap().line, 3);
        assert!(reader.next().is_none());
    }

    #[test]
    fn multi_line_fields_keep_later_line_numbers_right() {
        assert_eq!(
            lines("a,b\r\n\"x\r\ny\r\nz\",2\r\n3,4\r\n\"p\nq\",5\n6,7"),
            [2, 5, 6, 8]
        );
    }

    /// A reader that returns one byte per call, so CRLF pairs are split across reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((&first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn line_ends_split_across_reads_and_old_mac_line_ends_count_right() {
        let text = b"a,b\r\n\"x\r\ny\",2\r\n3,4";
        let got: Vec<u64> = CsvRows::new(Trickle(text), ReaderOptions::default())
            .unwrap()
            .map(|r| r.unwrap().line)
            .collect();
        assert_eq!(got, [2, 4]);
        assert_eq!(lines("a\r1\r\"p\rq\"\r2\r"), [2, 3, 5]);
    }

    #[test]
    fn quoted_fields_keep_delimiters_and_doubled_quotes() {
        let row = rows("name,rev\n\"Acme, \"\"The\"\" Co\",\"$1,000.0\"\n")
            .remove(0)
            .unwrap();
        assert_eq!(row.fields, ["Acme, \"The\" Co", "$1,000.0"]);
    }

    #[test]
    fn fields_are_trimmed_and_short_rows_padded() {
        let row = rows("rec_id, given_name, surname\nrec-1, ada\n")
            .remove(0)
            .unwrap();
        assert_eq!(row.fields, ["rec-1", "ada", ""]);
    }

    #[test]
    fn more_fields_than_the_header_is_refused_with_line_and_column_and_reading_goes_on() {
        let all = rows("a,b\n1,2\n3,4,5\n6,7\n");
        let error = all[1].clone().unwrap_err();
        assert_eq!(
            (error.line, error.column, error.code()),
            (3, Some(3), "too_many_fields")
        );
        assert_eq!(all[2].clone().unwrap().fields, ["6", "7"]);
    }

    #[test]
    fn trailing_empty_fields_beyond_the_header_are_tolerated() {
        assert_eq!(rows("a,b\n1,2,,\n").remove(0).unwrap().fields, ["1", "2"]);
    }

    #[test]
    fn an_oversized_field_is_refused_with_its_column() {
        let text = format!(
            "id,description\n1,ok\n2,{}\n3,fine\n",
            "x".repeat(MAX_FIELD_CHARS + 1)
        );
        let all = rows(&text);
        let error = all[1].clone().unwrap_err();
        assert_eq!((error.line, error.column, error.code()), (3, Some(2), "too_long"));
        assert_eq!(error.header.as_deref(), Some("description"));
        assert_eq!(all[2].clone().unwrap().line, 4);
    }

    #[test]
    fn a_quote_never_closed_is_reported_where_it_opens() {
        let all = rows("id,name\n1,ok\n2,\"broken\n3,lost\n4,lost\n");
        assert_eq!(all[0].clone().unwrap().line, 2);
        let error = all[1].clone().unwrap_err();
        assert_eq!(
            (error.line, error.column, error.code()),
            (3, Some(2), "invalid_quoting")
        );
        assert_eq!(
            error.to_string().split(':').next(),
            Some("line 3, column 2 (name)")
        );
    }

    #[test]
    fn blank_lines_are_skipped_without_shifting_line_numbers() {
        assert_eq!(lines("a\n\n1\n\n2\n"), [3, 5]);
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert!(matches!(
            CsvRows::new(&b""[..], ReaderOptions::default()),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            CsvRows::new(&b"\n\n"[..], ReaderOptions::default()),
            Err(ImportError::Empty)
        ));
    }
}
