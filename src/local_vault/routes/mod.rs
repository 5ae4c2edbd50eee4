//! The secrets data plane over HTTP: injected faults first, then the bearer and api-version
//! checks, then the route table that hands each request to its handler. The test controls under
//! `/_kvtui/` are answered beside it, untouched by the faults they set.

// A handler's early exit *is* the response it sends, so `Result<_, Response>` is the natural
// shape; boxing it would only add an allocation to every error.
#![allow(clippy::result_large_err)]

mod admin;
pub(super) mod answers;
mod backups;
mod context;
mod deleted;
mod pages;
mod request;
pub mod resource_manager;
mod secrets;
mod shared;

use super::bearer;
use super::faults::Fault;
use crate::vault::API_VERSIONS;
use crate::vault::rules;
use answers::{Handled, bad_parameter, injected_failure, json_response};
use bytes::Bytes;
use context::Context;
use hyper::body::Body;
use hyper::{Method, Request, Response, StatusCode};
use request::{Query, base_url, path_segments};
use std::sync::Arc;
use std::time::Instant;

pub use answers::ResponseBody;
pub(super) use answers::error;
pub use request::BodyError;
pub use shared::Shared;

/// The most characters of a request's own text (a version, an api-version, a path) an error
/// quotes back: a valid one is far shorter (a version is 32, a name at most 127), and a client
/// that sent 100 KiB does not need it back.
const ECHOED_CHARS: usize = 128;

/// Handed back to hyper to close a connection without an answer (the `drop` fault).
#[derive(Debug)]
pub struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

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
    let handled = if path.starts_with("/_kvtui/") {
        admin::admin(&shared, request).await
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
            } => Err(injected_failure(status, retry_after_secs)),
            Fault::None if resource_manager::is_resource_manager(&path) => {
                resource_manager::answer(&shared, &request.into_parts().0)
            }
            Fault::None => data_plane(&shared, request).await,
        }
    };
    let response = handled.unwrap_or_else(|refusal| refusal);
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}

async fn data_plane<B>(shared: &Arc<Shared>, request: Request<B>) -> Handled
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BodyError>,
{
    let (parts, body) = request.into_parts();
    bearer::require(shared.token.as_bytes(), &parts.headers)?;
    let query = Query::parse(parts.uri.query());
    let api_version = match &query.api_version {
        Some(version) if API_VERSIONS.contains(&version.as_str()) => version.clone(),
        Some(version) => {
            return Err(bad_parameter(format!(
                "The specified version ({}) is not recognized. Consider using the latest \
                 supported version ({}).",
                rules::cut(version, ECHOED_CHARS),
                API_VERSIONS[API_VERSIONS.len() - 1]
            )));
        }
        None => {
            return Err(bad_parameter(
                "The api-version query parameter is required.",
            ));
        }
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
        return Err(json_response(StatusCode::FORBIDDEN, &body));
    }
    match (method, segments.as_slice()) {
        (&Method::GET, ["secrets"]) => pages::list_secrets(context).await,
        (&Method::POST, ["secrets", "restore"]) => backups::restore(context, body).await,
        (&Method::PUT, ["secrets", name]) => secrets::set_secret(context, name, body).await,
        (&Method::DELETE, ["secrets", name]) => secrets::delete_secret(context, name).await,
        (&Method::GET, ["secrets", name] | ["secrets", name, ""]) => {
            secrets::get_secret(context, name, None).await
        }
        (&Method::GET, ["secrets", name, "versions"]) => pages::list_versions(context, name).await,
        (&Method::POST, ["secrets", name, "backup"]) => backups::backup_secret(context, name).await,
        (&Method::GET, ["secrets", name, version]) => {
            secrets::get_secret(context, name, Some(version)).await
        }
        (&Method::PATCH, ["secrets", name] | ["secrets", name, ""]) => {
            secrets::update_secret(context, name, None, body).await
        }
        (&Method::PATCH, ["secrets", name, version]) => {
            secrets::update_secret(context, name, Some(version), body).await
        }
        (&Method::GET, ["deletedsecrets"]) => pages::list_deleted(context).await,
        (&Method::GET, ["deletedsecrets", name]) => deleted::get_deleted(context, name).await,
        (&Method::DELETE, ["deletedsecrets", name]) => deleted::purge(context, name).await,
        (&Method::POST, ["deletedsecrets", name, "recover"]) => {
            deleted::recover(context, name).await
        }
        _ => Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "No operation {} {} in the secrets data plane.",
                rules::cut(method.as_str(), ECHOED_CHARS),
                rules::cut(parts.uri.path(), ECHOED_CHARS)
            ),
        )),
    }
}
