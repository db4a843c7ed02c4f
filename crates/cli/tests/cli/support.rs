//! Running the binary: one-shot commands, and long-running servers that are stopped by SIGTERM
//! (and killed on drop, so no server outlives a failed test).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a server may take to start or stop before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Settings a developer's shell might carry that would change what the binary does.
const INHERITED: [&str; 11] = [
    "PROSPECTOR_DATABASE_URL",
    "PROSPECTOR_DATABASE_URL_FILE",
    "PROSPECTOR_LISTEN",
    "PROSPECTOR_SECURE_COOKIES",
    "PROSPECTOR_TRUST_FORWARDED_FOR",
    "PROSPECTOR_MAX_BODY_BYTES",
    "PROSPECTOR_MAX_CONNECTIONS",
    "PROSPECTOR_SESSION_TTL_HOURS",
    "PROSPECTOR_LOG_FORMAT",
    "PROSPECTOR_LOG",
    "RUST_LOG",
];

/// The shared data folder (real files nobody here wrote), found by walking up from this crate: it is
/// a sibling of the checkout in the main tree and in a worktree.
pub fn shared_data() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("data");
        if candidate.is_dir() {
            return candidate;
        }
        assert!(
            dir.pop(),
            "no shared/data folder above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
}

/// `prospector` with a clean environment, run in `dir` so defaults never touch the repository.
pub fn prospector(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prospector"));
    for name in INHERITED {
        command.env_remove(name);
    }
    command.current_dir(dir).stdin(Stdio::null());
    command
}

/// Runs `command` to completion, with `stdin` written to it when given.
pub fn run(mut command: Command, stdin: Option<&str>) -> Output {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start prospector");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait for prospector")
}

/// Stdout and stderr as text, for assertions and failure messages.
pub fn outputs(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts the command succeeded, showing its output otherwise; returns stdout.
pub fn success(output: &Output) -> String {
    let (stdout, stderr) = outputs(output);
    assert!(
        output.status.success(),
        "expected success, got {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stdout
}

/// Asserts the command failed with exactly one line on stderr, an `error:` without any panic
/// text; returns that line.
pub fn one_line_failure(output: &Output) -> String {
    let (stdout, stderr) = outputs(output);
    assert!(
        !output.status.success(),
        "expected failure, got {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    assert!(
        !stderr.contains("panicked") && !stderr.to_lowercase().contains("backtrace"),
        "a user error must not look like a crash:\n{stderr}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected a one-line error, got:\n{stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_owned()
}

/// Reads `pipe` line by line on a thread, so the child never blocks on a full pipe.
fn lines_of(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A long-running `prospector` (serve or demo).
pub struct Server {
    child: Child,
    pub stdout: mpsc::Receiver<String>,
    pub stderr: mpsc::Receiver<String>,
    /// Every line read so far, for failure messages.
    pub seen: Vec<String>,
}

impl Server {
    /// Starts `command` with piped output.
    pub fn start(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start prospector");
        let stdout: ChildStdout = child.stdout.take().expect("stdout pipe");
        let stderr: ChildStderr = child.stderr.take().expect("stderr pipe");
        Server {
            child,
            stdout: lines_of(stdout),
            stderr: lines_of(stderr),
            seen: Vec::new(),
        }
    }

    /// Reads lines from `stream` until one satisfies `wanted`, returning it; fails at the deadline
    /// or when the stream ends.
    pub fn read_until(&mut self, stderr: bool, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let stream = if stderr { &self.stderr } else { &self.stdout };
            match stream.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(e) => {
                    let rest: Vec<String> = self.stderr.try_iter().collect();
                    panic!(
                        "expected line not seen ({e}); output so far:\n{}\n{}",
                        self.seen.join("\n"),
                        rest.join("\n")
                    );
                }
            }
        }
    }

    /// Waits for the "Prospector is serving on http://ADDR" banner and returns the URL.
    pub fn serving_url(&mut self) -> String {
        let line = self.read_until(true, |l| l.starts_with("Prospector is serving on "));
        line.trim_start_matches("Prospector is serving on ")
            .trim()
            .to_owned()
    }

    /// Sends SIGTERM and waits, polling up to the deadline, for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the process") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "prospector did not exit within 10 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// GET /api/v1/me with `token`, returning the JSON body (asserting 200).
pub async fn me(base_url: &str, token: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{base_url}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("call the API");
    assert_eq!(response.status(), 200, "token rejected by the served app");
    response.json().await.expect("JSON body")
}
