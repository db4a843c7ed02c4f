//! The app on a phone-sized screen.

use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, log_in, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_phone_screen_with_the_navigation_visible() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("ada@example.com", "admin", Some("West")).await;
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            b.set_window_size(390, 844).await.expect("resize window");
            log_in(b, &base, "ada@example.com", TEST_PASSWORD).await;
            for (path, content) in [
                ("/today", "main .empty-state"),
                ("/admin", "#users-table"),
                ("/settings/tokens", "#create-token"),
            ] {
                b.goto(&format!("{base}{path}")).await.expect("open page");
                wait_for(b, content).await;
                let inner_width = b
                    .execute("return window.innerWidth;", vec![])
                    .await
                    .expect("innerWidth")
                    .as_u64()
                    .expect("a number");
                assert!(
                    inner_width <= 400,
                    "the window did not become phone-sized: innerWidth {inner_width}"
                );
                let nav = wait_for(b, "nav.sidenav").await;
                assert!(nav.is_displayed().await.expect("visibility"), "{path}: nav hidden");
                let today = wait_for(b, "nav.sidenav a[href='/today']").await;
                assert!(
                    today.is_displayed().await.expect("visibility"),
                    "{path}: the Today link is hidden"
                );
                let scroll_width = b
                    .execute("return document.documentElement.scrollWidth;", vec![])
                    .await
                    .expect("scrollWidth")
                    .as_u64()
                    .expect("a number");
                assert!(
                    scroll_width <= inner_width,
                    "{path} scrolls sideways on a phone: scrollWidth {scroll_width} > innerWidth {inner_width}"
                );
            }
        })
        .await;
}
