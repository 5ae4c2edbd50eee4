//! The local vault: a Key Vault-compatible HTTPS server over a real on-disk store.
//!
//! It is kvtui's zero-config default and the target of the end-to-end tests. [`start`] runs it
//! inside any tokio runtime (the TUI embeds it); `kvtui local-vault` runs it as a process. Nothing
//! here knows about the terminal UI.

pub mod backup;
mod bearer;
pub mod check;
mod connections;
pub mod data_dir;
pub mod faults;
mod forbidden;
mod integrity;
mod ledger;
mod routes;
mod rows;
mod schema;
pub mod store;
pub mod tls;
pub mod token;
mod writing;

use crate::file_trust::FileTrustError;
use crate::vault::RecoveryLevel;
use connections::{Close, Connections, HANDSHAKE_TIMEOUT, Limits};
use faults::{FaultInjector, Faults};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use routes::Shared;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;
use store::LostWrites;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use bearer::TENANT;
pub use data_dir::STORE_FILE;
pub use routes::{BodyError, ResponseBody};
pub use token::TOKEN_FILE;

/// How long a stopping server waits for requests already in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection closed for being idle has to say goodbye (an HTTP/2 GOAWAY).
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(1);
const PURGE_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct LocalVaultConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub recovery_level: RecoveryLevel,
    /// Days a deleted secret stays recoverable; forced to 0 when the level is not recoverable.
    pub recoverable_days: i64,
    pub allow_remote: bool,
    pub faults: Faults,
    /// Whether to open a store that holds fewer writes than it acknowledged.
    pub lost_writes: LostWrites,
}

impl LocalVaultConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir,
            recovery_level: RecoveryLevel::RecoverablePurgeable,
            recoverable_days: 90,
            allow_remote: false,
            faults: Faults::default(),
            lost_writes: LostWrites::Refuse,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalVaultError {
    #[error(
        "refusing to listen on {0}: it is not a loopback address; pass --allow-remote to expose the vault to other machines"
    )]
    NotLoopback(SocketAddr),
    #[error("--recoverable-days must be from 7 to 90 for recovery level {level}, got {days}")]
    RecoverableDays { level: RecoveryLevel, days: i64 },
    #[error("fault settings: {0}")]
    Faults(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("data dir {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The data dir, or a file in it, is another user's, open to others, or a link.
    #[error(transparent)]
    Untrusted(#[from] FileTrustError),
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error(
        "{}: {length} bytes, not {}: the key is damaged, and backups sealed with it cannot be \
         restored; move it away (`mv {} {}.damaged`) and a new one is made on the next start",
        path.display(), backup::KEY_LEN, path.display(), path.display()
    )]
    BackupKey { path: PathBuf, length: usize },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// A started local vault. Dropping it leaves the server running until the runtime ends; call
/// [`RunningVault::shutdown`] to stop it cleanly.
pub struct RunningVault {
    pub url: String,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub ca_file: PathBuf,
    pub token_file: PathBuf,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl RunningVault {
    /// Stops accepting connections and waits (up to 10 s) for requests in flight to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }
}

/// The data dir when none is given: `$KVTUI_DATA_DIR`, else the platform data dir.
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("KVTUI_DATA_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "kvtui").map(|dirs| dirs.data_dir().to_owned())
        })
}

/// The vault's request handling without a listener: its store, token and settings, answering
/// one request at a time. [`start`] serves it over HTTPS; the fuzz targets and property tests call
/// it directly.
pub struct Handler {
    shared: Arc<Shared>,
    identity: tls::Identity,
    data_dir: PathBuf,
}

/// An answer from [`Handler::handle`]: `None` when fault injection drops the connection.
pub type HandlerResponse = Option<hyper::Response<ResponseBody>>;

impl Handler {
    /// Checks `config` and opens (creating on first use) the data dir's token, backup key, TLS
    /// identity and store. Refuses a non-loopback `listen` address unless `allow_remote`.
    pub fn open(config: &LocalVaultConfig) -> Result<Self, LocalVaultError> {
        if !config.allow_remote && !config.listen.ip().is_loopback() {
            return Err(LocalVaultError::NotLoopback(config.listen));
        }
        let recoverable_days = if config.recovery_level.is_recoverable() {
            if !(7..=90).contains(&config.recoverable_days) {
                return Err(LocalVaultError::RecoverableDays {
                    level: config.recovery_level.clone(),
                    days: config.recoverable_days,
                });
            }
            config.recoverable_days
        } else {
            0
        };
        config.faults.validate().map_err(LocalVaultError::Faults)?;
        let (data_dir, contents) = data_dir::open(&config.data_dir, config.lost_writes)?;
        Ok(Self {
            shared: Arc::new(Shared {
                store: Arc::new(contents.store),
                token: contents.token,
                listen_url: format!("https://{}", config.listen),
                recovery_level: config.recovery_level.clone(),
                recoverable_days,
                faults: FaultInjector::new(config.faults.clone()),
                clock_offset: AtomicI64::new(0),
                backup_key: contents.backup_key,
                deleting: Default::default(),
            }),
            identity: contents.identity,
            data_dir,
        })
    }

    /// The bearer token the vault accepts.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Replaces the fault injection settings, as `PUT /_kvtui/faults` does.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.replace(faults);
    }

    /// Answers one request, as the server does for each request on a connection.
    pub async fn handle<B>(&self, request: hyper::Request<B>) -> HandlerResponse
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<BodyError>,
    {
        routes::handle(Arc::clone(&self.shared), request).await.ok()
    }
}

/// Starts the vault on the current tokio runtime and returns once it accepts connections.
pub async fn start(config: LocalVaultConfig) -> Result<RunningVault, LocalVaultError> {
    let Handler {
        shared,
        identity,
        data_dir,
    } = Handler::open(&config)?;
    let data_dir_error = |source| LocalVaultError::DataDir {
        path: data_dir.clone(),
        source,
    };

    let std_listener =
        std::net::TcpListener::bind(config.listen).map_err(|source| LocalVaultError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = std_listener.local_addr().map_err(data_dir_error)?;
    std_listener.set_nonblocking(true).map_err(data_dir_error)?;
    let listener = TcpListener::from_std(std_listener).map_err(data_dir_error)?;
    let url = format!("https://{addr}");
    let mut shared = shared;
    if let Some(shared) = Arc::get_mut(&mut shared) {
        shared.listen_url = url.clone();
    }

    let fd_limit = connections::raise_fd_limit();
    let limits = Limits::for_fd_limit(fd_limit);
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(sweep_purges(Arc::clone(&shared), stopped.clone()));
    let acceptor = tokio_rustls::TlsAcceptor::from(identity.server_config);
    let server = tokio::spawn(serve(
        listener,
        acceptor,
        shared,
        Connections::new(limits),
        stopped,
    ));
    tracing::info!(
        %url,
        data_dir = %data_dir.display(),
        fd_limit,
        max_connections = limits.total,
        max_connections_per_remote_address = limits.per_remote_peer,
        "local vault started"
    );
    Ok(RunningVault {
        url,
        addr,
        token_file: data_dir.join(TOKEN_FILE),
        ca_file: identity.ca_file,
        data_dir,
        stop,
        server,
    })
}

async fn serve(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Arc<Shared>,
    connections: Arc<Connections>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .max_buf_size(64 * 1024);
    builder.http2().max_header_list_size(64 * 1024);
    let builder = Arc::new(builder);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let Some(admission) = connections.admit(peer.ip()) else {
            tracing::warn!(%peer, "connection refused: every slot is serving a request");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let shared = Arc::clone(&shared);
        let builder = Arc::clone(&builder);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let slot = Arc::clone(&admission.slot);
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
            let tls = tokio::select! {
                tls = handshake => match tls {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(error)) => {
                        tracing::debug!(%peer, %error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                },
                () = slot.evicted() => return,
                _ = stopped.wait_for(|stopped| *stopped) => return,
            };
            let requests = Arc::clone(&slot);
            let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
                let busy = requests.begin(bearer::authorized(
                    shared.token.as_bytes(),
                    request.headers(),
                ));
                let shared = Arc::clone(&shared);
                async move {
                    let answer = routes::handle(shared, request).await;
                    drop(busy);
                    answer
                }
            });
            let connection = builder
                .serve_connection(TokioIo::new(tls), service)
                .into_owned();
            let mut connection = std::pin::pin!(connection);
            let close = tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(error) = ended {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                    return;
                }
                close = slot.until_close(&mut stopped) => close,
            };
            tracing::debug!(%peer, ?close, "closing connection");
            let finish = match close {
                Close::Evicted => return,
                Close::Stopping if !slot.is_idle() => DRAIN_TIMEOUT,
                Close::Idle | Close::Stopping => GOODBYE_TIMEOUT,
            };
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(finish, connection).await;
        });
    }
    drop(listener);
    tracing::info!("local vault stopping: draining requests in flight");
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.drained())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the drain timeout");
    }
    let store = Arc::clone(&shared.store);
    let _ = tokio::task::spawn_blocking(move || store.checkpoint()).await;
}

async fn sweep_purges(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(PURGE_SWEEP_INTERVAL);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stopped.changed() => return,
        }
        if let Err(error) = purge_expired(&shared).await {
            tracing::warn!(%error, "purge sweep failed");
        }
    }
}

/// Purges the deleted secrets whose date has passed; how many.
async fn purge_expired(shared: &Arc<Shared>) -> Result<usize, store::StoreError> {
    let store = Arc::clone(&shared.store);
    let now = shared.now();
    let purged = tokio::task::spawn_blocking(move || store.purge_expired(now))
        .await
        .unwrap_or_else(|join| {
            Err(store::StoreError::Corrupt(format!(
                "purge task failed: {join}"
            )))
        })?;
    if purged > 0 {
        tracing::info!(purged, "purged deleted secrets past their date");
    }
    Ok(purged)
}
