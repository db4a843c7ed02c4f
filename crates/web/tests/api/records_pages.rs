//! The record pages over HTTP, as a browser without JavaScript sees them, on both backends: list
//! filters and saved views, bulk changes, the status control, logging a call, the account page,
//! record-level permissions and search; deleting an entry logged by mistake.

use chrono::{Duration, NaiveDate};
use prospector_app::records::accounts::{AccountInput, TechStackInput};
use prospector_app::records::activities::ActivityInput;
use prospector_app::records::people::{Created, PersonInput, StatusInput};
use prospector_app::{Actor, Via};
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::{AccountResearch, LeadStatus, RawPerson, TechStackCategory, TechStackEntry};
use prospector_store::records::PersonId;
use prospector_store::records::people::{Person, PersonKind};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{csrf_in, form_login};

on_both_backends!(
    list_filters_narrow_the_rows_and_the_url_round_trips,
    a_saved_view_is_listed_as_a_link_to_its_filters,
    bulk_status_change_reports_each_refusal_and_changes_the_others,
    an_exit_without_a_reason_shows_the_422_beside_the_field_and_changes_nothing,
    a_logged_call_is_at_the_top_of_the_timeline,
    a_call_logged_by_mistake_is_deleted_from_the_timeline_page,
    the_account_page_shows_landscape_sources_the_meter_and_the_org_chart,
    an_sdr_gets_404_on_another_reps_lead_and_403_changing_it,
    search_finds_a_person_by_name_and_a_note_by_its_text,
    the_demo_workspace_fills_every_record_page,
    the_person_page_shows_the_handbook_where_the_work_happens_and_admins_relink_it,
    search_lists_handbook_pages_in_their_own_group,
);

/// A user of `role` who acts in the app and a logged-in browser for them, with its CSRF token.
async fn signed_in(app: &TestApp, email: &str, role: &str) -> (Actor, reqwest::Client, String) {
    let user = app.user(email, role, Some("West")).await;
    let browser = app.browser();
    let r = form_login(app, &browser, email, TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login");
    let page = text(&browser, app, "/leads").await;
    (Actor::user(user, Via::Session), browser, csrf_in(&page))
}

async fn text(browser: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

async fn lead(
    app: &TestApp,
    actor: &Actor,
    first: &str,
    last: &str,
    status: &str,
    score: i64,
    source: &str,
) -> Person {
    let input = PersonInput {
        raw: RawPerson {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(format!(
                "{}.{}@example.org",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            company: Some("Initech".into()),
            title: Some("Engineering Manager".into()),
            source: Some(source.into()),
            ..RawPerson::default()
        },
        status: Some(status.into()),
        score: Some(score),
        ..PersonInput::default()
    };
    match app
        .app
        .create_person(actor, PersonKind::Lead, input)
        .await
        .unwrap()
    {
        Created::New(p) => p,
        other => panic!("not created: {other:?}"),
    }
}

async fn status_of(app: &TestApp, id: PersonId) -> LeadStatus {
    app.app.get_person(&Actor::cli(), None, id).await.unwrap().status
}

async fn list_filters_narrow_the_rows_and_the_url_round_trips(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, _) = signed_in(&app, "sam@example.com", "sdr").await;
    lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    lead(&app, &sam, "Bob", "Builder", "raw", 10, "list").await;
    lead(&app, &sam, "Cy", "Twin", "mql", 50, "webinar").await;

    let all = text(&browser, &app, "/leads").await;
    for name in ["Ada Lovelace", "Bob Builder", "Cy Twin"] {
        assert!(all.contains(name), "{name} missing from the unfiltered list");
    }
    let page = text(&browser, &app, "/leads?status=mql&score_min=100&source=webinar").await;
    assert!(page.contains("Ada Lovelace"));
    assert!(
        !page.contains("Bob Builder") && !page.contains("Cy Twin"),
        "filters did not narrow"
    );
    // The form shows the filters that made the page, so the URL is the view.
    assert!(
        page.contains(r#"<option value="mql" selected>"#),
        "status not kept"
    );
    assert!(
        page.contains(r#"name="score_min" type="number" value="100""#),
        "score not kept"
    );
    assert!(
        page.contains(r#"name="source" value="webinar""#),
        "source not kept"
    );
    assert!(
        page.contains(r#"name="query" value="status=mql&#38;score_min=100&#38;source=webinar""#),
        "{page}"
    );

    let text_search = text(&browser, &app, "/leads?q=Twin").await;
    assert!(text_search.contains("Cy Twin") && !text_search.contains("Ada Lovelace"));
    let bad = browser.get(app.url("/leads?status=nope")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_saved_view_is_listed_as_a_link_to_its_filters(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, browser, csrf) = signed_in(&app, "sam@example.com", "sdr").await;
    let r = browser
        .post(app.url("/leads/views"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "Hot MQLs"),
            ("query", "status=mql&score_min=100&after=123~x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/leads?status=mql&score_min=100");
    let page = text(&browser, &app, "/leads?status=mql&score_min=100").await;
    assert!(page.contains("Saved the view “Hot MQLs”."), "no notice");
    assert!(
        page.contains(r#"<a href="/leads?status=mql&#38;score_min=100" aria-current="page">Hot MQLs</a>"#),
        "saved view not listed as the current view"
    );
    // Another user does not see it.
    let (_, other, _) = signed_in(&app, "priya@example.com", "sdr").await;
    assert!(!text(&other, &app, "/leads").await.contains("Hot MQLs"));
}

async fn bulk_status_change_reports_each_refusal_and_changes_the_others(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    let b = lead(&app, &sam, "Bob", "Builder", "mql", 10, "list").await;
    let c = lead(&app, &sam, "Cy", "Twin", "mql", 50, "webinar").await;
    // Disqualified is terminal: the bulk recycle must refuse Cy and say why.
    app.app
        .change_status(
            &sam,
            None,
            c.id,
            StatusInput {
                status: "disqualified".into(),
                reason: Some("student".into()),
                ..StatusInput::default()
            },
            None,
        )
        .await
        .unwrap();
    let (ids_a, ids_b, ids_c) = (a.id.to_string(), b.id.to_string(), c.id.to_string());
    let r = browser
        .post(app.url("/leads/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("ids", ids_a.as_str()),
            ("ids", ids_b.as_str()),
            ("ids", ids_c.as_str()),
            ("action", "status"),
            ("status", "recycle"),
            ("reason", "no_budget"),
            ("note", "Q3 budget freeze"),
            ("back", "status=mql"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Moved to Recycle: 2 changed, 1 refused."), "{page}");
    let refusals = &page[page.find(r#"id="refusals""#).expect("refusal table")..];
    assert!(refusals.contains("Cy Twin"), "the refused lead is named");
    assert!(refusals.contains("disqualified"), "the refusal says why");
    assert!(
        page.contains(r#"href="/leads?status=mql""#),
        "a way back to the list"
    );
    assert_eq!(status_of(&app, a.id).await, LeadStatus::Recycle);
    assert_eq!(status_of(&app, b.id).await, LeadStatus::Recycle);
    assert_eq!(status_of(&app, c.id).await, LeadStatus::Disqualified);

    // Bulk assign goes through the same rule as the lead page: an SDR may assign only to herself.
    let (priya, _, _) = signed_in(&app, "priya@example.com", "sdr").await;
    let priya_id = priya.user_id().unwrap().to_string();
    let page = browser
        .post(app.url("/leads/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("ids", ids_a.as_str()),
            ("action", "assign"),
            ("owner", priya_id.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Assigned: 0 changed, 1 refused."), "{page}");
    assert!(page.contains("you may assign records only to yourself"));
}

async fn an_exit_without_a_reason_shows_the_422_beside_the_field_and_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    let path = format!("/leads/{}/status", a.id);
    let r = browser
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "disqualified"),
            ("reason", ""),
            ("note", "wrong person"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    let error_at = page
        .find(r#"id="st-reason-error""#)
        .expect("error beside the reason");
    assert!(page[error_at..].contains("a reason is required for disqualified"));
    assert!(page.contains(r#"<details class="card status-dialog" id="status-control" open>"#));
    assert!(
        page.contains(">wrong person</textarea>"),
        "the note typed is kept"
    );
    assert_eq!(status_of(&app, a.id).await, LeadStatus::Mql);

    // With the reason it goes through, and the page shows it after the redirect.
    let r = browser
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "disqualified"),
            ("reason", "student"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&browser, &app, &format!("/leads/{}", a.id)).await;
    assert!(page.contains("Moved Ada Lovelace to Disqualified."));
    assert!(page.contains(r#"data-status="disqualified">Disqualified</span> <span class="muted" id="status-reason">Student</span>"#));
    assert!(
        page.contains("MQL → Disqualified (Student)"),
        "status change on the timeline"
    );
}

async fn a_call_logged_by_mistake_is_deleted_from_the_timeline_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    let call = app
        .app
        .log_activity(
            &sam,
            ActivityInput {
                person_id: Some(a.id),
                account_id: None,
                opportunity_id: None,
                occurred_at: None,
                detail: ActivityDetail::Call {
                    disposition: "connected".into(),
                    duration_seconds: None,
                    notes: Some("Was meant for Grace".into()),
                },
                corrects_id: None,
            },
        )
        .await
        .unwrap();
    let entry_of = |page: &str| {
        let from = page
            .find(&format!(r#"id="activity-{}""#, call.id))
            .expect("the call is listed");
        page[from..from + page[from..].find("</li>").unwrap()].to_owned()
    };
    let page = text(&browser, &app, &format!("/leads/{}", a.id)).await;
    let entry = entry_of(&page);
    assert!(entry.contains("Delete (logged by mistake)"), "{entry}");
    assert!(!entry.contains("tl-retracted"));
    let delete = || {
        browser
            .post(app.url(&format!("/activities/{}/retract", call.id)))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("back", &format!("/leads/{}", a.id)),
            ])
            .send()
    };
    let r = delete().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/leads/{}#timeline", a.id).as_str()
    );
    let page = text(&browser, &app, &format!("/leads/{}", a.id)).await;
    assert!(
        page.contains("Deleted the entry as logged by mistake"),
        "the notice says so"
    );
    let entry = entry_of(&page);
    assert!(
        entry.contains("tl-retracted") && entry.contains("Deleted · logged by mistake"),
        "{entry}"
    );
    assert!(
        !entry.contains("Delete (logged by mistake)"),
        "no second delete: {entry}"
    );
    let timeline = &page[page.find(r#"id="timeline-list""#).unwrap()..];
    assert!(
        timeline.contains("tl-retraction"),
        "the deletion is an entry of its own"
    );

    // A second delete (another tab) is refused with the reason, and changes nothing.
    let r = delete().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&browser, &app, &format!("/leads/{}", a.id)).await;
    assert!(
        page.contains("Not deleted: this activity was already deleted"),
        "{page}"
    );
    assert_eq!(page.matches("tl-entry tl-retraction").count(), 1);
}

async fn a_logged_call_is_at_the_top_of_the_timeline(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    app.app
        .log_activity(
            &sam,
            ActivityInput {
                person_id: Some(a.id),
                account_id: None,
                opportunity_id: None,
                occurred_at: None,
                detail: ActivityDetail::Note {
                    text: "Found her on the webinar list".into(),
                },
                corrects_id: None,
            },
        )
        .await
        .unwrap();
    app.clock.advance(Duration::minutes(10));
    let r = browser
        .post(app.url(&format!("/leads/{}/activities", a.id)))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "call"),
            ("disposition", "connected"),
            ("minutes", "5"),
            ("notes", "Talked about their Jenkins pain"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/leads/{}#timeline", a.id).as_str()
    );
    let page = text(&browser, &app, &format!("/leads/{}", a.id)).await;
    assert!(page.contains("Logged the call."));
    let timeline = &page[page.find(r#"id="timeline-list""#).unwrap()..];
    let first = &timeline[..timeline.find("</li>").unwrap()];
    assert!(first.contains("tl-call"), "the call is first: {first}");
    assert!(first.contains("Connected · 5 min") && first.contains("Talked about their Jenkins pain"));
    assert!(timeline.contains("Found her on the webinar list"));

    // An unknown disposition is refused beside the call form, with the notes kept.
    let r = browser
        .post(app.url(&format!("/leads/{}/activities", a.id)))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "call"),
            ("disposition", "hung_up"),
            ("notes", "keep me"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(">keep me</textarea>") && page.contains("unknown"),
        "{page}"
    );
}

async fn the_account_page_shows_landscape_sources_the_meter_and_the_org_chart(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, _) = signed_in(&app, "sam@example.com", "sdr").await;
    let as_of = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let account = app
        .app
        .create_account(
            &sam,
            AccountInput {
                name: Some("Globex".into()),
                domains: Some(vec!["globex.example".into()]),
                employees: Some(3_500),
                developer_count: Some(420),
                tech_stack: Some(vec![
                    TechStackInput {
                        category: "scm".into(),
                        value: "Bitbucket Server".into(),
                        source: "job posting for a build engineer".into(),
                        as_of,
                    },
                    TechStackInput {
                        category: "ci_cd".into(),
                        value: "Jenkins".into(),
                        source: "call with the VP Engineering".into(),
                        as_of,
                    },
                ]),
                teams: Some(vec!["Platform".into()]),
                ..AccountInput::default()
            },
        )
        .await
        .unwrap();
    let contact = |first: &str, last: &str, title: &str| PersonInput {
        raw: RawPerson {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            title: Some(title.into()),
            email: Some(format!("{}@globex.example", first.to_lowercase())),
            company: Some("Globex".into()),
            ..RawPerson::default()
        },
        account_id: Some(account.id),
        ..PersonInput::default()
    };
    let mut ids = Vec::new();
    for (f, l, t) in [
        ("Carol", "Chief", "CTO"),
        ("Victor", "Vance", "VP Engineering"),
        ("Dina", "Dev", "Engineering Manager"),
    ] {
        match app
            .app
            .create_person(&sam, PersonKind::Contact, contact(f, l, t))
            .await
            .unwrap()
        {
            Created::New(p) => ids.push(p.id),
            other => panic!("{other:?}"),
        }
    }
    app.app.set_reports_to(&sam, ids[1], Some(ids[0])).await.unwrap();
    app.app.set_reports_to(&sam, ids[2], Some(ids[1])).await.unwrap();
    // A loop is refused.
    assert!(app.app.set_reports_to(&sam, ids[0], Some(ids[2])).await.is_err());

    let page = text(&browser, &app, &format!("/accounts/{}", account.id)).await;
    assert!(page.contains("Bitbucket Server") && page.contains("job posting for a build engineer"));
    assert!(page.contains("Jenkins") && page.contains("call with the VP Engineering"));
    assert!(page.contains(r#"<dd id="developer-count">420</dd>"#));
    let expected = AccountResearch {
        developer_count: Some(420),
        tech_stack: vec![
            TechStackEntry::new(TechStackCategory::Scm, "Bitbucket Server", "x", as_of).unwrap(),
            TechStackEntry::new(TechStackCategory::CiCd, "Jenkins", "x", as_of).unwrap(),
        ],
        teams: vec!["Platform".into()],
        buying_committee_size: 3,
        ..AccountResearch::default()
    }
    .completeness();
    assert!(
        page.contains(&format!(
            r#"value="{}">{}%</meter>"#,
            expected.percent, expected.percent
        )),
        "meter value {}",
        expected.percent
    );
    let missing = &page[page.find(r#"id="research-missing""#).unwrap()..];
    assert!(missing.contains("<li>IT headcount</li>") && missing.contains("<li>Strategy</li>"));
    assert!(!missing[..missing.find("</ul>").unwrap()].contains("<li>Developer count</li>"));

    // The org chart nests by reporting line: CTO > VP > manager.
    let org = &page[page.find(r#"<div class="org">"#).unwrap()..];
    let org = &org[..org.find("</div>").unwrap()];
    let (cto, vp, dev) = (
        org.find("Carol Chief").unwrap(),
        org.find("Victor Vance").unwrap(),
        org.find("Dina Dev").unwrap(),
    );
    assert!(cto < vp && vp < dev, "{org}");
    assert!(
        org[cto..vp].contains("<ul>") && !org[cto..vp].contains("</li>"),
        "VP under CTO: {org}"
    );
    assert!(
        org[vp..dev].contains("<ul>") && !org[vp..dev].contains("</li>"),
        "manager under VP: {org}"
    );
}

async fn an_sdr_gets_404_on_another_reps_lead_and_403_changing_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, _, _) = signed_in(&app, "sam@example.com", "sdr").await;
    let (_, priya, csrf) = signed_in(&app, "priya@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    let r = priya
        .get(app.url(&format!("/leads/{}", a.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("Lovelace"), "nothing leaks");
    let r = priya
        .post(app.url(&format!("/leads/{}/status", a.id)))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "disqualified"),
            ("reason", "student"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, a.id).await, LeadStatus::Mql);
    assert!(!text(&priya, &app, "/leads").await.contains("Lovelace"));
    let r = priya.get(app.url("/leads/not-an-id")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn search_finds_a_person_by_name_and_a_note_by_its_text(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, _) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Grace", "Hopper", "mql", 120, "webinar").await;
    app.app
        .log_activity(
            &sam,
            ActivityInput {
                person_id: Some(a.id),
                account_id: None,
                opportunity_id: None,
                occurred_at: None,
                detail: ActivityDetail::Note {
                    text: "Compiler migration budget approved for Q3".into(),
                },
                corrects_id: None,
            },
        )
        .await
        .unwrap();
    let page = text(&browser, &app, "/search?q=Hopper").await;
    let people = &page[page.find(r#"id="results-people""#).expect("a people group")..];
    assert!(people.contains(&format!(r#"href="/leads/{}""#, a.id)) && people.contains("Grace Hopper"));

    let page = text(&browser, &app, "/search?q=migration").await;
    let notes = &page[page.find(r#"id="results-notes""#).expect("a notes group")..];
    assert!(notes.contains("Compiler migration budget approved"));
    assert!(notes.contains(&format!("/leads/{}#activity-", a.id)));

    let fragment = text(&browser, &app, "/search?q=Hopper&fragment=1").await;
    assert!(
        fragment
            .trim_start()
            .starts_with("<div class=\"search-dropdown-inner\">")
    );
    assert!(fragment.contains("Grace Hopper") && !fragment.contains("<html"));
    let none = text(&browser, &app, "/search?q=zzzzqqq").await;
    assert!(none.contains(r#"id="no-results""#));
}

async fn the_demo_workspace_fills_every_record_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    assert!(app.app.seed_demo().await.unwrap());
    let browser = app.browser();
    let r = form_login(
        &app,
        &browser,
        "sam.sdr@demo.example",
        prospector_app::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let leads = text(&browser, &app, "/leads").await;
    assert!(leads.matches("<tr>").count() > 3, "the SDR has leads");
    assert!(
        text(&browser, &app, "/contacts")
            .await
            .contains("Northwind Logistics")
    );
    let accounts = text(&browser, &app, "/accounts").await;
    let at = accounts.find(r#"href="/accounts/"#).expect("an account link") + 6;
    let href = &accounts[at..at + accounts[at..].find('"').unwrap()];
    let account = text(&browser, &app, href).await;
    for part in [
        r#"id="research-meter""#,
        r#"<div class="org">"#,
        "tl-entry",
        "<ul>",
    ] {
        assert!(account.contains(part), "{part} missing on {href}");
    }
    assert!(
        text(&browser, &app, "/opportunities")
            .await
            .contains("new business")
    );
    assert!(
        text(&browser, &app, "/search?q=Jenkins")
            .await
            .contains("results-")
    );
}

/// The `<details>` showing `page#anchor` in `html`, up to its end.
fn inline_section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html
        .find(&format!(r#"data-handbook-section="{marker}""#))
        .unwrap_or_else(|| panic!("no inline section {marker}"));
    let rest = &html[start..];
    &rest[..rest.find("</details>").expect("closed")]
}

async fn the_person_page_shows_the_handbook_where_the_work_happens_and_admins_relink_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let (sam, browser, _) = signed_in(&app, "sam@example.com", "sdr").await;
    let a = lead(&app, &sam, "Ada", "Lovelace", "mql", 120, "webinar").await;
    let path = format!("/leads/{}", a.id);
    let page = text(&browser, &app, &path).await;

    // The log-a-call panel: the dispositions section, collapsed, with a link to the full page.
    let call = &page[page.find(r#"id="log-call""#).unwrap()..];
    let call = &call[..call.find("</form>").unwrap()];
    let dispositions = inline_section(call, "outbound-cadence#call-dispositions");
    assert!(
        dispositions.contains("Log every call with one disposition"),
        "{dispositions}"
    );
    assert!(dispositions.contains(r#"href="/handbook/outbound-cadence#call-dispositions""#));

    // The status control: every exit's reasons, keyed by status, so it works without script.
    let status = &page[page.find(r#"id="status-control""#).unwrap()..];
    let disqualified = inline_section(status, "lead-lifecycle#disqualified");
    assert!(
        disqualified.contains(r#"data-status="disqualified""#)
            || status.contains(r#"data-status="disqualified" data-handbook-section"#)
    );
    assert!(disqualified.contains("Use when the person will never buy from us"));
    assert!(disqualified.contains("Bad buyer profile"));
    assert!(inline_section(status, "lead-lifecycle#recycle").contains("the timing is wrong"));

    // The qualification checklist: each framework's section.
    let checklist = &page[page.find(r#"id="qualification""#).unwrap()..];
    assert!(inline_section(checklist, "qualification#soft-bant").contains("Two of the four are enough"));
    assert!(inline_section(checklist, "qualification#aift").contains("buying committee"));

    // An admin points the call panel at the voicemail section; the page follows.
    let (_, admin) = app.api_client("admin@example.com", "admin").await;
    let r = admin
        .put(
            "/api/v1/handbook/links",
            &serde_json::json!({"links": [{"context": "disposition:*", "page_slug": "outbound-cadence", "anchor": "voicemail"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let links: serde_json::Value = r.json().await.unwrap();
    let changed = links["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["context"] == "disposition:*")
        .unwrap();
    assert_eq!(changed["anchor"], "voicemail");
    assert_eq!(changed["customised"], true);
    let page = text(&browser, &app, &path).await;
    let call = &page[page.find(r#"id="log-call""#).unwrap()..];
    assert!(inline_section(call, "outbound-cadence#voicemail").contains("Under 30 seconds"));
    assert!(!page.contains("Log every call with one disposition"));

    // A section that does not exist is refused; SDRs may read the links but not change them.
    let r = admin
        .put(
            "/api/v1/handbook/links",
            &serde_json::json!({"links": [{"context": "status:recycle", "page_slug": "lead-lifecycle", "anchor": "nope"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, sdr) = app.api_client("sid@example.com", "sdr").await;
    let r = sdr.get("/api/v1/handbook/links").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = sdr
        .put(
            "/api/v1/handbook/links",
            &serde_json::json!({"links": [{"context": "disposition:*"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Removing the admin's link brings the default back.
    let r = admin
        .put(
            "/api/v1/handbook/links",
            &serde_json::json!({"links": [{"context": "disposition:*"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(&browser, &app, &path).await;
    assert!(page.contains("Log every call with one disposition"));
}

async fn search_lists_handbook_pages_in_their_own_group(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let (_, browser, _) = signed_in(&app, "sam@example.com", "sdr").await;
    let page = text(&browser, &app, "/search?q=voicemail").await;
    let handbook = &page[page.find(r#"id="results-handbook""#).expect("a handbook group")..];
    assert!(handbook.contains(r#"href="/handbook/outbound-cadence""#));
    assert!(handbook.contains("The outbound cadence"));
    assert!(!page.contains(r#"id="no-results""#));

    let fragment = text(&browser, &app, "/search?q=voicemail&fragment=1").await;
    assert!(fragment.contains(r#"id="results-handbook""#) && fragment.contains("/handbook/outbound-cadence"));
}
