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

/// What is wrong with the certificate `host` presented, when that is why `error` happened: a
/// fault no retry can mend (the same certificate comes back), worded with what to change.
/// `None` for any other failure.
pub(crate) fn certificate_refusal(
    error: &(dyn std::error::Error + 'static),
    trust: &TrustRoots,
    host: &str,
) -> Option<String> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        // An io::Error's `source()` skips the error it wraps, which is where rustls's is.
        let wrapped = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(rustls::Error::InvalidCertificate(problem)) =
            current.downcast_ref::<rustls::Error>().or(wrapped)
        {
            return Some(explain(problem, trust, host));
        }
        cause = current.source();
    }
    None
}

fn explain(problem: &rustls::CertificateError, trust: &TrustRoots, host: &str) -> String {
    use rustls::CertificateError as Problem;
    let trusted = match trust {
        TrustRoots::System => "behind a TLS-inspecting proxy, set ca_file in the profile to the \
             proxy's CA certificate (PEM)"
            .to_owned(),
        TrustRoots::SystemAnd(path) => format!(
            "nor does ca_file {} sign it: set ca_file to the CA that does (a TLS-inspecting \
             proxy's)",
            path.display()
        ),
        TrustRoots::Only(path) => format!(
            "only the local vault CA {} is trusted: set local_data_dir to the data dir of the \
             vault at this URL",
            path.display()
        ),
    };
    let date = |at: rustls::pki_types::UnixTime| {
        crate::when::format_utc(i64::try_from(at.as_secs()).unwrap_or(i64::MAX))
    };
    match problem {
        Problem::UnknownIssuer => {
            format!("{host} presented a certificate from an issuer kvtui does not trust; {trusted}")
        }
        Problem::NotValidForName => format!(
            "{host} presented a certificate for another name: check the profile's vault_url"
        ),
        Problem::NotValidForNameContext { presented, .. } => {
            // rustls writes each name as `DnsName("…")`; the names are the server's text.
            let names: Vec<&str> = presented
                .iter()
                .map(|name| {
                    name.strip_prefix("DnsName(\"")
                        .and_then(|rest| rest.strip_suffix("\")"))
                        .unwrap_or(name)
                })
                .collect();
            format!(
                "{host} presented a certificate for {}, not for {host}: check the profile's \
                 vault_url",
                super::rules::cut(&names.join(", "), 200)
            )
        }
        Problem::Expired => format!(
            "{host} presented an expired certificate: its owner must renew it (or this \
             machine's clock is wrong)"
        ),
        Problem::ExpiredContext { time, not_after } => format!(
            "{host} presented a certificate that expired {}: its owner must renew it (or this \
             machine's clock, at {}, is wrong)",
            date(*not_after),
            date(*time)
        ),
        Problem::NotValidYet => format!(
            "{host} presented a certificate that is not valid yet: check this machine's clock"
        ),
        Problem::NotValidYetContext { time, not_before } => format!(
            "{host} presented a certificate valid only from {}: check this machine's clock \
             (it reads {})",
            date(*not_before),
            date(*time)
        ),
        other => format!("{host} presented a certificate that is refused ({other}); {trusted}"),
    }
}
