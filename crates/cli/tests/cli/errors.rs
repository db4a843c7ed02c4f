//! Mistakes a user makes get a one-line explanation and a non-zero exit, never a crash.

use crate::support::{one_line_failure, prospector, run};

#[test]
fn unsupported_database_scheme_is_named_in_a_one_line_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = prospector(dir.path());
    command.args(["--database-url", "mysql://x", "migrate"]);
    let line = one_line_failure(&run(command, None));
    assert!(line.contains("mysql://x"), "{line}");
    assert!(
        line.contains("sqlite://") && line.contains("postgres://"),
        "should say which schemes work: {line}"
    );
}

#[test]
fn unreachable_postgres_fails_with_a_one_line_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = prospector(dir.path());
    command.args(["--database-url", "postgres://postgres@127.0.0.1:1/x", "migrate"]);
    let line = one_line_failure(&run(command, None));
    assert!(line.contains("127.0.0.1:1"), "should name the server: {line}");
}
