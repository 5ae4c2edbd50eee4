//! The local vault's defences, over raw TLS against the real binary, so a test can send what no
//! well-behaved client would: no or the wrong credentials on every endpoint, bodies that lie about
//! their size or never end, malformed JSON and bytes, huge headers; and listen addresses that
//! would expose it to other machines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::{Value, json};
use support::raw::{ANSWER_WITHIN, connect, exchange, request};
use support::{API, VaultProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    let promised = format!("Content-Length: {}", 1u64 << 30);
    let head = request("PUT", &format!("/secrets/big?{API}"), &[promised], b"");
    let answer = exchange(&vault, &head).await;
    assert_eq!(answer.status, 401, "{answer:?}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_without_being_buffered() {
    let vault = VaultProcess::start();
    let auth = format!("Authorization: Bearer {}", vault.token);
    let promised = format!("Content-Length: {}", 1u64 << 30);

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
        let head = request(method, &path, &[auth.clone(), promised.clone()], b"");
        let answer = exchange(&vault, &head).await;
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

/// The status of `GET /secrets` with `Authorization: {authorization}`, sent as raw bytes over
/// HTTP/1.1 and through an HTTP/2 connection (negotiated by ALPN), in that order.
async fn status_over_both_protocols(vault: &VaultProcess, authorization: &str) -> [u16; 2] {
    let http1 = exchange(
        vault,
        &request(
            "GET",
            &format!("/secrets?{API}"),
            &[format!("Authorization: {authorization}")],
            b"",
        ),
    )
    .await
    .status;
    let response = vault
        .client()
        .get(format!("{}/secrets?{API}", vault.url))
        .header(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(authorization).unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    [http1, response.status().as_u16()]
}

/// Bearer values that carry no token, or the token with whitespace around it.
fn blank_or_padded(token: &str) -> Vec<String> {
    let mut values: Vec<String> = ["Bearer ", "Bearer", "Bearer  ", "Bearer \t", "Bearer \t "]
        .map(str::to_owned)
        .into();
    if !token.is_empty() {
        values.extend([
            format!("Bearer {token} "),
            format!("Bearer {token}\t"),
            format!("Bearer {token} \t "),
            format!("Bearer  {token}"),
            format!("Bearer \t{token}"),
        ]);
    }
    values
}

/// Checks every blank or padded bearer against `vault`, whose token file holds `token` (trimmed);
/// returns what the exact `Bearer TOKEN` got over each protocol.
async fn assert_no_blank_or_padded_bearer_gets_in(vault: &VaultProcess, token: &str) -> [u16; 2] {
    let exact = format!("Bearer {token}");
    let exact_statuses = status_over_both_protocols(vault, &exact).await;
    for value in blank_or_padded(token) {
        let [http1, http2] = status_over_both_protocols(vault, &value).await;
        assert_eq!(http2, 401, "{value:?} over HTTP/2");
        // HTTP/1.1's parser drops the whitespace after a field value before the vault sees it
        // (it is not part of the value, RFC 9110 5.5), so there it is the exact token itself.
        let expected = if !token.is_empty() && value.trim_end() == exact {
            exact_statuses[0]
        } else {
            401
        };
        assert_eq!(http1, expected, "{value:?} over HTTP/1.1");
    }
    exact_statuses
}

#[tokio::test]
async fn blank_and_whitespace_padded_bearers_are_refused_over_http1_and_http2() {
    let mut fresh = VaultProcess::start();
    let token = fresh.token.clone();
    assert_eq!(
        assert_no_blank_or_padded_bearer_gets_in(&fresh, &token).await,
        [200, 200],
        "the exact token gets in over both protocols"
    );
    let dir = fresh.take_dir().unwrap();
    drop(fresh);
    // The token file as someone might leave it: blank (the token is then empty), or the token
    // with whitespace after it. A vault may refuse to start on either; one that starts must still
    // let no blank or padded bearer in.
    for contents in [" \t \n".to_owned(), format!("{token} \t\n")] {
        std::fs::write(dir.path().join("token"), &contents).unwrap();
        match VaultProcess::try_start_in(dir.path(), &[]) {
            Ok(vault) => {
                let statuses =
                    assert_no_blank_or_padded_bearer_gets_in(&vault, contents.trim()).await;
                println!("token file {contents:?}: the exact token got {statuses:?}");
            }
            Err(stderr) => println!("token file {contents:?}: refused to start: {stderr}"),
        }
    }
}
