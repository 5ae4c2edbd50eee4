//! Reading Azure Resource Manager: GETs with a bearer token per tenant, every page of a list
//! (following `nextLink` only to the same origin, so a token is never sent elsewhere), and the
//! retries the data plane makes for throttling and transient failures.

use super::models::{ErrorBody, Page};
use crate::auth::{ChallengeTenant, Identity, token_failure};
use crate::vault::TrustRoots;
use crate::vault::retry::{RetryPolicy, is_retryable_status, parse_retry_after};
use azure_core::credentials::{TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientMethodOptions, Context};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OnceCell, Semaphore};

/// Requests in flight at once, across every tenant and subscription. ARM allows thousands of
/// reads an hour per principal; 32 lists 50 subscriptions in two rounds.
pub const CONCURRENT_REQUESTS: usize = 32;

type TokenCell = Arc<OnceCell<Result<SecretString, String>>>;

pub struct Arm {
    http: reqwest::Client,
    base: url::Url,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    retry: RetryPolicy,
    /// One token per tenant (`None`: the credential's own), asked for once however many tasks
    /// want it at the same moment.
    tokens: Mutex<HashMap<Option<String>, TokenCell>>,
    /// Who the credential's own token (no tenant asked) says it is.
    identity: Mutex<Option<Identity>>,
    in_flight: Semaphore,
}

impl Arm {
    /// `resource_manager` is the cloud's base URL, `https://management.azure.com`.
    pub fn new(
        resource_manager: &str,
        credential: Arc<dyn TokenCredential>,
        trust: &TrustRoots,
        retry: RetryPolicy,
    ) -> Result<Self, String> {
        let base = url::Url::parse(resource_manager)
            .map_err(|error| format!("resource manager {resource_manager:?}: {error}"))?;
        let mut builder = trust
            .client_builder()
            .map_err(|error| error.to_string())?
            .redirect(reqwest::redirect::Policy::none())
            .timeout(retry.attempt_timeout);
        if base
            .host_str()
            .is_some_and(|host| host == "127.0.0.1" || host == "localhost" || host == "[::1]")
        {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|error| format!("cannot set up HTTPS: {error}"))?;
        Ok(Self {
            http,
            scope: format!("{}/.default", resource_manager.trim_end_matches('/')),
            base,
            credential,
            retry,
            tokens: Mutex::default(),
            identity: Mutex::default(),
            in_flight: Semaphore::new(CONCURRENT_REQUESTS),
        })
    }

    /// Who the credential signed in as, once its own token was fetched.
    pub fn identity(&self) -> Option<Identity> {
        self.identity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn token(&self, tenant: Option<&str>) -> Result<SecretString, String> {
        let cell = {
            let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(tokens.entry(tenant.map(str::to_owned)).or_default())
        };
        cell.get_or_init(|| async {
            let mut context = Context::new();
            if let Some(tenant) = tenant {
                context.insert(ChallengeTenant(tenant.to_owned()));
            }
            let options = TokenRequestOptions {
                method_options: ClientMethodOptions { context },
            };
            let token = self
                .credential
                .get_token(&[&self.scope], Some(options))
                .await
                .map_err(|error| token_failure(&error, &self.scope))?;
            if tenant.is_none() {
                *self.identity.lock().unwrap_or_else(PoisonError::into_inner) =
                    Identity::of_token(token.token.secret());
            }
            Ok(SecretString::from(token.token.secret().to_owned()))
        })
        .await
        .clone()
    }

    /// Every item of the list at `path` (with its query), in `tenant`, handed over a page at a
    /// time as each arrives.
    pub async fn list<T: DeserializeOwned>(
        &self,
        tenant: Option<&str>,
        path: &str,
        mut page: impl FnMut(Vec<T>),
    ) -> Result<(), String> {
        let mut url = self
            .base
            .join(path)
            .map_err(|error| format!("{path}: {error}"))?;
        loop {
            let body = self.get(tenant, &url).await?;
            let parsed: Page<T> = serde_json::from_slice(&body).map_err(|error| {
                format!("Resource Manager sent a list kvtui cannot read ({error})")
            })?;
            page(parsed.value);
            let Some(next) = parsed.next_link.filter(|link| !link.is_empty()) else {
                return Ok(());
            };
            let next = url::Url::parse(&next).map_err(|error| {
                format!("Resource Manager sent a nextLink that is no URL ({error})")
            })?;
            if next.origin() != self.base.origin() {
                return Err(format!(
                    "Resource Manager's nextLink points to {}, not {}: not followed, so no token \
                     goes there",
                    crate::quoting::cut(next.as_str(), 80),
                    self.base.origin().ascii_serialization()
                ));
            }
            url = next;
        }
    }

    /// One GET, retried; the body of a 200, else why not, in the service's words.
    async fn get(&self, tenant: Option<&str>, url: &url::Url) -> Result<Vec<u8>, String> {
        let token = self.token(tenant).await?;
        let mut retry = 0;
        loop {
            let attempt = {
                let _slot = self.in_flight.acquire().await.map_err(|e| e.to_string())?;
                self.http
                    .get(url.clone())
                    .bearer_auth(token.expose_secret())
                    .send()
                    .await
            };
            let (reason, retry_after) = match attempt {
                Ok(response) if response.status().is_success() => {
                    return response
                        .bytes()
                        .await
                        .map(|bytes| bytes.to_vec())
                        .map_err(|error| format!("the answer was cut off ({error})"));
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after =
                        parse_retry_after(response.headers(), crate::when::now_unix());
                    let body = response.bytes().await.unwrap_or_default();
                    let reason = refusal(status, &body);
                    if !is_retryable_status(status) {
                        return Err(reason);
                    }
                    (reason, retry_after)
                }
                Err(error) => (crate::vault::error::describe(&error), None),
            };
            if retry >= self.retry.max_retries {
                return Err(reason);
            }
            retry += 1;
            let delay = self.retry.delay(retry, retry_after, crate::random::unit());
            tracing::info!(retry, delay_ms = delay.as_millis() as u64, %reason, "retrying a Resource Manager read");
            tokio::time::sleep(delay).await;
        }
    }
}

/// `HTTP 403 AuthorizationFailed: The client … does not have authorization …`, cut to a line.
fn refusal(status: u16, body: &[u8]) -> String {
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|body| body.error);
    let code = detail
        .as_ref()
        .and_then(|d| d.code.as_deref())
        .unwrap_or("");
    let message = detail
        .as_ref()
        .and_then(|d| d.message.as_deref())
        .map(|message| message.lines().next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let text = match (code.is_empty(), message.is_empty()) {
        (true, true) => format!("HTTP {status}"),
        (false, true) => format!("HTTP {status} {code}"),
        (true, false) => format!("HTTP {status}: {message}"),
        (false, false) => format!("HTTP {status} {code}: {message}"),
    };
    crate::quoting::cut(&text, 300).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_as_one_line_with_the_services_code() {
        let body = br#"{"error":{"code":"AuthorizationFailed","message":"The client 'a@b' does not have authorization to perform action 'Microsoft.KeyVault/vaults/read'.\nMore"}}"#;
        assert_eq!(
            refusal(403, body),
            "HTTP 403 AuthorizationFailed: The client 'a@b' does not have authorization to \
             perform action 'Microsoft.KeyVault/vaults/read'."
        );
        assert_eq!(refusal(502, b"<html>"), "HTTP 502");
    }
}
