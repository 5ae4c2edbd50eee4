//! Acknowledged writes survive `kill -9`: concurrent clients set secrets while the vault is killed
//! mid-way, again and again; after each restart every acknowledged version is there with its
//! value, and SQLite's integrity check passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kvtui::local_vault::store::Store;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{API, VaultProcess};

const CLIENTS: usize = 8;
const KILLS: usize = 3;

/// (name, version, value) of each write the vault answered 200 to.
type Acknowledged = Arc<Mutex<Vec<(String, String, String)>>>;

async fn writer(
    client: reqwest::Client,
    url: String,
    token: String,
    worker: usize,
    round: usize,
    acknowledged: Acknowledged,
) {
    for i in 0.. {
        let name = format!("crash-{worker}-{}", i % 5);
        let value = format!("round {round} worker {worker} write {i}");
        let sent = client
            .put(format!("{url}/secrets/{name}?{API}"))
            .bearer_auth(&token)
            .json(&json!({"value": value}))
            .send()
            .await;
        let Ok(response) = sent else { return };
        if response.status() != 200 {
            return;
        }
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        let version = body["id"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        acknowledged.lock().unwrap().push((name, version, value));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let acknowledged: Acknowledged = Arc::default();
    for round in 0..KILLS {
        let mut vault = VaultProcess::start_in(dir.path(), &[]);
        let writers: Vec<_> = (0..CLIENTS)
            .map(|worker| {
                tokio::spawn(writer(
                    vault.client(),
                    vault.url.clone(),
                    vault.token.clone(),
                    worker,
                    round,
                    Arc::clone(&acknowledged),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700 + 300 * round as u64)).await;
        vault.kill_hard();
        for task in writers {
            task.await.unwrap();
        }
    }

    let store = Store::open(&dir.path().join("vault.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);

    let vault = VaultProcess::start_in(dir.path(), &[]);
    let client = vault.client();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "too few writes to prove anything: {}",
        acknowledged.len()
    );
    for (name, version, value) in &acknowledged {
        let response = client
            .get(format!("{}/secrets/{name}/{version}?{API}", vault.url))
            .bearer_auth(&vault.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "acknowledged {name}/{version} is lost"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["value"], value.as_str());
    }
    println!(
        "{} acknowledged writes across {KILLS} kill -9s, all present",
        acknowledged.len()
    );
}
