//! The outbound pages over real HTTP: the lead list's "Enroll in sequence" bulk action reporting
//! each refusal, the sequence list and builder (a bad step shown beside the form, nothing saved),
//! a person's enrollment history, and Today with its day counts.

use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_store::records::people::{Person, PersonKind};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{csrf_in, form_login};

on_both_backends!(
    bulk_enroll_from_the_lead_list_reports_each_refusal,
    the_builder_saves_steps_and_shows_a_bad_step_beside_the_form,
);

pub(crate) async fn signed_in(app: &TestApp) -> (Actor, reqwest::Client, String) {
    let user = app.user("sam@example.com", "sdr", Some("West")).await;
    let browser = app.browser();
    let r = form_login(app, &browser, "sam@example.com", TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login");
    let page = text(&browser, app, "/leads").await;
    (Actor::user(user, Via::Session), browser, csrf_in(&page))
}

pub(crate) async fn text(browser: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

pub(crate) async fn lead(app: &TestApp, actor: &Actor, first: &str, unsubscribed: bool) -> Person {
    let input = PersonInput {
        raw: RawPerson {
            first_name: Some(first.into()),
            last_name: Some("Prospect".into()),
            email: Some(format!("{}@initech.example", first.to_lowercase())),
            company: Some("Initech".into()),
            time_zone: Some("Europe/London".into()),
            ..RawPerson::default()
        },
        status: Some("mql".into()),
        ..PersonInput::default()
    };
    let p = match app
        .app
        .create_person(actor, PersonKind::Lead, input)
        .await
        .unwrap()
    {
        Created::New(p) => p,
        other => panic!("{other:?}"),
    };
    if unsubscribed {
        let patch = prospector_app::records::people::PersonPatch {
            unsubscribed: Some(true),
            ..Default::default()
        };
        app.app
            .update_person(actor, None, p.id, patch, None)
            .await
            .unwrap();
    }
    p
}

async fn bulk_enroll_from_the_lead_list_reports_each_refusal(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app).await;
    let ada = lead(&app, &sam, "Ada", false).await;
    let bob = lead(&app, &sam, "Bob", true).await;
    let list = text(&browser, &app, "/leads").await;
    assert!(list.contains("Enroll in sequence"), "the bulk action is offered");
    let default = app.app.sequence_choices(&sam).await.unwrap()[0].0.to_string();
    assert!(list.contains(&default), "the default cadence is a choice");
    let (a, b) = (ada.id.to_string(), bob.id.to_string());
    let r = browser
        .post(app.url("/leads/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("ids", a.as_str()),
            ("ids", b.as_str()),
            ("action", "enroll"),
            ("sequence", default.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Enrolled in the sequence: 1 changed, 1 refused."),
        "{page}"
    );
    let refusals = &page[page.find(r#"id="refusals""#).unwrap()..];
    assert!(
        refusals.contains("Bob Prospect") && refusals.contains("unsubscribed"),
        "{refusals}"
    );

    // The sweep puts the first call on Today, with the counts and the script.
    app.app.sweep_sequences().await.unwrap();
    let today = text(&browser, &app, "/today").await;
    assert!(today.contains("Ada Prospect"), "{today}");
    assert!(today.contains(r#"id="count-calls">0<"#));
    assert!(
        today.contains("Introduce yourself"),
        "the default cadence's call script"
    );
    assert!(today.contains("name=\"csrf_token\""));
    // The shipped cadence's first call links the handbook's voicemail section, which exists.
    assert!(
        today.contains(r#"href="/handbook/outbound-cadence#voicemail" class="handbook-link""#),
        "{today}"
    );
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let section = text(&browser, &app, "/handbook/outbound-cadence").await;
    assert!(section.contains(r#"id="voicemail""#), "{section}");

    // The history page and the sequence list show the enrollment.
    let history = text(&browser, &app, &format!("/sequences/people/{a}")).await;
    assert!(
        history.contains("Default outbound cadence") && history.contains("active"),
        "{history}"
    );
    let sequences = text(&browser, &app, "/sequences").await;
    assert!(sequences.contains("Default outbound cadence"));
}

async fn the_builder_saves_steps_and_shows_a_bad_step_beside_the_form(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, browser, _) = signed_in(&app).await;
    let page = text(&browser, &app, "/sequences/new").await;
    let csrf = csrf_in(&page);
    let form = |day2: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("name", "Short cadence".to_owned()),
            ("step_0_kind", "call".to_owned()),
            ("step_0_day", "0".to_owned()),
            ("step_0_script", "Say hello".to_owned()),
            ("step_1_kind", "automatic_email".to_owned()),
            ("step_1_day", day2.to_owned()),
            ("step_1_template", "default_follow_up".to_owned()),
            ("step_2_kind", String::new()),
            ("window_start", "09:00".to_owned()),
            ("window_end", "17:00".to_owned()),
            ("business_days", "on".to_owned()),
            ("holidays", "2026-12-25".to_owned()),
            ("on_reply", "pause".to_owned()),
            ("recontact", "60".to_owned()),
        ]
    };
    // A step before the one above it is refused and shown; nothing is saved.
    let r = browser
        .post(app.url("/sequences"))
        .form(&form("-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(r#"id="form-error""#) && page.contains("negative day offset"),
        "{page}"
    );
    assert!(page.contains("Say hello"), "what was typed is kept");
    assert!(!text(&browser, &app, "/sequences").await.contains("Short cadence"));

    let r = browser
        .post(app.url("/sequences"))
        .form(&form("2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let page = text(&browser, &app, &to).await;
    assert!(page.contains("Saved Short cadence."), "{page}");
    assert!(page.contains(r#"value="09:00""#) && page.contains("2026-12-25"));
    assert!(page.contains(r#"<option value="pause" selected>"#));
    let list = text(&browser, &app, "/sequences").await;
    assert!(list.contains("Short cadence"));
}
