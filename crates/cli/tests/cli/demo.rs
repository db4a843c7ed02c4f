//! `prospector demo`: a filled database, the logins printed, and a second run that keeps the data.

use crate::support::{DEADLINE, Server, prospector};

const DEMO_PASSWORD: &str = "prospector-demo";

/// Reads the demo banner up to "Press Ctrl+C to stop." and returns its lines.
fn banner(server: &mut Server) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let line = server.read_until(false, |_| true);
        let done = line.starts_with("Press Ctrl+C");
        lines.push(line);
        if done {
            return lines;
        }
    }
}

fn url_of(banner: &[String]) -> String {
    banner
        .iter()
        .find_map(|l| l.strip_prefix("Prospector demo is running at "))
        .unwrap_or_else(|| panic!("no URL line in {banner:#?}"))
        .trim()
        .to_owned()
}

/// The login emails listed under "log in as any of these".
fn logins(banner: &[String]) -> Vec<String> {
    banner
        .iter()
        .skip_while(|l| !l.starts_with("log in as"))
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().find(|w| w.contains('@')).map(str::to_owned))
        .collect()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf_token field in the login page:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').expect("end of csrf value") + start;
    html[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_logins_that_work_and_does_not_seed_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let demo = || {
        let mut command = prospector(dir.path());
        command.args(["demo", "--database-url", &url, "--listen", "127.0.0.1:0"]);
        command
    };

    let mut server = Server::start(demo());
    let lines = banner(&mut server);
    let base = url_of(&lines);
    assert!(
        lines.iter().any(|l| l.contains("filled with the demo team")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(DEMO_PASSWORD)),
        "password not printed: {lines:#?}"
    );
    let emails = logins(&lines);
    assert_eq!(emails.len(), 10, "expected 10 demo logins: {lines:#?}");

    // Log in as a listed rep the way a browser does: CSRF cookie and token from the form.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(DEADLINE)
        .build()
        .expect("http client");
    let html = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("GET /login")
        .text()
        .await
        .expect("login page");
    let csrf = csrf_of(&html);
    let rep = emails
        .iter()
        .find(|e| e.contains("sdr"))
        .unwrap_or(&emails[0])
        .clone();
    let response = browser
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", rep.as_str()),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("POST /login");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/today")
    );
    let today = browser
        .get(format!("{base}/today"))
        .send()
        .await
        .expect("GET /today");
    assert_eq!(today.status(), 200, "the session cookie lets the rep in");

    let status = server.terminate();
    assert!(status.success(), "demo should exit 0 on SIGTERM, got {status}");
    drop(server);

    let mut again = Server::start(demo());
    let lines = banner(&mut again);
    assert!(
        lines.iter().any(|l| l.contains("already had data")),
        "second run should leave the data as it was: {lines:#?}"
    );
    let base = url_of(&lines);
    let html = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("GET /login")
        .text()
        .await
        .expect("login page");
    let response = browser
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf_of(&html).as_str()),
            ("email", rep.as_str()),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("POST /login");
    assert!(
        response.status().is_redirection(),
        "the same demo login still works after a restart: {}",
        response.status()
    );
    let status = again.terminate();
    assert!(status.success(), "{status}");
}
