//! A team lead opens the team dashboard: the activity chart is an SVG with a title, its data
//! table holds the logged numbers, a filter lands in a shareable URL, and the hygiene page links
//! to the record.

use fantoccini::Locator;
use prospector_app::records::activities::ActivityInput;
use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::{ActivityDetail, RawPerson};
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, click, log_in, text, wait_for, wait_for_path, wait_for_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_lead_reads_the_activity_chart_and_its_table() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("lena@example.com", "team_lead", Some("West")).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    let sam = Actor::user(sam, Via::Session);
    let input = PersonInput {
        raw: RawPerson {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some("ada@initech.example".into()),
            source: Some("webinar".into()),
            ..RawPerson::default()
        },
        status: Some("mql".into()),
        ..PersonInput::default()
    };
    let Created::New(ada) = app
        .app
        .create_person(&sam, PersonKind::Lead, input)
        .await
        .expect("lead")
    else {
        panic!("a new lead");
    };
    for disposition in ["connected", "no_answer", "no_answer"] {
        app.app
            .log_activity(
                &sam,
                ActivityInput {
                    person_id: Some(ada.id),
                    detail: ActivityDetail::Call {
                        disposition: disposition.into(),
                        duration_seconds: None,
                        notes: None,
                    },
                    account_id: None,
                    opportunity_id: None,
                    occurred_at: None,
                    corrects_id: None,
                },
            )
            .await
            .expect("call");
    }
    let base = app.base_url.clone();
    let ada_id = ada.id.to_string();

    browser
        .run(async |b| {
            log_in(b, &base, "lena@example.com", TEST_PASSWORD).await;
            click(b, "nav.sidenav a[href='/dashboards']").await;
            wait_for(b, "#chart-activity svg").await;
            let title = text(b, "#cap-activity").await;
            assert!(title.contains("Activities by day"), "{title}");
            let svg = b.find(Locator::Css("#chart-activity svg")).await.expect("chart");
            assert_eq!(svg.attr("role").await.expect("role").as_deref(), Some("img"));
            let bars = b
                .find_all(Locator::Css("#chart-activity svg rect title"))
                .await
                .expect("bars");
            assert!(!bars.is_empty(), "bars are drawn");

            // The data table behind the chart: today's row has the three calls.
            click(b, "#chart-activity details summary").await;
            let table = text(b, "#table-activity").await;
            assert!(table.to_lowercase().contains("calls"), "{table}");
            assert!(table.contains("2026-03-02 3 0 0 0"), "{table}");
            let tiles = text(b, "#totals").await;
            assert!(
                tiles.contains("Connect rate\n33%") || tiles.contains("Connect rate 33%"),
                "{tiles}"
            );

            // A filter lands in the URL, so the view can be shared.
            b.find(Locator::Css("#f-source"))
                .await
                .expect("source filter")
                .send_keys("trial")
                .await
                .expect("type");
            click(b, "#dashboard-filters button[type=submit]").await;
            wait_for_url(b, "a URL with source=trial", |url| {
                url.query().is_some_and(|q| q.contains("source=trial"))
            })
            .await;
            wait_for(b, "#chart-activity").await;
            let empty = text(b, "#totals").await;
            assert!(empty.contains("Calls\n0") || empty.contains("Calls 0"), "{empty}");

            // Hygiene links straight to the waiting MQL.
            b.goto(&format!("{base}/dashboards/hygiene"))
                .await
                .expect("hygiene");
            click(b, &format!("a[href='/leads/{ada_id}']")).await;
            wait_for_path(b, &format!("/leads/{ada_id}")).await;
        })
        .await;
}
