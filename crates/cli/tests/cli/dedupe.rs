//! `prospector dedupe` on the shared benchmarks with known truth, read as they ship.

use std::collections::HashMap;

use crate::support::{one_line_failure, prospector, run, shared_data, success};

/// Precision and recall of `left_id,right_id,score` lines against an entity key of each id.
fn precision_recall(csv: &str, entity: impl Fn(&str) -> String, true_pairs: usize) -> (f64, f64) {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("left_id,right_id,score"));
    let pairs: Vec<(String, String)> = lines
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().to_owned(), f.next().unwrap().to_owned())
        })
        .collect();
    let correct = pairs.iter().filter(|(l, r)| entity(l) == entity(r)).count();
    (
        correct as f64 / pairs.len() as f64,
        correct as f64 / true_pairs as f64,
    )
}

#[test]
fn dedupe_finds_the_febrl3_duplicates_far_better_than_the_published_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let file = shared_data().join("dedupe").join("febrl_dataset3.csv");
    let mut command = prospector(dir.path());
    command.args(["dedupe", file.to_str().unwrap(), "--id-column", "rec_id"]);
    let stdout = success(&run(command, None));
    // rec-1496-org and rec-1496-dup-0 are the same person.
    let entity = |id: &str| id.split('-').nth(1).unwrap_or_default().to_owned();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for line in text.lines().skip(1) {
        *sizes
            .entry(entity(line.split(',').next().unwrap().trim()))
            .or_default() += 1;
    }
    let true_pairs: usize = sizes.values().map(|n| n * (n - 1) / 2).sum();
    assert_eq!(true_pairs, 6538);
    let (precision, recall) = precision_recall(&stdout, entity, true_pairs);
    let f1 = 2.0 * precision * recall / (precision + recall);
    // The recordlinkage baseline reaches 0.998 / 0.754 / 0.859.
    assert!(
        precision > 0.99 && f1 > 0.95,
        "precision {precision:.3} recall {recall:.3} F1 {f1:.3}"
    );
}

#[test]
fn dedupe_links_two_files_and_reports_a_missing_id_column() {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join("left.csv");
    let right = dir.path().join("right.csv");
    std::fs::write(&left, "Id,FirstName,LastName,Email,Company\nL1,Ada,Lovelace,ada@analytical.example,Analytical Engines Ltd\nL2,Grace,Hopper,grace@navy.example,US Navy\n").unwrap();
    std::fs::write(&right, "Id,First Name,Last Name,Email,Company\nR9,ADA,LOVELACE,Ada@Analytical.example,Analytical Engines\nR8,Alan,Turing,alan@bletchley.example,GC&CS\n").unwrap();
    let mut command = prospector(dir.path());
    command.args([
        "dedupe",
        left.to_str().unwrap(),
        "--link",
        right.to_str().unwrap(),
    ]);
    let stdout = success(&run(command, None));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[1].starts_with("L1,R9,"), "{stdout}");

    let mut command = prospector(dir.path());
    command.args(["dedupe", left.to_str().unwrap(), "--id-column", "nope"]);
    let error = one_line_failure(&run(command, None));
    assert!(error.contains("no column 'nope'"), "{error}");
}
