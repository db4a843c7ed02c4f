//! Configuration in layers: built-in defaults, then an optional TOML file (`--config`), then
//! `PROSPECTOR_*` environment variables, then command-line flags. `PROSPECTOR_<KEY>_FILE` reads a
//! value from a file, for secrets such as a database URL with a password.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

/// Settings as read from a file or the environment: every key optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_forwarded_for: Option<bool>,
    pub max_body_bytes: Option<usize>,
    pub max_connections: Option<u32>,
    pub session_ttl_hours: Option<i64>,
    pub log_format: Option<String>,
    pub log: Option<String>,
    pub secret_key: Option<String>,
    pub system_smtp_url: Option<String>,
    pub system_mail_from: Option<String>,
    pub import_dir: Option<std::path::PathBuf>,
}

/// The effective settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    pub max_body_bytes: usize,
    pub max_connections: u32,
    pub session_ttl_hours: i64,
    pub log_format: String,
    pub log: String,
    /// Base64 of 32 bytes sealing mailbox passwords (generated into the database when absent).
    pub secret_key: Option<String>,
    /// The system mailbox: `smtps://user:password@host:port`.
    pub system_smtp_url: Option<String>,
    /// Its From: `Name <address>`.
    pub system_mail_from: Option<String>,
    /// Where files uploaded for import wait until their import is done.
    pub import_dir: std::path::PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://prospector.db".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_forwarded_for: false,
            max_body_bytes: 1024 * 1024,
            max_connections: 8,
            session_ttl_hours: 24 * 14,
            log_format: "text".into(),
            log: "info,sqlx=warn".into(),
            secret_key: None,
            system_smtp_url: None,
            system_mail_from: None,
            import_dir: std::env::temp_dir().join("prospector-imports"),
        }
    }
}

const KEYS: [&str; 13] = [
    "DATABASE_URL",
    "LISTEN",
    "SECURE_COOKIES",
    "TRUST_FORWARDED_FOR",
    "MAX_BODY_BYTES",
    "MAX_CONNECTIONS",
    "SESSION_TTL_HOURS",
    "LOG_FORMAT",
    "LOG",
    "SECRET_KEY",
    "SYSTEM_SMTP_URL",
    "SYSTEM_MAIL_FROM",
    "IMPORT_DIR",
];

impl Config {
    fn apply(&mut self, layer: Layer) {
        macro_rules! take {
            ($($field:ident),*) => {$( if let Some(v) = layer.$field { self.$field = v; } )*};
        }
        take!(
            database_url,
            listen,
            secure_cookies,
            trust_forwarded_for,
            max_body_bytes,
            max_connections,
            session_ttl_hours,
            log_format,
            log,
            import_dir
        );
        for (mine, theirs) in [
            (&mut self.secret_key, layer.secret_key),
            (&mut self.system_smtp_url, layer.system_smtp_url),
            (&mut self.system_mail_from, layer.system_mail_from),
        ] {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
    }

    /// Defaults, then `file`, then `env` (a snapshot of the environment).
    pub fn load(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> anyhow::Result<(Config, Vec<String>)> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let layer: Layer = toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?;
            config.apply(layer);
        }
        let (layer, warnings) = env_layer(env)?;
        config.apply(layer);
        if !matches!(config.log_format.as_str(), "text" | "json") {
            bail!("log_format must be 'text' or 'json', not '{}'", config.log_format);
        }
        Ok((config, warnings))
    }
}

fn env_layer(env: &BTreeMap<String, String>) -> anyhow::Result<(Layer, Vec<String>)> {
    let mut values = BTreeMap::new();
    let mut warnings = Vec::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix("PROSPECTOR_") else {
            continue;
        };
        if key.starts_with("TEST_") {
            continue;
        }
        let (key, value) = match key.strip_suffix("_FILE") {
            Some(base) if KEYS.contains(&base) => {
                let text =
                    std::fs::read_to_string(value).with_context(|| format!("cannot read {name}={value}"))?;
                (base, text.trim().to_owned())
            }
            _ => (key, value.clone()),
        };
        if KEYS.contains(&key) {
            values.insert(key.to_ascii_lowercase(), value);
        } else {
            warnings.push(format!("ignoring unknown setting {name}"));
        }
    }
    let parse_err = |k: &str, v: &str| {
        anyhow::anyhow!("PROSPECTOR_{} has an invalid value '{v}'", k.to_ascii_uppercase())
    };
    let get = |k: &str| values.get(k).cloned();
    let flag = |k: &str| -> anyhow::Result<Option<bool>> {
        get(k)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(parse_err(k, &v)),
            })
            .transpose()
    };
    let layer = Layer {
        database_url: get("database_url"),
        listen: get("listen"),
        secure_cookies: flag("secure_cookies")?,
        trust_forwarded_for: flag("trust_forwarded_for")?,
        max_body_bytes: get("max_body_bytes")
            .map(|v| v.parse().map_err(|_| parse_err("max_body_bytes", &v)))
            .transpose()?,
        max_connections: get("max_connections")
            .map(|v| v.parse().map_err(|_| parse_err("max_connections", &v)))
            .transpose()?,
        session_ttl_hours: get("session_ttl_hours")
            .map(|v| v.parse().map_err(|_| parse_err("session_ttl_hours", &v)))
            .transpose()?,
        log_format: get("log_format"),
        log: get("log"),
        secret_key: get("secret_key"),
        system_smtp_url: get("system_smtp_url"),
        system_mail_from: get("system_mail_from"),
        import_dir: get("import_dir").map(std::path::PathBuf::from),
    };
    Ok((layer, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nmax_connections = 3\n").unwrap();
        let (config, warnings) = Config::load(
            Some(&path),
            &env(&[("PROSPECTOR_MAX_CONNECTIONS", "5"), ("PROSPECTOR_BOGUS", "1")]),
        )
        .unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.max_connections, 5);
        assert_eq!(config.database_url, "sqlite://prospector.db");
        assert_eq!(
            warnings,
            vec!["ignoring unknown setting PROSPECTOR_BOGUS".to_owned()]
        );
    }

    #[test]
    fn secrets_can_come_from_files_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("url");
        std::fs::write(&path, "postgres://u:secret@db/p\n").unwrap();
        let (config, _) = Config::load(
            None,
            &env(&[("PROSPECTOR_DATABASE_URL_FILE", path.to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(config.database_url, "postgres://u:secret@db/p");
        let err = Config::load(None, &env(&[("PROSPECTOR_SECURE_COOKIES", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("PROSPECTOR_SECURE_COOKIES"), "{err}");
        let err = Config::load(None, &env(&[("PROSPECTOR_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(err.to_string().contains("log_format"), "{err}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "lsiten = \"x\"\n").unwrap();
        assert!(Config::load(Some(&path), &BTreeMap::new()).is_err());
    }
}
