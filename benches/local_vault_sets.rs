//! Durable Set Secret throughput of the local vault: 8 concurrent clients, each on its own
//! connection, set secrets for a fixed time against the release binary. Every counted write was
//! acknowledged, and so committed with `synchronous=FULL` (fsync) before its answer.
//!
//! Run: `cargo bench --bench local_vault_sets` (env `KVTUI_BENCH_SECONDS`, default 10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::{API, VaultProcess};

const CLIENTS: usize = 8;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("KVTUI_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let vault = VaultProcess::start();
    // Warm up: TLS sessions and SQLite pages.
    let warm = vault.client();
    for i in 0..50 {
        warm.put(format!("{}/secrets/warm-{i}?{API}", vault.url))
            .bearer_auth(&vault.token)
            .json(&json!({"value": "warm"}))
            .send()
            .await
            .unwrap();
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client_index| {
            let client = vault.client();
            let url = vault.url.clone();
            let token = vault.token.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = 0u64;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let response = client
                        .put(format!(
                            "{url}/secrets/bench-{client_index}-{}?{API}",
                            i % 100
                        ))
                        .bearer_auth(&token)
                        .json(&json!({"value": format!("value {i}"), "tags": {"bench": "yes"}}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    response.bytes().await.unwrap();
                    latencies.push(sent.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "local vault durable Set Secret: {CLIENTS} clients, {seconds} s: {} writes, {:.0} writes/s, latency p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(0.5).as_secs_f64() * 1000.0,
        percentile(0.99).as_secs_f64() * 1000.0,
    );
}
