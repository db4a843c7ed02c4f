//! How fast the CSV import path reads: 1,000,000 Salesforce-format lead rows generated in memory (fixed seed),
//! then decoded, split, mapped and typed. Run with `cargo run --release -p prospector-core --example parse_speed`.

use std::fmt::Write as _;
use std::time::Instant;

use prospector_core::import::{ImportOptions, ObjectKind, open_csv};

const ROWS: usize = 1_000_000;

/// A small deterministic generator, so every run reads the same bytes.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn generate() -> String {
    const FIRST: &[&str] = &[
        "Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Zoë",
    ];
    const LAST: &[&str] = &[
        "Lovelace", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    ];
    const COMPANY: &[&str] = &[
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
        "Vandelay Industries",
        "Stark, Inc.",
    ];
    const STATUS: &[&str] = &[
        "Open - Not Contacted",
        "Working - Contacted",
        "Closed - Converted",
        "Closed - Not Converted",
    ];
    const SOURCE: &[&str] = &[
        "Web",
        "Phone Inquiry",
        "Partner Referral",
        "Purchased List",
        "Other",
    ];
    const INDUSTRY: &[&str] = &["Technology", "Finance", "Healthcare", "Retail", "Manufacturing"];
    let mut random = XorShift(0x5EED_1234_ABCD_0001);
    let mut text = String::with_capacity(ROWS * 260);
    text.push_str(
        "Id,FirstName,LastName,Email,Company,Title,Phone,LeadSource,Status,Industry,NumberOfEmployees,\
         AnnualRevenue,CreatedDate,City,State,Country,Description\r\n",
    );
    for index in 0..ROWS {
        let first = random.pick(FIRST);
        let last = random.pick(LAST);
        let company = random.pick(COMPANY);
        let _ = write!(
            text,
            "00Q{index:015},{first},{last},{}.{}{index}@example.com,\"{company}\",VP Engineering,+1 555 {:07},{},{},{},\
             {},\"${},{:03}.00\",2024-{:02}-{:02}T10:20:30.000+0000,Springfield,IL,United States,\"Met at booth, \
             asked for \"\"pricing\"\"\"\r\n",
            first.to_lowercase(),
            last.to_lowercase(),
            random.next() % 10_000_000,
            random.pick(SOURCE),
            random.pick(STATUS),
            random.pick(INDUSTRY),
            random.next() % 50_000,
            random.next() % 900 + 1,
            random.next() % 1000,
            random.next() % 12 + 1,
            random.next() % 28 + 1,
        );
    }
    text
}

fn main() {
    let text = generate();
    let mut options = ImportOptions::default();
    options.mapping.object = Some(ObjectKind::Lead);
    let started = Instant::now();
    let mut import = match open_csv(text.as_bytes(), &options) {
        Ok(import) => import,
        Err(error) => panic!("the generated file should open: {error}"),
    };
    let (mut rows, mut values, mut problems) = (0_u64, 0_usize, 0_usize);
    for row in import.by_ref() {
        rows += 1;
        match row {
            Ok(row) => {
                values += row.values.len();
                problems += row.issues.len();
            }
            Err(_) => problems += 1,
        }
    }
    let elapsed = started.elapsed();
    let summary = import.summary();
    println!(
        "{rows} rows ({:.0} MB, {values} typed values, {problems} problems, {} custom fields) in {:.2} s: {:.0} rows/s, {:.0} MB/s",
        text.len() as f64 / 1e6,
        summary.custom_fields.len(),
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        text.len() as f64 / 1e6 / elapsed.as_secs_f64(),
    );
}
