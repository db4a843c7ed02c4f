//! Inbound setup on both backends: capture forms edited through the API (fields, required,
//! hidden fields, honeypot, archive) and business calendars per rep and team driving SLA clocks.

use chrono::{DateTime, Duration, Utc};
use prospector_store::{Exec, query};
use prospector_testkit::{ApiClient, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::put_json as put;
use crate::records::{get, post};
use crate::{app_with_admin, csrf_in, form_login};

on_both_backends!(
    forms_are_created_edited_and_archived_with_required_hidden_and_honeypot_fields,
    sla_clocks_run_on_the_owners_calendar_then_their_teams,
    calendars_refuse_bad_input_and_other_peoples_edits,
    form_and_scoring_pages_edit_with_controls_and_show_errors_next_to_fields,
    calendar_pages_set_team_and_rep_calendars_and_out_of_office_with_errors_on_the_page,
);

async fn submit(app: &TestApp, form: &str, body: Value) -> (StatusCode, Value) {
    crate::post_form(&reqwest::Client::new(), app, form, body).await
}

fn demo_form() -> Value {
    json!({
        "slug": "demo-request",
        "name": "Demo request",
        "behaviour": "contact_us",
        "source": "web_demo",
        "fields": [
            {"name": "email", "label": "Work email", "required": true},
            {"name": "company", "label": "Company", "required": true},
            {"name": "message", "label": "What should we show you?", "required": false}
        ],
        "hidden_fields": {"utm_campaign": "q4-demo"},
        "honeypot_field": "website"
    })
}

async fn forms_are_created_edited_and_archived_with_required_hidden_and_honeypot_fields(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (status, form) = post(&admin, "/api/v1/inbound/forms", demo_form()).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    assert_eq!(form["honeypot_field"], "website");
    let (status, body) = post(&admin, "/api/v1/inbound/forms", demo_form()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["field"], "slug");

    // A required field left out is refused, naming it; the data is kept.
    let (status, body) = submit(&app, "demo-request", json!({"email": "kim@acme.com"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "company");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "missing_field");
    assert_eq!(subs["items"][0]["payload"]["email"], "kim@acme.com");

    // Filled in: accepted; the hidden field is stamped even when a visitor posts another value.
    let (status, body) = submit(
        &app,
        "demo-request",
        json!({"email": "kim@acme.com", "company": "Acme", "utm_campaign": "forged"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    assert_eq!(subs["items"][0]["utm"]["utm_campaign"], "q4-demo");

    // The form's own honeypot name catches a bot; the old default name is just another field.
    let (status, _) = submit(
        &app,
        "demo-request",
        json!({"email": "bot@spam.example", "company": "Bots", "website": "http://spam"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "a bot learns nothing");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=rejected").await;
    assert_eq!(subs["items"][0]["reject_code"], "honeypot");

    // Editing: bad input is 422 naming the field; a good edit takes effect on the next post.
    let mut bad = demo_form();
    bad["fields"][1]["name"] = json!("Company Name");
    let (status, body) = put(&admin, "/api/v1/inbound/forms/demo-request", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "fields[1].name");
    let mut bad = demo_form();
    bad["fields"] = json!([{"name": "company", "label": "Company"}]);
    let (status, body) = put(&admin, "/api/v1/inbound/forms/demo-request", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "fields");
    let mut edited = demo_form();
    edited["fields"][1]["required"] = json!(false);
    edited["name"] = json!("Book a demo");
    let (status, body) = put(&admin, "/api/v1/inbound/forms/demo-request", edited).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = submit(&app, "demo-request", json!({"email": "lee@acme.com"})).await;
    assert_eq!(status, StatusCode::CREATED, "company is optional now");
    let (_, listed) = get(&admin, "/api/v1/inbound/forms").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "Book a demo")
    );

    // Archived: 404 and the submission is kept; restored: taken again.
    let (status, form) = post(&admin, "/api/v1/inbound/forms/demo-request/archive", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(form["active"], false);
    assert!(form["archived_at"].is_string());
    let (status, _) = submit(&app, "demo-request", json!({"email": "late@acme.com"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    post(&admin, "/api/v1/inbound/forms/demo-request/restore", json!({})).await;
    let (status, _) = submit(&app, "demo-request", json!({"email": "late@acme.com"})).await;
    assert_eq!(status, StatusCode::CREATED);

    // Only admins edit forms; every change is in the audit log.
    let (_, sdr) = app.api_client("sdr@example.com", "sdr").await;
    let (status, _) = post(&sdr, "/api/v1/inbound/forms", demo_form()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, log) = get(
        &admin,
        "/api/v1/audit?entity_type=inbound_form&entity_id=demo-request",
    )
    .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "inbound.form_restored",
            "inbound.form_archived",
            "inbound.form_updated",
            "inbound.form_created"
        ]
    );
}

/// The due time of the person's MQL first-touch clock.
async fn mql_due(admin: &ApiClient, person: &str) -> DateTime<Utc> {
    let (_, clocks) = get(admin, &format!("/api/v1/leads/{person}/sla")).await;
    let clock = clocks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "mql_first_touch")
        .unwrap_or_else(|| panic!("no MQL clock: {clocks}"))
        .clone();
    clock["due_at"].as_str().unwrap().parse().unwrap()
}

async fn sla_clocks_run_on_the_owners_calendar_then_their_teams(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let sdr = app.user("kenji@example.com", "sdr", Some("Night shift")).await;
    let now = app.app.now();
    // The test clock starts on a Monday at 09:00 UTC: the team-wide calendar (UTC, 9–17) would
    // make a contact-us MQL due at 10:00 UTC. Kenji works 9–17 in Tokyo, where it is 18:00 now.
    let (status, body) = put(
        &admin,
        &format!("/api/v1/inbound/calendars/users/{}", sdr.id),
        json!({"time_zone": "Asia/Tokyo", "work_start_hour": 9, "work_end_hour": 17}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, captured) = submit(
        &app,
        "contact-us",
        json!({"email": "mei@acme.com", "last_name": "Mei"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{captured}");
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    let mei = subs["items"][0]["person_id"].as_str().unwrap().to_owned();
    let (_, lead) = get(&admin, &format!("/api/v1/leads/{mei}")).await;
    assert_eq!(lead["owner_id"], sdr.id.to_string());
    // Tuesday 09:00 in Tokyo is Tuesday 00:00 UTC; sixty business minutes later, 01:00 UTC.
    let tuesday_1am = (now.date_naive() + Duration::days(1))
        .and_hms_opt(1, 0, 0)
        .unwrap()
        .and_utc();
    assert_eq!(mql_due(&admin, &mei).await, tuesday_1am);

    // Two hours on, still Monday evening in Tokyo: the queue shows the clock on time, where the
    // team-wide calendar would have shown it breached an hour ago.
    app.clock.advance(Duration::hours(2));
    let (_, queue) = get(&admin, "/api/v1/inbound/queue").await;
    let row = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["person_id"] == mei.as_str() && i["kind"] == "mql_first_touch")
        .unwrap_or_else(|| panic!("{queue}"))
        .clone();
    assert_eq!(row["sla"]["status"], "on_time", "{row}");

    // Without his own calendar Kenji works on his team's: New York, 9–17 (11:00 UTC now is 06:00
    // there), so the next MQL is due at 10:00 New York time, 15:00 UTC.
    let (status, _) = admin
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/inbound/calendars/users/{}", sdr.id),
        )
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT);
    let team = sdr.team_id.expect("Kenji is in a team");
    let (status, body) = put(
        &admin,
        &format!("/api/v1/inbound/calendars/teams/{team}"),
        json!({"time_zone": "America/New_York", "work_start_hour": 9, "work_end_hour": 17}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    submit(
        &app,
        "contact-us",
        json!({"email": "ola@acme.com", "last_name": "Ola"}),
    )
    .await;
    let (_, subs) = get(&admin, "/api/v1/inbound/submissions?outcome=accepted").await;
    let ola = subs["items"][0]["person_id"].as_str().unwrap().to_owned();
    let three_pm = now.date_naive().and_hms_opt(15, 0, 0).unwrap().and_utc();
    assert_eq!(mql_due(&admin, &ola).await, three_pm);
    let (_, calendars) = get(&admin, "/api/v1/inbound/calendars").await;
    assert_eq!(calendars["items"].as_array().unwrap().len(), 1);
    assert_eq!(calendars["items"][0]["owner_kind"], "team");

    // The warning for Ola goes out at half time on New York's clock, not at 11:30 UTC.
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT available_at FROM outbox WHERE kind = 'inbound.sla_warning' ORDER BY available_at",
        ))
        .await
        .unwrap();
    let warnings: Vec<DateTime<Utc>> = rows.iter().map(|r| r.get("available_at").unwrap()).collect();
    assert!(
        warnings.contains(&(three_pm - Duration::minutes(30))),
        "{warnings:?}"
    );
}

async fn calendars_refuse_bad_input_and_other_peoples_edits(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let (sam, sam_client) = app.api_client("sam@example.com", "sdr").await;
    let other = app.user("ola@example.com", "sdr", None).await;
    let path = format!("/api/v1/inbound/calendars/users/{}", sam.id);
    let (status, body) = put(
        &admin,
        &path,
        json!({"time_zone": "Mars/Olympus", "work_start_hour": 9, "work_end_hour": 17}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "time_zone");
    let (status, body) = put(
        &admin,
        &path,
        json!({"time_zone": "Europe/Berlin", "work_start_hour": 17, "work_end_hour": 9}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "work_end_hour");
    let (status, body) = put(
        &admin,
        &path,
        json!({"time_zone": "Europe/Berlin", "work_start_hour": 9, "work_end_hour": 17, "workdays": [8]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "workdays");
    // Sam sets his own (a four-day week) but not Ola's.
    let (status, body) = put(
        &sam_client,
        &path,
        json!({"time_zone": "Europe/Berlin", "work_start_hour": 8, "work_end_hour": 16, "workdays": [1, 2, 3, 4]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["workdays"], json!([1, 2, 3, 4]));
    let (status, _) = put(
        &sam_client,
        &format!("/api/v1/inbound/calendars/users/{}", other.id),
        json!({"time_zone": "Europe/Berlin", "work_start_hour": 8, "work_end_hour": 16}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put(
        &admin,
        &format!("/api/v1/inbound/calendars/users/{}", uuid::Uuid::now_v7()),
        json!({"time_zone": "Europe/Berlin", "work_start_hour": 8, "work_end_hour": 16}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> String {
    browser
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn form_and_scoring_pages_edit_with_controls_and_show_errors_next_to_fields(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let browser = app.browser();
    form_login(
        &app,
        &browser,
        "admin@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    let list = page(&browser, &app, "/admin/inbound/forms").await;
    assert!(
        list.contains("/inbound/forms/contact-us") && list.contains("New form"),
        "{list}"
    );
    let editor = page(&browser, &app, "/admin/inbound/forms/new").await;
    let csrf = csrf_in(&editor);

    // A bad field name comes back as 422 with the message beside that row and the input kept.
    let bad = [
        ("csrf_token", csrf.as_str()),
        ("name", "Pricing question"),
        ("slug", "pricing"),
        ("behaviour", "contact_us"),
        ("source", "web_pricing"),
        ("field_name_0", "email"),
        ("field_label_0", "Work email"),
        ("field_required_0", "on"),
        ("field_name_1", "Team Size"),
        ("field_label_1", "Team size"),
        ("field_name_2", ""),
        ("field_label_2", ""),
        ("hidden_name_0", "utm_campaign"),
        ("hidden_value_0", "pricing-page"),
        ("honeypot_field", "fax"),
    ];
    let r = browser
        .post(app.url("/admin/inbound/forms"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let at = html.find("name=\"field_name_1\"").expect("row 1 is shown again");
    let error = html
        .find("class=\"field-error\"")
        .expect("an error next to a field");
    assert!(
        error > at && html[at..error].matches("<td").count() <= 1,
        "the error sits in row 1's cell"
    );
    assert!(html.contains("Pricing question"), "input kept");

    let mut good = bad;
    good[8] = ("field_name_1", "team_size");
    let r = browser
        .post(app.url("/admin/inbound/forms"))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let list = page(&browser, &app, "/admin/inbound/forms").await;
    assert!(
        list.contains("Created the form") && list.contains("Team size"),
        "{list}"
    );
    let (_, form) = get(&admin, "/api/v1/inbound/forms/pricing").await;
    assert_eq!(form["honeypot_field"], "fax");
    assert_eq!(form["hidden_fields"]["utm_campaign"], "pricing-page");
    assert_eq!(form["fields"][0]["required"], true);
    let r = browser
        .post(app.url("/admin/inbound/forms/pricing/archive"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let (status, _) = submit(&app, "pricing", json!({"email": "a@acme.com"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Scoring: points per behaviour, demographic rows, the threshold.
    let editor = page(&browser, &app, "/admin/inbound/scoring").await;
    assert!(editor.contains("name=\"points_trial\" value=\"65\""), "{editor}");
    let r = browser
        .post(app.url("/admin/inbound/scoring"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("mql_threshold", "100"),
            ("points_contact_us", "100"),
            ("points_trial", "lots"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("points are a whole number") && html.contains("value=\"lots\""),
        "{html}"
    );
    let r = browser
        .post(app.url("/admin/inbound/scoring"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("mql_threshold", "90"),
            ("points_contact_us", "100"),
            ("points_trial", "70"),
            ("demo_code_0", "business_email"),
            ("demo_label_0", "Business email"),
            ("demo_condition_0", "business_email"),
            ("demo_points_0", "20"),
            ("demo_code_1", "senior_title"),
            ("demo_label_1", "Senior title"),
            ("demo_condition_1", "title_contains_any"),
            ("demo_value_1", "director, vp"),
            ("demo_points_1", "10"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, rules) = get(&admin, "/api/v1/inbound/scoring").await;
    assert_eq!(rules["mql_threshold"], 90);
    assert_eq!(
        rules["behaviour"].as_array().unwrap().len(),
        2,
        "blank boxes score nothing: {rules}"
    );
    assert_eq!(
        rules["demographic"][1]["condition"]["words"],
        json!(["director", "vp"])
    );
}

async fn calendar_pages_set_team_and_rep_calendars_and_out_of_office_with_errors_on_the_page(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let kenji = app.user("kenji@example.com", "sdr", Some("Night shift")).await;
    let team = kenji.team_id.expect("kenji is in a team");
    let browser = app.browser();
    form_login(
        &app,
        &browser,
        "admin@example.com",
        prospector_testkit::TEST_PASSWORD,
    )
    .await;
    let list = page(&browser, &app, "/admin/inbound/calendars").await;
    assert!(
        list.contains("Night shift") && list.contains("Team-wide settings"),
        "{list}"
    );
    let team_path = format!("/admin/inbound/calendars/teams/{team}");
    assert!(list.contains(&team_path), "each team has a link to its editor");
    let editor = page(&browser, &app, &team_path).await;
    assert!(editor.contains("name=\"time_zone\""), "{editor}");
    let csrf = csrf_in(&editor);

    // A bad time zone and a bad holiday come back as 422 beside their fields, input kept.
    let bad = [
        ("csrf_token", csrf.as_str()),
        ("time_zone", "Mars/Olympus"),
        ("work_start_hour", "9"),
        ("work_end_hour", "17"),
        ("workday", "1"),
        ("workday", "2"),
        ("holidays", "2026-12-24"),
    ];
    let r = browser.post(app.url(&team_path)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let field = html.find("name=\"time_zone\"").unwrap();
    let error = html.find("class=\"field-error\"").expect("an error on the page");
    assert!(
        error > field && error < html.find("name=\"work_start_hour\"").unwrap(),
        "{html}"
    );
    assert!(html.contains("Mars/Olympus"), "input kept");
    let mut bad_day = bad;
    bad_day[1] = ("time_zone", "Asia/Tokyo");
    bad_day[6] = ("holidays", "2026-12-24\nChristmas");
    let r = browser
        .post(app.url(&team_path))
        .form(&bad_day)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let error = html.find("Christmas is not a date").expect("holiday error shown");
    assert!(error > html.find("name=\"holidays\"").unwrap());
    let mut reversed = bad_day;
    reversed[2] = ("work_start_hour", "17");
    reversed[3] = ("work_end_hour", "9");
    reversed[6] = ("holidays", "2026-12-24");
    let r = browser
        .post(app.url(&team_path))
        .form(&reversed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("end after they start"));

    // Saved: the list shows it for the team and as the fallback for its member; the API agrees.
    let mut good = reversed;
    good[2] = ("work_start_hour", "9");
    good[3] = ("work_end_hour", "17");
    let r = browser
        .post(app.url(&team_path))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let list = page(&browser, &app, "/admin/inbound/calendars").await;
    assert!(
        list.contains("Saved the business calendar of Night shift"),
        "{list}"
    );
    assert!(
        list.contains("Asia/Tokyo, 9:00–17:00, Mon Tue, 1 holiday"),
        "{list}"
    );
    assert!(
        list.contains("Team Night shift&#39;s calendar"),
        "a member without their own calendar works on the team's: {list}"
    );
    let (_, cals) = get(&admin, "/api/v1/inbound/calendars").await;
    let row = &cals["items"][0];
    assert_eq!(row["owner_kind"], "team");
    assert_eq!(row["time_zone"], "Asia/Tokyo");
    assert_eq!(row["workdays"], json!([1, 2]));
    assert_eq!(row["holidays"], json!(["2026-12-24"]));

    // A rep's own calendar, then removed again.
    let kenji_path = format!("/admin/inbound/calendars/users/{}", kenji.id);
    let mut own = good;
    own[1] = ("time_zone", "Europe/Berlin");
    let r = browser
        .post(app.url(&kenji_path))
        .form(&own)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, cals) = get(&admin, "/api/v1/inbound/calendars").await;
    assert_eq!(cals["items"].as_array().unwrap().len(), 2, "{cals}");
    let r = browser
        .post(app.url(&format!("{kenji_path}/remove")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, cals) = get(&admin, "/api/v1/inbound/calendars").await;
    assert_eq!(cals["items"].as_array().unwrap().len(), 1, "{cals}");

    // Out of office from the same page: routing's view of the rep changes.
    let r = browser
        .post(app.url(&format!("/admin/inbound/out-of-office/{}", kenji.id)))
        .form(&[("csrf_token", csrf.as_str()), ("out_of_office", "on")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, reps) = get(&admin, "/api/v1/inbound/reps").await;
    let rep = reps["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == kenji.id.to_string())
        .unwrap_or_else(|| panic!("{reps}"))
        .clone();
    assert_eq!(rep["out_of_office"], true, "{rep}");
    let list = page(&browser, &app, "/admin/inbound/calendars").await;
    assert!(
        list.contains("is out of office") && list.contains("Mark back"),
        "{list}"
    );
}
