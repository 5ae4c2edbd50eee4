//! Import on the service's budget (issue 17): 1,000 secrets from a file into a local vault that
//! answers every data-plane request 20 ms late and throttles as the service does (4,000
//! requests per 10 s), by one `kvtui secret import --yes` process per run; the peer is the
//! official Python SDK's `set_secret` for each entry in turn, as a script importing the file
//! would. Each run imports new values, so every secret is a real write for both. kvtui's floor:
//! a listing of deleted secrets, 1,000 reads for the plan, then 1,000 writes each after the
//! stale-write guard's read, 32 at once: 3,000 / 32, about 94 round trips (one request at a
//! time it is about 3,000; the Python script sends 1,000, unguarded). Then one run against a vault
//! throttling at 1,000 per 10 s, to show kvtui rides a throttle out rather than failing.

use crate::one_shot::{Contest, Run, contest, report_contest, timed};
use crate::support::VaultProcess;
use crate::table::{Table, Target, median};
use crate::vault::{kvtui_command, python, python_peer_on};
use serde_json::json;
use std::cell::Cell;
use std::path::{Path, PathBuf};

const LATENCY_MS: u64 = 20;
const SECRETS: usize = 1_000;
/// The service's limit for secrets (Azure Key Vault service limits).
const SERVICE_THROTTLE: u32 = 4_000;

/// A file of `SECRETS` secrets whose values say which `round` wrote them.
fn import_file(dir: &Path, who: &str, round: usize) -> PathBuf {
    let secrets: Vec<_> = (0..SECRETS)
        .map(|index| {
            json!({
                "name": format!("import-{index:04}"),
                "value": format!("{who}-round-{round}-value-{index}"),
                "contentType": "text/plain",
                "tags": {"team": "payments"},
            })
        })
        .collect();
    let path = dir.join(format!("{who}-{round}.json"));
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({ "secrets": secrets })).unwrap(),
    )
    .unwrap();
    path
}

fn throttled(vault: &VaultProcess) -> usize {
    vault
        .logged_statuses()
        .iter()
        .filter(|&&s| s == 429)
        .count()
}

pub fn import_rows(runtime: &tokio::runtime::Runtime, root: &Path, table: &mut Table, runs: usize) {
    let dir = root.join("import");
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("vault");
    std::fs::create_dir_all(&data).unwrap();
    let vault = VaultProcess::start_in(&data, &[]);
    runtime.block_on(vault.set_faults(json!({
        "latency_ms": LATENCY_MS,
        "throttle_per_10s": SERVICE_THROTTLE,
    })));
    let config_dir = dir.join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        vault.profile_toml("bench", false),
    )
    .unwrap();

    let python = python();
    let (kvtui_round, python_round) = (Cell::new(0), Cell::new(0));
    let mut peers: Vec<(&'static str, Run<'_>)> = Vec::new();
    if let Some(python) = &python {
        peers.push((
            "Python SDK",
            Box::new(|| {
                python_round.set(python_round.get() + 1);
                let file = import_file(&dir, "python", python_round.get());
                let args = ["set-many", file.to_str().unwrap()];
                let mut command = python_peer_on(python, &vault, &dir, &args);
                let (elapsed, stdout) = timed("python peer set-many", &mut command);
                assert_eq!(String::from_utf8_lossy(&stdout).trim(), SECRETS.to_string());
                elapsed
            }),
        ));
    }
    let kvtui_import = |file: &Path| {
        let args = ["secret", "import", file.to_str().unwrap(), "--yes"];
        let (elapsed, stdout) = timed("kvtui import", &mut kvtui_command(&dir, &config_dir, &args));
        let printed = String::from_utf8_lossy(&stdout);
        assert!(
            printed.contains(&format!("done {SECRETS}, failed 0")),
            "kvtui import: {}",
            printed.lines().last().unwrap_or_default()
        );
        elapsed
    };
    let (mine, theirs) = contest(
        runs,
        Contest {
            kvtui: Box::new(|| {
                kvtui_round.set(kvtui_round.get() + 1);
                kvtui_import(&import_file(&dir, "kvtui", kvtui_round.get()))
            }),
            peers,
        },
    );
    let what = "import 1,000 secrets, 20 ms each, throttled at 4,000 per 10 s";
    report_contest(table, what, &mine, &theirs, &[("Python SDK", 0.1)]);
    table.value(
        &format!("{what}, in round trips (2,000 reads and 1,000 writes, 32 at once)"),
        median(&mine) / LATENCY_MS as f64,
        "round trips",
        Target::Info,
    );
    let throttled_so_far = throttled(&vault);
    table.check(
        &format!("{what}: 429s answered"),
        throttled_so_far.to_string(),
        throttled_so_far == 0,
    );

    // A throttle a quarter of the service's: the second half of the requests is refused with
    // 429 and a Retry-After, which kvtui waits out.
    runtime.block_on(vault.set_faults(json!({
        "latency_ms": LATENCY_MS,
        "throttle_per_10s": SERVICE_THROTTLE / 4,
    })));
    // The window of the runs above passes first, so this run starts with the whole budget.
    std::thread::sleep(std::time::Duration::from_secs(10));
    let elapsed = kvtui_import(&import_file(&dir, "kvtui-throttled", 1));
    let ridden_out = throttled(&vault) - throttled_so_far;
    table.check(
        "import 1,000 secrets against a throttle of 1,000 per 10 s: all written, 429s waited out",
        format!("{ridden_out} 429s, {:.1} s", elapsed.as_secs_f64()),
        ridden_out > 0,
    );
}
