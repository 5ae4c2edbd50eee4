//! Raw HTTP/1.1 over TLS to a local vault, so a test can send what no well-behaved client would.

use super::VaultProcess;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Longest a test waits for an answer the vault should give at once; only reached on failure.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// A TLS client configuration trusting the vault's CA alone, offering `alpn` (say `h2`).
pub fn tls_config(vault: &VaultProcess, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(&vault.ca_file).unwrap() {
        roots.add(certificate.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

/// The vault's `host:port`.
pub fn address(vault: &VaultProcess) -> &str {
    vault.url.trim_start_matches("https://")
}

/// A new TLS connection offering no ALPN protocol, so the vault speaks HTTP/1.1 on it.
pub async fn connect(vault: &VaultProcess) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(address(vault)).await.unwrap();
    TlsConnector::from(tls_config(vault, &[]))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

/// An HTTP/1.1 answer: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {:?}", self.status, self.body))
    }
}

/// Reads one answer: the head, then `Content-Length` bytes of body (or up to EOF).
pub async fn read_answer(stream: &mut TlsStream<TcpStream>) -> Answer {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    let read = async {
        loop {
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).into_owned();
                let length = head
                    .lines()
                    .find_map(|line| {
                        let (key, value) = line.split_once(':')?;
                        key.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(usize::MAX);
                if raw.len() >= end + 4 + length.min(raw.len()) && raw.len() - end - 4 >= length {
                    return (head, raw[end + 4..end + 4 + length].to_vec());
                }
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => {
                    let end = raw
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or_else(|| {
                            panic!(
                                "connection closed without an answer: {:?}",
                                String::from_utf8_lossy(&raw)
                            )
                        });
                    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
                    return (head, raw[end + 4..].to_vec());
                }
                Ok(read) => raw.extend_from_slice(&buffer[..read]),
            }
        }
    };
    let (head, body) = tokio::time::timeout(ANSWER_WITHIN, read)
        .await
        .expect("the vault did not answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Sends `request` as is on a new connection and reads the answer.
pub async fn exchange(vault: &VaultProcess, request: &[u8]) -> Answer {
    let mut stream = connect(vault).await;
    stream.write_all(request).await.unwrap();
    stream.flush().await.unwrap();
    read_answer(&mut stream).await
}

pub fn request(method: &str, path: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for header in headers {
        raw.extend_from_slice(header.as_bytes());
        raw.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() {
        raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw
}
