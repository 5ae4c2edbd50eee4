//! Text quoted back in an error is cut, wherever it came from: a long version, api-version or
//! path sent to the local vault, a vault that quotes 100 KiB back to kvtui (in text and
//! `--json`), a 100 KiB api_version in a profile, and 100 KiB names, versions and profiles on the
//! command line. Each error stays one short line that says where it was cut.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use serde_json::{Value, json};
use support::net::{StubResponse, StubServer, TestCa};
use support::{API, Kvtui, VaultProcess};

const LONG: usize = 100 * 1024;

/// The message is short and marks its cut.
fn assert_cut(message: &str) {
    assert!(
        message.len() < 3_000 && message.contains('…') && !message.contains('\n'),
        "{} bytes: {}…",
        message.len(),
        message.chars().take(300).collect::<String>()
    );
}

/// The vault's JSON answer to `request`, sent with its token.
async fn answer(request: reqwest::RequestBuilder, vault: &VaultProcess) -> Value {
    let response = request.bearer_auth(&vault.token).send().await.unwrap();
    response.json().await.unwrap()
}

/// A request's URI is at most 64 KiB (the `http` crate refuses a longer one, and the vault's
/// HTTPS server answers 431 to a request head past 64 KiB), so the parts of it the vault quotes
/// are 60 KiB here; a body may be 1 MiB, so an unknown field's name is 100 KiB.
#[tokio::test]
async fn the_local_vault_cuts_what_it_quotes_from_a_request() {
    let vault = VaultProcess::start();
    let client = vault.client();
    let long = "a".repeat(60 * 1024);
    let cases = [
        (format!("/secrets/x/{long}?{API}"), "SecretNotFound"),
        (format!("/secrets/x?api-version={long}"), "BadParameter"),
        (format!("/{long}?{API}"), "NotFound"),
        (format!("/secrets?{API}&maxresults={long}"), "BadParameter"),
    ];
    for (path, code) in cases {
        let answer = answer(client.get(format!("{}{path}", vault.url)), &vault).await;
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert_cut(answer["error"]["message"].as_str().unwrap());
    }
    let faults = client
        .put(format!("{}/_kvtui/faults", vault.url))
        .json(&json!({"a".repeat(LONG): 1}));
    let answer = answer(faults, &vault).await;
    assert_eq!(answer["error"]["code"], "BadParameter", "{answer}");
    assert_cut(answer["error"]["message"].as_str().unwrap());
}

/// A vault (a stub here) whose error quotes back 100 KiB, in its code, inner code and message.
#[test]
fn the_cli_cuts_what_a_vault_quotes_back() {
    let ca = TestCa::new();
    let long = "a".repeat(LONG);
    let body = json!({"error": {
        "code": format!("Code{long}"),
        "message": format!("A secret with (name/id) x/{long} was not found in this key vault."),
        "innererror": {"code": format!("Inner{long}")},
    }});
    // Unauthenticated requests are answered, so no sign-in is needed.
    let server = StubServer::https(ca.server_config(&["127.0.0.1"]), move |_| {
        StubResponse::json(404, &body)
    });
    let home = Kvtui::with_config(&format!(
        "[profiles.p]\nvault_url = \"https://{}\"\nauth = \"azure-cli\"\nca_file = \"{}\"\n",
        server.addr,
        ca.pem_file.display()
    ));
    let version = "0123456789abcdef0123456789abcdef";
    let shown = home.run(&["secret", "show", "x", "--version", version]);
    assert_eq!(shown.status.code(), Some(1), "{shown:?}");
    let stderr = String::from_utf8_lossy(&shown.stderr);
    assert!(stderr.starts_with("error: Codeaaa"), "{stderr:.300}");
    assert_cut(stderr.trim_end());

    let shown = home.run(&["--json", "secret", "show", "x", "--version", version]);
    assert_eq!(shown.status.code(), Some(1), "{shown:?}");
    let line = String::from_utf8_lossy(&shown.stderr);
    assert!(line.len() < 3_000, "{} bytes", line.len());
    let error: Value = serde_json::from_str(&line).expect("one JSON object");
    for field in ["code", "inner_code", "message"] {
        assert_cut(error["error"][field].as_str().unwrap());
    }
}

#[test]
fn the_cli_cuts_what_it_is_given() {
    let long = "a".repeat(LONG);
    let hex = "f".repeat(LONG);
    let home = Kvtui::with_config(
        "[profiles.p]\nvault_url = \"https://kv-long.vault.azure.net\"\nauth = \"azure-cli\"\n",
    );
    for args in [
        vec!["secret", "show", long.as_str()],
        vec!["secret", "show", "x", "--version", hex.as_str()],
        vec!["secret", "copy", long.as_str(), "--to", "p"],
        vec!["--profile", long.as_str(), "secret", "list"],
    ] {
        let refused = home.run(&args);
        assert_eq!(refused.status.code(), Some(2), "{:.200}", args.join(" "));
        assert_cut(String::from_utf8_lossy(&refused.stderr).trim_end());
    }

    let long_api = Kvtui::with_config(&format!(
        "[profiles.p]\nvault_url = \"https://kv-long.vault.azure.net\"\nauth = \"azure-cli\"\n\
         api_version = \"{}\"\n",
        "7".repeat(LONG)
    ));
    let refused = long_api.run(&["secret", "list"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("api_version"), "{stderr:.300}");
    assert_cut(stderr.trim_end());
}
