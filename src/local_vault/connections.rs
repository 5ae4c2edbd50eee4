//! Who holds a connection to the vault, and for how long.
//!
//! Every user of a jump box reaches the vault from 127.0.0.1, so refusing an address would lock
//! the legitimate user out with the rest. Instead a new connection is always admitted: at the cap
//! (in all, or for its address) the oldest connection that has not yet sent an authenticated
//! request is closed to make room. An unauthenticated connection is short-lived anyway (a few
//! seconds for its TLS handshake, a few more for its first request), so idle connections held by
//! someone without the token cost a slot for seconds and never a token holder its turn.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// How long a client may take to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection without an authenticated request may sit idle: the wait for a first
/// request, and after a refused (401) one, the wait for the authenticated retry that follows it.
const UNAUTHENTICATED_IDLE: Duration = Duration::from_secs(5);
/// How long an authenticated keep-alive connection may sit idle. Longer than kvtui's own client
/// keeps an idle connection (90 s), so it is the client that closes, never racing a new request.
const AUTHENTICATED_IDLE: Duration = Duration::from_secs(120);
/// The most connections the vault holds at once, whatever its file descriptor limit allows.
const MAX_CONNECTIONS: usize = 1024;

/// How many connections the vault holds at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub total: usize,
    /// For one address of another machine (with `--allow-remote`), so that one machine cannot
    /// take every slot. Loopback has no such cap: every local user is the same address, and the
    /// more slots a newcomer shares with a crowd, the more arrivals it outlives.
    pub per_remote_peer: usize,
}

impl Limits {
    /// For a process that may open `fds` file descriptors: half of them for connections; the
    /// rest for SQLite (two per pooled reader), the log, the listener, and the sockets of evicted
    /// connections whose tasks have not yet run to close them.
    pub fn for_fd_limit(fds: u64) -> Self {
        let total = usize::try_from(fds / 2)
            .unwrap_or(usize::MAX)
            .clamp(16, MAX_CONNECTIONS);
        Self {
            total,
            per_remote_peer: total / 4,
        }
    }

    fn per_peer(&self, peer: IpAddr) -> usize {
        if peer.is_loopback() {
            self.total
        } else {
            self.per_remote_peer
        }
    }
}

/// Raises the soft limit on open files to the hard limit (distributions start processes at
/// 1,024, which about a thousand held connections would exhaust) and returns the limit in force.
pub fn raise_fd_limit() -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(error) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(%error, "cannot raise the open file limit");
        }
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Why a connection is to be closed before its client closes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// Another connection needed its slot: closed at once.
    Evicted,
    /// Idle past its time: closed after telling the client (HTTP/2 GOAWAY).
    Idle,
    /// The vault is stopping: requests in flight finish first.
    Stopping,
}

/// One connection's state, shared by its task and the requests on it.
pub struct Slot {
    authenticated: AtomicBool,
    in_flight: AtomicUsize,
    /// When a request last started or ended (or the connection was admitted), in milliseconds
    /// after `epoch`.
    last_activity_ms: AtomicU64,
    epoch: Instant,
    evicted: Notify,
}

impl Slot {
    fn new() -> Self {
        Self {
            authenticated: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            last_activity_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            evicted: Notify::new(),
        }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity_ms.store(elapsed, Ordering::Relaxed);
    }

    fn is_authenticated(&self) -> bool {
        self.authenticated.load(Ordering::Relaxed)
    }

    /// Whether no request is in flight on the connection.
    pub fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0
    }

    /// Marks a request as started; the connection counts as busy until the guard is dropped.
    pub fn begin(self: &Arc<Self>, authenticated: bool) -> Busy {
        if authenticated {
            self.authenticated.store(true, Ordering::Relaxed);
        }
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.touch();
        Busy(Arc::clone(self))
    }

    /// Resolves when another connection took this one's slot.
    pub async fn evicted(&self) {
        self.evicted.notified().await;
    }

    /// Resolves when the connection is to be closed, and says why.
    pub async fn until_close(&self, stopped: &mut watch::Receiver<bool>) -> Close {
        loop {
            let idle = Idle {
                authenticated: self.is_authenticated(),
                in_flight: self.in_flight.load(Ordering::Relaxed),
                last_activity: self.epoch
                    + Duration::from_millis(self.last_activity_ms.load(Ordering::Relaxed)),
            };
            let Some(check_at) = idle.next_check(Instant::now()) else {
                return Close::Idle;
            };
            tokio::select! {
                () = self.evicted() => return Close::Evicted,
                _ = stopped.wait_for(|stopped| *stopped) => return Close::Stopping,
                () = tokio::time::sleep_until(check_at) => {}
            }
        }
    }
}

/// A request in flight on a connection.
pub struct Busy(Arc<Slot>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// What decides when an idle connection is closed.
#[derive(Clone, Copy, Debug)]
struct Idle {
    authenticated: bool,
    in_flight: usize,
    last_activity: Instant,
}

impl Idle {
    /// `None` when the connection has been idle too long; otherwise when to look again.
    fn next_check(self, now: Instant) -> Option<Instant> {
        let limit = if self.authenticated {
            AUTHENTICATED_IDLE
        } else {
            UNAUTHENTICATED_IDLE
        };
        if self.in_flight > 0 {
            // The request's end touches the activity time; look again a whole limit after now.
            return Some(now + limit);
        }
        let deadline = self.last_activity + limit;
        (deadline > now).then_some(deadline)
    }
}

struct Entry {
    peer: IpAddr,
    slot: Arc<Slot>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    /// By admission order, so the first match is the oldest.
    open: BTreeMap<u64, Entry>,
    evictions: u64,
}

impl Registry {
    /// The connection to close to make room: the oldest one without an authenticated request,
    /// else the oldest authenticated one with no request in flight; of `peer` alone if given.
    fn victim(&self, peer: Option<IpAddr>) -> Option<u64> {
        let of_peer = || {
            self.open
                .iter()
                .filter(move |(_, entry)| peer.is_none_or(|peer| entry.peer == peer))
        };
        of_peer()
            .find(|(_, entry)| !entry.slot.is_authenticated())
            .or_else(|| of_peer().find(|(_, entry)| entry.slot.is_idle()))
            .map(|(id, _)| *id)
    }
}

/// Every connection the vault holds.
pub struct Connections {
    limits: Limits,
    registry: Mutex<Registry>,
    emptied: Notify,
}

impl Connections {
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            registry: Mutex::default(),
            emptied: Notify::new(),
        })
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Admits a connection from `peer`, closing another to make room when at a cap. `None` only
    /// when every connection at the cap has an authenticated request in flight.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admission> {
        let mut registry = self.registry();
        let from_peer = registry
            .open
            .values()
            .filter(|entry| entry.peer == peer)
            .count();
        let full = if from_peer >= self.limits.per_peer(peer) {
            Some(Some(peer))
        } else if registry.open.len() >= self.limits.total {
            Some(None)
        } else {
            None
        };
        if let Some(among) = full {
            let id = registry.victim(among)?;
            if let Some(entry) = registry.open.remove(&id) {
                entry.slot.evicted.notify_one();
            }
            registry.evictions += 1;
            // Once, then every thousandth: a flood is worth knowing about, not a line per socket.
            if registry.evictions % 1000 == 1 {
                tracing::warn!(
                    evictions = registry.evictions,
                    total = self.limits.total,
                    per_remote_peer = self.limits.per_remote_peer,
                    %peer,
                    "at the connection cap: closed the oldest unauthenticated connection to admit a new one"
                );
            }
        }
        let id = registry.next_id;
        registry.next_id += 1;
        let slot = Arc::new(Slot::new());
        registry.open.insert(
            id,
            Entry {
                peer,
                slot: Arc::clone(&slot),
            },
        );
        Some(Admission {
            connections: Arc::clone(self),
            id,
            slot,
        })
    }

    /// Resolves once no connection is open.
    pub async fn drained(&self) {
        loop {
            let emptied = self.emptied.notified();
            if self.registry().open.is_empty() {
                return;
            }
            emptied.await;
        }
    }
}

/// A connection's place among the open ones, given up when dropped.
pub struct Admission {
    connections: Arc<Connections>,
    id: u64,
    pub slot: Arc<Slot>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut registry = self.connections.registry();
        registry.open.remove(&self.id);
        if registry.open.is_empty() {
            self.connections.emptied.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

    fn capped(total: usize, per_remote_peer: usize) -> Arc<Connections> {
        Connections::new(Limits {
            total,
            per_remote_peer,
        })
    }

    fn admitted(connections: &Arc<Connections>, peer: IpAddr, count: usize) -> Vec<Admission> {
        (0..count)
            .map(|_| connections.admit(peer).expect("admitted"))
            .collect()
    }

    fn is_open(connections: &Connections, admission: &Admission) -> bool {
        connections.registry().open.contains_key(&admission.id)
    }

    #[test]
    fn limits_follow_the_descriptor_limit() {
        assert_eq!(
            Limits::for_fd_limit(1024),
            Limits {
                total: 512,
                per_remote_peer: 128
            }
        );
        assert_eq!(Limits::for_fd_limit(1 << 20).total, MAX_CONNECTIONS);
        assert_eq!(Limits::for_fd_limit(3).total, 16);
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_unauthenticated_connection_makes_room() {
        let connections = capped(4, 1);
        let held = admitted(&connections, LOCAL, 4);
        let _request = held[1].slot.begin(true);
        let newcomer = connections.admit(LOCAL).expect("admitted at the cap");
        assert!(!is_open(&connections, &held[0]), "the oldest goes first");
        assert!(is_open(&connections, &newcomer));
        // The next: held[1] is authenticated, so held[2] goes.
        let _second = connections.admit(LOCAL).expect("admitted");
        assert!(is_open(&connections, &held[1]));
        assert!(!is_open(&connections, &held[2]));
        tokio::time::timeout(Duration::from_secs(1), held[0].slot.evicted())
            .await
            .expect("the evicted connection is told");
    }

    #[test]
    fn authenticated_idle_connections_go_only_when_nothing_else_can() {
        let connections = capped(2, 1);
        let held = admitted(&connections, LOCAL, 2);
        let busy = held[0].slot.begin(true);
        drop(held[1].slot.begin(true));
        let _third = connections.admit(LOCAL).expect("room made");
        assert!(is_open(&connections, &held[0]), "a request in flight");
        assert!(
            !is_open(&connections, &held[1]),
            "idle, though authenticated"
        );
        let _busy_too = _third.slot.begin(true);
        assert!(
            connections.admit(LOCAL).is_none(),
            "every slot is serving an authenticated request"
        );
        drop(busy);
    }

    #[test]
    fn a_remote_peer_at_its_cap_makes_room_among_its_own() {
        let connections = capped(8, 2);
        let local = admitted(&connections, LOCAL, 3);
        let remote = admitted(&connections, OTHER, 2);
        let _newcomer = connections.admit(OTHER).expect("admitted");
        assert!(!is_open(&connections, &remote[0]));
        assert!(
            local.iter().all(|held| is_open(&connections, held)),
            "another address keeps its connections"
        );
        let _more_local = admitted(&connections, LOCAL, 2);
        assert!(
            local.iter().all(|held| is_open(&connections, held)),
            "loopback has no cap of its own below the total"
        );
    }

    #[test]
    fn idle_connections_close_after_their_time() {
        let start = Instant::now();
        let fresh = Idle {
            authenticated: false,
            in_flight: 0,
            last_activity: start,
        };
        assert_eq!(fresh.next_check(start), Some(start + UNAUTHENTICATED_IDLE));
        assert_eq!(fresh.next_check(start + UNAUTHENTICATED_IDLE), None);
        let known = Idle {
            authenticated: true,
            ..fresh
        };
        assert!(known.next_check(start + UNAUTHENTICATED_IDLE).is_some());
        assert_eq!(known.next_check(start + AUTHENTICATED_IDLE), None);
        let busy = Idle {
            in_flight: 1,
            ..known
        };
        let late = start + AUTHENTICATED_IDLE * 10;
        assert_eq!(busy.next_check(late), Some(late + AUTHENTICATED_IDLE));
    }

    #[tokio::test]
    async fn drained_waits_for_the_last_connection() {
        let connections = Connections::new(Limits::for_fd_limit(1024));
        let held = admitted(&connections, LOCAL, 2);
        let drained = tokio::spawn({
            let connections = Arc::clone(&connections);
            async move { connections.drained().await }
        });
        tokio::task::yield_now().await;
        assert!(!drained.is_finished());
        drop(held);
        tokio::time::timeout(Duration::from_secs(1), drained)
            .await
            .expect("drained")
            .expect("task");
    }
}
