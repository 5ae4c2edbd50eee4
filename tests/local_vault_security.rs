//! The local vault's defences, over raw TLS against the real binary, so a test can send what no
//! well-behaved client would: no or the wrong credentials on every endpoint, bodies that lie about
//! their size or never end, malformed JSON and bytes, huge headers; and listen addresses that
//! would expose it to other machines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::{API, VaultProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Longest a test waits for an answer the vault should give at once; only reached on failure.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

async fn connect(vault: &VaultProcess) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(&vault.ca_file).unwrap() {
        roots.add(certificate.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let address = vault.url.trim_start_matches("https://");
    let tcp = TcpStream::connect(address).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

/// An HTTP/1.1 answer: status, headers (lower-case names) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {:?}", self.status, self.body))
    }
}

/// Reads one answer: the head, then `Content-Length` bytes of body (or up to EOF).
async fn read_answer(stream: &mut TlsStream<TcpStream>) -> Answer {
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
async fn exchange(vault: &VaultProcess, request: &[u8]) -> Answer {
    let mut stream = connect(vault).await;
    stream.write_all(request).await.unwrap();
    stream.flush().await.unwrap();
    read_answer(&mut stream).await
}

fn request(method: &str, path: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
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

async fn still_answers(vault: &VaultProcess) {
    let answer = exchange(
        vault,
        &request(
            "GET",
            &format!("/_kvtui/health?{API}"),
            &[format!("Authorization: Bearer {}", vault.token)],
            b"",
        ),
    )
    .await;
    assert_eq!(
        answer.status, 200,
        "the vault stopped answering: {answer:?}"
    );
}

#[tokio::test]
async fn every_endpoint_refuses_missing_wrong_and_near_miss_credentials() {
    let vault = VaultProcess::start();
    let token = vault.token.clone();
    let set = json!({"value": "v"}).to_string();
    let faults = json!({"fail_next": 1000}).to_string();
    let clock = json!({"advance_seconds": 86_400 * 365}).to_string();
    let backup = json!({"value": "AAAA"}).to_string();
    let endpoints: Vec<(&str, String, &str)> = vec![
        ("GET", format!("/secrets?{API}"), ""),
        ("PUT", format!("/secrets/a?{API}"), &set),
        ("GET", format!("/secrets/a?{API}"), ""),
        ("GET", format!("/secrets/a/?{API}"), ""),
        ("GET", format!("/secrets/a/0123?{API}"), ""),
        ("PATCH", format!("/secrets/a?{API}"), &set),
        ("PATCH", format!("/secrets/a/0123?{API}"), &set),
        ("DELETE", format!("/secrets/a?{API}"), ""),
        ("GET", format!("/secrets/a/versions?{API}"), ""),
        ("POST", format!("/secrets/a/backup?{API}"), ""),
        ("POST", format!("/secrets/restore?{API}"), &backup),
        ("GET", format!("/deletedsecrets?{API}"), ""),
        ("GET", format!("/deletedsecrets/a?{API}"), ""),
        ("DELETE", format!("/deletedsecrets/a?{API}"), ""),
        ("POST", format!("/deletedsecrets/a/recover?{API}"), ""),
        ("GET", "/_kvtui/faults".to_owned(), ""),
        ("PUT", "/_kvtui/faults".to_owned(), &faults),
        ("POST", "/_kvtui/clock".to_owned(), &clock),
        ("GET", "/_kvtui/health".to_owned(), ""),
        ("GET", "/_kvtui/nonsense".to_owned(), ""),
        ("GET", format!("/nonsense?{API}"), ""),
        ("GET", "/".to_owned(), ""),
        // Without an api-version, too: the credentials are checked first.
        ("GET", "/secrets".to_owned(), ""),
    ];
    let wrong_credentials: Vec<Option<String>> = vec![
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
        Some(format!("Bearer {token}x")),
        Some(format!("Bearer {}", token.to_uppercase())),
        Some(format!("Basic {token}")),
        Some(format!("Bearer{token}")),
        Some(format!("Bearer {token} {token}")),
        Some(format!("PoP {token}")),
    ];
    let mut refused = 0;
    for (method, path, body) in &endpoints {
        for credential in &wrong_credentials {
            let headers: Vec<String> = credential
                .iter()
                .map(|value| format!("Authorization: {value}"))
                .chain(["Content-Type: application/json".to_owned()])
                .collect();
            let answer = exchange(&vault, &request(method, path, &headers, body.as_bytes())).await;
            assert_eq!(
                answer.status, 401,
                "{method} {path} with {credential:?}: {answer:?}"
            );
            assert!(
                answer
                    .header("www-authenticate")
                    .is_some_and(|challenge| challenge.starts_with("Bearer authorization=")),
                "{answer:?}"
            );
            assert_eq!(answer.json()["error"]["code"], "Unauthorized");
            assert!(
                !answer.body.contains(&token),
                "the token is never echoed: {answer:?}"
            );
            refused += 1;
        }
    }
    println!("{refused} requests without the right token, all 401");

    // None of them changed anything: no secret, no faults, the clock where it was.
    let client = vault.client();
    let get = |path: String| {
        client
            .get(format!("{}{path}", vault.url))
            .bearer_auth(&vault.token)
            .send()
    };
    let missing = get(format!("/secrets/a?{API}")).await.unwrap();
    assert_eq!(missing.status(), 404);
    let current: Value = get("/_kvtui/faults".to_owned())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["fail_next"], 0, "{current}");
}

#[tokio::test]
async fn unauthenticated_requests_are_refused_before_their_body_is_read() {
    let vault = VaultProcess::start();
    // Headers promising a gigabyte, and no body at all: the 401 comes without waiting for it.
    let mut stream = connect(&vault).await;
    stream
        .write_all(
            format!(
                "PUT /secrets/big?{API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n",
                1u64 << 30
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stream.flush().await.unwrap();
    let answer = read_answer(&mut stream).await;
    assert_eq!(answer.status, 401, "{answer:?}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_without_being_buffered() {
    let vault = VaultProcess::start();
    let auth = format!("Authorization: Bearer {}", vault.token);

    // A Content-Length over the limit is refused at once, before a byte of the body is sent:
    // the vault never waits for (or holds) a gigabyte.
    for path in [
        format!("/secrets/big?{API}"),
        format!("/secrets/big/0123?{API}"),
        format!("/secrets/restore?{API}"),
        "/_kvtui/faults".to_owned(),
    ] {
        let method = if path.contains("restore") {
            "POST"
        } else if path.contains("0123") {
            "PATCH"
        } else {
            "PUT"
        };
        let mut stream = connect(&vault).await;
        stream
            .write_all(
                format!(
                    "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\nContent-Length: {}\r\n\r\n",
                    1u64 << 30
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        stream.flush().await.unwrap();
        let answer = read_answer(&mut stream).await;
        assert_eq!(answer.status, 413, "{method} {path}: {answer:?}");
        assert_eq!(answer.json()["error"]["code"], "RequestEntityTooLarge");
    }

    // A chunked body (no length up front) is cut off once it passes the limit (1 MiB): the
    // sender is still sending when the answer comes.
    let mut stream = connect(&vault).await;
    stream
        .write_all(
            format!(
                "PUT /secrets/chunked?{API} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let (mut reader, mut writer) = tokio::io::split(stream);
    let sender = tokio::spawn(async move {
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        // Up to 64 MiB, unless the vault hangs up first.
        for _ in 0..1024 {
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            if writer.write_all(&frame).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut raw = Vec::new();
    let mut buffer = [0u8; 4096];
    let head = tokio::time::timeout(ANSWER_WITHIN, async {
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => raw.extend_from_slice(&buffer[..read]),
            }
            if raw.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        String::from_utf8_lossy(&raw).into_owned()
    })
    .await
    .expect("an answer to the chunked body");
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let sent = sender.await.unwrap();
    assert!(
        sent < 64 << 20,
        "the vault read all {sent} bytes instead of stopping at the limit"
    );
    still_answers(&vault).await;
}

#[tokio::test]
async fn malformed_requests_get_4xx_answers_and_the_vault_carries_on() {
    let vault = VaultProcess::start();
    let auth = format!("Authorization: Bearer {}", vault.token);
    let json_type = "Content-Type: application/json".to_owned();
    let put = |body: &[u8]| {
        request(
            "PUT",
            &format!("/secrets/malformed?{API}"),
            &[auth.clone(), json_type.clone()],
            body,
        )
    };
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated JSON", put(b"{\"value\": \"abc")),
        ("not JSON", put(b"value=abc")),
        ("bad UTF-8 in JSON", put(b"{\"value\": \"\xc3\x28\xff\"}")),
        ("lone surrogate escape", put(b"{\"value\": \"\\ud800\"}")),
        ("deeply nested JSON", put(nested.as_bytes())),
        ("JSON of the wrong shape", put(b"[1, 2, 3]")),
        (
            "a number too big",
            put(b"{\"value\": \"v\", \"attributes\": {\"exp\": 1e400}}"),
        ),
        ("trailing garbage", put(b"{\"value\": \"v\"} {}")),
        (
            "bad UTF-8 in a percent-encoded name",
            request(
                "GET",
                &format!("/secrets/%ff%fe?{API}"),
                std::slice::from_ref(&auth),
                b"",
            ),
        ),
        (
            "bad UTF-8 in the path",
            request(
                "GET",
                &format!("/secrets/\u{ff}\u{fe}?{API}"),
                std::slice::from_ref(&auth),
                b"",
            )
            .into_iter()
            .map(|b| if b == 0xc3 { 0xff } else { b })
            .collect(),
        ),
        (
            "bad UTF-8 in the Authorization header",
            format!("GET /secrets?{API} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
                .into_bytes()
                .into_iter()
                .chain(*b"\xff\xfe\r\n\r\n")
                .collect(),
        ),
        (
            "a header of 100 KiB",
            request(
                "GET",
                &format!("/secrets?{API}"),
                &[auth.clone(), format!("X-Big: {}", "a".repeat(100 * 1024))],
                b"",
            ),
        ),
        (
            "500 headers",
            request(
                "GET",
                &format!("/secrets?{API}"),
                &std::iter::once(auth.clone())
                    .chain((0..500).map(|i| format!("X-H{i}: {i}")))
                    .collect::<Vec<_>>(),
                b"",
            ),
        ),
        (
            "a URL of 100 KiB",
            request(
                "GET",
                &format!("/secrets/{}?{API}", "a".repeat(100 * 1024)),
                std::slice::from_ref(&auth),
                b"",
            ),
        ),
        (
            "a request line that is not HTTP",
            b"HELLO VAULT\r\n\r\n".to_vec(),
        ),
        (
            "a Content-Length that is not a number",
            request(
                "PUT",
                &format!("/secrets/x?{API}"),
                &[auth.clone(), "Content-Length: twelve".to_owned()],
                b"",
            ),
        ),
        (
            "two different Content-Lengths",
            request(
                "PUT",
                &format!("/secrets/x?{API}"),
                &[
                    auth.clone(),
                    "Content-Length: 3".to_owned(),
                    "Content-Length: 4".to_owned(),
                ],
                b"",
            ),
        ),
        (
            "an api-version that does not exist",
            request(
                "GET",
                "/secrets?api-version=1999-01-01",
                std::slice::from_ref(&auth),
                b"",
            ),
        ),
        (
            "maxresults out of range",
            request(
                "GET",
                &format!("/secrets?{API}&maxresults=99999999999999999999"),
                std::slice::from_ref(&auth),
                b"",
            ),
        ),
        (
            "a $skiptoken that is not ours",
            request(
                "GET",
                &format!("/secrets?{API}&$skiptoken=%00%ff"),
                std::slice::from_ref(&auth),
                b"",
            ),
        ),
        (
            "a clock moved past the end of time",
            request(
                "POST",
                "/_kvtui/clock",
                std::slice::from_ref(&auth),
                b"{\"advance_seconds\": 9223372036854775807}",
            ),
        ),
    ];
    let mut statuses = Vec::new();
    for (what, raw) in &cases {
        let answer = exchange(&vault, raw).await;
        assert!(
            (400..500).contains(&answer.status),
            "{what}: {} {:?}",
            answer.status,
            answer.body
        );
        statuses.push(format!("{what}: {}", answer.status));
        still_answers(&vault).await;
    }
    println!("{}", statuses.join("\n"));
    // The bodies that carried a value were never echoed back.
    let answer = exchange(
        &vault,
        &put(b"{\"value\": \"echo-me-not\", \"attributes\": 7}"),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert!(!answer.body.contains("echo-me-not"), "{answer:?}");
}

#[test]
fn listen_addresses_other_machines_can_reach_are_refused_without_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing is bound or sent: the vault refuses before it opens a socket.
    for address in [
        "0.0.0.0:0",
        "[::]:0",
        "192.0.2.1:8443",
        "[2001:db8::1]:8443",
        "[::ffff:0.0.0.0]:0",
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
            .args(["local-vault", "--listen", address, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{address}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("not a loopback address") && stderr.contains("--allow-remote"),
            "{address}: {stderr}"
        );
    }
    // Any loopback address is fine.
    let vault = VaultProcess::start_in(dir.path(), &["--listen", "127.0.0.2:0"]);
    assert!(vault.url.starts_with("https://127.0.0.2:"), "{}", vault.url);
}
