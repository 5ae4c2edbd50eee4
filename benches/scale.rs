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
//! - `KVTUI_BENCH_ONLY` [all] a comma list of rows: list,versions,show,tui,filter,render,sets;
//! - `KVTUI_BENCH_PEERS` [python,rust] which peers run (`none` for kvtui alone).
//!
//! The Python peer is `benches/python/peer.py` in the venv of `tests/python/ensure-venv.sh`; the
//! Rust peer is this bench binary re-run as a child process (`--peer-rust`), so both peers are
//! one-shot processes, as `kvtui secret …` is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "common/sets.rs"]
mod sets;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures_util::TryStreamExt;
use kvtui::app::msg::Msg;
use kvtui::app::update::update;
use kvtui::state::{Connection, State};
use kvtui::vault::{SecretAttributes, SecretItem};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use support::{API, VaultProcess};

const KVTUI: &str = env!("CARGO_BIN_EXE_kvtui");
const VERSIONED: &str = "bench-versions";
const TUI_SIZE: (u16, u16) = (200, 60);

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn wanted(row: &str) -> bool {
    match std::env::var("KVTUI_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|r| r.trim() == row),
        _ => true,
    }
}

fn peer_wanted(peer: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Names

const TEAMS: [&str; 16] = [
    "payments",
    "orders",
    "identity",
    "search",
    "billing",
    "checkout",
    "ledger",
    "fraud",
    "shipping",
    "catalog",
    "reports",
    "mobile",
    "gateway",
    "notify",
    "analytics",
    "auth",
];
const ENVS: [&str; 4] = ["prod", "staging", "dev", "qa"];
const KINDS: [&str; 12] = [
    "db-password",
    "api-key",
    "connection-string",
    "client-secret",
    "signing-cert",
    "webhook-hmac",
    "storage-key",
    "sas-token",
    "jwt-key",
    "tls-cert",
    "redis-password",
    "smtp-password",
];

/// `count` distinct names shaped like a real vault's (`payments-prod-db-password-00042`).
fn names(count: usize) -> Vec<String> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let team = TEAMS[(seed % 16) as usize];
            let env = ENVS[((seed >> 8) % 4) as usize];
            let kind = KINDS[((seed >> 16) % 12) as usize];
            format!("{team}-{env}-{kind}-{i:05}")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Statistics and the table

fn median(samples: &[f64]) -> f64 {
    percentile(samples, 0.5)
}

fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (sorted.len() - 1) as f64 * p;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn show_samples(samples: &[f64]) -> String {
    samples
        .iter()
        .map(|s| format!("{s:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

enum Target {
    AtMost(f64),
    AtLeast(f64),
    /// Shown for context; no target.
    Info,
}

struct Row {
    what: String,
    kvtui: String,
    peer: String,
    ratio: String,
    target: String,
    verdict: &'static str,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// A row comparing kvtui's median with a peer's median (both in `unit`).
    fn ratio(&mut self, what: &str, kvtui: f64, peer_name: &str, peer: f64, unit: &str, max: f64) {
        let ratio = kvtui / peer;
        let (target, verdict_text) = if max.is_finite() {
            (format!("≤ {max}× {peer_name}"), verdict(ratio <= max))
        } else {
            ("—".to_owned(), "info")
        };
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: format!("{kvtui:.1} {unit}"),
            peer: format!("{peer_name} {peer:.1} {unit}"),
            ratio: format!("{ratio:.3}×"),
            target,
            verdict: verdict_text,
        });
    }

    fn value(&mut self, what: &str, value: f64, unit: &str, target: Target) {
        let (target_text, verdict_text) = match target {
            Target::AtMost(max) => (format!("≤ {max} {unit}"), verdict(value <= max)),
            Target::AtLeast(min) => (format!("≥ {min} {unit}"), verdict(value >= min)),
            Target::Info => ("—".to_owned(), "info"),
        };
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: format!("{value:.2} {unit}"),
            peer: "—".into(),
            ratio: "—".into(),
            target: target_text,
            verdict: verdict_text,
        });
    }

    /// A yes/no property that must hold.
    fn check(&mut self, what: &str, observed: String, holds: bool) {
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: observed,
            peer: "—".into(),
            ratio: "—".into(),
            target: "holds".into(),
            verdict: verdict(holds),
        });
    }

    fn skipped(&mut self, what: &str, why: &str) {
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: "—".into(),
            peer: why.to_owned(),
            ratio: "—".into(),
            target: "—".into(),
            verdict: "skipped",
        });
    }

    fn markdown(&self) -> String {
        let mut text = String::from(
            "| measurement | kvtui | peer | ratio | target | verdict |\n|---|---|---|---|---|---|\n",
        );
        for row in &self.rows {
            text.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                row.what, row.kvtui, row.peer, row.ratio, row.target, row.verdict
            ));
        }
        text
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kib: f64 = info
                .lines()
                .find(|line| line.starts_with("MemTotal"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some(format!("{:.0} GiB", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| k.trim().to_owned())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}, Linux {kernel}; load average at start {load}")
}

// ---------------------------------------------------------------------------------------------
// The vault and the processes measured against it

struct Bench {
    vault: VaultProcess,
    root: PathBuf,
    /// The kvtui config dir with a `bench` profile on the vault.
    config_dir: PathBuf,
    names: Vec<String>,
    python: Option<Result<String, String>>,
}

impl Bench {
    fn start(root: &Path, secrets: usize) -> Self {
        let data = root.join("vault");
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let vault = VaultProcess::start_in(&data, &[]);
        let config_dir = root.join("config");
        std::fs::create_dir_all(&config_dir).unwrap();
        std::fs::write(
            config_dir.join("config.toml"),
            format!(
                "default_profile = \"bench\"\n\n[profiles.bench]\nvault_url = \"{}\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\n",
                vault.url,
                vault.data_dir.display()
            ),
        )
        .unwrap();
        Self {
            vault,
            root: root.to_owned(),
            config_dir,
            names: names(secrets),
            python: None,
        }
    }

    /// Sets every secret (content type and a tag, as real ones have) and the versions of one,
    /// over HTTPS with 16 requests in flight.
    async fn seed(&self, versions: usize) {
        let started = Instant::now();
        let client = self.vault.client();
        let mut work: Vec<(String, String)> = self
            .names
            .iter()
            .map(|name| (name.clone(), format!("value of {name}")))
            .collect();
        work.extend((0..versions).map(|i| (VERSIONED.to_owned(), format!("version {i}"))));
        let work = Arc::new(Mutex::new(work));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let client = client.clone();
                let work = Arc::clone(&work);
                let url = self.vault.url.clone();
                let token = self.vault.token.clone();
                tokio::spawn(async move {
                    loop {
                        let Some((name, value)) = work.lock().unwrap().pop() else {
                            return;
                        };
                        let team = name.split('-').next().unwrap_or("none").to_owned();
                        let response = client
                            .put(format!("{url}/secrets/{name}?{API}"))
                            .bearer_auth(&token)
                            .json(&serde_json::json!({
                                "value": value,
                                "contentType": "text/plain",
                                "tags": {"owner": team},
                            }))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 200, "seeding {name}");
                        // Read the answer: a dropped one is a cancelled stream, and the server
                        // ends a connection that sees too many of those.
                        response.bytes().await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        println!(
            "seeded {} secrets and {versions} versions of {VERSIONED} in {:.1} s",
            self.names.len(),
            started.elapsed().as_secs_f64()
        );
    }

    fn sorted_names(&self) -> Vec<String> {
        let mut sorted: Vec<String> = self.names.clone();
        sorted.push(VERSIONED.to_owned());
        sorted.sort_by_key(|name| name.to_ascii_lowercase());
        sorted
    }

    fn kvtui(&self, args: &[&str]) -> Command {
        let mut command = Command::new(KVTUI);
        command
            .args(args)
            .env("KVTUI_CONFIG_DIR", &self.config_dir)
            .env("KVTUI_DATA_DIR", self.root.join("cli-data"))
            .env_remove("KVTUI_LOG")
            .stdin(Stdio::null());
        command
    }

    fn python(&mut self) -> Result<String, String> {
        self.python
            .get_or_insert_with(|| {
                let output = Command::new("bash")
                    .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/ensure-venv.sh"))
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run ensure-venv.sh: {e}"))?;
                if !output.status.success() {
                    return Err(format!(
                        "ensure-venv.sh failed: {}",
                        String::from_utf8_lossy(&output.stderr).trim()
                    ));
                }
                Ok(String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_owned())
            })
            .clone()
    }

    fn peer_env(&self, command: &mut Command) {
        command
            .env("KVTUI_VAULT_URL", &self.vault.url)
            .env("KVTUI_VAULT_CA", &self.vault.ca_file)
            .env("KVTUI_VAULT_TOKEN", &self.vault.token)
            .env("KVTUI_VAULT_DATA", &self.vault.data_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("TMPDIR", self.root.join("tmp"))
            .stdin(Stdio::null());
    }

    fn python_peer(&self, python: &str, args: &[&str]) -> Command {
        let mut command = Command::new(python);
        command
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/peer.py"))
            .args(args);
        self.peer_env(&mut command);
        command
    }

    fn rust_peer(&self, args: &[&str]) -> Command {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.arg("--peer-rust").args(args);
        self.peer_env(&mut command);
        command
    }
}

/// Runs `command` to the end and returns its wall time and stdout; panics if it fails.
fn timed(what: &str, command: &mut Command) -> (Duration, Vec<u8>) {
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
struct Contest<'a> {
    kvtui: Run<'a>,
    peers: Vec<(&'static str, Run<'a>)>,
}

/// One timed run of a process.
type Run<'a> = Box<dyn FnMut() -> Duration + 'a>;

/// Samples in ms, per peer.
type PeerSamples = Vec<(&'static str, Vec<f64>)>;

fn contest(runs: usize, mut contest: Contest<'_>) -> (Vec<f64>, PeerSamples) {
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

fn report_contest(
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

fn listing_rows(bench: &mut Bench, table: &mut Table, runs: usize, versions: usize) {
    let expected = bench.names.len() + 1;
    let python = if peer_wanted("python") {
        match bench.python() {
            Ok(python) => Some(python),
            Err(why) => {
                println!("Python peer skipped: {why}");
                None
            }
        }
    } else {
        None
    };
    let with_rust = peer_wanted("rust");

    let operations: Vec<(&str, String, Vec<String>, usize, &str)> = {
        let mut ops = Vec::new();
        if wanted("list") {
            ops.push((
                "list",
                format!("list {expected} secrets (`secret list --json`)"),
                vec!["list".to_owned()],
                expected,
                "list",
            ));
        }
        if wanted("versions") {
            ops.push((
                "versions",
                format!("list {versions} versions (`secret versions NAME --json`)"),
                vec!["versions".to_owned(), VERSIONED.to_owned()],
                versions,
                "versions",
            ));
        }
        ops
    };
    for (_, what, kvtui_args, expected, peer_op) in operations {
        let mut kvtui_command: Vec<&str> = vec!["secret"];
        kvtui_command.extend(kvtui_args.iter().map(String::as_str));
        kvtui_command.push("--json");
        let peer_args: Vec<&str> = std::iter::once(peer_op)
            .chain(kvtui_args.iter().skip(1).map(String::as_str))
            .collect();
        let bench_ref = &*bench;
        let mut peers: Vec<(&'static str, Run<'_>)> = Vec::new();
        if let Some(python) = &python {
            let args = peer_args.clone();
            peers.push((
                "Python SDK",
                Box::new(move || {
                    let (elapsed, stdout) =
                        timed("python peer", &mut bench_ref.python_peer(python, &args));
                    assert_eq!(count_line(&stdout), expected, "python peer count");
                    elapsed
                }),
            ));
        }
        if with_rust {
            let args = peer_args.clone();
            peers.push((
                "Rust SDK",
                Box::new(move || {
                    let (elapsed, stdout) = timed("rust peer", &mut bench_ref.rust_peer(&args));
                    assert_eq!(count_line(&stdout), expected, "rust peer count");
                    elapsed
                }),
            ));
        }
        let command_args = kvtui_command.clone();
        let (mine, theirs) = contest(
            runs,
            Contest {
                kvtui: Box::new(move || {
                    let (elapsed, stdout) =
                        timed("kvtui secret", &mut bench_ref.kvtui(&command_args));
                    assert_eq!(count_json_items(&stdout), expected, "kvtui count");
                    elapsed
                }),
                peers,
            },
        );
        report_contest(
            table,
            &what,
            &mine,
            &theirs,
            &[("Python SDK", 0.5), ("Rust SDK", 1.0)],
        );
    }
}

fn show_row(bench: &mut Bench, table: &mut Table, runs: usize) {
    let name = bench.names[bench.names.len() / 2].clone();
    let python = if peer_wanted("python") {
        match bench.python() {
            Ok(python) => Some(python),
            Err(why) => {
                println!("Python peer skipped: {why}");
                None
            }
        }
    } else {
        None
    };
    let bench_ref = &*bench;
    let mut peers: Vec<(&'static str, Run<'_>)> = Vec::new();
    if let Some(python) = &python {
        let name = name.clone();
        peers.push((
            "Python SDK",
            Box::new(move || {
                let (elapsed, stdout) = timed(
                    "python show",
                    &mut bench_ref.python_peer(python, &["show", &name]),
                );
                assert_eq!(String::from_utf8_lossy(&stdout).trim(), name);
                elapsed
            }),
        ));
    }
    if peer_wanted("rust") {
        let name = name.clone();
        peers.push((
            "Rust SDK",
            Box::new(move || {
                let (elapsed, stdout) =
                    timed("rust show", &mut bench_ref.rust_peer(&["show", &name]));
                assert_eq!(String::from_utf8_lossy(&stdout).trim(), name);
                elapsed
            }),
        ));
    }
    let shown = name.clone();
    let (mine, theirs) = contest(
        runs,
        Contest {
            kvtui: Box::new(move || {
                let (elapsed, stdout) = timed(
                    "kvtui show",
                    &mut bench_ref.kvtui(&["secret", "show", &shown]),
                );
                assert!(String::from_utf8_lossy(&stdout).contains(&shown));
                elapsed
            }),
            peers,
        },
    );
    // The target is against the Python one-shot script; the Rust SDK is shown for context.
    report_contest(
        table,
        "one-shot `secret show NAME` process",
        &mine,
        &theirs,
        &[("Python SDK", 0.1)],
    );
}

// ---------------------------------------------------------------------------------------------
// The TUI through a PTY

struct TuiRun {
    first_page: Duration,
    key_latency: Duration,
    /// The title still said "page N" when the key was answered: pages were streaming.
    key_while_streaming: bool,
    pages_when_answered: String,
    all_loaded: Duration,
    rss_mib: f64,
    peak_mib: f64,
}

#[derive(Default)]
struct Marks {
    first_page: Option<Instant>,
    key_answered: Option<(Instant, bool, String)>,
    loaded: Option<Instant>,
    screen: String,
}

fn proc_status_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn tui_run(bench: &Bench, first_page_names: &[String], total: usize) -> TuiRun {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    let (cols, rows) = TUI_SIZE;
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(KVTUI);
    command.env("TERM", "xterm-256color");
    command.env("KVTUI_CONFIG_DIR", &bench.config_dir);
    command.env("KVTUI_DATA_DIR", bench.root.join("tui-data"));
    command.env_remove("KVTUI_LOG");
    let marks = Arc::new((Mutex::new(Marks::default()), Condvar::new()));
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let pid = child.process_id().unwrap();
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let first_page_names: Vec<String> = first_page_names.to_vec();
    // The title says where the cursor is, of how many: "Secrets 1/10001" once every page is in.
    let loaded_title = format!("/{total} ");
    let sink = Arc::clone(&marks);
    std::thread::spawn(move || {
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        );
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(read @ 1..) = reader.read(&mut buffer) {
            parser.process(&buffer[..read]);
            let now = Instant::now();
            let screen = parser.screen().contents();
            let (lock, wake) = &*sink;
            let mut marks = lock.lock().unwrap();
            if marks.first_page.is_none()
                && first_page_names
                    .iter()
                    .all(|name| screen.contains(name.as_str()))
            {
                marks.first_page = Some(now);
            }
            if marks.key_answered.is_none() && screen.contains("/▏") {
                let title = screen.lines().next().unwrap_or_default();
                let page = title
                    .split_whitespace()
                    .skip_while(|word| *word != "page")
                    .nth(1)
                    .unwrap_or("-")
                    .to_owned();
                marks.key_answered = Some((now, title.contains(" page "), page));
            }
            if marks.loaded.is_none()
                && screen.contains(&loaded_title)
                && !screen.lines().next().unwrap_or_default().contains(" page ")
            {
                marks.loaded = Some(now);
            }
            marks.screen = screen;
            wake.notify_all();
        }
    });
    let wait = |done: &dyn Fn(&Marks) -> bool, what: &str| {
        let (lock, wake) = &*marks;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = wake
            .wait_timeout_while(guard, Duration::from_secs(60), |m| !done(m))
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "TUI: timed out waiting for {what}; the screen:\n{}",
            guard.screen
        );
    };
    wait(&|m| m.first_page.is_some(), "the first page");
    let key_sent = Instant::now();
    writer.write_all(b"/").unwrap();
    writer.flush().unwrap();
    wait(&|m| m.key_answered.is_some(), "the filter prompt");
    writer.write_all(b"\x1b").unwrap();
    writer.flush().unwrap();
    wait(&|m| m.loaded.is_some(), "every page");
    // Let the selection's details and versions load too, as a user would see them.
    std::thread::sleep(Duration::from_millis(500));
    let rss_mib = proc_status_mib(pid, "VmRSS:");
    let peak_mib = proc_status_mib(pid, "VmHWM:");
    let _ = writer.write_all(b"q");
    let _ = writer.flush();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let (lock, _) = &*marks;
    let marks = lock.lock().unwrap();
    let (answered, streaming, page) = marks.key_answered.clone().unwrap();
    TuiRun {
        first_page: marks.first_page.unwrap() - started,
        key_latency: answered - key_sent,
        key_while_streaming: streaming,
        pages_when_answered: page,
        all_loaded: marks.loaded.unwrap() - started,
        rss_mib,
        peak_mib,
    }
}

fn tui_rows(bench: &Bench, table: &mut Table, runs: usize) {
    let sorted = bench.sorted_names();
    let total = sorted.len();
    let first_page: Vec<String> = sorted.iter().take(25).cloned().collect();
    let _ = tui_run(bench, &first_page, total); // warm-up
    let results: Vec<TuiRun> = (0..runs)
        .map(|_| tui_run(bench, &first_page, total))
        .collect();
    let collect = |get: &dyn Fn(&TuiRun) -> f64| results.iter().map(get).collect::<Vec<f64>>();
    let first = collect(&|r| ms(r.first_page));
    let key = collect(&|r| ms(r.key_latency));
    let loaded = collect(&|r| ms(r.all_loaded));
    let rss = collect(&|r| r.rss_mib);
    let peak = collect(&|r| r.peak_mib);
    println!("TUI first page painted (ms): {}", show_samples(&first));
    println!("TUI key answered (ms): {}", show_samples(&key));
    println!(
        "TUI page being fetched when the key was answered: {}",
        results
            .iter()
            .map(|r| r.pages_when_answered.clone())
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("TUI every page loaded (ms): {}", show_samples(&loaded));
    println!("TUI VmRSS (MiB): {}", show_samples(&rss));
    println!("TUI VmHWM (MiB): {}", show_samples(&peak));
    table.value(
        &format!(
            "TUI launch → first page painted ({}×{} PTY)",
            TUI_SIZE.0, TUI_SIZE.1
        ),
        median(&first),
        "ms",
        Target::AtMost(150.0),
    );
    let streaming = results.iter().filter(|r| r.key_while_streaming).count();
    table.check(
        "TUI answers a key while pages stream in",
        format!(
            "{streaming}/{} runs, key → screen {:.1} ms",
            results.len(),
            median(&key)
        ),
        streaming == results.len(),
    );
    table.value(
        &format!("TUI launch → all {total} secrets listed"),
        median(&loaded),
        "ms",
        Target::Info,
    );
    table.value(
        &format!("TUI resident memory, {total} secrets loaded (VmRSS)"),
        median(&rss),
        "MiB",
        Target::AtMost(40.0),
    );
    table.value(
        "TUI peak resident memory (VmHWM)",
        median(&peak),
        "MiB",
        Target::Info,
    );
}

// ---------------------------------------------------------------------------------------------
// In process: the filter and the render over many names

fn loaded_state(count: usize) -> State {
    let config = kvtui::config::Config::parse(
        "default_profile = \"bench\"\n[profiles.bench]\nvault_url = \"https://bench.vault.azure.net\"\nauth = \"azure-cli\"\n",
        Path::new("/bench/config.toml"),
    )
    .unwrap();
    let now = 1_800_000_000;
    let mut state = State::new(config.profiles.clone(), 0, Some("bench".into()), now);
    update(&mut state, Msg::Resize(TUI_SIZE.0, TUI_SIZE.1));
    kvtui::app::update::start(&mut state);
    let generation = state.generation;
    update(
        &mut state,
        Msg::Connected {
            generation,
            result: Ok(Connection {
                vault_url: "https://bench.vault.azure.net".into(),
                embedded: false,
            }),
        },
    );
    let mut names = names(count);
    names.sort_by_key(|name| name.to_ascii_lowercase());
    let started = Instant::now();
    let pages = names.chunks(25).count();
    for (index, chunk) in names.chunks(25).enumerate() {
        let items = chunk
            .iter()
            .enumerate()
            .map(|(i, name)| SecretItem {
                id: Some(format!("https://bench.vault.azure.net/secrets/{name}")),
                attributes: Some(SecretAttributes {
                    enabled: Some(i % 7 != 0),
                    exp: (i % 3 == 0).then_some(now + (i as i64 % 60) * 86_400),
                    created: Some(now - 86_400 * 40),
                    updated: Some(now - 86_400 * 3),
                    ..SecretAttributes::default()
                }),
                tags: None,
                content_type: Some("text/plain".into()),
                managed: None,
            })
            .collect();
        let ticket = kvtui::state::Ticket {
            generation,
            request: state.list.request,
        };
        update(
            &mut state,
            Msg::SecretsPage {
                ticket,
                result: Ok(items),
                done: index + 1 == pages,
            },
        );
    }
    println!(
        "loaded {count} names into the state ({pages} pages through update) in {:.1} ms",
        ms(started.elapsed())
    );
    state
}

fn key(state: &mut State, code: KeyCode) -> Duration {
    let started = Instant::now();
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    started.elapsed()
}

fn filter_row(state: &mut State, table: &mut Table, runs: usize) {
    const QUERIES: [&str; 7] = [
        "paydbpass",
        "prod api key",
        "orders-staging-jwt",
        "ledger 004",
        "zqxj",
        "checkout tls 9",
        "authsmtp",
    ];
    let mut latencies = Vec::new();
    let mut first_keys = Vec::new();
    // (ms, query typed so far, matches) of every keystroke, to name the slow ones.
    let mut keystrokes: Vec<(f64, String, usize)> = Vec::new();
    for _ in 0..runs {
        for query in QUERIES {
            key(state, KeyCode::Char('/'));
            for (index, c) in query.chars().enumerate() {
                let elapsed = ms(key(state, KeyCode::Char(c)));
                if index == 0 {
                    first_keys.push(elapsed);
                }
                latencies.push(elapsed);
                keystrokes.push((elapsed, state.list.query.clone(), state.list.visible.len()));
            }
            for _ in 0..query.chars().count() {
                let elapsed = ms(key(state, KeyCode::Backspace));
                latencies.push(elapsed);
                keystrokes.push((
                    elapsed,
                    format!("{}⌫", state.list.query),
                    state.list.visible.len(),
                ));
            }
            key(state, KeyCode::Esc);
        }
    }
    keystrokes.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "slowest keystrokes (ms, query after the key, matches): {}",
        keystrokes
            .iter()
            .take(12)
            .map(|(ms, query, matches)| format!("{ms:.2} {query:?} {matches}"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let count = state.list.rows.len();
    println!(
        "filter over {count} names: {} keystrokes, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms; first key of a query p50 {:.3} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        median(&first_keys),
    );
    table.value(
        &format!("filter keystroke over {count} names, p50"),
        percentile(&latencies, 0.5),
        "ms",
        Target::Info,
    );
    table.value(
        &format!("filter keystroke over {count} names, p99"),
        percentile(&latencies, 0.99),
        "ms",
        Target::AtMost(5.0),
    );
}

fn render_row(state: &mut State, table: &mut Table, runs: usize) {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let theme = kvtui::ui::Theme::from_env();
    let mut terminal = Terminal::new(TestBackend::new(TUI_SIZE.0, TUI_SIZE.1)).unwrap();
    let frames = 100 * runs;
    let mut times = Vec::with_capacity(frames);
    for frame in 0..frames {
        // Move through the list so every frame draws different rows; jump now and then.
        let code = match frame % 50 {
            0 => KeyCode::PageDown,
            25 => KeyCode::End,
            49 => KeyCode::Home,
            _ => KeyCode::Char('j'),
        };
        key(state, code);
        let started = Instant::now();
        terminal
            .draw(|f| kvtui::ui::render(f, state, &theme))
            .unwrap();
        times.push(ms(started.elapsed()));
    }
    let count = state.list.rows.len();
    println!(
        "render {}×{} with {count} secrets: {frames} frames, p50 {:.3} ms, p99 {:.3} ms",
        TUI_SIZE.0,
        TUI_SIZE.1,
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    table.value(
        &format!(
            "render one frame {}×{}, {count} secrets loaded (median)",
            TUI_SIZE.0, TUI_SIZE.1
        ),
        median(&times),
        "ms",
        Target::AtMost(2.0),
    );
    table.value(
        "render one frame, p99",
        percentile(&times, 0.99),
        "ms",
        Target::Info,
    );
}

// ---------------------------------------------------------------------------------------------
// The Rust SDK peer (this binary, re-run as a child)

fn rust_peer(args: &[String]) {
    use azure_core::http::{ClientOptions, Transport};
    use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = std::env::var("KVTUI_VAULT_URL").unwrap();
        let ca = std::fs::read(std::env::var("KVTUI_VAULT_CA").unwrap()).unwrap();
        let data_dir = PathBuf::from(std::env::var("KVTUI_VAULT_DATA").unwrap());
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .build()
            .unwrap();
        let options = SecretClientOptions {
            client_options: ClientOptions {
                transport: Some(Transport::new(Arc::new(http))),
                ..Default::default()
            },
            verify_challenge_resource: Some(false),
            ..Default::default()
        };
        let credential = Arc::new(kvtui::auth::LocalVaultCredential::new(
            data_dir.join("token"),
        ));
        let client = SecretClient::new(&url, credential, Some(options)).unwrap();
        match args[0].as_str() {
            "list" => {
                let mut items = client.list_secret_properties(None).unwrap();
                let mut count = 0;
                while items.try_next().await.unwrap().is_some() {
                    count += 1;
                }
                println!("{count}");
            }
            "versions" => {
                let mut items = client
                    .list_secret_properties_versions(&args[1], None)
                    .unwrap();
                let mut count = 0;
                while items.try_next().await.unwrap().is_some() {
                    count += 1;
                }
                println!("{count}");
            }
            "show" => {
                let secret = client
                    .get_secret(&args[1], None)
                    .await
                    .unwrap()
                    .into_model()
                    .unwrap();
                use azure_security_keyvault_secrets::ResourceExt;
                println!("{}", secret.resource_id().unwrap().name);
            }
            other => panic!("unknown peer operation {other}"),
        }
    });
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--peer-rust") {
        rust_peer(&args[1..]);
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
        let mut bench = Bench::start(&root, secrets);
        runtime.block_on(bench.seed(versions));
        if wanted("list") || wanted("versions") {
            listing_rows(&mut bench, &mut table, runs, versions);
        }
        if wanted("show") {
            show_row(&mut bench, &mut table, runs);
        }
        if wanted("tui") {
            tui_rows(&bench, &mut table, runs);
        }
    }
    if wanted("filter") || wanted("render") {
        let mut state = loaded_state(names_in_state);
        if wanted("filter") {
            filter_row(&mut state, &mut table, runs);
        }
        if wanted("render") {
            render_row(&mut state, &mut table, runs);
        }
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
