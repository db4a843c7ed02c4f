//! A regression guard on real data: the matcher must keep finding FEBRL3's duplicates. Reads the file as
//! it ships in the shared data folder, quirks included (", " separators, truth inside `rec_id`).

use std::path::PathBuf;

use super::{Evaluation, Matcher, Record};

/// The shared data folder, found by walking up from this crate: it is a sibling of the checkout both in
/// the main tree and in a worktree.
fn shared_data() -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("data");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn febrl3() -> (Vec<Record>, Vec<String>) {
    let path = shared_data()
        .expect("the shared data folder is beside the checkout")
        .join("dedupe/febrl_dataset3.csv");
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .expect("FEBRL3 opens");
    let mut records = Vec::new();
    let mut truth = Vec::new();
    for row in reader.records() {
        let row = row.expect("FEBRL3 rows parse");
        let field = |i: usize| Some(row.get(i).unwrap_or("").to_owned()).filter(|v| !v.is_empty());
        let id = row.get(0).unwrap_or("").to_owned();
        // `rec-1496-org` and `rec-1496-dup-0` are one person: the number is the truth.
        truth.push(id.split('-').nth(1).unwrap_or("").to_owned());
        let address = [field(3), field(4), field(5)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        records.push(Record {
            id,
            given_name: field(1),
            surname: field(2),
            address: Some(address).filter(|a| !a.is_empty()),
            city: field(6),
            postcode: field(7),
            state: field(8),
            date_of_birth: field(9),
            ..Record::default()
        });
    }
    (records, truth)
}

#[test]
fn febrl3_f1_stays_above_0_9() {
    let (records, truth) = febrl3();
    assert_eq!(records.len(), 5000);
    let evaluation = Evaluation::against_clusters(&Matcher::default().dedupe(&records), &truth);
    assert_eq!(evaluation.true_pairs, 6538);
    assert!(
        evaluation.f1() > 0.9,
        "{evaluation:?} precision {} recall {}",
        evaluation.precision(),
        evaluation.recall()
    );
}
