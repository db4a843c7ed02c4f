//! The mailbox API and page: passwords sealed at rest and never shown; owners and admins only.

use prospector_store::{Exec, query};
use prospector_testkit::mail::MAIL_PASSWORD;
use prospector_testkit::{TEST_PASSWORD, TestDb, on_both_backends};
use serde_json::Value;

use super::{REP, fixture};

on_both_backends!(
    mailbox_passwords_are_encrypted_at_rest_and_never_shown,
    only_the_owner_and_admins_see_a_mailbox,
    the_mailboxes_page_shows_sync_health_and_saves_the_form,
);

async fn mailbox_passwords_are_encrypted_at_rest_and_never_shown(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let rows = f
        .app
        .store
        .reader()
        .fetch_all(query(
            "SELECT smtp_password_enc, imap_password_enc FROM mailboxes",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    for column in ["smtp_password_enc", "imap_password_enc"] {
        let stored: String = rows[0].get(column).unwrap();
        assert!(stored.starts_with("v1:"), "{column}: {stored}");
        assert!(
            !stored.contains(MAIL_PASSWORD),
            "{column} holds the password in the clear"
        );
    }
    let shown = super::mailbox_json(&f).await.to_string();
    assert!(
        !shown.contains(MAIL_PASSWORD) && !shown.contains("v1:"),
        "{shown}"
    );
    assert!(shown.contains("\"password_set\":true"));
    let audit = f
        .app
        .store
        .reader()
        .fetch_all(query(
            "SELECT after_json FROM audit_log WHERE action = 'mailbox.create'",
        ))
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    let after: Option<Value> = audit[0].get("after_json").unwrap_or(None);
    let after = after.map(|v| v.to_string()).unwrap_or_default();
    assert!(
        !after.contains(MAIL_PASSWORD) && !after.contains("v1:"),
        "{after}"
    );
}

async fn only_the_owner_and_admins_see_a_mailbox(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let (_, other) = f.app.api_client("kim@example.com", "sdr").await;
    let (_, admin) = f.app.api_client("admin@example.com", "admin").await;
    let path = format!("/api/v1/mailboxes/{}", f.mailbox_id);
    assert_eq!(other.get(&path).send().await.unwrap().status(), 404);
    assert_eq!(admin.get(&path).send().await.unwrap().status(), 200);
    let all: Value = admin
        .get("/api/v1/mailboxes?all=true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        other
            .get("/api/v1/mailboxes?all=true")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let mine: Value = other
        .get("/api/v1/mailboxes")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(mine["items"].as_array().unwrap().is_empty());
    let twice = f
        .rep
        .post("/api/v1/mailboxes", &super::mailbox_body(&f.servers, None))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409);
    let mut bad = super::mailbox_body(&f.servers, None);
    bad["smtp"]["security"] = "ssl-please".into();
    let bad = other.post("/api/v1/mailboxes", &bad).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(crate::error_of(bad).await["field"], "smtp.security");
}

async fn the_mailboxes_page_shows_sync_health_and_saves_the_form(db: TestDb) {
    let Some(f) = fixture(db).await else { return };
    let browser = f.app.browser();
    let login = crate::form_login(&f.app, &browser, REP, TEST_PASSWORD).await;
    assert!(login.status().is_redirection());
    let page = browser
        .get(f.app.url("/settings/mailboxes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("never_synced"), "{page}");
    assert!(
        page.contains("href=\"/settings/mailboxes\""),
        "the user menu links here"
    );
    assert!(!page.contains(MAIL_PASSWORD));

    let csrf = crate::csrf_in(&page);
    let synced = browser
        .post(f.app.url(&format!("/settings/mailboxes/{}/sync", f.mailbox_id)))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(synced.contains("Synced: 0 new"), "{synced}");
    assert!(synced.contains("<span class=\"pill ok\">ok</span>"), "{synced}");

    let smtp_port = f.servers.smtp_port.to_string();
    let saved = browser
        .post(f.app.url("/settings/mailboxes"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("from_email", "sam.rep@example.com"),
            ("smtp_host", "127.0.0.1"),
            ("smtp_port", smtp_port.as_str()),
            ("smtp_security", "none"),
            ("smtp_password", ""),
            ("imap_host", ""),
            ("daily_cap", "150"),
        ])
        .send()
        .await
        .unwrap();
    assert!(saved.status().is_redirection(), "{}", saved.status());
    let mailbox = super::mailbox_json(&f).await;
    assert_eq!(mailbox["from_email"], "sam.rep@example.com");
    assert_eq!(mailbox["daily_cap"], 150);
    assert_eq!(
        mailbox["smtp"]["password_set"], true,
        "an empty password box keeps the password"
    );
}
