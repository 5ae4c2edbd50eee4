//! Opening a profile: its credential, its client and, for a profile on the embedded local vault,
//! the vault itself, started inside this process on a free loopback port.

use crate::auth::{CredentialError, DeviceCodePrompts, credential_for};
use crate::cloud::Cloud;
use crate::config::{AuthMethod, Profile, VaultLocation};
use crate::local_vault::{self, LocalVaultConfig, LocalVaultError, RunningVault};
use crate::vault::{ClientOptions, TrustRoots, VaultClient, VaultError};
use azure_core::credentials::TokenCredential;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("profile {profile}: cannot start the embedded local vault: {source}")]
    Embedded {
        profile: String,
        source: LocalVaultError,
    },
    #[error("profile {profile}: {source}")]
    Client { profile: String, source: VaultError },
}

/// A profile ready to use.
pub struct Session {
    pub profile: Profile,
    pub client: VaultClient,
    /// What the client trusts, for other requests made as this profile (discovery).
    pub trust: TrustRoots,
    pub credential: Arc<dyn TokenCredential>,
    embedded: Option<RunningVault>,
}

impl Session {
    /// Opens `profile`; a device-code sign-in, when one is needed, shows its code through
    /// `prompts`.
    pub async fn open(profile: &Profile, prompts: DeviceCodePrompts) -> Result<Self, SessionError> {
        Self::open_with(profile, ClientOptions::default(), prompts).await
    }

    /// Opens with `options` as the base (retry policy, observer); trust, api-version and the
    /// challenge check come from the profile.
    pub async fn open_with(
        profile: &Profile,
        mut options: ClientOptions,
        prompts: DeviceCodePrompts,
    ) -> Result<Self, SessionError> {
        let local_dir = profile.local_data_dir();
        let mut embedded = None;
        let vault_url = match &profile.vault {
            VaultLocation::Url(url) => url.clone(),
            VaultLocation::Embedded => {
                let data_dir = local_dir.clone().ok_or_else(|| SessionError::Embedded {
                    profile: profile.name.clone(),
                    source: LocalVaultError::DataDir {
                        path: Default::default(),
                        source: std::io::Error::other("no data dir: set KVTUI_DATA_DIR"),
                    },
                })?;
                let mut config = LocalVaultConfig::new(data_dir);
                config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
                let running =
                    local_vault::start(config)
                        .await
                        .map_err(|source| SessionError::Embedded {
                            profile: profile.name.clone(),
                            source,
                        })?;
                let url = running.url.clone();
                embedded = Some(running);
                url
            }
        };
        options.api_version = profile.api_version.clone();
        options.trust = match (&profile.ca_file, &local_dir) {
            (Some(ca_file), _) if profile.auth == AuthMethod::Local => {
                TrustRoots::Only(ca_file.clone())
            }
            (Some(ca_file), _) => TrustRoots::SystemAnd(ca_file.clone()),
            (None, Some(dir)) => TrustRoots::Only(dir.join(local_vault::tls::CA_FILE)),
            (None, None) => TrustRoots::System,
        };
        let credential = credential_for(profile, &options.trust, None, prompts)?;
        let trust = options.trust.clone();
        // A local vault answers for resource vault.azure.net on 127.0.0.1: that is expected.
        options.verify_challenge_resource = profile.auth != AuthMethod::Local;
        options.challenge_domain = profile
            .cloud
            .clone()
            .or_else(|| {
                url::Url::parse(&vault_url)
                    .ok()
                    .and_then(|url| url.host_str().and_then(Cloud::of_vault_host))
            })
            .map(|cloud| cloud.vault_suffix().to_owned());
        let client =
            VaultClient::new(&vault_url, Arc::clone(&credential), options).map_err(|source| {
                SessionError::Client {
                    profile: profile.name.clone(),
                    source,
                }
            })?;
        Ok(Self {
            profile: profile.clone(),
            client,
            trust,
            credential,
            embedded,
        })
    }

    /// Whether this session runs its own local vault.
    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Stops the embedded vault, if any, after its requests in flight finish.
    pub async fn close(self) {
        if let Some(vault) = self.embedded {
            vault.shutdown().await;
        }
    }
}
