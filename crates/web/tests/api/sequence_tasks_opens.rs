//! Manual sequence steps as follow-up tasks kept in step with Today, and open tracking for
//! sequences that opt in, on both backends.

use chrono::Duration;
use prospector_store::{Exec, query};
use prospector_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::records::{get, patch, post};
use crate::sequences::{
    call_step, email_step, enroll, history, lead, queued_emails, rep_with_mailbox, sequence,
};

on_both_backends!(
    manual_steps_are_follow_up_tasks_finished_from_today_or_the_task_list,
    pausing_or_finishing_an_enrollment_cancels_its_open_step_task,
    a_tracked_email_records_its_first_open_and_the_results_show_it,
);

async fn open_tasks(client: &ApiClient, query: &str) -> Vec<Value> {
    let (status, page) = get(client, &format!("/api/v1/tasks?status=open&{query}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn task(client: &ApiClient, id: &str) -> Value {
    let (status, t) = get(client, &format!("/api/v1/tasks/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t
}

async fn set_task_status(client: &ApiClient, task: &Value, status: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    patch(client, &path, json!({"status": status})).await
}

/// `path` as the rep sees it in a browser.
pub(crate) async fn page_as_rep(app: &TestApp, path: &str) -> String {
    let browser = app.browser();
    let login = crate::form_login(app, &browser, "sam@example.com", TEST_PASSWORD).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER, "login");
    crate::sequences_pages::text(&browser, app, path).await
}

fn linkedin_step(day: i64) -> Value {
    json!({"kind": "linkedin", "day_offset": day, "script": "Comment on their latest post."})
}

async fn manual_steps_are_follow_up_tasks_finished_from_today_or_the_task_list(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([linkedin_step(0), call_step(1)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada, &bob]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);

    // Each due step is an open task of the rep's, on the person, due (so overdue later) like the step.
    let now = r.app.app.now() + Duration::seconds(1);
    let due = open_tasks(
        &r.rep,
        &format!("owner=me&due_before={}", urlencode(&now.to_rfc3339())),
    )
    .await;
    assert_eq!(due.len(), 2, "{due:?}");
    let ada_tasks = open_tasks(&r.rep, &format!("person_id={ada}")).await;
    assert_eq!(ada_tasks.len(), 1, "{ada_tasks:?}");
    let ada_task = ada_tasks[0].clone();
    assert_eq!(ada_task["title"], "LinkedIn touch with Ada Prospect");
    assert!(
        ada_task["notes"]
            .as_str()
            .unwrap()
            .contains("Comment on their latest post.")
    );
    let bob_task = open_tasks(&r.rep, &format!("person_id={bob}")).await[0].clone();

    // Done on Today: the task is done too.
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    let item = today["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["person"]["first_name"] == "Ada")
        .expect("Ada's step is on Today")
        .clone();
    assert_eq!(item["id"], ada_task["step_id"]);
    let (status, body) = post(
        &r.rep,
        &format!("/api/v1/today/{}/done", item["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let after = task(&r.rep, ada_task["id"].as_str().unwrap()).await;
    assert_eq!(after["status"], "done");

    // Done on the task list: the step leaves Today and the enrollment moves on.
    let (status, done) = set_task_status(&r.rep, &bob_task, "done").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
    assert_eq!(history(&r.rep, &bob).await[0]["next_step"], 1);
    let (_, timeline) = get(&r.rep, &format!("/api/v1/leads/{bob}/timeline")).await;
    assert!(
        timeline.to_string().contains("linkedin"),
        "the touch is on the timeline: {timeline}"
    );
    // A finished step's task cannot be reopened behind the sequence's back.
    let (status, err) = set_task_status(&r.rep, &bob_task, "open").await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    // The next day's calls are tasks too; a call is done only with its outcome, from Today.
    r.app.clock.advance(Duration::days(1));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);
    let call_task = open_tasks(&r.rep, &format!("person_id={bob}")).await[0].clone();
    assert_eq!(call_task["title"], "Call Bob Prospect");
    let (status, err) = set_task_status(&r.rep, &call_task, "done").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["code"], "disposition_required");
    assert_eq!(
        task(&r.rep, call_task["id"].as_str().unwrap()).await["status"],
        "open"
    );
    let (status, _) = post(
        &r.rep,
        &format!("/api/v1/today/{}/done", call_task["step_id"].as_str().unwrap()),
        json!({"disposition": "no_answer"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        task(&r.rep, call_task["id"].as_str().unwrap()).await["status"],
        "done"
    );

    // Left undone, Ada's call turns overdue on the manager's hygiene list like any other task.
    r.app.clock.advance(Duration::days(2));
    let (_, manager) = r.app.api_client("maya@example.com", "admin").await;
    let (status, hygiene) = get(&manager, "/api/v1/dashboards/hygiene").await;
    assert_eq!(status, StatusCode::OK, "{hygiene}");
    let overdue = hygiene["items"].as_array().unwrap();
    assert!(
        overdue.iter().any(|i| i["title"] == "Call Ada Prospect"),
        "{hygiene}"
    );
}

async fn pausing_or_finishing_an_enrollment_cancels_its_open_step_task(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([call_step(0), call_step(2)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    let out = enroll(&r.rep, &seq, &[&ada, &bob]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);
    let enrollment_of = |person: &str| {
        out["enrolled"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["person_id"] == person)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let ada_task = open_tasks(&r.rep, &format!("person_id={ada}")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob_task = open_tasks(&r.rep, &format!("person_id={bob}")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (person, action) in [(&ada, "pause"), (&bob, "finish")] {
        let (status, e) = post(
            &r.rep,
            &format!("/api/v1/enrollments/{}/actions", enrollment_of(person)),
            json!({"action": action}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{e}");
    }
    assert_eq!(task(&r.rep, &ada_task).await["status"], "cancelled");
    assert_eq!(task(&r.rep, &bob_task).await["status"], "cancelled");
    assert!(open_tasks(&r.rep, "owner=me").await.is_empty());
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert!(today["items"].as_array().unwrap().is_empty(), "{today}");

    // The person page shows the history: sequence, step reached, status and why.
    let page = page_as_rep(&r.app, &format!("/leads/{ada}")).await;
    let history = &page[page
        .find("id=\"enrollment-history\"")
        .expect("history on the person page")..];
    assert!(
        history.contains("Test cadence</a></td><td>step 1</td><td>paused</td><td>by hand</td>"),
        "{history}"
    );

    // Resumed, Ada's call is due again: back on Today and on the task list, once.
    let (status, e) = post(
        &r.rep,
        &format!("/api/v1/enrollments/{}/actions", enrollment_of(&ada)),
        json!({"action": "resume"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 1);
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert_eq!(today["items"].as_array().unwrap().len(), 1, "{today}");
    let reopened = open_tasks(&r.rep, "owner=me").await;
    assert_eq!(reopened.len(), 1, "{reopened:?}");
    assert_eq!(reopened[0]["id"], ada_task.as_str());
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 0);
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// The pixel URL in a queued email's HTML part, if it has one.
fn pixel_of(email: &Value) -> Option<String> {
    let html = email["html"].as_str().unwrap_or_default();
    let start = html.find("https://prospector.example/o/")?;
    let rest = &html[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

async fn a_tracked_email_records_its_first_open_and_the_results_show_it(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let settings = json!({"sending_window": {"start": "08:00", "end": "18:00"}, "business_days_only": true,
                          "holidays": [], "on_reply": "finish", "recontact_window_days": 90, "track_opens": true});
    let (status, tracked) = post(
        &r.rep,
        "/api/v1/sequences",
        json!({"name": "Tracked", "steps": [email_step(0), email_step(3)], "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tracked}");
    assert_eq!(tracked["settings"]["track_opens"], true);
    let untracked = sequence(&r.rep, json!([email_step(0)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    enroll(&r.rep, tracked["id"].as_str().unwrap(), &[&ada]).await;
    enroll(&r.rep, &untracked, &[&bob]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 2);
    let emails = queued_emails(&r.app).await;
    let to = |e: &Value| e["to"][0]["email"].as_str().unwrap().to_owned();
    let ada_email = emails.iter().find(|e| to(e) == "ada@acme.example").unwrap();
    let bob_email = emails.iter().find(|e| to(e) == "bob@acme.example").unwrap();
    assert_eq!(pixel_of(bob_email), None, "an untracked sequence adds no pixel");
    let pixel = pixel_of(ada_email).expect("the tracked email carries a pixel");
    let path = pixel.trim_start_matches("https://prospector.example");

    // No login; the first fetch records the open, later ones are harmless.
    let anonymous = reqwest::Client::new();
    for _ in 0..2 {
        let response = anonymous.get(r.app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/gif");
        assert!(response.bytes().await.unwrap().starts_with(b"GIF89a"));
    }
    for bad in ["/o/0123456789abcdef.gif", "/o/not-a-token.gif", "/o/abc"] {
        let response = anonymous.get(r.app.url(bad)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
    }

    let (_, s) = get(
        &r.rep,
        &format!("/api/v1/sequences/{}", tracked["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(s["steps"][0]["results"]["sent"], 1);
    assert_eq!(s["steps"][0]["results"]["tracked"], 1);
    assert_eq!(s["steps"][0]["results"]["opened"], 1);
    assert_eq!(s["steps"][1]["results"]["opened"], 0);
    let signals = r
        .app
        .store
        .reader()
        .fetch_all(query(
            "SELECT entity_id FROM audit_log WHERE action = 'email_opened'",
        ))
        .await
        .unwrap();
    assert_eq!(signals.len(), 1, "one email_opened signal for two fetches");

    // The sequence list shows opens where tracked, and a dash where not.
    let page = page_as_rep(&r.app, "/sequences").await;
    assert!(
        page.contains("<th scope=\"col\" class=\"num\">Opened</th>"),
        "{page}"
    );
    let row = |name: &str| {
        let start = page.find(&format!(">{name}</a>")).expect(name);
        page[start..start + page[start..].find("</tr>").unwrap()].to_owned()
    };
    assert!(
        row("Tracked").contains("<td class=\"num\">1</td><td class=\"num\">1</td>"),
        "{}",
        row("Tracked")
    );
    assert!(
        row("Test cadence").contains("<td class=\"num\">—</td>"),
        "{}",
        row("Test cadence")
    );
}
