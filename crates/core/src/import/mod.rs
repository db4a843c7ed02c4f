//! Reading customer files for import: CSV as Excel, Salesforce, HubSpot and Pipedrive write it, and Salesforce DX
//! sObject-tree JSON. Bytes in, typed rows out, streaming, with every refusal pinned to a line and column.

pub mod encoding;
pub mod error;
pub mod fields;
pub mod mapping;
pub mod picklists;
pub mod pipeline;
pub mod presets;
pub mod reader;
pub mod sniff;
pub mod sobject_tree;
pub mod values;

pub use error::{ImportError, RowError};
pub use fields::{Field, ObjectKind};
pub use mapping::{MappedRow, Mapping, MappingOptions, UserMapping};
pub use pipeline::{CsvImport, ImportOptions, ImportSummary, open_csv};
pub use presets::Preset;
pub use values::Value;

#[cfg(test)]
mod real_files;
