//! An SDR with more due calls than one page of Today holds goes on to the next page with the
//! keyboard (n past the last item follows the cursor link), keeps working there with j/k and one
//! digit per call, and stays on that page after logging a call.

use fantoccini::Locator;
use prospector_app::records::people::{Created, OnDuplicate, PersonInput};
use prospector_app::sequences::today::TODAY_PAGE;
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_core::sequence::{SequenceDraft, SequenceSettings, StepDraft};
use prospector_store::records::people::PersonKind;
use prospector_store::{Exec, query};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, log_in, text, wait_for};
use crate::today::{panel_heading, press, wait_contains};

/// Two more calls than one page holds.
const PEOPLE: i64 = TODAY_PAGE + 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdr_pages_through_today_with_the_keyboard_and_keeps_working_there() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    let sam = Actor::user(sam, Via::Session);
    let mut ids = Vec::new();
    for i in 1..=PEOPLE {
        let input = PersonInput {
            raw: RawPerson {
                first_name: Some(format!("P{i:02}")),
                last_name: Some("Prospect".into()),
                email: Some(format!("p{i}@initech.example")),
                phone: Some(format!("+44 20 7946 {:04}", 1000 + i)),
                company: Some("Initech".into()),
                time_zone: Some("Europe/London".into()),
                ..RawPerson::default()
            },
            status: Some("mql".into()),
            // "P01 Prospect" and "P10 Prospect" look alike to the duplicate check.
            on_duplicate: OnDuplicate::Create,
            ..PersonInput::default()
        };
        match app
            .app
            .create_person(&sam, PersonKind::Lead, input)
            .await
            .expect("lead")
        {
            Created::New(p) => ids.push(p.id),
            other => panic!("{other:?}"),
        }
    }
    // Scores fall with the number, so the queue's order is P01 … P52.
    let mut tx = app.store.begin().await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let score = 200 - i64::try_from(i).unwrap();
        tx.execute(
            query("UPDATE people SET score = $1 WHERE id = $2")
                .bind(score)
                .bind(*id),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let draft = SequenceDraft {
        name: "Calls".into(),
        steps: vec![
            StepDraft {
                kind: "call".into(),
                day_offset: 0,
                ..StepDraft::default()
            },
            StepDraft {
                kind: "call".into(),
                day_offset: 2,
                ..StepDraft::default()
            },
        ],
        settings: SequenceSettings::default(),
    };
    let seq = app.app.create_sequence(&sam, &draft).await.unwrap();
    app.app.enroll(&sam, seq.row.id, &ids, None).await.unwrap();
    let opened = app.app.sweep_sequences().await.unwrap().tasks_opened;
    assert_eq!(i64::try_from(opened).unwrap(), PEOPLE);
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            log_in(b, &base, "sam@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}/today")).await.unwrap();
            wait_for(b, "#work-queue").await;
            assert_eq!(text(b, "#count-due").await, PEOPLE.to_string());
            let first_page = b.find_all(Locator::Css(".work-item")).await.unwrap();
            assert_eq!(i64::try_from(first_page.len()).unwrap(), TODAY_PAGE);
            wait_for(b, "#today-more").await;
            assert!(panel_heading(b).await.contains("P01 Prospect"));

            // j down to the last item of the page, then n goes on to the next page.
            for _ in 1..TODAY_PAGE {
                press(b, 'j').await;
            }
            assert!(panel_heading(b).await.contains("P50 Prospect"));
            press(b, 'n').await;
            wait_contains(b, ".call-panel:not([hidden]) h2", "P51 Prospect").await;
            let url = b.current_url().await.unwrap();
            assert!(url.query().is_some_and(|q| q.starts_with("after=")), "{url}");
            let second_page = b.find_all(Locator::Css(".work-item")).await.unwrap();
            assert_eq!(second_page.len(), 2);
            assert!(
                b.find(Locator::Css("#today-more")).await.is_err(),
                "the last page"
            );

            // j/k work on this page too.
            press(b, 'j').await;
            assert!(panel_heading(b).await.contains("P52 Prospect"));
            press(b, 'k').await;
            assert!(panel_heading(b).await.contains("P51 Prospect"));

            // 3 is "No answer": logged, and the rep is still on the second page, at P52.
            press(b, '3').await;
            wait_contains(b, "[role=status]", "Call logged: no answer").await;
            assert_eq!(text(b, "#count-calls").await, "1");
            assert_eq!(text(b, "#count-due").await, (PEOPLE - 1).to_string());
            assert!(panel_heading(b).await.contains("P52 Prospect"));
            let url = b.current_url().await.unwrap();
            assert!(url.query().is_some_and(|q| q.starts_with("after=")), "{url}");
        })
        .await;
}
