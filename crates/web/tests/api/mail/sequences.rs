//! The outbound engine over real mail servers: an automatic email step goes out through the
//! rep's SMTP server into the prospect's mailbox, and what comes back into the rep's IMAP inbox —
//! a reply (threaded with In-Reply-To), a DSN bounce, an out-of-office answer — is picked up by
//! the IMAP sync and acts on the enrollment. The clock is injected, so the out-of-office return
//! date is reached without waiting.

use std::time::Duration as StdDuration;

use chrono::Duration;
use prospector_app::Actor;
use prospector_store::{Exec, query};
use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Fixture, REP, fixture};
use crate::records::post;
use crate::sequences::{email_step, enroll, history, lead, lead_status, sequence, sequence_with, settings};

on_both_backends!(replies_bounces_and_out_of_office_answers_over_imap_drive_the_sequence);

const WAIT: StdDuration = StdDuration::from_secs(20);

/// The Message-ID header of a raw message.
fn message_id(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_owned())
        })
        .expect("a Message-ID header")
}

/// The one message that reached `address`, waiting for the SMTP server to deliver it.
async fn the_email_to(f: &Fixture, address: &str, n: usize) -> Vec<u8> {
    let mut messages = f.servers.wait_for_messages(address, n, WAIT).await;
    assert_eq!(messages.len(), n, "{address} got {} messages", messages.len());
    messages.pop().unwrap()
}

fn reply(from: &str, to_message: &str) -> String {
    format!(
        "From: {from}\r\nTo: Sam Rep <{REP}>\r\nSubject: Re: your note\r\nMessage-ID: <re-{n}>\r\n\
         In-Reply-To: {to_message}\r\nReferences: {to_message}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n\
         Happy to talk, call me on Thursday.\r\n",
        n = from.replace('@', ".")
    )
}

fn dsn(recipient: &str, original: &str) -> String {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: {REP}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.acme.example>\r\n\
         Date: Mon, 2 Mar 2026 10:01:00 +0000\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n\
         --b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original}\r\nTo: {recipient}\r\n\r\n--b1--\r\n"
    )
}

fn out_of_office(from: &str) -> String {
    format!(
        "From: {from}\r\nTo: {REP}\r\nSubject: Automatic reply: your note\r\nMessage-ID: <ooo-1@acme.example>\r\n\
         Auto-Submitted: auto-replied\r\nDate: Mon, 2 Mar 2026 10:02:00 +0000\r\n\r\n\
         I am out of the office until March 9, 2026 with limited access to email.\r\n"
    )
}

async fn sync(f: &Fixture) -> Value {
    let (status, report) = post(
        &f.rep,
        &format!("/api/v1/mailboxes/{}/sync", f.mailbox_id),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

fn state(enrollment: &Value) -> (String, String) {
    (
        enrollment["status"].as_str().unwrap_or_default().to_owned(),
        enrollment["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn replies_bounces_and_out_of_office_answers_over_imap_drive_the_sequence(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    // Several people are emailed in one sweep: no spacing between sends.
    let mut tx = f.app.store.begin().await.unwrap();
    tx.execute(query("UPDATE mailboxes SET min_spacing_seconds = 0"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    f.app
        .app
        .set_public_url(&Actor::cli(), "https://prospector.example")
        .await
        .unwrap();
    let finishing = sequence(&f.rep, json!([email_step(0), email_step(3)])).await;
    let steps = json!([email_step(0), email_step(3)]);
    let pausing = sequence_with(
        &f.rep,
        "Pause on reply",
        steps,
        settings("08:00", "18:00", json!([]), "pause"),
    )
    .await;
    // Monday 09:00 UTC: inside everyone's window.
    let lee = lead(&f.rep, "Lee", "UTC").await;
    let gus = lead(&f.rep, "Gus", "UTC").await;
    let olga = lead(&f.rep, "Olga", "UTC").await;
    let pat = lead(&f.rep, "Pat", "UTC").await;
    enroll(&f.rep, &finishing, &[&lee, &gus, &olga]).await;
    enroll(&f.rep, &pausing, &[&pat]).await;
    assert_eq!(f.app.app.sweep_sequences().await.unwrap().emails_queued, 4);

    // The worker sends them through the rep's SMTP server into each prospect's mailbox.
    let worker = super::worker(&f.app, "w1");
    assert_eq!(worker.run_once().await.unwrap(), 4);
    let to_lee = message_id(&the_email_to(&f, "lee@acme.example", 1).await);
    let to_pat = message_id(&the_email_to(&f, "pat@acme.example", 1).await);
    let to_gus = message_id(&the_email_to(&f, "gus@acme.example", 1).await);
    let to_olga = the_email_to(&f, "olga@acme.example", 1).await;

    // What comes back lands in the rep's inbox; the IMAP sync picks it up.
    f.servers
        .deliver(REP, reply("Lee Prospect <lee@acme.example>", &to_lee).as_bytes());
    f.servers
        .deliver(REP, reply("Pat Prospect <pat@acme.example>", &to_pat).as_bytes());
    f.servers
        .deliver(REP, dsn("gus@acme.example", &to_gus).as_bytes());
    f.servers
        .deliver(REP, out_of_office("Olga Prospect <olga@acme.example>").as_bytes());
    assert_eq!(sync(&f).await["imported"], 4);
    assert_eq!(f.app.app.sweep_sequences().await.unwrap().signals, 4);

    // Lee replied: finished, Qualifying, the step shows the reply.
    let l = &history(&f.rep, &lee).await[0];
    assert_eq!(state(l), ("finished".into(), "replied".into()), "{l}");
    assert_eq!(l["steps"][0]["outcome"], "replied");
    assert_eq!(lead_status(&f.rep, &lee).await.0, "qualifying");
    // Pat's sequence pauses on a reply instead; Pat is Qualifying too.
    let p = &history(&f.rep, &pat).await[0];
    assert_eq!(state(p), ("paused".into(), "replied".into()), "{p}");
    assert_eq!(lead_status(&f.rep, &pat).await.0, "qualifying");
    // Gus's address bounced: stopped, Bad Data (bounced email).
    let g = &history(&f.rep, &gus).await[0];
    assert_eq!(state(g), ("finished".into(), "bounced".into()), "{g}");
    assert_eq!(
        lead_status(&f.rep, &gus).await,
        ("bad_data".into(), Some("bounced_email".into()))
    );
    // Olga is away: paused until the date her auto-reply gave.
    assert_eq!(
        state(&history(&f.rep, &olga).await[0]),
        ("paused".into(), "out_of_office".into())
    );

    // A week on nothing has moved; once her return date has passed Olga resumes, and her next
    // email goes out threaded under the first.
    f.app.clock.advance(Duration::days(6));
    let report = f.app.app.sweep_sequences().await.unwrap();
    assert_eq!((report.resumed, report.emails_queued), (0, 0), "{report:?}");
    f.app.clock.advance(Duration::days(2));
    assert_eq!(f.app.app.sweep_sequences().await.unwrap().resumed, 1);
    assert_eq!(history(&f.rep, &olga).await[0]["status"], "active");
    f.app.clock.advance(Duration::days(3));
    assert_eq!(f.app.app.sweep_sequences().await.unwrap().emails_queued, 1);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let second = String::from_utf8_lossy(&the_email_to(&f, "olga@acme.example", 2).await).into_owned();
    let first_id = message_id(&to_olga);
    assert!(
        second.contains(&format!("In-Reply-To: {first_id}")),
        "the follow-up is threaded under {first_id}: {second}"
    );
    // Nobody else got a second email.
    for address in ["lee@acme.example", "pat@acme.example", "gus@acme.example"] {
        assert_eq!(f.servers.messages(address, None).len(), 1, "{address}");
    }
}
