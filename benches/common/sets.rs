//! Durable Set Secret throughput of a local vault process: `clients` concurrent clients, each on
//! its own connection, set secrets for a fixed time. Every counted write was acknowledged, and so
//! committed with `synchronous=FULL` (fsync) before its answer. Shared by the `local_vault_sets`
//! and `scale` benches.

use crate::support::{API, VaultProcess};
use serde_json::json;
use std::time::{Duration, Instant};

pub struct SetsResult {
    pub clients: usize,
    pub seconds: f64,
    pub writes: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl std::fmt::Display for SetsResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "local vault durable Set Secret: {} clients, {:.0} s: {} writes, {:.0} writes/s, latency p50 {:.2} ms, p99 {:.2} ms",
            self.clients,
            self.seconds,
            self.writes,
            self.per_second,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
        )
    }
}

pub async fn run(vault: &VaultProcess, clients: usize, seconds: u64) -> SetsResult {
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
    let tasks: Vec<_> = (0..clients)
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
    SetsResult {
        clients,
        seconds: seconds as f64,
        writes: latencies.len(),
        per_second: latencies.len() as f64 / elapsed,
        p50: percentile(0.5),
        p99: percentile(0.99),
    }
}
