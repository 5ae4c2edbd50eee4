//! The test controls under `/_kvtui/`: fault injection, the vault's clock, and a health check.

use super::Shared;
use super::answers::{Handled, bad_parameter, error, ok};
use super::request::{BodyError, MAX_BODY_BYTES, parse_json, read_body};
use crate::local_vault::bearer;
use crate::local_vault::faults::Faults;
use bytes::Bytes;
use hyper::body::Body;
use hyper::{Method, Request, StatusCode};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// How far tests may move the vault's clock: 1,000 years, far past any purge or expiry date and
/// far from overflowing a timestamp.
const MAX_CLOCK_OFFSET_SECS: i64 = 1_000 * 366 * 86_400;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    advance_seconds: i64,
}

pub(super) async fn admin<B>(shared: &Arc<Shared>, request: Request<B>) -> Handled
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    let (parts, body) = request.into_parts();
    bearer::require(shared.token.as_bytes(), &parts.headers)?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    match (&parts.method, parts.uri.path()) {
        (&Method::GET, "/_kvtui/faults") => Ok(ok(&shared.faults.current())),
        (&Method::PUT, "/_kvtui/faults") => {
            let faults: Faults = parse_json(&bytes)?;
            faults.validate().map_err(bad_parameter)?;
            tracing::info!(?faults, "faults changed");
            shared.faults.replace(faults);
            Ok(ok(&shared.faults.current()))
        }
        (&Method::POST, "/_kvtui/clock") => advance_clock(shared, parse_json(&bytes)?).await,
        (&Method::GET, "/_kvtui/health") => Ok(ok(&serde_json::json!({ "status": "ok" }))),
        _ => Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "No such control endpoint.",
        )),
    }
}

async fn advance_clock(shared: &Arc<Shared>, advance: ClockAdvance) -> Handled {
    let moved = |offset: i64| {
        offset
            .checked_add(advance.advance_seconds)
            .filter(|offset| offset.abs() <= MAX_CLOCK_OFFSET_SECS)
    };
    let before = shared
        .clock_offset
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, moved)
        .map_err(|_| {
            bad_parameter(format!(
                "advance_seconds: the clock may be moved at most {MAX_CLOCK_OFFSET_SECS} seconds \
                 from the wall clock in all."
            ))
        })?;
    // What the purge sweep would do as that time passed, done before the answer.
    let purged = crate::local_vault::purge_expired(shared)
        .await
        .map_err(super::answers::store_failure)?;
    Ok(ok(&serde_json::json!({
        "offset_seconds": before + advance.advance_seconds,
        "now": shared.now(),
        "purged": purged,
    })))
}
