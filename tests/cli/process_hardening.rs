//! A kvtui process keeps its secrets out of core dumps: the real binary runs with a core size
//! limit of 0, and `no_core_dumps` also marks the process not dumpable (no ptrace or
//! `/proc/PID/mem` for other processes of the same user).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use support::VaultProcess;

#[test]
fn the_binary_runs_without_core_dumps() {
    let vault = VaultProcess::start();
    assert_eq!(vault.limit("Max core file size"), ["0", "0"]);
}

/// Run in a process of its own (see below): it changes the process it runs in.
#[test]
#[ignore = "run by no_core_dumps_marks_the_process_not_dumpable in a child process"]
fn in_a_child_no_core_dumps_marks_the_process_not_dumpable() {
    use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};
    assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::Dumpable);
    kvtui::hardening::no_core_dumps();
    assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
    assert_eq!(getrlimit(Resource::Core).maximum, Some(0));
}

#[test]
fn no_core_dumps_marks_the_process_not_dumpable() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "process_hardening::in_a_child_no_core_dumps_marks_the_process_not_dumpable",
            "--ignored",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
