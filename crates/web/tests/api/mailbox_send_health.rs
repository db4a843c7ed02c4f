//! The mailbox's sending health on both backends: an email its SMTP server refuses stays in the
//! outbox, shown on the API and the mailbox page as retrying with the error and the next attempt.

use chrono::Duration;
use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mail::worker;
use crate::records::get;
use crate::sequence_tasks_opens::page_as_rep;
use crate::sequences::{Rep, email_step, enroll, lead, rep_with_mailbox, sequence};

on_both_backends!(an_unreachable_smtp_server_shows_as_retrying_on_the_mailbox_page);

async fn sending(r: &Rep) -> Value {
    let (status, m) = get(&r.rep, &format!("/api/v1/mailboxes/{}", r.mailbox_id)).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    m
}

async fn an_unreachable_smtp_server_shows_as_retrying_on_the_mailbox_page(db: TestDb) {
    // The rep's mailbox points at a port nothing listens on.
    let r = rep_with_mailbox(db).await;
    let seq = sequence(&r.rep, json!([email_step(0)])).await;
    let ada = lead(&r.rep, "Ada", "Europe/London").await;
    enroll(&r.rep, &seq, &[&ada]).await;
    assert_eq!(r.app.app.sweep_sequences().await.unwrap().emails_queued, 1);
    let m = sending(&r).await;
    assert_eq!(m["sending"]["queued"], 1, "{m}");
    assert_eq!(m["sending"]["pending"][0]["to"], "ada@acme.example");

    let w = worker(&r.app, "w1");
    w.run_once().await.unwrap();
    let failed_at = r.app.app.now();
    let m = sending(&r).await;
    assert_eq!(
        (
            &m["sending"]["queued"],
            &m["sending"]["retrying"],
            &m["sending"]["failed"]
        ),
        (&json!(0), &json!(1), &json!(0)),
        "{m}"
    );
    let pending = &m["sending"]["pending"][0];
    assert_eq!(pending["state"], "retrying");
    assert_eq!(pending["attempts"], 1);
    assert!(
        pending["last_error"].as_str().unwrap().contains("127.0.0.1"),
        "{pending}"
    );
    let next: chrono::DateTime<chrono::Utc> = pending["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next > failed_at && next <= failed_at + Duration::seconds(30),
        "backoff: {next}"
    );
    assert_eq!(m["sent_today"], 0);
    assert_eq!(m["daily_cap"], 50);

    // The page says the same, next to the sync health.
    let page = page_as_rep(&r.app, "/settings/mailboxes").await;
    assert!(page.contains("0 queued, 1 retrying, 0 failed"), "{page}");
    assert!(page.contains("id=\"pending-sends\""), "{page}");
    assert!(
        page.contains(">retrying</span></td><td>ada@acme.example</td>"),
        "{page}"
    );
    assert!(page.contains("0 of 50"), "{page}");
    assert!(page.contains("<dd id=\"last-sync\">never</dd>"), "{page}");
    assert!(page.contains("0 messages"), "{page}");
}
