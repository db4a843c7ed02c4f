//! An approver from outside the job's team approves an offer in the browser: the approval request
//! in their mail links to the offer's page, which they may open though the candidate's is closed
//! to them, and the Approve button moves the offer on.

use prospector_app::hiring::apply::ApplyInput;
use prospector_app::hiring::jobs::JobPatch;
use prospector_app::hiring::offers::OfferInput;
use prospector_app::{Actor, Via};
use prospector_store::{Exec, query};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, click, log_in, text, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_from_another_team_approves_an_offer_from_the_link_in_their_mail() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let cli = Actor::cli();
    let dana = app.user("dana@example.com", "team_lead", Some("SDR")).await;
    // The "CEO" of this job is a sales director on another team: not a recruiter, not its manager.
    let sid = app.user("sid@example.com", "ae", Some("Field sales")).await;
    let job = app
        .app
        .import_job(
            &cli,
            "sdr.md",
            "---\nlayout: job_page\ntitle: \"SDR\"\n---\n\nWe are hiring.\n",
        )
        .await
        .unwrap();
    app.app
        .update_job(
            &cli,
            job.id,
            JobPatch {
                hiring_manager_id: Some(dana.id.to_string()),
                ceo_id: Some(sid.id.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let answers = [
        ("why_this_role", "I like people."),
        ("phone_prospecting", "Some."),
        ("email_prospecting", "Some."),
        ("crm_experience", "HubSpot."),
        ("time_zone", "Europe/Berlin"),
        ("notice_period", "One month"),
        ("pay_expectation", "60k EUR"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let applied = app
        .app
        .apply(
            &job.slug,
            ApplyInput {
                name: "Ada Lovelace".into(),
                email: "ada@example.com".into(),
                answers,
                consent: true,
                resume: Some((
                    "cv.pdf".into(),
                    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
                        .to_vec(),
                )),
                ..ApplyInput::default()
            },
        )
        .await
        .unwrap();
    let application = applied.application_id.unwrap();
    let offer = app
        .app
        .create_offer(
            &cli,
            application,
            OfferInput {
                pay: "EUR 55,000 a year".into(),
                start_date: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
                letter: None,
            },
        )
        .await
        .unwrap();
    app.app.submit_offer(&cli, offer.id).await.unwrap();
    app.app
        .approve_offer(&Actor::user(dana, Via::Session), offer.id)
        .await
        .unwrap();

    // The link Sid was mailed.
    let rows = app
        .store
        .reader()
        .fetch_all(query("SELECT payload FROM outbox WHERE kind = 'email.send'"))
        .await
        .unwrap();
    let link = rows
        .iter()
        .map(|r| r.get::<serde_json::Value>("payload").unwrap())
        .filter(|p| p["to"][0]["email"] == "sid@example.com")
        .find_map(|p| {
            let text = p["text"].as_str().unwrap().to_owned();
            text.split_whitespace()
                .find(|w| w.contains("/hiring/offers/"))
                .map(str::to_owned)
        })
        .expect("an approval request with a link to the offer");
    let path = link[link.find("/hiring/offers/").unwrap()..].to_owned();
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            log_in(b, &base, "sid@example.com", TEST_PASSWORD).await;
            // The candidate's page is not for him…
            b.goto(&format!("{base}/hiring/applications/{application}"))
                .await
                .unwrap();
            let body = text(b, "body").await;
            assert!(!body.contains("Questionnaire"), "{body}");
            // …the offer is.
            b.goto(&format!("{base}{path}")).await.unwrap();
            wait_for(b, "#approve-form").await;
            assert_eq!(text(b, "#offer-status").await, "Pending approval");
            let page = text(b, "main").await;
            assert!(page.contains("Offer to Ada Lovelace"), "{page}");
            assert!(page.contains("EUR 55,000 a year"));
            assert!(page.contains("It is your turn to decide."));
            click(b, "#approve-form button[type=submit]").await;
            wait_for(b, "#notice").await;
            assert!(
                text(b, "#notice")
                    .await
                    .contains("You approved the offer; it is ready to send.")
            );
            assert_eq!(text(b, "#offer-status").await, "Approved");
            assert!(text(b, "#approval").await.contains("Nothing for you to decide."));
        })
        .await;

    let stored = app.app.offer_for_approver(&cli, offer.id).await.unwrap();
    assert_eq!(stored.offer.offer.status.code(), "approved");
}
