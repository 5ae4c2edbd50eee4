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

/// A CA bundle is a few hundred KiB at the most (the whole Mozilla set is about 220 KiB).
const CA_FILE_LIMIT: crate::file_trust::Limit = crate::file_trust::Limit {
    bytes: 1 << 20,
    what: "a CA file",
};

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Unreadable, not a regular file, too large, or writable by another user (who could then
    /// vouch for any server).
    #[error("CA file {0}")]
    Read(crate::file_trust::FileTrustError),
    #[error("CA file {} is not PEM: {source}", path.display())]
    NotPem {
        path: PathBuf,
        source: reqwest::Error,
    },
}

fn read_ca(path: &Path) -> Result<reqwest::Certificate, TrustError> {
    let pem =
        crate::file_trust::read_settings(path, crate::file_trust::Place::CaFile, CA_FILE_LIMIT)
            .map_err(TrustError::Read)?;
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
