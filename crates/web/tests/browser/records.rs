//! An SDR's loop through the record pages: the lead list, a lead, a disqualification with its
//! reason, a logged call, both on the timeline, and the global search box's instant results.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, WAIT, click, fill, log_in, text, wait_for, wait_for_path};

/// Waits until the element matching `css` reads `expected` (the page may still be the old one).
async fn wait_text(client: &Client, css: &str, expected: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.trim() == expected)
        {
            return;
        }
        assert!(Instant::now() < deadline, "'{css}' never read '{expected}'");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn select(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no select '{css}': {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose '{value}' in '{css}': {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdr_disqualifies_a_lead_with_a_reason_logs_a_call_and_finds_it_again() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    let sam = Actor::user(sam, Via::Session);
    let mut ids = Vec::new();
    for (first, last) in [("Ada", "Lovelace"), ("Bob", "Builder")] {
        let input = PersonInput {
            raw: RawPerson {
                first_name: Some(first.into()),
                last_name: Some(last.into()),
                email: Some(format!("{}@initech.example", first.to_lowercase())),
                company: Some("Initech".into()),
                ..RawPerson::default()
            },
            status: Some("mql".into()),
            ..PersonInput::default()
        };
        match app
            .app
            .create_person(&sam, PersonKind::Lead, input)
            .await
            .expect("lead")
        {
            Created::New(p) => ids.push(p.id.to_string()),
            other => panic!("{other:?}"),
        }
    }
    let ada = ids[0].clone();
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            log_in(b, &base, "sam@example.com", TEST_PASSWORD).await;
            click(b, "nav.sidenav a[href='/leads']").await;
            wait_for(b, "#people-table").await;
            let rows = text(b, "#people-table tbody").await;
            assert!(
                rows.contains("Ada Lovelace") && rows.contains("Bob Builder"),
                "{rows}"
            );

            // j moves to a row, Enter opens it — or just click the name.
            click(b, &format!("#people-table a[href='/leads/{ada}']")).await;
            wait_for_path(b, &format!("/leads/{ada}")).await;
            assert_eq!(text(b, "#status-pill").await, "MQL");

            // The status control asks for the reason of an exit.
            click(b, "#status-control summary").await;
            select(b, "#st-status", "disqualified").await;
            select(b, "#st-reason", "student").await;
            fill(b, "#st-note", "Doing a PhD, no budget").await;
            click(b, "#status-form button[type=submit]").await;
            wait_text(b, "p.alert.ok", "Moved Ada Lovelace to Disqualified.").await;
            assert_eq!(text(b, "#status-pill").await, "Disqualified");
            assert_eq!(text(b, "#status-reason").await, "Student");

            // Log a call in place.
            select(b, "#call-disposition", "left_voicemail").await;
            fill(b, "#call-minutes", "1").await;
            fill(b, "#call-notes", "Left a voicemail about the webinar").await;
            click(b, "#log-call button[type=submit]").await;
            wait_text(b, "p.alert.ok", "Logged the call.").await;
            let first = text(b, "#timeline-list li:first-child").await;
            assert!(first.contains("Left voicemail"), "{first}");
            let timeline = text(b, "#timeline-list").await;
            assert!(timeline.contains("MQL → Disqualified (Student)"), "{timeline}");
            assert!(timeline.contains("Doing a PhD, no budget"), "{timeline}");

            // The global search box shows results while typing; a result opens the record.
            b.goto(&format!("{base}/leads")).await.expect("back to the list");
            wait_for(b, "#people-table").await;
            fill(b, "#global-search", "Builder").await;
            let hit = wait_for(b, "#search-dropdown a[href^='/leads/']").await;
            assert!(hit.text().await.expect("hit text").contains("Bob Builder"));
            hit.click().await.expect("open the result");
            wait_for_path(b, &format!("/leads/{}", ids[1])).await;
        })
        .await;
}
