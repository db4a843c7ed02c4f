//! Interview times in the candidate's and the viewer's time zone, absolute links in hiring mail
//! from the configured base URL, and sent offers marked expired in storage once overdue.

use chrono::{Duration, TimeZone, Utc};
use prospector_app::Actor;
use prospector_app::hiring::jobs::JobPatch;
use prospector_app::users::NewUserInput;
use prospector_store::hiring::offers::offer_by_id;
use prospector_store::users::User;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{apply, emails_to, import_ae, recruiter, worker};
use crate::{csrf_in, error_of, form_login};

on_both_backends!(
    interview_times_are_in_each_persons_zone_and_mail_links_to_the_pages,
    a_sent_offer_past_its_expiry_is_stored_and_shown_as_expired,
    a_recruiter_sets_the_candidates_time_zone_and_a_wrong_one_is_refused,
);

const BASE: &str = "https://careers.example.com";

async fn person(app: &TestApp, email: &str, name: &str, role: &str, zone: &str) -> (User, reqwest::Client) {
    let user = app
        .app
        .add_user(
            &Actor::cli(),
            NewUserInput {
                email: email.into(),
                name: name.into(),
                role: role.into(),
                team: None,
                password: Some(TEST_PASSWORD.into()),
                time_zone: Some(zone.into()),
            },
        )
        .await
        .unwrap();
    let browser = app.browser();
    let r = form_login(app, &browser, email, TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {email}");
    (user, browser)
}

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let r = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

async fn interview_times_are_in_each_persons_zone_and_mail_links_to_the_pages(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.set_public_url(&Actor::cli(), BASE).await.unwrap();
    import_ae(&app).await;
    let recruiter = recruiter(&app).await;
    let (ann, ann_browser) = person(
        &app,
        "ann@example.com",
        "Ann Iv",
        "interviewer",
        "America/New_York",
    )
    .await;
    // The form answers the time-zone question with "Europe/Berlin".
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let view: Value = recruiter
        .get(&format!("/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["candidate"]["time_zone"], "Europe/Berlin");

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

    let to_ada = emails_to(&app, "ada@example.com")
        .await
        .into_iter()
        .find(|m| !m["calendar"].is_null())
        .expect("invitation to the candidate");
    let berlin = "Tue 3 Mar 2026, 15:00 CET (Europe/Berlin)";
    assert!(
        to_ada["subject"].as_str().unwrap().contains(berlin),
        "{}",
        to_ada["subject"]
    );
    let text = to_ada["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("{berlin} – 16:00 CET, 14:00 UTC")),
        "{text}"
    );
    assert!(text.contains(&format!("{BASE}/jobs/account-executive")), "{text}");
    let ics = to_ada["calendar"]["ics"].as_str().unwrap().replace("\r\n ", "");
    assert!(
        ics.contains("DTSTART:20260303T140000Z"),
        "the calendar stays in UTC"
    );

    let to_ann = emails_to(&app, "ann@example.com")
        .await
        .into_iter()
        .find(|m| !m["calendar"].is_null())
        .expect("invitation to the interviewer");
    let text = to_ann["text"].as_str().unwrap();
    assert!(
        text.contains("Tue 3 Mar 2026, 09:00 EST (America/New_York) – 10:00 EST"),
        "{text}"
    );
    assert!(text.contains(&format!("({berlin} for the candidate)")), "{text}");
    assert!(
        text.contains(&format!("{BASE}/hiring/applications/{id}")),
        "{text}"
    );

    // The interviewer's page: her time first, the candidate's beside it.
    let html = page(&app, &ann_browser, &format!("/hiring/applications/{id}")).await;
    assert!(
        html.contains("Tue 3 Mar 2026, 09:00 EST (America/New_York) – 10:00 EST"),
        "{html}"
    );
    assert!(html.contains(&format!("For the candidate: {berlin} – 16:00 CET")));
    assert!(html.contains("Europe/Berlin"));
    let html = page(&app, &ann_browser, "/hiring").await;
    assert!(html.contains("Tue 3 Mar 2026, 09:00 EST (America/New_York)"));
}

async fn a_sent_offer_past_its_expiry_is_stored_and_shown_as_expired(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.app.set_public_url(&Actor::cli(), BASE).await.unwrap();
    let (job, _) = import_ae(&app).await;
    let (dana, dana_client) = app.api_client("dana.lead@example.com", "team_lead").await;
    let (_, ceo) = app.api_client("ceo@example.com", "admin").await;
    let (_, rita) = person(&app, "rita@example.com", "Rita Recruiter", "recruiter", "UTC").await;
    app.app
        .update_job(
            &Actor::cli(),
            job.id,
            JobPatch {
                hiring_manager_id: Some(dana.id.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let recruiter = recruiter(&app).await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let offer: Value = recruiter
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
    let offer_id = offer["id"].as_str().unwrap().to_owned();
    let post = |client: &prospector_testkit::ApiClient, action: &str| {
        client
            .post(&format!("/api/v1/offers/{offer_id}/{action}"), &json!({}))
            .send()
    };
    assert_eq!(post(&recruiter, "submit").await.unwrap().status(), StatusCode::OK);
    // The approver is asked by mail, with a link to the offer's page.
    let ask = emails_to(&app, "dana.lead@example.com").await;
    assert!(
        ask.iter().any(|m| m["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{BASE}/hiring/offers/{offer_id}"))),
        "{ask:?}"
    );
    assert_eq!(
        post(&dana_client, "approve").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(post(&ceo, "approve").await.unwrap().status(), StatusCode::OK);
    let r = recruiter
        .post(
            &format!("/api/v1/offers/{offer_id}/send"),
            &json!({"valid_days": 7}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let letter = emails_to(&app, "ada@example.com")
        .await
        .into_iter()
        .find(|m| m["subject"] == "Your offer for the Account Executive role")
        .unwrap();
    assert!(
        letter["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{BASE}/jobs/offers/"))
    );

    let worker = worker(&app);
    app.clock.advance(Duration::days(6));
    worker.run_once().await.unwrap();
    let stored = offer_by_id(&mut app.store.reader(), offer_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.offer.status.code(), "sent", "six days: still open");

    app.clock.advance(Duration::days(2));
    worker.run_once().await.unwrap();
    let stored = offer_by_id(&mut app.store.reader(), offer_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.offer.status.code(),
        "expired",
        "marked in storage by the worker"
    );
    assert!(stored.offer.closed_at.is_some());
    let api: Value = recruiter
        .get(&format!("/api/v1/offers/{offer_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["status"], "expired");
    let listed: Value = recruiter
        .get(&format!("/api/v1/applications/{id}/offers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["status"], "expired", "{listed}");
    let html = page(&app, &rita, &format!("/hiring/applications/{id}")).await;
    assert!(html.contains(">Expired<"), "the candidate page shows it expired");
    assert!(html.contains("id=\"offer-form\""), "a new offer can be drafted");
    let html = page(&app, &rita, &format!("/hiring/offers/{offer_id}")).await;
    assert!(html.contains(">Expired<"));
}

async fn a_recruiter_sets_the_candidates_time_zone_and_a_wrong_one_is_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let recruiter = recruiter(&app).await;
    let (_, rita) = person(&app, "rita@example.com", "Rita Recruiter", "recruiter", "UTC").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap();
    let candidate = a["candidate_id"].as_str().unwrap();

    let r = recruiter
        .put(
            &format!("/api/v1/candidates/{candidate}/time-zone"),
            &json!({"time_zone": "CET, flexible"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e = error_of(r).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("invalid_time_zone"), Some("time_zone"))
    );
    let r = recruiter
        .put(
            &format!("/api/v1/candidates/{candidate}/time-zone"),
            &json!({"time_zone": "asia/tokyo"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["time_zone"], "Asia/Tokyo");

    // On the candidate page: a wrong zone is refused beside the field, a right one is kept.
    let path = format!("/hiring/applications/{id}");
    let html = page(&app, &rita, &path).await;
    assert!(html.contains("Asia/Tokyo"));
    let csrf = csrf_in(&html);
    let r = rita
        .post(app.url(&format!("{path}/time-zone")))
        .form(&[("csrf_token", csrf.as_str()), ("time_zone", "Mars/Olympus")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let form = &html[html.find(r#"id="zone-form""#).unwrap()..];
    assert!(form[..form.find("</dd>").unwrap()].contains("is not a time zone"));
    let r = rita
        .post(app.url(&format!("{path}/time-zone")))
        .form(&[("csrf_token", csrf.as_str()), ("time_zone", "America/New_York")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&app, &rita, &path).await;
    assert!(html.contains("Interview times are now shown to the candidate in America/New_York."));
    let (_, sdr) = app.api_client("sam@example.com", "sdr").await;
    let r = sdr
        .put(
            &format!("/api/v1/candidates/{candidate}/time-zone"),
            &json!({"time_zone": "UTC"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
