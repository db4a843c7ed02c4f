//! What `--version` and `--help` tell a new user.

use crate::support::{prospector, run, success};

#[test]
fn version_prints_the_package_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = prospector(dir.path());
    command.arg("--version");
    let stdout = success(&run(command, None));
    assert_eq!(stdout.trim(), format!("prospector {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_every_command_and_shows_examples() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = prospector(dir.path());
    command.arg("--help");
    let stdout = success(&run(command, None));
    let commands: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for wanted in ["serve", "migrate", "user", "token", "demo"] {
        assert!(
            commands.contains(&wanted),
            "`{wanted}` missing from the command list {commands:?}:\n{stdout}"
        );
    }
    let examples = stdout
        .split_once("\nExamples:\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no Examples section:\n{stdout}"));
    assert!(examples.contains("prospector demo"), "{examples}");
    assert!(examples.contains("--password-stdin"), "{examples}");
}
