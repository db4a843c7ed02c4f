//! `prospector dedupe FILE [--link OTHER] [--id-column COLUMN]`: the duplicate pairs in a CSV of people or
//! accounts (or the links between two files), as `left_id,right_id,score`. It reads files with the import's
//! header mapping and scores with the same matcher as entry and import, so sales ops can clean a list before
//! importing it — and we can measure the matcher on benchmarks with known truth.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use prospector_core::import::fields::normalise;
use prospector_core::import::mapping::ColumnTarget;
use prospector_core::import::{Field, ImportOptions, MappingOptions, ObjectKind, Value, open_csv};
use prospector_core::matching::{Matcher, MatcherConfig, Record};

/// Columns the import keeps as custom fields but the matcher can use, by normalised header.
const EXTRA_COLUMNS: [(&str, Extra); 16] = [
    ("givenname", Extra::GivenName),
    ("forename", Extra::GivenName),
    ("surname", Extra::Surname),
    ("familyname", Extra::Surname),
    ("dateofbirth", Extra::DateOfBirth),
    ("dob", Extra::DateOfBirth),
    ("birthdate", Extra::DateOfBirth),
    ("streetnumber", Extra::Address),
    ("address", Extra::Address),
    ("address1", Extra::Address),
    ("address2", Extra::Address),
    ("suburb", Extra::City),
    ("zip", Extra::Postcode),
    ("sitename", Extra::Company),
    ("name", Extra::Company),
    ("emailaddress", Extra::Email),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    GivenName,
    Surname,
    DateOfBirth,
    Address,
    City,
    Postcode,
    Company,
    Email,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Text(s) | Value::Reference(s) | Value::Code(s) => Some(s.clone()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        _ => None,
    }
}

fn append(slot: &mut Option<String>, value: String) {
    match slot {
        Some(existing) => {
            existing.push(' ');
            existing.push_str(&value);
        }
        None => *slot = Some(value),
    }
}

/// Reads `path` into matcher records; the id is `id_column`'s value, the external id, or the line number.
fn read_records(
    path: &Path,
    object: Option<ObjectKind>,
    id_column: Option<&str>,
) -> anyhow::Result<Vec<Record>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let options = ImportOptions {
        mapping: MappingOptions {
            object: object.or(Some(ObjectKind::Lead)),
            ..MappingOptions::default()
        },
        ..ImportOptions::default()
    };
    let rows = open_csv(BufReader::new(file), &options)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let columns: Vec<(String, ColumnTarget)> = rows
        .mapping()
        .columns()
        .iter()
        .map(|c| (normalise(&c.header), c.target.clone()))
        .collect();
    let id_index = match id_column {
        Some(name) => {
            let wanted = normalise(name);
            Some(
                columns
                    .iter()
                    .position(|(h, _)| *h == wanted)
                    .with_context(|| format!("{} has no column '{name}' for --id-column", path.display()))?,
            )
        }
        None => None,
    };
    let mut records = Vec::new();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                eprintln!("{}: skipped {error}", path.display());
                continue;
            }
        };
        let mut record = Record {
            id: row.line.to_string(),
            ..Record::default()
        };
        if let Some(external) = row.get(Field::ExternalId).and_then(text) {
            record.id = external;
        }
        for (field, value) in &row.values {
            let Some(value) = text(value) else { continue };
            match field {
                Field::FirstName => record.given_name = Some(value),
                Field::LastName => record.surname = Some(value),
                Field::FullName => record.full_name = Some(value),
                Field::Email => record.email = Some(value),
                Field::Phone | Field::MobilePhone => record.phone = record.phone.take().or(Some(value)),
                Field::Company | Field::AccountName => record.company = Some(value),
                Field::Website => record.website = Some(value),
                Field::Street => append(&mut record.address, value),
                Field::City => record.city = Some(value),
                Field::State => record.state = Some(value),
                Field::PostalCode => record.postcode = Some(value),
                _ => {}
            }
        }
        for (index, value) in &row.custom {
            if Some(*index) == id_index {
                record.id = value.clone();
                continue;
            }
            let Some((header, _)) = columns.get(*index) else {
                continue;
            };
            let Some((_, extra)) = EXTRA_COLUMNS.iter().find(|(h, _)| h == header) else {
                continue;
            };
            let value = value.clone();
            match extra {
                Extra::GivenName => record.given_name = Some(value),
                Extra::Surname => record.surname = Some(value),
                Extra::DateOfBirth => record.date_of_birth = Some(value),
                Extra::Address => append(&mut record.address, value),
                Extra::City => record.city = Some(value),
                Extra::Postcode => record.postcode = Some(value),
                Extra::Company => record.company = record.company.take().or(Some(value)),
                Extra::Email => record.email = record.email.take().or(Some(value)),
            }
        }
        if let Some(index) = id_index
            && let Some((_, ColumnTarget::Field(field))) = columns.get(index)
            && let Some(value) = row.get(*field).and_then(text)
        {
            record.id = value;
        }
        records.push(record);
    }
    Ok(records)
}

/// Runs the command, writing pairs to `out`.
pub fn run(
    file: &Path,
    link: Option<&Path>,
    id_column: Option<&str>,
    object: Option<&str>,
    threshold: Option<f64>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let object = match object {
        Some(name) => Some(
            ObjectKind::parse(name)
                .with_context(|| format!("unknown --object '{name}': use lead, contact or account"))?,
        ),
        None => None,
    };
    let mut config = MatcherConfig::default();
    if let Some(t) = threshold {
        if !(0.0..=1.0).contains(&t) {
            bail!("--threshold must be between 0 and 1, not {t}");
        }
        config.threshold = t;
    }
    let matcher = Matcher::new(config);
    let started = Instant::now();
    let left = read_records(file, object, id_column)?;
    let (pairs, right) = match link {
        Some(other) => {
            let right = read_records(other, object, id_column)?;
            (matcher.link(&left, &right), Some(right))
        }
        None => (matcher.dedupe(&left), None),
    };
    writeln!(out, "left_id,right_id,score")?;
    let right_records = right.as_ref().unwrap_or(&left);
    for pair in &pairs {
        let (l, r) = (&left[pair.left].id, &right_records[pair.right].id);
        writeln!(out, "{},{},{:.3}", csv_field(l), csv_field(r), pair.score)?;
    }
    eprintln!(
        "{} pairs among {} records{} in {:.2} s",
        pairs.len(),
        left.len(),
        right
            .as_ref()
            .map(|r| format!(" and {} linked records", r.len()))
            .unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
