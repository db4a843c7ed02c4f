//! IMAP sync: replies, bounces and out-of-office answers recorded once each; unreadable messages
//! recorded as errors and skipped.

use prospector_testkit::{TestDb, on_both_backends};
use serde_json::Value;

use super::{REP, fixture, mailbox_json};

on_both_backends!(
    a_sync_imports_each_reply_bounce_and_out_of_office_once_and_skips_unreadable_mail,
    an_unreachable_imap_server_is_shown_as_a_sync_error,
);

const REPLY: &str = "From: Lee Lead <lee@acme.example>\r\nTo: Sam Rep <sam@example.com>\r\n\
Subject: Re: Hello\r\nMessage-ID: <reply-1@acme.example>\r\nIn-Reply-To: <m1@prospector.test>\r\n\
References: <m1@prospector.test>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n\
Sure, Thursday works. Call me.\r\n";

const BOUNCE: &str = "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: sam@example.com\r\n\
Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.acme.example>\r\n\
Date: Mon, 2 Mar 2026 10:01:00 +0000\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n\r\n\
--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\n\
Final-Recipient: rfc822; gone@acme.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m2@prospector.test>\r\nTo: gone@acme.example\r\n\r\n--b1--\r\n";

const OUT_OF_OFFICE: &str = "From: Pat <pat@acme.example>\r\nTo: sam@example.com\r\n\
Subject: Automatic reply: Hello\r\nMessage-ID: <ooo-1@acme.example>\r\nAuto-Submitted: auto-replied\r\n\
Date: Mon, 2 Mar 2026 10:02:00 +0000\r\n\r\nI am out of the office until March 9, 2026 with limited access to email.\r\n";

const UNREADABLE: &[u8] = b"\x00\x01\x02\x03 this is not a mail message at all \xff\xfe";

async fn sync(f: &super::Fixture) -> Value {
    let response = f
        .rep
        .post(
            &format!("/api/v1/mailboxes/{}/sync", f.mailbox_id),
            &serde_json::json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn a_sync_imports_each_reply_bounce_and_out_of_office_once_and_skips_unreadable_mail(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    f.servers.deliver(REP, REPLY.as_bytes());
    f.servers.deliver(REP, UNREADABLE);
    f.servers.deliver(REP, BOUNCE.as_bytes());
    f.servers.deliver(REP, OUT_OF_OFFICE.as_bytes());

    // The scheduled job polls the mailbox and queues the next poll one interval later.
    f.app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(f.app.app.schedule_mailbox_syncs().await.unwrap(), 1);
    let worker = super::worker(&f.app, "w1");
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let first = mailbox_json(&f).await;
    assert_eq!(first["inbound_counts"]["reply"], 1, "{first}");
    assert_eq!(
        worker.run_once().await.unwrap(),
        0,
        "the next poll waits for its time"
    );
    f.app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(worker.run_once().await.unwrap(), 1, "the next poll runs on time");

    let second = sync(&f).await;
    assert_eq!(second["imported"], 0, "a second sync imports nothing: {second}");

    // The same reply delivered again (a new UID, the same Message-ID) is not imported twice.
    f.servers.deliver(REP, REPLY.as_bytes());
    let third = sync(&f).await;
    assert_eq!(
        (third["imported"].as_u64(), third["duplicates"].as_u64()),
        (Some(0), Some(1)),
        "{third}"
    );

    let list: Value = f
        .rep
        .get(&format!("/api/v1/mailboxes/{}/inbound", f.mailbox_id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let by = |signal: &str| {
        items
            .iter()
            .find(|i| i["signal"] == signal)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by("reply")["in_reply_to"], "<m1@prospector.test>");
    assert_eq!(by("reply")["from_email"], "lee@acme.example");
    assert_eq!(by("bounce")["bounce_recipient"], "gone@acme.example");
    assert_eq!(by("out_of_office")["return_date"], "2026-03-10");
    assert!(
        by("error")["error"].as_str().unwrap().contains("unreadable"),
        "{list}"
    );

    let mailbox = mailbox_json(&f).await;
    assert_eq!(mailbox["sync_status"], "ok", "{mailbox}");
    assert!(mailbox["last_sync_at"].is_string());
    assert_eq!(mailbox["inbound_counts"]["reply"], 1);
    assert_eq!(mailbox["inbound_counts"]["bounce"], 1);
    assert_eq!(mailbox["inbound_counts"]["out_of_office"], 1);
    assert_eq!(mailbox["inbound_counts"]["error"], 1);

    // App::sync_mailbox is what the scheduled job runs; it agrees.
    let id = f.mailbox_id.parse().unwrap();
    let report = f.app.app.sync_mailbox(id).await.unwrap();
    assert_eq!(report.imported, 0);
}

async fn an_unreachable_imap_server_is_shown_as_a_sync_error(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut body = super::mailbox_body(&f.servers, Some(closed));
    body["imap"]["password"] = Value::Null;
    let changed = f
        .rep
        .patch(&format!("/api/v1/mailboxes/{}", f.mailbox_id), &body)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let report = sync(&f).await;
    assert!(
        report["error"].as_str().unwrap().contains("cannot connect"),
        "{report}"
    );
    let mailbox = mailbox_json(&f).await;
    assert_eq!(mailbox["sync_status"], "error");
    assert!(
        mailbox["last_sync_error"]
            .as_str()
            .unwrap()
            .contains("cannot connect")
    );
    assert_eq!(
        mailbox["imap"]["password_set"], true,
        "a password left out is kept"
    );
}
