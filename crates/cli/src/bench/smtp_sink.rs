//! A minimal SMTP server for `bench sequences`: accepts every message on loopback, keeps nothing
//! but each message's Message-ID, so the benchmark can count what arrived and spot duplicates.
//! It speaks just enough SMTP for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
//! answers each command at once, so the time measured is the sender's, not a mail store's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A running sink; stops when dropped.
pub struct SmtpSink {
    port: u16,
    received: Arc<Mutex<HashMap<String, usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Listens on a free loopback port.
    pub async fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(Mutex::new(HashMap::new()));
        let seen = Arc::clone(&received);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    // A broken connection is the sender's to report.
                    let _ = session(stream, &seen).await;
                });
            }
        });
        Ok(SmtpSink { port, received, task })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// (messages accepted, distinct Message-IDs among them).
    pub fn counts(&self) -> (usize, usize) {
        let seen = self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (seen.values().sum(), seen.len())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(stream: TcpStream, seen: &Mutex<HashMap<String, usize>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 bench-sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-bench-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let id = read_message(&mut lines).await?;
                let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                *seen.entry(id).or_default() += 1;
                b"250 2.0.0 accepted\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 ok\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads one message up to the lone dot; returns its Message-ID (empty when it has none).
async fn read_message(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<String> {
    let mut id = String::new();
    let mut in_headers = true;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text == "." {
            return Ok(id);
        }
        if text.is_empty() {
            in_headers = false;
        } else if in_headers
            && let Some((name, value)) = text.split_once(':')
            && name.eq_ignore_ascii_case("message-id")
        {
            value.trim().clone_into(&mut id);
        }
    }
}
