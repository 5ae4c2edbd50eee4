//! Files a user points kvtui at — `--value-file`, `--in`, and in the TUI the form's Ctrl-o and
//! the restore prompt — through the real binary: only a regular file is read (a FIFO would hang
//! it, `/dev/zero` never end), and only up to what it can hold (a value: 25 KiB; a backup blob:
//! the 64 MiB a restore request may carry), refused at once with one line that says why.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use pty::{ENTER, ESC, TAB, ctrl};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::Kvtui;

fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("a.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success()
    );
    path
}

fn refused(cli: &Kvtui, args: &[&str], says: &str) {
    let (output, took) = support::output_within(cli.command(args), Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(says),
        "{args:?}: {stderr}"
    );
    assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    assert!(stderr.lines().count() == 1, "{stderr}");
}

#[test]
fn the_cli_reads_only_regular_files_of_what_they_can_hold() {
    let cli = Kvtui::without_config();
    let scratch = tempfile::tempdir().unwrap();
    let fifo = fifo(scratch.path());
    let fifo = fifo.to_str().unwrap();
    let big_value = scratch.path().join("value.txt");
    std::fs::write(&big_value, "v".repeat(25 * 1024 + 1)).unwrap();
    let big_value = big_value.to_str().unwrap();
    let set = |file: &str| ["secret", "set", "s", "--value-file", file].map(str::to_owned);
    for (file, says) in [
        (
            fifo,
            "it is a named pipe (FIFO), not a regular file; kvtui reads only regular files \
             (a value from a pipe goes to --value-stdin)",
        ),
        ("/dev/zero", "it is a character device, not a regular file"),
        (
            big_value,
            "it is 25601 bytes; a value is at most 25600 bytes",
        ),
        (
            scratch.path().to_str().unwrap(),
            "it is a directory, not a regular file",
        ),
    ] {
        let args = set(file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&cli, &args, &format!("value: --value-file {file}: {says}"));
    }
    // Standard input is read up to the limit, and no further.
    let mut endless = Command::new("sh");
    endless.args([
        "-c",
        &format!("yes | {} \"$@\"", env!("CARGO_BIN_EXE_kvtui")),
    ]);
    endless.args(["sh", "secret", "set", "s", "--value-stdin"]);
    endless.envs(cli.env());
    let (output, took) = support::output_within(endless, Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("value: standard input: it holds more than 25600 bytes"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");

    // A backup blob: up to what a restore request may carry (64 MiB; this file is sparse).
    let huge_blob = scratch.path().join("huge.kvbackup");
    std::fs::File::create(&huge_blob)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    let huge_blob = huge_blob.to_str().unwrap();
    for (file, says) in [
        (fifo, "it is a named pipe (FIFO), not a regular file"),
        ("/dev/zero", "it is a character device, not a regular file"),
        (
            huge_blob,
            "it is 67108865 bytes; a backup blob is at most 67108864 bytes",
        ),
    ] {
        refused(
            &cli,
            &["secret", "restore", "--in", file],
            &format!("--in {file}: {says}"),
        );
    }
    assert!(
        !cli.data_dir().join("vault.db").exists(),
        "nothing got as far as the vault"
    );
}

#[test]
fn the_tui_reads_only_regular_files_for_a_value_or_a_restore() {
    let kvtui = Kvtui::without_config();
    let fifo = fifo(kvtui.scratch());
    let mut tui = kvtui.tui(&[], &[], (100, 30));
    tui.wait_for("No secrets yet");
    tui.send("n");
    tui.type_text("from-a-file");
    tui.send(TAB);
    for (file, says) in [
        (fifo.to_str().unwrap(), "named pipe (FIFO)"),
        ("/dev/zero", "a character device"),
    ] {
        tui.send(&ctrl('o'));
        tui.wait_for("Load the value from a file");
        tui.type_text(file);
        tui.send(ENTER);
        tui.wait_for(says);
    }
    tui.send(ESC);
    tui.send("y");
    tui.send("u");
    tui.wait_for("Restore from a backup");
    tui.type_text(fifo.to_str().unwrap());
    tui.send(ENTER);
    tui.wait_for("named pipe (FIFO)");
    // Still answering: nothing is stuck waiting for the FIFO's writer.
    tui.send(ESC);
    tui.quit();
}
