//! Interviews with ICS invitations, blind scorecards, reminders.

use chrono::{Duration, TimeZone, Utc};
use prospector_testkit::{TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::{apply, emails_to, import_ae, recruiter, worker};
use crate::error_of;

on_both_backends!(interviewers_see_only_their_candidates_and_scorecards_stay_blind_until_theirs_is_in);

async fn interviewers_see_only_their_candidates_and_scorecards_stay_blind_until_theirs_is_in(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let recruiter = recruiter(&app).await;
    let (ann, ann_client) = app.api_client("ann@example.com", "interviewer").await;
    let (bob, bob_client) = app.api_client("bob@example.com", "interviewer").await;
    let (_, cat_client) = app.api_client("cat@example.com", "interviewer").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let other = apply(&app, "account-executive", "Bob Smith", "bob.smith@example.com").await;
    let id = a["application_id"].as_str().unwrap();

    // Tuesday 3 March 2026, 14:00–15:00 UTC.
    let starts = Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap();
    let r = recruiter
        .post(
            &format!("/api/v1/applications/{id}/interviews"),
            &json!({"starts_at": starts, "ends_at": starts + Duration::hours(1),
                    "interviewer_ids": [ann.id.to_string(), bob.id.to_string()],
                    "location": "https://meet.example.com/abc"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let interview: serde_json::Value = r.json().await.unwrap();
    let interview_id = interview["id"].as_str().unwrap();

    for address in ["ada@example.com", "ann@example.com", "bob@example.com"] {
        let mails = emails_to(&app, address).await;
        let invite = mails
            .iter()
            .find(|m| !m["calendar"].is_null())
            .unwrap_or_else(|| panic!("no invite to {address}"));
        assert_eq!(invite["calendar"]["method"], "REQUEST");
        let ics = invite["calendar"]["ics"].as_str().unwrap().replace("\r\n ", "");
        assert!(ics.contains("METHOD:REQUEST"));
        assert!(ics.contains("DTSTART:20260303T140000Z"));
        for who in ["ada@example.com", "ann@example.com", "bob@example.com"] {
            assert!(
                ics.contains(&format!("mailto:{who}")),
                "{who} on the invitation: {ics}"
            );
        }
    }

    // Interviewers see their candidate only.
    let mine: serde_json::Value = ann_client
        .get("/api/v1/applications")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    let r = ann_client
        .get(&format!(
            "/api/v1/applications/{}",
            other["application_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = cat_client
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = cat_client
        .post(
            &format!("/api/v1/interviews/{interview_id}/scorecard"),
            &json!({"overall": "yes", "pros": "p", "cons": "c"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Ann submits; Bob cannot see it until he submits his.
    let card = json!({"overall": "strong_yes",
        "ratings": {"2 years minimum experience selling B2B software": "yes", "Comfortable presenting to engineers and to executives": "strong_yes"},
        "pros": "Sharp discovery questions", "cons": "Little enterprise experience", "notes": ""});
    let r = ann_client
        .post(&format!("/api/v1/interviews/{interview_id}/scorecard"), &card)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let r = ann_client
        .post(&format!("/api/v1/interviews/{interview_id}/scorecard"), &card)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(r).await["code"], "scorecard_already_submitted");

    let blind: serde_json::Value = bob_client
        .get(&format!("/api/v1/applications/{id}/scorecards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(blind["items"].as_array().unwrap().len(), 0);
    assert_eq!(blind["hidden"], 1);
    let full: serde_json::Value = recruiter
        .get(&format!("/api/v1/applications/{id}/scorecards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(full["items"].as_array().unwrap().len(), 1);

    // Bob is late: the scorecard was due two business days after the interview.
    assert_eq!(
        interview["scorecard_due_at"],
        json!(Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap())
    );
    app.clock.set(Utc.with_ymd_and_hms(2026, 3, 5, 16, 0, 0).unwrap());
    worker(&app).run_once().await.unwrap();
    let reminders: Vec<_> = emails_to(&app, "bob@example.com")
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with("Reminder"))
        .collect();
    assert_eq!(reminders.len(), 1);
    assert!(
        emails_to(&app, "ann@example.com")
            .await
            .iter()
            .all(|m| !m["subject"].as_str().unwrap().starts_with("Reminder")),
        "Ann submitted: no reminder"
    );

    let r = bob_client
        .post(
            &format!("/api/v1/interviews/{interview_id}/scorecard"),
            &json!({"overall": "no", "pros": "Friendly", "cons": "Vague answers"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let seen: serde_json::Value = bob_client
        .get(&format!("/api/v1/applications/{id}/scorecards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["items"].as_array().unwrap().len(), 2);
    assert_eq!(seen["hidden"], 0);
}
