//! Setting up a server from the command line: migrate, add a user, mint a token, serve.

use prospector_testkit::TestDb;

use crate::support::{Server, me, one_line_failure, outputs, prospector, run, success};

fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("prospector.db").display())
}

/// `migrate`, `user add … --password-stdin`, `token create`: returns the printed token.
fn add_user_and_token(dir: &std::path::Path, url: &str, email: &str) -> String {
    let mut migrate = prospector(dir);
    migrate.args(["--database-url", url, "migrate"]);
    success(&run(migrate, None));

    let mut add = prospector(dir);
    add.args(["--database-url", url, "user", "add", "--email", email])
        .args(["--name", "Dana Whitfield", "--role", "sdr", "--team", "West"])
        .arg("--password-stdin");
    let output = run(add, Some("a long enough password\n"));
    let stdout = success(&output);
    assert!(!stdout.trim().is_empty(), "user add prints the new user's id");
    let (_, stderr) = outputs(&output);
    assert!(stderr.contains(email), "{stderr}");

    let mut token = prospector(dir);
    token.args(["--database-url", url, "token", "create", "--email", email]);
    let stdout = success(&run(token, None));
    let secret = stdout.trim().to_owned();
    assert_eq!(stdout.lines().count(), 1, "only the token on stdout: {stdout}");
    assert!(secret.len() >= 32, "token looks too short: {secret:?}");
    secret
}

/// Serves `url`, checks the token identifies `email`, then stops the server with SIGTERM.
async fn token_works_against_a_served_app(dir: &std::path::Path, url: &str, token: &str, email: &str) {
    let mut serve = prospector(dir);
    serve.args(["--database-url", url, "serve", "--listen", "127.0.0.1:0"]);
    let mut server = Server::start(serve);
    let base = server.serving_url();
    let user = me(&base, token).await;
    assert_eq!(user["email"], email);
    assert_eq!(user["name"], "Dana Whitfield");
    assert_eq!(user["role"], "sdr");
    let status = server.terminate();
    assert!(status.success(), "serve should exit 0 on SIGTERM, got {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_made_on_the_command_line_works_against_the_server_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let token = add_user_and_token(dir.path(), &url, "dana@example.com");
    token_works_against_a_served_app(dir.path(), &url, &token, "dana@example.com").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_made_on_the_command_line_works_against_the_server_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let token = add_user_and_token(dir.path(), &db.url, "dana@example.com");
    token_works_against_a_served_app(dir.path(), &db.url, &token, "dana@example.com").await;
}

#[test]
fn adding_a_user_with_an_unknown_role_names_the_allowed_roles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let mut add = prospector(dir.path());
    add.args(["--database-url", &url, "user", "add", "--email", "x@example.com"])
        .args(["--name", "X", "--role", "wizard"]);
    let line = one_line_failure(&run(add, None));
    assert!(line.contains("wizard"), "{line}");
    for role in [
        "admin",
        "team_lead",
        "sdr",
        "ae",
        "marketing",
        "recruiter",
        "interviewer",
    ] {
        assert!(line.contains(role), "allowed role {role} not named: {line}");
    }
}

#[test]
fn adding_the_same_email_twice_fails_the_second_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let add = || {
        let mut add = prospector(dir.path());
        add.args([
            "--database-url",
            &url,
            "user",
            "add",
            "--email",
            "dup@example.com",
        ])
        .args(["--name", "Dup", "--role", "ae"]);
        add
    };
    success(&run(add(), None));
    let line = one_line_failure(&run(add(), None));
    assert!(line.contains("dup@example.com"), "{line}");
    assert!(line.contains("already exists"), "{line}");
}
