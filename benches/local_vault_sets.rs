//! Durable Set Secret throughput of the local vault: 8 concurrent clients, each on its own
//! connection, set secrets for a fixed time against the release binary. Every counted write was
//! acknowledged, and so committed with `synchronous=FULL` (fsync) before its answer.
//!
//! Run: `cargo bench --bench local_vault_sets` (env `KVTUI_BENCH_SECONDS`, default 10). The same
//! measurement is a row of `cargo bench --bench scale`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "common/sets.rs"]
mod sets;

use support::VaultProcess;

const CLIENTS: usize = 8;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("KVTUI_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let vault = VaultProcess::start();
    println!("{}", sets::run(&vault, CLIENTS, seconds).await);
}
