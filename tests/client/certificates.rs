//! A vault whose certificate kvtui cannot trust: no retry can change that, so the CLI fails on
//! the first attempt with one line saying what is wrong with the certificate and what to do.
//! The vault is reached as on a jump box (its real host name, through an HTTPS_PROXY that tunnels
//! to a loopback server), so a TLS-inspecting proxy whose CA the profile lacks looks exactly like
//! the first case here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::time::{Duration, Instant};
use support::Kvtui;
use support::net::{ConnectProxy, StubResponse, StubServer, TestCa};

const HOST: &str = "kv-certs.vault.azure.net";

/// `kvtui secret list` against a vault serving `tls`, trusting `ca_file` beside the system's.
/// Returns stderr, how long it took, and how many connections the proxy was asked for.
fn list_against(
    tls: std::sync::Arc<rustls::ServerConfig>,
    ca_file: Option<&std::path::Path>,
) -> (String, Duration, usize) {
    let server = StubServer::https(tls, |_| {
        StubResponse::json(200, &serde_json::json!({"value": []}))
    });
    let proxy = ConnectProxy::start(&[(&format!("{HOST}:443"), server.addr)]);
    let ca_line = ca_file.map_or_else(String::new, |path| {
        format!("ca_file = \"{}\"\n", path.display())
    });
    let home = Kvtui::with_config(&format!(
        "[profiles.p]\nvault_url = \"https://{HOST}\"\nauth = \"azure-cli\"\n{ca_line}"
    ));
    let mut command = home.command(&["secret", "list"]);
    proxy.route(&mut command);
    let started = Instant::now();
    let output = command.output().expect("kvtui runs");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        server.seen().is_empty(),
        "a request got through: {:?}",
        server.seen()
    );
    (stderr, took, proxy.connects().len())
}

/// One `error:` line, at once, after one connection.
fn assert_final(stderr: &str, took: Duration, connects: usize) {
    assert!(
        stderr.starts_with("error: ") && stderr.trim_end().lines().count() == 1,
        "not one line: {stderr:?}"
    );
    assert!(!stderr.to_lowercase().contains("retr"), "{stderr}");
    assert_eq!(connects, 1, "the connection was tried again: {stderr}");
    assert!(took < Duration::from_secs(2), "took {took:?}: {stderr}");
}

#[test]
fn a_certificate_from_an_unknown_issuer_fails_at_once_and_names_ca_file() {
    let inspecting = TestCa::new();
    let (stderr, took, connects) = list_against(inspecting.server_config(&[HOST]), None);
    assert_final(&stderr, took, connects);
    assert!(stderr.contains("issuer"), "{stderr}");
    assert!(stderr.contains("set ca_file"), "{stderr}");

    let another = TestCa::new();
    let (stderr, took, connects) =
        list_against(inspecting.server_config(&[HOST]), Some(&another.pem_file));
    assert_final(&stderr, took, connects);
    assert!(
        stderr.contains(&format!("nor does ca_file {}", another.pem_file.display())),
        "{stderr}"
    );
}

#[test]
fn a_certificate_for_another_name_fails_at_once_and_names_the_host() {
    let ca = TestCa::new();
    let (stderr, took, connects) =
        list_against(ca.server_config(&["elsewhere.example"]), Some(&ca.pem_file));
    assert_final(&stderr, took, connects);
    assert!(stderr.contains(HOST), "{stderr}");
    assert!(
        stderr.contains("elsewhere.example") || stderr.contains("name"),
        "{stderr}"
    );
}

#[test]
fn an_expired_certificate_fails_at_once_and_says_so() {
    let ca = TestCa::new();
    let (stderr, took, connects) =
        list_against(ca.expired_server_config(&[HOST]), Some(&ca.pem_file));
    assert_final(&stderr, took, connects);
    assert!(stderr.contains("expired"), "{stderr}");
}
