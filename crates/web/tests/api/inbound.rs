//! Inbound on both backends: capture, scoring, routing, SLA clocks, hand-offs, and bad input.

use chrono::Duration;
use prospector_app::outbox::Worker;
use prospector_store::{Exec, query};
use prospector_testkit::{ApiClient, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::put_json as put;
use crate::records::{get, member, post};
use crate::{app_with_admin, csrf_in, form_login};

on_both_backends!(
    capture_creates_then_updates_one_person_with_utm_source_and_an_activity,
    score_explains_itself_reaching_mql_routes_and_unsubscribe_resets,
    routing_prefers_owners_then_segment_and_region_then_weighted_round_robin,
    sla_warns_at_half_time_breach_tells_owner_and_lead_and_first_touch_stops_it,
    booking_sends_an_invite_and_the_ae_accepts_or_rejects_within_the_sla,
    unknown_form_is_404_and_the_submission_is_kept,
    neither_email_nor_phone_is_422_and_the_submission_is_kept,
    a_nul_character_is_422_naming_the_field_and_the_submission_is_kept,
    a_flood_from_one_ip_is_429_with_retry_after,
    a_rule_naming_a_deactivated_user_is_flagged_and_skipped,
    the_honeypot_accepts_silently_and_keeps_the_submission,
    pages_show_the_queue_edit_rules_preview_routing_and_take_handoff_decisions,
    captures_are_filed_in_the_dashboard_rollups_as_a_recount_files_them,
);

/// Posts a form as JSON (no auth: the endpoint is public).
async fn submit(app: &TestApp, form: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/inbound/forms/{form}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The person id of the newest accepted submission.
async fn last_person(admin: &ApiClient) -> String {
    let (_, subs) = get(admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    subs["items"][0]["person_id"].as_str().unwrap().to_owned()
}

async fn outbox_rows(app: &TestApp, kind: &str) -> Vec<Value> {
    let rows = app
        .store
        .reader()
        .fetch_all(query("SELECT payload FROM outbox WHERE kind = $1 ORDER BY id").bind(kind))
        .await
        .unwrap();
    rows.iter().map(|r| r.get::<Value>("payload").unwrap()).collect()
}

async fn notifications_of(app: &TestApp, user: &str) -> Vec<String> {
    let rows = app
        .store
        .reader()
        .fetch_all(query("SELECT user_id, kind FROM notifications ORDER BY id"))
        .await
        .unwrap();
    rows.iter()
        .filter(|r| {
            r.get::<prospector_core::ids::UserId>("user_id")
                .unwrap()
                .to_string()
                == user
        })
        .map(|r| r.get::<String>("kind").unwrap())
        .collect()
}

fn worker(app: &TestApp) -> Worker {
    prospector_app::inbound::register_handlers(Worker::new(app.app.clone(), "test-worker"))
}

async fn capture_creates_then_updates_one_person_with_utm_source_and_an_activity(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = submit(
        &app,
        "newsletter",
        json!({"email": "ada@gmail.com", "first_name": "Ada", "utm": {"source": "google", "campaign": "spring"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = last_person(&admin).await;
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["source"], "web_form");
    assert_eq!(lead["status"], "inquiry");

    // An HTML form post from the same person (Gmail dots folded) updates, not duplicates.
    let r = reqwest::Client::new()
        .post(app.url("/inbound/forms/gated-content"))
        .header("accept", "text/html")
        .form(&[
            ("email", "a.da@gmail.com"),
            ("last_name", "Lovelace"),
            ("company", "Engines"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.text().await.unwrap().contains("Thank you"));
    assert_eq!(last_person(&admin).await, id);
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["last_name"], "Lovelace");
    assert_eq!(lead["company"], "Engines");

    let (_, subs) = get(&admin, "/api/v1/inbound/submissions").await;
    let first = &subs["items"][1];
    assert_eq!(first["utm"]["utm_source"], "google");
    assert_eq!(first["utm"]["utm_campaign"], "spring");
    let (_, timeline) = get(&admin, &format!("/api/v1/leads/{id}/timeline")).await;
    let notes: Vec<String> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Newsletter sign-up") && n.contains("utm_source=google")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("Gated content download")));
}

async fn score_explains_itself_reaching_mql_routes_and_unsubscribe_resets(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (sdr, _) = app.api_client("sdr@example.com", "sdr").await;
    submit(
        &app,
        "webcast",
        json!({"email": "grace@navy.mil", "last_name": "Hopper"}),
    )
    .await;
    let id = last_person(&admin).await;
    let (_, score) = get(&admin, &format!("/api/v1/leads/{id}/score")).await;
    assert_eq!(score["total"], 50, "{score}");
    assert_eq!(score["lines"][0]["rule"], "business_email");
    assert_eq!(score["lines"][1]["rule"], "webcast");
    assert_eq!(score["is_mql"], false);

    app.clock.advance(Duration::minutes(5));
    submit(&app, "trial", json!({"email": "grace@navy.mil"})).await;
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["status"], "mql", "{lead}");
    assert_eq!(lead["score"], 115);
    assert_eq!(lead["mql_count"], 1);
    assert!(lead["first_mql_at"].is_string());
    assert_eq!(lead["owner_id"], sdr.id.to_string(), "routed to the only SDR");
    let (_, routing) = get(&admin, &format!("/api/v1/leads/{id}/routing")).await;
    assert_eq!(routing["items"][0]["rule_code"], "all_sdrs");
    assert!(routing["items"][0]["why"].as_str().unwrap().contains("Routed to"));

    // Recycled, then re-scored: an MQL again, counted twice, first MQL time kept.
    let first_mql_at = lead["first_mql_at"].clone();
    let (status, body) = post(
        &admin,
        &format!("/api/v1/leads/{id}/status"),
        json!({"status": "recycle", "reason": "not_ready_to_buy"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.clock.advance(Duration::days(30));
    submit(&app, "gated-content", json!({"email": "grace@navy.mil"})).await;
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["status"], "mql", "{lead}");
    assert_eq!(lead["mql_count"], 2);
    assert_eq!(lead["first_mql_at"], first_mql_at);

    let (status, body) = post(
        &admin,
        "/api/v1/inbound/events",
        json!({"person_id": id, "behaviour": "unsubscribe"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["score"]["total"], 0);
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["score"], 0);
    assert_eq!(lead["status"], "disqualified");
    let (_, queue) = get(&admin, "/api/v1/inbound/queue").await;
    assert_eq!(
        queue["items"],
        json!([]),
        "an unsubscribe calls off the first-touch clocks"
    );

    // The scoring rules are data.
    let (_, mut rules) = get(&admin, "/api/v1/inbound/scoring").await;
    assert_eq!(rules["mql_threshold"], 100);
    rules["mql_threshold"] = json!(0);
    let (status, body) = put(&admin, "/api/v1/inbound/scoring", rules).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "mql_threshold");
}

async fn routing_prefers_owners_then_segment_and_region_then_weighted_round_robin(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (a, _) = app.api_client("a@example.com", "sdr").await;
    let (b, _) = app.api_client("b@example.com", "sdr").await;
    let (c, _) = app.api_client("c@example.com", "sdr").await;
    let (d, _) = app.api_client("d@example.com", "sdr").await;
    let (e, _) = app.api_client("e@example.com", "sdr").await;
    let rules = json!({"rules": [
        {"code": "large_emea", "segment": "large", "region": "emea", "pool": [e.id.to_string()]},
        {"code": "everyone", "segment": null, "region": null,
         "pool": [a.id.to_string(), b.id.to_string(), c.id.to_string(), d.id.to_string()]}
    ]});
    let (status, saved) = put(&admin, "/api/v1/inbound/routing", rules).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["warnings"], json!([]));
    put(
        &admin,
        &format!("/api/v1/inbound/reps/{}", b.id),
        json!({"share_percent": 50}),
    )
    .await;
    put(
        &admin,
        &format!("/api/v1/inbound/reps/{}", c.id),
        json!({"share_percent": 0}),
    )
    .await;
    let (status, _) = put(
        &admin,
        &format!("/api/v1/inbound/reps/{}", d.id),
        json!({"share_percent": 100, "out_of_office": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Segment and region: a large company in Germany goes to e.
    let (_, preview) = post(
        &admin,
        "/api/v1/inbound/routing/preview",
        json!({"employees": 5000, "country": "DE"}),
    )
    .await;
    assert_eq!(preview["owner_id"], e.id.to_string(), "{preview}");
    assert_eq!(preview["rule_code"], "large_emea");

    // Round-robin weighted 100/50 among a and b; c (0 %) and d (out of office) are skipped.
    let mut owners = Vec::new();
    for i in 0..6 {
        submit(
            &app,
            "contact-us",
            json!({"email": format!("p{i}@corp{i}.com"), "last_name": format!("P{i}"), "country": "US"}),
        )
        .await;
        let id = last_person(&admin).await;
        let (_, lead) = get(&admin, &format!("/api/v1/leads/{id}")).await;
        owners.push(lead["owner_id"].as_str().unwrap().to_owned());
    }
    let count = |u: &str| owners.iter().filter(|o| *o == u).count();
    assert_eq!(count(&a.id.to_string()), 4, "{owners:?}");
    assert_eq!(count(&b.id.to_string()), 2);
    let (_, routing) = get(
        &admin,
        &format!("/api/v1/leads/{}/routing", last_person(&admin).await),
    )
    .await;
    let why = routing["items"][0]["why"].as_str().unwrap();
    assert!(
        why.contains("out of office") && why.contains("0 % share"),
        "{why}"
    );

    // The person's working owner wins over round-robin when they score again.
    let id = last_person(&admin).await;
    let (_, before) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    let (_, preview) = post(
        &admin,
        "/api/v1/inbound/routing/preview",
        json!({"person_id": id}),
    )
    .await;
    assert_eq!(preview["rule_code"], "working_owner");
    assert_eq!(preview["owner_id"], before["owner_id"]);
    // And an account owner wins over everything.
    let (_, preview) = post(
        &admin,
        "/api/v1/inbound/routing/preview",
        json!({"person_id": id, "account_owner_id": c.id.to_string()}),
    )
    .await;
    assert_eq!(preview["rule_code"], "account_owner");
}

async fn sla_warns_at_half_time_breach_tells_owner_and_lead_and_first_touch_stops_it(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let lead_user = app.user("lead@example.com", "team_lead", Some("West")).await;
    let (sdr_id, sdr) = member(&app, &admin, "sdr@example.com", "sdr", "West").await;
    let worker = worker(&app);
    // Monday 09:00 UTC (office hours 9–17 UTC by default): MQL clock due 10:00, warning 09:30.
    // Business email 20 + webcast 30 + trial 65 = 115: an MQL at the trial.
    for who in ["one", "two"] {
        submit(
            &app,
            "webcast",
            json!({"email": format!("{who}@acme.com"), "last_name": who}),
        )
        .await;
        submit(&app, "trial", json!({"email": format!("{who}@acme.com")})).await;
    }
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    let second = subs["items"][0]["person_id"].as_str().unwrap().to_owned();
    let first = subs["items"][2]["person_id"].as_str().unwrap().to_owned();
    let (_, queue) = get(&sdr, "/api/v1/inbound/queue").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 2, "{queue}");
    assert_eq!(queue["items"][0]["sla"]["status"], "on_time");

    app.clock.advance(Duration::minutes(31));
    worker.run_once().await.unwrap();
    assert_eq!(
        notifications_of(&app, &sdr_id).await,
        vec!["sla_warning", "sla_warning"]
    );
    let (_, queue) = get(&sdr, "/api/v1/inbound/queue").await;
    assert_eq!(queue["items"][0]["sla"]["status"], "warning");

    // A call on the first lead stops its clock.
    let (status, body) = post(
        &sdr,
        "/api/v1/activities",
        json!({"kind": "call", "person_id": first, "disposition": "left_voicemail"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.clock.advance(Duration::minutes(30));
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    let mine = notifications_of(&app, &sdr_id).await;
    assert_eq!(
        mine,
        vec!["sla_warning", "sla_warning", "sla_breach"],
        "one breach: the untouched lead"
    );
    assert_eq!(
        notifications_of(&app, &lead_user.id.to_string()).await,
        vec!["sla_breach"]
    );
    let emails = outbox_rows(&app, "email.send").await;
    assert!(emails.iter().any(|e| e["to"][0]["email"] == "lead@example.com"
        && e["subject"].as_str().unwrap().contains("SLA breached")));
    let (_, notes) = get(&sdr, "/api/v1/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "sla_breach");
    assert_eq!(notes["items"][0]["person_id"], second);

    let (_, clocks) = get(&admin, &format!("/api/v1/leads/{first}/sla")).await;
    assert!(clocks["items"][0]["first_touch_at"].is_string(), "{clocks}");
    let (_, report) = get(&admin, "/api/v1/inbound/sla-report").await;
    assert_eq!(report["clocks"], 2);
    assert_eq!(report["breached"], 1);
    assert_eq!(report["by_rep"][0]["median_business_minutes"], 31.0, "{report}");
    assert_eq!(
        report["by_source"][0]["name"], "webcast",
        "the lead source is where they came from first"
    );
}

async fn booking_sends_an_invite_and_the_ae_accepts_or_rejects_within_the_sla(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let lead_user = app.user("lead@example.com", "team_lead", Some("West")).await;
    let (_sdr_id, sdr) = member(&app, &admin, "sdr@example.com", "sdr", "West").await;
    let (ae, ae_client) = app.api_client("ae@example.com", "ae").await;
    let mut people = Vec::new();
    for name in ["alpha", "beta"] {
        let (status, lead) = post(
            &sdr,
            "/api/v1/leads",
            json!({"last_name": name, "email": format!("{name}@prospect.com"), "company": "Prospect"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        people.push(lead["id"].as_str().unwrap().to_owned());
    }
    let mut opps = Vec::new();
    for p in &people {
        let (status, view) = post(
            &sdr,
            "/api/v1/handoffs",
            json!({"person_id": p, "ae_id": ae.id.to_string(),
                   "starts_at": "2026-03-04T15:00:00Z", "ends_at": "2026-03-04T15:30:00Z"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        assert_eq!(view["opportunity"]["stage"], "pending_acceptance");
        opps.push(view["opportunity"]["id"].as_str().unwrap().to_owned());
    }
    let emails = outbox_rows(&app, "email.send").await;
    let invite = emails.iter().find(|e| e["calendar"].is_object()).unwrap();
    let ics = invite["calendar"]["ics"].as_str().unwrap();
    assert!(ics.contains("METHOD:REQUEST"));
    assert!(
        ics.contains("mailto:ae@example.com") && ics.contains("mailto:alpha@prospect.com"),
        "{ics}"
    );

    let (_, list) = get(&ae_client, "/api/v1/handoffs").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    let (status, accepted) = post(
        &ae_client,
        &format!("/api/v1/handoffs/{}/accept", opps[0]),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["opportunity"]["stage"], "discovery");
    assert!(accepted["handoff"]["accepted_at"].is_string());
    assert_eq!(accepted["opportunity"]["sdr_id"], accepted["handoff"]["sdr_id"]);

    let (status, body) = post(
        &ae_client,
        &format!("/api/v1/handoffs/{}/reject", opps[1]),
        json!({}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a reason: {body}"
    );
    let (status, rejected) = post(
        &ae_client,
        &format!("/api/v1/handoffs/{}/reject", opps[1]),
        json!({"reason": "no_budget"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["opportunity"]["stage"], "unqualified");
    assert!(
        notifications_of(&app, &lead_user.id.to_string())
            .await
            .contains(&"handoff_rejected".to_owned())
    );
    let (status, _) = post(
        &ae_client,
        &format!("/api/v1/handoffs/{}/accept", opps[1]),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // A third, left undecided, is reminded at half time and at the deadline (1 business day).
    let (_, view) = post(
        &sdr,
        "/api/v1/handoffs",
        json!({"person_id": people[0], "ae_id": ae.id.to_string(),
               "starts_at": "2026-03-05T15:00:00Z", "ends_at": "2026-03-05T15:30:00Z"}),
    )
    .await;
    // One business day from Monday 09:00 is the whole working day: Monday 17:00.
    assert_eq!(view["due_at"], "2026-03-02T17:00:00Z");
    app.clock.advance(Duration::hours(24));
    let worker = worker(&app);
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    let ae_notes = notifications_of(&app, &ae.id.to_string()).await;
    assert!(
        ae_notes.contains(&"sla_warning".to_owned()) && ae_notes.contains(&"sla_breach".to_owned()),
        "{ae_notes:?}"
    );
    assert!(
        notifications_of(&app, &lead_user.id.to_string())
            .await
            .contains(&"sla_breach".to_owned())
    );
}

async fn unknown_form_is_404_and_the_submission_is_kept(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = submit(
        &app,
        "no-such-form",
        json!({"email": "x@acme.com", "last_name": "X"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "unknown_form");
    assert_eq!(subs["items"][0]["payload"]["email"], "x@acme.com");
}

async fn neither_email_nor_phone_is_422_and_the_submission_is_kept(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = submit(
        &app,
        "contact-us",
        json!({"last_name": "Nobody", "company": "Acme"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "missing_contact");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "missing_contact");
    assert_eq!(subs["items"][0]["payload"]["company"], "Acme");
}

/// A NUL character cannot be stored as text on PostgreSQL; it is refused as bad input with the
/// field it is in, on both backends alike, and what was posted is kept readable.
async fn a_nul_character_is_422_naming_the_field_and_the_submission_is_kept(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = submit(
        &app,
        "contact-us",
        json!({"email": "nul@acme.com", "last_name": "Null\u{0}Byte", "company": "Acme"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "nul_character", "{body}");
    assert_eq!(body["error"]["field"], "last_name", "{body}");
    let r = reqwest::Client::new()
        .post(app.url("/inbound/forms/contact-us"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=nul2%40acme.com&company=Ac%00me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    let items = subs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{subs}");
    assert!(items.iter().all(|s| s["reject_code"] == "invalid"), "{subs}");
    let first = items
        .iter()
        .find(|s| s["payload"]["email"] == "nul@acme.com")
        .unwrap();
    assert_eq!(
        first["payload"]["last_name"], "Null\u{fffd}Byte",
        "kept, with the NUL marked"
    );
    let (_, leads) = get(&admin, "/api/v1/leads").await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 0, "{leads}");
}

async fn a_flood_from_one_ip_is_429_with_retry_after(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    for i in 0..20 {
        let r = submit(&app, "newsletter", json!({"email": format!("f{i}@acme.com")})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = submit(&app, "newsletter", json!({"email": "f20@acme.com"})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "60");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "rate_limited");
    assert_eq!(subs["items"][0]["payload"]["email"], "f20@acme.com");
    app.clock.advance(Duration::seconds(61));
    let r = submit(&app, "newsletter", json!({"email": "f21@acme.com"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn a_rule_naming_a_deactivated_user_is_flagged_and_skipped(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (gone, _) = app.api_client("gone@example.com", "sdr").await;
    let (here, _) = app.api_client("here@example.com", "sdr").await;
    let (status, _) = crate::records::patch(
        &admin,
        &format!("/api/v1/users/{}", gone.id),
        json!({"active": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, saved) = put(
        &admin,
        "/api/v1/inbound/routing",
        json!({"rules": [{"code": "all", "segment": null, "region": null,
                          "pool": [gone.id.to_string(), here.id.to_string()]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["warnings"][0]["code"], "deactivated_user");
    submit(
        &app,
        "contact-us",
        json!({"email": "z@zeta.com", "last_name": "Z"}),
    )
    .await;
    let id = last_person(&admin).await;
    let (_, routing) = get(&admin, &format!("/api/v1/leads/{id}/routing")).await;
    assert_eq!(routing["items"][0]["owner_id"], here.id.to_string());
    assert_eq!(routing["items"][0]["skipped"][0]["reason"]["code"], "deactivated");
}

async fn the_honeypot_accepts_silently_and_keeps_the_submission(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let r = submit(
        &app,
        "trial",
        json!({"email": "bot@spam.com", "_honeypot": "http://spam"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "honeypot");
    let (_, leads) = get(&admin, "/api/v1/leads").await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 0);
}

async fn pages_show_the_queue_edit_rules_preview_routing_and_take_handoff_decisions(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (sdr, _) = app.api_client("sdr@example.com", "sdr").await;
    let (ae, _) = app.api_client("ae@example.com", "ae").await;
    submit(
        &app,
        "contact-us",
        json!({"email": "q@queue.com", "last_name": "Queued"}),
    )
    .await;
    let browser = app.browser();
    let r = form_login(
        &app,
        &browser,
        "admin@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    assert!(r.status().is_redirection());
    let page = browser
        .get(app.url("/inbound"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Queued") && page.contains("sla-timer"), "{page}");
    let page = browser
        .get(app.url("/admin/inbound"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("all_sdrs") && page.contains("Route this lead"));
    let csrf = csrf_in(&page);
    // The routing editor is a form of rows: code, segment, region and a pool of reps.
    let sdr_id = sdr.id.to_string();
    let r = browser
        .post(app.url("/admin/inbound/routing"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("position_0", "1"),
            ("code_0", "us"),
            ("segment_0", ""),
            ("region_0", "amer"),
            ("pool_0", sdr_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "post/redirect/get: {}", r.status());
    let page = browser
        .get(app.url("/admin/inbound/routing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Routing rules saved"), "{page}");
    let page = browser
        .post(app.url("/admin/inbound/preview"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("country", "US"),
            ("employees", "50"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("(rule: us)") && page.contains("Routed to Test sdr"),
        "{page}"
    );

    // The AE sees and accepts a hand-off on their page.
    let id = last_person(&admin).await;
    let (status, view) = post(
        &admin,
        "/api/v1/handoffs",
        json!({"person_id": id, "ae_id": ae.id.to_string(),
               "starts_at": "2026-03-04T15:00:00Z", "ends_at": "2026-03-04T15:30:00Z"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let opp = view["opportunity"]["id"].as_str().unwrap().to_owned();
    let ae_browser = app.browser();
    form_login(
        &app,
        &ae_browser,
        "ae@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    let page = ae_browser
        .get(app.url("/handoffs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/handoffs/{opp}/accept")), "{page}");
    let csrf = csrf_in(&page);
    let r = ae_browser
        .post(app.url(&format!("/handoffs/{opp}/accept")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, o) = get(&admin, &format!("/api/v1/opportunities/{opp}")).await;
    assert_eq!(o["stage"], "discovery");
}

/// Capture writes its timeline entries in one statement and files only those that count; the
/// dashboards must still hold exactly what a recount from the records gives, including the time a
/// raw lead spent in each status when one form moves it twice (raw → inquiry → MQL).
async fn captures_are_filed_in_the_dashboard_rollups_as_a_recount_files_them(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (sdr, _) = app.api_client("sdr@example.com", "sdr").await;
    let (status, lead) = post(
        &admin,
        "/api/v1/leads",
        json!({"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["status"], "raw");
    app.clock.advance(Duration::hours(3));
    let r = submit(&app, "contact-us", json!({"email": "alan@bletchley.org"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.clock.advance(Duration::minutes(10));
    let r = submit(
        &app,
        "contact-us",
        json!({"email": "ada@engines.com", "last_name": "Lovelace"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, alan) = get(&admin, &format!("/api/v1/leads/{}", lead["id"].as_str().unwrap())).await;
    assert_eq!(alan["status"], "mql", "{alan}");
    assert_eq!(alan["owner_id"], sdr.id.to_string());

    let incremental = prospector_store::dashboards::rollups::snapshot(&mut app.store.reader())
        .await
        .unwrap();
    assert!(
        incremental.iter().any(|row| row.contains(&sdr.id.to_string())),
        "the MQLs are credited to the rep they were routed to: {incremental:?}"
    );
    crate::assert_rollups_match_a_recount(&app.store, "capture").await;
}
