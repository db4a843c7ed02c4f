//! The follow-up board `/tasks` over HTTP, as a browser without JavaScript sees it, on both
//! backends: overdue, due today, upcoming and done recently; done and rescheduled from the page; a
//! task added from a person's page; a team lead looking at a member's and the team's board.

use chrono::Duration;
use prospector_app::records::people::{Created, PersonInput};
use prospector_app::records::tasks::TaskInput;
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;

use crate::{csrf_in, form_login};

on_both_backends!(
    the_board_sorts_tasks_by_when_and_a_rep_finishes_and_reschedules_them_there,
    a_task_added_on_a_persons_page_shows_there_and_on_the_board,
    a_team_lead_sees_a_members_board_and_the_teams_and_a_rep_does_not,
);

/// A signed-in browser for a new user of `role` in `team`, the user as an actor, and a CSRF token.
async fn signed_in(app: &TestApp, email: &str, role: &str, team: &str) -> (Actor, reqwest::Client, String) {
    let user = app.user(email, role, Some(team)).await;
    let browser = app.browser();
    let r = form_login(app, &browser, email, TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login");
    let page = text(&browser, app, "/tasks").await;
    (Actor::user(user, Via::Session), browser, csrf_in(&page))
}

async fn text(browser: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// The part of the board page from the section `id` to the next section.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

async fn task(app: &TestApp, actor: &Actor, title: &str, due_in: Duration) -> String {
    let input = TaskInput {
        title: title.into(),
        due_at: Some(app.app.now() + due_in),
        ..TaskInput::default()
    };
    app.app.create_task(actor, input).await.unwrap().id.to_string()
}

async fn post_form(
    browser: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

async fn the_board_sorts_tasks_by_when_and_a_rep_finishes_and_reschedules_them_there(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr", "West").await;
    // Monday 09:00 UTC.
    task(&app, &sam, "Chase the signed NDA", Duration::days(-2)).await;
    let call_back = task(&app, &sam, "Call Ada back", Duration::hours(3)).await;
    let deck = task(&app, &sam, "Send the deck", Duration::days(3)).await;

    let page = text(&browser, &app, "/tasks").await;
    assert!(
        section(&page, "overdue").contains("Chase the signed NDA"),
        "{page}"
    );
    assert!(section(&page, "due-today").contains("Call Ada back"));
    assert!(section(&page, "upcoming").contains("Send the deck"));
    assert!(section(&page, "done-recently").contains("Nothing done in the last week."));
    // The side navigation links here.
    assert!(page.contains("href=\"/tasks\" aria-current=\"page\""), "{page}");

    // Done from the page: back on the board, in "done recently" with when.
    let r = post_form(
        &browser,
        &app,
        &format!("/tasks/{call_back}/done"),
        &[("csrf_token", &csrf), ("back", "/tasks")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&browser, &app, "/tasks").await;
    assert!(page.contains("Done: Call Ada back."), "{page}");
    assert!(!section(&page, "due-today").contains("Call Ada back"));
    let done = section(&page, "done-recently");
    assert!(
        done.contains("Call Ada back") && done.contains("2026-03-02 09:00"),
        "{done}"
    );

    // Rescheduled to this afternoon: it moves from upcoming to due today, at the new time.
    let r = post_form(
        &browser,
        &app,
        &format!("/tasks/{deck}/reschedule"),
        &[
            ("csrf_token", &csrf),
            ("due", "2026-03-02T15:30"),
            ("back", "/tasks"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&browser, &app, "/tasks").await;
    let today = section(&page, "due-today");
    assert!(
        today.contains("Send the deck") && today.contains("2026-03-02 15:30"),
        "{today}"
    );
    assert!(section(&page, "upcoming").contains("Nothing scheduled later."));

    // A due time that is not one is refused naming the field, and nothing moves.
    let r = post_form(
        &browser,
        &app,
        &format!("/tasks/{deck}/reschedule"),
        &[("csrf_token", &csrf), ("due", "next tuesday"), ("back", "/tasks")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("give the due date as YYYY-MM-DD"), "{page}");
    assert!(section(&page, "due-today").contains("2026-03-02 15:30"));

    // A new task without a title is refused beside the field.
    let r = post_form(
        &browser,
        &app,
        "/tasks",
        &[
            ("csrf_token", &csrf),
            ("title", "  "),
            ("due", "2026-03-04T10:00"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"task-title-error\""), "{page}");
}

async fn a_task_added_on_a_persons_page_shows_there_and_on_the_board(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, browser, csrf) = signed_in(&app, "sam@example.com", "sdr", "West").await;
    let input = PersonInput {
        raw: RawPerson {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some("ada@initech.example".into()),
            company: Some("Initech".into()),
            ..RawPerson::default()
        },
        ..PersonInput::default()
    };
    let Created::New(ada) = app
        .app
        .create_person(&sam, PersonKind::Lead, input)
        .await
        .unwrap()
    else {
        panic!("a new lead");
    };
    let person_page = format!("/leads/{}", ada.id);
    let page = text(&browser, &app, &person_page).await;
    assert!(page.contains("id=\"person-task-form\""), "{page}");

    let id = ada.id.to_string();
    let r = post_form(
        &browser,
        &app,
        "/tasks",
        &[
            ("csrf_token", &csrf),
            ("person_id", &id),
            ("title", "Send the case study"),
            ("due", "2026-03-05T11:00"),
            ("back", &person_page),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], person_page.as_str());
    let page = text(&browser, &app, &person_page).await;
    let card = section(&page, "person-tasks");
    assert!(
        card.contains("Send the case study") && card.contains("2026-03-05 11:00"),
        "{card}"
    );

    let board = text(&browser, &app, "/tasks").await;
    let upcoming = section(&board, "upcoming");
    assert!(upcoming.contains("Send the case study"), "{upcoming}");
    assert!(
        upcoming.contains(&format!("<a href=\"{person_page}\">Ada Lovelace</a>")),
        "{upcoming}"
    );

    // A form may only send the user back to a page of this site.
    let r = post_form(
        &browser,
        &app,
        "/tasks",
        &[
            ("csrf_token", &csrf),
            ("title", "Elsewhere"),
            ("due", "2026-03-05"),
            ("back", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(r.headers()["location"], "/tasks");
}

async fn a_team_lead_sees_a_members_board_and_the_teams_and_a_rep_does_not(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (sam, sam_browser, _) = signed_in(&app, "sam@example.com", "sdr", "West").await;
    let (erin, _, _) = signed_in(&app, "erin@example.com", "sdr", "East").await;
    let (_, lead_browser, _) = signed_in(&app, "lee@example.com", "team_lead", "West").await;
    task(&app, &sam, "Sam's follow-up", Duration::hours(2)).await;
    task(&app, &erin, "Erin's follow-up", Duration::hours(2)).await;

    // The lead's own board is empty; the team's shows Sam's task (not Erin's, another team).
    let own = text(&lead_browser, &app, "/tasks").await;
    assert!(!own.contains("Sam's follow-up"), "{own}");
    assert!(own.contains("<option value=\"team\">My team</option>"), "{own}");
    let team = text(&lead_browser, &app, "/tasks?owner=team").await;
    let today = section(&team, "due-today");
    assert!(
        today.contains("Sam&#39;s follow-up") || today.contains("Sam's follow-up"),
        "{today}"
    );
    assert!(!team.contains("Erin"), "{team}");
    let sam_id = sam.user_id().unwrap().to_string();
    let member = text(&lead_browser, &app, &format!("/tasks?owner={sam_id}")).await;
    assert!(section(&member, "due-today").contains("follow-up"), "{member}");
    assert!(
        member.contains(&format!("<option value=\"{sam_id}\" selected>")),
        "{member}"
    );

    // A rep sees only their own board.
    let r = sam_browser
        .get(app.url("/tasks?owner=team"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sam_browser
        .get(app.url("/tasks?owner=nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
