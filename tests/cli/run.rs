//! `kvtui run`: the real binary against a real local vault, running `sh` children that read the
//! value from their environment (never from argv) and print it, split across writes, on stdout
//! and stderr — through a pipe and in a terminal; exit codes and signals passing through;
//! references the vault refuses stopping the child from running at all; and no value on argv,
//! in kvtui's environment or in its logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use rustix::process::{Pid, Signal, kill_process};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};
use support::{Kvtui, VaultProcess, text};

const VALUE: &str = "RUNMARKER-4f1c9e2a7b63";
const REFERENCE: &str = "V=kv://main/db-password";

/// Prints `$V` in two writes 0.2 s apart between markers, on stdout and then on stderr (one
/// after the other, so that they do not interleave in a terminal): its halves come from shell
/// parameter expansion, so the value is never on the child's argv.
const SPLIT_PRINT: &str = r#"rest=${V#??????????}; first=${V%"$rest"}
printf 'out:%s' "$first"; sleep 0.2; printf '%s:end\n' "$rest"; sleep 0.1
printf 'err:%s' "$first" >&2; sleep 0.2; printf '%s:end\n' "$rest" >&2"#;

/// A vault holding `db-password`, read through the read-only default profile `main`; `admin`
/// writes to it.
fn vault_and_kvtui() -> (VaultProcess, Kvtui) {
    let vault = VaultProcess::start();
    let kvtui = Kvtui::with_config(&format!(
        "default_profile = \"main\"\n{}{}",
        vault.profile_toml("main", true),
        vault.profile_toml("admin", false)
    ));
    set(&kvtui, "db-password", VALUE, &[]);
    (vault, kvtui)
}

fn set(kvtui: &Kvtui, name: &str, value: &str, flags: &[&str]) {
    let mut args = vec!["--profile", "admin", "secret", "set", name, "--value-stdin"];
    args.extend(flags);
    let output = kvtui.run_with_stdin(&args, value.as_bytes());
    assert!(output.status.success(), "{}", text(&output.stderr));
}

/// `kvtui run ARGS… -- sh -c SCRIPT`.
fn run_sh<'a>(args: &[&'a str], script: &'a str) -> Vec<&'a str> {
    let mut all = vec!["run"];
    all.extend(args);
    all.extend(["--", "sh", "-c", script]);
    all
}

fn run(kvtui: &Kvtui, args: &[&str], script: &str) -> Output {
    kvtui.run(&run_sh(args, script))
}

fn assert_no_value(what: &str, bytes: &[u8]) {
    for (needle, bytes_of) in support::value_needles(VALUE) {
        assert!(
            !bytes
                .windows(bytes_of.len())
                .any(|window| window == bytes_of),
            "{what} holds {needle}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn masks_a_value_split_across_writes_on_stdout_and_stderr_through_a_pipe() {
    let (_vault, kvtui) = vault_and_kvtui();
    let output = run(&kvtui, &["--env", REFERENCE], SPLIT_PRINT);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "out:<concealed by kvtui>:end\n");
    assert_eq!(text(&output.stderr), "err:<concealed by kvtui>:end\n");
}

#[test]
fn masks_a_value_split_across_writes_in_a_terminal() {
    let (_vault, kvtui) = vault_and_kvtui();
    let mut terminal = kvtui.tui(&run_sh(&["--env", REFERENCE], SPLIT_PRINT), &[], (100, 30));
    assert_eq!(terminal.wait_exit(Duration::from_secs(20)), 0);
    let screen = terminal.screen();
    assert!(
        screen.contains("out:<concealed by kvtui>:end")
            && screen.contains("err:<concealed by kvtui>:end"),
        "{screen}"
    );
    assert_no_value("the terminal", &terminal.raw());
}

#[test]
fn without_masking_the_command_replaces_kvtui_and_prints_the_value() {
    let (_vault, kvtui) = vault_and_kvtui();
    let child = kvtui
        .command(&run_sh(
            &["--no-masking", "--env", REFERENCE],
            r#"echo "$$"; printf '%s\n' "$V""#,
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), format!("{pid}\n{VALUE}\n"), "exec'd");
}

#[test]
fn the_exit_code_and_the_signal_that_killed_the_command_pass_through() {
    let (_vault, kvtui) = vault_and_kvtui();
    for masking in [
        &["--env", REFERENCE][..],
        &["--no-masking", "--env", REFERENCE],
    ] {
        assert_eq!(run(&kvtui, masking, "exit 7").status.code(), Some(7));
        let killed = run(&kvtui, masking, "kill -TERM $$").status;
        assert_eq!(killed.signal(), Some(Signal::TERM.as_raw()), "{killed:?}");
    }
}

/// kvtui running `script` with stdout piped, once the child has printed `ready`.
fn started(
    kvtui: &Kvtui,
    script: &str,
    own_group: bool,
) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut command = kvtui.command(&run_sh(&["--env", REFERENCE], script));
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    if own_group {
        command.process_group(0);
    }
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    (child, stdout)
}

fn signal(child: &Child, signal: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    kill_process(pid, signal).unwrap();
}

const TRAPS: &str = r#"trap 'echo "got TERM"; exit 3' TERM; trap 'echo "got INT"; exit 4' INT
echo ready; while :; do sleep 0.1; done"#;

/// SIGTERM sent to kvtui reaches the command; so does SIGINT when kvtui is away from a terminal's
/// foreground (in a process group of its own), where no Ctrl-C can have reached the command too.
#[test]
fn sigterm_and_a_sigint_sent_to_kvtui_alone_reach_the_command() {
    let (_vault, kvtui) = vault_and_kvtui();
    for (sent, own_group, said, code) in [
        (Signal::TERM, false, "got TERM\n", 3),
        (Signal::INT, true, "got INT\n", 4),
    ] {
        let (mut child, mut stdout) = started(&kvtui, TRAPS, own_group);
        signal(&child, sent);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        assert_eq!(rest, said);
        assert_eq!(child.wait().unwrap().code(), Some(code));
    }
}

/// Runs a command that would leave a marker file; it must fail with `code` and one `error:`
/// line holding `expected`, and the marker must not be there.
fn refused(kvtui: &Kvtui, args: &[&str], code: i32, expected: &str) {
    let marker = kvtui.scratch().join("ran");
    let script = format!("touch '{}'", marker.display());
    let output = kvtui.run(&run_sh(args, &script));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.lines().count() == 1 && stderr.contains(expected),
        "{args:?}: expected one line with {expected:?}: {stderr}"
    );
    assert!(text(&output.stdout).is_empty());
    assert!(!marker.exists(), "{args:?}: the command ran");
}

#[test]
fn a_reference_the_vault_refuses_fails_in_one_line_and_nothing_runs() {
    let (_vault, kvtui) = vault_and_kvtui();
    set(&kvtui, "switched-off", "off-value", &["--disabled"]);
    set(&kvtui, "stale", "stale-value", &["--expires", "2020-01-01"]);
    let cases = [
        (
            "X=kv://main/missing",
            "secret missing (or that version of it) is not in the vault",
        ),
        ("X=kv://main/switched-off", "switched-off"),
        (
            "X=kv://main/stale",
            "expired at 2020-01-01 00:00 UTC (--allow-expired",
        ),
    ];
    for (reference, expected) in cases {
        refused(
            &kvtui,
            &["--env", REFERENCE, "--env", reference],
            1,
            expected,
        );
    }
    refused(&kvtui, &["--env", "X=kv://nowhere/x"], 2, "nowhere");
    let output = run(
        &kvtui,
        &["--allow-expired", "--env", "V=kv://main/stale"],
        r#"printf '%s\n' "$V""#,
    );
    assert_eq!(text(&output.stdout), "<concealed by kvtui>\n");
}

#[tokio::test]
async fn a_forbidden_reference_fails_in_one_line_and_nothing_runs() {
    let (vault, kvtui) = vault_and_kvtui();
    vault.set_faults(json!({"forbidden": "rbac"})).await;
    refused(&kvtui, &["--env", REFERENCE], 1, "403");
}

#[test]
fn a_missing_command_exits_127_and_one_that_cannot_run_126() {
    let (_vault, kvtui) = vault_and_kvtui();
    let script = kvtui.scratch().join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\necho ran\n").unwrap();
    for (command, code, expected) in [
        (
            "no-such-command-kvtui",
            127,
            "\"no-such-command-kvtui\": command not found",
        ),
        (
            script.to_str().unwrap(),
            126,
            "cannot run it: Permission denied",
        ),
    ] {
        for masking in [&[][..], &["--no-masking"]] {
            let mut args = vec!["run", "--env", REFERENCE];
            args.extend(masking);
            args.extend(["--", command]);
            let output = kvtui.run(&args);
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(code), "{stderr}");
            assert!(
                stderr.starts_with("error: ") && stderr.contains(expected),
                "{stderr}"
            );
        }
    }
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} was never written", path.display());
}

#[test]
fn no_value_on_argv_in_kvtuis_environment_or_in_the_logs() {
    let (vault, kvtui) = vault_and_kvtui();
    let pid_file = kvtui.scratch().join("child.pid");
    let script = format!(
        r#"echo $$ > '{pid}.new' && mv '{pid}.new' '{pid}'; sleep 1; printf '%s\n' "$V""#,
        pid = pid_file.display()
    );
    let child = kvtui
        .command(&run_sh(&["--env", REFERENCE], &script))
        .env("KVTUI_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child_pid = wait_for_file(&pid_file);
    let proc =
        |pid: &str, file: &str| std::fs::read(format!("/proc/{}/{file}", pid.trim())).unwrap();
    let kvtui_pid = child.id().to_string();
    assert_no_value("kvtui's argv", &proc(&kvtui_pid, "cmdline"));
    assert_no_value("kvtui's environment", &proc(&kvtui_pid, "environ"));
    assert_no_value("the command's argv", &proc(&child_pid, "cmdline"));
    assert!(
        text(&proc(&child_pid, "environ")).contains(VALUE),
        "the command has the value where it was asked for"
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(text(&output.stdout), "<concealed by kvtui>\n");
    assert_no_value("stderr", &output.stderr);
    let log = kvtui.data_dir().join("kvtui.log");
    let logged = std::fs::read(&log).unwrap();
    assert!(
        text(&logged).contains("run: started"),
        "logged at trace level"
    );
    assert_no_value("kvtui.log", &logged);
    assert_no_value(
        "the vault's log",
        &std::fs::read(vault.data_dir.join("local-vault.log")).unwrap(),
    );
}

#[test]
fn a_reference_in_the_environment_kvtui_is_given_is_resolved() {
    let (_vault, kvtui) = vault_and_kvtui();
    let output = kvtui
        .command(&run_sh(&[], r#"printf '%s %s\n' "$PGPASSWORD" "$PLAIN""#))
        .env("PGPASSWORD", "kv://main/db-password")
        .env("PLAIN", "kept as it is")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "<concealed by kvtui> kept as it is\n");
}

#[test]
fn an_env_file_sets_literals_as_they_are_and_references_resolved() {
    let (_vault, kvtui) = vault_and_kvtui();
    let env_file = kvtui.scratch().join("app.env");
    std::fs::write(
        &env_file,
        "# the app's settings\nHOST=db.internal\nPASSWORD=kv://main/db-password\nGREETING=\"hello there\"\n",
    )
    .unwrap();
    let output = run(
        &kvtui,
        &["--env-file", env_file.to_str().unwrap()],
        r#"printf '%s|%s|%s\n' "$HOST" "$PASSWORD" "$GREETING""#,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "db.internal|<concealed by kvtui>|hello there\n"
    );
}
