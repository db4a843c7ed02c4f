//! Measures the matcher on the three deduplication benchmarks in the shared data folder, read as they
//! ship, and prints precision / recall / F1 / pairs / seconds for each.
//!
//! `cargo run --release -p prospector-core --example dedupe_eval [-- --threshold 0.5 --max-block-size 200]`

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use prospector_core::matching::{Evaluation, Matcher, MatcherConfig, Record};

/// One benchmark, read: the records, and the true entity of each.
struct Dataset {
    name: &'static str,
    records: Vec<Record>,
    truth: Vec<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut config = MatcherConfig::default();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--threshold") {
        config.threshold = args.get(i + 1).ok_or("--threshold needs a value")?.parse()?;
    }
    if let Some(i) = args.iter().position(|a| a == "--max-block-size") {
        config.max_block_size = args.get(i + 1).ok_or("--max-block-size needs a value")?.parse()?;
    }
    let dir = shared_data()
        .ok_or("no shared/data folder above this crate")?
        .join("dedupe");
    let matcher = Matcher::new(config);
    println!(
        "threshold {}, max block size {}",
        config.threshold, config.max_block_size
    );
    println!(
        "{:<28} {:>7} {:>10} {:>9} {:>9} {:>9} {:>6} {:>8} {:>8} {:>10} {:>9}",
        "dataset",
        "records",
        "true pairs",
        "found",
        "precision",
        "recall",
        "F1",
        "match s",
        "total s",
        "candidates",
        "blocking"
    );
    for read in [febrl3, splink_fake_1000, chicago] {
        let started = Instant::now();
        let data = read(&dir)?;
        let matching = Instant::now();
        let pairs = matcher.dedupe(&data.records);
        let match_seconds = matching.elapsed().as_secs_f64();
        let total_seconds = started.elapsed().as_secs_f64();
        let found = Evaluation::against_clusters(&pairs, &data.truth);
        // How many true pairs blocking lets through: the recall no threshold can exceed.
        let candidates = matcher.candidate_pairs(&data.records);
        let reachable = candidates
            .iter()
            .filter(|(l, r)| data.truth[*l] == data.truth[*r])
            .count();
        println!(
            "{:<28} {:>7} {:>10} {:>9} {:>9.3} {:>9.3} {:>6.3} {:>8.3} {:>8.3} {:>10} {:>9.3}",
            data.name,
            data.records.len(),
            found.true_pairs,
            found.found_pairs,
            found.precision(),
            found.recall(),
            found.f1(),
            match_seconds,
            total_seconds,
            candidates.len(),
            reachable as f64 / found.true_pairs.max(1) as f64,
        );
    }
    Ok(())
}

/// The shared data folder: a sibling of the checkout, in the main tree and in worktrees alike.
fn shared_data() -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        if dir.join("shared/data").is_dir() {
            return Some(dir.join("shared/data"));
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Reads a CSV into header-addressable rows; invalid UTF-8 (the Chicago file has some) is replaced, not fatal.
fn rows(path: &Path) -> Result<(Vec<String>, Rows), Box<dyn Error>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path)?;
    let headers = reader
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let mut out = Vec::new();
    for row in reader.byte_records() {
        out.push(
            row?.iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect(),
        );
    }
    Ok((headers, out))
}

/// A CSV's rows, each a list of cells.
type Rows = Vec<Vec<String>>;

/// Looks up columns by header name.
struct Columns(Vec<String>);

impl Columns {
    fn get(&self, row: &[String], name: &str) -> Option<String> {
        let i = self.0.iter().position(|h| h == name)?;
        row.get(i).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

/// FEBRL3: fields separated by ", " (trimmed above); the truth is the number in `rec_id`.
fn febrl3(dir: &Path) -> Result<Dataset, Box<dyn Error>> {
    let (headers, rows) = rows(&dir.join("febrl_dataset3.csv"))?;
    let c = Columns(headers);
    let mut data = Dataset {
        name: "febrl3",
        records: Vec::new(),
        truth: Vec::new(),
    };
    for row in &rows {
        let id = c.get(row, "rec_id").unwrap_or_default();
        data.truth
            .push(id.split('-').nth(1).unwrap_or_default().to_owned());
        let address: Vec<String> = ["street_number", "address_1", "address_2"]
            .iter()
            .filter_map(|f| c.get(row, f))
            .collect();
        data.records.push(Record {
            id,
            given_name: c.get(row, "given_name"),
            surname: c.get(row, "surname"),
            address: Some(address.join(" ")).filter(|a| !a.is_empty()),
            city: c.get(row, "suburb"),
            postcode: c.get(row, "postcode"),
            state: c.get(row, "state"),
            date_of_birth: c.get(row, "date_of_birth"),
            ..Record::default()
        });
    }
    Ok(data)
}

/// Splink's fake_1000: the truth is `cluster`.
fn splink_fake_1000(dir: &Path) -> Result<Dataset, Box<dyn Error>> {
    let (headers, rows) = rows(&dir.join("splink_fake_1000.csv"))?;
    let c = Columns(headers);
    let mut data = Dataset {
        name: "splink_fake_1000",
        records: Vec::new(),
        truth: Vec::new(),
    };
    for row in &rows {
        data.truth.push(c.get(row, "cluster").unwrap_or_default());
        data.records.push(Record {
            id: c.get(row, "unique_id").unwrap_or_default(),
            given_name: c.get(row, "first_name"),
            surname: c.get(row, "surname"),
            date_of_birth: c.get(row, "dob"),
            city: c.get(row, "city"),
            email: c.get(row, "email"),
            ..Record::default()
        });
    }
    Ok(data)
}

/// Chicago early-childhood sites: organisations, truth in `True Id`, fields spanning lines.
fn chicago(dir: &Path) -> Result<Dataset, Box<dyn Error>> {
    let (headers, rows) = rows(&dir.join("chicago_early_childhood_sites_with_true_ids.csv"))?;
    let c = Columns(headers);
    let mut data = Dataset {
        name: "chicago_early_childhood",
        records: Vec::new(),
        truth: Vec::new(),
    };
    for row in &rows {
        data.truth.push(c.get(row, "True Id").unwrap_or_default());
        data.records.push(Record {
            id: c.get(row, "Id").unwrap_or_default(),
            company: c.get(row, "Site name"),
            address: c.get(row, "Address"),
            postcode: c.get(row, "Zip"),
            phone: c.get(row, "Phone"),
            email: c.get(row, "Email Address"),
            website: c.get(row, "Website"),
            ..Record::default()
        });
    }
    Ok(data)
}
