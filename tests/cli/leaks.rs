//! Secrets never leak. Secret values carrying known markers, and the vault's bearer token, go
//! through every flow of the TUI (in a PTY) and the CLI with logging at trace level; afterwards no
//! marker and no token is in any log, config or other file kvtui wrote (the store and the token
//! file aside), in any error message, in anything the CLI printed without `--reveal`, or in
//! anything the TUI wrote to the terminal — scrollback and overwritten frames included, as the raw
//! byte stream — before the user revealed the value. Values are also looked for in base64, as
//! they would appear in a backup blob that was encoded but not encrypted. And every file kvtui
//! creates is owner-only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use pty::{ENTER, ESC, Pty, TAB};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use support::users::mode;
use support::{Kvtui, VaultProcess, failing_next, version_of};

/// The secrets: the value set through the CLI, and the one typed into the TUI's form.
const VALUE: &str = "LEAKMARKER-cli-9d1c07e2b4a8f3";
const TYPED: &str = "LEAKMARKER-tui-5e8a1f0c6d2b7";

struct Markers {
    /// (what, the bytes that must not appear)
    needles: Vec<(String, Vec<u8>)>,
}

impl Markers {
    fn new(token: &str) -> Self {
        let mut needles = Vec::new();
        for value in [VALUE, TYPED] {
            needles.extend(support::value_needles(value));
        }
        needles.push(("the token".to_owned(), token.as_bytes().to_vec()));
        Self { needles }
    }

    /// What `bytes` gives away, if anything.
    fn found_in(&self, bytes: &[u8], skip_values: bool, skip_token: bool) -> Vec<String> {
        self.needles
            .iter()
            .filter(|(what, _)| {
                let is_token = what == "the token";
                !(is_token && skip_token || !is_token && skip_values)
            })
            .filter(|(_, needle)| bytes.windows(needle.len()).any(|w| w == needle.as_slice()))
            .map(|(what, _)| what.clone())
            .collect()
    }

    fn assert_clean(&self, what: &str, bytes: &[u8]) {
        let found = self.found_in(bytes, false, false);
        assert!(
            found.is_empty(),
            "{what} leaks {found:?}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

struct Cli<'a> {
    config: &'a Path,
    data_dir: &'a Path,
    markers: &'a Markers,
    runs: usize,
}

impl Cli<'_> {
    /// Runs `kvtui ARGS` with trace logging; checks stderr always, and stdout unless `--reveal`.
    fn run(&mut self, args: &[&str], stdin: &[u8]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
        command
            .arg("--config")
            .arg(self.config)
            .args(args)
            .env("KVTUI_DATA_DIR", self.data_dir)
            .env("KVTUI_LOG", "trace");
        let output = support::output_with_stdin(command, stdin);
        self.markers
            .assert_clean(&format!("stderr of {args:?}"), &output.stderr);
        if !args.contains(&"--reveal") {
            self.markers
                .assert_clean(&format!("stdout of {args:?}"), &output.stdout);
        }
        self.runs += 1;
        output
    }

    fn ok(&mut self, args: &[&str], stdin: &[u8]) -> String {
        let output = self.run(args, stdin);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn fails(&mut self, args: &[&str], stdin: &[u8]) {
        let output = self.run(args, stdin);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(!output.stderr.is_empty(), "{args:?} says nothing");
    }
}

fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// The TUI, logging at trace level, with `env` added.
fn tui(env: &[(&str, &str)]) -> Pty {
    let mut env = env.to_vec();
    env.push(("KVTUI_LOG", "trace"));
    Pty::spawn(Path::new(env!("CARGO_BIN_EXE_kvtui")), &[], &env, (100, 30))
}

#[tokio::test]
async fn no_value_and_no_token_leaks_from_any_flow() {
    let root = tempfile::tempdir().unwrap();
    let vault_dir = root.path().join("vault");
    let config_dir = root.path().join("config");
    let cli_data = root.path().join("cli-data");
    let tui_data = root.path().join("tui-data");
    let work = root.path().join("work");
    for dir in [&config_dir, &work] {
        std::fs::create_dir(dir).unwrap();
    }
    let vault = VaultProcess::start_in_with_env(&vault_dir, &[], &[("KVTUI_LOG", "trace")]);
    let markers = Markers::new(&vault.token);
    let config = config_dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"main\"\n\
             [profiles.main]\nvault_url = \"{url}\"\nauth = \"local\"\nlocal_data_dir = \"{dir}\"\n\
             [profiles.second]\nvault_url = \"{url}\"\nauth = \"local\"\nlocal_data_dir = \"{dir}\"\nread_only = true\n",
            url = vault.url,
            dir = vault_dir.display()
        ),
    )
    .unwrap();

    // ---- The CLI, every command, with the value going in every way it can.
    let mut cli = Cli {
        config: &config,
        data_dir: &cli_data,
        markers: &markers,
        runs: 0,
    };
    let value_file = work.join("value.txt");
    std::fs::write(&value_file, VALUE).unwrap();
    let value_file = value_file.to_str().unwrap();
    let backup = work.join("leak-a.backup");
    let backup = backup.to_str().unwrap();
    cli.ok(
        &["secret", "set", "leak-a", "--value-stdin", "--tag", "k=v"],
        VALUE.as_bytes(),
    );
    cli.ok(
        &["secret", "set", "leak-b", "--value-file", value_file],
        b"",
    );
    cli.ok(
        &["secret", "--json", "set", "leak-b", "--value-stdin"],
        VALUE.as_bytes(),
    );
    cli.ok(
        &["secret", "set", "leak-del", "--value-stdin"],
        VALUE.as_bytes(),
    );
    cli.ok(&["secret", "show", "leak-a"], b"");
    cli.ok(&["secret", "--json", "show", "leak-a"], b"");
    let version = cli.ok(&["secret", "--json", "versions", "leak-a"], b"");
    let version: serde_json::Value = serde_json::from_str(&version).unwrap();
    let version = version_of(&version[0]);
    cli.ok(&["secret", "show", "leak-a", "--version", &version], b"");
    assert!(
        cli.ok(&["secret", "show", "leak-a", "--reveal"], b"")
            .contains(VALUE)
    );
    assert!(
        cli.ok(&["secret", "--json", "show", "leak-a", "--reveal"], b"")
            .contains(VALUE)
    );
    cli.ok(&["secret", "list"], b"");
    cli.ok(&["secret", "--json", "list"], b"");
    cli.ok(&["secret", "versions", "leak-a"], b"");
    cli.ok(
        &["secret", "update", "leak-b", "--content-type", "text/plain"],
        b"",
    );
    cli.ok(&["secret", "--json", "update", "leak-b", "--disable"], b"");
    cli.fails(&["secret", "show", "leak-b"], b"");
    cli.ok(&["secret", "update", "leak-b", "--enable"], b"");
    cli.ok(&["secret", "backup", "leak-a", "--out", backup], b"");
    cli.ok(&["secret", "delete", "leak-del"], b"");
    cli.ok(&["secret", "deleted"], b"");
    cli.ok(&["secret", "--json", "deleted"], b"");
    cli.ok(&["secret", "delete", "leak-b"], b"");
    cli.ok(&["secret", "recover", "leak-b"], b"");
    cli.ok(&["secret", "delete", "leak-a"], b"");
    cli.ok(&["secret", "purge", "leak-a"], b"");
    cli.ok(&["secret", "restore", "--in", backup], b"");
    cli.ok(&["profile", "list"], b"");
    // Failures, each with the value in play.
    cli.fails(
        &["secret", "set", "bad_name", "--value-stdin"],
        VALUE.as_bytes(),
    );
    let too_big = VALUE.repeat(1 + 25 * 1024 / VALUE.len());
    cli.fails(
        &["secret", "set", "too-big", "--value-stdin"],
        too_big.as_bytes(),
    );
    cli.fails(
        &["secret", "set", "leak-del", "--value-stdin"],
        VALUE.as_bytes(),
    );
    cli.fails(
        &[
            "secret",
            "set",
            "leak-x",
            "--value-stdin",
            "--tag",
            "novalue",
        ],
        VALUE.as_bytes(),
    );
    cli.fails(
        &[
            "--profile",
            "second",
            "secret",
            "set",
            "leak-x",
            "--value-stdin",
        ],
        VALUE.as_bytes(),
    );
    vault.set_faults(failing_next(40, 503, 0)).await;
    cli.fails(
        &["secret", "set", "leak-a", "--value-stdin"],
        VALUE.as_bytes(),
    );
    cli.fails(&["secret", "show", "leak-a", "--reveal"], b"");
    vault.set_faults(json!({"drop_rate": 1.0})).await;
    cli.fails(
        &["secret", "set", "leak-a", "--value-stdin"],
        VALUE.as_bytes(),
    );
    vault.set_faults(json!({})).await;
    let cli_runs = cli.runs;

    // ---- The TUI, every flow, with the value typed into the form.
    let tui_env = [
        ("KVTUI_CONFIG_DIR", config_dir.to_str().unwrap()),
        ("KVTUI_DATA_DIR", tui_data.to_str().unwrap()),
    ];
    let mut screen = tui(&tui_env);
    screen.wait_for("leak-a");
    // Details and history of a secret whose value is VALUE.
    screen.send(ENTER);
    screen.wait_for("Versions 1");
    screen.send("j");
    screen.send(ESC);
    // A new version, typed (masked) into the form.
    screen.start_new_version("leak-a");
    screen.type_text(TYPED);
    screen.submit();
    screen.wait_for("Set leak-a: new version");
    // A submit that fails under faults, the form kept with the typed value in it.
    vault.set_faults(failing_next(6, 503, 0)).await;
    screen.start_new_version("leak-a");
    screen.type_text(TYPED);
    screen.submit();
    screen.wait_for("Every field is kept");
    vault.set_faults(json!({})).await;
    screen.send(ESC);
    screen.wait_for("Discard");
    screen.send("y");
    // A form that does not validate: a bad name, and the value.
    screen.start_new_secret("bad_name", TYPED);
    screen.wait_for("only letters, digits and '-'");
    screen.send(ESC);
    screen.send("y");
    // The name of a deleted secret: the 409 flow.
    screen.start_new_secret("leak-del", TYPED);
    screen.submit();
    screen.wait_for("deleted");
    screen.send(ESC);
    screen.send(ESC);
    screen.send("y");
    // The operator screens, values masked throughout: the attributes form and its review, the
    // history's diff and a rollback (its form and review), delete's question, the deleted view,
    // a refused copy to the read-only profile, the id on the clipboard, the operations log.
    screen.send(ESC);
    screen.send("/");
    screen.type_text("leak-a");
    screen.send(ENTER);
    screen.send("a");
    screen.wait_for("Attributes of leak-a");
    screen.send(&pty::ctrl('n'));
    screen.type_text("reviewed");
    screen.send(TAB);
    screen.type_text("yes");
    screen.submit();
    screen.wait_for("Updated the attributes of leak-a");
    screen.send(ENTER);
    screen.send("G");
    screen.send("=");
    screen.wait_for("value         ");
    screen.send(ESC);
    // Back to the newest (the typed value), so the reveal below still shows it.
    screen.send("g");
    screen.wait_until(
        "the newest version's details",
        Duration::from_secs(10),
        |s| !s.contains("older version"),
    );
    screen.send("N");
    screen.wait_for("New version of leak-a");
    screen.submit();
    screen.wait_for("Set leak-a: new version");
    screen.send(ESC);
    screen.send("d");
    screen.wait_for("Delete leak-a?");
    screen.send("n");
    screen.send("D");
    screen.wait_for("Deleted secrets in main");
    screen.send(ESC);
    screen.send("y");
    screen.wait_for("Copy leak-a");
    screen.send(ENTER);
    screen.wait_for("read-only: nothing can be copied");
    screen.send(ESC);
    screen.send("i");
    screen.wait_for("Copied the id");
    screen.send("o");
    screen.wait_for("Operations this session");
    screen.send(ESC);
    screen.send("/");
    screen.send(&pty::ctrl('u'));
    screen.send(ESC);
    // Help, the profile picker, a reload.
    screen.send("?");
    screen.wait_for("Every view");
    screen.send(ESC);
    screen.send("p");
    screen.wait_for("second");
    screen.send(ESC);
    screen.send("r");
    std::thread::sleep(Duration::from_millis(500));

    // Nothing so far has shown a value: not the screen, not the scrollback, not a frame since
    // overwritten.
    let before_reveal = screen.raw();
    markers.assert_clean("the TUI's output before any reveal", &before_reveal);

    // The user reveals: now the value may be on screen, and the token still may not.
    screen.send("v");
    screen.wait_for(TYPED);
    screen.send("v");
    screen.wait_until("masked again", Duration::from_secs(5), |s| {
        !s.contains(TYPED)
    });
    screen.quit();
    let found = markers.found_in(&screen.raw(), true, false);
    assert!(found.is_empty(), "the TUI's output leaks {found:?}");

    // ---- The TUI on the embedded vault (no config), with the value typed into the form.
    let first_run = Kvtui::without_config();
    let (embedded_config, embedded_data) = (first_run.home(), first_run.data_dir());
    let mut embedded = first_run.tui(&[], &[("KVTUI_LOG", "trace")], (100, 30));
    embedded.wait_for("No secrets yet");
    embedded.start_new_secret("embedded-leak", TYPED);
    embedded.submit();
    embedded.wait_for("Set embedded-leak: new version");
    embedded.quit();
    let embedded_token = std::fs::read_to_string(embedded_data.join("token")).unwrap();
    let embedded_markers = Markers::new(embedded_token.trim());
    embedded_markers.assert_clean("the embedded TUI's output", &embedded.raw());

    // ---- Every file kvtui wrote: no value, no token (the store and the token file aside),
    // owner-only, in owner-only directories.
    let mut files = Vec::new();
    for dir in [
        &vault_dir,
        &config_dir,
        &cli_data,
        &tui_data,
        &work,
        embedded_config,
        embedded_data,
    ] {
        files_under(dir, &mut files);
    }
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        if *file == work.join("value.txt") || *file == config {
            continue; // written by this test
        }
        let is_store = name.starts_with("vault.db");
        let is_token = name == "token";
        let contents = std::fs::read(file).unwrap();
        for markers in [&markers, &embedded_markers] {
            let found = markers.found_in(&contents, is_store, is_token);
            assert!(found.is_empty(), "{} leaks {found:?}", file.display());
        }
        assert_eq!(mode(file), 0o600, "{} is not owner-only", file.display());
        checked.push(name.to_owned());
    }
    for dir in [&vault_dir, &cli_data, &tui_data, embedded_data] {
        assert_eq!(mode(dir), 0o700, "{} is not owner-only", dir.display());
    }
    // The logs were written, at trace level: a clean log that was never written proves nothing.
    for log in [
        vault_dir.join("local-vault.log"),
        cli_data.join("kvtui.log"),
        tui_data.join("kvtui.log"),
        embedded_data.join("kvtui.log"),
    ] {
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("TRACE") || text.contains("DEBUG"),
            "{} has no trace or debug lines",
            log.display()
        );
    }
    checked.sort();
    println!(
        "{cli_runs} CLI runs, 2 TUI sessions, {} files checked ({}): no leaks",
        checked.len(),
        checked.join(", ")
    );
}
