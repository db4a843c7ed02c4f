//! Erasing a candidate removes every copy of their name, email and phone from the database: mail
//! sent and queued, its send log, the audit trail, messages received from them, offer letters —
//! checked by searching every text column of every table.

use chrono::{Duration, TimeZone, Utc};
use prospector_app::Actor;
use prospector_app::audit::{self, Change};
use prospector_store::{Backend, Exec, query};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{apply, apply_with, form_with_phone, import_ae, recruiter, small_pdf};

on_both_backends!(after_erasure_no_table_holds_the_candidates_name_email_or_phone);

/// `(table, column)` of every text and JSON column in the database, from its catalogue.
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    let mut reader = app.store.reader();
    let sql = match reader.backend() {
        Backend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'json', 'character varying')"
        }
        Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND (p.type = 'TEXT' OR p.type = '')"
        }
    };
    let rows = reader.fetch_all(query(sql)).await.unwrap();
    rows.iter()
        .map(|r| (r.get("t").unwrap(), r.get("c").unwrap()))
        .collect()
}

/// Every `table.column` in which `needle` appears (ignoring ASCII case).
async fn where_found(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut reader = app.store.reader();
    let like = match reader.backend() {
        Backend::Postgres => "ILIKE",
        Backend::Sqlite => "LIKE",
    };
    for (t, c) in text_columns(app).await {
        let row = reader
            .fetch_one(
                query(format!(
                    "SELECT COUNT(*) AS n FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) {like} $1"
                ))
                .bind(format!("%{needle}%")),
            )
            .await
            .unwrap();
        if row.get::<i64>("n").unwrap() > 0 {
            found.push(format!("{t}.{c}"));
        }
    }
    found
}

async fn after_erasure_no_table_holds_the_candidates_name_email_or_phone(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (job, _) = import_ae(&app).await;
    let (manager, manager_client) = app.api_client("dana.lead@example.com", "team_lead").await;
    let (_, ceo) = app.api_client("ceo@example.com", "admin").await;
    let (ann, _) = app.api_client("ann@example.com", "interviewer").await;
    let recruiter = recruiter(&app).await;
    let r = recruiter
        .patch(
            &format!("/api/v1/jobs/{}", job.id),
            &json!({"hiring_manager_id": manager.id.to_string()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let r = apply_with(
        &app,
        "account-executive",
        form_with_phone(
            "Bob Smith",
            "bob@example.com",
            "+44 20 7946 0000",
            small_pdf(),
            "cv.pdf",
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let kept: serde_json::Value = r.json().await.unwrap();
    let id = a["application_id"].as_str().unwrap();
    let candidate = a["candidate_id"].as_str().unwrap();

    // An interview (invitations to her and to Ann, with calendar parts), an offer through the
    // chain and sent (approval requests, the letter with her name).
    let starts = Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap();
    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/interviews"),
            &json!({"starts_at": starts, "ends_at": starts + Duration::hours(1),
                    "interviewer_ids": [ann.id.to_string()]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let offer: serde_json::Value = recruiter
        .post(
            &format!("/api/v1/applications/{id}/offers"),
            &json!({"pay": "USD 90,000", "start_date": "2026-04-01"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer_id = offer["id"].as_str().unwrap();
    for (client, action) in [
        (&recruiter, "submit"),
        (&manager_client, "approve"),
        (&ceo, "approve"),
        (&recruiter, "send"),
    ] {
        let r = client
            .post(&format!("/api/v1/offers/{offer_id}/{action}"), &json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{action}");
    }

    // Some of that mail has gone out (it is blanked, not dropped); the rest is still queued.
    let mut tx = app.store.begin().await.unwrap();
    let now = prospector_app::clock::Clock::now(&app.clock);
    tx.execute(
        query(
            "UPDATE outbox SET done_at = $1 WHERE kind = 'email.send' AND CAST(payload AS TEXT) LIKE '%Interview%'",
        )
        .bind(now),
    )
    .await
    .unwrap();
    tx.execute(
        query(
            "INSERT INTO sent_messages (message_id, outbox_id, state, recipients, subject, started_at) \
             SELECT 'm-' || CAST(dedupe_key AS TEXT), id, 'sent', 'Ada Lovelace <ada@example.com>', 'Interview', $1 \
             FROM outbox WHERE kind = 'email.send' AND done_at IS NOT NULL",
        )
        .bind(now),
    )
    .await
    .unwrap();
    // Another feature's audit entry and a reply from her in a mailbox.
    audit::record(
        &mut tx,
        &Actor::cli(),
        now,
        Change::<(), _> {
            action: "note.add",
            entity_type: "note",
            entity_id: None,
            before: None,
            after: Some(&json!({"text": "Called Ada Lovelace on +1 415 555 0100"})),
        },
    )
    .await
    .unwrap();
    let mailbox = uuid::Uuid::now_v7();
    tx.execute(
        query(
            "INSERT INTO mailboxes (id, user_id, from_email, smtp_host, smtp_port, smtp_security, daily_cap, created_at, updated_at) \
             VALUES ($1, $2, 'rita@example.com', 'localhost', 25, 'none', 100, $3, $3)",
        )
        .bind(mailbox)
        .bind(manager.id.to_string().parse::<uuid::Uuid>().unwrap())
        .bind(now),
    )
    .await
    .unwrap();
    tx.execute(
        query(
            "INSERT INTO inbound_messages (id, mailbox_id, folder, uid_validity, uid, from_email, subject, signal, size_bytes, imported_at) \
             VALUES ($1, $2, 'INBOX', 1, 1, 'Ada@Example.com', 'Re: Interview with Ada Lovelace', 'reply', 100, $3)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(mailbox)
        .bind(now),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    for needle in ["Ada Lovelace", "ada@example.com", "+1 415 555 0100"] {
        assert!(
            !where_found(&app, needle).await.is_empty(),
            "'{needle}' is stored before erasure"
        );
    }
    let r = recruiter
        .post(&format!("/api/v1/candidates/{candidate}/erase"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for needle in ["Ada Lovelace", "ada@example.com", "+1 415 555 0100"] {
        assert_eq!(
            where_found(&app, needle).await,
            Vec::<String>::new(),
            "'{needle}' remains after erasure"
        );
    }

    // Ann still has the record of her invitation, without Ada in it; Bob is untouched.
    let rows = app
        .store
        .reader()
        .fetch_all(query("SELECT payload FROM outbox WHERE kind = 'email.send'"))
        .await
        .unwrap();
    let payloads: Vec<serde_json::Value> = rows.iter().map(|r| r.get("payload").unwrap()).collect();
    assert!(
        payloads
            .iter()
            .any(|p| p["to"][0]["email"] == "ann@example.com" && p["calendar"].is_null()),
        "the interviewer's sent invitation is kept, blanked"
    );
    assert!(!where_found(&app, "bob@example.com").await.is_empty());
    let view: serde_json::Value = recruiter
        .get(&format!(
            "/api/v1/applications/{}",
            kept["application_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["candidate"]["name"], "Bob Smith");
}
