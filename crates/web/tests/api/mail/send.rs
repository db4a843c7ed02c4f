//! Sending: through the rep's own mailbox, with threading and invitation, exactly once.

use std::time::Duration;

use prospector_app::mail::send::SendHandler;
use prospector_app::mail::{CalendarPart, ServerAccount, imap};
use prospector_store::{Exec, query};
use prospector_testkit::mail::MAIL_PASSWORD;
use prospector_testkit::{TestDb, on_both_backends};

use super::{LEAD, REP, count_containing, email_from, enqueue, fixture, mailbox_json, worker};

on_both_backends!(
    an_enqueued_email_arrives_with_threading_unsubscribe_and_invitation,
    a_send_interrupted_after_the_server_accepted_it_is_not_repeated,
    an_unreachable_smtp_server_is_retried_with_backoff_then_delivered_once,
    two_workers_draining_the_same_outbox_send_each_message_once,
);

fn imap_account(port: u16, user: &str) -> ServerAccount {
    ServerAccount {
        host: "127.0.0.1".into(),
        port,
        security: prospector_app::mail::Security::None,
        username: Some(user.into()),
        password: Some(MAIL_PASSWORD.into()),
    }
}

async fn an_enqueued_email_arrives_with_threading_unsubscribe_and_invitation(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let mut email = email_from(&f.app, &f.rep_id, "Meeting: Acme x Prospector");
    email.html = Some("<p>Hi Lee, <b>worth a call</b>?</p>".into());
    email.in_reply_to = Some("<thread-1@acme.example>".into());
    email.headers = vec![
        ("List-Unsubscribe".into(), "<https://p.example/u/tok123>".into()),
        (
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ),
    ];
    email.calendar = Some(CalendarPart {
        method: "REQUEST".into(),
        ics: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//prospector//test\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:m1@prospector.test\r\nDTSTAMP:20260302T090000Z\r\nDTSTART:20260303T150000Z\r\nDTEND:20260303T153000Z\r\nSUMMARY:Acme x Prospector\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".into(),
    });
    enqueue(&f.app, &email).await;

    assert_eq!(worker(&f.app, "w1").run_once().await.unwrap(), 1);
    let inbox = f
        .servers
        .wait_for_messages(LEAD, 1, Duration::from_secs(10))
        .await;
    assert_eq!(inbox.len(), 1);
    let raw = String::from_utf8_lossy(&inbox[0]).to_string();
    let unfolded = raw.replace("\r\n ", " ").replace("\r\n\t", " ");
    assert!(
        unfolded.contains(&format!("Message-ID: {}", email.message_id)),
        "{raw}"
    );
    assert!(unfolded.contains("In-Reply-To: <thread-1@acme.example>"), "{raw}");
    assert!(unfolded.contains("References: <thread-1@acme.example>"), "{raw}");
    assert!(
        unfolded.contains("List-Unsubscribe: <https://p.example/u/tok123>"),
        "{raw}"
    );
    assert!(
        unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    assert!(
        unfolded.contains("From: \"Sam Rep\" <sam@example.com>")
            || unfolded.contains("From: Sam Rep <sam@example.com>"),
        "{raw}"
    );
    assert!(unfolded.contains("multipart/alternative"), "{raw}");
    assert!(unfolded.contains("text/html"), "{raw}");
    assert!(
        unfolded.contains("text/calendar; charset=utf-8; method=REQUEST"),
        "{raw}"
    );

    // The real IMAP server has it, under its Message-ID: in the lead's INBOX and the rep's Sent.
    let timeout = Duration::from_secs(10);
    assert!(
        imap::has_message_id(
            &imap_account(f.servers.imap_port, LEAD),
            &email.message_id,
            &["INBOX"],
            timeout
        )
        .await
        .unwrap()
    );
    assert!(
        imap::has_message_id(
            &imap_account(f.servers.imap_port, REP),
            &email.message_id,
            &["Sent"],
            timeout
        )
        .await
        .unwrap()
    );
    assert!(
        !imap::has_message_id(
            &imap_account(f.servers.imap_port, REP),
            "<nope@x>",
            &["Sent", "INBOX"],
            timeout
        )
        .await
        .unwrap()
    );

    let mailbox = mailbox_json(&f).await;
    assert_eq!(mailbox["sent_today"], 1);
    assert!(mailbox["last_sent_at"].is_string());
    assert!(mailbox["last_send_error"].is_null());
}

async fn a_send_interrupted_after_the_server_accepted_it_is_not_repeated(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let email = email_from(&f.app, &f.rep_id, "Once only");
    enqueue(&f.app, &email).await;
    let now = f.app.app.now();
    let mut tx = f.app.store.begin().await.unwrap();
    let claimed = prospector_store::outbox::claim(&mut tx, "crashy", now, chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let item = claimed.into_iter().find(|c| c.kind == "email.send").unwrap();

    // The handler runs, the server accepts, then the worker "dies" before completing the item;
    // the handler runs again for the same item.
    let handler = SendHandler::default();
    handler.deliver(&f.app.app, &item).await.unwrap();
    handler.deliver(&f.app.app, &item).await.unwrap();
    assert_eq!(f.servers.smtp_accepted(), 1);

    // Worse: it died between the server's 250 and recording it. The Message-ID is found in the
    // rep's Sent folder over IMAP, so it is not sent again.
    let mut tx = f.app.store.begin().await.unwrap();
    prospector_store::mail::forget_sent(&mut tx, &email.message_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    SendHandler::default().deliver(&f.app.app, &item).await.unwrap();
    assert_eq!(f.servers.smtp_accepted(), 1);

    // The lease runs out and a live worker picks the item up: still one message.
    f.app.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(worker(&f.app, "w2").run_once().await.unwrap(), 1);
    assert_eq!(f.servers.smtp_accepted(), 1);
    let inbox = f.servers.wait_for_messages(LEAD, 1, Duration::from_secs(5)).await;
    assert_eq!(count_containing(&inbox, &email.message_id), 1);
    let (state, attempts) =
        prospector_store::mail::sent_message(&mut f.app.store.reader(), &email.message_id)
            .await
            .unwrap()
            .unwrap();
    // Two attempts started (the first, and the one settled by the IMAP lookup); one message.
    assert_eq!((state.as_str(), attempts), ("sent", 2));
}

async fn an_unreachable_smtp_server_is_retried_with_backoff_then_delivered_once(db: TestDb) {
    let Some(mut f) = fixture(db).await else { return };
    f.servers.stop_smtp().await;
    let email = email_from(&f.app, &f.rep_id, "Patience");
    enqueue(&f.app, &email).await;
    let w = worker(&f.app, "w1");
    assert_eq!(w.run_once().await.unwrap(), 1);

    // The failure is visible on the mailbox (API and page) and on the outbox item.
    let mailbox = mailbox_json(&f).await;
    let error = mailbox["last_send_error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("127.0.0.1"), "{mailbox}");
    let row = f
        .app
        .store
        .reader()
        .fetch_one(query(
            "SELECT last_error, done_at, failed_at FROM outbox WHERE kind = 'email.send'",
        ))
        .await
        .unwrap();
    assert!(row.get::<Option<String>>("last_error").unwrap().is_some());
    assert!(
        row.get::<Option<chrono::DateTime<chrono::Utc>>>("done_at")
            .unwrap()
            .is_none()
    );
    let browser = f.app.browser();
    let login = crate::form_login(&f.app, &browser, REP, prospector_testkit::TEST_PASSWORD).await;
    assert!(login.status().is_redirection());
    let page = browser
        .get(f.app.url("/settings/mailboxes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("retrying"), "{page}");

    // Not retried before its backoff; retried after, still failing while the server is down.
    assert_eq!(w.run_once().await.unwrap(), 0);
    f.app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(w.run_once().await.unwrap(), 1);
    assert_eq!(f.servers.smtp_accepted(), 0);

    // The server comes back: the next retry delivers it, once, and the error clears.
    f.servers.start_smtp().await;
    f.app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(w.run_once().await.unwrap(), 1);
    assert_eq!(f.servers.smtp_accepted(), 1);
    let mailbox = mailbox_json(&f).await;
    assert!(mailbox["last_send_error"].is_null(), "{mailbox}");
    f.app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(w.run_once().await.unwrap(), 0, "nothing left to do");
    let inbox = f.servers.wait_for_messages(LEAD, 1, Duration::from_secs(5)).await;
    assert_eq!(count_containing(&inbox, &email.message_id), 1);
}

async fn two_workers_draining_the_same_outbox_send_each_message_once(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let total = 30;
    let mut ids = Vec::new();
    for i in 0..total {
        let email = email_from(&f.app, &f.rep_id, &format!("Hello #{i}"));
        ids.push(email.message_id.clone());
        enqueue(&f.app, &email).await;
    }
    // Both claim at once; PostgreSQL's SKIP LOCKED and SQLite's single writer keep them apart.
    let (a, b) = (worker(&f.app, "worker-a"), worker(&f.app, "worker-b"));
    let drain = |w: prospector_app::outbox::Worker| async move {
        let mut ran = 0;
        loop {
            let n = w.run_once().await.unwrap();
            if n == 0 {
                return ran;
            }
            ran += n;
        }
    };
    let (ran_a, ran_b) = tokio::join!(drain(a), drain(b));
    assert_eq!(ran_a + ran_b, total);
    assert_eq!(f.servers.smtp_accepted(), total);
    let inbox = f
        .servers
        .wait_for_messages(LEAD, total, Duration::from_secs(10))
        .await;
    for id in &ids {
        assert_eq!(count_containing(&inbox, id), 1, "{id}");
    }
}
