//! The Key Vault secrets client: every data-plane operation over one reqwest connection pool
//! (HTTP/2 where the vault offers it), with challenge auth, retries and typed errors. The TUI and
//! the CLI both use it; it knows nothing about either.

use super::challenge::{ChallengeAuth, authorization_header};
use super::error::VaultError;
use super::models::{
    BackupBlob, DeletedSecretBundle, DeletedSecretItem, MAX_BACKUP_BLOB_BYTES, Page, SecretBundle,
    SecretItem, SetSecretParameters, UpdateSecretParameters,
};
use super::retry::{RetryPolicy, is_retryable, is_retryable_status, parse_retry_after};
use super::trust::TrustRoots;
use azure_core::credentials::TokenCredential;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;
use zeroize::{Zeroize, Zeroizing};

/// How long a delete or recover waits for the service to finish it before returning anyway.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

/// One retry about to happen, for callers that show progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryNotice {
    pub operation: &'static str,
    /// The retry about to be made, from 1.
    pub retry: u32,
    pub max_retries: u32,
    pub delay: Duration,
    /// Why: the status and code, or the transport failure.
    pub reason: String,
}

pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

#[derive(Clone)]
pub struct ClientOptions {
    pub api_version: String,
    pub trust: TrustRoots,
    /// Refuse a challenge whose resource is not the vault's domain (off only for local vaults).
    pub verify_challenge_resource: bool,
    /// The only resource domain a challenge may name (the cloud's vault suffix), if known.
    pub challenge_domain: Option<String>,
    pub retry: RetryPolicy,
    pub on_retry: Option<RetryObserver>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            api_version: super::DEFAULT_API_VERSION.to_owned(),
            trust: TrustRoots::System,
            verify_challenge_resource: true,
            challenge_domain: None,
            retry: RetryPolicy::default(),
            on_retry: None,
        }
    }
}

struct Inner {
    http: reqwest::Client,
    vault_url: String,
    /// Where next links may point: the vault's scheme, host and effective port.
    origin: url::Origin,
    options: ClientOptions,
    /// Shared by clones made with another observer: one challenge and token per vault.
    auth: Arc<ChallengeAuth>,
}

/// A client for one vault. Cheap to clone; clones share connections, challenge and token.
#[derive(Clone)]
pub struct VaultClient {
    inner: Arc<Inner>,
}

/// Path segments are secret names and versions; encode them so nothing in them can change
/// the path (the service's names are `[0-9a-zA-Z-]`, so valid names pass through unchanged).
fn segment(raw: &str) -> percent_encoding::PercentEncode<'_> {
    const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(raw, PATH_SEGMENT)
}

fn is_loopback(origin: &url::Origin) -> bool {
    match origin {
        url::Origin::Tuple(_, url::Host::Domain(name), _) => name.eq_ignore_ascii_case("localhost"),
        url::Origin::Tuple(_, url::Host::Ipv4(address), _) => address.is_loopback(),
        url::Origin::Tuple(_, url::Host::Ipv6(address), _) => address.is_loopback(),
        url::Origin::Opaque(_) => false,
    }
}

/// An answer body; zeroed when dropped because it may hold a secret value.
struct Answer {
    status: u16,
    body: Zeroizing<Vec<u8>>,
}

/// The body of a successful answer, else the vault's error.
fn success_body<T: DeserializeOwned>(answer: Answer) -> Result<T, VaultError> {
    if !(200..=299).contains(&answer.status) {
        return Err(VaultError::from_response(answer.status, &answer.body));
    }
    decode(&answer.body)
}

impl VaultClient {
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: ClientOptions,
    ) -> Result<Self, VaultError> {
        let vault_url = vault_url.trim_end_matches('/').to_owned();
        let origin = reqwest::Url::parse(&vault_url)
            .map_err(|error| {
                VaultError::Transport(format!(
                    "vault URL {}: {error}",
                    super::rules::quoted(&vault_url)
                ))
            })?
            .origin();
        let mut builder = options
            .trust
            .client_builder()
            .map_err(|error| VaultError::Transport(error.to_string()))?
            .pool_idle_timeout(Duration::from_secs(90));
        // HTTPS_PROXY and NO_PROXY are honoured (reqwest reads them), except for a vault on this
        // machine, which no proxy can reach: a jump box's HTTPS_PROXY must not break the
        // embedded local vault.
        if is_loopback(&origin) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|error| VaultError::Transport(super::error::describe(&error)))?;
        let auth = Arc::new(ChallengeAuth::new(
            credential,
            vault_url.clone(),
            options.verify_challenge_resource,
            options.challenge_domain.clone(),
        ));
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                vault_url,
                origin,
                options,
                auth,
            }),
        })
    }

    /// Who the vault's token says the profile signed in as, once one was fetched.
    pub async fn identity(&self) -> Option<crate::auth::Identity> {
        self.inner.auth.identity().await
    }

    pub fn vault_url(&self) -> &str {
        &self.inner.vault_url
    }

    pub fn api_version(&self) -> &str {
        &self.inner.options.api_version
    }

    /// A clone that reports retries to `observer` (the TUI shows them in progress).
    pub fn with_retry_observer(&self, observer: RetryObserver) -> Self {
        let inner = &self.inner;
        let mut options = inner.options.clone();
        options.on_retry = Some(observer);
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                vault_url: inner.vault_url.clone(),
                origin: inner.origin.clone(),
                options,
                auth: Arc::clone(&inner.auth),
            }),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{path}?api-version={}",
            self.inner.vault_url, self.inner.options.api_version
        )
    }

    pub async fn set_secret(
        &self,
        name: &str,
        params: &SetSecretParameters,
    ) -> Result<SecretBundle, VaultError> {
        let body = json_body(params)?;
        let url = self.url(&format!("/secrets/{}", segment(name)));
        success_body(self.send("set", Method::PUT, url, Some(body)).await?)
    }

    /// One version with its value; `None` is the latest.
    pub async fn get_secret(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<SecretBundle, VaultError> {
        let url = self.version_url(name, version);
        success_body(self.send("get", Method::GET, url, None).await?)
    }

    pub async fn update_secret(
        &self,
        name: &str,
        version: Option<&str>,
        params: &UpdateSecretParameters,
    ) -> Result<SecretBundle, VaultError> {
        let body = json_body(params)?;
        let url = self.version_url(name, version);
        success_body(self.send("update", Method::PATCH, url, Some(body)).await?)
    }

    /// Deletes a secret. When the vault keeps deleted secrets, this returns once the deleted
    /// secret can be read: the service finishes a delete in the background, and until then it
    /// answers 404 for the deleted secret and refuses to purge or recover it (409). The SDKs'
    /// delete pollers wait the same way.
    pub async fn delete_secret(&self, name: &str) -> Result<DeletedSecretBundle, VaultError> {
        let url = self.url(&format!("/secrets/{}", segment(name)));
        let deleted: DeletedSecretBundle =
            success_body(self.send("delete", Method::DELETE, url, None).await?)?;
        if deleted.deletion.recovery_id.is_some() {
            self.until_found("delete", || self.get_deleted_secret(name))
                .await;
        }
        Ok(deleted)
    }

    pub async fn get_deleted_secret(&self, name: &str) -> Result<DeletedSecretBundle, VaultError> {
        let url = self.url(&format!("/deletedsecrets/{}", segment(name)));
        success_body(self.send("get deleted", Method::GET, url, None).await?)
    }

    /// Recovers a deleted secret, and returns once the service has finished (until then the
    /// secret answers 404), as the SDKs' recover pollers do.
    pub async fn recover_deleted_secret(&self, name: &str) -> Result<SecretBundle, VaultError> {
        let url = self.url(&format!("/deletedsecrets/{}/recover", segment(name)));
        let recovered = success_body(self.send("recover", Method::POST, url, None).await?)?;
        self.until_found("recover", || self.get_secret(name, None))
            .await;
        Ok(recovered)
    }

    /// Polls `read` while it answers 404 (an operation the service is still finishing), for up
    /// to [`SETTLE_TIMEOUT`]. Any other answer ends the wait: the operation itself succeeded, so a
    /// read that fails for another reason is not its failure.
    async fn until_found<T, F, Fut>(&self, operation: &'static str, read: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, VaultError>>,
    {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(250);
        loop {
            match read().await {
                Err(error) if error.is_not_found() => {}
                _ => return,
            }
            if started.elapsed() + delay > SETTLE_TIMEOUT {
                tracing::warn!(
                    operation,
                    "the vault had not finished after {SETTLE_TIMEOUT:?}"
                );
                return;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    pub async fn purge_deleted_secret(&self, name: &str) -> Result<(), VaultError> {
        let path = format!("/deletedsecrets/{}", segment(name));
        let answer = self
            .send("purge", Method::DELETE, self.url(&path), None)
            .await?;
        match answer.status {
            200..=299 => Ok(()),
            status => Err(VaultError::from_response(status, &answer.body)),
        }
    }

    pub async fn backup_secret(&self, name: &str) -> Result<BackupBlob, VaultError> {
        let url = self.url(&format!("/secrets/{}/backup", segment(name)));
        success_body(self.send("backup", Method::POST, url, None).await?)
    }

    pub async fn restore_secret(&self, blob: &BackupBlob) -> Result<SecretBundle, VaultError> {
        if blob.value.len() > MAX_BACKUP_BLOB_BYTES {
            return Err(VaultError::TooLarge(format!(
                "the backup blob is {} bytes, over the {MAX_BACKUP_BLOB_BYTES} bytes (64 MiB) a \
                 restore accepts",
                blob.value.len()
            )));
        }
        let body = json_body(blob)?;
        let url = self.url("/secrets/restore");
        success_body(self.send("restore", Method::POST, url, Some(body)).await?)
    }

    fn version_url(&self, name: &str, version: Option<&str>) -> String {
        let version = segment(version.unwrap_or(""));
        self.url(&format!("/secrets/{}/{version}", segment(name)))
    }

    /// Live secrets, a page at a time (25 per page, the service's maximum).
    pub fn list_secrets(&self) -> Pager<SecretItem> {
        self.pager("list", "/secrets".to_owned())
    }

    /// Every version of a secret, a page at a time.
    pub fn list_versions(&self, name: &str) -> Pager<SecretItem> {
        self.pager(
            "list versions",
            format!("/secrets/{}/versions", segment(name)),
        )
    }

    pub fn list_deleted_secrets(&self) -> Pager<DeletedSecretItem> {
        self.pager("list deleted", "/deletedsecrets".to_owned())
    }

    fn pager<T>(&self, operation: &'static str, path: String) -> Pager<T> {
        Pager {
            client: self.clone(),
            operation,
            next: Some(format!("{}&maxresults=25", self.url(&path))),
            item: PhantomData,
        }
    }

    /// Sends with auth and retries; returns the final answer, whatever its status.
    async fn send(
        &self,
        operation: &'static str,
        method: Method,
        url: String,
        body: Option<Zeroizing<Vec<u8>>>,
    ) -> Result<Answer, VaultError> {
        let policy = &self.inner.options.retry;
        let mut retry = 0;
        loop {
            let outcome = self
                .send_authorized(&method, &url, body.as_ref().map(|b| b.as_slice()))
                .await;
            let (reason, retry_after) = match &outcome {
                Ok((answer, _)) if !is_retryable_status(answer.status) => {
                    return outcome.map(|(answer, _)| answer);
                }
                Ok((answer, headers)) => {
                    let code = VaultError::from_response(answer.status, &answer.body);
                    if !is_retryable(answer.status, code.code()) {
                        return outcome.map(|(answer, _)| answer);
                    }
                    (
                        format!(
                            "{} (HTTP {})",
                            code.code().unwrap_or("error"),
                            answer.status
                        ),
                        parse_retry_after(headers, crate::when::now_unix()),
                    )
                }
                Err(VaultError::Transport(message)) => (message.clone(), None),
                Err(_) => return outcome.map(|(answer, _)| answer),
            };
            if retry >= policy.max_retries {
                return outcome.map(|(answer, _)| answer);
            }
            retry += 1;
            let delay = policy.delay(retry, retry_after, crate::random::unit());
            let notice = RetryNotice {
                operation,
                retry,
                max_retries: policy.max_retries,
                delay,
                reason,
            };
            tracing::info!(
                operation,
                retry,
                delay_ms = delay.as_millis() as u64,
                reason = %notice.reason,
                "retrying"
            );
            if let Some(observer) = &self.inner.options.on_retry {
                observer(&notice);
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt, including the challenge round trip when there is no token yet and one
    /// renewal when the vault refuses a cached token.
    async fn send_authorized(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
    ) -> Result<(Answer, reqwest::header::HeaderMap), VaultError> {
        let auth = &self.inner.auth;
        let probing = if auth.has_challenge().await {
            None
        } else {
            Some(auth.probing().await)
        };
        if probing.is_some() && !auth.has_challenge().await {
            // As the SDKs do: no token and no body until the vault says whom to ask.
            let (answer, headers) = self.send_once(method, url, None, None).await?;
            // A throttled or failed probe is this attempt's answer, for the retry loop to retry
            // (resending the body without a token would only earn a 401, taken as final).
            if answer.status != 401 {
                if body.is_none() || is_retryable_status(answer.status) {
                    return Ok((answer, headers));
                }
                return self.send_once(method, url, body, None).await;
            }
            auth.accept_challenge(header_text(&headers).as_deref())
                .await?;
        }
        let now = crate::when::now_unix();
        let token = auth.bearer(false, now).await?;
        // Those waiting to probe now find the challenge, and the token in the cache.
        drop(probing);
        let (answer, headers) = self
            .send_once(method, url, body, Some(authorization_header(&token)?))
            .await?;
        if answer.status != 401 {
            return Ok((answer, headers));
        }
        // The token was refused: the challenge may have moved (another tenant); try once more.
        auth.accept_challenge(header_text(&headers).as_deref())
            .await?;
        let token = auth.bearer(true, now).await?;
        let (answer, headers) = self
            .send_once(method, url, body, Some(authorization_header(&token)?))
            .await?;
        if answer.status == 401 {
            let refused = VaultError::from_response(401, &answer.body);
            return Err(VaultError::Auth(format!(
                "the vault refused the token: {refused}"
            )));
        }
        Ok((answer, headers))
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
        authorization: Option<reqwest::header::HeaderValue>,
    ) -> Result<(Answer, reqwest::header::HeaderMap), VaultError> {
        let mut request = self
            .inner
            .http
            .request(method.clone(), url)
            .timeout(self.inner.options.retry.attempt_timeout);
        if let Some(authorization) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, authorization);
        }
        request = match body {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec()),
            None if matches!(*method, Method::PUT | Method::PATCH | Method::POST) => {
                request.header(reqwest::header::CONTENT_LENGTH, "0")
            }
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|error| VaultError::from_transport(error, &self.inner.options.trust))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| VaultError::from_transport(error, &self.inner.options.trust))?;
        let body = Zeroizing::new(bytes.to_vec());
        // The copy above is the one that lives on; clear the original where we own it.
        if let Ok(mut owned) = bytes.try_into_mut() {
            owned.as_mut().zeroize();
        }
        Ok((Answer { status, body }, headers))
    }
}

fn header_text(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// A request body, zeroed when dropped because it may hold a secret value.
fn json_body(value: &impl serde::Serialize) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    serde_json::to_vec(value)
        .map(Zeroizing::new)
        .map_err(|error| VaultError::Decode(error.to_string()))
}

/// Decodes an answer. The message says what kind of mismatch and where, never the body's text,
/// which may hold a secret value.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, VaultError> {
    serde_json::from_slice(body).map_err(|error| {
        VaultError::Decode(format!(
            "{:?} error at line {}, column {}",
            error.classify(),
            error.line(),
            error.column()
        ))
    })
}

/// Pages of a list, fetched one at a time so a caller can show page 1 before page 40 lands.
pub struct Pager<T> {
    client: VaultClient,
    operation: &'static str,
    next: Option<String>,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    /// The next page, or `None` when the list is done. After an error the pager is done.
    ///
    /// A page may hold fewer items than asked for, or none, and still have a next link (the
    /// service pages over items it does not return): only a missing link ends the list.
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>, VaultError>> {
        let url = self.next.take()?;
        // A next link elsewhere would carry our token to another host. Origins are compared as
        // URLs define them: the service writes `https://NAME.vault.azure.net:443/…`, which is the
        // same origin as the profile's `https://NAME.vault.azure.net`.
        let same_origin =
            reqwest::Url::parse(&url).is_ok_and(|link| link.origin() == self.client.inner.origin);
        if !same_origin {
            return Some(Err(VaultError::Decode(format!(
                "the vault's nextLink points outside {}; not following it",
                self.client.inner.vault_url
            ))));
        }
        let result: Result<Page<T>, VaultError> = self
            .client
            .send(self.operation, Method::GET, url, None)
            .await
            .and_then(success_body);
        Some(result.map(|page| {
            self.next = page.next_link.filter(|link| !link.is_empty());
            page.value
        }))
    }

    /// Every remaining item.
    pub async fn collect_all(mut self) -> Result<Vec<T>, VaultError> {
        let mut items = Vec::new();
        while let Some(page) = self.next_page().await {
            items.extend(page?);
        }
        Ok(items)
    }
}
