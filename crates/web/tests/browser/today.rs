//! An SDR works their Today list with the keyboard: j/k move between people and the call panel
//! follows with the step's script and handbook link, l goes to the outcomes, one digit logs a
//! call and the next person comes up, and the day's counts follow.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_core::sequence::{SequenceDraft, SequenceSettings, StepDraft};
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, WAIT, log_in, text, wait_for};

pub(crate) async fn press(client: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.expect("press a key");
}

/// Waits until `css` contains `expected`.
pub(crate) async fn wait_contains(client: &Client, css: &str, expected: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(expected))
        {
            return;
        }
        assert!(Instant::now() < deadline, "'{css}' never contained '{expected}'");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The visible call panel's heading.
pub(crate) async fn panel_heading(client: &Client) -> String {
    let panels = client
        .find_all(Locator::Css(".call-panel"))
        .await
        .expect("call panels");
    for p in panels {
        if p.is_displayed().await.unwrap_or(false) {
            let heading = p.find(Locator::Css("h2")).await.expect("panel heading");
            return heading.text().await.expect("heading text");
        }
    }
    String::new()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdr_works_today_with_the_keyboard_and_logs_calls_with_one_key() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    let sam = Actor::user(sam, Via::Session);
    let mut ids = Vec::new();
    // Both can be called now (09:00 UTC on a Monday is 09:00 in London, 10:00 in Berlin); the
    // higher score comes first.
    for (first, tz, score) in [("Ada", "Europe/London", 80), ("Bob", "Europe/Berlin", 20)] {
        let input = PersonInput {
            raw: RawPerson {
                first_name: Some(first.into()),
                last_name: Some("Prospect".into()),
                email: Some(format!("{}@initech.example", first.to_lowercase())),
                phone: Some(format!("+44 20 7946 00{score}")),
                company: Some("Initech".into()),
                time_zone: Some(tz.into()),
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
            Created::New(p) => ids.push(p.id),
            other => panic!("{other:?}"),
        }
    }
    let mut tx = app.store.begin().await.unwrap();
    for (id, score) in ids.iter().zip([80, 20]) {
        prospector_store::Exec::execute(
            &mut tx,
            prospector_store::query("UPDATE people SET score = $1 WHERE id = $2")
                .bind(score)
                .bind(*id),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let draft = SequenceDraft {
        name: "Calls first".into(),
        steps: vec![StepDraft {
            kind: "call".into(),
            day_offset: 0,
            script: Some("Ask how they ship releases today.".into()),
            handbook_page: Some("sales-development/outbound-cadence".into()),
            handbook_anchor: Some("touch-1".into()),
            ..StepDraft::default()
        }],
        settings: SequenceSettings::default(),
    };
    let seq = app.app.create_sequence(&sam, &draft).await.unwrap();
    let out = app.app.enroll(&sam, seq.row.id, &ids, None).await.unwrap();
    assert_eq!(out.enrolled.len(), 2);
    assert_eq!(app.app.sweep_sequences().await.unwrap().tasks_opened, 2);
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            log_in(b, &base, "sam@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}/today")).await.unwrap();
            wait_for(b, "#work-queue").await;
            assert_eq!(text(b, "#count-due").await, "2");
            assert!(panel_heading(b).await.contains("Ada Prospect"));
            let panel = text(b, ".call-panel:not([hidden])").await;
            assert!(panel.contains("Ask how they ship releases today."), "{panel}");
            let link = b
                .find(Locator::Css(".call-panel:not([hidden]) a.handbook-link"))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap();
            assert_eq!(
                link.as_deref(),
                Some("/handbook/sales-development/outbound-cadence#touch-1")
            );

            // j moves to Bob and the panel follows; k goes back.
            press(b, 'j').await;
            assert!(panel_heading(b).await.contains("Bob Prospect"));
            press(b, 'k').await;
            assert!(panel_heading(b).await.contains("Ada Prospect"));

            // l goes to the outcomes; 5 is "Meeting booked": logged, and Bob comes up.
            press(b, 'l').await;
            press(b, '5').await;
            wait_contains(b, "[role=status]", "Call logged: meeting booked").await;
            assert_eq!(text(b, "#count-meetings").await, "1");
            assert_eq!(text(b, "#count-calls").await, "1");
            assert_eq!(text(b, "#count-connects").await, "1");
            assert_eq!(text(b, "#count-due").await, "1");
            assert!(panel_heading(b).await.contains("Bob Prospect"));

            // 3 is "No answer": the list is done for today.
            press(b, '3').await;
            wait_for(b, "#today-empty").await;
            assert_eq!(text(b, "#count-calls").await, "2");
            assert_eq!(text(b, "#count-connects").await, "1");
        })
        .await;
}
