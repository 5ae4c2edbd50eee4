//! References on the service's budget (issue 16): 50 `kv://PROFILE/NAME` references over three
//! local vaults, each answering every data-plane request 20 ms late (a far region), resolved by
//! one `kvtui env --env-file` process per run. The peer is the official Python SDK's `get_secret`
//! in a loop, as a script resolves them; its interpreter start alone is timed too, since it is
//! most of a one-shot Python process. Figures are also in round trips (elapsed / 20 ms): kvtui's
//! floor is 2 (per vault, the 401 challenge, then its 17 reads at once), plus process start and
//! TLS; one request at a time it is 53 (50 reads, a challenge per vault). Then `kvtui run` with
//! one reference, against starting the same command alone, with the latency and without.

use crate::one_shot::{Contest, Run, contest, report_contest, timed};
use crate::support::VaultProcess;
use crate::table::{Table, Target, median};
use crate::vault::{kvtui_command, peer_script, python, python_command};
use serde_json::json;
use std::path::Path;
use std::process::Command;

const LATENCY_MS: f64 = 20.0;
const REFERENCES: usize = 50;
const PROFILES: [&str; 3] = ["prod", "staging", "dev"];
/// Per vault a challenge then the reads, one at a time.
const SEQUENTIAL_TRIPS: f64 = (REFERENCES + PROFILES.len()) as f64;

struct Reference {
    variable: String,
    vault: usize,
    secret: String,
    value: String,
}

impl Reference {
    fn written(&self) -> String {
        format!("kv://{}/{}", PROFILES[self.vault], self.secret)
    }
}

pub fn references_rows(
    runtime: &tokio::runtime::Runtime,
    root: &Path,
    table: &mut Table,
    runs: usize,
) {
    let dir = root.join("references");
    let _ = std::fs::remove_dir_all(&dir);
    let vaults: Vec<VaultProcess> = PROFILES
        .iter()
        .map(|profile| {
            let data = dir.join(profile);
            std::fs::create_dir_all(&data).unwrap();
            VaultProcess::start_in(&data, &[])
        })
        .collect();
    // Spread in turn, so 17, 17 and 16, and the env file names the vaults interleaved.
    let references: Vec<Reference> = (0..REFERENCES)
        .map(|index| {
            let vault = index % PROFILES.len();
            let secret = format!("app-{index:02}-secret");
            Reference {
                variable: format!("APP_{index:02}_SECRET"),
                value: format!("{secret}-value-in-{}", PROFILES[vault]),
                vault,
                secret,
            }
        })
        .collect();
    runtime.block_on(async {
        for reference in &references {
            vaults[reference.vault]
                .set(&reference.secret, &reference.value)
                .await;
        }
        for vault in &vaults {
            vault
                .set_faults(json!({ "latency_ms": LATENCY_MS as u64 }))
                .await;
        }
    });

    let config_dir = dir.join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let profiles: String = PROFILES
        .iter()
        .zip(&vaults)
        .map(|(profile, vault)| vault.profile_toml(profile, true))
        .collect();
    std::fs::write(config_dir.join("config.toml"), profiles).unwrap();
    let env_file = dir.join("references.env");
    let lines: String = references
        .iter()
        .map(|r| format!("{}={}\n", r.variable, r.written()))
        .collect();
    std::fs::write(&env_file, lines).unwrap();
    let peer_file = dir.join("peer.json");
    let wanted: Vec<_> = references
        .iter()
        .map(|r| {
            let vault = &vaults[r.vault];
            json!({"url": vault.url, "ca": vault.ca_file, "token": vault.token, "name": r.secret})
        })
        .collect();
    std::fs::write(&peer_file, serde_json::to_vec(&wanted).unwrap()).unwrap();

    let mut expected: Vec<String> = references
        .iter()
        .map(|r| format!("{}={}", r.variable, r.value))
        .collect();
    expected.sort();
    let values: Vec<&str> = references.iter().map(|r| r.value.as_str()).collect();
    let env_file = env_file.to_str().unwrap();
    let peer_file = peer_file.to_str().unwrap();
    let python = python();
    let mut peers: Vec<(&'static str, Run<'_>)> = Vec::new();
    if let Some(python) = &python {
        peers.push((
            "Python SDK",
            Box::new(|| {
                let mut command = python_command(python, &dir);
                command.arg(peer_script()).args(["get-many", peer_file]);
                let (elapsed, stdout) = timed("python peer get-many", &mut command);
                let printed: Vec<&str> = std::str::from_utf8(&stdout).unwrap().lines().collect();
                assert_eq!(printed, values, "the Python peer's values");
                elapsed
            }),
        ));
        peers.push((
            "Python start and imports alone",
            Box::new(|| {
                let mut command = python_command(python, &dir);
                command.args(["-c", "import azure.keyvault.secrets"]);
                timed("python start", &mut command).0
            }),
        ));
    }
    let (mine, theirs) = contest(
        runs,
        Contest {
            kvtui: Box::new(|| {
                let (elapsed, stdout) = timed(
                    "kvtui env",
                    &mut kvtui_command(&dir, &config_dir, &["env", "--env-file", env_file]),
                );
                let mut printed: Vec<&str> =
                    std::str::from_utf8(&stdout).unwrap().lines().collect();
                printed.sort_unstable();
                assert_eq!(printed, expected, "kvtui env's lines");
                elapsed
            }),
            peers,
        },
    );

    let what = "resolve 50 references over 3 vaults, 20 ms each (`env --env-file`)";
    report_contest(table, what, &mine, &theirs, &[]);
    let trips = |ms: f64| ms / LATENCY_MS;
    let kvtui_trips = trips(median(&mine));
    table.value(
        &format!("{what}, in round trips (floor 2: a challenge, then every read at once)"),
        kvtui_trips,
        "round trips",
        Target::AtMost(4.0),
    );
    table.ratio(
        &format!("{what}, against one request at a time"),
        kvtui_trips,
        "one request at a time (floor)",
        SEQUENTIAL_TRIPS,
        "round trips",
        f64::INFINITY,
    );
    if let [(_, sdk), (_, start)] = theirs.as_slice() {
        let requests = median(sdk) - median(start);
        println!(
            "{what}: Python SDK {:.1} round trips, {:.1} less its interpreter start",
            trips(median(sdk)),
            trips(requests)
        );
        table.ratio(
            &format!("{what}, against the Python SDK's median less its start's"),
            median(&mine),
            "Python SDK less start",
            requests,
            "ms",
            f64::INFINITY,
        );
    }
    run_rows(
        runtime,
        &dir,
        &config_dir,
        &vaults[0],
        &references[0],
        table,
        runs,
    );
}

/// `kvtui run --env X=REF -- true` against `true` alone: what resolving one reference and
/// watching the child's output cost a command, at each of the vault's `latencies`.
fn run_rows(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    config_dir: &Path,
    vault: &VaultProcess,
    reference: &Reference,
    table: &mut Table,
    runs: usize,
) {
    let assignment = format!("{}={}", reference.variable, reference.written());
    for latency in [LATENCY_MS, 0.0] {
        runtime.block_on(vault.set_faults(json!({ "latency_ms": latency as u64 })));
        let (mine, theirs) = contest(
            runs,
            Contest {
                kvtui: Box::new(|| {
                    let mut command = kvtui_command(
                        dir,
                        config_dir,
                        &["run", "--env", &assignment, "--", "true"],
                    );
                    timed("kvtui run", &mut command).0
                }),
                peers: vec![(
                    "`true` alone",
                    Box::new(|| timed("true", &mut Command::new("true")).0),
                )],
            },
        );
        let what = format!("`kvtui run --env X=REF -- true`, vault {latency} ms away");
        report_contest(table, &what, &mine, &theirs, &[]);
        table.value(
            &format!("{what}: kvtui run's overhead (difference of the medians)"),
            median(&mine) - median(&theirs[0].1),
            "ms",
            Target::Info,
        );
    }
}
