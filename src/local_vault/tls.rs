//! The local vault's HTTPS identity: a private CA and a leaf certificate for localhost,
//! 127.0.0.1 and ::1, made on first start and reused after.
//!
//! The CA's private key is thrown away once the leaf is signed, so the CA file a client trusts can
//! vouch for this one server and nothing else.

use crate::fsutil::write_private_file;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub const CA_FILE: &str = "ca.pem";
const CERT_FILE: &str = "tls-cert.pem";
const KEY_FILE: &str = "tls-key.pem";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The certificate files and the server configuration built from them.
pub struct Identity {
    pub ca_file: PathBuf,
    pub server_config: Arc<rustls::ServerConfig>,
}

pub fn load_or_create(data_dir: &Path) -> Result<Identity, TlsError> {
    let ca_file = data_dir.join(CA_FILE);
    let cert_file = data_dir.join(CERT_FILE);
    let key_file = data_dir.join(KEY_FILE);
    if !(ca_file.exists() && cert_file.exists() && key_file.exists()) {
        generate(&ca_file, &cert_file, &key_file)?;
    }
    let read_error = |path: &Path, error: &dyn std::fmt::Display| TlsError::Read {
        path: path.to_owned(),
        message: error.to_string(),
    };
    let chain = [&cert_file, &ca_file]
        .into_iter()
        .map(|path| CertificateDer::from_pem_file(path).map_err(|e| read_error(path, &e)))
        .collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&key_file).map_err(|e| read_error(&key_file, &e))?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // Offer HTTP/2 first: clients that speak it reuse one connection for every request.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Identity {
        ca_file,
        server_config: Arc::new(config),
    })
}

fn generate(ca_file: &Path, cert_file: &Path, key_file: &Path) -> Result<(), TlsError> {
    let now = OffsetDateTime::now_utc();
    let write = |path: &Path, contents: &str| {
        write_private_file(path, contents.as_bytes()).map_err(|source| TlsError::Write {
            path: path.to_owned(),
            source,
        })
    };

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

    // The key first and the CA last: a CA file only exists once its server identity does.
    write(key_file, &leaf_key.serialize_pem())?;
    write(cert_file, &leaf_cert.pem())?;
    write(ca_file, &ca_cert.pem())
}
