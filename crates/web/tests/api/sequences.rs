//! The outbound engine on both backends: templates checked at save time, enrollment with each
//! refusal reported, the sweep writing each automatic email to the outbox once (inside the
//! recipient's window, even with two sweeps at once), replies, bounces, out-of-office answers and
//! unsubscribes acting on enrollments, recycling a week after finishing without a reply, and the
//! Today work queue. Weeks pass on the injected clock.

use chrono::Duration;
use prospector_app::{Actor, App, AppSettings};
use prospector_store::{Exec, query};
use prospector_testkit::{ApiClient, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::records::{get, new_lead, post};

on_both_backends!(
    a_template_with_an_unknown_variable_is_refused_naming_it,
    enrolling_reports_each_refusal_with_its_reason,
    the_sweep_sends_each_automatic_email_once_inside_the_recipients_window,
    two_sweeps_at_once_never_send_a_step_twice,
    replies_bounces_and_out_of_office_answers_act_on_enrollments,
    the_unsubscribe_link_stops_every_email_to_the_address,
    finishing_without_a_reply_recycles_the_lead_a_week_later,
    today_puts_callable_people_first_and_logs_a_call_with_one_disposition,
    today_calls_people_only_inside_their_sequences_hours_and_pages_with_a_cursor,
    the_sweep_keeps_each_mailboxs_daily_cap_and_spacing_and_skips_holidays,
    an_exit_status_or_a_booked_meeting_logged_elsewhere_ends_the_sequence,
);

pub(crate) struct Rep {
    pub(crate) app: TestApp,
    pub(crate) rep: ApiClient,
    pub(crate) mailbox_id: String,
}

/// An app with an SDR who has a mailbox (never contacted: these tests read the outbox).
pub(crate) async fn rep_with_mailbox(db: TestDb) -> Rep {
    let app = TestApp::spawn(db).await;
    let (_, rep) = app.api_client("sam@example.com", "sdr").await;
    let (status, mailbox) = post(
        &rep,
        "/api/v1/mailboxes",
        json!({"from_email": "sam@example.com", "from_name": "Sam Rep",
               "smtp": {"host": "127.0.0.1", "port": 9, "security": "none"}, "daily_cap": 50}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mailbox}");
    // No spacing between sends, so several people can be emailed in one sweep.
    let mut tx = app.store.begin().await.unwrap();
    tx.execute(query("UPDATE mailboxes SET min_spacing_seconds = 0"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.app
        .set_public_url(&Actor::cli(), "https://prospector.example")
        .await
        .unwrap();
    Rep {
        mailbox_id: mailbox["id"].as_str().unwrap().to_owned(),
        app,
        rep,
    }
}

/// Distinct phone numbers, so leads are not taken for duplicates of each other.
static PHONE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1000);

pub(crate) async fn lead(client: &ApiClient, name: &str, tz: &str) -> String {
    let phone = PHONE.fetch_add(7, std::sync::atomic::Ordering::Relaxed);
    let lead = new_lead(
        client,
        json!({"first_name": name, "last_name": "Prospect", "company": "Acme",
               "email": format!("{}@acme.example", name.to_lowercase()), "time_zone": tz,
               "phone": format!("+1 415 555 {phone:04}"), "on_duplicate": "create"}),
    )
    .await;
    lead["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn sequence(client: &ApiClient, steps: Value) -> String {
    let (status, s) = post(
        client,
        "/api/v1/sequences",
        json!({"name": "Test cadence", "steps": steps}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    s["id"].as_str().unwrap().to_owned()
}

pub(crate) fn email_step(day: i64) -> Value {
    json!({"kind": "automatic_email", "day_offset": day, "template_id": "default_intro"})
}

pub(crate) fn call_step(day: i64) -> Value {
    json!({"kind": "call", "day_offset": day, "script": "Ask about their release process.",
           "handbook_page": "sales-development/outbound-cadence", "handbook_anchor": "touch-1"})
}

pub(crate) async fn enroll(client: &ApiClient, seq: &str, ids: &[&str]) -> Value {
    let (status, out) = post(
        client,
        &format!("/api/v1/sequences/{seq}/enrollments"),
        json!({"person_ids": ids}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    out
}

pub(crate) async fn history(client: &ApiClient, person: &str) -> Vec<Value> {
    let (status, h) = get(client, &format!("/api/v1/people/{person}/enrollments")).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    h["items"].as_array().unwrap().clone()
}

pub(crate) async fn lead_status(client: &ApiClient, id: &str) -> (String, Option<String>) {
    let (_, l) = get(client, &format!("/api/v1/leads/{id}")).await;
    (
        l["status"].as_str().unwrap_or_default().to_owned(),
        l["status_reason"].as_str().map(str::to_owned),
    )
}

/// The `email.send` outbox payloads, oldest first.
pub(crate) async fn queued_emails(app: &TestApp) -> Vec<Value> {
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT payload FROM outbox WHERE kind = 'email.send' ORDER BY created_at, id",
        ))
        .await
        .unwrap();
    rows.iter().map(|r| r.get::<Value>("payload").unwrap()).collect()
}

async fn a_template_with_an_unknown_variable_is_refused_naming_it(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let response = r
        .rep
        .put(
            "/api/v1/email-templates/my_intro",
            &json!({"name": "Intro", "subject": "Hi", "body": "Hello {{ frist_name | default(\"there\") }}"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = crate::error_of(response).await;
    assert_eq!(error["field"], "body");
    assert_eq!(error["code"], "unknown_variable");
    assert!(
        error["message"].as_str().unwrap().contains("frist_name"),
        "{error}"
    );

    let (status, saved) = r
        .rep
        .put(
            "/api/v1/email-templates/my_intro",
            &json!({"name": "Intro", "subject": "Hi {{ first_name }}", "body": "Hello {{ company | default(\"you\") }}"}),
        )
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved.json::<Value>().await.unwrap()["id"], "my_intro");

    // A preview renders the template with a real record.
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let (status, preview) = get(
        &r.rep,
        &format!("/api/v1/email-templates/my_intro/preview?person_id={ada}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["subject"], "Hi Ada");
    assert!(preview["text"].as_str().unwrap().contains("Hello Acme"));

    // A sequence naming a template that does not exist is refused at save time.
    let (status, err) = post(
        &r.rep,
        "/api/v1/sequences",
        json!({"name": "Broken", "steps": [call_step(0), {"kind": "automatic_email", "day_offset": 1, "template_id": "nope"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "steps[1].template_id");

    // The default cadence ships: 8 touches over about three weeks.
    let (_, list) = get(&r.rep, "/api/v1/sequences").await;
    let default = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["is_default"] == true)
        .expect("the default cadence is listed")
        .clone();
    let steps = default["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["day_offset"], 21);
    assert!(steps.iter().any(|s| s["kind"] == "linkedin"));
    assert_eq!(steps.iter().filter(|s| s["kind"] == "automatic_email").count(), 5);
}

async fn enrolling_reports_each_refusal_with_its_reason(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let first = sequence(&r.rep, json!([call_step(0), call_step(2)])).await;
    let second = sequence(&r.rep, json!([call_step(0)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    let cy = lead(&r.rep, "Cy", "Europe/London").await;
    let (status, _) = crate::records::patch(
        &r.rep,
        &format!("/api/v1/leads/{bob}"),
        json!({"unsubscribed": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    enroll(&r.rep, &second, &[&cy]).await;

    let out = enroll(&r.rep, &first, &[&ada, &bob, &cy]).await;
    assert_eq!(out["enrolled"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(out["enrolled"][0]["person_id"], ada.as_str());
    let refused: Vec<(String, String)> = out["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["person_id"].as_str().unwrap().to_owned(),
                x["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        vec![
            (bob.clone(), "unsubscribed".to_owned()),
            (cy.clone(), "already_enrolled".to_owned())
        ]
    );
    assert!(
        out["refused"][1]["message"]
            .as_str()
            .unwrap()
            .contains("already in another sequence")
    );
    // Enrolling makes the lead Accepted.
    assert_eq!(lead_status(&r.rep, &ada).await.0, "accepted");

    // Pause, resume and finish by hand; a finished one cannot be resumed.
    let enrollment = out["enrolled"][0]["id"].as_str().unwrap().to_owned();
    let act = |action: &'static str| {
        let rep = &r.rep;
        let path = format!("/api/v1/enrollments/{enrollment}/actions");
        async move { post(rep, &path, json!({"action": action})).await }
    };
    assert_eq!(act("pause").await.1["status"], "paused");
    assert_eq!(act("resume").await.1["status"], "active");
    let (_, finished) = act("finish").await;
    assert_eq!(
        (finished["status"].as_str(), finished["reason"].as_str()),
        (Some("finished"), Some("finished_by_hand"))
    );
    let (status, err) = act("resume").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["code"], "invalid_transition");

    // Inside the re-contact window (90 days by default) the person is refused, with the date.
    r.app.clock.advance(Duration::days(30));
    let again = enroll(&r.rep, &second, &[&ada]).await;
    assert_eq!(again["refused"][0]["code"], "recently_contacted");
    assert!(
        again["refused"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-05-31"),
        "{again}"
    );
    r.app.clock.advance(Duration::days(61));
    assert_eq!(
        enroll(&r.rep, &second, &[&ada]).await["enrolled"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(history(&r.rep, &ada).await.len(), 2);
}

async fn the_sweep_sends_each_automatic_email_once_inside_the_recipients_window(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([email_step(0), email_step(2)])).await;
    // 09:00 UTC on Monday is 04:00 in New York: before the 08:00–18:00 window.
    let ny = lead(&r.rep, "Nia", "America/New_York").await;
    enroll(&r.rep, &seq, &[&ny]).await;
    let report = r.app.app.sweep_sequences().await.unwrap();
    assert_eq!((report.emails_queued, report.postponed), (0, 0), "{report:?}");
    assert!(queued_emails(&r.app).await.is_empty());

    // 13:00 UTC is 08:00 in New York.
    r.app.clock.advance(Duration::hours(4));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 1);
    assert_eq!(
        r.app.app.sweep_sequences().await.unwrap().emails_queued,
        0,
        "never twice"
    );
    let emails = queued_emails(&r.app).await;
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert_eq!(email["to"][0]["email"], "nia@acme.example");
    assert_eq!(email["subject"], "Quick question, Nia");
    assert!(email["from_user_id"].as_str().is_some());
    let headers: Vec<(String, String)> = serde_json::from_value(email["headers"].clone()).unwrap();
    let list = headers
        .iter()
        .find(|(k, _)| k == "List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert!(list.1.starts_with("<https://prospector.example/u/"), "{list:?}");
    assert!(headers.contains(&(
        "List-Unsubscribe-Post".into(),
        "List-Unsubscribe=One-Click".into()
    )));
    assert!(
        email["text"]
            .as_str()
            .unwrap()
            .contains("Unsubscribe: https://prospector.example/u/")
    );

    // Day 2 follows up in the same thread.
    r.app.clock.advance(Duration::days(2));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 1);
    let emails = queued_emails(&r.app).await;
    assert_eq!(emails[1]["in_reply_to"], emails[0]["message_id"]);
    let h = history(&r.rep, &ny).await;
    assert_eq!(h[0]["status"], "finished");
    assert_eq!(h[0]["reason"], "completed_no_reply");
    assert_eq!(h[0]["steps"].as_array().unwrap().len(), 2);

    // The sequence list counts what each step sent.
    let (_, s) = get(&r.rep, &format!("/api/v1/sequences/{seq}")).await;
    assert_eq!(s["steps"][0]["results"]["sent"], 1);
    assert_eq!(s["steps"][1]["results"]["sent"], 1);
}

async fn two_sweeps_at_once_never_send_a_step_twice(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([email_step(0)])).await;
    // A generous cap and no spacing, so every email is due at once.
    let mut tx = r.app.store.begin().await.unwrap();
    tx.execute(query(
        "UPDATE mailboxes SET daily_cap = 1000, min_spacing_seconds = 0",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(lead(&r.rep, &format!("P{i}"), "Europe/London").await);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(
        enroll(&r.rep, &seq, &refs).await["enrolled"]
            .as_array()
            .unwrap()
            .len(),
        30
    );

    // A second server process: its own connection pool on the same database.
    let other = App::new(
        r.app.db.store().await,
        std::sync::Arc::new(r.app.clock.clone()),
        AppSettings::default(),
    );
    let (a, b) = tokio::join!(r.app.app.sweep_sequences(), other.sweep_sequences());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.emails_queued + b.emails_queued, 30, "{a:?} {b:?}");
    let emails = queued_emails(&r.app).await;
    assert_eq!(emails.len(), 30);
    let mut recipients: Vec<&str> = emails
        .iter()
        .map(|e| e["to"][0]["email"].as_str().unwrap())
        .collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), 30, "each person exactly once");
}

async fn insert_inbound(app: &TestApp, mailbox_id: &str, uid: i64, row: Value) {
    let now = app.app.now();
    let m = prospector_store::mail::InboundRow {
        id: uuid::Uuid::now_v7(),
        mailbox_id: mailbox_id.parse().unwrap(),
        folder: "INBOX".into(),
        uid_validity: 1,
        uid,
        message_id: Some(format!("<in-{uid}@acme.example>")),
        in_reply_to: row["in_reply_to"].as_str().map(str::to_owned),
        from_email: row["from"].as_str().map(str::to_owned),
        subject: Some("Re".into()),
        sent_date: Some(now),
        signal: row["signal"].as_str().unwrap().to_owned(),
        signal_json: row.get("signal_json").cloned(),
        bounce_recipient: row["bounce_recipient"].as_str().map(str::to_owned),
        return_date: row["return_date"].as_str().map(|d| d.parse().unwrap()),
        error: None,
        size_bytes: 100,
        imported_at: now,
        handled_at: None,
    };
    let mut tx = app.store.begin().await.unwrap();
    assert!(prospector_store::mail::insert_inbound(&mut tx, &m).await.unwrap());
    tx.commit().await.unwrap();
}

async fn replies_bounces_and_out_of_office_answers_act_on_enrollments(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([email_step(0), email_step(3), email_step(6)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    let cy = lead(&r.rep, "Cy", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada, &bob, &cy]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 3);
    let emails = queued_emails(&r.app).await;
    let to_ada = emails
        .iter()
        .find(|e| e["to"][0]["email"] == "ada@acme.example")
        .unwrap();

    // Ada replies to the email: finished, Qualifying, the step shows the reply.
    insert_inbound(
        &r.app,
        &r.mailbox_id,
        1,
        json!({"signal": "reply", "from": "ada@acme.example",
        "in_reply_to": to_ada["message_id"]}),
    )
    .await;
    // Bob's address bounces permanently: finished, Bad Data (bounced email).
    insert_inbound(&r.app, &r.mailbox_id, 2, json!({"signal": "bounce", "from": "mailer-daemon@mx.acme.example",
        "bounce_recipient": "bob@acme.example",
        "signal_json": {"type": "bounce", "recipient": "bob@acme.example", "status": "5.1.1", "permanent": true}})).await;
    // Cy is away until Monday the 9th (the date the auto-reply gave).
    insert_inbound(
        &r.app,
        &r.mailbox_id,
        3,
        json!({"signal": "out_of_office", "from": "cy@acme.example",
        "return_date": "2026-03-09"}),
    )
    .await;
    let report = r.app.app.sweep_sequences().await.unwrap();
    assert_eq!(report.signals, 3);

    let a = &history(&r.rep, &ada).await[0];
    assert_eq!(
        (a["status"].as_str(), a["reason"].as_str()),
        (Some("finished"), Some("replied"))
    );
    assert_eq!(a["steps"][0]["outcome"], "replied");
    assert_eq!(lead_status(&r.rep, &ada).await.0, "qualifying");
    let b = &history(&r.rep, &bob).await[0];
    assert_eq!(
        (b["status"].as_str(), b["reason"].as_str()),
        (Some("finished"), Some("bounced"))
    );
    assert_eq!(
        lead_status(&r.rep, &bob).await,
        ("bad_data".into(), Some("bounced_email".into()))
    );
    let c = &history(&r.rep, &cy).await[0];
    assert_eq!(
        (c["status"].as_str(), c["reason"].as_str()),
        (Some("paused"), Some("out_of_office"))
    );

    // Handled once: a second sweep changes nothing.
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().signals, 0);

    // Days pass: nobody paused or finished gets email; Cy resumes on the 9th and gets the next
    // step with its spacing kept.
    r.app.clock.advance(Duration::days(4));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 0);
    r.app.clock.advance(Duration::days(3));
    let report = r.app.app.sweep_sequences().await.unwrap();
    assert_eq!(report.resumed, 1, "{report:?}");
    assert_eq!(history(&r.rep, &cy).await[0]["status"], "active");
    r.app.clock.advance(Duration::days(3));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 1);
    let last = queued_emails(&r.app).await;
    assert_eq!(last.last().unwrap()["to"][0]["email"], "cy@acme.example");

    // The bounced address is never enrolled again.
    let other = sequence(&r.rep, json!([email_step(0)])).await;
    r.app.clock.advance(Duration::days(200));
    assert_eq!(
        enroll(&r.rep, &other, &[&bob]).await["refused"][0]["code"],
        "unsubscribed"
    );
}

async fn the_unsubscribe_link_stops_every_email_to_the_address(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([email_step(0), email_step(2)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada]).await;
    r.app.app.sweep_sequences().await.unwrap();
    let email = queued_emails(&r.app).await.remove(0);
    let text = email["text"].as_str().unwrap();
    let url = text[text.find("https://prospector.example/u/").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let path = url.trim_start_matches("https://prospector.example");

    // Opening the link shows a button and changes nothing (mail scanners open links).
    let plain = reqwest::Client::new();
    let page = plain.get(r.app.url(path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<button"));
    assert_eq!(history(&r.rep, &ada).await[0]["status"], "active");

    // The one-click POST (RFC 8058), as a mail provider sends it: no session, no CSRF token.
    let done = plain
        .post(r.app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let h = &history(&r.rep, &ada).await[0];
    assert_eq!(
        (h["status"].as_str(), h["reason"].as_str()),
        (Some("finished"), Some("unsubscribed"))
    );
    assert_eq!(
        lead_status(&r.rep, &ada).await,
        ("disqualified".into(), Some("unsubscribe".into()))
    );
    // Again is harmless; an unknown token is 404.
    assert_eq!(
        plain.post(r.app.url(path)).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        plain.post(r.app.url("/u/nope")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    r.app.clock.advance(Duration::days(3));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 0);
    assert_eq!(queued_emails(&r.app).await.len(), 1);
    let other = sequence(&r.rep, json!([email_step(0)])).await;
    r.app.clock.advance(Duration::days(365));
    assert_eq!(
        enroll(&r.rep, &other, &[&ada]).await["refused"][0]["code"],
        "unsubscribed"
    );
}

async fn finishing_without_a_reply_recycles_the_lead_a_week_later(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(
        &r.rep,
        json!([{"kind": "task", "day_offset": 0, "script": "Research the account"}]),
    )
    .await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 1);
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    let item = today["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = post(&r.rep, &format!("/api/v1/today/{item}/done"), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let h = &history(&r.rep, &ada).await[0];
    assert_eq!(h["reason"], "completed_no_reply");
    assert_eq!(lead_status(&r.rep, &ada).await.0, "accepted");

    r.app.clock.advance(Duration::days(6));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().recycled, 0);
    assert_eq!(lead_status(&r.rep, &ada).await.0, "accepted");
    r.app.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().recycled, 1);
    assert_eq!(
        lead_status(&r.rep, &ada).await,
        ("recycle".into(), Some("no_response".into()))
    );
}

async fn today_puts_callable_people_first_and_logs_a_call_with_one_disposition(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([call_step(0), call_step(1)])).await;
    // At 09:00 UTC it is 18:00 in Tokyo (outside calling hours) and 09:00 in London.
    let tokyo = lead(&r.rep, "Taro", "Asia/Tokyo").await;
    let london = lead(&r.rep, "Lucy", "Europe/London").await;
    enroll(&r.rep, &seq, &[&tokyo, &london]).await;
    // Tokyo's first call was due at enrollment (next morning local); London's now.
    r.app.clock.advance(Duration::hours(1));
    let report = r.app.app.sweep_sequences().await.unwrap();
    assert_eq!(
        report.tasks_opened, 1,
        "only the London call is due yet: {report:?}"
    );
    r.app.clock.advance(Duration::hours(15));
    r.app.app.sweep_sequences().await.unwrap();
    // 01:00 UTC Tuesday: 10:00 in Tokyo, 01:00 in London.
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    let items = today["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{today}");
    assert_eq!(items[0]["person"]["first_name"], "Taro");
    assert_eq!(items[0]["callable_now"], true);
    assert_eq!(items[1]["callable_now"], false);
    assert_eq!(items[0]["script"], "Ask about their release process.");
    assert_eq!(items[0]["handbook_anchor"], "touch-1");
    assert_eq!(today["dispositions"][4]["code"], "meeting_booked");

    // A call needs a disposition.
    let taro_item = items[0]["id"].as_str().unwrap().to_owned();
    let (status, err) = post(&r.rep, &format!("/api/v1/today/{taro_item}/done"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "disposition");
    let (status, _) = post(
        &r.rep,
        &format!("/api/v1/today/{taro_item}/done"),
        json!({"disposition": "meeting_booked", "note": "Demo on Thursday"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = post(
        &r.rep,
        &format!("/api/v1/today/{taro_item}/done"),
        json!({"disposition": "connected"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "done once");
    let lucy_item = items[1]["id"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &r.rep,
        &format!("/api/v1/today/{lucy_item}/done"),
        json!({"disposition": "no_answer"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The meeting finished Taro's enrollment and made him Qualifying; Lucy goes on to her next call.
    let t = &history(&r.rep, &tokyo).await[0];
    assert_eq!(t["reason"], "meeting_booked");
    assert_eq!(lead_status(&r.rep, &tokyo).await.0, "qualifying");
    assert_eq!(history(&r.rep, &london).await[0]["status"], "active");
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
    assert_eq!(
        today["counts"],
        json!({"calls": 2, "connects": 1, "emails": 0, "meetings": 1})
    );
    // The calls are on the person's timeline.
    let (_, timeline) = get(&r.rep, &format!("/api/v1/leads/{tokyo}/timeline")).await;
    assert!(timeline.to_string().contains("meeting_booked"), "{timeline}");
}

/// A sequence with its own settings: calling hours, holidays, what a reply does.
pub(crate) async fn sequence_with(client: &ApiClient, name: &str, steps: Value, settings: Value) -> String {
    let (status, s) = post(
        client,
        "/api/v1/sequences",
        json!({"name": name, "steps": steps, "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    s["id"].as_str().unwrap().to_owned()
}

/// Settings with this window, holidays and reply behaviour (business days, 90-day re-contact).
pub(crate) fn settings(start: &str, end: &str, holidays: Value, on_reply: &str) -> Value {
    json!({"sending_window": {"start": start, "end": end}, "business_days_only": true,
           "holidays": holidays, "on_reply": on_reply, "recontact_window_days": 90})
}

/// A two-call sequence with its own calling hours and holidays.
async fn sequence_with_hours(
    client: &ApiClient,
    name: &str,
    start: &str,
    end: &str,
    holidays: Value,
) -> String {
    let steps = json!([call_step(0), call_step(5)]);
    sequence_with(client, name, steps, settings(start, end, holidays, "finish")).await
}

fn names(today: &Value) -> Vec<(String, bool)> {
    today["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["person"]["first_name"].as_str().unwrap().to_owned(),
                i["callable_now"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn today_calls_people_only_inside_their_sequences_hours_and_pages_with_a_cursor(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    // Both people are on UTC; Monday 2 March 2026, 09:00. The long-hours sequence is off on Tuesday.
    let long_hours = sequence_with_hours(&r.rep, "Long hours", "08:00", "18:00", json!(["2026-03-03"])).await;
    let short_hours = sequence_with_hours(&r.rep, "Short hours", "10:00", "16:00", json!([])).await;
    let ada = lead(&r.rep, "Ada", "UTC").await;
    let bob = lead(&r.rep, "Bob", "UTC").await;
    enroll(&r.rep, &long_hours, &[&ada]).await;
    enroll(&r.rep, &short_hours, &[&bob]).await;
    r.app.clock.advance(Duration::hours(1));
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);

    // 16:30: past the short sequence's hours, inside the long one's.
    r.app.clock.advance(Duration::minutes(390));
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert_eq!(
        names(&today),
        vec![("Ada".to_owned(), true), ("Bob".to_owned(), false)],
        "{today}"
    );
    assert_eq!(
        (today["total"].as_i64(), today["callable"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(today["next"].is_null());

    // Tuesday 10:30: a holiday for the long-hours sequence, inside the short one's hours.
    r.app.clock.advance(Duration::hours(18));
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert_eq!(
        names(&today),
        vec![("Bob".to_owned(), true), ("Ada".to_owned(), false)],
        "{today}"
    );

    // One item per page: the cursor leads to the second and last page.
    let (status, first) = get(&r.rep, "/api/v1/today?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(names(&first), vec![("Bob".to_owned(), true)]);
    assert_eq!(first["total"], 2);
    let next = first["next"].as_str().expect("a next cursor").to_owned();
    let (_, second) = get(&r.rep, &format!("/api/v1/today?limit=1&after={next}")).await;
    assert_eq!(names(&second), vec![("Ada".to_owned(), false)], "{second}");
    assert!(second["next"].is_null(), "{second}");

    // Bad paging is refused naming the parameter.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("after=nonsense", "after"),
    ] {
        let (status, err) = get(&r.rep, &format!("/api/v1/today?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {err}");
        assert_eq!(err["error"]["field"], field, "{query}");
    }
}

async fn the_sweep_keeps_each_mailboxs_daily_cap_and_spacing_and_skips_holidays(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    // Three emails a day, ten minutes apart; Tuesday is a holiday for the sequence.
    let mut tx = r.app.store.begin().await.unwrap();
    tx.execute(query(
        "UPDATE mailboxes SET daily_cap = 3, min_spacing_seconds = 600",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let holiday_tuesday = settings("08:00", "18:00", json!(["2026-03-03"]), "finish");
    let seq = sequence_with(&r.rep, "Paced", json!([email_step(0)]), holiday_tuesday).await;
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dan", "Eve"] {
        people.push(lead(&r.rep, name, "UTC").await);
    }
    let ids: Vec<&str> = people.iter().map(String::as_str).collect();
    enroll(&r.rep, &seq, &ids).await;

    // Sweep every five minutes from Monday 09:00 to Wednesday 18:00 (UTC for the rep and everyone).
    let start = r.app.app.now();
    let mut sent_at = Vec::new();
    while r.app.app.now() < start + Duration::hours(57) {
        let report = r.app.app.sweep_sequences().await.unwrap();
        for _ in 0..report.emails_queued {
            sent_at.push(r.app.app.now());
        }
        r.app.clock.advance(Duration::minutes(5));
    }
    let per_day: Vec<usize> = (0..3)
        .map(|d| {
            let day = start.date_naive() + Duration::days(d);
            sent_at.iter().filter(|t| t.date_naive() == day).count()
        })
        .collect();
    assert_eq!(
        per_day,
        vec![3, 0, 2],
        "Monday capped, Tuesday a holiday: {sent_at:?}"
    );
    assert!(
        sent_at.windows(2).all(|w| w[1] - w[0] >= Duration::minutes(10)),
        "ten minutes between sends: {sent_at:?}"
    );
    // Each person got exactly one email.
    let mut recipients: Vec<String> = queued_emails(&r.app)
        .await
        .iter()
        .map(|e| e["to"][0]["email"].as_str().unwrap().to_owned())
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 5);
    assert_eq!(queued_emails(&r.app).await.len(), 5);
}

async fn an_exit_status_or_a_booked_meeting_logged_elsewhere_ends_the_sequence(db: TestDb) {
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([call_step(0), call_step(2)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    let bob = lead(&r.rep, "Bob", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada, &bob]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().tasks_opened, 2);

    // Disqualifying Ada by hand finishes her enrollment and takes her call off Today.
    let (status, moved) = post(
        &r.rep,
        &format!("/api/v1/leads/{ada}/status"),
        json!({"status": "disqualified", "reason": "student"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let h = &history(&r.rep, &ada).await[0];
    assert_eq!(
        (h["status"].as_str(), h["reason"].as_str()),
        (Some("finished"), Some("exit_status"))
    );
    assert_eq!(h["steps"][0]["status"], "cancelled");

    // A meeting booked on a call logged from Bob's page finishes his and makes him Qualifying.
    let (status, call) = post(
        &r.rep,
        "/api/v1/activities",
        json!({"person_id": bob, "kind": "call", "disposition": "meeting_booked"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(history(&r.rep, &bob).await[0]["reason"], "meeting_booked");
    assert_eq!(lead_status(&r.rep, &bob).await.0, "qualifying");
    let (_, today) = get(&r.rep, "/api/v1/today").await;
    assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
}
