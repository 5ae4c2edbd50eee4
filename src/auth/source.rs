//! The azure_identity credentials behind a profile, each made for one tenant (their tenant is
//! fixed when they are built), and what to tell the user when one gives no token.

use crate::cloud::Cloud;
use crate::vault::TrustRoots;
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, Executor, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// One place a profile's token can come from.
pub(super) enum Source {
    /// `az account get-access-token`.
    AzureCli(Option<Arc<dyn Executor>>),
    /// `azd auth token`.
    AzureDeveloperCli(Option<Arc<dyn Executor>>),
    /// A service principal's secret, read from the variable `client_secret_env` names.
    ClientSecret {
        client_id: String,
        variable: String,
        secret: SecretString,
        http: ClientOptions,
    },
    /// A federated token file (AKS, CI), exchanged at Entra for a token.
    WorkloadIdentity {
        client_id: String,
        token_file: PathBuf,
        http: ClientOptions,
    },
    /// The host's identity endpoint; a user-assigned identity when `client_id` is set.
    ManagedIdentity {
        client_id: Option<String>,
        http: ClientOptions,
    },
    /// kvtui's own device-code credential, made once for the profile: it picks each request's
    /// tenant itself, so that one sign-in (its refresh token) serves every tenant and scope.
    DeviceCode(Arc<dyn TokenCredential>),
}

/// The HTTPS client token requests go over, azure_identity's and kvtui's own (device code)
/// alike: it trusts what the vault client trusts (so `ca_file` works behind a TLS-inspecting
/// proxy, and `HTTPS_PROXY` is honoured as for the vault).
pub(super) fn token_client(trust: &TrustRoots) -> Result<reqwest::Client, String> {
    trust
        .client_builder()
        .map_err(|error| error.to_string())?
        // A redirected POST would carry the client secret, the assertion, the device code or the
        // refresh token to wherever it points; azure_core's own client does not follow
        // redirects either.
        .redirect(reqwest::redirect::Policy::none())
        .read_timeout(Duration::from_secs(60))
        .build()
        .map_err(|error| format!("cannot set up HTTPS for token requests: {error}"))
}

/// How azure_identity's token requests to Entra and to an identity endpoint are sent: over
/// [`token_client`], and retried briefly. azure_core's default retries a refused connection for
/// a minute, a long silence in an interactive tool before saying that the endpoint cannot be
/// reached. With `cloud` set, tokens are asked at its authority; unset, azure_identity's own
/// choice stands (the public cloud, or `AZURE_AUTHORITY_HOST`).
pub(super) fn token_requests(
    trust: &TrustRoots,
    cloud: Option<&Cloud>,
) -> Result<ClientOptions, String> {
    let http = token_client(trust)?;
    Ok(ClientOptions {
        transport: Some(Transport::new(Arc::new(http))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            initial_delay: time::Duration::milliseconds(200),
            max_retries: 3,
            max_total_elapsed: time::Duration::seconds(10),
            max_delay: time::Duration::seconds(4),
        }),
        cloud: cloud.map(Cloud::configuration),
        ..ClientOptions::default()
    })
}

impl Source {
    /// Whether a credential is made per tenant. A managed identity has one tenant, its own:
    /// there is none to choose; the device-code credential chooses its own per request.
    pub(super) fn has_tenant(&self) -> bool {
        !matches!(self, Self::ManagedIdentity { .. } | Self::DeviceCode(_))
    }

    /// The azure_identity credential for `tenant` (`None`: the tool's or the identity's own).
    pub(super) fn make(
        &self,
        tenant: Option<&str>,
    ) -> azure_core::Result<Arc<dyn TokenCredential>> {
        let tenant_id = tenant.map(str::to_owned);
        Ok(match self {
            Self::AzureCli(executor) => AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id,
                executor: executor.clone(),
                ..Default::default()
            }))?,
            Self::AzureDeveloperCli(executor) => {
                AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
                    tenant_id,
                    executor: executor.clone(),
                }))?
            }
            Self::ClientSecret {
                client_id,
                secret,
                http,
                ..
            } => ClientSecretCredential::new(
                tenant.unwrap_or_default(),
                client_id.clone(),
                Secret::new(secret.expose_secret().to_owned()),
                Some(ClientSecretCredentialOptions {
                    client_options: http.clone(),
                }),
            )?,
            Self::WorkloadIdentity {
                client_id,
                token_file,
                http,
            } => WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: http.clone(),
                },
                client_id: Some(client_id.clone()),
                tenant_id,
                token_file_path: Some(token_file.clone()),
            }))?,
            Self::ManagedIdentity { client_id, http } => {
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options: http.clone(),
                }))?
            }
            Self::DeviceCode(credential) => Arc::clone(credential),
        })
    }

    /// What failed and what to do about it, for the one error line.
    pub(super) fn failure(&self, tenant: Option<&str>, error: &azure_core::Error) -> String {
        let in_tenant = tenant
            .map(|t| format!(" in tenant {t}"))
            .unwrap_or_default();
        let flag = |name: &str| tenant.map(|t| format!(" {name} {t}")).unwrap_or_default();
        let unreachable = cannot_connect(error);
        let detail = if unreachable {
            root_cause(error)
        } else {
            detail(error)
        };
        match self {
            Self::AzureCli(_) => format!(
                "the Azure CLI gave no token{in_tenant} ({detail}): run `az login{}`",
                flag("--tenant")
            ),
            Self::AzureDeveloperCli(_) => format!(
                "the Azure Developer CLI gave no token{in_tenant} ({detail}): run `azd auth login{}`",
                flag("--tenant-id")
            ),
            Self::ClientSecret { .. } | Self::WorkloadIdentity { .. } | Self::DeviceCode(_)
                if unreachable =>
            {
                format!(
                    "cannot reach the Entra token endpoint ({detail}): check the network, \
                     HTTPS_PROXY and the profile's ca_file"
                )
            }
            // Its errors already say what ended the sign-in and what to do.
            Self::DeviceCode(_) => detail,
            Self::ClientSecret {
                client_id,
                variable,
                ..
            } => format!(
                "Entra gave client {client_id} no token{in_tenant} ({detail}): check the secret in \
                 {variable} and the profile's client_id and tenant_id"
            ),
            Self::WorkloadIdentity { client_id, .. } => format!(
                "Entra gave client {client_id} no token{in_tenant} for its federated token \
                 ({detail}): check AZURE_FEDERATED_TOKEN_FILE and the identity's federated credential"
            ),
            Self::ManagedIdentity { .. } if unreachable => format!(
                "managed identity endpoint unreachable: is this an Azure host with an identity? \
                 ({detail})"
            ),
            Self::ManagedIdentity { client_id, .. } => format!(
                "the managed identity endpoint gave no token ({detail}): is the identity{} \
                 assigned to this host?",
                client_id
                    .as_deref()
                    .map(|id| format!(" {id}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The errors of `error`'s chain, outermost first.
fn chain(error: &azure_core::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error as &(dyn std::error::Error + 'static)), |e| {
        e.source()
    })
}

/// The connection failed (refused, TLS, timed out) rather than being answered.
fn cannot_connect(error: &azure_core::Error) -> bool {
    use azure_core::error::ErrorKind;
    chain(error).any(|e| {
        e.downcast_ref::<azure_core::Error>()
            .is_some_and(|e| matches!(e.kind(), ErrorKind::Connection | ErrorKind::Io))
    })
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

/// Why a connection failed: the innermost error ("Connection refused", "invalid peer
/// certificate"), not the layers of request and retry wrapping around it.
fn root_cause(error: &azure_core::Error) -> String {
    chain(error)
        .last()
        .map(|e| first_line(&e.to_string()).to_owned())
        .unwrap_or_default()
}

/// What the tool or the service said, on one line: the first line of each error in the chain
/// that adds something, without azure_identity's "…Credential authentication failed." preamble
/// (kvtui names the source itself) or its troubleshooting link on the lines after.
fn detail(error: &azure_core::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(error) {
        let text = e.to_string();
        let line = first_line(&text);
        let line = match line.split_once(" authentication failed.") {
            Some((name, rest)) if name.ends_with("Credential") => rest.trim(),
            _ => line,
        };
        if !line.is_empty() && !parts.iter().any(|part| part.contains(line)) {
            parts.push(line.to_owned());
        }
    }
    parts.join(": ")
}
