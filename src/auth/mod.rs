//! Credentials per profile, from azure_identity 1.0 (and kvtui's own device-code credential,
//! which it lacks), asked in the tenant the vault's challenge names unless the profile sets its
//! own, and failing with one line that names the profile, the auth kind and what to do. None of
//! them opens a browser: kvtui runs on jump boxes over ssh, where a browser prompt would hang the
//! session.

mod device_code;
mod identity;
mod local;
mod source;

pub use device_code::{
    AZURE_CLI_CLIENT_ID, DeviceCodeCredential, DeviceCodePrompt, DeviceCodePrompts,
};
pub use identity::Identity;
pub use local::LocalVaultCredential;

use crate::config::{AuthMethod, Profile};
use crate::vault::TrustRoots;
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_identity::Executor;
use secrecy::SecretString;
use source::Source;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// The tenant a vault's 401 challenge names, handed to the credential in the token request's
/// context: azure_core's `get_token` has no tenant parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeTenant(pub String);

impl ChallengeTenant {
    /// The tenant a token request carries, if a challenge named one.
    pub fn of(options: Option<&TokenRequestOptions<'_>>) -> Option<String> {
        options
            .and_then(|options| options.method_options.context.value::<Self>())
            .map(|tenant| tenant.0.clone())
    }
}

/// A token request as kvtui's own credentials take it, with the challenge's tenant read out of
/// the options' context once, for all of them.
pub struct TokenAsk<'a> {
    pub scopes: &'a [&'a str],
    pub challenged: Option<String>,
    /// Passed on whole to the azure_identity credentials a profile falls back on.
    pub options: Option<TokenRequestOptions<'a>>,
}

/// kvtui's own credentials; [`challenged_credentials!`] makes each an azure_core
/// `TokenCredential`, which foreign-trait rules keep a blanket impl from doing.
#[async_trait::async_trait]
pub trait ChallengedCredential: Send + Sync {
    async fn token(&self, ask: TokenAsk<'_>) -> azure_core::Result<AccessToken>;
}

/// Implements `TokenCredential` for each [`ChallengedCredential`] type named; exported for the
/// stand-in credentials of tests and benches.
#[macro_export]
macro_rules! challenged_credentials {
    ($($credential:ty),+) => {$(
        #[async_trait::async_trait]
        impl azure_core::credentials::TokenCredential for $credential {
            async fn get_token(
                &self,
                scopes: &[&str],
                options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
            ) -> azure_core::Result<azure_core::credentials::AccessToken> {
                let challenged = $crate::auth::ChallengeTenant::of(options.as_ref());
                let ask = $crate::auth::TokenAsk { scopes, challenged, options };
                $crate::auth::ChallengedCredential::token(self, ask).await
            }
        }
    )+};
}

/// A profile's credential could not be set up, or gave no token.
#[derive(Debug, thiserror::Error)]
#[error("profile {profile} (auth = {auth}): {problem}")]
pub struct CredentialError {
    pub profile: String,
    pub auth: AuthMethod,
    /// What went wrong and what to do, on one line.
    pub problem: String,
}

/// Why a credential gave no token for `scope`, on one line: kvtui's own credentials already
/// say what failed and what to do.
pub fn token_failure(error: &azure_core::Error, scope: &str) -> String {
    match error.downcast_ref::<CredentialError>() {
        Some(failure) => failure.to_string(),
        None => format!("cannot get a token for {scope}: {error}"),
    }
}

/// The prompts of a credential that never asks for a code (az and azd sign in by themselves), or
/// of a caller that must not be asked (`profile list --signed-in` skips device-code profiles).
pub fn no_prompts() -> DeviceCodePrompts {
    Arc::new(|_| {})
}

/// What a non-empty environment variable holds.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The Entra authority the credentials kvtui builds itself sign in at: the profile's cloud's,
/// else what azure_identity's own credentials read (AZURE_AUTHORITY_HOST, else the public cloud).
fn authority_host(profile: &Profile) -> String {
    match &profile.cloud {
        Some(cloud) => cloud.authority_host().to_owned(),
        None => env_var("AZURE_AUTHORITY_HOST")
            .unwrap_or_else(|| crate::cloud::Cloud::Public.authority_host().to_owned()),
    }
}

/// The credential a profile names. Token requests over HTTPS trust `trust`, as the vault client
/// does. `executor` replaces the process runner of the CLI-based credentials (tests use it to
/// stand in for `az`); `prompts` shows a device-code sign-in's code to the user.
pub fn credential_for(
    profile: &Profile,
    trust: &TrustRoots,
    executor: Option<Arc<dyn Executor>>,
    prompts: DeviceCodePrompts,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    let fail = |problem: String| CredentialError {
        profile: profile.name.clone(),
        auth: profile.auth,
        problem,
    };
    let http = || source::token_requests(trust, profile.cloud.as_ref()).map_err(fail);
    let mut tenant = profile.tenant_id.clone();
    let sources = match profile.auth {
        AuthMethod::AzureCli => vec![Source::AzureCli(executor)],
        AuthMethod::AzureDeveloperCli => vec![Source::AzureDeveloperCli(executor)],
        // The order of azure_identity's DeveloperToolsCredential, which cannot be given a tenant.
        AuthMethod::DeveloperTools => vec![
            Source::AzureCli(executor.clone()),
            Source::AzureDeveloperCli(executor),
        ],
        AuthMethod::ClientSecret => {
            let variable = profile
                .client_secret_env
                .clone()
                .unwrap_or_else(|| "AZURE_CLIENT_SECRET".to_owned());
            let secret = env_var(&variable).map(SecretString::from).ok_or_else(|| {
                fail(format!(
                    "{variable} (client_secret_env) is not set: export the service principal's \
                     client secret in it"
                ))
            })?;
            vec![Source::ClientSecret {
                client_id: profile.client_id.clone().unwrap_or_default(),
                variable,
                secret,
                http: http()?,
            }]
        }
        AuthMethod::WorkloadIdentity => {
            // The variables a workload identity pod (or a CI job) is given.
            tenant = tenant.or_else(|| env_var("AZURE_TENANT_ID"));
            let client_id = profile
                .client_id
                .clone()
                .or_else(|| env_var("AZURE_CLIENT_ID"))
                .ok_or_else(|| {
                    fail("no client id: set client_id in the profile or AZURE_CLIENT_ID".into())
                })?;
            let token_file = env_var("AZURE_FEDERATED_TOKEN_FILE")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    fail(
                        "AZURE_FEDERATED_TOKEN_FILE is not set: point it at the federated token \
                         file (AKS sets it in pods that use workload identity)"
                            .into(),
                    )
                })?;
            vec![Source::WorkloadIdentity {
                client_id,
                token_file,
                http: http()?,
            }]
        }
        AuthMethod::DeviceCode => {
            let credential = DeviceCodeCredential::new(
                &profile.name,
                &authority_host(profile),
                profile.tenant_id.clone(),
                profile
                    .client_id
                    .clone()
                    .unwrap_or_else(|| AZURE_CLI_CLIENT_ID.to_owned()),
                trust,
                prompts,
            )
            .map_err(fail)?;
            vec![Source::DeviceCode(Arc::new(credential))]
        }
        AuthMethod::ManagedIdentity => vec![Source::ManagedIdentity {
            client_id: profile.client_id.clone(),
            http: http()?,
        }],
        AuthMethod::Local => {
            let data_dir = profile.local_data_dir().ok_or_else(|| {
                fail("no local vault data dir: set local_data_dir or KVTUI_DATA_DIR".into())
            })?;
            return Ok(Arc::new(LocalVaultCredential::new(
                data_dir.join(crate::local_vault::TOKEN_FILE),
            )));
        }
    };
    Ok(Arc::new(ProfileCredential {
        profile: profile.name.clone(),
        auth: profile.auth,
        tenant,
        sources,
        made: Mutex::default(),
    }))
}

/// The azure_identity credentials made so far, by source index and tenant.
type Made = HashMap<(usize, Option<String>), Arc<dyn TokenCredential>>;

/// A profile's sources, tried in order, each made once per tenant it is asked in.
struct ProfileCredential {
    profile: String,
    auth: AuthMethod,
    /// The profile's own tenant, which wins over the challenge's.
    tenant: Option<String>,
    sources: Vec<Source>,
    made: Mutex<Made>,
}

impl std::fmt::Debug for ProfileCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileCredential")
            .field("profile", &self.profile)
            .field("auth", &self.auth)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl ProfileCredential {
    fn made(
        &self,
        index: usize,
        tenant: Option<&str>,
    ) -> azure_core::Result<Arc<dyn TokenCredential>> {
        let key = (index, tenant.map(str::to_owned));
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(credential) = made.get(&key) {
            return Ok(Arc::clone(credential));
        }
        let credential = self.sources[index].make(tenant)?;
        made.insert(key, Arc::clone(&credential));
        Ok(credential)
    }
}

crate::challenged_credentials!(ProfileCredential);

#[async_trait::async_trait]
impl ChallengedCredential for ProfileCredential {
    async fn token(&self, ask: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
        let mut failures = Vec::new();
        for (index, source) in self.sources.iter().enumerate() {
            let tenant = source
                .has_tenant()
                .then(|| self.tenant.clone().or_else(|| ask.challenged.clone()))
                .flatten();
            let attempt = match self.made(index, tenant.as_deref()) {
                Ok(credential) => credential.get_token(ask.scopes, ask.options.clone()).await,
                Err(error) => Err(error),
            };
            match attempt {
                Ok(token) => return Ok(token),
                Err(error) => failures.push(source.failure(tenant.as_deref(), &error)),
            }
        }
        Err(azure_core::Error::new(
            azure_core::error::ErrorKind::Credential,
            CredentialError {
                profile: self.profile.clone(),
                auth: self.auth,
                problem: failures.join("; "),
            },
        ))
    }
}
