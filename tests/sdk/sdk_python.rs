//! The official Python SDK (`azure-keyvault-secrets`, pinned in `tests/python/requirements.txt`)
//! runs the whole secret lifecycle (`tests/python/lifecycle.py`) against the real local vault
//! binary over HTTPS. A missing python3 or venv is a failure, not a skip: CI installs them, and
//! a silently skipped conformance test would prove nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::VaultProcess;

/// Generous: the script takes well under a second, but a hung SDK call must not hang `cargo test`.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python, creating the venv on first use.
fn venv_python() -> String {
    let output = Command::new("bash")
        .arg(root().join("tests/python/ensure-venv.sh"))
        .output()
        .expect("cannot run bash for tests/python/ensure-venv.sh");
    assert!(
        output.status.success(),
        "tests/python/ensure-venv.sh failed ({}); this test needs python3 with the venv module and \
         access to PyPI:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("venv path is UTF-8");
    let python = stdout.lines().last().unwrap_or_default().trim().to_owned();
    assert!(
        Path::new(&python).is_file(),
        "ensure-venv.sh printed {python:?}, which is not a file"
    );
    python
}

/// Runs `command` to completion with its output in files (a pipe could fill up and stall it),
/// killing it after `timeout`. Returns (status, stdout, stderr).
fn run_with_timeout(
    command: &mut Command,
    timeout: Duration,
) -> (Option<std::process::ExitStatus>, String, String) {
    let mut stdout = tempfile::tempfile().expect("stdout file");
    let mut stderr = tempfile::tempfile().expect("stderr file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().expect("stdout clone"))
        .stderr(stderr.try_clone().expect("stderr clone"))
        .spawn()
        .expect("spawn the venv python");
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |file: &mut std::fs::File| {
        let mut text = String::new();
        file.rewind().expect("rewind");
        file.read_to_string(&mut text).expect("read output");
        text
    };
    (status, read(&mut stdout), read(&mut stderr))
}

#[test]
fn python_sdk_runs_the_whole_lifecycle() {
    let python = venv_python();
    let vault = VaultProcess::start();
    let started = Instant::now();
    let (status, stdout, stderr) = run_with_timeout(
        Command::new(&python)
            .arg(root().join("tests/python/lifecycle.py"))
            .env("KVTUI_VAULT_URL", &vault.url)
            .env("KVTUI_VAULT_CA", &vault.ca_file)
            .env("KVTUI_VAULT_TOKEN", &vault.token)
            .current_dir(root()),
        SCRIPT_TIMEOUT,
    );
    let elapsed = started.elapsed();
    let report = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    match status {
        None => panic!("lifecycle.py did not finish within {SCRIPT_TIMEOUT:?}\n{report}"),
        Some(status) => assert!(status.success(), "lifecycle.py failed ({status})\n{report}"),
    }
    assert!(
        stdout.lines().any(|line| line.starts_with("OK: ")),
        "lifecycle.py exited 0 without reaching its end\n{report}"
    );

    let statuses = vault.logged_statuses();
    // A 5xx means the vault failed on something an official client sent, whatever the SDK made
    // of it.
    let server_errors: Vec<_> = statuses.iter().filter(|status| **status >= 500).collect();
    assert!(
        server_errors.is_empty(),
        "the vault answered {server_errors:?}\n{report}"
    );
    println!(
        "python SDK: {} requests served in {elapsed:.2?}, by status {:?}; {}",
        statuses.len(),
        support::by_status(&statuses),
        stdout.lines().last().unwrap_or_default()
    );
}
