//! Record-level permissions through the API.

use prospector_testkit::{TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, member, move_to, new_lead, patch, post};
use crate::app_with_admin;

on_both_backends!(sdrs_team_leads_aes_and_admins_see_what_they_should);

async fn sdrs_team_leads_aes_and_admins_see_what_they_should(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (sam_id, sam) = member(&app, &admin, "sam@example.com", "sdr", "West").await;
    let (_, tess) = member(&app, &admin, "tess@example.com", "sdr", "West").await;
    let (_, olga) = member(&app, &admin, "olga@example.com", "sdr", "East").await;
    let (_, lead_west) = member(&app, &admin, "lee@example.com", "team_lead", "West").await;
    let (ae_user, ae) = app.api_client("abe@example.com", "ae").await;
    let (_, marketing) = app.api_client("mo@example.com", "marketing").await;

    let sams = new_lead(&sam, json!({"last_name": "Sams", "email": "lead@sams.example"})).await;
    assert_eq!(sams["owner_id"], sam_id, "an SDR's new lead is theirs");
    let olgas = new_lead(
        &olga,
        json!({"last_name": "Olgas", "email": "lead@olgas.example"}),
    )
    .await;
    let pool = new_lead(&admin, json!({"last_name": "Pool", "email": "lead@pool.example"})).await;
    let s = format!("/api/v1/leads/{}", sams["id"].as_str().unwrap());
    let o = format!("/api/v1/leads/{}", olgas["id"].as_str().unwrap());
    let p = format!("/api/v1/leads/{}", pool["id"].as_str().unwrap());

    // SDRs: their own and the pool; another rep's lead is not found to read and forbidden to change.
    assert_eq!(get(&sam, &s).await.0, StatusCode::OK);
    assert_eq!(get(&sam, &p).await.0, StatusCode::OK);
    assert_eq!(get(&tess, &s).await.0, StatusCode::NOT_FOUND);
    let (status, body) = patch(&tess, &s, json!({"title": "mine now"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = post(&tess, &format!("{s}/status"), json!({"status": "accepted"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = get(&tess, "/api/v1/leads").await;
    assert_eq!(list["count"], 1, "tess sees only the pool: {list}");
    let (status, _) = patch(&tess, &p, json!({"owner_id": "me"})).await;
    assert_eq!(status, StatusCode::OK, "an SDR takes a lead from the pool");
    let (status, _) = patch(&sam, &s, json!({"owner_id": olgas["owner_id"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "SDRs cannot hand leads to others");

    // Team leads: their team's and the pool, not another team's.
    assert_eq!(get(&lead_west, &s).await.0, StatusCode::OK);
    assert_eq!(get(&lead_west, &o).await.0, StatusCode::NOT_FOUND);
    let (_, list) = get(&lead_west, "/api/v1/leads").await;
    assert_eq!(list["count"], 2, "sam's and the one tess took: {list}");

    // AEs: the people on their opportunities.
    assert_eq!(get(&ae, &s).await.0, StatusCode::NOT_FOUND);
    let id = sams["id"].as_str().unwrap();
    move_to(&sam, id, json!({"status": "accepted"})).await;
    move_to(
        &sam,
        id,
        json!({"status": "qualified", "answers": {"budget": true, "need": true}}),
    )
    .await;
    let (status, done) = post(
        &sam,
        &format!("/api/v1/leads/{id}/convert"),
        json!({"ae_id": ae_user.id.to_string()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        get(&ae, &format!("/api/v1/contacts/{id}")).await.0,
        StatusCode::OK
    );
    let opp = done["opportunity"]["id"].as_str().unwrap();
    assert_eq!(
        get(&ae, &format!("/api/v1/opportunities/{opp}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(&olga, &format!("/api/v1/opportunities/{opp}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, opps) = get(&ae, "/api/v1/opportunities").await;
    assert_eq!(opps["items"].as_array().unwrap().len(), 1);
    assert_eq!(get(&ae, &o).await.0, StatusCode::NOT_FOUND);

    // Admins see everything; marketing works no records.
    let (_, all) = get(&admin, "/api/v1/leads").await;
    assert_eq!(all["count"], 2);
    assert_eq!(get(&admin, &o).await.0, StatusCode::OK);
    assert_eq!(get(&marketing, &o).await.0, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &marketing,
        "/api/v1/leads",
        json!({"last_name": "M", "email": "m@m.example"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Search respects the same rule.
    let (_, found) = get(&tess, "/api/v1/search?q=olgas").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 0);
    let (_, found) = get(&olga, "/api/v1/search?q=olgas").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}
