//! An admin sets a team's business calendar in the browser: a time zone that does not exist is
//! refused beside its field with the input kept, the corrected calendar is saved and summarised
//! on the list (for the team and, as the fallback, for its rep), and the rep is marked out of
//! office from the same list.

use fantoccini::{Client, Locator};
use prospector_app::Actor;
use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, click, fill, log_in, text, wait_for, wait_for_path};

async fn value_of(client: &Client, css: &str) -> Option<String> {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element '{css}': {e}"))
        .prop("value")
        .await
        .expect("the element has a value property")
}

async fn attr_of(client: &Client, css: &str, name: &str) -> Option<String> {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element '{css}': {e}"))
        .attr(name)
        .await
        .expect("attributes can be read")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_a_team_calendar_fixes_a_refused_time_zone_and_marks_a_rep_out_of_office() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("admin@example.com", "admin", None).await;
    let kenji = app.user("kenji@example.com", "sdr", Some("Night shift")).await;
    let team = kenji.team_id.expect("kenji is in a team");
    let base = app.base_url.clone();
    let team_editor = format!("/admin/inbound/calendars/teams/{team}");
    let kenji_row = format!("#calendar-{}", kenji.id);

    browser
        .run(async |b| {
            log_in(b, &base, "admin@example.com", TEST_PASSWORD).await;
            b.goto(&format!("{base}/admin/inbound/calendars")).await.unwrap();
            wait_for(b, "#team-calendars").await;
            click(b, &format!("#team-calendars a[href='{team_editor}']")).await;
            wait_for_path(b, &team_editor).await;

            // A made-up zone comes back with the message under the field and the input kept.
            fill(b, "#cal-tz", "Mars/Olympus").await;
            fill(b, "#cal-start", "8").await;
            fill(b, "#cal-end", "16").await;
            fill(b, "#cal-holidays", "2026-12-24\n2026-12-31").await;
            click(b, "#calendar-editor button[type='submit']").await;
            wait_for(b, "#cal-tz[aria-invalid='true']").await;
            let error = text(b, "#calendar-editor .field-error").await;
            assert!(
                error.contains("Mars/Olympus"),
                "the error names the zone: {error}"
            );
            assert_eq!(value_of(b, "#cal-tz").await.as_deref(), Some("Mars/Olympus"));
            assert_eq!(value_of(b, "#cal-start").await.as_deref(), Some("8"));

            // Corrected, working Monday to Thursday only.
            fill(b, "#cal-tz", "Asia/Tokyo").await;
            if attr_of(b, "input[name='workday'][value='5']", "checked")
                .await
                .is_some()
            {
                click(b, "input[name='workday'][value='5']").await;
            }
            click(b, "#calendar-editor button[type='submit']").await;
            wait_for_path(b, "/admin/inbound/calendars").await;
            wait_for(b, "p.alert.ok").await;
            assert!(text(b, "p.alert.ok").await.contains("Night shift"));
            let team_row = text(b, "#team-calendars tbody tr").await;
            assert!(
                team_row.contains("Asia/Tokyo, 8:00–16:00, Mon Tue Wed Thu, 2 holidays"),
                "{team_row}"
            );
            let rep_row = text(b, &kenji_row).await;
            assert!(rep_row.contains("Night shift's calendar"), "{rep_row}");

            click(b, &format!("{kenji_row} form button[type='submit']")).await;
            wait_for(b, &format!("{kenji_row} .pill.warn")).await;
            assert!(text(b, &kenji_row).await.contains("Out of office"));
        })
        .await;

    let calendars = app.app.inbound_calendars(&Actor::cli()).await.unwrap();
    assert_eq!(calendars.len(), 1, "{calendars:?}");
    let routing_reps = app.app.inbound_reps(&Actor::cli()).await.unwrap();
    let kenji_rep = routing_reps.iter().find(|r| r.user_id == kenji.id).unwrap();
    assert!(kenji_rep.out_of_office, "routing skips kenji now");
}
