//! Performance at scale, measured against the official SDKs on the same vault in the same run.
//!
//! Run: `cargo bench --bench scale`. It starts the release `kvtui local-vault`, seeds it over
//! HTTPS, and measures each row as the median of several runs, with the ratio to a peer where one
//! exists; then prints a table with the target and its verdict per row. Everything it writes
//! (vault data, configs, logs, the Python venv, `results.md`) is under `target/bench-scale/`.
//!
//! Environment knobs (defaults in brackets):
//! - `KVTUI_BENCH_SECRETS` [10000] secrets in the vault; `KVTUI_BENCH_VERSIONS` [1000] versions
//!   of the one secret whose history is listed;
//! - `KVTUI_BENCH_RUNS` [5] runs per measured row (the median is reported);
//! - `KVTUI_BENCH_NAMES` [100000] names loaded for the filter and render rows;
//! - `KVTUI_BENCH_SECONDS` [10] length of the Set Secret throughput run;
//! - `KVTUI_BENCH_ONLY` [all] a comma list of rows:
//!   list,versions,show,tui,filter,render,discovery,references,import,sets;
//! - `KVTUI_BENCH_PEERS` [python,rust] which peers run (`none` for kvtui alone);
//! - `KVTUI_BENCH_TRACE` [unset] set, the discovery row prints when each request reached the
//!   server.
//!
//! The Python peer is `benches/python/peer.py` in the venv of `tests/python/ensure-venv.sh`; the
//! Rust peer is this bench binary re-run as a child process (`--peer-rust`), so both peers are
//! one-shot processes, as `kvtui secret …` is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../tests/support/mod.rs"]
mod support;

#[path = "../common/sets.rs"]
mod sets;

mod discovery;
mod in_process;
mod names;
mod one_shot;
mod references;
mod rust_peer;
mod table;
mod transfer;
mod tui;
mod vault;

use std::path::{Path, PathBuf};
use support::VaultProcess;
use table::{Table, Target, machine, ms};
use vault::Bench;

pub const KVTUI: &str = env!("CARGO_BIN_EXE_kvtui");
pub const VERSIONED: &str = "bench-versions";
pub const TUI_SIZE: (u16, u16) = (200, 60);

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

pub fn wanted(row: &str) -> bool {
    match std::env::var("KVTUI_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|r| r.trim() == row),
        _ => true,
    }
}

pub fn peer_wanted(peer: &str) -> bool {
    match std::env::var("KVTUI_BENCH_PEERS") {
        Ok(peers) => peers.split(',').any(|p| p.trim() == peer),
        Err(_) => true,
    }
}

/// `target/` (the kvtui binary is `target/release/kvtui`).
fn target_dir() -> PathBuf {
    Path::new(KVTUI)
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_owned()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--peer-rust") {
        rust_peer::run(&args[1..]);
        return;
    }
    let secrets = knob("KVTUI_BENCH_SECRETS", 10_000);
    let versions = knob("KVTUI_BENCH_VERSIONS", 1_000);
    let runs = knob("KVTUI_BENCH_RUNS", 5).max(1);
    let names_in_state = knob("KVTUI_BENCH_NAMES", 100_000);
    let seconds = knob("KVTUI_BENCH_SECONDS", 10) as u64;
    let root = target_dir().join("bench-scale");
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    let machine = machine();
    println!("machine: {machine}");
    println!(
        "sizes: {secrets} secrets, {versions} versions, {names_in_state} names in process; {runs} runs per row"
    );
    let mut table = Table::default();
    let runtime = tokio::runtime::Runtime::new().unwrap();

    if ["list", "versions", "show", "tui"]
        .iter()
        .any(|r| wanted(r))
    {
        let bench = Bench::start(&root, secrets);
        runtime.block_on(bench.seed(versions));
        if wanted("list") || wanted("versions") {
            one_shot::listing_rows(&bench, &mut table, runs, versions);
        }
        if wanted("show") {
            one_shot::show_row(&bench, &mut table, runs);
        }
        if wanted("tui") {
            tui::tui_rows(&bench, &mut table, runs);
        }
    }
    if wanted("filter") || wanted("render") {
        let mut state = in_process::loaded_state(names_in_state);
        if wanted("filter") {
            in_process::filter_row(&mut state, &mut table, runs);
        }
        if wanted("render") {
            in_process::render_row(&mut state, &mut table, runs);
        }
    }
    if wanted("discovery") {
        discovery::discovery_rows(&runtime, &mut table, runs);
    }
    if wanted("references") {
        references::references_rows(&runtime, &root, &mut table, runs);
    }
    if wanted("import") {
        // A Python run is some 1,000 round trips: three runs say enough.
        transfer::import_rows(&runtime, &root, &mut table, runs.min(3));
    }
    if wanted("sets") {
        let data = root.join("sets-vault");
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let vault = VaultProcess::start_in(&data, &[]);
        let result = runtime.block_on(sets::run(&vault, 8, seconds));
        println!("{result}");
        table.value(
            &format!(
                "local vault durable Set Secret, 8 clients (p50 {:.1} ms, p99 {:.1} ms)",
                ms(result.p50),
                ms(result.p99)
            ),
            result.per_second,
            "writes/s",
            Target::AtLeast(1000.0),
        );
    }

    let markdown = table.markdown();
    println!("\n{markdown}");
    let report = format!(
        "machine: {machine}\nsizes: {secrets} secrets, {versions} versions, {names_in_state} names in process; {runs} runs per row\n\n{markdown}"
    );
    std::fs::write(root.join("results.md"), report).unwrap();
    println!("written to {}", root.join("results.md").display());
}
