//! The lead list at 1280px with realistic, long values: it must fit the window without
//! sideways scrolling (DESIGN: every page works at 1280px).

use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, log_in, wait_for};

const TITLES: &[&str] = &[
    "Senior Director of Platform Engineering and Developer Productivity",
    "VP Engineering",
    "Principal Site Reliability Engineer, Infrastructure & Tooling",
    "Head of DevOps",
];
const FIRST: &[&str] = &[
    "Bartholomew-Alexander",
    "Maximiliane",
    "Konstantinos",
    "Guadalupe",
    "Oluwaseun",
    "Siddharth",
    "Anastasiya",
    "Friedrich-Wilhelm",
];
const LAST: &[&str] = &[
    "Featherstonehaugh-Cholmondeley",
    "Wolfeschlegelsteinhausen",
    "Papadopoulos-Economou",
    "Hernández de la Fuente",
    "Adebayo-Okonkwo",
];
const COMPANIES: &[&str] = &[
    "Internationale Versicherungs- und Rückversicherungsgesellschaft AG",
    "Acme",
    "Northwind Traders Logistics & Supply Chain Solutions, Inc.",
    "Initech",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_list_fits_1280px_with_long_titles_and_companies() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let admin = app.user("ada@example.com", "admin", Some("West")).await;
    let owner = app
        .user(
            "maximiliane.von-hohenzollern-sigmaringen@example.com",
            "sdr",
            Some("West"),
        )
        .await;
    let admin = Actor::user(admin, Via::Session);
    for i in 0..40 {
        // Distinct name pairs (8 × 5), so none is taken for a duplicate of another.
        let input = PersonInput {
            raw: RawPerson {
                first_name: Some(FIRST[i % FIRST.len()].into()),
                last_name: Some(LAST[i % LAST.len()].into()),
                email: Some(format!(
                    "{}.{}@very-long-subsidiary-domain-{i}.example",
                    FIRST[i % FIRST.len()].to_lowercase(),
                    i * 7919
                )),
                title: Some(TITLES[i % TITLES.len()].into()),
                company: Some(format!("{} {i}", COMPANIES[i % COMPANIES.len()])),
                source: Some("gated_content_whitepaper_download".into()),
                ..RawPerson::default()
            },
            status: Some("mql".into()),
            owner_id: Some(owner.id),
            score: Some(150),
            ..PersonInput::default()
        };
        match app
            .app
            .create_person(&admin, PersonKind::Lead, input)
            .await
            .expect("lead")
        {
            Created::New(_) => {}
            other => panic!("{other:?}"),
        }
    }
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            b.set_window_size(1280, 900).await.expect("resize window");
            log_in(b, &base, "ada@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}/leads")).await.expect("open the lead list");
            let table = wait_for(b, "#people-table").await;
            let rows = table.text().await.expect("table text");
            assert!(rows.contains("Featherstonehaugh"), "the data is on the page");
            let inner_width = b
                .execute("return window.innerWidth;", vec![])
                .await
                .expect("innerWidth")
                .as_u64()
                .expect("a number");
            assert!(
                (1200..=1280).contains(&inner_width),
                "the window is not 1280px wide: {inner_width}"
            );
            let scroll_width = b
                .execute("return document.documentElement.scrollWidth;", vec![])
                .await
                .expect("scrollWidth")
                .as_u64()
                .expect("a number");
            assert!(
                scroll_width <= inner_width,
                "the lead list scrolls sideways at 1280px: scrollWidth {scroll_width} > innerWidth {inner_width}"
            );
            let table_right = b
                .execute(
                    "return Math.ceil(document.querySelector('#people-table').getBoundingClientRect().right);",
                    vec![],
                )
                .await
                .expect("table edge")
                .as_u64()
                .expect("a number");
            assert!(
                table_right <= inner_width,
                "the table runs past the window's right edge: {table_right} > {inner_width}"
            );
        })
        .await;
}
