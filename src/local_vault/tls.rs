//! The local vault's HTTPS identity: a private CA and a leaf certificate for localhost,
//! 127.0.0.1 and ::1, made on first start and reused after.
//!
//! The CA's private key is thrown away once the leaf is signed, so the CA file a client trusts can
//! vouch for this one server and nothing else.

use crate::file_trust::{self, FileRule, FileTrustError, Limit};
use crate::fsutil::{self, Staged};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub const CA_FILE: &str = "ca.pem";
const CERT_FILE: &str = "tls-cert.pem";
const KEY_FILE: &str = "tls-key.pem";
/// Far more than a PEM certificate or key of ours takes.
const PEM_LIMIT: Limit = Limit {
    bytes: 64 * 1024,
    what: "a PEM file of the local vault",
};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Untrusted(#[from] FileTrustError),
    #[error("the TLS identity made just now does not load: {0}")]
    Unusable(String),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The certificate files and the server configuration built from them.
pub struct Identity {
    pub ca_file: PathBuf,
    pub server_config: Arc<rustls::ServerConfig>,
}

/// Loads the data dir's identity, or makes a new one when it is missing, incomplete or does not
/// hang together (a key without its certificate, a certificate another CA signed: what a start
/// killed mid-write, or two starts writing at once before the data dir had a lock, left behind).
/// The caller holds the data dir's lock.
pub(crate) fn load_or_create(data_dir: &Path) -> Result<Identity, TlsError> {
    match load(data_dir)? {
        Ok(identity) => Ok(identity),
        Err(why) => {
            tracing::warn!(%why, "making a new TLS identity for the local vault");
            generate(data_dir)?;
            load(data_dir)?.map_err(TlsError::Unusable)
        }
    }
}

/// The identity in `data_dir`, or why it cannot serve. Files that cannot be trusted are an
/// error, not a reason to make new ones over them.
fn load(data_dir: &Path) -> Result<Result<Identity, String>, TlsError> {
    let read = |name: &str, rule| file_trust::read(&data_dir.join(name), rule, PEM_LIMIT);
    let key = read(KEY_FILE, FileRule::Remade)?;
    let cert = read(CERT_FILE, FileRule::Public)?;
    let ca = read(CA_FILE, FileRule::Public)?;
    let (Some(key), Some(cert), Some(ca)) = (key, cert, ca) else {
        return Ok(Err(format!(
            "{KEY_FILE}, {CERT_FILE} and {CA_FILE} are not all there"
        )));
    };
    let unusable = |name: &str, error: &dyn std::fmt::Display| format!("{name}: {error}");
    let cert = match CertificateDer::from_pem_slice(&cert) {
        Ok(cert) => cert,
        Err(error) => return Ok(Err(unusable(CERT_FILE, &error))),
    };
    let ca = match CertificateDer::from_pem_slice(&ca) {
        Ok(ca) => ca,
        Err(error) => return Ok(Err(unusable(CA_FILE, &error))),
    };
    let key = match PrivateKeyDer::from_pem_slice(&key) {
        Ok(key) => key,
        Err(error) => return Ok(Err(unusable(KEY_FILE, &error))),
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    if let Err(error) = check_signed_by(&cert, &ca, &provider) {
        return Ok(Err(unusable(CERT_FILE, &error)));
    }
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert, ca], key);
    let mut config = match config {
        Ok(config) => config,
        // A key that is not the certificate's.
        Err(error) => return Ok(Err(unusable(KEY_FILE, &error))),
    };
    // Offer HTTP/2 first: clients that speak it reuse one connection for every request.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Ok(Identity {
        ca_file: data_dir.join(CA_FILE),
        server_config: Arc::new(config),
    }))
}

/// Whether a client that trusts `ca` (and nothing else) accepts `cert` for localhost now, as
/// kvtui's client does.
fn check_signed_by(
    cert: &CertificateDer<'_>,
    ca: &CertificateDer<'_>,
    provider: &Arc<CryptoProvider>,
) -> Result<(), rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone())?;
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(provider),
    )
    .build()
    .map_err(|error| rustls::Error::General(error.to_string()))?;
    let localhost = ServerName::try_from("localhost")
        .map_err(|error| rustls::Error::General(error.to_string()))?;
    verifier
        .verify_server_cert(cert, &[], &localhost, &[], UnixTime::now())
        .map(drop)
}

/// Makes a new identity in `data_dir`: all three files are written under temporary names
/// first, and renamed into place only once the whole set is on disk.
fn generate(data_dir: &Path) -> Result<(), TlsError> {
    let now = OffsetDateTime::now_utc();

    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "kvtui local vault CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = now - Duration::days(1);
    ca.not_after = now + Duration::days(3650);
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "kvtui local vault");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = now - Duration::days(1);
    leaf.not_after = now + Duration::days(3650);
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    let write_error = |path: PathBuf| move |source| TlsError::Write { path, source };
    // The key first and the CA last: a CA file only exists once its server identity does.
    let mut staged = Vec::new();
    for (name, contents) in [
        (KEY_FILE, leaf_key.serialize_pem()),
        (CERT_FILE, leaf_cert.pem()),
        (CA_FILE, ca_cert.pem()),
    ] {
        let path = data_dir.join(name);
        staged.push(Staged::write(&path, contents.as_bytes()).map_err(write_error(path))?);
    }
    for file in staged {
        file.commit().map_err(write_error(data_dir.to_owned()))?;
    }
    fsutil::sync_dir(data_dir).map_err(write_error(data_dir.to_owned()))
}
