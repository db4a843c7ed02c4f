//! Talking IMAP to a user's mailbox: connect (TLS, STARTTLS or plain), log in, and the two
//! questions we ask — "which messages are new since UID n?" and "is this Message-ID there?".
//! TLS is rustls on ring with the Mozilla roots, no OpenSSL.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::Session;
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::{Security, ServerAccount};

/// A connection to an IMAP server, plain or TLS.
pub enum Conn {
    /// Unencrypted (security `none`, or before STARTTLS).
    Plain(TcpStream),
    /// TLS.
    Tls(Box<TlsStream<TcpStream>>),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conn::Plain(_) => "Conn::Plain",
            Conn::Tls(_) => "Conn::Tls",
        })
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A logged-in IMAP session.
pub type ImapSession = Session<Conn>;

fn tls_connector() -> TlsConnector {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth())
            .unwrap_or_else(|_| {
                ClientConfig::builder_with_provider(Arc::new(
                    tokio_rustls::rustls::crypto::ring::default_provider(),
                ))
                .with_protocol_versions(&[&tokio_rustls::rustls::version::TLS13])
                .expect("TLS 1.3 is supported by ring")
                .with_root_certificates(RootCertStore::empty())
                .with_no_client_auth()
            });
        Arc::new(config)
    });
    TlsConnector::from(Arc::clone(config))
}

async fn wrap_tls(tcp: TcpStream, host: &str) -> Result<Conn, String> {
    let name =
        ServerName::try_from(host.to_owned()).map_err(|e| format!("bad IMAP host name {host}: {e}"))?;
    let tls = tls_connector()
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host} failed: {e}"))?;
    Ok(Conn::Tls(Box::new(tls)))
}

async fn connect_inner(account: &ServerAccount) -> Result<ImapSession, String> {
    let addr = format!("{}:{}", account.host, account.port);
    let tcp = TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("cannot connect to IMAP server {addr}: {e}"))?;
    let conn = match account.security {
        Security::Tls => wrap_tls(tcp, &account.host).await?,
        Security::Starttls | Security::None => Conn::Plain(tcp),
    };
    let mut client = async_imap::Client::new(conn);
    client
        .read_response()
        .await
        .map_err(|e| format!("IMAP server {addr} did not greet: {e}"))?
        .ok_or_else(|| format!("IMAP server {addr} closed the connection"))?;
    if account.security == Security::Starttls {
        client
            .run_command_and_check_ok("STARTTLS", None)
            .await
            .map_err(|e| format!("IMAP server {addr} refused STARTTLS: {e}"))?;
        let Conn::Plain(tcp) = client.into_inner() else {
            return Err("STARTTLS on a TLS connection".into());
        };
        client = async_imap::Client::new(wrap_tls(tcp, &account.host).await?);
    }
    let user = account.username.as_deref().unwrap_or_default();
    let password = account.password.as_deref().unwrap_or_default();
    client
        .login(user, password)
        .await
        .map_err(|(e, _)| format!("IMAP login as {user} at {addr} failed: {e}"))
}

/// Connects and logs in, giving up after `timeout`.
pub async fn connect(account: &ServerAccount, timeout: Duration) -> Result<ImapSession, String> {
    tokio::time::timeout(timeout, connect_inner(account))
        .await
        .map_err(|_| {
            format!(
                "IMAP server {}:{} did not answer in time",
                account.host, account.port
            )
        })?
}

/// A message fetched by UID.
#[derive(Debug)]
pub struct Fetched {
    /// Its UID.
    pub uid: u32,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
}

/// Opens `folder` read-only; returns its UIDVALIDITY.
pub async fn examine(session: &mut ImapSession, folder: &str) -> Result<u32, String> {
    let mailbox = session
        .examine(folder)
        .await
        .map_err(|e| format!("cannot open folder {folder}: {e}"))?;
    mailbox
        .uid_validity
        .ok_or_else(|| format!("folder {folder} has no UIDVALIDITY; the server does not support UIDs"))
}

/// UIDs above `after` in the open folder, ascending. (`UID SEARCH UID n:*` always returns the
/// highest UID even when it is below n, hence the filter.)
pub async fn uids_after(session: &mut ImapSession, after: u32) -> Result<Vec<u32>, String> {
    let found = session
        .uid_search(format!("UID {}:*", after.saturating_add(1)))
        .await
        .map_err(|e| format!("UID SEARCH failed: {e}"))?;
    let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
    uids.sort_unstable();
    Ok(uids)
}

/// Fetches the full messages `uids` from the open folder without marking them read.
pub async fn fetch(session: &mut ImapSession, uids: &[u32]) -> Result<Vec<Fetched>, String> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let stream = session
        .uid_fetch(&set, "(UID BODY.PEEK[])")
        .await
        .map_err(|e| format!("UID FETCH failed: {e}"))?;
    let fetched: Vec<_> = stream
        .try_collect()
        .await
        .map_err(|e| format!("UID FETCH failed: {e}"))?;
    let mut out: Vec<Fetched> = fetched
        .iter()
        .filter_map(|f| {
            Some(Fetched {
                uid: f.uid?,
                raw: f.body().unwrap_or_default().to_vec(),
            })
        })
        .collect();
    out.sort_by_key(|f| f.uid);
    Ok(out)
}

/// Whether a message with `message_id` is in any of `folders` (folders that do not exist are
/// skipped).
pub async fn has_message_id(
    account: &ServerAccount,
    message_id: &str,
    folders: &[&str],
    timeout: Duration,
) -> Result<bool, String> {
    let search = async {
        let mut session = connect(account, timeout).await?;
        let quoted = message_id.replace(['"', '\\', '\r', '\n'], "");
        let mut found = false;
        for folder in folders {
            if session.examine(*folder).await.is_err() {
                continue;
            }
            let hits = session
                .uid_search(format!("HEADER Message-ID \"{quoted}\""))
                .await
                .map_err(|e| format!("SEARCH in {folder} failed: {e}"))?;
            if !hits.is_empty() {
                found = true;
                break;
            }
        }
        let _ = session.logout().await;
        Ok(found)
    };
    tokio::time::timeout(timeout, search)
        .await
        .map_err(|_| "IMAP search did not finish in time".to_owned())?
}
