//! The shared real-world files, read as they are: their quirks are the point.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::fields::{Field, ObjectKind};
use super::mapping::{MappedRow, Mapping, MappingOptions};
use super::pipeline::{ImportOptions, ImportSummary, open_csv};
use super::sobject_tree::{ReferenceBook, parse_data_plan, parse_tree};
use super::values::Value;
use super::{ImportError, RowError};

fn shared_data() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    loop {
        let candidate = dir.join("shared").join("data");
        if candidate.is_dir() {
            return candidate;
        }
        assert!(dir.pop(), "no shared/data above {}", env!("CARGO_MANIFEST_DIR"));
    }
}

struct Read {
    rows: Vec<MappedRow>,
    refused: Vec<RowError>,
    summary: ImportSummary,
}

fn read_csv(path: &Path, object: Option<ObjectKind>) -> Read {
    let bytes = fs::read(path).unwrap();
    let mut options = ImportOptions::default();
    options.mapping.object = object;
    let mut import = open_csv(&bytes[..], &options).unwrap();
    let (mut rows, mut refused) = (Vec::new(), Vec::new());
    for row in import.by_ref() {
        match row {
            Ok(row) => rows.push(row),
            Err(error) => refused.push(error),
        }
    }
    Read {
        rows,
        refused,
        summary: import.summary().clone(),
    }
}

fn text(row: &MappedRow, field: Field) -> Option<&str> {
    match row.get(field) {
        Some(Value::Text(text) | Value::Reference(text) | Value::Code(text)) => Some(text),
        _ => None,
    }
}

#[test]
fn fortune500_utf16_reads_all_500_companies_with_money_and_employees() {
    let read = read_csv(&shared_data().join("companies/fortune500_utf16.csv"), None);
    assert_eq!(read.summary.encoding, "UTF-16LE");
    assert_eq!(read.summary.object, ObjectKind::Account);
    assert_eq!((read.rows.len(), read.refused.len()), (500, 0));
    let walmart = &read.rows[0];
    assert_eq!(text(walmart, Field::Company), Some("Walmart"));
    // `revenue ($M)`: "$514,405.0" million dollars, in cents.
    assert_eq!(
        walmart.get(Field::AnnualRevenue),
        Some(&Value::Money(51_440_500_000_000))
    );
    assert_eq!(walmart.get(Field::Employees), Some(&Value::Integer(2_200_000)));
    assert_eq!(text(walmart, Field::Website), Some("http://www.walmart.com"));
    assert!(
        read.rows
            .iter()
            .all(|row| row.issues.is_empty() && row.get(Field::AnnualRevenue).is_some())
    );
    for custom in ["rank", "profits ($M)", "ceo", "location", "years_on_F500"] {
        assert!(
            read.summary.custom_fields.iter().any(|field| field == custom),
            "{custom}"
        );
    }
    assert_eq!(read.rows[499].line, 501);
}

#[test]
fn apex_recipes_csv_files_map_accounts_contacts_and_opportunities() {
    let dir = shared_data().join("salesforce/apex-recipes");
    let accounts = read_csv(&dir.join("Accounts.csv"), None);
    assert_eq!(
        (accounts.summary.object, accounts.rows.len()),
        (ObjectKind::Account, 50)
    );
    assert_eq!(text(&accounts.rows[0], Field::Company), Some("Zoonoodle 37"));
    assert_eq!(
        accounts.rows[0].get(Field::Employees),
        Some(&Value::Integer(28_549))
    );
    assert_eq!(
        accounts.rows[0].get(Field::AnnualRevenue),
        Some(&Value::Money(511_758_600))
    );
    assert_eq!(text(&accounts.rows[0], Field::City), Some("Newark"));

    let contacts = read_csv(&dir.join("Contacts.csv"), None);
    assert_eq!(
        (contacts.summary.object, contacts.rows.len()),
        (ObjectKind::Contact, 150)
    );
    assert_eq!(text(&contacts.rows[0], Field::LastName), Some("Sinisbury"));
    assert_eq!(text(&contacts.rows[0], Field::AccountRef), Some("AccountRef10"));
    assert!(contacts.summary.custom_fields.is_empty());

    let deals = read_csv(&dir.join("Opportunities.csv"), None);
    assert_eq!(
        (deals.summary.object, deals.rows.len()),
        (ObjectKind::Opportunity, 50)
    );
    let first = &deals.rows[0];
    assert_eq!(first.get(Field::Amount), Some(&Value::Money(11_937_334)));
    assert_eq!(text(first, Field::Stage), Some("technical_evaluation"));
    assert!(matches!(first.get(Field::CloseDate), Some(Value::Date(_))));
    // Eight deals carry a stage that is no Salesforce default: reported for the admin to map, not guessed.
    let unmapped: Vec<_> = deals.summary.unmapped_values.iter().collect();
    assert_eq!(
        unmapped,
        [(&("stage".to_owned(), "Assigned dynamically".to_owned()), &8)]
    );
    for file in [&accounts, &contacts] {
        assert!(file.rows.iter().all(|row| row.issues.is_empty()));
    }
    for file in [&accounts, &contacts, &deals] {
        assert!(file.refused.is_empty());
    }
}

#[test]
fn apex_recipes_data_plan_loads_trees_in_order_and_resolves_references() {
    let dir = shared_data().join("salesforce/apex-recipes");
    let plan = parse_data_plan(&fs::read(dir.join("data-plan.json")).unwrap()).unwrap();
    let order: Vec<&str> = plan.iter().map(|step| step.sobject.as_str()).collect();
    assert_eq!(order, ["Account", "Contact", "Opportunity"]);
    let mut book = ReferenceBook::default();
    let mut counts = Vec::new();
    let mut account_ids = BTreeSet::new();
    for step in &plan {
        for file in &step.files {
            let tree = parse_tree(&fs::read(dir.join(file)).unwrap()).unwrap();
            assert!(tree.errors.is_empty());
            if step.resolve_refs {
                assert_eq!(book.unresolved(&tree), []);
            }
            if step.save_refs {
                book.save(&tree);
            }
            let options = MappingOptions {
                object: tree.object,
                ..MappingOptions::default()
            };
            let mapping = Mapping::new(&tree.header, &options).unwrap();
            let rows: Vec<MappedRow> = tree.rows.iter().map(|row| mapping.map_row(row)).collect();
            let issues = rows.iter().flat_map(|row| &row.issues);
            assert!(
                issues.clone().all(|issue| issue.code() == "unmapped_value"),
                "{file}"
            );
            for row in &rows {
                match mapping.object() {
                    ObjectKind::Account => {
                        account_ids.insert(text(row, Field::ExternalId).unwrap().to_owned());
                    }
                    _ => assert!(account_ids.contains(text(row, Field::AccountRef).unwrap())),
                }
            }
            counts.push(rows.len());
        }
    }
    assert_eq!(counts, [50, 150, 50]);
}

#[test]
fn every_fivetran_export_reads_with_its_quirks_reported() {
    let dir = shared_data().join("salesforce/fivetran");
    let mut seen = BTreeSet::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Users are not an object we import; read them as contacts to prove the file itself is fine.
        let object = (name == "sf_user_data.csv").then_some(ObjectKind::Contact);
        let read = read_csv(&path, object);
        assert!(read.refused.is_empty(), "{name}: {:?}", read.refused);
        let expected = match name.as_str() {
            "sf_lead_data.csv" => (ObjectKind::Lead, 1),
            "sf_contact_data.csv" => (ObjectKind::Contact, 4),
            "sf_account_data.csv" => (ObjectKind::Account, 10),
            "sf_opportunity_data.csv" => (ObjectKind::Opportunity, 10),
            "sf_task_data.csv" | "sf_event_data.csv" => (ObjectKind::Task, 10),
            "sf_user_data.csv" => (ObjectKind::Contact, 10),
            other => panic!("a new file {other}: add what to expect of it"),
        };
        assert_eq!((read.summary.object, read.rows.len()), expected, "{name}");
        seen.insert(name);
    }
    assert_eq!(seen.len(), 7);
}

#[test]
fn the_382_column_fivetran_lead_keeps_every_unknown_column_as_a_custom_field() {
    let read = read_csv(&shared_data().join("salesforce/fivetran/sf_lead_data.csv"), None);
    let lead = &read.rows[0];
    assert_eq!(text(lead, Field::FirstName), Some("H"));
    assert_eq!(text(lead, Field::LastName), Some("Croc"));
    assert_eq!(text(lead, Field::Email), Some("h@gmail.com"));
    assert_eq!(text(lead, Field::Status), Some("qualified"));
    assert_eq!(text(lead, Field::ExternalId), Some("00Q1G00000nDnM5UAK"));
    assert_eq!(
        lead.get(Field::AnnualRevenue),
        Some(&Value::Money(28_052_200_000))
    );
    assert!(matches!(lead.get(Field::CreatedAt), Some(Value::DateTime(_))));
    let mapped = 382 - read.summary.custom_fields.len();
    assert!((20..60).contains(&mapped), "{mapped} mapped");
    for custom in [
        "utm_source_c",
        "cbit_clearbit_c",
        "lean_data_routing_action_c",
        "converted_contact_id",
    ] {
        assert!(
            read.summary.custom_fields.iter().any(|field| field == custom),
            "{custom}"
        );
    }
    assert!(lead.custom.iter().any(|(_, value)| value == "paid_social"));
}

#[test]
fn fivetran_tasks_and_deals_report_values_they_cannot_map() {
    let dir = shared_data().join("salesforce/fivetran");
    let tasks = read_csv(&dir.join("sf_task_data.csv"), None);
    assert_eq!(text(&tasks.rows[0], Field::TaskStatus), Some("completed"));
    assert_eq!(text(&tasks.rows[0], Field::Priority), Some("normal"));
    assert!(tasks.rows.iter().all(|row| text(row, Field::WhoRef).is_some()));
    assert_eq!(
        tasks
            .summary
            .unmapped_values
            .get(&("task_type".into(), "X".into())),
        Some(&7)
    );

    let deals = read_csv(&dir.join("sf_opportunity_data.csv"), None);
    // The seed's stage names and sources are hashed, and one probability is 1000: both reported, the rows kept.
    assert!(
        deals
            .summary
            .unmapped_values
            .keys()
            .all(|(field, _)| field == "stage" || field == "lead_source")
    );
    let too_likely: Vec<_> = deals
        .rows
        .iter()
        .flat_map(|row| &row.issues)
        .filter(|i| i.code() == "invalid_percent")
        .collect();
    assert!(!too_likely.is_empty());
    assert_eq!(too_likely[0].header.as_deref(), Some("probability"));
    assert!(deals.rows.iter().all(|row| row.get(Field::CloseDate).is_some()));
}

#[test]
fn each_kind_of_bad_input_gets_its_own_message_with_line_and_column() {
    fn open(bytes: &[u8]) -> Result<super::pipeline::CsvImport<&[u8]>, ImportError> {
        open_csv(bytes, &ImportOptions::default())
    }
    assert!(matches!(
        open(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Err(ImportError::NotText(_))
    ));
    assert!(matches!(
        open(b"PK\x03\x04\x14\0\x06\0"),
        Err(ImportError::NotText(_))
    ));
    assert!(matches!(
        open(b"\x00\x00\xFE\xFF\0\0\0a"),
        Err(ImportError::UnknownEncoding(_))
    ));
    let unmappable = open(b"colour,size\nred,9\n").err().unwrap();
    assert!(matches!(unmappable, ImportError::UnknownObject), "{unmappable}");
    let mut lead = ImportOptions::default();
    lead.mapping.object = Some(ObjectKind::Lead);
    assert!(matches!(
        open_csv(&b"colour,size\nred,9\n"[..], &lead),
        Err(ImportError::NoMappableColumn { .. })
    ));

    let long = "y".repeat(32_001);
    let text = format!(
        "Name,StageName,CloseDate,Amount\nA,Closed Won,2024-03-01,10\nB,Closed Won,2024-03-01,10,oops\nC,Closed Won,2024-03-01,{long}\nD,Closed Won,someday,10\nE,Closed Won,45352,10\n"
    );
    let results: Vec<_> = open(text.as_bytes()).unwrap().collect();
    let describe = |error: &RowError| (error.line, error.column, error.code());
    assert_eq!(
        describe(results[1].as_ref().unwrap_err()),
        (3, Some(5), "too_many_fields")
    );
    assert_eq!(
        describe(results[2].as_ref().unwrap_err()),
        (4, Some(4), "too_long")
    );
    let bad_date = results[3].as_ref().unwrap();
    assert_eq!(describe(&bad_date.issues[0]), (5, Some(3), "invalid_date"));
    assert_eq!(bad_date.get(Field::Amount), Some(&Value::Money(1_000)));
    let excel = results[4].as_ref().unwrap();
    assert_eq!(
        excel.get(Field::CloseDate),
        Some(&Value::Date(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()))
    );
}
