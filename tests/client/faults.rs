//! Every CLI operation against a local vault that misbehaves the ways Key Vault does: throttling
//! (20% 429 with Retry-After), 503 bursts, 2 s of latency, dropped connections. Each operation
//! completes — and then did exactly what it says — or fails with a clear message: one line,
//! `error:`, the service's code or what happened to the connection, exit code 1, never a panic,
//! never the value. And the TUI under throttling and drops: every form either lands or stays as
//! typed, retries show while they happen, keys answer meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;
use crate::support::pty::ESC;

use serde_json::{Value, json};
use std::time::Duration;
use support::{Kvtui, VaultProcess, failing_next};

/// A value no message may show.
const VALUE: &str = "fault-test-value-7f3a";

/// What became of the operations run under one kind of fault.
#[derive(Default, Debug)]
struct Tally {
    completed: usize,
    failed_clearly: usize,
}

impl Tally {
    /// Runs one operation and checks it completed (and `check` agrees) or failed clearly.
    fn run(&mut self, cli: &Kvtui, args: &[&str], stdin: &[u8], check: impl FnOnce(&str)) -> bool {
        let output = cli.run_with_stdin(args, stdin);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        let revealed = args.contains(&"--reveal");
        assert!(
            revealed || !stdout.contains(VALUE),
            "{args:?} printed the value without --reveal: {stdout}"
        );
        assert!(
            !stderr.contains(VALUE),
            "{args:?} put the value in an error: {stderr}"
        );
        match output.status.code() {
            Some(0) => {
                check(&stdout);
                self.completed += 1;
                true
            }
            Some(1) => {
                let message = stderr.trim_end();
                assert!(
                    message.starts_with("error: ") && !message.contains('\n'),
                    "{args:?}: not one clear line: {message:?}"
                );
                let says_what = [
                    "(HTTP 429)",
                    "(HTTP 500)",
                    "(HTTP 502)",
                    "(HTTP 503)",
                    "(HTTP 504)",
                    "connection",
                    "timed out",
                ]
                .iter()
                .any(|what| message.contains(what));
                assert!(says_what, "{args:?}: does not say what failed: {message}");
                self.failed_clearly += 1;
                false
            }
            other => panic!("{args:?} exited with {other:?}: {stderr}"),
        }
    }
}

async fn exists(vault: &VaultProcess, name: &str) -> bool {
    let (status, _) = vault.call("GET", &format!("/secrets/{name}"), None).await;
    status == 200
}

/// The whole CLI, `rounds` times over, under `faults` (a `kind` of them, for the report);
/// returns what became of each operation.
async fn every_operation_under(kind: &str, faults: Value, rounds: usize) -> Tally {
    let vault = VaultProcess::start();
    let cli = Kvtui::with_config(&vault.profile_toml("test", false));
    let work = tempfile::tempdir().unwrap();
    let mut tally = Tally::default();
    for round in 0..rounds {
        let name = format!("faulty-{round}");
        let backup = work.path().join(format!("{name}.backup"));
        let backup = backup.to_str().unwrap();
        vault.set_faults(faults.clone()).await;

        let set = tally.run(
            &cli,
            &[
                "secret",
                "set",
                &name,
                "--value-stdin",
                "--content-type",
                "text/plain",
                "--tag",
                "env=fault",
            ],
            VALUE.as_bytes(),
            |_| {},
        );
        if !set {
            continue;
        }
        tally.run(&cli, &["secret", "show", &name], b"", |out| {
            assert!(out.contains("text/plain"), "{out}");
        });
        tally.run(&cli, &["secret", "show", &name, "--reveal"], b"", |out| {
            assert!(out.contains(VALUE), "{out}");
        });
        tally.run(&cli, &["secret", "list"], b"", |out| {
            assert!(out.contains(&name), "{out}");
        });
        tally.run(&cli, &["secret", "versions", &name], b"", |out| {
            assert!(!out.trim().is_empty(), "{out}");
        });
        tally.run(
            &cli,
            &[
                "secret",
                "update",
                &name,
                "--content-type",
                "application/json",
            ],
            b"",
            |_| {},
        );
        let backed_up = tally.run(
            &cli,
            &["secret", "backup", &name, "--out", backup],
            b"",
            |_| {},
        );
        if !tally.run(&cli, &["secret", "delete", &name], b"", |_| {}) {
            continue;
        }
        tally.run(&cli, &["secret", "deleted"], b"", |out| {
            assert!(out.contains(&name), "{out}");
        });
        tally.run(&cli, &["secret", "recover", &name], b"", |_| {});
        vault.set_faults(json!({})).await;
        let recovered = exists(&vault, &name).await;
        vault.set_faults(faults.clone()).await;
        if recovered && !tally.run(&cli, &["secret", "delete", &name], b"", |_| {}) {
            continue;
        }
        if !tally.run(&cli, &["secret", "purge", &name], b"", |_| {}) {
            continue;
        }
        if backed_up {
            tally.run(&cli, &["secret", "restore", "--in", backup], b"", |out| {
                assert!(out.contains(&name), "{out}");
            });
            // What the restore says it did, it did.
            vault.set_faults(json!({})).await;
            let _ = std::fs::remove_file(backup);
        }
    }
    vault.set_faults(json!({})).await;
    report(kind, &tally);
    tally
}

fn report(kind: &str, tally: &Tally) {
    println!(
        "{kind}: {} operations, {} completed, {} failed with a clear message",
        tally.completed + tally.failed_clearly,
        tally.completed,
        tally.failed_clearly
    );
}

#[tokio::test]
async fn throttling_20_percent_429_with_retry_after() {
    let tally = every_operation_under(
        "20% 429 + Retry-After 1 s",
        json!({"error_rate": 0.2, "error_status": 429, "retry_after_secs": 1}),
        2,
    )
    .await;
    // Five retries make giving up on a 20% fault rate a one-in-15,000 event per request; a
    // failed set skips the rest of its round, so one round of 13 must get through.
    assert!(tally.completed >= 13, "{tally:?}");
}

#[tokio::test]
async fn dropped_connections() {
    let tally =
        every_operation_under("20% dropped connections", json!({"drop_rate": 0.2}), 2).await;
    assert!(tally.completed >= 13, "{tally:?}");
}

#[tokio::test]
async fn two_seconds_of_latency() {
    let tally = every_operation_under("2 s latency", json!({"latency_ms": 2000}), 1).await;
    assert_eq!(tally.failed_clearly, 0, "slow is not broken: {tally:?}");
}

#[tokio::test]
async fn bursts_of_503_shorter_and_longer_than_the_retries() {
    // A burst of 3 before each round: ridden out by the retries.
    let tally = every_operation_under("503 bursts of 3", failing_next(3, 503, 0), 2).await;
    assert_eq!(tally.failed_clearly, 0, "{tally:?}");

    // A burst longer than the retries: each operation fails, clearly, and changes nothing.
    let vault = VaultProcess::start();
    let cli = Kvtui::with_config(&vault.profile_toml("test", false));
    let mut tally = Tally::default();
    for args in [
        vec!["secret", "set", "burst", "--value-stdin"],
        vec!["secret", "show", "burst"],
        vec!["secret", "list"],
        vec!["secret", "versions", "burst"],
        vec!["secret", "update", "burst", "--disable"],
        vec!["secret", "delete", "burst"],
        vec!["secret", "deleted"],
        vec!["secret", "recover", "burst"],
        vec!["secret", "purge", "burst"],
    ] {
        vault.set_faults(failing_next(20, 503, 0)).await;
        let completed = tally.run(&cli, &args, VALUE.as_bytes(), |_| {});
        assert!(!completed, "{args:?} cannot complete through 20 failures");
    }
    vault.set_faults(json!({})).await;
    assert!(!exists(&vault, "burst").await, "a failed set left a secret");
    report("503 bursts of 20", &tally);
}

#[tokio::test]
async fn the_tui_under_throttling_and_drops_keeps_every_form_and_answers_keys() {
    let vault = VaultProcess::start();
    let (_kvtui, mut tui) = Kvtui::tui_on(&vault, "e2e", false, (100, 30));
    tui.wait_for("No secrets yet");

    // A throttled reload: the retry shows, and the help opens and closes while it waits.
    vault.set_faults(failing_next(3, 429, 2)).await;
    tui.send("r");
    tui.wait_for("retry 1/5");
    tui.send("?");
    tui.wait_for("Every view");
    tui.send(ESC);
    tui.wait_until("the help closed", Duration::from_secs(5), |s| {
        !s.contains("Every view")
    });
    tui.wait_until("the reload done", Duration::from_secs(30), |s| {
        s.contains("0 secrets in e2e") && !s.contains("listing secrets")
    });

    // Forms sent while 20% of requests are throttled and 20% of connections dropped.
    vault
        .set_faults(json!({"error_rate": 0.2, "error_status": 429, "retry_after_secs": 1, "drop_rate": 0.2}))
        .await;
    let mut landed = Vec::new();
    let mut kept = 0;
    for form in 0..4 {
        let name = format!("tui-fault-{form}");
        let value = format!("value of form {form}");
        tui.start_new_secret(&name, &value);
        // Sent again while it stays as typed; five retries each make that rare.
        for _ in 0..3 {
            tui.submit();
            // Landed: the status says so, or (if a later message replaced that) the form has
            // closed and the list shows the name.
            let landed_on = |s: &str| {
                s.contains(&format!("Set {name}: new version"))
                    || (!s.contains("New secret") && s.contains(&name))
            };
            let screen = tui.wait_until("the submit settled", Duration::from_secs(90), |s| {
                landed_on(s) || s.contains("Every field is kept")
            });
            if landed_on(&screen) {
                landed.push((name.clone(), value.clone()));
                break;
            }
            assert!(screen.contains(&name), "the form lost its name:\n{screen}");
            kept += 1;
        }
        tui.send(ESC);
    }
    vault.set_faults(json!({})).await;
    let screen = tui.wait_until("nothing in flight", Duration::from_secs(60), |s| {
        !s.contains("listing secrets") && !s.contains("loading")
    });
    for (name, _) in &landed {
        let rows = screen
            .lines()
            .filter(|line| line.starts_with(&format!("│{name} ")))
            .count();
        assert_eq!(rows, 1, "{name} is listed {rows} times:\n{screen}");
    }
    for (name, value) in &landed {
        let body = vault.latest(name).await;
        assert_eq!(body["value"], value.as_str(), "{name}");
    }
    println!(
        "TUI under 20% 429 + 20% drops: {} forms landed, {kept} failed submits kept the form",
        landed.len()
    );
    assert!(!landed.is_empty());
    tui.quit();
}
