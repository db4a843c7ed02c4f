//! A real headless Chromium driven through chromedriver, one browser per test.
//!
//! chromedriver runs as a child process in its own process group on a free port; dropping the
//! [`Browser`] ends the WebDriver session and then the whole group, so no Chromium outlives a test
//! even when the test panics.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long any single wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// chromedriver plus the profile directory its Chromium uses.
struct Driver {
    child: Child,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0)); Chromium is in that group too.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session on a fresh headless Chromium.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
}

/// Whether Chromium and chromedriver are installed; outside CI a missing one skips the test loudly.
fn available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("{} not installed", missing.join(" and "));
    assert!(
        !prospector_testkit::in_ci(),
        "{message}: under CI=true the browser tests must run (apt-get install chromium chromium-driver)"
    );
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!! SKIPPING browser test: {message}");
    eprintln!("!! Install Debian's chromium and chromium-driver. Under CI=true this fails.");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// Starts chromedriver and opens a session, or `None` when the browser is not installed
    /// (outside CI).
    pub async fn start() -> Option<Browser> {
        if !available() {
            return None;
        }
        let profile = tempfile::tempdir().expect("profile directory");
        let port = free_port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("start chromedriver")
        };
        let driver = Driver { child, profile };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", driver.profile.path().display())])
        .collect::<Vec<_>>();
        let mut capabilities = fantoccini::wd::Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        // chromedriver is plain http on loopback, so no TLS connector is needed.
        // Chromium can miss chromedriver's start-up deadline when every core is busy (the suite
        // runs browsers in parallel), so a failed session start is tried again before failing.
        let mut attempt = 1;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if attempt < 3 => {
                    eprintln!("WebDriver session start failed (attempt {attempt}), retrying: {e}");
                    attempt += 1;
                }
                Err(e) => panic!("open a WebDriver session on headless Chromium: {e}"),
            }
        };
        Some(Browser {
            client,
            _driver: driver,
        })
    }

    /// Runs `scenario` and closes the session whatever happens, then re-raises a panic.
    pub async fn run<F>(self, scenario: F)
    where
        F: AsyncFnOnce(&Client),
    {
        use futures::FutureExt;
        let outcome = std::panic::AssertUnwindSafe(scenario(&self.client))
            .catch_unwind()
            .await;
        let _ = self.client.clone().close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Waits (polling, up to [`WAIT`]) for an element matching `css`.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element '{css}' appeared within {WAIT:?}: {e}"))
}

/// Waits (polling, up to [`WAIT`]) until the page's path is `path`.
pub async fn wait_for_path(client: &Client, path: &str) {
    wait_for_url(client, path, |url| url.path() == path).await;
}

/// Waits (polling, up to [`WAIT`]) until the page's URL is one that `lands` accepts — after a
/// click that navigates, the old page's elements are still there until the new page replaces it,
/// so waiting for an element alone can read the old page. `expected` describes it for the failure.
pub async fn wait_for_url(client: &Client, expected: &str, lands: impl Fn(&reqwest::Url) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = client.current_url().await.expect("current URL");
        if lands(&url) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected to land on {expected} within {WAIT:?}, still at {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The element's visible text.
pub async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element '{css}': {e}"))
        .text()
        .await
        .expect("element text")
}

/// Types `value` into the field matching `css`.
pub async fn fill(client: &Client, css: &str, value: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no field '{css}': {e}"));
    field.clear().await.expect("clear field");
    field.send_keys(value).await.expect("type into field");
}

/// Clicks the element matching `css`.
pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element '{css}': {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click '{css}': {e}"));
}

/// Logs in through the login form and waits for the app shell.
pub async fn log_in(client: &Client, base_url: &str, email: &str, password: &str) {
    client
        .goto(&format!("{base_url}/login"))
        .await
        .expect("open the login page");
    wait_for(client, "form[action='/login']").await;
    fill(client, "#email", email).await;
    fill(client, "#password", password).await;
    click(client, "form[action='/login'] button[type=submit]").await;
    wait_for(client, "nav.sidenav").await;
}
