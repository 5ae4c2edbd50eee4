//! Which certificate authorities kvtui's HTTPS clients trust. The vault client and the
//! credentials' token requests are built from the same roots, so a profile's `ca_file` (a
//! TLS-inspecting proxy's CA) covers the sign-in as well as the vault.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which TLS roots a client trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustRoots {
    /// The platform's trust store.
    System,
    /// The platform's store plus one more anchor (a TLS-inspecting proxy's CA).
    SystemAnd(PathBuf),
    /// Only this CA: a local vault's own.
    Only(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read CA file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("CA file {} is not PEM: {source}", path.display())]
    NotPem {
        path: PathBuf,
        source: reqwest::Error,
    },
}

fn read_ca(path: &Path) -> Result<reqwest::Certificate, TrustError> {
    let pem = std::fs::read(path).map_err(|source| TrustError::Read {
        path: path.to_owned(),
        source,
    })?;
    reqwest::Certificate::from_pem(&pem).map_err(|source| TrustError::NotPem {
        path: path.to_owned(),
        source,
    })
}

impl TrustRoots {
    /// A client builder that trusts these roots, with kvtui's connect timeout and user agent.
    pub fn client_builder(&self) -> Result<reqwest::ClientBuilder, TrustError> {
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("kvtui/", env!("CARGO_PKG_VERSION")));
        Ok(match self {
            Self::System => builder,
            Self::SystemAnd(path) => builder.tls_certs_merge([read_ca(path)?]),
            Self::Only(path) => builder.tls_certs_only([read_ca(path)?]),
        })
    }
}
