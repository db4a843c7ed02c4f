//! Lifecycle moves, qualification and conversion.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, move_to, new_lead, post};
use crate::app_with_admin;

on_both_backends!(
    exits_need_a_reason_from_the_catalogue,
    illegal_moves_are_409_naming_what_is_allowed,
    qualified_needs_the_framework_satisfied,
    convert_makes_contact_account_and_opportunity_in_one_transaction,
    every_move_writes_an_activity_and_the_audit_log,
);

async fn exits_need_a_reason_from_the_catalogue(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(&admin, json!({"last_name": "Reason", "email": "reason@acme.com"})).await;
    let path = format!("/api/v1/leads/{}/status", lead["id"].as_str().unwrap());

    let (status, body) = post(&admin, &path, json!({"status": "disqualified"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "reason");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("student"),
        "{body}"
    );

    let (status, body) = post(
        &admin,
        &path,
        json!({"status": "disqualified", "reason": "bored"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "unknown_value");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad_buyer_profile, competitor")
    );

    let (status, body) = post(&admin, &path, json!({"status": "sleeping"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "status");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("raw, inquiry, mql, accepted")
    );

    let done = move_to(
        &admin,
        lead["id"].as_str().unwrap(),
        json!({"status": "disqualified", "reason": "student", "note": "PhD student"}),
    )
    .await;
    assert_eq!(done["status"], "disqualified");
    assert_eq!(done["status_reason"], "student");

    // An admin retires a reason; it can no longer be chosen.
    let (status, _) = post(
        &admin,
        "/api/v1/leads",
        json!({"last_name": "Two", "email": "two@acme.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let r = admin
        .patch("/api/v1/reasons/recycle/evaluating", &json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, reasons) = get(&admin, "/api/v1/reasons").await;
    let evaluating = reasons["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "evaluating")
        .unwrap()
        .clone();
    assert_eq!(evaluating["active"], false);
}

async fn illegal_moves_are_409_naming_what_is_allowed(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(
        &admin,
        json!({"last_name": "Back", "email": "back@acme.com", "status": "mql"}),
    )
    .await;
    assert_eq!(lead["mql_count"], 1);
    let id = lead["id"].as_str().unwrap();
    let (status, body) = post(
        &admin,
        &format!("/api/v1/leads/{id}/status"),
        json!({"status": "raw"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("allowed from mql are accepted, qualifying"),
        "{body}"
    );

    move_to(
        &admin,
        id,
        json!({"status": "disqualified", "reason": "competitor"}),
    )
    .await;
    let (status, body) = post(
        &admin,
        &format!("/api/v1/leads/{id}/status"),
        json!({"status": "mql"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing may follow disqualified"),
        "{body}"
    );
}

async fn qualified_needs_the_framework_satisfied(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(
        &admin,
        json!({"last_name": "Qual", "email": "qual@acme.com", "status": "mql"}),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let path = format!("/api/v1/leads/{id}/status");
    let (status, body) = post(
        &admin,
        &path,
        json!({"status": "qualified", "answers": {"budget": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "qualification");
    assert_eq!(body["error"]["code"], "not_qualified");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing: authority, need, timeline"),
        "{body}"
    );

    let (status, body) = post(
        &admin,
        &path,
        json!({"status": "qualified", "framework": "aift", "answers": {"authority": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("AIFT needs 4 of 4"),
        "{body}"
    );

    let (status, body) = post(
        &admin,
        &path,
        json!({"status": "qualified", "framework": "scoring"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("soft_bant, aift")
    );

    let done = move_to(
        &admin,
        id,
        json!({"status": "qualified", "answers": {"budget": true, "need": true}}),
    )
    .await;
    assert_eq!(done["status"], "qualified");
    assert_eq!(done["framework"], "soft_bant");
    assert_eq!(done["qualification"]["need"], true);
}

async fn convert_makes_contact_account_and_opportunity_in_one_transaction(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (ae, _) = app.api_client("ae@example.com", "ae").await;
    let (sdr, _) = app.api_client("sdr@example.com", "sdr").await;
    let lead = new_lead(
        &admin,
        json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example", "company": "Navy", "status": "mql",
               "owner_id": sdr.id.to_string()}),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let path = format!("/api/v1/leads/{id}/convert");

    let (status, body) = post(&admin, &path, json!({"ae_id": ae.id.to_string()})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "only qualified leads convert: {body}"
    );
    move_to(
        &admin,
        id,
        json!({"status": "qualified", "answers": {"budget": true, "authority": true}}),
    )
    .await;

    // The AE is checked after the account would have been made: the failure must leave nothing.
    let (status, body) = post(&admin, &path, json!({"ae_id": sdr.id.to_string()})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "ae_id");
    let (_, accounts) = get(&admin, "/api/v1/accounts").await;
    assert_eq!(accounts["count"], 0, "a failed conversion leaves no account");
    let (_, still) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(still["kind"], "lead");

    let (status, done) = post(
        &admin,
        &path,
        json!({"ae_id": ae.id.to_string(), "amount_cents": 1200000}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["account_created"], true);
    assert_eq!(done["account"]["name"], "Navy");
    assert_eq!(done["account"]["domains"][0], "navy.example");
    assert_eq!(done["contact"]["kind"], "contact");
    assert_eq!(done["contact"]["account_id"], done["account"]["id"]);
    assert_eq!(done["opportunity"]["stage"], "pending_acceptance");
    assert_eq!(done["opportunity"]["stage_number"], 0);
    assert_eq!(done["opportunity"]["ae_id"], ae.id.to_string());
    assert_eq!(
        done["opportunity"]["sdr_id"],
        sdr.id.to_string(),
        "the SDR keeps the credit"
    );

    let (status, _) = get(&admin, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "it is a contact now");

    // A second lead from the same company lands on the same account.
    let other = new_lead(
        &admin,
        json!({"last_name": "Murray", "email": "murray@navy.example", "status": "mql"}),
    )
    .await;
    let oid = other["id"].as_str().unwrap();
    move_to(
        &admin,
        oid,
        json!({"status": "qualified", "answers": {"budget": true, "authority": true}}),
    )
    .await;
    let (status, again) = post(
        &admin,
        &format!("/api/v1/leads/{oid}/convert"),
        json!({"ae_id": ae.id.to_string()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["account_created"], false);
    assert_eq!(again["account"]["id"], done["account"]["id"]);

    // Stage moves: reject needs a reason; accept is allowed.
    let opp = done["opportunity"]["id"].as_str().unwrap();
    let (status, body) = post(
        &admin,
        &format!("/api/v1/opportunities/{opp}/stage"),
        json!({"stage": "unqualified"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "reason");
    let (status, body) = post(
        &admin,
        &format!("/api/v1/opportunities/{opp}/stage"),
        json!({"stage": "closed_won"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("discovery, unqualified, duplicate"),
        "{body}"
    );
    let (status, body) = post(
        &admin,
        &format!("/api/v1/opportunities/{opp}/stage"),
        json!({"stage": "discovery"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn every_move_writes_an_activity_and_the_audit_log(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(&admin, json!({"last_name": "Audit", "email": "audit@acme.com"})).await;
    let id = lead["id"].as_str().unwrap();
    move_to(&admin, id, json!({"status": "accepted"})).await;
    move_to(
        &admin,
        id,
        json!({"status": "recycle", "reason": "no_budget", "note": "next fiscal year"}),
    )
    .await;
    let (_, timeline) = get(&admin, &format!("/api/v1/leads/{id}/timeline")).await;
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["note", "status_change", "status_change"], "newest first");
    assert_eq!(timeline["items"][1]["detail"]["to"], "recycle");
    assert_eq!(timeline["items"][1]["detail"]["reason"], "no_budget");
    let (_, audit) = get(
        &admin,
        &format!("/api/v1/audit?entity_id={id}&action=lead.status"),
    )
    .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);
    assert_eq!(audit["items"][0]["after"]["status"], "recycle");
}
