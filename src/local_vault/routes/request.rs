//! What a request brings: its body (read within limits, parsed as JSON), its query and its path.

use super::ECHOED_CHARS;
use super::Shared;
use super::answers::{ResponseBody, bad_parameter, error};
use crate::vault::MAX_BACKUP_BLOB_BYTES;
use crate::vault::rules;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use hyper::http::request::Parts;
use hyper::{Response, StatusCode, header};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Largest request body read for ordinary operations; a Set Secret at the 25 KiB value limit,
/// JSON-escaped, with 15 maximal tags, fits well inside it.
pub(super) const MAX_BODY_BYTES: usize = 1 << 20;
/// Restore carries every version of a secret, so its blob may be much larger: as large as a
/// backup may be, and the JSON around it.
pub(super) const MAX_RESTORE_BODY_BYTES: usize = MAX_BACKUP_BLOB_BYTES + 4096;
/// How long a request body may take to arrive once its headers have; a client that declares a
/// body and then stalls does not hold a connection and a buffer forever.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The error type of a request body: hyper's `Incoming`, or any body a test or fuzz target builds.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

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
pub(super) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, Response<ResponseBody>>
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

/// Reads a body that holds no secret value and parses it as JSON.
pub(super) async fn read_json<T, B>(body: B, limit: usize) -> Result<T, Response<ResponseBody>>
where
    T: DeserializeOwned,
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    parse_json(&read_body(body, limit).await?)
}

/// Parses a JSON body. The message says where and what kind of problem, but never quotes the
/// body: it may hold a secret value.
pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Response<ResponseBody>> {
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

/// The query parameters the data plane reads; any other is ignored, as the service does.
pub(super) struct Query {
    pub api_version: Option<String>,
    pub max_results: Option<String>,
    pub skip_token: Option<String>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
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

/// The vault's own base URL as the client addressed it, so ids and next links work whether it
/// was reached as 127.0.0.1, localhost or a remote name.
pub(super) fn base_url(shared: &Shared, parts: &Parts) -> String {
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

pub(super) fn path_segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}
