//! The one-shot process rows (`secret list`, `secret versions`, `secret show`): each a contest
//! of kvtui with the peers, one fresh process per run, as a user's shell or script runs it.

use crate::peer_wanted;
use crate::table::{Table, Target, median, ms, show_samples};
use crate::vault::Bench;
use crate::{VERSIONED, wanted};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` to the end and returns its wall time and stdout; panics if it fails.
pub fn timed(what: &str, command: &mut Command) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let output = command.stdout(Stdio::piped()).output().expect(what);
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{what} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (elapsed, output.stdout)
}

fn count_json_items(stdout: &[u8]) -> usize {
    serde_json::from_slice::<Vec<serde_json::Value>>(stdout)
        .expect("kvtui printed a JSON array")
        .len()
}

fn count_line(stdout: &[u8]) -> usize {
    String::from_utf8_lossy(stdout)
        .trim()
        .parse()
        .expect("the peer prints a count")
}

/// One measured operation: kvtui and each peer, interleaved run by run so drift in the machine's
/// load falls on all of them alike. Each run's output is checked (item counts) after timing.
pub struct Contest<'a> {
    pub kvtui: Run<'a>,
    pub peers: Vec<(&'static str, Run<'a>)>,
}

/// One timed run of a process.
pub type Run<'a> = Box<dyn FnMut() -> Duration + 'a>;

/// Samples in ms, per peer.
pub type PeerSamples = Vec<(&'static str, Vec<f64>)>;

pub fn contest(runs: usize, mut contest: Contest<'_>) -> (Vec<f64>, PeerSamples) {
    // One untimed round first: page cache, the venv's imports, TLS session setup.
    (contest.kvtui)();
    for (_, peer) in &mut contest.peers {
        peer();
    }
    let mut mine = Vec::new();
    let mut theirs: PeerSamples = contest
        .peers
        .iter()
        .map(|(name, _)| (*name, Vec::new()))
        .collect();
    for _ in 0..runs {
        mine.push(ms((contest.kvtui)()));
        for (index, (_, peer)) in contest.peers.iter_mut().enumerate() {
            theirs[index].1.push(ms(peer()));
        }
    }
    (mine, theirs)
}

pub fn report_contest(
    table: &mut Table,
    what: &str,
    mine: &[f64],
    theirs: &[(&'static str, Vec<f64>)],
    targets: &[(&str, f64)],
) {
    println!("{what}: kvtui runs (ms) {}", show_samples(mine));
    for (name, samples) in theirs {
        println!("{what}: {name} runs (ms) {}", show_samples(samples));
    }
    if theirs.is_empty() {
        table.value(what, median(mine), "ms", Target::Info);
    }
    for (name, _) in targets {
        if !theirs.iter().any(|(peer, _)| peer == name) {
            table.skipped(what, &format!("{name} not run"));
        }
    }
    for (name, samples) in theirs {
        let max = targets
            .iter()
            .find(|(peer, _)| peer == name)
            .map(|(_, max)| *max)
            .unwrap_or(f64::INFINITY);
        table.ratio(what, median(mine), name, median(samples), "ms", max);
    }
}

/// A one-shot operation as each contender runs it, how each one's output is checked, and the
/// ratio to each peer it must stay within.
struct Operation<'a> {
    what: &'a str,
    kvtui_args: Vec<&'a str>,
    peer_args: Vec<&'a str>,
    kvtui_printed: &'a dyn Fn(&[u8]),
    /// Given the peer's name and its output.
    peer_printed: &'a dyn Fn(&str, &[u8]),
    targets: &'a [(&'a str, f64)],
}

/// Runs `operation`'s contest (with the Python peer when `python` is its interpreter) and puts
/// its row in the table.
fn measure(
    bench: &Bench,
    table: &mut Table,
    runs: usize,
    python: Option<&str>,
    operation: &Operation<'_>,
) {
    let mut peers: Vec<(&'static str, Run<'_>)> = Vec::new();
    if let Some(python) = python {
        peers.push((
            "Python SDK",
            Box::new(move || {
                let (elapsed, stdout) = timed(
                    "python peer",
                    &mut bench.python_peer(python, &operation.peer_args),
                );
                (operation.peer_printed)("python peer", &stdout);
                elapsed
            }),
        ));
    }
    if peer_wanted("rust") {
        peers.push((
            "Rust SDK",
            Box::new(move || {
                let (elapsed, stdout) =
                    timed("rust peer", &mut bench.rust_peer(&operation.peer_args));
                (operation.peer_printed)("rust peer", &stdout);
                elapsed
            }),
        ));
    }
    let (mine, theirs) = contest(
        runs,
        Contest {
            kvtui: Box::new(move || {
                let (elapsed, stdout) =
                    timed("kvtui secret", &mut bench.kvtui(&operation.kvtui_args));
                (operation.kvtui_printed)(&stdout);
                elapsed
            }),
            peers,
        },
    );
    report_contest(table, operation.what, &mine, &theirs, operation.targets);
}

pub fn listing_rows(bench: &Bench, table: &mut Table, runs: usize, versions: usize) {
    let secrets = bench.names.len() + 1;
    let python = crate::vault::python();
    let mut listings = Vec::new();
    if wanted("list") {
        listings.push((
            format!("list {secrets} secrets (`secret list --json`)"),
            vec!["list"],
            secrets,
        ));
    }
    if wanted("versions") {
        listings.push((
            format!("list {versions} versions (`secret versions NAME --json`)"),
            vec!["versions", VERSIONED],
            versions,
        ));
    }
    for (what, peer_args, expected) in listings {
        let operation = Operation {
            what: &what,
            kvtui_args: [&["secret"][..], &peer_args, &["--json"]].concat(),
            peer_args,
            kvtui_printed: &|stdout| {
                assert_eq!(count_json_items(stdout), expected, "kvtui count");
            },
            peer_printed: &|peer, stdout| {
                assert_eq!(count_line(stdout), expected, "{peer} count");
            },
            targets: &[("Python SDK", 0.5), ("Rust SDK", 1.0)],
        };
        measure(bench, table, runs, python.as_deref(), &operation);
    }
}

pub fn show_row(bench: &Bench, table: &mut Table, runs: usize) {
    let name = bench.names[bench.names.len() / 2].clone();
    let python = crate::vault::python();
    let operation = Operation {
        what: "one-shot `secret show NAME` process",
        kvtui_args: vec!["secret", "show", &name],
        peer_args: vec!["show", &name],
        kvtui_printed: &|stdout| assert!(String::from_utf8_lossy(stdout).contains(&name)),
        peer_printed: &|_, stdout| assert_eq!(String::from_utf8_lossy(stdout).trim(), name),
        // The target is against the Python one-shot script; the Rust SDK is shown for
        // context.
        targets: &[("Python SDK", 0.1)],
    };
    measure(bench, table, runs, python.as_deref(), &operation);
}
