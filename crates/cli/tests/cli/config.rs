//! Configuration layers as a user sets them: a TOML file, then the environment, then flags.

use crate::support::{outputs, prospector, run, success};

fn sqlite_url(dir: &std::path::Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

#[test]
fn the_database_url_comes_from_the_environment_when_no_flag_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut migrate = prospector(dir.path());
    migrate
        .env("PROSPECTOR_DATABASE_URL", sqlite_url(dir.path(), "from-env.db"))
        .arg("migrate");
    let output = run(migrate, None);
    success(&output);
    assert!(dir.path().join("from-env.db").exists());
    assert!(
        !dir.path().join("prospector.db").exists(),
        "the default was used instead"
    );
    let (_, stderr) = outputs(&output);
    assert!(stderr.contains("from-env.db"), "{stderr}");
}

#[test]
fn a_database_url_flag_beats_the_environment_which_beats_the_config_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("prospector.toml");
    std::fs::write(
        &config,
        format!("database_url = \"{}\"\n", sqlite_url(dir.path(), "from-file.db")),
    )
    .expect("write config");

    let mut file_only = prospector(dir.path());
    file_only.arg("--config").arg(&config).arg("migrate");
    success(&run(file_only, None));
    assert!(dir.path().join("from-file.db").exists());

    let mut env_over_file = prospector(dir.path());
    env_over_file
        .env("PROSPECTOR_DATABASE_URL", sqlite_url(dir.path(), "from-env.db"))
        .arg("--config")
        .arg(&config)
        .arg("migrate");
    success(&run(env_over_file, None));
    assert!(dir.path().join("from-env.db").exists());

    let mut flag_over_env = prospector(dir.path());
    flag_over_env
        .env("PROSPECTOR_DATABASE_URL", sqlite_url(dir.path(), "not-this.db"))
        .args([
            "--database-url",
            &sqlite_url(dir.path(), "from-flag.db"),
            "migrate",
        ]);
    success(&run(flag_over_env, None));
    assert!(dir.path().join("from-flag.db").exists());
    assert!(!dir.path().join("not-this.db").exists());
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("prospector.toml");
    std::fs::write(&config, "lsiten = \"127.0.0.1:9000\"\n").expect("write config");
    let mut migrate = prospector(dir.path());
    migrate.arg("--config").arg(&config).arg("migrate");
    let output = run(migrate, None);
    let (_, stderr) = outputs(&output);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("prospector.toml"), "names the file: {stderr}");
    assert!(
        stderr.contains("unknown field `lsiten`"),
        "names the key: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("prospector.db").exists(), "nothing was done");
}
