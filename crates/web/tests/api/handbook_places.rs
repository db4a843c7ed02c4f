//! The handbook where the work happens, per exit reason and per routing rule: admins set the
//! sections on a page, the status dialog shows a reason's own section (else its status's), and
//! "Route this lead" names the rule's section.

use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{csrf_in, form_login};

on_both_backends!(
    an_exit_reason_shows_its_own_section_and_others_fall_back_to_their_status,
    routing_rules_get_their_handbook_section_on_the_links_page,
);

async fn signed_in(app: &TestApp, email: &str, role: &str) -> (Actor, reqwest::Client) {
    let user = app.user(email, role, Some("West")).await;
    let browser = app.browser();
    let r = form_login(app, &browser, email, TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login");
    (Actor::user(user, Via::Session), browser)
}

async fn get(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = browser.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Sets one link through the page's form; returns the response.
async fn set_link(app: &TestApp, admin: &reqwest::Client, context: &str, section: &str) -> reqwest::Response {
    let (status, page) = get(admin, app, "/admin/handbook-links").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_in(&page);
    admin
        .post(app.url("/admin/handbook-links"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("context", context),
            ("section", section),
        ])
        .send()
        .await
        .unwrap()
}

/// The `<details>` of the status dialog for `data-reason="{reason}"`, if any.
fn reason_guide<'a>(html: &'a str, reason: &str) -> Option<&'a str> {
    let start = html.find(&format!(r#"data-reason="{reason}""#))?;
    let rest = &html[start..];
    Some(&rest[..rest.find("</details>").unwrap()])
}

async fn an_exit_reason_shows_its_own_section_and_others_fall_back_to_their_status(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let (_, admin) = signed_in(&app, "admin@example.com", "admin").await;
    let (sam, sdr) = signed_in(&app, "sam@example.com", "sdr").await;
    let lead = match app
        .app
        .create_person(
            &sam,
            PersonKind::Lead,
            PersonInput {
                raw: RawPerson {
                    first_name: Some("Ada".into()),
                    last_name: Some("Lovelace".into()),
                    email: Some("ada@initech.example".into()),
                    ..RawPerson::default()
                },
                status: Some("mql".into()),
                ..PersonInput::default()
            },
        )
        .await
        .unwrap()
    {
        Created::New(p) => p,
        other => panic!("{other:?}"),
    };
    let path = format!("/leads/{}", lead.id);

    // The admin gives "Competitor" its own section on the links page.
    let r = set_link(
        &app,
        &admin,
        "reason:disqualified:competitor",
        "outbound-cadence#voicemail",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&admin, &app, "/admin/handbook-links").await;
    let row = &page[page.find(r#"id="link-reason-disqualified-competitor""#).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("set by an admin"), "{row}");
    assert!(page.contains("now shows outbound-cadence#voicemail"));

    let (_, html) = get(&sdr, &app, &path).await;
    let status = &html[html.find(r#"id="status-guides""#).unwrap()..];
    let competitor = reason_guide(status, "competitor").expect("the reason's own section");
    assert!(status.contains(r#"data-status="disqualified" data-reason="competitor""#));
    assert!(competitor.contains("outbound-cadence#voicemail"));
    assert!(competitor.contains("Under 30 seconds"), "{competitor}");
    // The shipped default: community contributors get the story types.
    assert!(
        reason_guide(status, "community_contributor")
            .expect("default reason link")
            .contains("customer-stories#story-types")
    );
    // A reason without its own link shows its status's section.
    assert!(reason_guide(status, "student").is_none());
    assert!(status.contains(r#"data-handbook-section="lead-lifecycle#disqualified""#));
    let fallback = app
        .app
        .reason_sections(&[("disqualified".into(), "student".into())])
        .await
        .unwrap();
    assert_eq!(fallback.len(), 1);
    assert!(!fallback[0].own);
    assert_eq!(fallback[0].section.anchor, "disqualified");

    // A section that does not exist is refused beside its row; SDRs may not open the page.
    let r = set_link(&app, &admin, "reason:disqualified:student", "lead-lifecycle#nope").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    let row = &page[page.find(r#"id="link-reason-disqualified-student""#).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("the handbook has no section lead-lifecycle#nope"),
        "{row}"
    );
    let (status, _) = get(&sdr, &app, "/admin/handbook-links").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Back to the default: the reason's own section goes.
    let r = set_link(&app, &admin, "reason:disqualified:competitor", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&sdr, &app, &path).await;
    assert!(reason_guide(&html, "competitor").is_none());
}

async fn routing_rules_get_their_handbook_section_on_the_links_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let (_, admin) = signed_in(&app, "admin@example.com", "admin").await;
    let sdr = app.user("sid@example.com", "sdr", Some("West")).await;
    let (_, page) = get(&admin, &app, "/admin/inbound").await;
    assert!(page.contains(r#"href="/admin/handbook-links#routing""#));
    let csrf = csrf_in(&page);
    let pool = sdr.id.to_string();
    let r = admin
        .post(app.url("/admin/inbound/routing"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code_0", "us"),
            ("segment_0", ""),
            ("region_0", "amer"),
            ("pool_0", pool.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status() == StatusCode::SEE_OTHER);

    // Every rule and the rule "us" are listed; "us" gets the lead-lifecycle statuses section.
    let (_, page) = get(&admin, &app, "/admin/handbook-links").await;
    let routing = &page[page.find(r#"id="routing""#).unwrap()..];
    let routing = &routing[..routing.find("</section>").unwrap()];
    assert!(
        routing.contains("Every routing rule") && routing.contains("Inbound SLA"),
        "{routing}"
    );
    assert!(routing.contains("Rule “us”"));
    let r = set_link(&app, &admin, "routing_rule:us", "lead-lifecycle#statuses").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let links = app.app.handbook_links(&Actor::cli()).await.unwrap();
    let us = links.iter().find(|l| l.context == "routing_rule:us").unwrap();
    assert_eq!(
        (us.page_slug.as_str(), us.anchor.as_str()),
        ("lead-lifecycle", "statuses")
    );

    // "Route this lead" names the rule's section.
    let (_, page) = get(&admin, &app, "/admin/inbound").await;
    let csrf = csrf_in(&page);
    let page = admin
        .post(app.url("/admin/inbound/preview"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("country", "US"),
            ("employees", "50"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("(rule: us)"), "{page}");
    assert!(
        page.contains("Handbook: Lead lifecycle and reasons › Statuses."),
        "{page}"
    );
}
