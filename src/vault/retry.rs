//! When and how long to wait before trying a request again: throttling (429), the transient
//! server errors (500, 502, 503, 504) and transport failures, with exponential backoff, full
//! jitter, and the server's `Retry-After` honoured.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Per attempt, from sending to the end of the answer.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_delay: Duration::from_millis(400),
            max_delay: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The code the local vault sends, with a 500, for a row that fails its integrity check: the
/// damage is on disk, so trying again cannot help.
pub const STORE_CORRUPT: &str = "StoreCorrupt";

/// Whether an answer is worth another try: a retryable status, unless its error code says the
/// failure is permanent.
pub fn is_retryable(status: u16, code: Option<&str>) -> bool {
    is_retryable_status(status) && code != Some(STORE_CORRUPT)
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based). The server's `Retry-After` wins when it
    /// gives one, capped at `max_delay`; otherwise a random wait up to the exponential ceiling,
    /// so many clients throttled at once do not come back in lockstep. `unit` is a uniform
    /// random number in [0, 1).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        if let Some(server) = retry_after {
            return server.min(self.max_delay);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        // Never less than a tenth of the base, so a retry is not an immediate hammer.
        ceiling
            .mul_f64(unit.clamp(0.0, 1.0))
            .max(self.base_delay / 10)
    }
}

/// Reads `Retry-After` (seconds or an HTTP date) and the millisecond variants Azure sends.
pub fn parse_retry_after(headers: &reqwest::header::HeaderMap, now_unix: i64) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_millis(ms));
        }
    }
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = raw.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at =
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc2822).ok()?;
    Some(Duration::from_secs(
        (at.unix_timestamp() - now_unix).max(0) as u64
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, None, 0.999_999),
            Duration::from_millis(400).mul_f64(0.999_999)
        );
        assert!(policy.delay(3, None, 0.999_999) > Duration::from_millis(1500));
        assert_eq!(policy.delay(30, None, 1.0), Duration::from_secs(30));
        assert_eq!(
            policy.delay(2, None, 0.0),
            Duration::from_millis(40),
            "floor of base/10"
        );
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(900)), 0.5),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&headers, 0), Some(Duration::from_secs(7)));
        headers.insert("x-ms-retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(
            parse_retry_after(&headers, 0),
            Some(Duration::from_millis(250))
        );
        let mut dated = HeaderMap::new();
        dated.insert(
            "retry-after",
            HeaderValue::from_static("Thu, 01 Jan 1970 00:01:40 +0000"),
        );
        assert_eq!(parse_retry_after(&dated, 40), Some(Duration::from_secs(60)));
    }

    #[test]
    fn which_statuses_retry() {
        for status in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status));
        }
        // 507 is the local vault's full disk: nothing was written, and retrying will not free space.
        for status in [400, 401, 403, 404, 409, 507] {
            assert!(!is_retryable_status(status));
        }
        assert!(is_retryable(500, Some("InternalServerError")));
        assert!(!is_retryable(500, Some(STORE_CORRUPT)));
        assert!(!is_retryable(507, Some("StoreFull")));
    }
}
