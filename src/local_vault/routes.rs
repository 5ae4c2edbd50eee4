//! The secrets data plane over HTTP: bearer auth with the service's challenge, api-version
//! checks, routing, and answers in the service's JSON shapes and error codes.

// A handler's early exit *is* the response it sends, so `Result<_, Response>` is the natural
// shape; boxing it would only add an allocation to every error.
#![allow(clippy::result_large_err)]

use super::backup;
use super::faults::{Fault, FaultInjector, Faults};
use super::store::{
    DeleteMode, DeletedSecret, NewVersion, Store, StoreError, VersionMeta, VersionPatch,
};
use crate::vault::rules::{self, Violation};
use crate::vault::{
    API_VERSIONS, BackupBlob, DeletedSecretBundle, DeletedSecretItem, Deletion, ErrorDetail,
    KeyVaultError, MAX_BACKUP_BLOB_BYTES, Page, RecoveryLevel, SecretAttributes, SecretBundle,
    SecretItem, SecretValue, SetSecretParameters, UpdateSecretParameters,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Body;
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

pub type ResponseBody = Full<Bytes>;

/// Largest request body read for ordinary operations; a Set Secret at the 25 KiB value limit,
/// JSON-escaped, with 15 maximal tags, fits well inside it.
const MAX_BODY_BYTES: usize = 1 << 20;
/// Restore carries every version of a secret, so its blob may be much larger: as large as a
/// backup may be, and the JSON around it.
const MAX_RESTORE_BODY_BYTES: usize = MAX_BACKUP_BLOB_BYTES + 4096;
/// How long a request body may take to arrive once its headers have; a client that declares a
/// body and then stalls does not hold a connection and a buffer forever.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_PAGE_SIZE: usize = 25;
/// The most characters of a request's own text (a version, an api-version, a path) an error
/// quotes back: a valid one is far shorter (a version is 32, a name at most 127), and a client
/// that sent 100 KiB does not need it back.
const ECHOED_CHARS: usize = 128;
/// The tenant named in the auth challenge; a local vault has no real tenant.
pub const TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// Server state shared by every connection.
pub struct Shared {
    pub store: Arc<Store>,
    pub token: Zeroizing<String>,
    pub listen_url: String,
    pub recovery_level: RecoveryLevel,
    pub recoverable_days: i64,
    pub faults: FaultInjector,
    /// Seconds added to the wall clock; moved forward by tests to reach purge and expiry dates.
    pub clock_offset: AtomicI64,
    pub backup_key: Zeroizing<[u8; backup::KEY_LEN]>,
    /// Secrets deleted within the `delete_lag_ms` fault, by lower-cased name: until their instant
    /// passes, the delete is still being processed.
    pub deleting: std::sync::Mutex<std::collections::HashMap<String, Instant>>,
}

impl Shared {
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or_default();
        wall.saturating_add(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Whether a delete of `name` is still being processed (the `delete_lag_ms` fault).
    fn still_deleting(&self, name: &str) -> bool {
        let mut deleting = self
            .deleting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        deleting.retain(|_, until| *until > now);
        deleting.contains_key(&name.to_ascii_lowercase())
    }

    fn start_deleting(&self, name: &str) {
        let lag = Duration::from_millis(self.faults.current().delete_lag_ms);
        if lag.is_zero() {
            return;
        }
        self.deleting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_ascii_lowercase(), Instant::now() + lag);
    }

    fn attributes(&self, meta: &VersionMeta) -> SecretAttributes {
        SecretAttributes {
            enabled: Some(meta.enabled),
            nbf: meta.nbf,
            exp: meta.exp,
            created: Some(meta.created),
            updated: Some(meta.updated),
            recoverable_days: Some(self.recoverable_days),
            recovery_level: Some(self.recovery_level.clone()),
        }
    }
}

/// Handed back to hyper to close a connection without an answer (the `drop` fault).
#[derive(Debug)]
pub struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

/// The error type of a request body: hyper's `Incoming`, or any body a test or fuzz target builds.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

pub async fn handle<B>(
    shared: Arc<Shared>,
    request: Request<B>,
) -> Result<Response<ResponseBody>, DroppedConnection>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BodyError>,
{
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = if path.starts_with("/_kvtui/") {
        admin(&shared, request).await
    } else {
        let (latency, fault) = shared.faults.next();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match fault {
            Fault::Drop => {
                tracing::info!(%method, path, "fault: connection dropped");
                return Err(DroppedConnection);
            }
            Fault::Fail {
                status,
                retry_after_secs,
            } => injected_failure(status, retry_after_secs),
            Fault::None => data_plane(&shared, request).await,
        }
    };
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}

// ---------------------------------------------------------------------------------------------
// Answers

fn json_response(status: StatusCode, body: &impl Serialize) -> Response<ResponseBody> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(id) = header::HeaderValue::from_str(&crate::random::hex(16)) {
        headers.insert("x-ms-request-id", id);
    }
    response
}

fn ok(body: &impl Serialize) -> Response<ResponseBody> {
    json_response(StatusCode::OK, body)
}

/// azure_core 1.1, under the official Rust SDK, reads an error's `code` and `message` as
/// borrowed `&str`, which fails on any JSON escape sequence; the SDK then gives the status number
/// ("400") as the error code. So a message holds nothing JSON must escape: quotes become
/// apostrophes, backslashes the look-alike U+29F5, control characters spaces.
fn escape_free(message: String) -> String {
    let needs_escape = |c: char| c == '"' || c == '\\' || c.is_control();
    if !message.contains(needs_escape) {
        return message;
    }
    message
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '\u{29f5}',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn error_body(code: &str, message: String, inner: Option<&str>) -> KeyVaultError {
    KeyVaultError {
        error: Some(ErrorDetail {
            code: Some(code.to_owned()),
            message: Some(escape_free(message)),
            innererror: inner.map(|inner| {
                Box::new(ErrorDetail {
                    code: Some(inner.to_owned()),
                    message: None,
                    innererror: None,
                })
            }),
        }),
    }
}

pub(super) fn error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
) -> Response<ResponseBody> {
    json_response(status, &error_body(code, message.into(), None))
}

fn error_with_inner(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    inner: &str,
) -> Response<ResponseBody> {
    json_response(status, &error_body(code, message.into(), Some(inner)))
}

fn bad_parameter(message: impl Into<String>) -> Response<ResponseBody> {
    error(StatusCode::BAD_REQUEST, "BadParameter", message)
}

fn violation(violation: Violation) -> Response<ResponseBody> {
    bad_parameter(violation.to_string())
}

fn secret_not_found(name: &str, version: Option<&str>) -> Response<ResponseBody> {
    let id = match version {
        Some(version) => format!("{name}/{}", rules::cut(version, ECHOED_CHARS)),
        None => name.to_owned(),
    };
    error(
        StatusCode::NOT_FOUND,
        "SecretNotFound",
        format!(
            "A secret with (name/id) {id} was not found in this key vault. If you recently deleted \
             this secret you may be able to recover it using the correct recovery command."
        ),
    )
}

fn deleted_secret_not_found(name: &str) -> Response<ResponseBody> {
    error(
        StatusCode::NOT_FOUND,
        "SecretNotFound",
        format!("Deleted Secret not found: {name}"),
    )
}

/// What the service answers to purge or recover while it is still processing the delete.
fn being_deleted() -> Response<ResponseBody> {
    error(
        StatusCode::CONFLICT,
        "Conflict",
        "Secret is currently being deleted.",
    )
}

fn deleted_but_recoverable(name: &str) -> Response<ResponseBody> {
    error_with_inner(
        StatusCode::CONFLICT,
        "Conflict",
        format!(
            "Secret {name} is currently in a deleted but recoverable state, and its name cannot \
             be reused; in this state, the secret can only be recovered or purged."
        ),
        "ObjectIsDeletedButRecoverable",
    )
}

pub(super) fn internal(error: impl std::fmt::Display) -> Response<ResponseBody> {
    tracing::error!(%error, "internal error");
    self::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        "The local vault could not complete the request; see its log.",
    )
}

fn store_error(error: StoreError, name: &str, version: Option<&str>) -> Response<ResponseBody> {
    match error {
        StoreError::NotFound => secret_not_found(name, version),
        StoreError::DeletedButRecoverable => deleted_but_recoverable(name),
        StoreError::AlreadyExists => error_with_inner(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "Secret {name} already exists; a backup can only be restored under a free name."
            ),
            "ObjectAlreadyExists",
        ),
        other => super::store_failures::answer(other),
    }
}

fn injected_failure(status: u16, retry_after_secs: u64) -> Response<ResponseBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (code, message) = match status {
        StatusCode::TOO_MANY_REQUESTS => (
            "Throttled",
            "Request was not processed because too many requests were received.",
        ),
        StatusCode::INTERNAL_SERVER_ERROR => ("InternalServerError", "Injected server error."),
        StatusCode::BAD_GATEWAY => ("BadGateway", "Injected bad gateway."),
        StatusCode::GATEWAY_TIMEOUT => ("GatewayTimeout", "Injected gateway timeout."),
        _ => (
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        ),
    };
    let mut response = error(status, code, message);
    if matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry_after_secs),
        );
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Requests

fn authorized(shared: &Shared, parts: &Parts) -> bool {
    super::bearer::authorized(shared.token.as_bytes(), &parts.headers)
}

fn unauthorized(has_token: bool) -> Response<ResponseBody> {
    let message = if has_token {
        "AKV10032: Invalid token: the bearer token is not this vault's token."
    } else {
        "AKV10000: Request is missing a Bearer or PoP token."
    };
    let mut response = error(StatusCode::UNAUTHORIZED, "Unauthorized", message);
    let challenge = format!(
        "Bearer authorization=\"https://login.windows.net/{TENANT}\", resource=\"https://vault.azure.net\""
    );
    if let Ok(value) = header::HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn too_large(limit: usize) -> Response<ResponseBody> {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!("The request body is larger than {limit} bytes."),
    )
}

/// Reads the whole body, refusing one over `limit` before reading a byte of it when its
/// `Content-Length` says so, and as soon as it grows past `limit` otherwise (chunked): at most
/// `limit` bytes are ever held. A body that stalls is given up after [`BODY_READ_TIMEOUT`].
async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, Response<ResponseBody>>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large(limit));
    }
    match tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(too_large(limit)),
        Ok(Err(error)) => Err(bad_parameter(format!(
            "The request body could not be read: {error}"
        ))),
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            format!(
                "The request body did not arrive within {} seconds.",
                BODY_READ_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// Parses a JSON body. The message says where and what kind of problem, but never quotes the
/// body: it may hold a secret value.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Response<ResponseBody>> {
    serde_json::from_slice(bytes).map_err(|error| {
        let detail = error.to_string();
        let (line, column) = (error.line(), error.column());
        let message = match error.classify() {
            serde_json::error::Category::Data
                if detail.starts_with("missing field") || detail.starts_with("unknown field") =>
            {
                let field = detail.split(" at line").next().unwrap_or(&detail);
                // An unknown field's name is the client's text.
                format!(
                    "The request body is invalid: {}.",
                    rules::cut(field, 2 * ECHOED_CHARS)
                )
            }
            serde_json::error::Category::Data => match mistyped_attribute(bytes) {
                Some(problem) => format!("The request body is invalid: {problem}."),
                None => format!(
                    "The request body is invalid: a property has the wrong type (line {line}, column {column})."
                ),
            },
            _ => format!(
                "The request body is not valid JSON (line {line}, column {column})."
            ),
        };
        bad_parameter(message)
    })
}

/// The attribute a body gives a type the spec does not (`enabled` a boolean; `nbf`, `exp`,
/// `created` and `updated` integers, unix seconds), to name it in the refusal. Only the
/// attributes are read into memory: the rest of the body, a value among it, is skipped.
fn mistyped_attribute(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Attributes {
        attributes: Option<serde_json::Map<String, serde_json::Value>>,
    }
    let attributes = serde_json::from_slice::<Attributes>(bytes)
        .ok()?
        .attributes?;
    let mistyped = |name: &str, fits: fn(&serde_json::Value) -> bool| {
        attributes
            .get(name)
            .is_some_and(|value| !value.is_null() && !fits(value))
    };
    if mistyped("enabled", serde_json::Value::is_boolean) {
        return Some("attributes.enabled must be true or false".to_owned());
    }
    ["nbf", "exp", "created", "updated"]
        .into_iter()
        .find(|name| mistyped(name, |value| value.as_i64().is_some()))
        .map(|name| {
            format!("attributes.{name} must be a whole number of seconds (unix time) in 64 bits")
        })
}

struct Query {
    api_version: Option<String>,
    max_results: Option<String>,
    skip_token: Option<String>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Self {
        let mut query = Self {
            api_version: None,
            max_results: None,
            skip_token: None,
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "api-version" => query.api_version = Some(value.into_owned()),
                "maxresults" => query.max_results = Some(value.into_owned()),
                "$skiptoken" => query.skip_token = Some(value.into_owned()),
                _ => {}
            }
        }
        query
    }
}

#[derive(Default)]
struct SkipToken {
    marker: String,
    /// This page is one the `short_pages` fault keeps empty.
    empty: bool,
}

/// What a data-plane handler needs to know about its request besides its body.
struct Context {
    shared: Arc<Shared>,
    base_url: String,
    api_version: String,
    query: Query,
    path: String,
}

impl Context {
    fn secret_id(&self, name: &str, version: Option<&str>) -> String {
        match version {
            Some(version) => format!("{}/secrets/{name}/{version}", self.base_url),
            None => format!("{}/secrets/{name}", self.base_url),
        }
    }

    fn bundle(&self, meta: &VersionMeta, value: Option<SecretValue>) -> SecretBundle {
        SecretBundle {
            value,
            id: Some(self.secret_id(&meta.name, Some(&meta.version))),
            content_type: meta.content_type.clone(),
            attributes: Some(self.shared.attributes(meta)),
            tags: meta.tags.clone(),
            ..SecretBundle::default()
        }
    }

    fn item(&self, meta: &VersionMeta, with_version: bool) -> SecretItem {
        SecretItem {
            id: Some(self.secret_id(&meta.name, with_version.then_some(meta.version.as_str()))),
            attributes: Some(self.shared.attributes(meta)),
            tags: meta.tags.clone(),
            content_type: meta.content_type.clone(),
            managed: None,
        }
    }

    fn deletion(&self, name: &str, deleted_date: i64, scheduled_purge_date: i64) -> Deletion {
        Deletion {
            recovery_id: Some(format!("{}/deletedsecrets/{name}", self.base_url)),
            deleted_date: Some(deleted_date),
            scheduled_purge_date: Some(scheduled_purge_date),
        }
    }

    fn page_size(&self) -> Result<usize, Response<ResponseBody>> {
        match &self.query.max_results {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(raw) => match raw.parse::<usize>() {
                Ok(size @ 1..=25) => Ok(size),
                _ => Err(bad_parameter(format!(
                    "The value of parameter 'maxresults' must be an integer from 1 to 25; got {}.",
                    rules::quoted(raw)
                ))),
            },
        }
    }

    /// Where this page starts, from its `$skiptoken`.
    fn skip_token(&self) -> Result<SkipToken, Response<ResponseBody>> {
        let Some(token) = &self.query.skip_token else {
            return Ok(SkipToken::default());
        };
        URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .ok()
            .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
            .and_then(|value| {
                Some(SkipToken {
                    marker: value.get("NextMarker")?.as_str()?.to_owned(),
                    empty: value.get("Empty").and_then(|e| e.as_bool()) == Some(true),
                })
            })
            .ok_or_else(|| bad_parameter("The $skiptoken parameter is not valid."))
    }

    /// How many items this page holds, and where it starts; `None` for a page that is empty by
    /// design (the `short_pages` fault), whose next link goes on from the same place.
    fn page(&self) -> Result<Option<(usize, String)>, Response<ResponseBody>> {
        let size = self.page_size()?;
        let token = self.skip_token()?;
        if token.empty {
            return Ok(None);
        }
        let size = if self.shared.faults.current().short_pages {
            (size / 2).max(1)
        } else {
            size
        };
        Ok(Some((size, token.marker)))
    }

    /// The answer for a page the `short_pages` fault keeps empty.
    fn empty_page<T: Serialize>(&self) -> Response<ResponseBody> {
        let marker = self
            .skip_token()
            .map(|token| token.marker)
            .unwrap_or_default();
        ok(&Page::<T> {
            value: Vec::new(),
            next_link: self.link(&marker, false),
        })
    }

    fn next_link(&self, more: bool, marker: &str) -> Option<String> {
        // Under `short_pages`, every page with items is followed by an empty one.
        let empty_next = self.shared.faults.current().short_pages;
        more.then(|| self.link(marker, empty_next)).flatten()
    }

    fn link(&self, marker: &str, empty: bool) -> Option<String> {
        let mut token = serde_json::json!({ "NextMarker": marker });
        if empty {
            token["Empty"] = serde_json::Value::Bool(true);
        }
        let token = URL_SAFE_NO_PAD.encode(token.to_string());
        let mut link = format!(
            "{}{}?api-version={}&$skiptoken={token}",
            self.base_url, self.path, self.api_version
        );
        if let Some(size) = &self.query.max_results {
            link.push_str(&format!("&maxresults={size}"));
        }
        Some(link)
    }

    async fn store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store, i64) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = Arc::clone(&self.shared.store);
        let now = self.shared.now();
        tokio::task::spawn_blocking(move || work(&store, now))
            .await
            .unwrap_or_else(|join| Err(StoreError::Corrupt(format!("store task failed: {join}"))))
    }
}

/// The vault's own base URL as the client addressed it, so ids and next links work whether it
/// was reached as 127.0.0.1, localhost or a remote name.
fn base_url(shared: &Shared, parts: &Parts) -> String {
    let authority = parts
        .uri
        .authority()
        .map(|authority| authority.as_str().to_owned())
        .or_else(|| {
            parts
                .headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok())
                .map(str::to_owned)
        });
    match authority {
        Some(authority) if !authority.is_empty() && !authority.contains(['/', '@', ' ']) => {
            format!("https://{authority}")
        }
        _ => shared.listen_url.clone(),
    }
}

fn path_segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

async fn data_plane<B>(shared: &Arc<Shared>, request: Request<B>) -> Response<ResponseBody>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BodyError>,
{
    let (parts, body) = request.into_parts();
    if !authorized(shared, &parts) {
        return unauthorized(parts.headers.contains_key(header::AUTHORIZATION));
    }
    let query = Query::parse(parts.uri.query());
    let api_version = match &query.api_version {
        Some(version) if API_VERSIONS.contains(&version.as_str()) => version.clone(),
        Some(version) => {
            return bad_parameter(format!(
                "The specified version ({}) is not recognized. Consider using the latest \
                 supported version ({}).",
                rules::cut(version, ECHOED_CHARS),
                API_VERSIONS[API_VERSIONS.len() - 1]
            ));
        }
        None => return bad_parameter("The api-version query parameter is required."),
    };
    let context = Context {
        shared: Arc::clone(shared),
        base_url: base_url(shared, &parts),
        api_version,
        query,
        path: parts.uri.path().to_owned(),
    };
    let segments = path_segments(parts.uri.path());
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = &parts.method;
    if let Some(reason) = shared.faults.current().forbidden {
        let body = super::forbidden::body(reason, method.as_str(), &segments, "localvault");
        // The service's own text, line breaks and quotes included: this is what clients must read.
        return json_response(StatusCode::FORBIDDEN, &body);
    }
    match (method, segments.as_slice()) {
        (&Method::GET, ["secrets"]) => list_secrets(context).await,
        (&Method::POST, ["secrets", "restore"]) => restore(context, body).await,
        (&Method::PUT, ["secrets", name]) => set_secret(context, name, body).await,
        (&Method::DELETE, ["secrets", name]) => delete_secret(context, name).await,
        (&Method::GET, ["secrets", name] | ["secrets", name, ""]) => {
            get_secret(context, name, None).await
        }
        (&Method::GET, ["secrets", name, "versions"]) => list_versions(context, name).await,
        (&Method::POST, ["secrets", name, "backup"]) => backup_secret(context, name).await,
        (&Method::GET, ["secrets", name, version]) => {
            get_secret(context, name, Some(version)).await
        }
        (&Method::PATCH, ["secrets", name] | ["secrets", name, ""]) => {
            update_secret(context, name, None, body).await
        }
        (&Method::PATCH, ["secrets", name, version]) => {
            update_secret(context, name, Some(version), body).await
        }
        (&Method::GET, ["deletedsecrets"]) => list_deleted(context).await,
        (&Method::GET, ["deletedsecrets", name]) => get_deleted(context, name).await,
        (&Method::DELETE, ["deletedsecrets", name]) => purge(context, name).await,
        (&Method::POST, ["deletedsecrets", name, "recover"]) => recover(context, name).await,
        _ => error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "No operation {} {} in the secrets data plane.",
                rules::cut(method.as_str(), ECHOED_CHARS),
                rules::cut(parts.uri.path(), ECHOED_CHARS)
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Operations

async fn set_secret<B>(context: Context, name: &str, body: B) -> Response<ResponseBody>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let bytes = match read_body(body, MAX_BODY_BYTES).await {
        Ok(bytes) => Zeroizing::new(bytes.to_vec()),
        Err(response) => return response,
    };
    let params: SetSecretParameters = match parse_json(&bytes) {
        Ok(params) => params,
        Err(response) => return response,
    };
    if let Err(broken) = rules::check_set(name, &params) {
        return violation(broken);
    }
    let attributes = params.attributes.unwrap_or_default();
    let new = NewVersion {
        version: crate::random::hex(16),
        value: params.value.clone(),
        content_type: params.content_type,
        tags: params.tags,
        enabled: attributes.enabled.unwrap_or(true),
        nbf: attributes.nbf,
        exp: attributes.exp,
    };
    let owned_name = name.to_owned();
    match context
        .store(move |store, now| store.set(&owned_name, &new, now))
        .await
    {
        Ok(meta) => ok(&context.bundle(&meta, Some(params.value))),
        Err(error) => store_error(error, name, None),
    }
}

async fn get_secret(context: Context, name: &str, version: Option<&str>) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let (owned_name, owned_version) = (name.to_owned(), version.map(str::to_owned));
    match context
        .store(move |store, _| store.get(&owned_name, owned_version.as_deref()))
        .await
    {
        Ok(found) if !found.meta.enabled => error_with_inner(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Operation get is not allowed on a disabled secret.",
            "SecretDisabled",
        ),
        Ok(found) => ok(&context.bundle(&found.meta, Some(found.value))),
        Err(error) => store_error(error, name, version),
    }
}

async fn update_secret<B>(
    context: Context,
    name: &str,
    version: Option<&str>,
    body: B,
) -> Response<ResponseBody>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let bytes = match read_body(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let params: UpdateSecretParameters = match parse_json(&bytes) {
        Ok(params) => params,
        Err(response) => return response,
    };
    if let Err(broken) = rules::check_update(name, &params) {
        return violation(broken);
    }
    let attributes = params.attributes.unwrap_or_default();
    let patch = VersionPatch {
        content_type: params.content_type,
        tags: params.tags,
        enabled: attributes.enabled,
        nbf: attributes.nbf,
        exp: attributes.exp,
    };
    let (owned_name, owned_version) = (name.to_owned(), version.map(str::to_owned));
    let result = context
        .store(move |store, now| {
            let current = store.get(&owned_name, owned_version.as_deref())?.meta;
            // The merged dates must still be in order, as they are checked on set.
            if let Err(broken) =
                rules::check_dates(patch.nbf.or(current.nbf), patch.exp.or(current.exp))
            {
                return Ok(Err(broken));
            }
            store
                .update(&owned_name, owned_version.as_deref(), &patch, now)
                .map(Ok)
        })
        .await;
    match result {
        Ok(Ok(meta)) => ok(&context.bundle(&meta, None)),
        Ok(Err(broken)) => violation(broken),
        Err(error) => store_error(error, name, version),
    }
}

async fn delete_secret(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let soft = context.shared.recovery_level.is_recoverable();
    let days = context.shared.recoverable_days;
    let owned_name = name.to_owned();
    let result = context
        .store(move |store, now| {
            let mode = if soft {
                DeleteMode::Soft {
                    scheduled_purge_date: now + days * 86_400,
                }
            } else {
                DeleteMode::Permanent
            };
            store
                .delete(&owned_name, mode, now)
                .map(|meta| (meta, mode, now))
        })
        .await;
    match result {
        Ok((meta, mode, now)) => {
            let deletion = match mode {
                DeleteMode::Soft {
                    scheduled_purge_date,
                } => {
                    context.shared.start_deleting(&meta.name);
                    context.deletion(&meta.name, now, scheduled_purge_date)
                }
                DeleteMode::Permanent => Deletion::default(),
            };
            ok(&DeletedSecretBundle {
                secret: context.bundle(&meta, None),
                deletion,
            })
        }
        Err(error) => store_error(error, name, None),
    }
}

async fn list_secrets(context: Context) -> Response<ResponseBody> {
    let (size, after) = match context.page() {
        Ok(Some(page)) => page,
        Ok(None) => return context.empty_page::<SecretItem>(),
        Err(response) => return response,
    };
    match context
        .store(move |store, _| store.list(&after, size))
        .await
    {
        Ok((metas, more)) => {
            let marker = metas
                .last()
                .map(|m| m.name.to_ascii_lowercase())
                .unwrap_or_default();
            ok(&Page {
                value: metas.iter().map(|meta| context.item(meta, false)).collect(),
                next_link: context.next_link(more, &marker),
            })
        }
        Err(error) => super::store_failures::answer(error),
    }
}

async fn list_versions(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let (size, after) = match context.page() {
        Ok(Some(page)) => page,
        Ok(None) => return context.empty_page::<SecretItem>(),
        Err(response) => return response,
    };
    let Ok(after_seq) = (if after.is_empty() {
        Ok(0)
    } else {
        after.parse::<i64>()
    }) else {
        return bad_parameter("The $skiptoken parameter is not valid.");
    };
    let owned_name = name.to_owned();
    match context
        .store(move |store, _| store.list_versions(&owned_name, after_seq, size))
        .await
    {
        Ok((metas, more)) => {
            let marker = metas.last().map(|m| m.seq.to_string()).unwrap_or_default();
            ok(&Page {
                value: metas.iter().map(|meta| context.item(meta, true)).collect(),
                next_link: context.next_link(more, &marker),
            })
        }
        Err(error) => super::store_failures::answer(error),
    }
}

fn deleted_item(context: &Context, deleted: &DeletedSecret) -> DeletedSecretItem {
    DeletedSecretItem {
        item: context.item(&deleted.latest, false),
        deletion: context.deletion(
            &deleted.latest.name,
            deleted.deleted_date,
            deleted.scheduled_purge_date,
        ),
    }
}

async fn list_deleted(context: Context) -> Response<ResponseBody> {
    let (size, after) = match context.page() {
        Ok(Some(page)) => page,
        Ok(None) => return context.empty_page::<DeletedSecretItem>(),
        Err(response) => return response,
    };
    match context
        .store(move |store, now| store.list_deleted(&after, size, now))
        .await
    {
        Ok((deleted, more)) => {
            let marker = deleted
                .last()
                .map(|d| d.latest.name.to_ascii_lowercase())
                .unwrap_or_default();
            ok(&Page {
                value: deleted
                    .iter()
                    .filter(|d| !context.shared.still_deleting(&d.latest.name))
                    .map(|d| deleted_item(&context, d))
                    .collect(),
                next_link: context.next_link(more, &marker),
            })
        }
        Err(error) => super::store_failures::answer(error),
    }
}

async fn get_deleted(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    if context.shared.still_deleting(name) {
        return deleted_secret_not_found(name);
    }
    let owned_name = name.to_owned();
    match context
        .store(move |store, now| store.get_deleted(&owned_name, now))
        .await
    {
        Ok(deleted) => ok(&DeletedSecretBundle {
            secret: context.bundle(&deleted.latest, None),
            deletion: context.deletion(
                &deleted.latest.name,
                deleted.deleted_date,
                deleted.scheduled_purge_date,
            ),
        }),
        Err(StoreError::NotFound) => deleted_secret_not_found(name),
        Err(error) => super::store_failures::answer(error),
    }
}

async fn recover(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    if context.shared.still_deleting(name) {
        return being_deleted();
    }
    let owned_name = name.to_owned();
    match context
        .store(move |store, now| store.recover(&owned_name, now))
        .await
    {
        Ok(meta) => ok(&context.bundle(&meta, None)),
        Err(StoreError::NotFound) => deleted_secret_not_found(name),
        Err(error) => super::store_failures::answer(error),
    }
}

async fn purge(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    if !context.shared.recovery_level.allows_purge() {
        return error_with_inner(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "Operation \"purge\" is not allowed because purge protection is enabled for this \
                 vault (recovery level {}). The secret will be purged automatically at its \
                 scheduled purge date.",
                context.shared.recovery_level
            ),
            "PurgeProtectionEnabled",
        );
    }
    if context.shared.still_deleting(name) {
        return being_deleted();
    }
    let owned_name = name.to_owned();
    match context
        .store(move |store, now| store.purge(&owned_name, now))
        .await
    {
        Ok(()) => {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        Err(StoreError::NotFound) => deleted_secret_not_found(name),
        Err(error) => super::store_failures::answer(error),
    }
}

async fn backup_secret(context: Context, name: &str) -> Response<ResponseBody> {
    if let Err(broken) = rules::check_name(name) {
        return violation(broken);
    }
    let owned_name = name.to_owned();
    let key = context.shared.backup_key.clone();
    match context
        .store(move |store, _| {
            store
                .export(&owned_name)
                .map(|export| backup::seal(&export, &key))
        })
        .await
    {
        Ok(Ok(value)) => ok(&BackupBlob { value }),
        Ok(Err(too_large)) => error(
            StatusCode::BAD_REQUEST,
            "BackupTooLarge",
            too_large.to_string(),
        ),
        Err(error) => store_error(error, name, None),
    }
}

async fn restore<B>(context: Context, body: B) -> Response<ResponseBody>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    let bytes = match read_body(body, MAX_RESTORE_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let params: BackupBlob = match parse_json(&bytes) {
        Ok(params) => params,
        Err(response) => return response,
    };
    let export = match backup::open(&params.value, &context.shared.backup_key) {
        Ok(export) => export,
        Err(problem) => {
            return bad_parameter(format!("The backup blob cannot be restored: {problem}."));
        }
    };
    let name = export.name.clone();
    match context
        .store(move |store, now| store.import(&export, now))
        .await
    {
        Ok(meta) => ok(&context.bundle(&meta, None)),
        Err(error) => store_error(error, &name, None),
    }
}

// ---------------------------------------------------------------------------------------------
// Test controls

/// How far tests may move the vault's clock: 1,000 years, far past any purge or expiry date and
/// far from overflowing a timestamp.
const MAX_CLOCK_OFFSET_SECS: i64 = 1_000 * 366 * 86_400;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    advance_seconds: i64,
}

async fn admin<B>(shared: &Arc<Shared>, request: Request<B>) -> Response<ResponseBody>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    let (parts, body) = request.into_parts();
    if !authorized(shared, &parts) {
        return unauthorized(parts.headers.contains_key(header::AUTHORIZATION));
    }
    let bytes = match read_body(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    match (&parts.method, parts.uri.path()) {
        (&Method::GET, "/_kvtui/faults") => ok(&shared.faults.current()),
        (&Method::PUT, "/_kvtui/faults") => {
            let faults: Faults = match parse_json(&bytes) {
                Ok(faults) => faults,
                Err(response) => return response,
            };
            if let Err(problem) = faults.validate() {
                return bad_parameter(problem);
            }
            tracing::info!(?faults, "faults changed");
            shared.faults.replace(faults);
            ok(&shared.faults.current())
        }
        (&Method::POST, "/_kvtui/clock") => {
            let advance: ClockAdvance = match parse_json(&bytes) {
                Ok(advance) => advance,
                Err(response) => return response,
            };
            let moved = |offset: i64| {
                offset
                    .checked_add(advance.advance_seconds)
                    .filter(|offset| offset.abs() <= MAX_CLOCK_OFFSET_SECS)
            };
            match shared
                .clock_offset
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, moved)
            {
                // What the purge sweep would do as that time passed, done before the answer.
                Ok(before) => match super::purge_expired(shared).await {
                    Ok(purged) => ok(&serde_json::json!({
                        "offset_seconds": before + advance.advance_seconds,
                        "now": shared.now(),
                        "purged": purged,
                    })),
                    Err(error) => super::store_failures::answer(error),
                },
                Err(_) => bad_parameter(format!(
                    "advance_seconds: the clock may be moved at most {MAX_CLOCK_OFFSET_SECS} seconds \
                     from the wall clock in all."
                )),
            }
        }
        (&Method::GET, "/_kvtui/health") => ok(&serde_json::json!({ "status": "ok" })),
        _ => error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "No such control endpoint.",
        ),
    }
}
