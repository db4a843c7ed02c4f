//! Dashboards: every metric on a seeded team equals the hand count; rollups equal a full
//! recount after random writes, corrections, deletes of mistaken activities and a restart; a
//! mistaken activity is deleted by a retraction entry; filters and bad input; ramp targets;
//! the weekly digest through the outbox.

use chrono::Duration;
use prospector_testkit::{ApiClient, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_with_admin;
use crate::records::{get, member, move_to, new_lead, post};

on_both_backends!(
    every_metric_on_a_seeded_team_equals_the_hand_count,
    rollups_equal_a_full_recount_after_random_writes_corrections_retractions_and_a_restart,
    a_mistaken_activity_is_deleted_by_a_retraction_entry_and_the_dashboard_takes_it_back,
    sequence_results_per_step_people_per_account_and_failed_steps_equal_the_hand_count,
    bad_filters_are_refused_and_reps_see_only_themselves,
    ramp_targets_default_to_the_handbook_and_are_editable_by_leads,
    weekly_digest_goes_to_each_team_lead_through_the_outbox,
    dashboard_pages_render_charts_tables_and_csv_and_show_bad_filters,
);

async fn log(client: &ApiClient, body: Value) -> Value {
    let (status, a) = post(client, "/api/v1/activities", body).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a
}

fn call(person: &str, disposition: &str) -> Value {
    json!({"kind": "call", "person_id": person, "disposition": disposition})
}

fn email(person: &str, direction: &str) -> Value {
    json!({"kind": "email", "person_id": person, "direction": direction, "subject": "Hello"})
}

struct Team {
    app: TestApp,
    admin: ApiClient,
    lead: ApiClient,
    team_id: String,
    a: (String, ApiClient),
    b: (String, ApiClient),
}

async fn team(db: TestDb) -> Team {
    let (app, admin) = app_with_admin(db).await;
    // The first team lead of a team becomes its lead (and gets the digest).
    app.user("boss@example.com", "team_lead", Some("North")).await;
    let (_, lead) = member(&app, &admin, "lead@example.com", "team_lead", "North").await;
    let a = member(&app, &admin, "ann@example.com", "sdr", "North").await;
    let b = member(&app, &admin, "bob@example.com", "sdr", "North").await;
    let (_, teams) = get(&admin, "/api/v1/teams").await;
    let team_id = teams["items"]
        .as_array()
        .or(teams.as_array())
        .unwrap()
        .iter()
        .find(|t| t["name"] == "North")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Team {
        app,
        admin,
        lead,
        team_id,
        a,
        b,
    }
}

async fn every_metric_on_a_seeded_team_equals_the_hand_count(db: TestDb) {
    let t = team(db).await;
    let (ann_id, ann) = (&t.a.0, &t.a.1);
    let (bob_id, bob) = (&t.b.0, &t.b.1);
    let web = new_lead(
        ann,
        json!({"last_name": "Web", "email": "web@acme.com", "source": "webinar"}),
    )
    .await;
    let web_id = web["id"].as_str().unwrap();
    let cold = new_lead(
        bob,
        json!({"last_name": "Cold", "email": "cold@acme.com", "source": "outbound"}),
    )
    .await;
    let cold_id = cold["id"].as_str().unwrap();

    // Day 1 (Monday): Ann makes 3 calls (2 connects), 2 emails, gets 1 reply, 1 LinkedIn
    // message and books 1 meeting; then corrects one connected call to "no answer".
    let first = log(ann, call(web_id, "connected")).await;
    log(ann, call(web_id, "connected")).await;
    log(ann, call(web_id, "no_answer")).await;
    log(ann, email(web_id, "sent")).await;
    log(ann, email(web_id, "sent")).await;
    log(ann, email(web_id, "received")).await;
    log(
        ann,
        json!({"kind": "linkedin", "person_id": web_id, "notes": "InMail"}),
    )
    .await;
    log(
        ann,
        json!({"kind": "meeting", "person_id": web_id, "starts_at": "2026-03-04T10:00:00Z"}),
    )
    .await;
    log(
        ann,
        json!({"kind": "note", "person_id": web_id, "text": "not an activity"}),
    )
    .await;
    t.app.clock.advance(Duration::minutes(10));
    log(
        ann,
        json!({"kind": "call", "corrects_id": first["id"], "disposition": "no_answer"}),
    )
    .await;

    // Ann's lead moves through the funnel (inquiries come from form capture): MQL, Accepted, 3 hours later Qualifying, then Recycle.
    move_to(ann, web_id, json!({"status": "mql"})).await;
    move_to(ann, web_id, json!({"status": "accepted"})).await;
    t.app.clock.advance(Duration::hours(3));
    move_to(ann, web_id, json!({"status": "qualifying"})).await;
    move_to(ann, web_id, json!({"status": "recycle", "reason": "no_budget"})).await;

    // Day 2: Bob connects once; an opportunity worth 12,500.00 is created for Ann.
    t.app.clock.advance(Duration::days(1));
    log(bob, call(cold_id, "connected")).await;
    let (status, opp) = post(
        &t.admin,
        "/api/v1/opportunities",
        json!({"name": "Acme expansion", "sdr_id": ann_id, "amount_cents": 1_250_000}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    // Through Discovery into Scoping: one SQO, credited to Ann although the admin moved it.
    let stage = format!("/api/v1/opportunities/{}/stage", opp["id"].as_str().unwrap());
    for next in ["discovery", "scoping"] {
        let (status, body) = post(&t.admin, &stage, json!({"stage": next})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let path = format!(
        "/api/v1/dashboards/team?team={}&from=2026-03-01&to=2026-03-07",
        t.team_id
    );
    let (status, d) = get(&t.lead, &path).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let totals = &d["totals"];
    assert_eq!(totals["calls"], 4, "{totals}");
    assert_eq!(
        totals["connects"], 2,
        "the corrected call no longer connects: {totals}"
    );
    assert_eq!(totals["connect_rate"], 0.5);
    assert_eq!(totals["emails_sent"], 2);
    assert_eq!(totals["replies"], 1);
    assert_eq!(totals["reply_rate"], 0.5);
    assert_eq!(totals["linkedin"], 1);
    assert_eq!(totals["meetings"], 1);
    assert_eq!(
        totals["activities"],
        4 + 2 + 1 + 1,
        "calls, emails sent, LinkedIn, meetings"
    );
    assert_eq!(totals["opportunities"], 1);
    assert_eq!(totals["pipeline_cents"], 1_250_000);
    assert_eq!(totals["sqos"], 1);

    let rep = |id: &str| {
        d["reps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rep_id"] == id)
            .unwrap()
            .clone()
    };
    let ann_row = rep(ann_id);
    assert_eq!(
        (
            ann_row["totals"]["calls"].clone(),
            ann_row["totals"]["connects"].clone()
        ),
        (json!(3), json!(1))
    );
    assert_eq!(ann_row["ramp_month"], 1, "Ann joined today: ramp month 1");
    let att = &ann_row["attainment"][0];
    assert_eq!(att["metric"], "activities");
    // 2026-03-01 (Sun) to 03-07 (Sat): five working days at 40 a day.
    assert_eq!(att["target"], 200.0);
    assert_eq!(att["actual"], 7);
    assert_eq!(rep(bob_id)["totals"]["connects"], 1);
    assert_eq!(ann_row["totals"]["sqos"], 1);

    let day = |date: &str| {
        d["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["start"] == date)
            .unwrap()
            .clone()
    };
    assert_eq!(day("2026-03-02")["totals"]["calls"], 3);
    assert_eq!(day("2026-03-03")["totals"]["calls"], 1);
    assert_eq!(
        day("2026-03-04")["totals"]["calls"],
        0,
        "every day of the range is present"
    );

    let funnel: Vec<(String, i64)> = d["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        funnel,
        [
            ("inquiry", 0),
            ("mql", 1),
            ("accepted", 1),
            ("qualifying", 1),
            ("qualified", 0),
            ("sao", 0)
        ]
        .map(|(c, n)| (c.to_owned(), n))
    );
    assert_eq!(d["funnel"][2]["conversion"], 1.0, "every MQL was accepted");
    assert_eq!(
        d["exits"],
        json!([{"category": "recycle", "reason": "no_budget", "count": 1}])
    );
    let accepted = d["time_in"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "accepted")
        .unwrap();
    assert_eq!(
        (accepted["left"].clone(), accepted["average_hours"].clone()),
        (json!(1), json!(3.0))
    );

    // Filters: one source, one rep, a week with nothing in it.
    let (_, webinar) = get(&t.lead, &format!("{path}&source=webinar")).await;
    assert_eq!(webinar["totals"]["calls"], 3);
    let (_, bob_only) = get(
        &t.lead,
        &format!("/api/v1/dashboards/reps/{bob_id}?from=2026-03-01&to=2026-03-07"),
    )
    .await;
    assert_eq!(bob_only["totals"]["calls"], 1);
    let (_, later) = get(
        &t.lead,
        &format!(
            "/api/v1/dashboards/team?team={}&from=2026-04-01&to=2026-04-07",
            t.team_id
        ),
    )
    .await;
    assert_eq!(later["totals"]["calls"], 0);
    let (_, monthly) = get(&t.lead, &format!("{path}&grain=month")).await;
    assert_eq!(monthly["series"][0]["start"], "2026-03-01");
    assert_eq!(monthly["series"][0]["totals"]["calls"], 4);
}

/// A small fixed-seed generator, so a failure replays exactly.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Writes a step execution as the sweep or Today would, for a seeded dataset.
async fn step_done(
    t: &Team,
    enrollment: &prospector_store::sequences::EnrollmentRow,
    step_index: i64,
    (kind, status, outcome, is_connect): (&str, &str, Option<&str>, bool),
) {
    let now = t.app.app.now();
    let row = prospector_store::sequences::ExecutionRow {
        id: prospector_core::ids::uuid_v7_at(now),
        enrollment_id: enrollment.id,
        sequence_id: enrollment.sequence_id,
        step_index,
        kind: kind.into(),
        owner_id: enrollment.owner_id,
        person_id: enrollment.person_id,
        due_at: now,
        created_at: now,
        status: status.into(),
        message_id: None,
        outcome: outcome.map(str::to_owned),
        is_connect,
        note: (status == "skipped").then(|| "the person has no email address".to_owned()),
        done_at: Some(now),
    };
    let mut tx = t.app.store.begin().await.unwrap();
    assert!(
        prospector_store::sequences::insert_execution(&mut tx, &row)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

async fn sequence_results_per_step_people_per_account_and_failed_steps_equal_the_hand_count(db: TestDb) {
    let t = team(db).await;
    let (ann_id, ann) = (&t.a.0, &t.a.1);
    let bob = &t.b.1;
    let admin = &t.admin;
    let account = |name: &'static str| async move {
        let (status, a) = post(admin, "/api/v1/accounts", json!({"name": name})).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        a["id"].as_str().unwrap().to_owned()
    };
    let (acme, globex) = (account("Acme").await, account("Globex").await);
    let person = |client: &'static str, n: u32, account: Option<String>| {
        let owner = if client == "ann" { ann } else { bob };
        async move {
            let lead = new_lead(
                owner,
                json!({"last_name": format!("P{n}"), "email": format!("p{n}@seq.example"), "account_id": account}),
            )
            .await;
            lead["id"].as_str().unwrap().to_owned()
        }
    };
    // Ann sequences two people at Acme and one at Globex; Bob one person with no account.
    let p1 = person("ann", 1, Some(acme.clone())).await;
    let p2 = person("ann", 2, Some(acme)).await;
    let p3 = person("ann", 3, Some(globex)).await;
    let p4 = person("bob", 4, None).await;
    let (status, seq) = post(
        ann,
        "/api/v1/sequences",
        json!({"name": "Spring cadence", "steps": [
            {"kind": "automatic_email", "day_offset": 0, "template_id": "default_intro"},
            {"kind": "call", "day_offset": 2, "script": "Ask about their release process."}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{seq}");
    let seq_path = format!("/api/v1/sequences/{}/enrollments", seq["id"].as_str().unwrap());
    for (client, ids) in [(ann, vec![&p1, &p2, &p3]), (bob, vec![&p4])] {
        let (status, out) = post(client, &seq_path, json!({"person_ids": ids})).await;
        assert_eq!(status, StatusCode::OK, "{out}");
    }
    let mut reader = t.app.store.reader();
    let mut enrollment = std::collections::BTreeMap::new();
    for p in [&p1, &p2, &p3, &p4] {
        let e = prospector_store::sequences::live_enrollment(&mut reader, p.parse().unwrap())
            .await
            .unwrap()
            .expect("enrolled");
        enrollment.insert(p.clone(), e);
    }
    // Step 1 (email): p1 replied, p2 bounced, p3 skipped, p4 sent. Step 2 (call): p1 booked a
    // meeting on a connect.
    step_done(
        &t,
        &enrollment[&p1],
        0,
        ("automatic_email", "sent", Some("replied"), false),
    )
    .await;
    step_done(
        &t,
        &enrollment[&p2],
        0,
        ("automatic_email", "sent", Some("bounced"), false),
    )
    .await;
    step_done(
        &t,
        &enrollment[&p3],
        0,
        ("automatic_email", "skipped", None, false),
    )
    .await;
    step_done(&t, &enrollment[&p4], 0, ("automatic_email", "sent", None, false)).await;
    t.app.clock.advance(Duration::days(2));
    step_done(
        &t,
        &enrollment[&p1],
        1,
        ("call", "done", Some("meeting_booked"), true),
    )
    .await;

    let team_path = format!(
        "/api/v1/dashboards/team?team={}&from=2026-03-01&to=2026-03-31",
        t.team_id
    );
    let (_, d) = get(&t.lead, &team_path).await;
    let steps = d["sequence_steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{d}");
    let email_step = &steps[0];
    assert_eq!(
        (email_step["sequence"].as_str(), email_step["step"].as_i64()),
        (Some("Spring cadence"), Some(1))
    );
    assert_eq!(email_step["kind"], "automatic_email");
    for (metric, want) in [
        ("sent", 3),
        ("replied", 1),
        ("bounced", 1),
        ("failed", 2),
        ("connects", 0),
        ("meetings", 0),
    ] {
        assert_eq!(email_step[metric], want, "step 1 {metric}: {email_step}");
    }
    let call_step = &steps[1];
    for (metric, want) in [("sent", 1), ("connects", 1), ("meetings", 1), ("failed", 0)] {
        assert_eq!(call_step[metric], want, "step 2 {metric}: {call_step}");
    }
    // Three people on an account (p4 has none) over two accounts.
    assert_eq!(d["coverage"]["people_sequenced"], 3);
    assert_eq!(d["coverage"]["accounts_sequenced"], 2);
    assert_eq!(d["coverage"]["people_sequenced_per_account"], 1.5);

    // Filtered to Ann: Bob's sent email drops out; a later range has nothing.
    let (_, mine) = get(
        &t.lead,
        &format!("/api/v1/dashboards/reps/{ann_id}?from=2026-03-01&to=2026-03-31"),
    )
    .await;
    assert_eq!(mine["sequence_steps"][0]["sent"], 2, "{mine}");
    let (_, later) = get(
        &t.lead,
        &format!(
            "/api/v1/dashboards/team?team={}&from=2026-04-01&to=2026-04-30",
            t.team_id
        ),
    )
    .await;
    assert_eq!(later["sequence_steps"].as_array().unwrap().len(), 0);
    assert_eq!(later["coverage"]["people_sequenced"], 0);

    // The hygiene list names both failed steps and links to the person's enrollments.
    let (_, hygiene) = get(&t.lead, &format!("/api/v1/dashboards/hygiene?team={}", t.team_id)).await;
    let failed: Vec<&Value> = hygiene["items"]
        .as_array()
        .or(hygiene.as_array())
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "failed_sequence_step")
        .collect();
    assert_eq!(failed.len(), 2, "{hygiene}");
    assert!(
        failed
            .iter()
            .any(|i| i["href"] == format!("/sequences/people/{p2}")
                && i["title"].as_str().unwrap().contains("the email bounced"))
    );
    assert!(
        failed
            .iter()
            .any(|i| i["href"] == format!("/sequences/people/{p3}")
                && i["title"].as_str().unwrap().contains("no email address"))
    );

    // The team page draws the chart with its table, and its CSV has every count.
    let boss = t.app.browser();
    crate::form_login(
        &t.app,
        &boss,
        "boss@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    let query = format!("team={}&from=2026-03-01&to=2026-03-31", t.team_id);
    let html = boss
        .get(t.app.url(&format!("/dashboards?{query}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"chart-sequence_steps\"") && html.contains("id=\"table-sequence_steps\""));
    assert!(html.contains("Results per sequence step") && html.contains("People sequenced per account"));
    let csv = boss
        .get(t.app.url(&format!("/dashboards/csv/sequence_steps?{query}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("Label,Sent,Replied,Bounced,Connects,Meetings,Failed\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Spring cadence · step 1 (automatic email),3,1,1,0,0,2\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Spring cadence · step 2 (call),1,0,0,1,1,0\n"),
        "{csv}"
    );
    let html = boss
        .get(t.app.url("/dashboards/hygiene"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Failed sequence steps") && html.contains(&format!("href=\"/sequences/people/{p2}\""))
    );
}

async fn retract(client: &ApiClient, id: &Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/activities/{}/retract", id.as_str().unwrap());
    post(client, &path, json!({"reason": "wrong lead"})).await
}

async fn a_mistaken_activity_is_deleted_by_a_retraction_entry_and_the_dashboard_takes_it_back(db: TestDb) {
    let t = team(db).await;
    let ann = &t.a.1;
    let lead = new_lead(ann, json!({"last_name": "Oops", "email": "oops@acme.com"})).await;
    let lead_id = lead["id"].as_str().unwrap();
    let kept = log(ann, call(lead_id, "connected")).await;
    let mistaken = log(ann, call(lead_id, "connected")).await;
    t.app.clock.advance(Duration::minutes(5));
    // A correction first, so the deletion must take back the corrected version.
    let fixed = log(
        ann,
        json!({"kind": "call", "corrects_id": mistaken["id"], "disposition": "no_answer"}),
    )
    .await;
    let sent = log(ann, email(lead_id, "sent")).await;
    let path = format!(
        "/api/v1/dashboards/team?team={}&from=2026-03-01&to=2026-03-31",
        t.team_id
    );
    let (_, before) = get(&t.lead, &path).await;
    assert_eq!(before["totals"]["calls"], 2);
    assert_eq!(before["totals"]["connects"], 1);
    assert_eq!(before["totals"]["emails_sent"], 1);

    // Deleting the correction deletes the whole entry (it names the first version).
    t.app.clock.advance(Duration::minutes(5));
    let (status, retraction) = retract(ann, &fixed["id"]).await;
    assert_eq!(status, StatusCode::CREATED, "{retraction}");
    assert_eq!(retraction["kind"], "retraction");
    assert_eq!(retraction["corrects_id"], mistaken["id"]);
    assert_eq!(retraction["person_id"], lead["id"]);
    assert_eq!(retraction["detail"]["reason"], "wrong lead");
    // The same through the generic log endpoint, for the email.
    let (status, body) = post(
        ann,
        "/api/v1/activities",
        json!({"kind": "retraction", "corrects_id": sent["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (_, after) = get(&t.lead, &path).await;
    assert_eq!(after["totals"]["calls"], 1, "{after}");
    assert_eq!(after["totals"]["connects"], 1);
    assert_eq!(after["totals"]["emails_sent"], 0);

    // The timeline keeps every entry and marks the deleted ones.
    let (_, tl) = get(ann, &format!("/api/v1/leads/{lead_id}/timeline")).await;
    let retracted: Vec<&Value> = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["retracted"] == true)
        .map(|a| &a["id"])
        .collect();
    for deleted in [&mistaken["id"], &fixed["id"], &sent["id"]] {
        assert!(retracted.contains(&deleted), "{deleted} shows as deleted: {tl}");
    }
    assert!(!retracted.contains(&&kept["id"]));
    assert_eq!(
        tl["items"].as_array().unwrap().len(),
        6,
        "nothing disappears: {tl}"
    );
    let (_, one) = get(
        ann,
        &format!("/api/v1/activities/{}", mistaken["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(one["retracted"], true);

    // Twice, a retraction, a status change, a correction after deletion, another rep's lead.
    let (status, body) = retract(ann, &mistaken["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "retracted");
    let (status, body) = retract(ann, &retraction["id"]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "cannot_retract_retraction");
    move_to(ann, lead_id, json!({"status": "mql"})).await;
    let (_, tl) = get(ann, &format!("/api/v1/leads/{lead_id}/timeline")).await;
    let status_change = &tl["items"][0];
    assert_eq!(status_change["kind"], "status_change");
    let (status, body) = retract(ann, &status_change["id"]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "written_by_product");
    let (status, body) = post(
        ann,
        "/api/v1/activities",
        json!({"kind": "call", "corrects_id": mistaken["id"], "disposition": "connected"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = post(
        ann,
        "/api/v1/activities",
        json!({"kind": "retraction", "person_id": lead_id}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "corrects_id");
    let (status, body) = retract(&t.b.1, &kept["id"]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another rep's lead is not theirs to see: {body}"
    );
    let (_, last) = get(&t.lead, &path).await;
    assert_eq!(last["totals"], after["totals"], "refusals changed nothing");
}

async fn rollups_equal_a_full_recount_after_random_writes_corrections_retractions_and_a_restart(db: TestDb) {
    let t = team(db).await;
    let reps = [&t.a.1, &t.b.1];
    let mut leads = Vec::new();
    for (i, source) in ["webinar", "outbound", "web"].iter().enumerate() {
        let lead = new_lead(
            reps[i % 2],
            json!({"last_name": format!("L{i}"), "email": format!("l{i}@acme.com"), "source": source}),
        )
        .await;
        leads.push((lead["id"].as_str().unwrap().to_owned(), i % 2));
    }
    let mut rng = Lcg(7);
    let mut logged: Vec<(Value, usize)> = Vec::new();
    let mut retracted: std::collections::BTreeSet<String> = Default::default();
    for _ in 0..60 {
        let (lead, owner) = &leads[rng.next(3) as usize];
        let client = reps[*owner];
        let body = match rng.next(7) {
            0 => call(lead, "connected"),
            1 => call(lead, "left_voicemail"),
            2 => email(lead, "sent"),
            3 => email(lead, "received"),
            4 if !logged.is_empty() => {
                // Correct an earlier call or email of this rep (possibly a correction already).
                let (orig, who) = &logged[rng.next(logged.len() as u64) as usize];
                let root = orig["corrects_id"].as_str().or(orig["id"].as_str()).unwrap();
                if retracted.contains(root) {
                    continue;
                }
                let body = match orig["kind"].as_str().unwrap() {
                    "call" => {
                        json!({"kind": "call", "corrects_id": orig["corrects_id"].as_str().or(orig["id"].as_str()),
                                     "disposition": if rng.next(2) == 0 { "connected" } else { "no_answer" }})
                    }
                    _ => {
                        json!({"kind": "email", "corrects_id": orig["corrects_id"].as_str().or(orig["id"].as_str()),
                                "direction": if rng.next(2) == 0 { "sent" } else { "received" }})
                    }
                };
                let a = log(reps[*who], body).await;
                logged.push((a, *who));
                continue;
            }
            5 if !logged.is_empty() => {
                // Delete an earlier call or email as logged by mistake (a second try is a 409).
                let (orig, who) = &logged[rng.next(logged.len() as u64) as usize];
                let root = orig["corrects_id"]
                    .as_str()
                    .or(orig["id"].as_str())
                    .unwrap()
                    .to_owned();
                let (status, body) = retract(reps[*who], &orig["id"]).await;
                if retracted.insert(root) {
                    assert_eq!(status, StatusCode::CREATED, "{body}");
                } else {
                    assert_eq!(status, StatusCode::CONFLICT, "{body}");
                }
                t.app.clock.advance(Duration::hours(rng.next(30) as i64));
                continue;
            }
            _ => json!({"kind": "meeting", "person_id": lead, "starts_at": "2026-03-09T10:00:00Z"}),
        };
        let a = log(client, body).await;
        if a["kind"] != "meeting" {
            logged.push((a, *owner));
        }
        t.app.clock.advance(Duration::hours(rng.next(30) as i64));
    }
    move_to(&t.a.1, &leads[0].0, json!({"status": "mql"})).await;
    t.app.clock.advance(Duration::hours(5));
    move_to(
        &t.a.1,
        &leads[0].0,
        json!({"status": "bad_data", "reason": "bad_phone"}),
    )
    .await;

    // Sixty steps of up to 30 hours run past March.
    let path = format!(
        "/api/v1/dashboards/team?team={}&from=2026-03-01&to=2026-05-31",
        t.team_id
    );
    let (_, before) = get(&t.lead, &path).await;
    let mut reader = t.app.store.reader();
    let incremental = prospector_store::dashboards::rollups::snapshot(&mut reader)
        .await
        .unwrap();
    assert!(!incremental.is_empty());

    // Restart: close the store, open the same database again, and recount from the records.
    t.app.store.close().await;
    let store = t.app.db.store().await;
    let mut tx = store.begin().await.unwrap();
    prospector_store::dashboards::rollups::rebuild(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let recount = prospector_store::dashboards::rollups::snapshot(&mut store.reader())
        .await
        .unwrap();
    assert_eq!(
        incremental, recount,
        "incremental rollups differ from a full recount"
    );

    // And the dashboard agrees with an independent count of the latest versions.
    let (mut calls, mut connects, mut sent, mut replies) = (0, 0, 0, 0);
    let mut latest: std::collections::BTreeMap<String, Value> = Default::default();
    for (a, _) in &logged {
        let key = a["corrects_id"].as_str().or(a["id"].as_str()).unwrap().to_owned();
        latest.insert(key, a.clone());
    }
    assert!(!retracted.is_empty(), "the run deletes some activities");
    latest.retain(|root, _| !retracted.contains(root));
    for a in latest.values() {
        match a["kind"].as_str().unwrap() {
            "call" => {
                calls += 1;
                connects += i64::from(a["is_connect"] == true);
            }
            _ if a["detail"]["direction"] == "received" || a["direction"] == "received" => replies += 1,
            _ => sent += 1,
        }
    }
    assert_eq!(before["totals"]["calls"], calls);
    assert_eq!(before["totals"]["connects"], connects);
    assert_eq!(before["totals"]["emails_sent"], sent);
    assert_eq!(before["totals"]["replies"], replies);
    store.close().await;
}

async fn bad_filters_are_refused_and_reps_see_only_themselves(db: TestDb) {
    let t = team(db).await;
    let cases = [
        ("from=2026-03-10&to=2026-03-01", "to", "range_reversed"),
        ("from=2020-01-01&to=2026-01-01", "to", "range_too_long"),
        ("from=yesterday", "from", "invalid_date"),
        ("rep=0190c3a0-0000-7000-8000-000000000000", "rep", "unknown_rep"),
        (
            "team=0190c3a0-0000-7000-8000-000000000000",
            "team",
            "unknown_team",
        ),
        ("team=north", "team", "invalid_id"),
        ("segment=huge", "segment", "unknown_value"),
        ("grain=hour", "grain", "unknown_value"),
    ];
    for (query, field, code) in cases {
        let (status, body) = get(&t.lead, &format!("/api/v1/dashboards/team?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
        assert_eq!(body["error"]["code"], code, "{query}: {body}");
    }
    let (_, body) = get(&t.lead, "/api/v1/dashboards/team?from=2020-01-01&to=2026-01-01").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 5 years"),
        "{body}"
    );

    let (ann_id, ann) = (&t.a.0, &t.a.1);
    let (status, _) = get(ann, &format!("/api/v1/dashboards/reps/{ann_id}")).await;
    assert_eq!(status, StatusCode::OK, "a rep sees their own dashboard");
    let (status, body) = get(ann, &format!("/api/v1/dashboards/reps/{}", t.b.0)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = get(ann, "/api/v1/dashboards/team").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&t.lead, &format!("/api/v1/dashboards/reps/{}", t.b.0)).await;
    assert_eq!(status, StatusCode::OK, "a team lead sees every rep");
}

async fn ramp_targets_default_to_the_handbook_and_are_editable_by_leads(db: TestDb) {
    let t = team(db).await;
    let (ann_id, ann) = (&t.a.0, &t.a.1);
    let path = format!("/api/v1/reps/{ann_id}/ramp");
    let (status, ramp) = get(ann, &path).await;
    assert_eq!(status, StatusCode::OK, "{ramp}");
    assert_eq!(ramp["defaults"], true);
    assert_eq!(ramp["month"], 1);
    assert_eq!(ramp["targets"]["month1"]["activities_per_day"], 40.0);
    assert_eq!(ramp["targets"]["month1"]["opportunities_per_week"], 1.0);
    assert_eq!(ramp["targets"]["month3"]["activities_per_day"], 90.0);
    assert_eq!(ramp["targets"]["month3"]["connects_per_week"], 15.0);
    assert_eq!(ramp["targets"]["month3"]["meetings_per_week"], 5.0);
    assert_eq!(ramp["targets"]["month3"]["opportunities_per_month"], 8.0);

    let r = ann
        .put(&path, &json!({"started_on": "2025-12-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a rep does not set their own targets"
    );

    let mut targets = ramp["targets"].clone();
    targets["month3"]["activities_per_day"] = json!(100.0);
    let r = t
        .lead
        .put(&path, &json!({"started_on": "2025-12-01", "targets": targets}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(
        (saved["month"].clone(), saved["defaults"].clone()),
        (json!(4), json!(false))
    );

    targets["month2"]["meetings_per_week"] = json!(-3);
    let r = t
        .lead
        .put(&path, &json!({"targets": targets}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "month2.meetings_per_week");

    // Attainment on the dashboard follows: month 4 asks 100 a working day.
    let (_, d) = get(
        &t.lead,
        &format!("/api/v1/dashboards/reps/{ann_id}?from=2026-03-02&to=2026-03-02"),
    )
    .await;
    assert_eq!(d["reps"][0]["ramp_month"], 4);
    assert_eq!(d["reps"][0]["attainment"][0]["target"], 100.0);
}

async fn weekly_digest_goes_to_each_team_lead_through_the_outbox(db: TestDb) {
    use prospector_store::Exec;
    let t = team(db).await;
    let (_, ann) = (&t.a.0, &t.a.1);
    let lead = new_lead(ann, json!({"last_name": "Digest", "email": "digest@acme.com"})).await;
    let id = lead["id"].as_str().unwrap();
    log(ann, call(id, "connected")).await;
    move_to(ann, id, json!({"status": "mql"})).await;

    t.app.app.schedule_weekly_digest().await.unwrap();
    t.app.app.schedule_weekly_digest().await.unwrap();
    let worker = prospector_app::dashboards::register_handlers(prospector_app::outbox::Worker::new(
        t.app.app.clone(),
        "test",
    ));
    assert_eq!(
        worker.run_once().await.unwrap(),
        0,
        "nothing is due before Monday"
    );
    // The clock starts Monday 2026-03-02 09:00; the digest of that week goes out 03-09 07:00.
    t.app.clock.advance(Duration::days(6) + Duration::hours(23));
    assert_eq!(worker.run_once().await.unwrap(), 1, "scheduled once, run once");

    let mut reader = t.app.store.reader();
    let rows = reader
        .fetch_all(prospector_store::query(
            "SELECT payload FROM outbox WHERE kind = 'email.send' ORDER BY id",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one team with a lead: one digest");
    let payload: Value = rows[0].get("payload").unwrap();
    assert_eq!(payload["to"][0]["email"], "boss@example.com");
    let text = payload["text"].as_str().unwrap();
    assert!(text.contains("Calls: 1, connects: 1 (100%)"), "{text}");
    assert!(text.contains("Pending MQLs: Digest"), "{text}");
    assert!(text.contains(&format!("/leads/{id}")), "{text}");
    assert!(text.contains("activities 1/200"), "{text}");

    // The next week's run is queued; running the same week again sends nothing twice.
    assert_eq!(
        t.app
            .app
            .send_weekly_digests("2026-03-02".parse().unwrap())
            .await
            .unwrap(),
        0
    );
    let next = reader
        .fetch_all(prospector_store::query(
            "SELECT available_at FROM outbox WHERE kind = 'dashboards.weekly_digest' AND done_at IS NULL",
        ))
        .await
        .unwrap();
    assert_eq!(next.len(), 1, "the job rescheduled itself for the next Monday");
}

async fn dashboard_pages_render_charts_tables_and_csv_and_show_bad_filters(db: TestDb) {
    let t = team(db).await;
    let (ann_id, ann) = (&t.a.0, &t.a.1);
    let lead = new_lead(
        ann,
        json!({"last_name": "Page", "email": "page@acme.com", "source": "webinar"}),
    )
    .await;
    log(ann, call(lead["id"].as_str().unwrap(), "connected")).await;
    move_to(ann, lead["id"].as_str().unwrap(), json!({"status": "mql"})).await;

    let boss = t.app.browser();
    crate::form_login(
        &t.app,
        &boss,
        "boss@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    let page = |path: &str| {
        let boss = boss.clone();
        let url = t.app.url(path);
        async move {
            let r = boss.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let query = format!("team={}&from=2026-03-01&to=2026-03-07", t.team_id);
    let (status, html) = page(&format!("/dashboards?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "id=\"chart-activity\"",
        "<svg class=\"chart\"",
        "id=\"table-activity\"",
        "id=\"chart-reps\"",
        "id=\"attainment\"",
    ] {
        assert!(html.contains(needle), "team dashboard lacks {needle}");
    }
    let csv_link = format!(
        "/dashboards/csv/activity?from=2026-03-01&#38;to=2026-03-07&#38;team={}",
        t.team_id
    );
    assert!(
        html.contains(&csv_link),
        "CSV link keeps the filters: {}",
        &html[html.find("/dashboards/csv/").unwrap_or(0)..][..200]
    );
    for (path, needle) in [
        ("/dashboards/funnel", "id=\"chart-funnel\""),
        ("/dashboards/sla", "id=\"chart-speed\""),
        ("/dashboards/hygiene", "Pending MQLs"),
        (
            &format!("/dashboards/reps/{ann_id}") as &str,
            "id=\"chart-connects\"",
        ),
    ] {
        let (status, html) = page(&format!("{path}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(needle), "{path} lacks {needle}");
    }
    let (_, hygiene) = page("/dashboards/hygiene").await;
    assert!(
        hygiene.contains(&format!("href=\"/leads/{}\"", lead["id"].as_str().unwrap())),
        "links to the record"
    );

    let r = boss
        .get(t.app.url(&format!("/dashboards/csv/activity?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("Label,Calls,Emails sent,LinkedIn,Meetings\n"),
        "{csv}"
    );
    assert!(csv.contains("2026-03-02,1,0,0,0\n"), "{csv}");

    let (status, html) = page("/dashboards?from=2026-03-10&to=2026-03-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-to\""), "the error sits next to the field");
    assert!(html.contains("before it starts"), "{html}");

    // A rep opening the team dashboard lands on their own.
    let rep = t.app.browser();
    crate::form_login(&t.app, &rep, "ann@example.com", prospector_testkit::TEST_PASSWORD).await;
    let r = rep.get(t.app.url("/dashboards")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/dashboards/reps/{ann_id}").as_str()
    );
    let r = rep
        .get(t.app.url(&format!("/dashboards/reps/{}", t.b.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
