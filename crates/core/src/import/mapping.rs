//! From a header to a plan (which column fills which field, which become custom fields), and from a row to
//! typed values under that plan.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::{ImportError, RowError};
use super::fields::{Field, ObjectKind, ValueKind, normalise};
use super::picklists::{PicklistKind, PicklistMaps};
use super::presets::{Preset, guess_object};
use super::reader::Row;
use super::values::{NumberStyle, Value, parse_value};
use crate::Invalid;

/// What the user chose on the import screen or in a TOML file; everything is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserMapping {
    /// Header (compared normalised) → our field code, or `custom` to keep it as a custom field, or `ignore`.
    pub columns: BTreeMap<String, String>,
    /// Picklist values to add to (or override in) the default tables.
    pub picklists: PicklistMaps,
}

/// Everything that decides how a header is read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MappingOptions {
    /// The object, or `None` to guess it from the header.
    pub object: Option<ObjectKind>,
    /// The header spellings to expect.
    pub preset: Preset,
    /// The user's overrides.
    pub user: UserMapping,
    /// Numbers are written `1.234,56` (set when the file is `;`-separated).
    pub decimal_comma: bool,
}

/// Where one column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnTarget {
    /// One of our fields.
    Field(Field),
    /// Kept as a custom field under the column's header (never dropped silently).
    Custom,
    /// Dropped because the user said so.
    Ignored,
}

/// One column of the header and its fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan {
    /// The header as the file spells it.
    pub header: String,
    /// Where its values go.
    pub target: ColumnTarget,
    /// Multiplier announced by the header (`revenue ($M)` → 1,000,000), 1 otherwise.
    pub unit: i64,
}

/// A row read under a [`Mapping`]: typed values, custom values, and what could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedRow {
    /// Physical line where the record starts (for JSON, the record number).
    pub line: u64,
    /// Our fields that had a value.
    pub values: Vec<(Field, Value)>,
    /// Custom fields that had a value: column index (see [`Mapping::columns`]) and trimmed text.
    pub custom: Vec<(usize, String)>,
    /// Values that were refused or had no picklist mapping; the rest of the row is still here.
    pub issues: Vec<RowError>,
}

impl MappedRow {
    /// The picklist values of `row` (the row this was mapped from) that have no mapping, as
    /// `(field code, value as the file writes it)`: what the preview offers to map.
    pub fn unmapped_values<'a>(&'a self, row: &'a Row) -> impl Iterator<Item = (String, String)> + 'a {
        self.issues
            .iter()
            .filter(|issue| issue.code() == UNMAPPED_VALUE)
            .map(|issue| {
                let value = issue
                    .column
                    .and_then(|column| row.fields.get(column - 1))
                    .cloned()
                    .unwrap_or_default();
                (issue.problem.field.clone(), value)
            })
    }

    /// The value of `field`, if the row had one.
    pub fn get(&self, field: Field) -> Option<&Value> {
        self.values
            .iter()
            .find(|(candidate, _)| *candidate == field)
            .map(|(_, value)| value)
    }
}

/// The resolved plan for one file.
#[derive(Debug, Clone)]
pub struct Mapping {
    object: ObjectKind,
    preset: Preset,
    columns: Vec<ColumnPlan>,
    picklists: PicklistMaps,
    decimal_comma: bool,
}

impl Mapping {
    /// Plans `header`: resolves the object and preset, applies the user's overrides, and turns every other
    /// column into a custom field. Refuses a header where no column maps to a field.
    pub fn new(header: &[String], options: &MappingOptions) -> Result<Self, ImportError> {
        let overrides: BTreeMap<String, &str> = options
            .user
            .columns
            .iter()
            .map(|(column, target)| (normalise(column), target.as_str()))
            .collect();
        let object = match options.object {
            Some(object) => object,
            None => {
                // The user's mapping says more than the file's own spelling (`Vorname` → `first_name`).
                let renamed: Vec<String> = header
                    .iter()
                    .map(|name| {
                        overrides
                            .get(&normalise(name))
                            .map_or_else(|| name.clone(), |code| (*code).to_owned())
                    })
                    .collect();
                guess_object(&renamed).ok_or(ImportError::UnknownObject)?
            }
        };
        let preset = options.preset.resolve(header, object);
        let mut picklists = PicklistMaps::defaults();
        picklists.merge(&options.user.picklists)?;
        let mut taken: Vec<Field> = Vec::new();
        let mut columns = Vec::with_capacity(header.len());
        for name in header {
            let target = match overrides.get(&normalise(name)) {
                Some(code) => target_of(code, object)?,
                None => match lookup(preset, name, object).or_else(|| {
                    // Under `auto`, a column the winning preset does not know may still be another's spelling.
                    let others = Preset::CONCRETE
                        .into_iter()
                        .filter(|other| options.preset == Preset::Auto && *other != preset);
                    others.into_iter().find_map(|other| lookup(other, name, object))
                }) {
                    // A second column for the same field (`Person - Email - Work` and `- Home`) stays custom.
                    Some(field) if !taken.contains(&field) => ColumnTarget::Field(field),
                    _ => ColumnTarget::Custom,
                },
            };
            if let ColumnTarget::Field(field) = target {
                taken.push(field);
            }
            columns.push(ColumnPlan {
                header: name.clone(),
                target,
                unit: header_unit(name),
            });
        }
        if !columns
            .iter()
            .any(|column| matches!(column.target, ColumnTarget::Field(_)))
        {
            return Err(ImportError::NoMappableColumn {
                object: object.code(),
                columns: header.join(", "),
            });
        }
        Ok(Self {
            object,
            preset,
            columns,
            picklists,
            decimal_comma: options.decimal_comma,
        })
    }

    /// The object the file holds.
    pub fn object(&self) -> ObjectKind {
        self.object
    }

    /// The preset used (never `Auto`).
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Every column and where it goes, in file order.
    pub fn columns(&self) -> &[ColumnPlan] {
        &self.columns
    }

    /// Headers that become custom fields, in file order: the import summary lists them.
    pub fn custom_fields(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| c.target == ColumnTarget::Custom)
            .map(|c| c.header.as_str())
            .collect()
    }

    /// The column that fills `field`, if any.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .position(|column| column.target == ColumnTarget::Field(field))
    }

    /// Reads one row; values that cannot be read become issues and the rest of the row is kept.
    pub fn map_row(&self, row: &Row) -> MappedRow {
        let mut mapped = MappedRow {
            line: row.line,
            values: Vec::new(),
            custom: Vec::new(),
            issues: Vec::new(),
        };
        for (index, (column, raw)) in self.columns.iter().zip(&row.fields).enumerate() {
            match column.target {
                ColumnTarget::Ignored => {}
                ColumnTarget::Custom => {
                    if !raw.trim().is_empty() {
                        mapped.custom.push((index, raw.trim().to_owned()));
                    }
                }
                ColumnTarget::Field(field) => {
                    let style = NumberStyle {
                        decimal_comma: self.decimal_comma,
                        unit: column.unit,
                    };
                    let problem = match parse_value(field.kind(), field.code(), raw, style) {
                        Ok(None) => continue,
                        Ok(Some(Value::Code(text))) => match field.kind() {
                            ValueKind::Picklist(kind) => match self.picklists.lookup(kind, &text) {
                                Some(code) => {
                                    mapped.values.push((field, Value::Code(code.to_owned())));
                                    continue;
                                }
                                None => unmapped(field, kind, &text),
                            },
                            _ => continue,
                        },
                        Ok(Some(value)) => {
                            mapped.values.push((field, value));
                            continue;
                        }
                        Err(problem) => problem,
                    };
                    mapped.issues.push(RowError::new(
                        row.line,
                        Some(index + 1),
                        Some(&column.header),
                        problem,
                    ));
                }
            }
        }
        mapped
    }
}

/// The code of an issue raised for a picklist value that has no mapping.
pub const UNMAPPED_VALUE: &str = "unmapped_value";

fn unmapped(field: Field, kind: PicklistKind, value: &str) -> Invalid {
    let message = format!(
        "{} '{value}' has no mapping to our {} codes ({}); add it to the mapping",
        field.code(),
        kind.code(),
        kind.codes().join(", ")
    );
    Invalid::new(field.code(), UNMAPPED_VALUE, message)
}

/// Where the user's choice `code` for a column sends it in a file of `object`: `custom`, `ignore`
/// or one of the object's fields. Pages check an edited mapping with it before saving it, so a
/// refusal can be shown beside the column rather than when the file is read.
pub fn target_of(code: &str, object: ObjectKind) -> Result<ColumnTarget, Invalid> {
    match code {
        "custom" => Ok(ColumnTarget::Custom),
        "ignore" => Ok(ColumnTarget::Ignored),
        _ => Field::from_code(code)
            .filter(|field| field.applies_to(object))
            .map(ColumnTarget::Field)
            .ok_or_else(|| unknown_field(code, object)),
    }
}

fn unknown_field(code: &str, object: ObjectKind) -> Invalid {
    let allowed: Vec<&str> = Field::ALL
        .iter()
        .filter(|field| field.applies_to(object))
        .map(|field| field.code())
        .chain(["custom", "ignore"])
        .collect();
    Invalid::unknown_value(format!("{} field", object.code()), code, &allowed)
}

/// The field `name` means under `preset`, also when it carries a unit (`revenue ($M)`).
fn lookup(preset: Preset, name: &str, object: ObjectKind) -> Option<Field> {
    preset
        .field_for(name, object)
        .or_else(|| preset.field_for(&without_unit(name), object))
}

/// The header without a parenthesised unit, so `revenue ($M)` is looked up as `revenue`.
fn without_unit(header: &str) -> String {
    match header.find('(') {
        Some(open) if open > 0 => header[..open].trim().to_owned(),
        _ => header.to_owned(),
    }
}

/// The multiplier a header announces: `revenue ($M)`, `Revenue (millions)`, `Assets ($K)`.
fn header_unit(header: &str) -> i64 {
    let lower = header.to_ascii_lowercase();
    let marked = |marks: &[&str]| marks.iter().any(|mark| lower.contains(mark));
    if marked(&["($m)", "(m)", "(millions)", "in millions", "(mm)", "($mm)"]) {
        1_000_000
    } else if marked(&["($b)", "(billions)", "in billions", "($bn)"]) {
        1_000_000_000
    } else if marked(&["($k)", "(k)", "(thousands)", "in thousands"]) {
        1_000
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn row(line: u64, fields: &[&str]) -> Row {
        Row {
            line,
            fields: fields.iter().map(|field| (*field).to_owned()).collect(),
        }
    }

    #[test]
    fn unknown_columns_become_custom_fields_and_are_listed() {
        let mapping = Mapping::new(
            &header(&["Email", "Favourite_Colour__c"]),
            &MappingOptions {
                object: Some(ObjectKind::Lead),
                ..MappingOptions::default()
            },
        )
        .unwrap();
        assert_eq!(mapping.custom_fields(), ["Favourite_Colour__c"]);
        let mapped = mapping.map_row(&row(2, &["a@example.com", "teal"]));
        assert_eq!(
            mapped.get(Field::Email),
            Some(&Value::Text("a@example.com".into()))
        );
        assert_eq!(mapped.custom, [(1, "teal".to_owned())]);
    }

    #[test]
    fn a_header_with_no_mappable_column_is_refused() {
        let error = Mapping::new(
            &header(&["colour", "size"]),
            &MappingOptions {
                object: Some(ObjectKind::Lead),
                ..MappingOptions::default()
            },
        )
        .unwrap_err();
        assert!(matches!(error, ImportError::NoMappableColumn { .. }), "{error}");
        assert!(error.to_string().contains("colour, size"));
    }

    #[test]
    fn the_user_mapping_overrides_presets_and_bad_codes_are_refused() {
        let mut options = MappingOptions {
            object: Some(ObjectKind::Lead),
            ..MappingOptions::default()
        };
        options.user.columns.insert("Sterne".into(), "rating".into());
        options.user.columns.insert("Email".into(), "ignore".into());
        options.user.columns.insert("Phone".into(), "custom".into());
        let mapping = Mapping::new(&header(&["Sterne", "Email", "Phone"]), &options).unwrap();
        let targets: Vec<_> = mapping
            .columns()
            .iter()
            .map(|column| column.target.clone())
            .collect();
        assert_eq!(
            targets,
            [
                ColumnTarget::Field(Field::Rating),
                ColumnTarget::Ignored,
                ColumnTarget::Custom
            ]
        );

        options.user.columns.insert("Sterne".into(), "stars".into());
        let error = Mapping::new(&header(&["Sterne"]), &options).unwrap_err();
        assert!(
            error.to_string().starts_with("unknown lead field 'stars'"),
            "{error}"
        );
    }

    #[test]
    fn picklists_map_and_unmapped_values_are_reported_not_changed() {
        let options = MappingOptions {
            object: Some(ObjectKind::Opportunity),
            ..MappingOptions::default()
        };
        let mapping = Mapping::new(&header(&["Name", "StageName"]), &options).unwrap();
        let won = mapping.map_row(&row(2, &["Big deal", "Closed Won"]));
        assert_eq!(won.get(Field::Stage), Some(&Value::Code("closed_won".into())));
        let odd = mapping.map_row(&row(3, &["Odd deal", "Sleeping"]));
        assert_eq!(odd.get(Field::Stage), None);
        assert_eq!(
            odd.get(Field::OpportunityName),
            Some(&Value::Text("Odd deal".into()))
        );
        let issue = &odd.issues[0];
        assert_eq!(
            (issue.line, issue.column, issue.code()),
            (3, Some(2), UNMAPPED_VALUE)
        );
        assert!(
            issue.to_string().contains("stage 'Sleeping' has no mapping"),
            "{issue}"
        );
    }

    #[test]
    fn a_bad_value_is_an_issue_with_line_and_column_and_the_rest_of_the_row_is_kept() {
        let options = MappingOptions {
            object: Some(ObjectKind::Opportunity),
            ..MappingOptions::default()
        };
        let mapping = Mapping::new(&header(&["Name", "CloseDate", "Amount"]), &options).unwrap();
        let mapped = mapping.map_row(&row(7, &["Deal", "31/31/2024", "$1,000"]));
        assert_eq!(mapped.get(Field::Amount), Some(&Value::Money(100_000)));
        let issue = &mapped.issues[0];
        assert_eq!(
            (issue.line, issue.column, issue.code()),
            (7, Some(2), "invalid_date")
        );
        assert!(
            issue
                .to_string()
                .starts_with("line 7, column 2 (CloseDate): close_date '31/31/2024' is not a date")
        );
    }

    #[test]
    fn a_second_column_for_the_same_field_stays_custom() {
        let options = MappingOptions {
            object: Some(ObjectKind::Contact),
            ..MappingOptions::default()
        };
        let mapping = Mapping::new(&header(&["Person - Email - Work", "Person - Email"]), &options).unwrap();
        assert_eq!(mapping.custom_fields(), ["Person - Email"]);
    }

    #[test]
    fn header_units_scale_money() {
        assert_eq!(header_unit("revenue ($M)"), 1_000_000);
        assert_eq!(header_unit("Revenue"), 1);
    }
}
