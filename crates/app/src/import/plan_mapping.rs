//! Each file of a data plan is read with a mapping of its own. Salesforce API names map most
//! columns by themselves, but a plan's files are still someone's export: a column may need to go
//! elsewhere, be kept as a custom field or be dropped, and a list value may be theirs alone. The
//! plan's preview edits each file's mapping as a single file's preview does; the choices travel in
//! [`ImportOptions::plan_mappings`], so the preview, the import and a job resumed after a restart
//! read every file the same way.
//!
//! A refusal names the file in its field (`files.<file>` or `files.<file>.mapping.<header>`), so
//! the page shows it in that file's section, beside the column it is about.

use prospector_core::Invalid;
use prospector_core::import::UserMapping;
use prospector_core::import::mapping::target_of;

use super::ImportOptions;
use super::plan::PlanFile;
use super::preview::check_overrides;
use crate::{AppError, AppResult};

/// The form field a refusal about column `header` of the plan's file `file` names.
pub fn column_field(file: &str, header: &str) -> String {
    format!("files.{file}.mapping.{header}")
}

/// The form field a refusal about the plan's file `file` as a whole names.
pub fn file_field(file: &str) -> String {
    format!("files.{file}")
}

/// The options one file of a plan is read with: its step decides the object, and the mapping
/// chosen for it, when there is one, replaces the plan's shared mapping (a `--mapping` file of
/// the command line, which has no per-file choices).
pub(super) fn step_options(options: &ImportOptions, file: &PlanFile) -> ImportOptions {
    ImportOptions {
        object: Some(file.object),
        mapping: options
            .plan_mappings
            .get(&file.name)
            .unwrap_or(&options.mapping)
            .clone(),
        ..options.clone()
    }
}

/// Refuses a mapping of `file` the import could not follow — two columns to one field, or a field
/// its object does not have — naming the column, before anything is read or saved.
pub(super) fn check_file_mapping(file: &PlanFile, mapping: &UserMapping) -> AppResult<()> {
    check_overrides(&mapping.columns, |header| column_field(&file.name, header))?;
    for (header, target) in &mapping.columns {
        target_of(target, file.object).map_err(|invalid| {
            AppError::Invalid(Invalid::new(
                column_field(&file.name, header),
                invalid.code,
                invalid.message,
            ))
        })?;
    }
    Ok(())
}

/// Refuses per-file mappings that name a file the plan does not list (a misspelt name would
/// otherwise be ignored without a word), or that the import could not follow, before anything is read.
pub(super) fn check_plan_mappings(files: &[PlanFile], options: &ImportOptions) -> AppResult<()> {
    if let Some(stray) = options
        .plan_mappings
        .keys()
        .find(|named| !files.iter().any(|f| &&f.name == named))
    {
        let listed: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        return Err(AppError::Invalid(Invalid::new(
            file_field(stray),
            "not_in_plan",
            format!(
                "the mapping has columns for {stray}, which the data plan does not list (it lists {})",
                listed.join(", ")
            ),
        )));
    }
    for file in files {
        check_file_mapping(file, &step_options(options, file).mapping)?;
    }
    Ok(())
}

/// A refusal to read `file` (its header maps to nothing, a list value maps to no code of ours),
/// moved to the file's own field. The page shows it in the file's section, so the message drops
/// the path it starts with (the upload's directory on the server, of no use to the reader).
pub(super) fn in_file(error: AppError, file: &PlanFile) -> AppError {
    match error {
        AppError::Invalid(invalid) if invalid.field == "file" => {
            let path = format!("{}: ", file.path.display());
            let message = invalid.message.strip_prefix(&path).unwrap_or(&invalid.message);
            AppError::Invalid(Invalid::new(
                file_field(&file.name),
                invalid.code,
                message.to_owned(),
            ))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use prospector_core::import::ObjectKind;

    use super::*;

    fn contacts() -> PlanFile {
        PlanFile {
            object: ObjectKind::Contact,
            path: PathBuf::from("people.json"),
            name: "people.json".into(),
        }
    }

    fn mapping(columns: &[(&str, &str)]) -> UserMapping {
        UserMapping {
            columns: columns
                .iter()
                .map(|(h, t)| ((*h).to_owned(), (*t).to_owned()))
                .collect(),
            ..UserMapping::default()
        }
    }

    fn refused_field(result: AppResult<()>) -> (String, &'static str) {
        match result {
            Err(AppError::Invalid(invalid)) => (invalid.field, invalid.code),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_file_with_a_mapping_of_its_own_is_read_with_it_and_the_others_with_the_shared_one() {
        let shared = mapping(&[("title", "ignore")]);
        let own = mapping(&[("firstName", "custom")]);
        let options = ImportOptions {
            mapping: shared.clone(),
            plan_mappings: BTreeMap::from([("people.json".to_owned(), own.clone())]),
            ..ImportOptions::default()
        };
        let people = step_options(&options, &contacts());
        assert_eq!(people.mapping, own);
        assert_eq!(people.object, Some(ObjectKind::Contact));
        let accounts = PlanFile {
            object: ObjectKind::Account,
            path: PathBuf::from("Accounts.json"),
            name: "Accounts.json".into(),
        };
        assert_eq!(step_options(&options, &accounts).mapping, shared);
    }

    #[test]
    fn two_columns_to_one_field_are_refused_beside_the_second_column_of_that_file() {
        let clash = mapping(&[("firstName", "last_name"), ("lastName", "last_name")]);
        assert_eq!(
            refused_field(check_file_mapping(&contacts(), &clash)),
            (
                "files.people.json.mapping.lastName".to_owned(),
                "duplicate_target"
            )
        );
    }

    #[test]
    fn a_field_the_files_object_does_not_have_is_refused_beside_its_column() {
        // A stage is an opportunity's; the file holds contacts.
        let wrong = mapping(&[("title", "stage"), ("email", "email")]);
        assert_eq!(
            refused_field(check_file_mapping(&contacts(), &wrong)),
            ("files.people.json.mapping.title".to_owned(), "unknown_value")
        );
        assert!(
            check_file_mapping(&contacts(), &mapping(&[("title", "custom"), ("email", "ignore")])).is_ok()
        );
    }
}
