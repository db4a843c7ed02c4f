//! The whole app on 127.0.0.1:0, with a manual clock the test moves.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use prospector_app::users::NewUserInput;
use prospector_app::{Actor, App, AppSettings, ManualClock};
use prospector_store::Store;
use prospector_store::users::User;
use prospector_web::WebSettings;

use crate::db::TestDb;

/// Where test clocks start: a Monday morning, so business-hours rules behave predictably.
pub fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid instant")
}

/// A running app.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The use cases, for arranging data directly.
    pub app: App,
    /// The clock the app reads.
    pub clock: ManualClock,
    /// The store.
    pub store: Store,
    /// The database (dropped with the app).
    pub db: TestDb,
    /// Where this app's import uploads go (removed with the app).
    pub import_dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// The password every user made by [`TestApp::user`] gets.
pub const TEST_PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Migrates `db` and serves the app on a free port.
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, WebSettings::default()).await
    }

    /// Like [`TestApp::spawn`] with custom web settings.
    pub async fn spawn_with(db: TestDb, web: WebSettings) -> TestApp {
        let store = db.store().await;
        let clock = ManualClock::new(default_start());
        let import_dir = tempfile::tempdir().expect("a temporary upload directory");
        let settings = AppSettings {
            import_dir: import_dir.path().to_owned(),
            ..AppSettings::default()
        };
        let app = App::new(store.clone(), Arc::new(clock.clone()), settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server_app = app.clone();
        let server = tokio::spawn(async move {
            let _ = prospector_web::launch_with_listener(server_app, web, listener, async move {
                let _ = stopped.await;
            })
            .await;
        });
        TestApp {
            base_url,
            app,
            clock,
            store,
            db,
            import_dir,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Adds a user with [`TEST_PASSWORD`].
    pub async fn user(&self, email: &str, role: &str, team: Option<&str>) -> User {
        self.app
            .add_user(
                &Actor::cli(),
                NewUserInput {
                    email: email.into(),
                    name: format!("Test {role}"),
                    role: role.into(),
                    team: team.map(str::to_owned),
                    password: Some(TEST_PASSWORD.into()),
                    time_zone: None,
                },
            )
            .await
            .expect("add test user")
    }

    /// An API token for the user with `email`.
    pub async fn token_for(&self, email: &str) -> String {
        let email = prospector_core::email::Email::parse(email).expect("valid email");
        self.app
            .create_token(&Actor::cli(), Some(&email), "test")
            .await
            .expect("create token")
            .secret
    }

    /// A user of `role` and an API client authenticated as them.
    pub async fn api_client(&self, email: &str, role: &str) -> (User, ApiClient) {
        let user = self.user(email, role, None).await;
        let token = self.token_for(email).await;
        (
            user,
            ApiClient {
                base_url: self.base_url.clone(),
                token,
                http: reqwest::Client::new(),
            },
        )
    }

    /// A browser-like client with a cookie jar and no redirects followed.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            // A server may close a connection after refusing an oversized upload unread; a browser
            // retries on a fresh connection, reqwest does not for POST, so don't reuse idle ones.
            .pool_max_idle_per_host(0)
            .build()
            .expect("http client")
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.store.close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP client that sends a Bearer token.
#[derive(Clone)]
pub struct ApiClient {
    base_url: String,
    /// The token it sends.
    pub token: String,
    http: reqwest::Client,
}

impl ApiClient {
    /// A request to `path` with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    /// POST JSON to `path`.
    pub fn post(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path).json(body)
    }

    /// PATCH JSON to `path`.
    pub fn patch(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PATCH, path).json(body)
    }

    /// PUT JSON to `path`.
    pub fn put(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PUT, path).json(body)
    }

    /// DELETE `path`.
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::DELETE, path)
    }
}
