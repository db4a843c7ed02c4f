//! The email template pages over real HTTP on both backends: the list, a new template refused
//! with its unknown variable shown beside the form (nothing saved), saving and editing, a preview
//! with a real record chosen on the page, and the sequence builder offering the template (and its
//! switch for open tracking).

use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::sequences_pages::{lead, signed_in, text};

on_both_backends!(
    the_template_pages_refuse_an_unknown_variable_and_preview_with_a_real_record,
    the_builder_turns_open_tracking_on_and_off,
);

/// Submits the template form for `my_intro`: to `/sequences/templates` (new) or to its own path
/// (an edit, where the id field is ignored).
async fn submit(
    browser: &reqwest::Client,
    app: &TestApp,
    csrf: &str,
    path: &str,
    subject: &str,
    body: &str,
) -> reqwest::Response {
    let form = [
        ("csrf_token", csrf),
        ("id", "my_intro"),
        ("name", "My intro"),
        ("subject", subject),
        ("body", body),
    ];
    browser.post(app.url(path)).form(&form).send().await.unwrap()
}

async fn the_template_pages_refuse_an_unknown_variable_and_preview_with_a_real_record(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app).await;
    let list = text(&browser, &app, "/sequences/templates").await;
    assert!(
        list.contains("default_intro"),
        "the shipped templates are listed: {list}"
    );
    let new = text(&browser, &app, "/sequences/templates/new").await;
    assert!(
        new.contains("<code>first_name</code>"),
        "the variables are listed: {new}"
    );

    // An unknown variable: 422, the error names it beside the form, and nothing is saved.
    let typo = "Hello {{ frist_name | default(\"there\") }}";
    let response = submit(&browser, &app, &csrf, "/sequences/templates", "Hi", typo).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    let error = &page[page.find("id=\"form-error\"").expect("the error is shown")..];
    assert!(
        error[..error.find("</p>").unwrap()].contains("frist_name"),
        "{page}"
    );
    assert!(
        page.contains("aria-invalid=\"true\""),
        "the field is marked: {page}"
    );
    assert!(
        page.contains("frist_name | default"),
        "what was typed is kept: {page}"
    );
    let missing = browser
        .get(app.url("/sequences/templates/my_intro"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Fixed: saved, and the editor opens on it.
    let body = "Hello {{ first_name | default(\"there\") }} at {{ company | default(\"your team\") }}";
    let response = submit(
        &browser,
        &app,
        &csrf,
        "/sequences/templates",
        "Hi {{ first_name }}",
        body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sequences/templates/my_intro");
    let list = text(&browser, &app, "/sequences/templates").await;
    assert!(list.contains("My intro"), "{list}");

    // Editing keeps the id and checks again.
    let response = submit(
        &browser,
        &app,
        &csrf,
        "/sequences/templates/my_intro",
        "Quick one, {{ first_name }}",
        body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = submit(
        &browser,
        &app,
        &csrf,
        "/sequences/templates/my_intro",
        "{{ titel }}",
        body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("titel"));

    // The preview uses a real record picked on the page.
    let ada = lead(&app, &sam, "Ada", false).await;
    let editor = text(&browser, &app, "/sequences/templates/my_intro").await;
    assert!(
        editor.contains(&format!("<option value=\"{}\"", ada.id)),
        "Ada can be picked: {editor}"
    );
    let preview = text(
        &browser,
        &app,
        &format!("/sequences/templates/my_intro?person_id={}", ada.id),
    )
    .await;
    assert!(
        preview.contains("<span id=\"preview-subject\">Quick one, Ada</span>"),
        "{preview}"
    );
    assert!(preview.contains("Hello Ada at Initech"), "{preview}");

    // The sequence builder offers it for email steps.
    let builder = text(&browser, &app, "/sequences/new").await;
    assert!(
        builder.contains("<option value=\"my_intro\">My intro</option>"),
        "{builder}"
    );
}

async fn the_builder_turns_open_tracking_on_and_off(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app).await;
    let form = |track: bool, version: &str| {
        let mut f = vec![
            ("csrf_token", csrf.clone()),
            ("name", "Tracked cadence".to_owned()),
            ("version", version.to_owned()),
            ("step_0_kind", "automatic_email".to_owned()),
            ("step_0_day", "0".to_owned()),
            ("step_0_template", "default_intro".to_owned()),
            ("window_start", "08:00".to_owned()),
            ("window_end", "18:00".to_owned()),
            ("on_reply", "finish".to_owned()),
            ("recontact", "90".to_owned()),
        ];
        if track {
            f.push(("track_opens", "on".to_owned()));
        }
        f
    };
    let r = browser
        .post(app.url("/sequences"))
        .form(&form(true, "0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let id: uuid::Uuid = to.trim_start_matches("/sequences/").parse().unwrap();
    let tracks = |s: &prospector_app::sequences::definitions::SequenceSummary| s.def.settings().track_opens;
    assert!(tracks(&app.app.get_sequence(&sam, id).await.unwrap()));
    let page = text(&browser, &app, &to).await;
    assert!(page.contains("id=\"track-opens\" checked"), "{page}");

    let version = app
        .app
        .get_sequence(&sam, id)
        .await
        .unwrap()
        .row
        .version
        .to_string();
    let r = browser
        .post(app.url(&to))
        .form(&form(false, &version))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!tracks(&app.app.get_sequence(&sam, id).await.unwrap()));
    assert!(
        !text(&browser, &app, &to)
            .await
            .contains("id=\"track-opens\" checked")
    );
}
