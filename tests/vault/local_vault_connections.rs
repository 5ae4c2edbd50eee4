//! The local vault under a crowd of idle connections from someone without the token, against the
//! real binary started with the open-file limit many systems give a process (1,024). Every local
//! user connects from 127.0.0.1, so the vault cannot refuse the crowd by address: it has to shed
//! it and still serve the legitimate client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use rustls::pki_types::ServerName;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::raw::{address, tls_config};
use support::{API, VaultProcess};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const HOSTILE: usize = 2_000;
/// Legitimate requests while the hostile connections are being opened, and as many after.
const LEGITIMATE_EACH_PHASE: usize = 25;
/// How long one hostile connection may take to get as far as it goes; the vault sheds some
/// before that, which is the point.
const OPEN_WITHIN: Duration = Duration::from_secs(5);
/// Longest a legitimate request may take before it counts as failed.
const SERVED_WITHIN: Duration = Duration::from_secs(5);

/// What a hostile connection does before going quiet.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    /// Connects and sends nothing.
    Tcp,
    /// Sends a TLS ClientHello and never finishes the handshake.
    HalfHandshake,
    /// Finishes the TLS handshake and sends no request.
    NoRequest,
    /// Negotiates HTTP/2 and sends only its connection preface.
    Http2Preface,
}

const KINDS: [Hostile; 4] = [
    Hostile::Tcp,
    Hostile::HalfHandshake,
    Hostile::NoRequest,
    Hostile::Http2Preface,
];

type Held = Box<dyn AsyncRead + Unpin + Send>;

async fn open(vault: &VaultProcess, kind: Hostile) -> Option<Held> {
    let steps = async {
        let mut tcp = TcpStream::connect(address(vault)).await.ok()?;
        let name = ServerName::try_from("127.0.0.1").unwrap();
        let held: Held = match kind {
            Hostile::Tcp => Box::new(tcp),
            Hostile::HalfHandshake => {
                let mut client =
                    rustls::ClientConnection::new(tls_config(vault, &[]), name).unwrap();
                let mut hello = Vec::new();
                client.write_tls(&mut hello).unwrap();
                tcp.write_all(&hello).await.ok()?;
                Box::new(tcp)
            }
            Hostile::NoRequest => Box::new(
                TlsConnector::from(tls_config(vault, &[b"http/1.1"]))
                    .connect(name, tcp)
                    .await
                    .ok()?,
            ),
            Hostile::Http2Preface => {
                let mut tls = TlsConnector::from(tls_config(vault, &[b"h2"]))
                    .connect(name, tcp)
                    .await
                    .ok()?;
                assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
                tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                    .await
                    .ok()?;
                tls.flush().await.ok()?;
                Box::new(tls)
            }
        };
        Some(held)
    };
    tokio::time::timeout(OPEN_WITHIN, steps)
        .await
        .ok()
        .flatten()
}

/// Whether the vault has closed `held`: it reads to the end within `within`.
async fn closed_by_the_vault(mut held: Held, within: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match held.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// One request as a one-shot CLI run makes it: a new connection, its TLS handshake, a GET.
async fn legitimate_request(vault: &VaultProcess) -> Result<Duration, String> {
    let started = Instant::now();
    let client = vault.client();
    let response = tokio::time::timeout(
        SERVED_WITHIN,
        client
            .get(format!("{}/secrets/probe?{API}", vault.url))
            .bearer_auth(&vault.token)
            .send(),
    )
    .await
    .map_err(|_| format!("no answer within {SERVED_WITHIN:?}"))?
    .map_err(|error| format!("{error:?}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    if status != 200 || body["value"] != "still here" {
        return Err(format!("{status}: {body}"));
    }
    Ok(started.elapsed())
}

async fn legitimate_requests(vault: &VaultProcess, count: usize) -> Vec<Result<Duration, String>> {
    let mut outcomes = Vec::new();
    for _ in 0..count {
        outcomes.push(legitimate_request(vault).await);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    outcomes
}

fn summary(latencies: &mut [Duration]) -> String {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "p50 {:.1} ms, max {:.1} ms",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1])
    )
}

fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}

/// Lets this test process hold the hostile connections itself; false if its hard limit is
/// too low for them.
fn enough_descriptors_here() -> bool {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    );
    getrlimit(Resource::Nofile)
        .current
        .is_none_or(|soft| soft > HOSTILE as u64 + 500)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legitimate_client_is_served_while_2000_hostile_idle_connections_are_held() {
    if !enough_descriptors_here() {
        println!("SKIPPED: this process may not open {HOSTILE} connections (raise ulimit -Hn)");
        return;
    }
    let test_started = Instant::now();
    let vault = Arc::new(VaultProcess::start_with_fd_limit(1024, 1024));
    let set = vault
        .client()
        .put(format!("{}/secrets/probe?{API}", vault.url))
        .bearer_auth(&vault.token)
        .json(&serde_json::json!({"value": "still here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);

    let most_descriptors = Arc::new(AtomicUsize::new(0));
    let sampler = tokio::spawn({
        let (pid, most) = (vault.pid(), Arc::clone(&most_descriptors));
        async move {
            loop {
                most.fetch_max(open_descriptors(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });

    // The crowd, 64 connecting at a time, each kind in turn; everything opened is held to the end.
    let held: Arc<Mutex<Vec<(Hostile, Held)>>> = Arc::default();
    let opening = tokio::spawn({
        let (vault, held) = (Arc::clone(&vault), Arc::clone(&held));
        async move {
            let permits = Arc::new(tokio::sync::Semaphore::new(64));
            let tasks: Vec<_> = (0..HOSTILE)
                .map(|i| {
                    let (vault, held) = (Arc::clone(&vault), Arc::clone(&held));
                    let permits = Arc::clone(&permits);
                    tokio::spawn(async move {
                        let _permit = permits.acquire().await.unwrap();
                        let kind = KINDS[i % KINDS.len()];
                        if let Some(connection) = open(&vault, kind).await {
                            held.lock().unwrap().push((kind, connection));
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        }
    });
    let during = legitimate_requests(&vault, LEGITIMATE_EACH_PHASE).await;
    opening.await.unwrap();
    let all_opened = Instant::now();
    let opened = held.lock().unwrap().len();
    let after = legitimate_requests(&vault, LEGITIMATE_EACH_PHASE).await;
    sampler.abort();

    let failures: Vec<(&str, &String)> = during
        .iter()
        .map(|r| ("while the crowd arrived", r))
        .chain(after.iter().map(|r| ("once it was held", r)))
        .filter_map(|(phase, r)| Some((phase, r.as_ref().err()?)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} legitimate requests failed: {failures:?}",
        failures.len(),
        2 * LEGITIMATE_EACH_PHASE
    );
    let latencies = |outcomes: &[Result<Duration, String>]| -> Vec<Duration> {
        outcomes.iter().map(|r| *r.as_ref().unwrap()).collect()
    };
    let mut all = latencies(&during);
    all.extend(latencies(&after));
    println!(
        "{opened} of {HOSTILE} hostile connections got as far as they go; the vault held at most \
         {} file descriptors (limit 1024)",
        most_descriptors.load(Ordering::Relaxed)
    );
    println!(
        "legitimate requests, each on a new connection: while the crowd arrived {}; once it was \
         held {}; all {} {}",
        summary(&mut latencies(&during)),
        summary(&mut latencies(&after)),
        all.len(),
        summary(&mut all)
    );

    // Whatever the vault did not shed to make room, it times out: every one of them is closed.
    let wait = (all_opened + Duration::from_secs(6)).saturating_duration_since(Instant::now());
    tokio::time::sleep(wait).await;
    let held = std::mem::take(&mut *held.lock().unwrap());
    let closed =
        futures_util::future::join_all(held.into_iter().map(|(kind, connection)| async move {
            (
                kind,
                closed_by_the_vault(connection, Duration::from_secs(2)).await,
            )
        }))
        .await;
    let mut still_open = std::collections::BTreeMap::<String, usize>::new();
    for (kind, _) in closed.iter().filter(|(_, closed)| !closed) {
        *still_open.entry(format!("{kind:?}")).or_default() += 1;
    }
    assert!(
        still_open.is_empty(),
        "hostile connections the vault never closed: {still_open:?}"
    );
    println!(
        "every hostile connection was closed by the vault; the test took {:?}",
        test_started.elapsed()
    );
}

#[test]
fn the_open_file_limit_is_raised_to_the_hard_limit() {
    let vault = VaultProcess::start_with_fd_limit(1024, 4096);
    assert_eq!(vault.limit("Max open files"), ["4096", "4096"]);
}
