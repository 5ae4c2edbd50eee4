//! `auth = "device-code"`: the OAuth 2.0 device authorization grant (RFC 8628) against Entra,
//! which azure_identity 1.0 does not have. kvtui asks Entra for a code, hands it to the caller's
//! sink to show, and polls until the user has signed in with it on any device that has a
//! browser (kvtui never opens one), the code expires, or Entra says no.
//!
//! Tokens and the refresh token live in this process's memory only, zeroed when dropped, and
//! never reach a log. With the refresh token, another scope or tenant is got without a second
//! prompt.

mod answers;

use super::{ChallengedCredential, TokenAsk};
use crate::vault::TrustRoots;
use answers::{Answer, EXPIRED, OAuthError, Reply, ending};
use azure_core::credentials::{AccessToken, Secret};
use azure_core::error::ErrorKind;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use url::Url;
use zeroize::Zeroizing;

/// The Azure CLI's public client id, the default `client_id`: it is what `az login
/// --use-device-code` signs in as, so it is pre-authorized for Key Vault and Resource Manager in
/// most tenants and needs no app registration or consent of its own.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// Entra's tenant for "any work or school account", used when neither the profile nor the
/// vault's challenge names a tenant.
pub const DEFAULT_TENANT: &str = "organizations";

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A token is used until this long before it expires, as azure_identity's cache does: a request
/// must not set out with a token that dies on the way.
const EXPIRY_MARGIN: time::Duration = time::Duration::minutes(5);

/// RFC 8628 §3.2: the interval when the authority gives none.
const DEFAULT_INTERVAL_SECS: u64 = 5;

/// RFC 8628 §3.5: what each `slow_down` adds to the interval.
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// Entra's codes live 15 minutes. A lifetime said to be longer is held to an hour, so a
/// malformed answer cannot keep a command polling for days.
const LONGEST_CODE_SECS: u64 = 3600;

/// Entra's access tokens live an hour or so, a day at the most; a longer lifetime is held to a
/// day (and cannot overflow the clock).
const LONGEST_TOKEN_SECS: i64 = 86_400;

/// A refused connection, a timeout or a 5xx is tried again this many times, after 0.2, 0.4 and
/// 0.8 s: a brief outage must not end a sign-in the user is in the middle of.
const RETRIES: u32 = 3;

/// What the user must do to sign in, as the authority said it. Every string comes from the
/// authority: a sink makes it safe for where it shows it (a terminal, the TUI's status line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The profile signing in, for a command that opens several.
    pub profile: String,
    /// Where to sign in: `https://microsoft.com/devicelogin`.
    pub verification_uri: String,
    /// The code to enter there.
    pub user_code: String,
    /// The authority's own instructions (empty when it sent none).
    pub message: String,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// Where a device-code credential shows its prompt: stderr for the CLI, the status line for the
/// TUI. Called once per sign-in, from the task that waits for it.
pub type DeviceCodePrompts = Arc<dyn Fn(DeviceCodePrompt) + Send + Sync>;

/// A credential that signs a user in with a device code, once, and keeps what it got in memory.
pub struct DeviceCodeCredential {
    profile: String,
    authority: Url,
    /// The profile's own tenant, which wins over the challenge's.
    tenant: Option<String>,
    client_id: String,
    http: reqwest::Client,
    prompts: DeviceCodePrompts,
    /// Held for the whole of a `get_token`: one sign-in at a time, and a caller that waited finds
    /// the token the sign-in before it got. Shared by every credential made for the same profile
    /// and sign-in in this process (see [`kept_sign_in`]).
    held: Arc<tokio::sync::Mutex<Held>>,
}

/// Which sign-in a credential makes: its profile, authority, tenant and client.
type SignInKey = (String, String, Option<String>, String);

/// The sign-in kept for `key` in this process, in memory only. The TUI reopens a profile, and
/// its expiry scan, copy and discovery open their own sessions: each would otherwise prompt for a
/// new device code. Keyed by profile too, so two profiles may sign in as different accounts.
fn kept_sign_in(key: SignInKey) -> Arc<tokio::sync::Mutex<Held>> {
    type SignIns = std::sync::Mutex<HashMap<SignInKey, Arc<tokio::sync::Mutex<Held>>>>;
    static SIGN_INS: std::sync::OnceLock<SignIns> = std::sync::OnceLock::new();
    let mut sign_ins = SIGN_INS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(sign_ins.entry(key).or_default())
}

#[derive(Default)]
struct Held {
    /// By tenant and scopes.
    tokens: HashMap<(String, String), Kept>,
    /// The newest refresh token Entra gave: Entra's are good for every resource the client may
    /// reach, and in every tenant the account is in.
    refresh_token: Option<SecretString>,
}

struct Kept {
    token: SecretString,
    expires_at: OffsetDateTime,
}

impl std::fmt::Debug for DeviceCodeCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeCredential")
            .field("profile", &self.profile)
            .field("authority", &self.authority.as_str())
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl DeviceCodeCredential {
    /// A credential for `profile` that signs in at `authority_host`
    /// (`https://login.microsoftonline.com`) as `client_id`, in `tenant` when given (else in the
    /// tenant a vault's challenge names, else [`DEFAULT_TENANT`]), over an HTTPS client that
    /// trusts `trust`, and shows its prompts through `prompts`.
    pub fn new(
        profile: &str,
        authority_host: &str,
        tenant: Option<String>,
        client_id: String,
        trust: &TrustRoots,
        prompts: DeviceCodePrompts,
    ) -> Result<Self, String> {
        let authority = Url::parse(authority_host)
            .ok()
            .filter(|url| url.scheme() == "https" && url.query().is_none())
            .ok_or_else(|| {
                format!(
                    "the authority host {authority_host:?} is not an https:// URL (a device code \
                     and the tokens it gets must not travel in the clear)"
                )
            })?;
        let held = kept_sign_in((
            profile.to_owned(),
            authority.to_string(),
            tenant.clone(),
            client_id.clone(),
        ));
        Ok(Self {
            profile: profile.to_owned(),
            authority,
            tenant,
            client_id,
            http: super::source::token_client(trust)?,
            prompts,
            held,
        })
    }

    /// `{authority}/{tenant}/oauth2/v2.0/{leaf}`, the tenant percent-encoded as one segment.
    fn endpoint(&self, tenant: &str, leaf: &str) -> Url {
        let mut url = self.authority.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend([tenant, "oauth2", "v2.0", leaf]);
        }
        url
    }

    /// POSTs `form`, trying a connection failure or a 5xx again a few times.
    async fn post(&self, url: Url, form: &[(&str, &str)]) -> azure_core::Result<Reply> {
        let body = Zeroizing::new(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        );
        let mut attempt = 0;
        loop {
            let answered = self
                .http
                .post(url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header(reqwest::header::ACCEPT, "application/json")
                .body(body.as_bytes().to_vec())
                .send()
                .await;
            let reply = match answered {
                Ok(response) => Reply::read(response).await,
                Err(error) => Err(error),
            };
            match reply {
                Ok(reply) if reply.status < 500 || attempt == RETRIES => return Ok(reply),
                Err(error) if attempt == RETRIES => {
                    return Err(azure_core::Error::new(ErrorKind::Connection, error));
                }
                Ok(reply) => tracing::debug!(status = reply.status, attempt, "sign-in: retrying"),
                Err(_) => tracing::debug!(attempt, "sign-in: no answer, retrying"),
            }
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            attempt += 1;
        }
    }

    /// Asks for a device code for `scope`, shows it, and polls until the user has signed in.
    async fn sign_in(&self, tenant: &str, scope: &str) -> azure_core::Result<TokenAnswer> {
        tracing::info!(
            tenant,
            client_id = self.client_id,
            "device-code sign-in: asking for a code"
        );
        let scope = with_offline_access(scope);
        let reply = self
            .post(
                self.endpoint(tenant, "devicecode"),
                &[("client_id", &self.client_id), ("scope", &scope)],
            )
            .await?;
        let grant: DeviceAuthorization = match reply.parse()? {
            Answer::Given(grant) => grant,
            Answer::Refused(error) => return Err(self.ended(tenant, &error)),
        };
        let lifetime = Duration::from_secs(grant.expires_in.min(LONGEST_CODE_SECS));
        let deadline = Instant::now() + lifetime;
        let mut interval = Duration::from_secs(
            grant
                .interval
                .unwrap_or(DEFAULT_INTERVAL_SECS)
                .clamp(1, LONGEST_CODE_SECS),
        );
        (self.prompts)(DeviceCodePrompt {
            profile: self.profile.clone(),
            verification_uri: grant.verification_uri,
            user_code: grant.user_code,
            message: grant.message.unwrap_or_default(),
            expires_at: OffsetDateTime::now_utc() + lifetime,
        });
        tracing::info!(
            expires_in = lifetime.as_secs(),
            interval = interval.as_secs(),
            "device-code sign-in: code shown, waiting for the user"
        );
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(interval.min(left)).await;
            if Instant::now() >= deadline {
                tracing::info!("device-code sign-in: the code expired");
                return Err(failed(EXPIRED.to_owned()));
            }
            let reply = self
                .post(
                    self.endpoint(tenant, "token"),
                    &[
                        ("grant_type", DEVICE_CODE_GRANT),
                        ("client_id", &self.client_id),
                        ("device_code", grant.device_code.expose_secret()),
                    ],
                )
                .await?;
            let error = match reply.parse()? {
                Answer::Given(token) => {
                    tracing::info!("device-code sign-in: signed in");
                    return Ok(token);
                }
                Answer::Refused(error) => error,
            };
            match error.error.as_str() {
                "authorization_pending" => tracing::debug!("device-code sign-in: pending"),
                "slow_down" => {
                    interval += SLOW_DOWN;
                    tracing::info!(
                        interval = interval.as_secs(),
                        "device-code sign-in: asked to slow down"
                    );
                }
                _ => return Err(self.ended(tenant, &error)),
            }
        }
    }

    /// Redeems `refresh_token` for `scope` in `tenant`.
    async fn refresh(
        &self,
        tenant: &str,
        scope: &str,
        refresh_token: &SecretString,
    ) -> azure_core::Result<Answer<TokenAnswer>> {
        tracing::info!(tenant, "device-code sign-in: redeeming the refresh token");
        let scope = with_offline_access(scope);
        self.post(
            self.endpoint(tenant, "token"),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.client_id),
                ("refresh_token", refresh_token.expose_secret()),
                ("scope", &scope),
            ],
        )
        .await?
        .parse()
    }

    fn ended(&self, tenant: &str, error: &OAuthError) -> azure_core::Error {
        tracing::info!(
            error = error.error,
            codes = ?error.codes(),
            "device-code sign-in: refused"
        );
        failed(ending(error, tenant, &self.client_id))
    }
}

crate::challenged_credentials!(DeviceCodeCredential);

#[async_trait::async_trait]
impl ChallengedCredential for DeviceCodeCredential {
    async fn token(&self, ask: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
        let scope = ask.scopes.join(" ");
        let tenant = self
            .tenant
            .clone()
            .or(ask.challenged)
            .unwrap_or_else(|| DEFAULT_TENANT.to_owned());
        let mut held = self.held.lock().await;
        let key = (tenant, scope);
        let now = OffsetDateTime::now_utc();
        if let Some(kept) = held.tokens.get(&key)
            && kept.expires_at - now > EXPIRY_MARGIN
        {
            return Ok(kept.access_token());
        }
        let (tenant, scope) = (&key.0, &key.1);
        let refreshed = match &held.refresh_token {
            Some(refresh_token) => match self.refresh(tenant, scope, refresh_token).await? {
                Answer::Given(token) => Some(token),
                // Revoked, expired, or this tenant wants more (MFA, consent): sign in again.
                Answer::Refused(error) => {
                    tracing::info!(
                        error = error.error,
                        codes = ?error.codes(),
                        "device-code sign-in: the refresh token was refused"
                    );
                    None
                }
            },
            None => None,
        };
        let answer = match refreshed {
            Some(token) => token,
            None => self.sign_in(tenant, scope).await?,
        };
        if let Some(refresh_token) = answer.refresh_token {
            held.refresh_token = Some(refresh_token);
        }
        let kept = Kept {
            token: answer.access_token,
            expires_at: now
                + time::Duration::seconds(
                    i64::try_from(answer.expires_in)
                        .map_or(LONGEST_TOKEN_SECS, |s| s.min(LONGEST_TOKEN_SECS)),
                ),
        };
        let token = kept.access_token();
        held.tokens.insert(key, kept);
        Ok(token)
    }
}

impl Kept {
    fn access_token(&self) -> AccessToken {
        AccessToken::new(
            Secret::new(self.token.expose_secret().to_owned()),
            self.expires_at,
        )
    }
}

/// The device authorization response (RFC 8628 §3.2). Its `Debug` hides the device code, as
/// `SecretString`'s does.
#[derive(Debug, Deserialize)]
struct DeviceAuthorization {
    #[serde(deserialize_with = "answers::secret")]
    device_code: SecretString,
    user_code: String,
    /// Entra's v1 endpoint spelt it `verification_url`.
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(deserialize_with = "answers::seconds")]
    expires_in: u64,
    #[serde(default, deserialize_with = "answers::some_seconds")]
    interval: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

/// A successful token response (RFC 6749 §5.1); the id token, if any, is not kept.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    #[serde(deserialize_with = "answers::secret")]
    access_token: SecretString,
    #[serde(deserialize_with = "answers::seconds")]
    expires_in: u64,
    #[serde(default, deserialize_with = "answers::some_secret")]
    refresh_token: Option<SecretString>,
}

fn failed(message: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message)
}

/// Entra wants `offline_access` asked for to hand out a refresh token.
fn with_offline_access(scope: &str) -> String {
    format!("{scope} offline_access")
}

#[cfg(test)]
mod tests;
