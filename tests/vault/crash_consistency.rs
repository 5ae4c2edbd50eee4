//! Acknowledged writes survive `kill -9`: concurrent clients set secrets while the vault is killed
//! mid-way, again and again; after each restart every acknowledged version is there with its
//! value, and SQLite's integrity check passes. The same for the vault embedded in the TUI, when
//! the TUI (the real binary, in a PTY) is killed while it and other clients write. And a store
//! whose WAL was deleted after such a crash is refused, not served without the writes it held.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kvtui::local_vault::store::Store;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{API, Kvtui, VaultProcess, client_trusting, version_of};

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
        acknowledged
            .lock()
            .unwrap()
            .push((name, version_of(&body), value));
    }
}

/// `CLIENTS` writers on `vault`, each on its own connection, until it stops answering.
fn start_writers(
    vault: &VaultProcess,
    round: usize,
    acknowledged: &Acknowledged,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CLIENTS)
        .map(|worker| {
            tokio::spawn(writer(
                vault.client(),
                vault.url.clone(),
                vault.token.clone(),
                worker,
                round,
                Arc::clone(acknowledged),
            ))
        })
        .collect()
}

/// Waits until `acknowledged` holds `count` writes more than `before`, then `extra` more time, so
/// a kill lands mid-way through a stream of writes however slow the machine is (a fixed sleep
/// under load could kill a vault that had barely started).
async fn writes_under_way(
    acknowledged: &Acknowledged,
    before: usize,
    count: usize,
    extra: Duration,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < before + count {
        assert!(
            std::time::Instant::now() < deadline,
            "the writers made {} of {count} writes in 60 s",
            acknowledged.lock().unwrap().len() - before
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(extra).await;
}

/// Checks that every write in `acknowledged` (more than `at_least` of them, or the test proves
/// nothing) is in `vault` with its value; how many there were.
async fn assert_all_present(
    vault: &VaultProcess,
    acknowledged: &Acknowledged,
    at_least: usize,
) -> usize {
    let client = vault.client();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > at_least,
        "too few writes to prove anything: {}",
        acknowledged.len()
    );
    for (name, version, value) in &acknowledged {
        let body = vault
            .get_json(&client, &format!("/secrets/{name}/{version}"))
            .await;
        assert_eq!(
            body["value"],
            value.as_str(),
            "acknowledged {name}/{version} is lost"
        );
    }
    acknowledged.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let acknowledged: Acknowledged = Arc::default();
    for round in 0..KILLS {
        let mut vault = VaultProcess::start_in(dir.path(), &[]);
        let before = acknowledged.lock().unwrap().len();
        let writers = start_writers(&vault, round, &acknowledged);
        let extra = Duration::from_millis(100 + 150 * round as u64);
        writes_under_way(&acknowledged, before, 60, extra).await;
        vault.kill_hard();
        for task in writers {
            task.await.unwrap();
        }
    }

    let store = Store::open(&dir.path().join("vault.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);

    let vault = VaultProcess::start_in(dir.path(), &[]);
    let count = assert_all_present(&vault, &acknowledged, 100).await;
    println!("{count} acknowledged writes across {KILLS} kill -9s, all present");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_whose_wal_was_deleted_after_a_crash_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let acknowledged: Acknowledged = Arc::default();
    let mut vault = VaultProcess::start_in(dir.path(), &[]);
    let writers = start_writers(&vault, 0, &acknowledged);
    writes_under_way(&acknowledged, 0, 60, Duration::from_millis(100)).await;
    vault.kill_hard();
    for task in writers {
        task.await.unwrap();
    }
    std::fs::remove_file(dir.path().join("vault.db-wal")).unwrap();

    let refused = VaultProcess::try_start_in(dir.path(), &[])
        .err()
        .expect("a store without the WAL that held its last writes is refused");
    assert!(
        refused.contains("its -wal file was deleted after a crash")
            && refused.contains("--accept-lost-writes"),
        "{refused}"
    );
    // What the refusal kept from being served silently: accepted, the writes are gone.
    let vault = VaultProcess::start_in(dir.path(), &["--accept-lost-writes"]);
    let client = vault.client();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut lost = 0;
    for (name, version, _) in &acknowledged {
        let body = vault
            .get_json(&client, &format!("/secrets/{name}/{version}"))
            .await;
        if body["error"]["code"] == "SecretNotFound" {
            lost += 1;
        }
    }
    assert!(lost > 0, "the deleted WAL held acknowledged writes");
    println!(
        "{lost} of {} acknowledged writes were only in the deleted WAL; the vault refused to \
         start on the store until told to accept their loss",
        acknowledged.len()
    );
}

/// The embedded vault's address, from the status bar ("embedded 127.0.0.1:PORT").
fn embedded_url(screen: &str) -> Option<String> {
    let at = screen.find("embedded 127.0.0.1:")? + "embedded ".len();
    let address: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    Some(format!("https://{address}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_acknowledged_by_the_embedded_vault_survive_killing_the_tui() {
    const EMBEDDED_CLIENTS: usize = 4;
    // No config: the implied local profile, whose vault the TUI embeds.
    let kvtui = Kvtui::without_config();
    let data = kvtui.data_dir();
    let acknowledged: Acknowledged = Arc::default();
    // (name, value) of each Set Secret the TUI's status bar reported done.
    let mut typed: Vec<(String, String)> = Vec::new();
    for round in 0..KILLS {
        let mut tui = kvtui.tui(&[], &[], (100, 30));
        let screen = tui.wait_until("the embedded vault", Duration::from_secs(30), |s| {
            embedded_url(s).is_some()
                && (s.contains("secrets in local") || s.contains("No secrets yet"))
        });
        let url = embedded_url(&screen).unwrap();
        let token = std::fs::read_to_string(data.join("token"))
            .unwrap()
            .trim()
            .to_owned();
        let writers: Vec<_> = (0..EMBEDDED_CLIENTS)
            .map(|worker| {
                tokio::spawn(writer(
                    client_trusting(&data.join("ca.pem")),
                    url.clone(),
                    token.clone(),
                    worker,
                    round,
                    Arc::clone(&acknowledged),
                ))
            })
            .collect();
        // The TUI writes too, through its form, while the other clients hammer its vault.
        for form in 0..2 {
            let name = format!("typed-{round}-{form}");
            let value = format!("typed in round {round}, form {form}");
            tui.start_new_secret(&name, &value);
            tui.submit();
            tui.wait_for(&format!("Set {name}: new version"));
            typed.push((name, value));
        }
        // Killed mid-write: the TUI, and with it the vault inside it.
        tokio::time::sleep(Duration::from_millis(300 + 200 * round as u64)).await;
        let status = std::process::Command::new("kill")
            .args(["-9", &tui.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for task in writers {
            task.await.unwrap();
        }
        drop(tui);
    }

    let store = Store::open(&data.join("vault.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);

    // Every acknowledged write is there, read back by a fresh vault on the same store.
    let vault = VaultProcess::start_in(data, &[]);
    let count = assert_all_present(&vault, &acknowledged, 50).await;
    let client = vault.client();
    for (name, value) in &typed {
        let body = vault.get_json(&client, &format!("/secrets/{name}")).await;
        assert_eq!(
            body["value"],
            value.as_str(),
            "{name}, set through the TUI, is lost"
        );
    }
    println!(
        "{count} writes acknowledged by the embedded vault and {} set through the TUI's form, \
         across {KILLS} kill -9s of the TUI, all present",
        typed.len()
    );
}
