//! Creating, reading, updating and listing leads; bad input.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, new_lead, patch, post};
use crate::app_with_admin;

on_both_backends!(
    leads_are_created_read_updated_and_listed,
    invalid_email_or_phone_is_422_naming_the_field,
    lists_filter_sort_and_page_with_a_keyset_cursor,
    stale_if_match_is_409_and_nothing_is_written,
    accounts_take_the_largest_segment_of_their_hierarchy,
);

async fn leads_are_created_read_updated_and_listed(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(
        &admin,
        json!({"first_name": "Ada", "last_name": "Lovelace", "email": " Ada.Lovelace@Example.COM ",
               "phone": "030 901820", "company": "Analytical Engines", "title": "CTO", "country": "Germany",
               "source": "webinar"}),
    )
    .await;
    assert_eq!(lead["email"], "ada.lovelace@example.com");
    assert_eq!(lead["phone"], "+4930901820");
    assert_eq!(lead["time_zone"], "Europe/Berlin");
    assert_eq!(lead["region"], "emea");
    assert_eq!(lead["status"], "raw");
    assert_eq!(lead["kind"], "lead");
    assert!(lead["owner_id"].is_null(), "an admin's lead goes to the pool");
    assert!(lead["account_id"].is_null());
    let id = lead["id"].as_str().unwrap();

    let (status, read) = get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, lead);

    let (status, updated) = patch(
        &admin,
        &format!("/api/v1/leads/{id}"),
        json!({"title": "VP Engineering", "score": 65, "custom_fields": {"seats": 40}, "version": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["title"], "VP Engineering");
    assert_eq!(updated["score"], 65);
    assert_eq!(updated["custom_fields"]["seats"], 40);
    assert_eq!(updated["version"], 2);

    // A lead is not a contact.
    let (status, _) = get(&admin, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn invalid_email_or_phone_is_422_naming_the_field(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let (status, body) = post(
        &admin,
        "/api/v1/leads",
        json!({"last_name": "X", "email": "not-an-email"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "email");
    assert_eq!(body["error"]["code"], "invalid_email");

    let (status, body) = post(
        &admin,
        "/api/v1/leads",
        json!({"last_name": "X", "email": "x@acme.com", "phone": "12", "country": "US"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "phone");
    assert_eq!(body["error"]["code"], "invalid_phone");

    let (status, body) = post(
        &admin,
        "/api/v1/leads",
        json!({"last_name": "X", "emial": "x@acme.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "emial");

    let (_, list) = get(&admin, "/api/v1/leads").await;
    assert_eq!(list["count"], 0, "nothing partial is written");
}

async fn lists_filter_sort_and_page_with_a_keyset_cursor(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    for (i, name) in ["Baker", "Chen", "Diaz", "Evans", "Fox"].iter().enumerate() {
        app.clock.advance(chrono::Duration::seconds(1));
        new_lead(
            &admin,
            json!({"last_name": name, "email": format!("{}@acme{i}.com", name.to_lowercase()),
                   "source": if i % 2 == 0 { "webinar" } else { "trial" }, "score": i * 10}),
        )
        .await;
    }
    let (_, page) = get(&admin, "/api/v1/leads?limit=2").await;
    assert_eq!(page["count"], 5);
    assert_eq!(page["count_capped"], false);
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Fox", "Evans"], "newest change first");
    let after = page["next_after"].as_str().unwrap();
    let (_, page2) = get(&admin, &format!("/api/v1/leads?limit=2&after={after}")).await;
    let names: Vec<&str> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Diaz", "Chen"]);

    let (_, webinar) = get(&admin, "/api/v1/leads?source=webinar&sort=score&order=asc").await;
    let names: Vec<&str> = webinar["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Baker", "Diaz", "Fox"]);
    assert_eq!(webinar["count"], 3);

    let (_, scored) = get(&admin, "/api/v1/leads?score_min=15&score_max=35").await;
    assert_eq!(scored["count"], 2);
    let (_, text) = get(&admin, "/api/v1/leads?q=chen").await;
    assert_eq!(text["items"][0]["last_name"], "Chen");
    assert_eq!(text["count"], 1);
    let (_, by_email) = get(&admin, "/api/v1/leads?q=evans@").await;
    assert_eq!(by_email["items"][0]["last_name"], "Evans");

    let (status, bad) = get(&admin, "/api/v1/leads?status=hot").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("raw, inquiry, mql")
    );
    let (status, _) = get(&admin, "/api/v1/leads?after=garbage").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn stale_if_match_is_409_and_nothing_is_written(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let lead = new_lead(&admin, json!({"last_name": "Stale", "email": "stale@acme.com"})).await;
    let path = format!("/api/v1/leads/{}", lead["id"].as_str().unwrap());
    let (status, _) = patch(&admin, &path, json!({"title": "First", "version": 1})).await;
    assert_eq!(status, StatusCode::OK);
    let r = admin
        .patch(&path, &json!({"title": "Second"}))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "stale_version");
    let (_, now) = get(&admin, &path).await;
    assert_eq!(now["title"], "First");
    let r = admin
        .post(&format!("{path}/status"), &json!({"status": "accepted"}))
        .header("If-Match", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

async fn accounts_take_the_largest_segment_of_their_hierarchy(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    let (status, parent) = post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Globex Group", "domains": ["https://www.globex.com/about"], "employees": 5000, "country": "US"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{parent}");
    assert_eq!(parent["segment"], "large");
    assert_eq!(parent["domains"][0], "globex.com");
    assert_eq!(parent["region"], "amer");
    let (status, child) = post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Globex Labs", "employees": 40, "parent_id": parent["id"],
               "tech_stack": [{"category": "ci_cd", "value": "Jenkins", "source": "job posting", "as_of": "2026-02-01"}],
               "developer_count": 25}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{child}");
    assert_eq!(
        child["segment"], "large",
        "a subsidiary is sold to as part of its group"
    );
    assert_eq!(child["tech_stack"][0]["value"], "Jenkins");

    let (status, taken) = post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Other", "domains": ["globex.com"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert_eq!(taken["error"]["field"], "domains");
    let (status, bad) = post(
        &admin,
        "/api/v1/accounts",
        json!({"name": "Bad", "tech_stack": [{"category": "ide", "value": "x", "source": "y", "as_of": "2026-01-01"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["error"]["field"], "tech_stack[0].category");
    let (_, list) = get(&admin, "/api/v1/accounts?segment=large").await;
    assert_eq!(list["count"], 2);
}
