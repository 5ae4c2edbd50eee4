//! The answers the data plane sends: JSON bodies, and its errors in the service's codes and words.

use super::super::store::StoreError;
use super::ECHOED_CHARS;
use crate::vault::retry::STORE_CORRUPT;
use crate::vault::rules::{self, Violation};
use crate::vault::{ErrorDetail, KeyVaultError};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode, header};
use serde::Serialize;

pub type ResponseBody = Full<Bytes>;

/// A handler's answer. A refusal ends the handler early and is sent as it is, so both sides are
/// responses and `?` reads as "or answer this instead".
pub(super) type Handled = Result<Response<ResponseBody>, Response<ResponseBody>>;

pub(super) fn json_response(status: StatusCode, body: &impl Serialize) -> Response<ResponseBody> {
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

pub(super) fn ok(body: &impl Serialize) -> Response<ResponseBody> {
    json_response(StatusCode::OK, body)
}

pub(super) fn no_content() -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
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

pub(in crate::local_vault) fn error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
) -> Response<ResponseBody> {
    json_response(status, &error_body(code, message.into(), None))
}

pub(super) fn error_with_inner(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    inner: &str,
) -> Response<ResponseBody> {
    json_response(status, &error_body(code, message.into(), Some(inner)))
}

pub(super) fn bad_parameter(message: impl Into<String>) -> Response<ResponseBody> {
    error(StatusCode::BAD_REQUEST, "BadParameter", message)
}

pub(super) fn violation(violation: Violation) -> Response<ResponseBody> {
    bad_parameter(violation.to_string())
}

/// Refuses a name the service would not accept, before the store is asked about it.
pub(super) fn check_name(name: &str) -> Result<(), Response<ResponseBody>> {
    rules::check_name(name).map_err(violation)
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

pub(super) fn deleted_secret_not_found(name: &str) -> Response<ResponseBody> {
    error(
        StatusCode::NOT_FOUND,
        "SecretNotFound",
        format!("Deleted Secret not found: {name}"),
    )
}

/// What the service answers to purge or recover while it is still processing the delete.
pub(super) fn being_deleted() -> Response<ResponseBody> {
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

pub(in crate::local_vault) fn internal(error: impl std::fmt::Display) -> Response<ResponseBody> {
    tracing::error!(%error, "internal error");
    self::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        "The local vault could not complete the request; see its log.",
    )
}

/// A store failure about the live secret `name` (at `version`, when one was asked for).
pub(super) fn store_error(
    error: StoreError,
    name: &str,
    version: Option<&str>,
) -> Response<ResponseBody> {
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
        other => store_failure(other),
    }
}

/// A store failure about the deleted secret `name`.
pub(super) fn deleted_store_error(error: StoreError, name: &str) -> Response<ResponseBody> {
    match error {
        StoreError::NotFound => deleted_secret_not_found(name),
        other => store_failure(other),
    }
}

pub(super) fn injected_failure(status: u16, retry_after_secs: u64) -> Response<ResponseBody> {
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

/// How the store's own failures are answered. A damaged row and a full disk each get a status
/// and code of their own, so a client neither retries them as transient nor is told only "see the
/// log"; any other store failure is the generic 500.
pub(super) fn store_failure(failure: StoreError) -> Response<ResponseBody> {
    match failure {
        StoreError::Damaged(damage) => {
            tracing::error!(%damage, "a damaged row was not served");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                STORE_CORRUPT,
                format!(
                    "The local vault's store is damaged: {damage}, so it is not served. Run \
                     'kvtui local-vault --check' for a report of the whole store."
                ),
            )
        }
        StoreError::Unreadable(problem) => {
            tracing::error!(%problem, "a row of the store cannot be read");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                STORE_CORRUPT,
                "The local vault's store is damaged: a row cannot be read. Run 'kvtui \
                 local-vault --check' for a report of the whole store.",
            )
        }
        StoreError::Full => {
            tracing::error!("the store's disk is full: a write was refused");
            error(
                StatusCode::INSUFFICIENT_STORAGE,
                "StoreFull",
                "The local vault's store is full: the disk holding its data dir has no space \
                 left. Nothing was written; free some space and try again.",
            )
        }
        other => internal(other),
    }
}
