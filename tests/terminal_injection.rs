//! Whoever can write to a vault cannot write to its readers' terminals. A secret whose content
//! type, tag and value carry escape sequences (set the clipboard with OSC 52, clear the screen,
//! an 8-bit CSI) is shown by the CLI — text and `--json`, masked and revealed — and by the TUI
//! without a single control character reaching the terminal, while `--json --reveal` still gives
//! the exact value.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod pty;
mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{API, VaultProcess};

const CLIPBOARD: &str = "\u{1b}]52;c;cm0gLXJmIH4K\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
const CSI_8BIT: &str = "\u{9b}31m";

/// Bytes no output may carry: ESC, BEL, CSI (8-bit, as UTF-8), DEL.
fn control_bytes(output: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .map(|c| format!("{:?}", c))
        .collect()
}

#[tokio::test]
async fn escape_sequences_from_the_vault_never_reach_the_terminal() {
    let vault = VaultProcess::start();
    let value = format!("value{CLEAR}with{CSI_8BIT}escapes\u{7f}");
    let response = vault
        .client()
        .put(format!("{}/secrets/hostile?{API}", vault.url))
        .bearer_auth(&vault.token)
        .json(&json!({
            "value": value,
            "contentType": format!("text/plain{CLIPBOARD}"),
            "tags": {"owner": format!("ops{CLEAR}"), "x": CSI_8BIT},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.t]\nvault_url = \"{}\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\n",
            vault.url,
            vault.data_dir.display()
        ),
    )
    .unwrap();
    let data = home.path().join("data");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_kvtui"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("KVTUI_DATA_DIR", &data)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let found = control_bytes(bytes);
            assert!(
                found.is_empty(),
                "{args:?} wrote {found:?} to {stream}: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        output.stdout
    };
    for args in [
        &["secret", "show", "hostile"][..],
        &["secret", "show", "hostile", "--reveal"],
        &["secret", "list"],
        &["secret", "versions", "hostile"],
        &["secret", "--json", "show", "hostile"],
        &["secret", "--json", "list"],
    ] {
        run(args);
    }
    // Shown as escapes, and JSON still means exactly the value.
    let shown = String::from_utf8(run(&["secret", "show", "hostile", "--reveal"])).unwrap();
    assert!(shown.contains("value\\u001b[2J"), "{shown}");
    let json: Value =
        serde_json::from_slice(&run(&["secret", "--json", "show", "hostile", "--reveal"])).unwrap();
    assert_eq!(json["value"], value.as_str());

    // The TUI draws them as pictures, revealed or not.
    let mut tui = pty::Pty::spawn(
        Path::new(env!("CARGO_BIN_EXE_kvtui")),
        &["--config", config.to_str().unwrap()],
        &[("KVTUI_DATA_DIR", data.to_str().unwrap())],
        (100, 30),
    );
    tui.wait_for("hostile");
    tui.wait_for("bytes)");
    tui.send("v");
    tui.wait_for("escapes");
    tui.send("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(20)), 0);
    run(&["secret", "update", "hostile", "--tag", "owner=ops"]);
    let raw = tui.raw();
    for (what, sequence) in [
        ("OSC 52", "\u{1b}]52"),
        ("clear screen", "\u{1b}[2J"),
        ("8-bit CSI", "\u{9b}"),
        ("DEL", "\u{7f}"),
    ] {
        assert!(
            !raw.windows(sequence.len())
                .any(|w| w == sequence.as_bytes()),
            "the TUI passed the vault's {what} to the terminal"
        );
    }
}
