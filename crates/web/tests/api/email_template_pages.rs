//! The email template pages over real HTTP on both backends: the list, a new template refused
//! with its unknown variable shown beside the form (nothing saved), saving and editing, a preview
//! with a real record chosen on the page, and the sequence builder offering the template.

use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::sequences_pages::{lead, signed_in, text};

on_both_backends!(the_template_pages_refuse_an_unknown_variable_and_preview_with_a_real_record);

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
