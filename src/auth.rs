//! Credentials per profile, from azure_identity 1.0. None of them opens a browser: kvtui runs on
//! jump boxes over ssh, where a browser prompt would hang the session.

use crate::config::{AuthMethod, Profile};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientSecretCredential, DeveloperToolsCredential,
    DeveloperToolsCredentialOptions, Executor, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use std::path::PathBuf;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("profile {profile}: {message}")]
    Setup { profile: String, message: String },
}

/// The credential a profile names. `executor` replaces the process runner of the CLI-based
/// credentials (tests use it to stand in for `az`).
pub fn credential_for(
    profile: &Profile,
    executor: Option<Arc<dyn Executor>>,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    let setup = |message: String| CredentialError::Setup {
        profile: profile.name.clone(),
        message,
    };
    let failed = |error: azure_core::Error| setup(error.to_string());
    let credential: Arc<dyn TokenCredential> = match profile.auth {
        AuthMethod::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: profile.tenant_id.clone(),
            executor,
            ..Default::default()
        }))
        .map_err(failed)?,
        AuthMethod::AzureDeveloperCli => {
            AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
                tenant_id: profile.tenant_id.clone(),
                executor,
            }))
            .map_err(failed)?
        }
        AuthMethod::DeveloperTools => {
            DeveloperToolsCredential::new(Some(DeveloperToolsCredentialOptions { executor }))
                .map_err(failed)?
        }
        AuthMethod::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: profile.client_id.clone().map(UserAssignedId::ClientId),
                ..Default::default()
            }))
            .map_err(failed)?
        }
        AuthMethod::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                client_id: profile.client_id.clone(),
                tenant_id: profile.tenant_id.clone(),
                ..Default::default()
            }))
            .map_err(failed)?
        }
        AuthMethod::ClientSecret => {
            let variable = profile
                .client_secret_env
                .as_deref()
                .unwrap_or("AZURE_CLIENT_SECRET");
            let secret = std::env::var(variable)
                .ok()
                .filter(|secret| !secret.is_empty())
                .ok_or_else(|| {
                    setup(format!(
                        "client_secret_env names {variable}, but that environment variable is not set"
                    ))
                })?;
            ClientSecretCredential::new(
                profile.tenant_id.as_deref().unwrap_or_default(),
                profile.client_id.clone().unwrap_or_default(),
                Secret::new(secret),
                None,
            )
            .map_err(failed)?
        }
        AuthMethod::Local => {
            let data_dir = profile.local_data_dir().ok_or_else(|| {
                setup("no local vault data dir: set local_data_dir or KVTUI_DATA_DIR".into())
            })?;
            Arc::new(LocalVaultCredential::new(
                data_dir.join(crate::local_vault::TOKEN_FILE),
            ))
        }
    };
    Ok(credential)
}

/// A local vault's token, read from its data dir (mode 0600) whenever one is needed.
#[derive(Debug)]
pub struct LocalVaultCredential {
    token_file: PathBuf,
}

impl LocalVaultCredential {
    pub fn new(token_file: PathBuf) -> Self {
        Self { token_file }
    }
}

#[async_trait::async_trait]
impl TokenCredential for LocalVaultCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let token =
            zeroize::Zeroizing::new(tokio::fs::read_to_string(&self.token_file).await.map_err(
                |error| {
                    azure_core::Error::with_message(
                        azure_core::error::ErrorKind::Credential,
                        format!(
                            "cannot read the local vault token {}: {error}",
                            self.token_file.display()
                        ),
                    )
                },
            )?);
        Ok(AccessToken::new(
            Secret::new(token.trim().to_owned()),
            OffsetDateTime::now_utc() + Duration::hours(24),
        ))
    }
}
