//! The candidate page's forms over HTTP, as a browser without JavaScript uses them: scheduling an
//! interview, blind scorecards, an offer through the approval chain, talent-pool tags, export and
//! erasure — each form changes what the page then shows.

use chrono::{Duration, TimeZone, Utc};
use prospector_app::Actor;
use prospector_app::hiring::interviews::ScheduleInput;
use prospector_app::hiring::jobs::JobPatch;
use prospector_app::users::NewUserInput;
use prospector_store::users::User;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use super::{apply, emails_to, import_ae};
use crate::{csrf_in, form_login};

on_both_backends!(
    scheduling_on_the_candidate_page_lists_the_interview_and_mails_the_invitations,
    scorecards_stay_hidden_until_the_interviewer_submits_and_a_second_submit_is_refused,
    an_offer_drafted_on_the_page_is_approved_by_the_chain_and_sent,
    tags_export_and_erasure_on_the_candidate_page,
);

/// A user with a real name, and a browser logged in as them.
async fn signed_in(app: &TestApp, email: &str, name: &str, role: &str) -> (User, reqwest::Client) {
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
                time_zone: None,
            },
        )
        .await
        .unwrap();
    let browser = app.browser();
    let r = form_login(app, &browser, email, TEST_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {email}");
    (user, browser)
}

/// GETs a page: its status and HTML.
async fn get(app: &TestApp, browser: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = browser.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Loads `page` for its CSRF token, then posts `fields` to `action`.
async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (status, html) = get(app, browser, page).await;
    assert_eq!(status, StatusCode::OK, "GET {page}");
    let csrf = csrf_in(&html);
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post(app.url(action)).form(&form).send().await.unwrap()
}

/// Asserts a post/redirect/get back to `page` and returns the page it leads to.
async fn followed(app: &TestApp, browser: &reqwest::Client, r: reqwest::Response, page: &str) -> String {
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "expected a redirect, got: {}",
        r.text().await.unwrap()
    );
    assert_eq!(location.as_deref(), Some(page));
    let (status, html) = get(app, browser, page).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// The HTML of the element with `id="{id}"`, up to its closing tag (enough to tell which part of
/// the page shows something; the page does not nest an element in one of the same kind).
fn part<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let open = html[..at].rfind('<').unwrap();
    let tag: String = html[open + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let rest = &html[open..];
    let end = rest.find(&format!("</{tag}>")).unwrap_or(rest.len());
    &rest[..end]
}

async fn scheduling_on_the_candidate_page_lists_the_interview_and_mails_the_invitations(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let (_, rita) = signed_in(&app, "rita@example.com", "Rita Recruiter", "recruiter").await;
    let (ann, ann_browser) = signed_in(&app, "ann@example.com", "Ann Interviewer", "interviewer").await;
    let (bob, _) = signed_in(&app, "bob@example.com", "Bob Interviewer", "interviewer").await;
    let (_, cat_browser) = signed_in(&app, "cat@example.com", "Cat Interviewer", "interviewer").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let page = format!("/hiring/applications/{}", a["application_id"].as_str().unwrap());
    let action = format!("{page}/interviews");

    // Before: nobody scheduled, and the form offers every active user.
    let (status, html) = get(&app, &rita, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(part(&html, "interviews").contains("None scheduled."));
    let form = part(&html, "schedule");
    assert!(form.contains(&format!("<option value=\"{}\">Ann Interviewer", ann.id)));
    assert!(form.contains("multiple"));

    // Refused without an interviewer: 422 beside the form, nothing scheduled.
    let r = submit(
        &app,
        &rita,
        &page,
        &action,
        &[("date", "2026-03-03"), ("time", "14:00"), ("duration", "60")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(part(&html, "schedule").contains("choose at least one interviewer"));
    assert!(part(&html, "interviews").contains("None scheduled."));

    let ann_id = ann.id.to_string();
    let bob_id = bob.id.to_string();
    let r = submit(
        &app,
        &rita,
        &page,
        &action,
        &[
            ("date", "2026-03-03"),
            ("time", "14:00"),
            ("duration", "45"),
            ("interviewer_ids", ann_id.as_str()),
            ("interviewer_ids", bob_id.as_str()),
            ("location", "https://meet.example.com/abc"),
        ],
    )
    .await;
    let html = followed(&app, &rita, r, &page).await;
    assert!(
        html.contains("Interview scheduled for Tue 3 Mar 2026, 14:00 UTC"),
        "flash notice"
    );
    let listed = part(&html, "interviews");
    assert!(
        listed.contains("Tue 3 Mar 2026, 14:00 UTC – 14:45 UTC"),
        "{listed}"
    );
    assert!(listed.contains("Ann Interviewer, Bob Interviewer"));
    assert!(listed.contains("https://meet.example.com/abc"));
    // The notice shows once.
    let (_, again) = get(&app, &rita, &page).await;
    assert!(!again.contains("Interview scheduled for"));

    for address in ["ada@example.com", "ann@example.com", "bob@example.com"] {
        let mails = emails_to(&app, address).await;
        let invite = mails
            .iter()
            .find(|m| !m["calendar"].is_null())
            .unwrap_or_else(|| panic!("no invitation to {address}"));
        let ics = invite["calendar"]["ics"].as_str().unwrap().replace("\r\n ", "");
        assert!(ics.contains("DTSTART:20260303T140000Z"));
        assert!(ics.contains("DTEND:20260303T144500Z"));
    }

    // An assigned interviewer sees the candidate, without the recruiter's forms; one who is
    // not assigned is refused.
    let (status, html) = get(&app, &ann_browser, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ada Lovelace"));
    assert!(!html.contains("id=\"schedule-form\""));
    assert!(!html.contains("id=\"offer-form\""));
    assert!(!html.contains("/erase"));
    let (status, html) = get(&app, &cat_browser, &page).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    assert!(!html.contains("Ada Lovelace"));
    let ann_id_field = ann.id.to_string();
    let r = submit(
        &app,
        &cat_browser,
        "/hiring",
        &action,
        &[
            ("date", "2026-03-04"),
            ("time", "10:00"),
            ("duration", "30"),
            ("interviewer_ids", ann_id_field.as_str()),
        ],
    )
    .await;
    assert!(matches!(
        r.status(),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
}

async fn scorecards_stay_hidden_until_the_interviewer_submits_and_a_second_submit_is_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let (ann, ann_browser) = signed_in(&app, "ann@example.com", "Ann Interviewer", "interviewer").await;
    let (bob, bob_browser) = signed_in(&app, "bob@example.com", "Bob Interviewer", "interviewer").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap().parse().unwrap();
    let starts = Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap();
    let interview = app
        .app
        .schedule_interview(
            &Actor::cli(),
            id,
            ScheduleInput {
                starts_at: starts,
                ends_at: starts + Duration::hours(1),
                interviewer_ids: vec![ann.id, bob.id],
                location: None,
                stage: None,
            },
        )
        .await
        .unwrap();
    let page = format!("/hiring/applications/{id}");
    let action = format!("{page}/interviews/{}/scorecard", interview.id);
    let box_id = format!("interview-{}", interview.id);

    // The interviewer finds the candidate from the hiring page.
    let (status, html) = get(&app, &bob_browser, "/hiring").await;
    assert_eq!(status, StatusCode::OK);
    let mine = part(&html, "my-interviews");
    assert!(
        mine.contains(&format!("href=\"{page}\">Ada Lovelace</a>")),
        "{mine}"
    );
    assert!(mine.contains("Tue 3 Mar 2026, 14:00 UTC"));

    // Bob's form rates the job's attributes with the four recommendations.
    let (_, html) = get(&app, &bob_browser, &page).await;
    let form = part(&html, &box_id);
    for label in ["Strong yes", "Yes", "No", "Strong no"] {
        assert!(form.contains(label), "{label}");
    }
    assert!(form.contains("name=\"rating_0\""));
    assert!(
        form.contains("name=\"pros\"") && form.contains("name=\"cons\"") && form.contains("name=\"notes\"")
    );

    let r = submit(
        &app,
        &bob_browser,
        &page,
        &action,
        &[
            ("overall", "strong_yes"),
            ("rating_0", "yes"),
            ("rating_1", ""),
            ("pros", "Bob pro: crisp discovery questions"),
            ("cons", "Bob con: light on enterprise deals"),
            ("notes", ""),
        ],
    )
    .await;
    let html = followed(&app, &bob_browser, r, &page).await;
    assert!(html.contains("Scorecard submitted."));
    assert!(part(&html, "scorecards").contains("Bob pro: crisp discovery questions"));
    assert!(
        !part(&html, &box_id).contains("scorecard-form"),
        "the form is gone once submitted"
    );

    // Ann has not submitted: Bob's scorecard is hidden from her.
    let (_, html) = get(&app, &ann_browser, &page).await;
    assert!(!html.contains("Bob pro"));
    assert!(html.contains("1 hidden until you submit yours"));
    assert!(part(&html, &box_id).contains("scorecard-form"));

    // Refused without pros and cons: 422 beside her form, still hidden.
    let r = submit(&app, &ann_browser, &page, &action, &[("overall", "no")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(part(&html, &box_id).contains("role=\"alert\""));
    assert!(!html.contains("Bob pro"));

    let fields = [
        ("overall", "no"),
        ("rating_0", "strong_no"),
        ("pros", "Ann pro: warm"),
        ("cons", "Ann con: no quota history"),
        ("notes", "Ask about the last two quarters."),
    ];
    let r = submit(&app, &ann_browser, &page, &action, &fields).await;
    let html = followed(&app, &ann_browser, r, &page).await;
    let cards = part(&html, "scorecards");
    assert!(
        cards.contains("Bob pro: crisp discovery questions"),
        "visible once hers is in"
    );
    assert!(cards.contains("Ann con: no quota history"));
    assert!(cards.contains("Strong yes") && cards.contains("Strong no"));
    assert!(!html.contains("hidden until you submit yours"));

    // A second submission (a resent form) is refused with the 409 beside the interview.
    let r = submit(&app, &ann_browser, &page, &action, &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(part(&html, &box_id).contains("already submitted your scorecard"));
}

async fn an_offer_drafted_on_the_page_is_approved_by_the_chain_and_sent(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, ceo) = signed_in(&app, "ceo@example.com", "Carla Ceo", "admin").await;
    let (dana, dana_browser) = signed_in(&app, "dana.lead@example.com", "Dana Lead", "team_lead").await;
    let (_, rita) = signed_in(&app, "rita@example.com", "Rita Recruiter", "recruiter").await;
    let (job, _) = import_ae(&app).await;
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
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let page = format!("/hiring/applications/{}", a["application_id"].as_str().unwrap());

    // A refused draft shows the 422 beside the offer form.
    let r = submit(
        &app,
        &rita,
        &page,
        &format!("{page}/offers"),
        &[("pay", "USD 90,000"), ("start_date", "")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(part(&r.text().await.unwrap(), "offer-form").contains("enter the start date"));

    let r = submit(
        &app,
        &rita,
        &page,
        &format!("{page}/offers"),
        &[
            ("pay", "USD 90,000 a year + commission"),
            ("start_date", "2026-04-01"),
            ("letter", ""),
        ],
    )
    .await;
    let html = followed(&app, &rita, r, &page).await;
    let offers = part(&html, "offers");
    assert!(offers.contains("USD 90,000 a year + commission"));
    assert!(offers.contains(">Draft<"));
    assert!(!html.contains("id=\"offer-form\""), "one open offer at a time");
    let offer_id = offers
        .split("/offers/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let act = |action: &str| format!("{page}/offers/{offer_id}/{action}");

    let html = followed(
        &app,
        &rita,
        submit(&app, &rita, &page, &act("submit"), &[]).await,
        &page,
    )
    .await;
    assert!(part(&html, "offers").contains("Pending approval"));
    assert!(part(&html, "offers").contains("Dana Lead — waiting for their approval"));
    assert!(
        !part(&html, "offers").contains(">Approve<"),
        "the recruiter is not in the chain"
    );

    // The CEO's turn comes second: no button yet, and a forced approval is a 409 beside the offer.
    let (_, html) = get(&app, &ceo, &page).await;
    assert!(!part(&html, "offers").contains(">Approve<"));
    let r = submit(&app, &ceo, &page, &act("approve"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(part(&r.text().await.unwrap(), &format!("offer-{offer_id}")).contains("role=\"alert\""));

    let (_, html) = get(&app, &dana_browser, &page).await;
    assert!(part(&html, "offers").contains(">Approve<"));
    let html = followed(
        &app,
        &dana_browser,
        submit(&app, &dana_browser, &page, &act("approve"), &[]).await,
        &page,
    )
    .await;
    assert!(html.contains("the next approver has been asked"));

    let (_, html) = get(&app, &ceo, &page).await;
    assert!(part(&html, "offers").contains(">Approve<"));
    let html = followed(
        &app,
        &ceo,
        submit(&app, &ceo, &page, &act("approve"), &[]).await,
        &page,
    )
    .await;
    assert!(part(&html, "offers").contains(">Approved<"));
    assert!(part(&html, "offers").contains("Send to the candidate"));

    let html = followed(
        &app,
        &rita,
        submit(&app, &rita, &page, &act("send"), &[]).await,
        &page,
    )
    .await;
    let offers = part(&html, "offers");
    assert!(offers.contains(">Sent<"));
    assert!(offers.contains("Answer due by"));
    assert!(!offers.contains("Send to the candidate"));
    let letters: Vec<Value> = emails_to(&app, "ada@example.com")
        .await
        .into_iter()
        .filter(|m| m["subject"] == "Your offer for the Account Executive role")
        .collect();
    assert_eq!(letters.len(), 1);
    assert!(letters[0]["text"].as_str().unwrap().contains("/jobs/offers/"));
}

async fn tags_export_and_erasure_on_the_candidate_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    import_ae(&app).await;
    let (_, rita) = signed_in(&app, "rita@example.com", "Rita Recruiter", "recruiter").await;
    let (ann, ann_browser) = signed_in(&app, "ann@example.com", "Ann Interviewer", "interviewer").await;
    let a = apply(&app, "account-executive", "Ada Lovelace", "ada@example.com").await;
    let id = a["application_id"].as_str().unwrap().parse().unwrap();
    let starts = Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap();
    app.app
        .schedule_interview(
            &Actor::cli(),
            id,
            ScheduleInput {
                starts_at: starts,
                ends_at: starts + Duration::hours(1),
                interviewer_ids: vec![ann.id],
                location: None,
                stage: None,
            },
        )
        .await
        .unwrap();
    let page = format!("/hiring/applications/{id}");

    let r = submit(
        &app,
        &rita,
        &page,
        &format!("{page}/tags"),
        &[("add", "future-AE, Spanish")],
    )
    .await;
    let html = followed(&app, &rita, r, &page).await;
    let tags = part(&html, "tags");
    assert!(tags.contains("future-ae") && tags.contains("spanish"), "{tags}");
    let r = submit(
        &app,
        &rita,
        &page,
        &format!("{page}/tags"),
        &[("remove", "spanish")],
    )
    .await;
    let html = followed(&app, &rita, r, &page).await;
    let tags = part(&html, "tags");
    assert!(tags.contains("future-ae") && !tags.contains("spanish"));

    // Interviewers neither tag nor export nor erase.
    let (_, html) = get(&app, &ann_browser, &page).await;
    assert!(!html.contains("id=\"tag-form\"") && !html.contains("id=\"privacy\""));
    let r = submit(
        &app,
        &ann_browser,
        &page,
        &format!("{page}/tags"),
        &[("add", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = get(&app, &ann_browser, &format!("{page}/erase")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Export: a JSON download of everything stored.
    let r = submit(&app, &rita, &page, &format!("{page}/export"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let export: Value = r.json().await.unwrap();
    assert_eq!(export["candidate"]["name"], "Ada Lovelace");
    assert_eq!(export["applications"].as_array().unwrap().len(), 1);

    // Erase: a confirmation first; without the box ticked nothing happens.
    let (status, html) = get(&app, &rita, &format!("{page}/erase")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Erase Ada Lovelace"));
    let r = submit(
        &app,
        &rita,
        &format!("{page}/erase"),
        &format!("{page}/erase"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(get(&app, &rita, &page).await.1.contains("Ada Lovelace"));

    let r = submit(
        &app,
        &rita,
        &format!("{page}/erase"),
        &format!("{page}/erase"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &rita, r, &page).await;
    assert!(html.contains("personal data was erased"));
    assert!(!html.contains("Ada Lovelace"));
    assert!(!html.contains("ada@example.com"));
    assert!(!html.contains("future-ae"));
    assert!(html.contains("Anonymised candidate"));
    assert!(!html.contains("/erase\""), "nothing left to erase");
}
