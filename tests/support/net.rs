//! The network a user on a jump box reaches a vault through, on loopback: a test CA, HTTPS
//! servers that answer for real host names (`vaultname.vault.azure.net`,
//! `login.microsoftonline.com`), and an HTTP CONNECT proxy that is the only way to them. kvtui
//! is pointed at the proxy with `HTTPS_PROXY` and at the CA with a profile's `ca_file`, and
//! resolves no name itself: the proxy maps each `host:port` it is asked for to a loopback server.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A certificate authority made for one test, its certificate in a PEM file.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pub pem_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestCa {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params
            .distinguished_name
            .push(DnType::CommonName, "kvtui test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("ca key");
        let certificate = params.self_signed(&key).expect("ca cert");
        let dir = tempfile::tempdir().expect("tempdir");
        let pem_file = dir.path().join("test-ca.pem");
        std::fs::write(&pem_file, certificate.pem()).expect("write ca");
        Self {
            issuer: Issuer::new(params, key),
            pem_file,
            _dir: dir,
        }
    }

    /// A server configuration whose certificate, signed by this CA, names `hosts`.
    pub fn server_config(&self, hosts: &[&str]) -> Arc<rustls::ServerConfig> {
        self.leaf_config(hosts, |_| {})
    }

    /// As `server_config`, with a certificate that expired in 2001.
    pub fn expired_server_config(&self, hosts: &[&str]) -> Arc<rustls::ServerConfig> {
        self.leaf_config(hosts, |params| {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        })
    }

    fn leaf_config(
        &self,
        hosts: &[&str],
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> Arc<rustls::ServerConfig> {
        let mut params =
            CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>())
                .expect("leaf params");
        adjust(&mut params);
        params.distinguished_name.push(DnType::CommonName, hosts[0]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().expect("leaf key");
        let certificate = params.signed_by(&key, &self.issuer).expect("leaf cert");
        let chain =
            vec![CertificateDer::from_pem_slice(certificate.pem().as_bytes()).expect("leaf der")];
        let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).expect("key der");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// A runtime of its own (so blocking tests can drive the real binary meanwhile) and a listener on
/// a free loopback port.
fn loopback_listener() -> (tokio::runtime::Runtime, tokio::net::TcpListener, SocketAddr) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    (runtime, listener, addr)
}

/// One request as a stub server saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// When it arrived, for the pace of a client that polls.
    pub at: std::time::Instant,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query's parameters, decoded.
    pub fn query(&self) -> BTreeMap<String, String> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What a stub answers.
#[derive(Clone, Debug)]
pub struct StubResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl StubResponse {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&SeenRequest) -> StubResponse + Send + Sync;

/// A server on loopback, on its own thread and runtime, so blocking tests can drive the real
/// binary against it. Stopped when dropped.
pub struct StubServer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    _runtime: tokio::runtime::Runtime,
}

impl StubServer {
    /// HTTPS with `tls`; every request goes to `handler`.
    pub fn https(
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&SeenRequest) -> StubResponse + Send + Sync + 'static,
    ) -> Self {
        Self::start(Some(tls), Duration::ZERO, Arc::new(handler))
    }

    /// As [`StubServer::https`], answering each request `latency` after it arrived (a far
    /// service), without holding up the others meanwhile.
    pub fn https_after(
        tls: Arc<rustls::ServerConfig>,
        latency: Duration,
        handler: impl Fn(&SeenRequest) -> StubResponse + Send + Sync + 'static,
    ) -> Self {
        Self::start(Some(tls), latency, Arc::new(handler))
    }

    /// Plain HTTP (a managed-identity endpoint is plain HTTP on loopback).
    pub fn http(handler: impl Fn(&SeenRequest) -> StubResponse + Send + Sync + 'static) -> Self {
        Self::start(None, Duration::ZERO, Arc::new(handler))
    }

    fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        latency: Duration,
        handler: Arc<Handler>,
    ) -> Self {
        let (runtime, listener, addr) = loopback_listener();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&seen);
        runtime.spawn(async move {
            let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                // As a service's front end does: with Nagle on, a reply in two writes waits for
                // the client's delayed ACK (40 ms on Linux) before its second part.
                let _ = stream.set_nodelay(true);
                let handler = Arc::clone(&handler);
                let recorded = Arc::clone(&recorded);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let handler = Arc::clone(&handler);
                        let recorded = Arc::clone(&recorded);
                        async move {
                            let seen = read_request(request).await;
                            tokio::time::sleep(latency).await;
                            let answer = handler(&seen);
                            recorded.lock().expect("seen").push(seen);
                            Ok::<_, std::convert::Infallible>(to_response(answer))
                        }
                    });
                    let builder =
                        hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(stream).await else {
                                return;
                            };
                            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                        }
                        None => {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                });
            }
        });
        Self {
            addr,
            seen,
            _runtime: runtime,
        }
    }

    /// Every request answered so far, in order.
    pub fn seen(&self) -> Vec<SeenRequest> {
        self.seen.lock().expect("seen").clone()
    }
}

async fn read_request(request: hyper::Request<hyper::body::Incoming>) -> SeenRequest {
    let at = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes().to_vec())
        .unwrap_or_default();
    SeenRequest {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        at,
    }
}

fn to_response(answer: StubResponse) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(name, value);
    }
    response
        .body(Full::new(Bytes::from(answer.body)))
        .expect("response")
}

/// An HTTP CONNECT proxy on loopback that tunnels only to the routes it was given
/// (`"vaultname.vault.azure.net:443"` → a stub's address) and refuses the rest with 502, as a
/// jump box's proxy would for a host it cannot reach. It records every CONNECT target.
pub struct ConnectProxy {
    pub addr: SocketAddr,
    connects: Arc<Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl ConnectProxy {
    pub fn start(routes: &[(&str, SocketAddr)]) -> Self {
        let routes: Arc<BTreeMap<String, SocketAddr>> = Arc::new(
            routes
                .iter()
                .map(|(target, addr)| (target.to_ascii_lowercase(), *addr))
                .collect(),
        );
        let (runtime, listener, addr) = loopback_listener();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&connects);
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let routes = Arc::clone(&routes);
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    let _ = tunnel(client, &routes, &recorded).await;
                });
            }
        });
        Self {
            addr,
            connects,
            _runtime: runtime,
        }
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends `command`'s HTTPS through this proxy and no other: every proxy variable it would
    /// inherit is removed, and `HTTPS_PROXY` names this one.
    pub fn route(&self, command: &mut std::process::Command) {
        for variable in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            command.env_remove(variable);
        }
        command.env("HTTPS_PROXY", self.url());
    }

    /// Every `host:port` a client asked to be connected to, in order.
    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().expect("connects").clone()
    }
}

async fn tunnel(
    mut client: tokio::net::TcpStream,
    routes: &BTreeMap<String, SocketAddr>,
    recorded: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    // The request head ends at the first empty line; nothing follows it until we answer.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    recorded.lock().expect("connects").push(target.to_owned());
    let route = (method == "CONNECT")
        .then(|| routes.get(&target.to_ascii_lowercase()))
        .flatten();
    let Some(route) = route else {
        client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let mut server = tokio::net::TcpStream::connect(route).await?;
    client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// Writes `contents` as an executable script at `dir/name` (a stand-in for `az` or `azd`).
pub fn write_executable(dir: &Path, name: &str, contents: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// `PATH` with `dir` first.
pub fn path_with(dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}
