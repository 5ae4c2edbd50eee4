//! The operator features, end to end: the real binary in a pseudo-terminal against real local
//! vaults over HTTPS, each flow checked against what the vaults then hold.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use base64::Engine;
use pty::{ENTER, ESC, Pty, TAB, ctrl};
use serde_json::json;
use std::time::Duration;
use support::{Kvtui, VaultProcess, now};

/// A TUI on profiles `main` (and `other`, `locked` read-only, when a second vault is given).
struct Session {
    pty: Pty,
    kvtui: Kvtui,
}

fn open(main: &VaultProcess, other: Option<&VaultProcess>, extra_env: &[(&str, &str)]) -> Session {
    let mut config = "default_profile = \"main\"\nclipboard_clear_seconds = 2\n\n".to_owned()
        + &main.profile_toml("main", false);
    if let Some(other) = other {
        config += &other.profile_toml("other", false);
        config += &other.profile_toml("locked", true);
    }
    let kvtui = Kvtui::with_config(&config);
    let mut env = vec![("KVTUI_LOG", "trace")];
    env.extend_from_slice(extra_env);
    let pty = kvtui.tui(&[], &env, (100, 30));
    pty.wait_for(" secrets in main");
    Session { pty, kvtui }
}

/// A vault of its own holding `secrets`, set in order (a name given twice has two versions), and
/// the TUI on it alone.
async fn open_holding(secrets: &[(&str, &str)]) -> (VaultProcess, Session) {
    let vault = VaultProcess::start();
    for (name, value) in secrets {
        vault.set(name, value).await;
    }
    let session = open(&vault, None, &[]);
    (vault, session)
}

/// Sends the form and waits for `landed` on the screen: what the vault then holds for `name`.
async fn submit_until(
    tui: &mut Pty,
    landed: &str,
    vault: &VaultProcess,
    name: &str,
) -> serde_json::Value {
    tui.submit();
    tui.wait_for(landed);
    vault.latest(name).await
}

fn select(tui: &mut Pty, name: &str) {
    tui.send("/");
    tui.send(&ctrl('u'));
    tui.type_text(name);
    tui.send(ENTER);
    tui.wait_until(
        &format!("{name} selected and loaded"),
        Duration::from_secs(10),
        |s| s.contains(&format!("┌ {name} ─")) && s.contains("Versions "),
    );
}

/// The attributes form of `name`'s latest version.
fn edit_latest_attributes(tui: &mut Pty, name: &str) {
    select(tui, name);
    tui.send("a");
    tui.wait_for(&format!("Attributes of {name} (latest)"));
}

/// A vault of its own whose `api-key` holds `v1` tagged `env=dev`, and that version.
async fn vault_holding_dev_api_key() -> (VaultProcess, String) {
    let vault = VaultProcess::start();
    let version = vault
        .set_body("api-key", json!({"value": "v1", "tags": {"env": "dev"}}))
        .await;
    (vault, version)
}

#[tokio::test]
async fn attributes_change_without_a_new_version_and_any_version_can_be_disabled() {
    let (vault, first) = vault_holding_dev_api_key().await;
    let second = vault
        .set_body(
            "api-key",
            json!({"value": "v2", "contentType": "text/plain", "tags": {"env": "dev"}}),
        )
        .await;
    let mut session = open(&vault, None, &[]);
    let tui = &mut session.pty;
    // PATCH the latest: a tag added, the content type changed, an expiry set.
    edit_latest_attributes(tui, "api-key");
    tui.send(&"\x7f".repeat(12));
    tui.type_text("application/json");
    tui.send(&ctrl('n'));
    tui.type_text("owner");
    tui.send(TAB);
    tui.type_text("payments");
    tui.send(TAB);
    tui.type_text("+10d");
    let review = tui.submit();
    for expected in [
        "tag owner",
        "+ payments",
        "text/plain → application/json",
        "only attributes change",
    ] {
        assert!(review.contains(expected), "{expected}:\n{review}");
    }
    tui.wait_for("Updated the attributes of api-key");
    let all = vault.versions("api-key").await;
    assert_eq!(all.len(), 2, "an update must not add a version");
    let (_, latest) = vault.call("GET", "/secrets/api-key", None).await;
    assert!(latest["id"].as_str().unwrap().ends_with(&second));
    assert_eq!(latest["contentType"], "application/json");
    assert_eq!(latest["tags"], json!({"env": "dev", "owner": "payments"}));
    assert!(latest["attributes"]["exp"].as_i64().is_some());

    // Disable the older version from the history.
    tui.send(ENTER);
    tui.send("j");
    tui.wait_for("older version");
    tui.send("x");
    let review = tui.wait_for("Review before writing");
    assert!(
        review.contains(&format!("Disable api-key (version {})", &first[..8])),
        "{review}"
    );
    assert!(review.contains("enabled → disabled"), "{review}");
    tui.send(ENTER);
    tui.wait_for("Updated the attributes of api-key version");
    let (status, body) = vault
        .call("GET", &format!("/secrets/api-key/{first}"), None)
        .await;
    assert_eq!(
        status, 403,
        "a disabled version's value cannot be read: {body}"
    );
    let (status, _) = vault.call("GET", "/secrets/api-key", None).await;
    assert_eq!(status, 200, "the latest stays enabled");
}

#[tokio::test]
async fn an_attributes_edit_is_not_sent_over_another_writers_change_until_o() {
    let (vault, version) = vault_holding_dev_api_key().await;
    let mut session = open(&vault, None, &[]);
    let tui = &mut session.pty;
    edit_latest_attributes(tui, "api-key");
    tui.send(&ctrl('n'));
    tui.type_text("owner");
    tui.send(TAB);
    tui.type_text("payments");
    // Another operator tags the same version while the form is open.
    let (status, _) = vault
        .call(
            "PATCH",
            &format!("/secrets/api-key/{version}"),
            Some(json!({"tags": {"env": "dev", "team": "db"}})),
        )
        .await;
    assert_eq!(status, 200);
    tui.submit();
    let review = tui.wait_for("Since this form opened");
    assert!(
        review.contains("team=db"),
        "their change is said:\n{review}"
    );
    assert_eq!(vault.updates_logged(), 1, "only theirs was sent");
    assert_eq!(
        vault.latest("api-key").await["tags"],
        json!({"env": "dev", "team": "db"})
    );

    tui.send(ENTER);
    tui.wait_for("O writes over it anyway");
    assert_eq!(vault.updates_logged(), 1, "Enter does not write over it");
    tui.send("O");
    tui.wait_for("Updated the attributes of api-key");
    assert_eq!(
        vault.latest("api-key").await["tags"],
        json!({"env": "dev", "owner": "payments"}),
        "O writes the form's tags over theirs"
    );
    assert_eq!(vault.versions("api-key").await.len(), 1, "no new version");
}

#[tokio::test]
async fn delete_recover_purge_and_the_deleted_name_in_the_form() {
    let (vault, mut session) = open_holding(&[("old-cert", "pem"), ("temp-token", "t")]).await;
    let tui = &mut session.pty;

    select(tui, "old-cert");
    tui.send("d");
    tui.wait_showing(
        "Delete old-cert?",
        &["Recoverable+Purgeable", "recoverable for 90 days"],
    );
    tui.send("y");
    tui.wait_for("Deleted old-cert: recoverable until");
    let (status, deleted) = vault.call("GET", "/deletedsecrets/old-cert", None).await;
    assert_eq!(status, 200, "{deleted}");

    // The deleted view lists it with its dates; R recovers it.
    tui.send("D");
    tui.wait_showing("Deleted secrets in main · 1", &["old-cert", "PURGED AT"]);
    tui.send("R");
    tui.wait_for("Recovered old-cert with all its versions");
    let (status, _) = vault.call("GET", "/secrets/old-cert", None).await;
    assert_eq!(status, 200);

    // Delete again and purge from the view: the name must be typed.
    tui.send(ESC);
    select(tui, "old-cert");
    tui.send("d");
    tui.wait_for("Delete old-cert?");
    tui.send("y");
    tui.wait_for("Deleted old-cert");
    tui.send("D");
    tui.wait_for("Deleted secrets in main · 1");
    tui.send("P");
    tui.wait_for("Purge old-cert?");
    tui.type_text("old-cer");
    tui.send(ENTER);
    tui.wait_for("type old-cert exactly");
    tui.type_text("t");
    tui.send(ENTER);
    tui.wait_for("Purged old-cert for good");
    let (status, _) = vault.call("GET", "/deletedsecrets/old-cert", None).await;
    assert_eq!(status, 404);

    // A soft-deleted name in the form: the 409 offers recover in place, then the set goes through.
    vault.call("DELETE", "/secrets/temp-token", None).await;
    tui.send(ESC);
    tui.start_new_secret("temp-token", "t2");
    tui.submit();
    tui.wait_for("deleted but recoverable");
    tui.send("r");
    tui.wait_for("Recovered temp-token");
    tui.submit();
    tui.wait_for("Set temp-token: new version");
    let (_, latest) = vault.call("GET", "/secrets/temp-token", None).await;
    assert_eq!(latest["value"], "t2");
    assert_eq!(
        vault.versions("temp-token").await.len(),
        2,
        "recovered with its old version"
    );
}

#[tokio::test]
async fn rollback_and_diff_between_versions() {
    let vault = VaultProcess::start();
    vault.set_body("conf",
        json!({"value": "host=a\nport=1\n", "contentType": "text/plain", "tags": {"team": "x"}}),
    )
    .await;
    vault
        .set_body(
            "conf",
            json!({"value": "host=b\nport=1\n", "contentType": "text/plain"}),
        )
        .await;
    let mut session = open(&vault, None, &[]);
    let tui = &mut session.pty;
    select(tui, "conf");
    tui.send(ENTER);
    tui.send("j");
    tui.wait_for("older version");

    // Diff of the older (selected) and the current version: attributes, then values on v.
    tui.send("=");
    let diff = tui.wait_showing("value         different", &["tag team", "x → -"]);
    assert!(
        !diff.contains("host=a"),
        "values stay masked until revealed:\n{diff}"
    );
    tui.send("v");
    tui.wait_showing("+ host=b", &["- host=a", "  port=1"]);
    tui.send(ESC);

    // Roll back: a new version from the older one, with its value, content type and tags.
    tui.send("N");
    tui.wait_for("New version of conf");
    let review = tui.submit();
    assert!(review.contains("value         changed"), "{review}");
    assert!(review.contains("+ x"), "{review}");
    tui.wait_for("Set conf: new version");
    let (_, latest) = vault.call("GET", "/secrets/conf", None).await;
    assert_eq!(
        latest["value"], "host=a\nport=1\n",
        "the old value, byte for byte"
    );
    assert_eq!(latest["tags"], json!({"team": "x"}));
    assert_eq!(vault.versions("conf").await.len(), 3);
}

#[tokio::test]
async fn values_from_a_file_from_the_editor_and_generated_keep_their_bytes() {
    let vault = VaultProcess::start();
    let scratch = tempfile::tempdir().unwrap();
    let value_file = scratch.path().join("value.txt");
    let exact = "first line\r\n\tsecond\n\ntrailing  \n";
    std::fs::write(&value_file, exact).unwrap();
    let editor = scratch.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'appended-by-editor' >> \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut session = open(
        &vault,
        None,
        &[("EDITOR", editor.to_str().unwrap()), ("VISUAL", "")],
    );
    let tui = &mut session.pty;

    tui.send("n");
    tui.type_text("from-file");
    tui.send(TAB);
    tui.send(&ctrl('o'));
    tui.wait_for("Load the value from a file");
    tui.type_text(value_file.to_str().unwrap());
    tui.send(ENTER);
    tui.wait_for(&format!(
        "Value loaded from the file ({} bytes)",
        exact.len()
    ));
    let stored = submit_until(tui, "Set from-file: new version", &vault, "from-file").await;
    assert_eq!(stored["value"], exact, "the file's exact bytes");

    // $EDITOR: the script appends to what the form held.
    tui.start_new_version("from-file");
    tui.type_text("start-");
    tui.send(&ctrl('e'));
    tui.wait_for("Value edited");
    let stored = submit_until(tui, "Versions 2", &vault, "from-file").await;
    assert_eq!(stored["value"], "start-appended-by-editor");

    // The generator: 48 characters of hex.
    tui.start_new_version("from-file");
    // Value → content type → expires → not before → enabled → length.
    for _ in 0..5 {
        tui.send(TAB);
    }
    tui.send("\x7f\x7f");
    tui.type_text("48");
    tui.send(TAB);
    tui.send(" ");
    tui.send(" ");
    tui.wait_for("< hex >");
    tui.send(&ctrl('g'));
    tui.wait_for("Value generated (48 bytes)");
    let stored = submit_until(tui, "Versions 3", &vault, "from-file").await;
    let generated = stored["value"].as_str().unwrap();
    assert_eq!(generated.len(), 48);
    assert!(
        generated.bytes().all(|b| b.is_ascii_hexdigit()),
        "{generated}"
    );
    assert!(
        !tui.screen().contains(generated),
        "a generated value stays masked"
    );
}

#[tokio::test]
async fn clipboard_copies_with_osc_52_says_what_and_clears_after_the_timeout() {
    let vault = VaultProcess::start();
    vault
        .set_body("clip-me", json!({"value": "s3cret-clipboard-value"}))
        .await;
    let mut session = open(&vault, None, &[("TMUX", "")]);
    let tui = &mut session.pty;
    select(tui, "clip-me");
    tui.send("c");
    let screen = tui.wait_showing("Copied the value of clip-me", &["cleared in 2 s"]);
    assert!(!screen.contains("s3cret-clipboard-value"), "{screen}");
    let encoded = base64::engine::general_purpose::STANDARD.encode("s3cret-clipboard-value");
    let osc = format!("\x1b]52;c;{encoded}\x07");
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(raw.contains(&osc), "no OSC 52 with the value on the PTY");
    assert!(
        raw.contains("\x1bPtmux;\x1b\x1b]52;c;"),
        "no tmux passthrough copy inside tmux"
    );
    tui.wait_for("Cleared the clipboard");
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    let copied_at = raw.find(&osc).unwrap();
    assert!(
        raw[copied_at..].contains("\x1b]52;c;\x07"),
        "no clearing OSC 52 after the timeout"
    );

    // The id is copied the same way.
    tui.send("i");
    tui.wait_for("Copied the id https://");
}

#[tokio::test]
async fn a_reference_is_chosen_and_copied_whole() {
    let vault = VaultProcess::start();
    vault.set_body("ref-me", json!({"value": "v"})).await;
    let mut session = open(&vault, None, &[("TMUX", "")]);
    let tui = &mut session.pty;
    select(tui, "ref-me");
    tui.send("R");
    tui.wait_showing(
        "Copy a reference to ref-me",
        &["for App Service / Functions settings"],
    );
    tui.send(ENTER);
    tui.wait_for("Copied the reference kv://main/ref-me to the clipboard");
    let encoded = base64::engine::general_purpose::STANDARD.encode("kv://main/ref-me");
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(
        raw.contains(&format!("\x1b]52;c;{encoded}\x07")),
        "no OSC 52 with the reference on the PTY"
    );
}

#[tokio::test]
async fn backup_to_a_file_and_restore_from_it() {
    let (vault, mut session) =
        open_holding(&[("precious", "keep-me"), ("precious", "keep-me-2")]).await;
    let backup = session.kvtui.home().join("precious.kvbackup");
    let tui = &mut session.pty;
    select(tui, "precious");
    tui.send("b");
    tui.wait_for("Back up precious");
    tui.send(&"\x7f".repeat(40));
    tui.type_text(backup.to_str().unwrap());
    tui.send(ENTER);
    tui.wait_for("Backed precious up to");
    let mode = std::fs::metadata(&backup).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let blob = std::fs::read_to_string(&backup).unwrap();
    assert!(
        !blob.contains("keep-me"),
        "the backup blob is the vault's, encrypted"
    );

    vault.call("DELETE", "/secrets/precious", None).await;
    vault.call("DELETE", "/deletedsecrets/precious", None).await;
    tui.send("u");
    tui.wait_for("Restore from a backup");
    tui.type_text(backup.to_str().unwrap());
    tui.send(ENTER);
    tui.wait_for("Restored precious");
    let (_, restored) = vault.call("GET", "/secrets/precious", None).await;
    assert_eq!(restored["value"], "keep-me-2");
    assert_eq!(vault.versions("precious").await.len(), 2);
}

#[tokio::test]
async fn expiry_overview_copy_between_profiles_and_the_operations_log() {
    let main = VaultProcess::start();
    let other = VaultProcess::start();
    let now = now();
    main.set_body(
        "soon",
        json!({"value": "a", "attributes": {"exp": now + 3 * 86_400}}),
    )
    .await;
    main.set_body(
        "later",
        json!({"value": "b", "attributes": {"exp": now + 200 * 86_400}}),
    )
    .await;
    other
        .set_body(
            "gone",
            json!({"value": "c", "attributes": {"exp": now - 86_400}}),
        )
        .await;
    main.set_body("shared-config", json!({"value": "copied-marker-value", "contentType": "application/json", "tags": {"team": "payments"}})).await;
    let mut session = open(&main, Some(&other), &[]);
    let tui = &mut session.pty;

    // Across every profile: expired first, then soonest; far-off expiries are left out.
    tui.send("X");
    let overview = tui.wait_until("every profile scanned", Duration::from_secs(20), |s| {
        s.contains("Expiring") && !s.contains("scanning")
    });
    let gone = overview.find("gone").expect("the expired secret is listed");
    let soon = overview.find("soon").expect("the ≤7d secret is listed");
    assert!(gone < soon, "expired first:\n{overview}");
    assert!(!overview.contains("later"), "{overview}");
    assert!(
        overview.contains("expired") && overview.contains("≤7d"),
        "{overview}"
    );
    // Enter on the expired one jumps to it in its own profile (`other`, or `locked`, which is
    // the same vault read-only).
    tui.send(ENTER);
    tui.wait_until("the jump to gone", Duration::from_secs(20), |s| {
        (s.contains(" other ") || s.contains(" locked ")) && s.contains("┌ gone ─")
    });

    // Copy from main to other, with the review first; the read-only profile is refused.
    // Profiles are in name order: locked, main, other.
    tui.send("p");
    tui.wait_for("Profiles");
    tui.send("k");
    tui.send("k");
    tui.send("j");
    tui.send(ENTER);
    tui.wait_for(" secrets in main");
    select(tui, "shared-config");
    tui.send("y");
    tui.wait_for("Copy shared-config");
    tui.send(ENTER);
    tui.wait_for("is read-only: nothing can be copied into it");
    tui.send("j");
    tui.send(ENTER);
    let review = tui.wait_showing(
        "Review before writing",
        &[
            "Copy shared-config from main to other: a new secret there",
            "+ payments",
        ],
    );
    assert!(!review.contains("copied-marker-value"), "{review}");
    tui.send(ENTER);
    tui.wait_for("Copied shared-config to other");
    let (_, copied) = other.call("GET", "/secrets/shared-config", None).await;
    assert_eq!(copied["value"], "copied-marker-value");
    assert_eq!(copied["contentType"], "application/json");
    assert_eq!(copied["tags"], json!({"team": "payments"}));

    // The log lists what was done, where, and never a value.
    tui.send("o");
    let log = tui.wait_showing(
        "Operations this session",
        &["copy in", "other", "copy out", "shared-config"],
    );
    assert!(!log.contains("copied-marker-value"), "{log}");
    tui.send(ESC);
    tui.quit();
}

/// `tmux -L SOCKET ARGS`: the test's own tmux server, apart from any the user runs.
fn tmux(socket: &str, args: &[&str]) -> String {
    let output = std::process::Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .expect("tmux runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn tmux_buffers_holding(socket: &str, value: &str) -> Vec<String> {
    tmux(socket, &["list-buffers", "-F", "#{buffer_name}"])
        .lines()
        .filter(|name| tmux(socket, &["show-buffer", "-b", name]) == value)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn inside_tmux_a_cleared_copy_is_in_no_tmux_paste_buffer() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        // CI installs tmux (.ci/run); a developer machine without it cannot run this.
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let vault = VaultProcess::start();
    vault
        .set_body("tmux-clip", json!({"value": "t-m-u-x-secret-value"}))
        .await;
    let kvtui = Kvtui::with_config(
        &("clipboard_clear_seconds = 2\n".to_owned() + &vault.profile_toml("main", false)),
    );
    let socket = format!("kvtui-test-{}", std::process::id());
    // With set-clipboard on, tmux keeps what an application copies in a paste buffer.
    tmux(
        &socket,
        &[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "sleep 600",
        ],
    );
    tmux(&socket, &["set-option", "-s", "set-clipboard", "on"]);
    let command = format!(
        "KVTUI_CONFIG_DIR={} KVTUI_DATA_DIR={} {}",
        kvtui.home().display(),
        kvtui.data_dir().display(),
        env!("CARGO_BIN_EXE_kvtui")
    );
    tmux(&socket, &["respawn-pane", "-k", &command]);
    let screen_has = |text: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let screen = tmux(&socket, &["capture-pane", "-p"]);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?} on:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // The value is loaded (its size shown) before it can be copied.
    screen_has("(20 bytes)");
    tmux(&socket, &["send-keys", "c"]);
    screen_has("Copied the value of tmux-clip");
    let held = tmux_buffers_holding(&socket, "t-m-u-x-secret-value");
    assert_eq!(held.len(), 1, "tmux took the copy into a buffer: {held:?}");
    let screen = screen_has("Cleared the clipboard");
    let buffers = tmux_buffers_holding(&socket, "t-m-u-x-secret-value");
    tmux(&socket, &["kill-server"]);
    assert_eq!(buffers, Vec::<String>::new(), "{screen}");
    assert!(
        screen.contains(&format!("deleted tmux paste buffer {}", held[0])),
        "the status says which buffer went: {screen}"
    );
}

#[tokio::test]
async fn a_pem_pasted_into_the_form_is_stored_line_for_line() {
    let (vault, mut session) = open_holding(&[]).await;
    let tui = &mut session.pty;
    tui.start_new_secret("pasted-cert", "");
    // A terminal's bracketed paste: every newline of the PEM arrives as CR.
    let pem =
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nAbCdEf==\n-----END CERTIFICATE-----\n";
    tui.send(&format!("\x1b[200~{}\x1b[201~", pem.replace('\n', "\r")));
    tui.wait_for("4 lines · 84 bytes");
    tui.submit();
    tui.wait_for("Set pasted-cert: new version");
    let (_, bundle) = vault.call("GET", "/secrets/pasted-cert/", None).await;
    assert_eq!(bundle["value"], pem, "LF line ends, the last newline kept");
}

#[tokio::test]
async fn ctrl_c_in_a_filled_form_asks_before_anything_is_lost() {
    let (_vault, mut session) = open_holding(&[]).await;
    let tui = &mut session.pty;
    tui.start_new_secret("half-typed", "not saved yet");
    tui.send(&ctrl('c'));
    tui.wait_for("Quit kvtui?");
    tui.wait_for("The form for half-typed has typed changes");
    tui.send("n");
    tui.wait_until(
        "the question gone, the form kept",
        Duration::from_secs(5),
        |s| !s.contains("Quit kvtui?") && s.contains("half-typed") && s.contains("New secret"),
    );
    tui.send(&ctrl('c'));
    tui.wait_for("Quit kvtui?");
    tui.send("y");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}

#[tokio::test]
async fn a_backup_path_may_start_with_a_tilde_and_tab_types_nothing_into_it() {
    let vault = VaultProcess::start();
    vault.set("to-save", "v").await;
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path().to_str().unwrap().to_owned();
    let mut session = open(&vault, None, &[("HOME", home.as_str())]);
    let tui = &mut session.pty;
    select(tui, "to-save");
    tui.send("b");
    tui.wait_for("Back up to-save");
    tui.send(&ctrl('u'));
    tui.type_text("~/saved.kvbackup");
    tui.send(TAB);
    tui.send(ENTER);
    tui.wait_for("Backed to-save up to");
    let saved = home_dir.path().join("saved.kvbackup");
    assert!(saved.exists(), "{} was not written", saved.display());
}
