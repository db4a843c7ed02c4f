//! An admin edits routing rules through the form editor: adds a rule with a segment, a region
//! and one rep, sees a duplicate code refused next to the field, and removes a rule.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use prospector_app::Actor;
use prospector_core::inbound::{Region, Segment};
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, WAIT, click, fill, log_in, text, wait_for, wait_for_path};

async fn select(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no select '{css}': {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose '{value}' in '{css}': {e}"));
}

/// Waits until the element matching `css` contains `expected`.
async fn wait_contains(client: &Client, css: &str, expected: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(expected))
        {
            return;
        }
        assert!(Instant::now() < deadline, "'{css}' never contained '{expected}'");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_routing_rule_sees_a_refusal_next_to_the_field_and_removes_a_rule() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("admin@example.com", "admin", None).await;
    let sam = app.user("sam@example.com", "sdr", Some("West")).await;
    app.user("kim@example.com", "sdr", Some("West")).await;
    let base = app.base_url.clone();
    let sam_id = sam.id.to_string();

    browser
        .run(async |b| {
            log_in(b, &base, "admin@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}/admin/inbound")).await.unwrap();
            click(b, "#edit-routing").await;
            wait_for_path(b, "/admin/inbound/routing").await;
            wait_for(b, "#routing-editor").await;
            // Row 0 is the built-in rule over every SDR; row 1 is blank, for a new rule.
            assert_eq!(
                b.find(Locator::Css("#code-0"))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap()
                    .as_deref(),
                Some("all_sdrs")
            );
            fill(b, "#code-1", "emea_smb").await;
            select(b, "#segment-1", "smb").await;
            select(b, "#region-1", "emea").await;
            click(b, &format!("input[name='pool_1'][value='{sam_id}']")).await;
            fill(b, "#pos-1", "1").await;
            fill(b, "#pos-0", "2").await;
            click(b, "#save-routing").await;
            wait_contains(b, "p.alert.ok", "Routing rules saved").await;
            // Saved in the order given: the new rule first.
            assert_eq!(
                b.find(Locator::Css("#code-0"))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap()
                    .as_deref(),
                Some("emea_smb")
            );

            // A code used twice is refused, with the message next to the second one.
            fill(b, "#code-1", "emea_smb").await;
            click(b, "#save-routing").await;
            wait_for(b, "#code-1-error").await;
            assert!(text(b, "#code-1-error").await.contains("used by an earlier rule"));
            assert_eq!(
                b.find(Locator::Css("#code-1"))
                    .await
                    .unwrap()
                    .attr("aria-invalid")
                    .await
                    .unwrap()
                    .as_deref(),
                Some("true")
            );

            // Put the code back and remove the built-in rule instead.
            fill(b, "#code-1", "all_sdrs").await;
            click(b, "input[name='remove_1']").await;
            click(b, "#save-routing").await;
            wait_contains(b, "p.alert.ok", "Routing rules saved").await;
        })
        .await;

    let saved = app.app.routing_rules(&Actor::cli()).await.unwrap();
    assert_eq!(saved.rules.len(), 1, "{:?}", saved.rules);
    let rule = &saved.rules[0];
    assert_eq!(rule.code, "emea_smb");
    assert_eq!(rule.segment, Some(Segment::Smb));
    assert_eq!(rule.region, Some(Region::Emea));
    assert_eq!(rule.pool, vec![sam.id]);
}
