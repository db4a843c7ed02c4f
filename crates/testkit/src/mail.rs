//! Real mail servers on loopback for tests: Debian's dovecot (IMAP) with a private config and a
//! Maildir per user, and an SMTP server (Python's aiosmtpd, from Debian's python3-aiosmtpd) whose
//! handler delivers each accepted message into the recipients' Maildirs — and, like Gmail, a copy
//! into the sender's `Sent` folder. The SMTP server answers every message as it arrives, so
//! lettre's pooled connections work. Each test gets its own pair on free ports.
//!
//! When dovecot or aiosmtpd is missing the mail tests are skipped with a loud message, unless
//! `CI=true`, where that is a failure (`.ci/packages` lists what to install).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// The password every test mailbox accepts, over IMAP and SMTP AUTH.
pub const MAIL_PASSWORD: &str = "mail-secret";

const PYTHON: &str = "/usr/bin/python3";
const DOVECOT: &str = "/usr/sbin/dovecot";

const SMTP_SCRIPT: &str = r#"
import itertools, os, sys, threading, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

root, port, uid, gid, password, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
counter = itertools.count()
lock = threading.Lock()

def ensure(path):
    for sub in ('', 'new', 'cur', 'tmp'):
        p = os.path.join(path, sub)
        if not os.path.isdir(p):
            os.makedirs(p, exist_ok=True)
            if os.geteuid() == 0:
                os.chown(p, uid, gid)

def deliver(user, folder, data):
    base = os.path.join(root, user.lower())
    ensure(base)
    if folder:
        base = os.path.join(base, '.' + folder)
        ensure(base)
    name = '%d.P%dQ%d.prospector-test' % (time.time_ns(), os.getpid(), next(counter))
    tmp = os.path.join(base, 'tmp', name)
    with open(tmp, 'wb') as f:
        f.write(data)
    if os.geteuid() == 0:
        os.chown(tmp, uid, gid)
    os.rename(tmp, os.path.join(base, 'new', name))

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == password
    return AuthResult(success=ok)

class Handler:
    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode()
        with lock:
            for rcpt in envelope.rcpt_tos:
                deliver(rcpt, None, data)
            if envelope.mail_from:
                deliver(envelope.mail_from, 'Sent', data)
            with open(log, 'a') as f:
                f.write('accepted\n')
        return '250 2.0.0 accepted'

controller = Controller(Handler(), hostname='127.0.0.1', port=port, authenticator=authenticator,
                        auth_require_tls=False, auth_required=False)
controller.start()
print('READY', flush=True)
threading.Event().wait()
"#;

/// A dovecot IMAP server and an SMTP server delivering into it, both on loopback.
pub struct MailServers {
    dir: tempfile::TempDir,
    /// IMAP port (plain; `ssl = no`).
    pub imap_port: u16,
    /// SMTP port (plain, AUTH PLAIN/LOGIN with [`MAIL_PASSWORD`]).
    pub smtp_port: u16,
    dovecot: Option<Child>,
    smtp: Option<Child>,
    uid: u32,
    gid: u32,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn warn_skip(message: &str) {
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!! SKIPPING a mail test: {message}");
    eprintln!(
        "!! Install the packages in .ci/packages (dovecot-imapd, python3-aiosmtpd). Under CI=true this fails."
    );
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
}

async fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on port {port}; its log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ids() -> (u32, u32, Option<String>) {
    let out = |args: &[&str]| {
        std::process::Command::new("id")
            .args(args)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
    };
    let uid: u32 = out(&["-u"]).and_then(|s| s.parse().ok()).unwrap_or(0);
    if uid == 0 {
        // Dovecot refuses to run mail processes or its login process as root: mail belongs to
        // `nobody`, logins run as Debian's `dovenull`.
        (65534, 65534, None)
    } else {
        let gid = out(&["-g"]).and_then(|s| s.parse().ok()).unwrap_or(uid);
        (uid, gid, out(&["-un"]))
    }
}

impl MailServers {
    /// Starts both servers; `None` (after a loud warning) when they are not installed, outside CI.
    pub async fn start() -> Option<MailServers> {
        let missing: Vec<&str> = [(DOVECOT, "dovecot-imapd"), (PYTHON, "python3")]
            .iter()
            .filter(|(path, _)| !Path::new(path).exists())
            .map(|(_, pkg)| *pkg)
            .collect();
        let has_aiosmtpd = Path::new(PYTHON).exists()
            && std::process::Command::new(PYTHON)
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !missing.is_empty() || !has_aiosmtpd {
            let message = format!(
                "test mail servers are not installed (missing: {}{})",
                missing.join(", "),
                if has_aiosmtpd { "" } else { " python3-aiosmtpd" }
            );
            assert!(
                !crate::in_ci(),
                "{message}: under CI=true the mail tests must run"
            );
            warn_skip(&message);
            return None;
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let mail = dir.path().join("mail");
        for sub in ["mail", "home", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mail directories");
        }
        set_mode(&mail, 0o777);
        set_mode(&dir.path().join("home"), 0o777);
        let (uid, gid, user) = ids();
        let mut servers = MailServers {
            imap_port: free_port(),
            smtp_port: free_port(),
            dir,
            dovecot: None,
            smtp: None,
            uid,
            gid,
        };
        servers.start_dovecot(user.as_deref()).await;
        servers.start_smtp().await;
        Some(servers)
    }

    async fn start_dovecot(&mut self, user: Option<&str>) {
        let d = self.dir.path().display().to_string();
        let users = match user {
            Some(u) => format!(
                "default_internal_user = {u}\ndefault_internal_group = {u}\ndefault_login_user = {u}\n"
            ),
            None => String::new(),
        };
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nmail_location = maildir:{d}/mail/%u\nfirst_valid_uid = 1\n\
             {users}\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
             \x20 inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             passdb {{\n  driver = static\n  args = password={MAIL_PASSWORD}\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n",
            port = self.imap_port,
            uid = self.uid,
            gid = self.gid,
        );
        let conf_path = self.dir.path().join("dovecot.conf");
        std::fs::write(&conf_path, conf).expect("write dovecot.conf");
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(self.dir.path().join("dovecot.stderr")).expect("log file"),
            ))
            .kill_on_drop(true)
            .spawn()
            .expect("start dovecot");
        self.dovecot = Some(child);
        wait_for_port(self.imap_port, "dovecot", &self.dir.path().join("dovecot.log")).await;
    }

    /// Starts (or restarts) the SMTP server on its port.
    pub async fn start_smtp(&mut self) {
        let script = self.dir.path().join("smtp_server.py");
        std::fs::write(&script, SMTP_SCRIPT).expect("write the SMTP server script");
        let log = self.dir.path().join("smtp.stderr");
        let child = Command::new(PYTHON)
            .arg(&script)
            .arg(self.dir.path().join("mail"))
            .arg(self.smtp_port.to_string())
            .arg(self.uid.to_string())
            .arg(self.gid.to_string())
            .arg(MAIL_PASSWORD)
            .arg(self.dir.path().join("smtp.accepted"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&log).expect("log file")))
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP server");
        self.smtp = Some(child);
        wait_for_port(self.smtp_port, "the SMTP server", &log).await;
    }

    /// Stops the SMTP server (to test an unreachable server); [`MailServers::start_smtp`] brings
    /// it back on the same port.
    pub async fn stop_smtp(&mut self) {
        if let Some(mut child) = self.smtp.take() {
            let _ = child.kill().await;
            let _ = child.wait().await;
        }
    }

    /// How many messages the SMTP server has accepted.
    pub fn smtp_accepted(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("smtp.accepted"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn maildir(&self, user: &str, folder: Option<&str>) -> PathBuf {
        let base = self.dir.path().join("mail").join(user.to_lowercase());
        match folder {
            Some(f) => base.join(format!(".{f}")),
            None => base,
        }
    }

    /// Puts a raw message into `user`'s INBOX, as a mail server delivering it would.
    pub fn deliver(&self, user: &str, raw: &[u8]) {
        let base = self.maildir(user, None);
        for sub in ["", "new", "cur", "tmp"] {
            let p = base.join(sub);
            if !p.exists() {
                std::fs::create_dir_all(&p).expect("maildir");
                self.chown(&p);
            }
        }
        let name = format!("{}.test.{}", uuid::Uuid::now_v7().simple(), "prospector-test");
        let tmp = base.join("tmp").join(&name);
        std::fs::write(&tmp, raw).expect("write message");
        self.chown(&tmp);
        std::fs::rename(&tmp, base.join("new").join(&name)).expect("deliver message");
    }

    fn chown(&self, path: &Path) {
        if ids().2.is_none() {
            let _ = std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid));
        }
    }

    /// The raw messages in `user`'s `folder` (INBOX when `None`), read from the Maildir.
    pub fn messages(&self, user: &str, folder: Option<&str>) -> Vec<Vec<u8>> {
        let base = self.maildir(user, folder);
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(base.join(sub)) {
                let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
                paths.sort();
                out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
            }
        }
        out
    }

    /// Waits (polling, up to `timeout`) until `user`'s INBOX holds at least `n` messages.
    pub async fn wait_for_messages(&self, user: &str, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.messages(user, None);
            if found.len() >= n || Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

impl Drop for MailServers {
    fn drop(&mut self) {
        // SIGTERM lets dovecot's master stop its children; kill_on_drop's SIGKILL would orphan them.
        if let Some(pid) = self.dovecot.as_ref().and_then(Child::id) {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        if let Some(child) = self.smtp.as_mut() {
            let _ = child.start_kill();
        }
    }
}
