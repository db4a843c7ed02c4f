//! What can go wrong while reading a file: the whole file (`ImportError`) or one place in it (`RowError`).

use std::fmt;

use crate::Invalid;

/// The file as a whole could not be read; nothing was imported from it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not text (a PNG, a ZIP or Excel workbook, a PDF…).
    #[error("not a CSV or JSON file: {0}")]
    NotText(String),
    /// The file announces an encoding we cannot decode, or the user named one we do not know.
    #[error("unknown encoding: {0}")]
    UnknownEncoding(String),
    /// The file has no header line at all.
    #[error("the file is empty: expected a header line")]
    Empty,
    /// No column of the header maps to a field of the object.
    #[error("the header has no column that maps to a {object} field (columns: {columns})")]
    NoMappableColumn {
        /// The object the columns were matched against.
        object: &'static str,
        /// The header as given, comma separated, so people can see what we saw.
        columns: String,
    },
    /// The object was left to `auto` and the header does not say which it is.
    #[error(
        "cannot tell which object this file holds from its header; choose one of lead, contact, account, opportunity, task"
    )]
    UnknownObject,
    /// A user mapping names a field or picklist code that does not exist.
    #[error(transparent)]
    BadMapping(#[from] Invalid),
    /// JSON that does not parse, or is not an sObject tree / data plan.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the problem (0 when unknown).
        line: u64,
        /// 1-based column of the problem (0 when unknown).
        column: u64,
        /// What was expected.
        message: String,
    },
    /// The reader we were given failed; the caller owns the file, we only pass its error on.
    #[error("reading the file failed: {0}")]
    Io(#[from] std::io::Error),
}

/// One refused row or value: where it is (line and column) and why, so a person can fix the file.
///
/// A `RowError` never stops the import: the rest of the row (for a value) or the rest of the file (for a row)
/// is still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Physical line where the record starts (1-based, header = line 1); for JSON, the record number.
    pub line: u64,
    /// 1-based column of the offending field, when one field is to blame.
    pub column: Option<usize>,
    /// The header of that column as the file spells it.
    pub header: Option<String>,
    /// The refusal itself: field (our code or the header), stable code and message.
    pub problem: Invalid,
}

impl RowError {
    /// A refusal at `line`, optionally pinned to a column (1-based) and its header.
    pub fn new(line: u64, column: Option<usize>, header: Option<&str>, problem: Invalid) -> Self {
        Self {
            line,
            column,
            header: header.map(str::to_owned),
            problem,
        }
    }

    /// The stable machine code of the problem (`too_many_fields`, `invalid_date`, …).
    pub fn code(&self) -> &'static str {
        self.problem.code
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(header) = &self.header {
            write!(f, " ({header})")?;
        }
        write!(f, ": {}", self.problem.message)
    }
}

impl std::error::Error for RowError {}
