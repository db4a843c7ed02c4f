//! A customer story nominated from where it was heard: the SDR presses "Nominate a story" on a
//! call in a contact's timeline, the form knows the call and its account, and the account page
//! then lists the story.

use prospector_app::records::accounts::AccountInput;
use prospector_app::records::activities::ActivityInput;
use prospector_app::records::people::{Created, PersonInput};
use prospector_app::{Actor, Via};
use prospector_core::records::RawPerson;
use prospector_core::records::activity::ActivityDetail;
use prospector_store::records::people::PersonKind;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, click, fill, log_in, text, wait_for, wait_for_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdr_nominates_a_story_from_a_call_on_the_timeline_and_the_account_page_shows_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    let sam = Actor::user(sam, Via::Session);
    let account = app
        .app
        .create_account(
            &Actor::cli(),
            AccountInput {
                name: Some("Initech".into()),
                domains: Some(vec!["initech.example".into()]),
                ..AccountInput::default()
            },
        )
        .await
        .expect("account");
    let person = match app
        .app
        .create_person(
            &sam,
            PersonKind::Contact,
            PersonInput {
                raw: RawPerson {
                    first_name: Some("Peter".into()),
                    last_name: Some("Gibbons".into()),
                    email: Some("peter@initech.example".into()),
                    ..RawPerson::default()
                },
                account_id: Some(account.id),
                ..PersonInput::default()
            },
        )
        .await
        .expect("contact")
    {
        Created::New(p) => p,
        other => panic!("{other:?}"),
    };
    let call = app
        .app
        .log_activity(
            &sam,
            ActivityInput {
                person_id: Some(person.id),
                account_id: None,
                opportunity_id: None,
                occurred_at: None,
                detail: ActivityDetail::Call {
                    disposition: "connected".into(),
                    duration_seconds: Some(600),
                    notes: Some("We moved off Jenkins and ship twice as often.".into()),
                },
                corrects_id: None,
            },
        )
        .await
        .expect("call");
    let base = app.base_url.clone();
    let contact_path = format!("/contacts/{}", person.id);
    let account_path = format!("/accounts/{}", account.id);

    browser
        .run(async |b| {
            log_in(b, &base, "sam@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}{contact_path}")).await.unwrap();
            wait_for(b, "#timeline-list").await;
            click(b, &format!("#activity-{} a.tl-nominate", call.id)).await;
            wait_for_path(b, "/stories/nominate").await;
            wait_for(b, "#nominate-form").await;
            assert!(
                text(b, "#story-source")
                    .await
                    .starts_with("Call with Peter Gibbons")
            );
            assert_eq!(text(b, "#story-account").await, "Initech");
            // The call's notes are the starting quote.
            let quote = b
                .find(fantoccini::Locator::Css("#st-quote"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default();
            assert_eq!(quote, "We moved off Jenkins and ship twice as often.");

            // "Switched from" without the tool is refused beside that field.
            b.find(fantoccini::Locator::Css("#st-type"))
                .await
                .unwrap()
                .select_by_value("switched_from")
                .await
                .unwrap();
            fill(b, "#st-sum", "Platform team doubled their release rate.").await;
            click(b, "#nominate-form button[type=submit]").await;
            wait_for(b, ".field-error").await;
            assert!(text(b, ".field-error").await.contains("switched from"));

            fill(b, "#st-from", "Jenkins").await;
            click(b, "#nominate-form button[type=submit]").await;
            wait_for_path(b, &contact_path).await;
            wait_for(b, "[role=status]").await;
            assert!(text(b, "[role=status]").await.contains("Story nominated"));

            b.goto(&format!("{base}{account_path}")).await.unwrap();
            wait_for(b, "#account-stories").await;
            let stories = text(b, "#account-stories").await;
            assert!(stories.contains("Switched from"), "{stories}");
            assert!(stories.contains("Suggested"), "{stories}");
            assert!(
                stories.contains("We moved off Jenkins and ship twice as often."),
                "{stories}"
            );

            // The account page nominates about the account itself.
            click(b, "#nominate-account").await;
            wait_for(b, "#nominate-form").await;
            assert_eq!(text(b, "#story-source").await, "The account Initech");
        })
        .await;

    let stories = app
        .app
        .stories_for_account(&sam, &account.id.to_string())
        .await
        .unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].source_type, "activity");
    assert_eq!(stories[0].source_id, call.id.to_string());
}
