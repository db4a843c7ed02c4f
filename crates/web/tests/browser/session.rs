//! Logging in, finding one's way around, administering users and tokens, logging out.

use prospector_testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::driver::{Browser, click, fill, log_in, text, wait_for, wait_for_path};

const SECTIONS: [&str; 11] = [
    "Today",
    "Tasks",
    "Leads",
    "Accounts",
    "Sequences",
    "Inbound",
    "Dashboards",
    "Handbook",
    "Stories",
    "Hiring",
    "Admin",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_logs_in_adds_a_user_creates_a_token_and_logs_out() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("ada@example.com", "admin", Some("West")).await;
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            log_in(b, &base, "ada@example.com", TEST_PASSWORD).await;
            wait_for_path(b, "/today").await;

            // The shell: every section in the side navigation, and who is logged in.
            let mut labels = Vec::new();
            for link in b
                .find_all(fantoccini::Locator::Css("nav.sidenav a"))
                .await
                .expect("navigation links")
            {
                labels.push(link.text().await.expect("link text"));
            }
            assert_eq!(labels, SECTIONS);
            assert_eq!(text(b, "details.user-menu .user-name").await, "Test admin");

            // Admin → add a user through the form; the new user appears in the table.
            click(b, "nav.sidenav a[href='/admin']").await;
            wait_for(b, "#users-table").await;
            fill(b, "#nu-name", "Sam Caller").await;
            fill(b, "#nu-email", "sam.caller@example.com").await;
            b.find(fantoccini::Locator::Css("#nu-role"))
                .await
                .expect("role select")
                .select_by_value("sdr")
                .await
                .expect("choose the SDR role");
            fill(b, "#nu-team", "West").await;
            fill(b, "#nu-password", "a long enough password").await;
            click(b, "#add-user button[type=submit]").await;
            let notice = wait_for(b, "p.alert.ok[role=status]").await;
            assert_eq!(
                notice.text().await.expect("notice text"),
                "Added Sam Caller (sam.caller@example.com)."
            );
            let table = text(b, "#users-table tbody").await;
            let row = table
                .lines()
                .find(|l| l.contains("sam.caller@example.com"))
                .unwrap_or_else(|| panic!("new user missing from the users table:\n{table}"));
            assert!(row.contains("Sam Caller") && row.contains("West"), "{row}");

            // My API tokens → create one; the secret is shown once and works against the API.
            b.goto(&format!("{base}/settings/tokens"))
                .await
                .expect("open tokens page");
            fill(b, "#tk-name", "Zapier").await;
            click(b, "#create-token button[type=submit]").await;
            let secret = wait_for(b, "#new-token-secret")
                .await
                .text()
                .await
                .expect("secret text");
            assert!(secret.len() >= 32, "token secret looks too short: {secret:?}");
            let me: serde_json::Value = reqwest::Client::new()
                .get(format!("{base}/api/v1/me"))
                .bearer_auth(&secret)
                .send()
                .await
                .expect("call the API")
                .error_for_status()
                .expect("the token shown in the browser is accepted")
                .json()
                .await
                .expect("JSON");
            assert_eq!(me["email"], "ada@example.com");
            // Open the page afresh (a GET: reloading would re-submit the form).
            b.goto(&format!("{base}/settings/tokens"))
                .await
                .expect("reopen tokens page");
            wait_for(b, "#tokens-table").await;
            assert!(
                b.find(fantoccini::Locator::Css("#new-token-secret"))
                    .await
                    .is_err(),
                "the secret must not be shown a second time"
            );
            let tokens = text(b, "#tokens-table tbody").await;
            assert_eq!(
                tokens.lines().filter(|l| l.contains("Zapier")).count(),
                1,
                "exactly the one token we created is listed:\n{tokens}"
            );

            // Log out from the user menu.
            click(b, "details.user-menu summary").await;
            let logout = wait_for(b, "#logout").await;
            assert!(logout.is_displayed().await.expect("visibility"));
            logout.click().await.expect("click Log out");
            wait_for(b, "body.login-page").await;
            wait_for_path(b, "/login").await;

            // The session is gone: Admin sends us back to the login page, remembering where we were.
            b.goto(&format!("{base}/admin")).await.expect("open /admin");
            wait_for(b, "body.login-page").await;
            wait_for_path(b, "/login").await;
            let next = b
                .find(fantoccini::Locator::Css("input[name=next]"))
                .await
                .expect("next field")
                .prop("value")
                .await
                .expect("next value");
            assert_eq!(next.as_deref(), Some("/admin"));
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_shows_the_error_on_the_login_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("ada@example.com", "admin", None).await;
    let base = app.base_url.clone();

    browser
        .run(async |b| {
            b.goto(&format!("{base}/login")).await.expect("open login");
            fill(b, "#email", "ada@example.com").await;
            fill(b, "#password", "not the password").await;
            click(b, "form[action='/login'] button[type=submit]").await;
            let error = wait_for(b, "#login-error").await;
            assert_eq!(
                error.text().await.expect("error text"),
                "email or password is wrong"
            );
            wait_for_path(b, "/login").await;
            let email = b
                .find(fantoccini::Locator::Css("#email"))
                .await
                .expect("email field")
                .prop("value")
                .await
                .expect("email value");
            assert_eq!(email.as_deref(), Some("ada@example.com"), "the email is kept");
            assert!(
                b.find(fantoccini::Locator::Css("nav.sidenav")).await.is_err(),
                "no app shell without a correct password"
            );
        })
        .await;
}
