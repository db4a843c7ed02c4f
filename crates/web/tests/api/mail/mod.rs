//! Mail end to end against real servers on loopback (dovecot for IMAP, aiosmtpd delivering into
//! it): sending through each user's own mailbox exactly once, retries while SMTP is down, IMAP
//! sync of replies, bounces and out-of-office answers, the sequence engine acting on them, and the
//! mailbox API and page.

mod api;
mod send;
mod sequences;
mod sync;

use prospector_app::mail::{self, Address, OutgoingEmail};
use prospector_app::outbox::Worker;
use prospector_store::Exec;
use prospector_testkit::mail::{MAIL_PASSWORD, MailServers};
use prospector_testkit::{ApiClient, TestApp, TestDb};
use serde_json::{Value, json};

/// The rep whose mailbox the tests use.
pub const REP: &str = "sam@example.com";
/// The prospect they write to.
pub const LEAD: &str = "lee@acme.example";

/// A running app, mail servers, and a rep with a mailbox on them.
pub struct Fixture {
    pub app: TestApp,
    pub servers: MailServers,
    pub rep: ApiClient,
    pub rep_id: String,
    pub mailbox_id: String,
}

/// The mailbox body pointing at `servers` (IMAP optional).
pub fn mailbox_body(servers: &MailServers, imap_port: Option<u16>) -> Value {
    let mut body = json!({
        "from_email": REP,
        "from_name": "Sam Rep",
        "smtp": {"host": "127.0.0.1", "port": servers.smtp_port, "security": "none",
                 "username": REP, "password": MAIL_PASSWORD},
        "daily_cap": 300,
    });
    if let Some(port) = imap_port {
        body["imap"] = json!({"host": "127.0.0.1", "port": port, "security": "none",
                              "username": REP, "password": MAIL_PASSWORD});
    }
    body
}

/// Starts everything; `None` when the mail servers are not installed (outside CI).
pub async fn fixture(db: TestDb) -> Option<Fixture> {
    let servers = MailServers::start().await?;
    let app = TestApp::spawn(db).await;
    let (user, rep) = app.api_client(REP, "sdr").await;
    let created = rep
        .post(
            "/api/v1/mailboxes",
            &mailbox_body(&servers, Some(servers.imap_port)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let created: Value = created.json().await.unwrap();
    // Adding a mailbox with IMAP queues its first poll; tests that count outbox items run polls
    // themselves (see sync.rs for the scheduled job), so that one is set aside.
    let mut tx = app.store.begin().await.unwrap();
    tx.execute(prospector_store::query(
        "UPDATE outbox SET done_at = created_at WHERE kind = 'mail.sync'",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Some(Fixture {
        mailbox_id: created["id"].as_str().unwrap().to_owned(),
        rep_id: user.id.to_string(),
        app,
        servers,
        rep,
    })
}

/// A worker that delivers mail, as `serve` builds it.
pub fn worker(app: &TestApp, name: &str) -> Worker {
    mail::with_mail_handlers(Worker::new(app.app.clone(), name))
}

/// A message from the rep to the lead.
pub fn email_from(app: &TestApp, rep_id: &str, subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        from_user_id: Some(rep_id.to_owned()),
        to: vec![Address {
            email: LEAD.into(),
            name: Some("Lee Lead".into()),
        }],
        cc: vec![],
        subject: subject.into(),
        text: "Hi Lee,\n\nworth a call next week?\n\nSam".into(),
        html: None,
        calendar: None,
        message_id: mail::new_message_id(app.app.now(), "prospector.test"),
        in_reply_to: None,
        headers: vec![],
        about: None,
    }
}

/// Queues `email` the way a use case does: in a transaction.
pub async fn enqueue(app: &TestApp, email: &OutgoingEmail) {
    let now = app.app.now();
    let mut tx = app.store.begin().await.unwrap();
    mail::enqueue_email(&mut tx, now, email, now).await.unwrap();
    tx.commit().await.unwrap();
}

/// The mailbox as the API shows it.
pub async fn mailbox_json(f: &Fixture) -> Value {
    f.rep
        .get(&format!("/api/v1/mailboxes/{}", f.mailbox_id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// How many times `needle` occurs in `messages`.
pub fn count_containing(messages: &[Vec<u8>], needle: &str) -> usize {
    messages
        .iter()
        .filter(|m| String::from_utf8_lossy(m).contains(needle))
        .count()
}
