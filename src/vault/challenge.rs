//! Challenge-based bearer auth, as the official Key Vault SDKs do it: the first request goes out
//! without a token (and without its body); the vault's 401 names the authority (whose path is the
//! tenant) and the resource (or scope); the token for that scope, in that tenant, is fetched from
//! the profile's credential and cached until shortly before it expires. A challenge whose resource
//! is not the vault's own domain is refused, so a look-alike host cannot harvest a token for the
//! real service.

use super::error::VaultError;
use crate::auth::{ChallengeTenant, Identity, token_failure};
use azure_core::credentials::{TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientMethodOptions, Context};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// Tokens are renewed this long before they expire, as the SDKs do.
const REFRESH_MARGIN_SECS: i64 = 300;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub authorization: Option<String>,
    /// The OAuth scope to ask for, e.g. `https://vault.azure.net/.default`.
    pub scope: String,
    pub tenant_id: Option<String>,
}

/// Parses `WWW-Authenticate: Bearer authorization="…", resource="…"` (or `authorization_uri`,
/// or `scope`). `None` when it is not a usable bearer challenge.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, parameters) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut authorization = None;
    let mut resource = None;
    let mut scope = None;
    let mut rest = parameters.trim_start();
    while !rest.is_empty() {
        let (key, after_key) = rest.split_once('=')?;
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after_key = after_key.trim_start();
        let (value, remainder) = if let Some(quoted) = after_key.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after_key.find([',', ' ']).unwrap_or(after_key.len());
            (&after_key[..end], &after_key[end..])
        };
        match key.as_str() {
            "authorization" | "authorization_uri" => authorization = Some(value.to_owned()),
            "resource" => resource = Some(value.to_owned()),
            "scope" => scope = Some(value.to_owned()),
            _ => {}
        }
        rest = remainder.trim_start_matches([',', ' ']);
    }
    let scope = match (scope, resource) {
        (Some(scope), _) if !scope.is_empty() => scope,
        (_, Some(resource)) if !resource.is_empty() => {
            format!("{}/.default", resource.trim_end_matches('/'))
        }
        _ => return None,
    };
    // The tenant is the authority's first path segment. It ends up on a command line
    // (`az … --tenant T`): only the characters a tenant id or domain has are taken, anything
    // else is ignored rather than passed on.
    let tenant_id = authorization.as_deref().and_then(|url| {
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (_, path) = after_scheme.split_once('/')?;
        path.split(['/', '?', '#'])
            .next()
            .filter(|tenant| {
                !tenant.is_empty()
                    && tenant
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            })
            .map(str::to_owned)
    });
    Some(Challenge {
        authorization,
        scope,
        tenant_id,
    })
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]"))?
    } else {
        host.split(':').next()?.to_owned()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The SDKs' `verify_challenge_resource`: the scope's host must be the vault's host or a parent
/// domain of it (`vault.azure.net` for `myvault.vault.azure.net`). Where the vault's cloud is
/// known, only that cloud's vault domain (`domain`) is taken: `azure.cn` is a parent of
/// `kv.vault.azure.cn` too, but no Key Vault asks for a token for it.
pub fn verify_resource(
    challenge: &Challenge,
    vault_url: &str,
    domain: Option<&str>,
) -> Result<(), VaultError> {
    let resource_host = host_of(&challenge.scope).unwrap_or_default();
    let vault_host = host_of(vault_url).unwrap_or_default();
    let matches = !resource_host.is_empty()
        && (vault_host == resource_host || vault_host.ends_with(&format!(".{resource_host}")))
        && domain.is_none_or(|domain| resource_host.eq_ignore_ascii_case(domain));
    if matches {
        Ok(())
    } else {
        Err(VaultError::Auth(format!(
            "the vault's challenge asks for a token for {:?}, which is not the domain of {vault_url}; \
             refusing to send a token (is the vault URL right?)",
            challenge.scope
        )))
    }
}

struct CachedToken {
    scope: String,
    tenant: Option<String>,
    value: SecretString,
    expires_on: i64,
}

#[derive(Default)]
struct State {
    challenge: Option<Challenge>,
    token: Option<CachedToken>,
    /// Who the last token says the profile signed in as (its claims, not the token).
    identity: Option<Identity>,
}

/// The per-vault auth state: the cached challenge and token.
pub struct ChallengeAuth {
    credential: Arc<dyn TokenCredential>,
    vault_url: String,
    verify_resource: bool,
    /// The only resource domain a challenge may name, when the vault's cloud is known.
    domain: Option<String>,
    state: tokio::sync::Mutex<State>,
    /// Held by the one request that asks the vault for its challenge. Requests that start
    /// together wait for it rather than each dialing a connection and taking a 401 of its own.
    probe: tokio::sync::Mutex<()>,
}

impl ChallengeAuth {
    pub fn new(
        credential: Arc<dyn TokenCredential>,
        vault_url: String,
        verify_resource: bool,
        domain: Option<String>,
    ) -> Self {
        Self {
            credential,
            vault_url,
            verify_resource,
            domain,
            state: tokio::sync::Mutex::default(),
            probe: tokio::sync::Mutex::default(),
        }
    }

    /// Who the profile is signed in as, once a token was fetched and is a JWT.
    pub async fn identity(&self) -> Option<Identity> {
        self.state.lock().await.identity.clone()
    }

    pub async fn has_challenge(&self) -> bool {
        self.state.lock().await.challenge.is_some()
    }

    /// The right to ask the vault for its challenge, one request at a time; check
    /// [`Self::has_challenge`] again once it is granted.
    pub async fn probing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.probe.lock().await
    }

    /// Takes the challenge from a 401's `WWW-Authenticate` header.
    pub async fn accept_challenge(&self, header: Option<&str>) -> Result<(), VaultError> {
        let challenge = header.and_then(parse_challenge).ok_or_else(|| {
            VaultError::Auth(
                "the vault answered 401 without a usable bearer challenge (WWW-Authenticate)"
                    .into(),
            )
        })?;
        if self.verify_resource {
            verify_resource(&challenge, &self.vault_url, self.domain.as_deref())?;
        }
        let mut state = self.state.lock().await;
        if state.token.as_ref().is_some_and(|token| {
            token.scope != challenge.scope || token.tenant != challenge.tenant_id
        }) {
            state.token = None;
        }
        state.challenge = Some(challenge);
        Ok(())
    }

    /// A bearer token for the challenge's scope and tenant, from the cache unless it is about
    /// to expire or `refresh` asks for a new one.
    pub async fn bearer(&self, refresh: bool, now_unix: i64) -> Result<SecretString, VaultError> {
        let mut state = self.state.lock().await;
        let (scope, tenant) = state
            .challenge
            .as_ref()
            .map(|challenge| (challenge.scope.clone(), challenge.tenant_id.clone()))
            .ok_or_else(|| VaultError::Auth("no challenge from the vault yet".into()))?;
        if !refresh
            && let Some(token) = &state.token
            && token.scope == scope
            && token.tenant == tenant
            && token.expires_on - now_unix > REFRESH_MARGIN_SECS
        {
            return Ok(token.value.clone());
        }
        // As the official Python and .NET clients do, the credential is asked for a token in the
        // vault's tenant, so an account in several tenants does not get its home tenant's.
        let mut context = Context::new();
        if let Some(tenant) = &tenant {
            context.insert(ChallengeTenant(tenant.clone()));
        }
        let options = TokenRequestOptions {
            method_options: ClientMethodOptions { context },
        };
        let fetched = self
            .credential
            .get_token(&[&scope], Some(options))
            .await
            .map_err(|error| VaultError::Auth(token_failure(&error, &scope)))?;
        let value = SecretString::from(fetched.token.secret().to_owned());
        state.identity = Identity::of_token(fetched.token.secret());
        state.token = Some(CachedToken {
            scope,
            tenant,
            value: value.clone(),
            expires_on: fetched.expires_on.unix_timestamp(),
        });
        tracing::debug!(
            expires_on = fetched.expires_on.unix_timestamp(),
            "fetched a token"
        );
        Ok(value)
    }
}

/// `Authorization` header value for a token.
pub fn authorization_header(
    token: &SecretString,
) -> Result<reqwest::header::HeaderValue, VaultError> {
    let mut value =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                VaultError::Auth(
                    "the credential returned a token that is not a valid header".into(),
                )
            })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{ChallengedCredential, TokenAsk};
    use azure_core::credentials::AccessToken;

    #[test]
    fn parses_the_key_vault_challenge() {
        let challenge = parse_challenge(
            r#"Bearer authorization="https://login.windows.net/72f988bf-86f1", resource="https://vault.azure.net""#,
        )
        .expect("challenge");
        assert_eq!(challenge.scope, "https://vault.azure.net/.default");
        assert_eq!(challenge.tenant_id.as_deref(), Some("72f988bf-86f1"));

        let scoped = parse_challenge(
            r#"bearer authorization_uri="https://login.microsoftonline.com/t/", scope="https://vault.azure.cn/.default""#,
        )
        .expect("scoped");
        assert_eq!(scoped.scope, "https://vault.azure.cn/.default");
        assert_eq!(scoped.tenant_id.as_deref(), Some("t"));

        assert_eq!(parse_challenge("Basic realm=\"x\""), None);
        assert_eq!(
            parse_challenge("Bearer authorization=\"https://l/t\""),
            None
        );
        assert_eq!(parse_challenge("Bearer"), None);
        assert_eq!(parse_challenge("Bearer resource=\"unterminated"), None);
    }

    #[test]
    fn a_tenant_that_could_reach_a_shell_is_dropped() {
        let tenant = |authorization: &str| {
            parse_challenge(&format!(
                r#"Bearer authorization="{authorization}", resource="https://vault.azure.net""#
            ))
            .expect("challenge")
            .tenant_id
        };
        assert_eq!(
            tenant("https://login.windows.net/contoso.onmicrosoft.com").as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        assert_eq!(tenant("https://login.windows.net/t;reboot"), None);
        assert_eq!(tenant("https://login.windows.net/$(id)"), None);
        assert_eq!(tenant("https://login.windows.net/a b"), None);
        assert_eq!(tenant("https://login.windows.net"), None);
    }

    /// Hands out a token naming the tenant it was asked in, and remembers each request.
    #[derive(Debug, Default)]
    struct TenantEcho {
        asked: std::sync::Mutex<Vec<(String, Option<String>)>>,
    }

    crate::challenged_credentials!(TenantEcho);

    #[async_trait::async_trait]
    impl ChallengedCredential for TenantEcho {
        async fn token(&self, ask: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
            let tenant = ask.challenged;
            self.asked
                .lock()
                .expect("asked")
                .push((ask.scopes.join(" "), tenant.clone()));
            Ok(AccessToken::new(
                format!("token-{}", tenant.unwrap_or_default()),
                time::OffsetDateTime::now_utc() + time::Duration::hours(1),
            ))
        }
    }

    fn header(tenant: &str) -> String {
        format!(
            r#"Bearer authorization="https://login.windows.net/{tenant}", resource="https://vault.azure.net""#
        )
    }

    #[tokio::test]
    async fn the_credential_is_asked_in_the_challenges_tenant_and_tokens_are_kept_per_tenant() {
        let credential = Arc::new(TenantEcho::default());
        let auth = ChallengeAuth::new(
            credential.clone(),
            "https://myvault.vault.azure.net".into(),
            true,
            None,
        );
        let now = crate::when::now_unix();
        auth.accept_challenge(Some(&header("tenant-a")))
            .await
            .expect("challenge");
        let first = auth.bearer(false, now).await.expect("token");
        assert_eq!(first.expose_secret(), "token-tenant-a");
        let cached = auth.bearer(false, now).await.expect("token");
        assert_eq!(cached.expose_secret(), "token-tenant-a");

        // The vault moved to another tenant: its token is not the old one.
        auth.accept_challenge(Some(&header("tenant-b")))
            .await
            .expect("challenge");
        let moved = auth.bearer(false, now).await.expect("token");
        assert_eq!(moved.expose_secret(), "token-tenant-b");

        let scope = "https://vault.azure.net/.default".to_owned();
        assert_eq!(
            *credential.asked.lock().expect("asked"),
            [
                (scope.clone(), Some("tenant-a".to_owned())),
                (scope, Some("tenant-b".to_owned())),
            ]
        );
    }

    #[test]
    fn resource_must_be_the_vaults_domain() {
        let challenge = |resource: &str| Challenge {
            authorization: None,
            scope: format!("{resource}/.default"),
            tenant_id: None,
        };
        let azure = challenge("https://vault.azure.net");
        let verify = |challenge: &Challenge, url: &str| verify_resource(challenge, url, None);
        assert!(verify(&azure, "https://myvault.vault.azure.net").is_ok());
        assert!(verify(&azure, "https://MYVAULT.vault.azure.net:443/").is_ok());
        assert!(verify(&azure, "https://evil-vault.azure.net.example.com").is_err());
        assert!(verify(&azure, "https://127.0.0.1:8443").is_err());
        assert!(verify(&azure, "https://notvault.azure.net").is_err());
        let error = verify(&azure, "https://127.0.0.1:8443").expect_err("mismatch");
        assert!(error.to_string().contains("refusing to send a token"));

        let china = "https://kv.vault.azure.cn";
        let parent = challenge("https://azure.cn");
        assert!(
            verify(&parent, china).is_ok(),
            "a parent domain, as the SDKs take"
        );
        assert!(verify_resource(&parent, china, Some("vault.azure.cn")).is_err());
        assert!(
            verify_resource(
                &challenge("https://vault.azure.cn"),
                china,
                Some("vault.azure.cn")
            )
            .is_ok()
        );
    }
}
