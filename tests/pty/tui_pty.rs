//! The real `kvtui` binary in a pseudo-terminal against a real local vault over HTTPS: what a
//! user sees and types, checked against what the vault then holds.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use pty::{BACKTAB, ENTER, ESC, Pty, TAB};
use serde_json::json;
use std::time::Duration;
use support::{Kvtui, VaultProcess, failing_next, now, version_of};

/// The TUI on a profile for `vault`, run by a shell that afterwards prints the exit code and the
/// terminal modes, so a test can see that kvtui gave the terminal back.
struct Session {
    pty: Pty,
    _kvtui: Kvtui,
}

/// The session, once the TUI shows the vault (empty).
fn open(vault: &VaultProcess) -> Session {
    let kvtui = Kvtui::with_config(&format!(
        "default_profile = \"e2e\"\n\n{}",
        vault.profile_toml("e2e", false)
    ));
    let pty = kvtui.tui_in_shell(&[("KVTUI_LOG", "trace")], (80, 24));
    pty.wait_for("No secrets yet");
    Session { pty, _kvtui: kvtui }
}

impl Session {
    /// Quits with `keys`, then checks the terminal is back (`Pty::wait_terminal_given_back`);
    /// the shell's `EXIT=CODE` line.
    fn quit_and_check_terminal(&mut self, keys: &str) -> String {
        self.pty.send(keys);
        let screen = self.pty.wait_terminal_given_back();
        screen
            .lines()
            .find(|line| line.starts_with("EXIT="))
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn create_roll_and_inspect_a_secret_through_the_screen() {
    let vault = VaultProcess::start();
    let mut session = open(&vault);
    let tui = &mut session.pty;

    // A new secret through the form, with a content type, a tag and an expiry.
    tui.start_new_secret_with("pty-db-password", "first-value", "text/plain", "env=prod");
    tui.send(TAB);
    tui.type_text("+30d");
    let screen = tui.wait_for("→ 20");
    // Shift-Tab as the terminal sends it goes back a field.
    tui.send(BACKTAB);
    tui.type_text("-eu");
    assert!(
        !screen.contains("first-value"),
        "the value is masked while typed:\n{screen}"
    );
    tui.submit();
    tui.wait_showing(
        "Set pty-db-password: new version",
        &["pty-db-password", "Versions 1"],
    );

    let latest = vault.latest("pty-db-password").await;
    assert_eq!(latest["value"], "first-value");
    assert_eq!(latest["contentType"], "text/plain");
    assert_eq!(latest["tags"], json!({"env": "prod-eu"}));
    let expires = latest["attributes"]["exp"].as_i64().unwrap();
    assert!((expires - (now() + 30 * 86_400)).abs() < 120, "{latest}");
    let first_version = version_of(&latest);

    // A second version: the form starts from the current content type and tags.
    tui.send(ESC);
    tui.send("e");
    tui.wait_showing("New version of pty-db-password", &["text/plain", "prod"]);
    tui.type_text("second-value");
    tui.submit();
    let screen = tui.wait_until("two versions", Duration::from_secs(20), |s| {
        s.contains("Versions 2")
    });
    let latest = vault.latest("pty-db-password").await;
    assert_eq!(latest["value"], "second-value");
    assert_eq!(latest["tags"], json!({"env": "prod-eu"}));
    let second_version = version_of(&latest);
    // Newest first, the current one marked.
    let rows: Vec<&str> = screen
        .lines()
        .filter(|line| {
            [&second_version, &first_version]
                .iter()
                .any(|version| line.contains(&format!("{} ✓", &version[..8])))
        })
        .collect();
    assert_eq!(rows.len(), 2, "{screen}");
    let marker = |row: &str, version: &str| {
        let at = row.find(&version[..8]).unwrap();
        row[..at].contains('*')
    };
    assert!(rows[0].contains(&second_version[..8]), "{screen}");
    assert!(marker(rows[0], &second_version), "{screen}");
    assert!(!marker(rows[1], &first_version), "{screen}");

    // The details pane names the recovery level and says what it means.
    assert!(screen.contains("Recoverable+Purgeable"), "{screen}");
    assert!(screen.contains("Delete is soft"), "{screen}");

    // Older version selected in the history: details show it.
    tui.send("j");
    tui.wait_for("older version");
    tui.send(ESC);

    // Revealing shows the value; masking hides it again.
    tui.send("v");
    tui.wait_for("second-value");
    tui.send("v");
    tui.wait_until("the value masked", Duration::from_secs(5), |s| {
        !s.contains("second-value")
    });

    let exit = session.quit_and_check_terminal("q");
    assert_eq!(exit, "EXIT=0");
}

#[tokio::test]
async fn a_failing_submit_keeps_the_form_and_retries_show_while_they_happen() {
    let vault = VaultProcess::start();
    let mut session = open(&vault);
    let tui = &mut session.pty;

    tui.start_new_secret_with(
        "flaky-secret",
        "kept-value",
        "application/json",
        "team=payments",
    );

    // Every attempt fails with 503 and no wait: the client gives up, the form keeps every field.
    vault.set_faults(failing_next(6, 503, 0)).await;
    tui.submit();
    let screen = tui.wait_for("Every field is kept");
    assert!(
        screen.contains("ServiceUnavailable") || screen.contains("503"),
        "{screen}"
    );
    for kept in ["flaky-secret", "application/json", "team", "payments"] {
        assert!(screen.contains(kept), "{kept} was lost:\n{screen}");
    }
    let (missing, _) = vault.call("GET", "/secrets/flaky-secret", None).await;
    assert_eq!(missing, 404);

    // Two failures with a 1 s Retry-After: the status bar shows the retry, then it lands.
    vault.set_faults(failing_next(2, 503, 1)).await;
    tui.submit();
    tui.wait_for("retry 1/5");
    tui.wait_for("Set flaky-secret: new version");
    let stored = vault.latest("flaky-secret").await;
    assert_eq!(stored["value"], "kept-value");
    assert_eq!(stored["contentType"], "application/json");
    assert_eq!(stored["tags"], json!({"team": "payments"}));

    assert_eq!(session.quit_and_check_terminal("q"), "EXIT=0");
}

#[tokio::test]
async fn keys_answer_while_a_slow_call_is_in_flight_and_resize_redraws() {
    let vault = VaultProcess::start();
    let mut session = open(&vault);
    let tui = &mut session.pty;
    vault.set_faults(json!({"latency_ms": 3000})).await;
    tui.send("r");
    tui.wait_for("listing secrets");
    // The help opens and closes while the listing waits on the vault.
    tui.send("?");
    tui.wait_for("Every view");
    tui.send(ESC);
    tui.wait_until("help closed", Duration::from_secs(5), |s| {
        !s.contains("Every view")
    });
    assert!(tui.screen().contains("listing secrets"), "{}", tui.screen());

    tui.resize(120, 30);
    tui.wait_until("a redraw at 120 columns", Duration::from_secs(5), |s| {
        s.lines().any(|line| line.chars().count() > 100)
    });
    vault.set_faults(json!({})).await;
    assert_eq!(session.quit_and_check_terminal("q"), "EXIT=0");
}

#[tokio::test]
async fn sigterm_and_sighup_restore_the_terminal() {
    let vault = VaultProcess::start();
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let mut session = open(&vault);
        let pid = find_kvtui_child(session.pty.pid());
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = session.quit_and_check_terminal("");
        assert_eq!(exit, format!("EXIT={code}"), "after SIG{signal}");
    }
}

#[tokio::test]
async fn read_only_profiles_refuse_writes_on_screen() {
    let vault = VaultProcess::start();
    let (_kvtui, mut tui) = Kvtui::tui_on(&vault, "ro", true, (80, 24));
    tui.wait_for("0 secrets in ro");
    tui.send("n");
    tui.wait_for("profile ro is read-only: writes are disabled");
    assert!(!tui.screen().contains("New secret"));
    tui.send(ENTER);
    tui.quit();
}

/// The kvtui process the shell started (the shell's only child).
fn find_kvtui_child(shell: u32) -> u32 {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            return pid.parse().unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "kvtui never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn first_run_without_config_opens_on_the_embedded_vault_and_keeps_what_was_set() {
    let kvtui = Kvtui::without_config();
    let mut tui = kvtui.tui(&[], &[], (80, 24));
    tui.wait_showing("No secrets yet", &[" local ", "embedded"]);
    tui.start_new_secret("first-run", "hello");
    tui.submit();
    tui.wait_for("Set first-run: new version");
    tui.quit();

    // The embedded vault kept it on disk: the CLI, on the same implied profile, reads it back.
    let stdout = kvtui.ok(&["secret", "show", "first-run", "--reveal"]);
    assert!(stdout.contains("hello"), "{stdout}");
    assert!(
        std::fs::read_dir(kvtui.home()).unwrap().next().is_none(),
        "the first run must not write a config file"
    );
}
