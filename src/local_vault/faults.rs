//! Fault injection, so tests can see how clients behave when the service is slow, throttles,
//! fails or hangs up. Set from `kvtui local-vault --fault-*` flags or at run time through the
//! token-protected `/_kvtui/faults` endpoint.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;

/// Which faults to inject into data-plane requests (never into `/_kvtui/*`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added before every request is handled.
    pub latency_ms: u64,
    /// Fraction (0..=1) of requests answered with `error_status`.
    pub error_rate: f64,
    /// 429, 500, 502, 503 or 504.
    pub error_status: u16,
    /// Seconds sent in `Retry-After` with 429 and 503 answers.
    pub retry_after_secs: u64,
    /// Fraction (0..=1) of requests whose connection is closed without an answer.
    pub drop_rate: f64,
    /// The next N requests fail with `error_status` whatever the rates say: a deterministic burst.
    pub fail_next: u32,
    /// Lists page as the service can: pages shorter than asked for, and empty pages, each with a
    /// next link; only the last page has none.
    pub short_pages: bool,
    /// For this long after a delete the deleted secret is not visible yet (its GET answers 404)
    /// and purge or recover answer 409, as the service does while it processes a delete.
    pub delete_lag_ms: u64,
    /// Every data-plane request is refused with the service's 403 for this reason.
    pub forbidden: Option<Forbidden>,
    /// Throttle as the service does: past this many requests in any 10 s (the service's 4,000
    /// for secrets), answer 429 with a Retry-After until the oldest leaves the window; 0 is off.
    pub throttle_per_10s: u32,
}

/// Why the service refuses a caller it has authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Forbidden {
    /// Azure RBAC: no role assignment grants the operation's data action (`ForbiddenByRbac`).
    Rbac,
    /// The vault's access policy lacks the operation's permission (`AccessDenied`).
    AccessPolicy,
    /// The vault's network rules do not admit the client's address (`ForbiddenByFirewall`).
    Firewall,
    /// Public network access is off: only a private endpoint reaches it (`ForbiddenByConnection`).
    PrivateLink,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            retry_after_secs: 1,
            drop_rate: 0.0,
            fail_next: 0,
            short_pages: false,
            delete_lag_ms: 0,
            forbidden: None,
            throttle_per_10s: 0,
        }
    }
}

pub const FAULT_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

impl Faults {
    /// Checks the settings, naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        if !FAULT_STATUSES.contains(&self.error_status) {
            return Err(format!(
                "error_status must be one of {FAULT_STATUSES:?}, got {}",
                self.error_status
            ));
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    Fail { status: u16, retry_after_secs: u64 },
    Drop,
}

#[derive(Default)]
pub struct FaultInjector {
    faults: Mutex<Faults>,
    /// When each request the throttle let through in the last 10 s came, oldest first.
    admitted: Mutex<std::collections::VecDeque<std::time::Instant>>,
}

const THROTTLE_WINDOW: Duration = Duration::from_secs(10);

impl FaultInjector {
    pub fn new(faults: Faults) -> Self {
        Self {
            faults: Mutex::new(faults),
            admitted: Mutex::default(),
        }
    }

    /// `None` when a request may go now under `limit` per 10 s, else the seconds to wait.
    fn throttled(&self, limit: u32, now: std::time::Instant) -> Option<u64> {
        let mut admitted = self
            .admitted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while admitted
            .front()
            .is_some_and(|&at| now.duration_since(at) >= THROTTLE_WINDOW)
        {
            admitted.pop_front();
        }
        if admitted.len() < limit as usize {
            admitted.push_back(now);
            return None;
        }
        let oldest = admitted.front().copied().unwrap_or(now);
        let wait = THROTTLE_WINDOW.saturating_sub(now.duration_since(oldest));
        Some(wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    pub fn current(&self) -> Faults {
        self.lock().clone()
    }

    pub fn replace(&self, faults: Faults) {
        *self.lock() = faults;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Decides the fault for the next request, and the latency to add before it.
    pub fn next(&self) -> (Duration, Fault) {
        let mut faults = self.lock();
        let latency = Duration::from_millis(faults.latency_ms);
        let fail = Fault::Fail {
            status: faults.error_status,
            retry_after_secs: faults.retry_after_secs,
        };
        if faults.fail_next > 0 {
            faults.fail_next -= 1;
            return (latency, fail);
        }
        if faults.throttle_per_10s > 0
            && let Some(wait) = self.throttled(faults.throttle_per_10s, std::time::Instant::now())
        {
            let throttled = Fault::Fail {
                status: 429,
                retry_after_secs: wait,
            };
            return (latency, throttled);
        }
        let fault = if faults.drop_rate > 0.0 && crate::random::unit() < faults.drop_rate {
            Fault::Drop
        } else if faults.error_rate > 0.0 && crate::random::unit() < faults.error_rate {
            fail
        } else {
            Fault::None
        };
        (latency, fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_fails_exactly_n_requests() {
        let injector = FaultInjector::new(Faults {
            fail_next: 2,
            error_status: 429,
            ..Faults::default()
        });
        let outcomes: Vec<Fault> = (0..3).map(|_| injector.next().1).collect();
        assert_eq!(
            outcomes,
            [
                Fault::Fail {
                    status: 429,
                    retry_after_secs: 1
                },
                Fault::Fail {
                    status: 429,
                    retry_after_secs: 1
                },
                Fault::None
            ]
        );
    }

    #[test]
    fn the_throttle_admits_its_limit_per_window_and_says_when_to_come_back() {
        let injector = FaultInjector::default();
        let start = std::time::Instant::now();
        let admitted = (0..5)
            .filter(|_| injector.throttled(3, start).is_none())
            .count();
        assert_eq!(admitted, 3);
        let later = start + Duration::from_millis(2_500);
        assert_eq!(
            injector.throttled(3, later),
            Some(8),
            "7.5 s left, rounded up"
        );
        let after = start + THROTTLE_WINDOW;
        assert_eq!(injector.throttled(3, after), None, "the window moved on");
    }

    #[test]
    fn rates_are_roughly_honoured() {
        let injector = FaultInjector::new(Faults {
            error_rate: 0.2,
            ..Faults::default()
        });
        let failures = (0..5000)
            .filter(|_| injector.next().1 != Fault::None)
            .count();
        assert!((800..1200).contains(&failures), "{failures} of 5000");
    }

    #[test]
    fn validation_names_the_setting() {
        let error_rate = Faults {
            error_rate: 1.5,
            ..Faults::default()
        };
        let error_status = Faults {
            error_status: 404,
            ..Faults::default()
        };
        for (setting, bad) in [("error_rate", error_rate), ("error_status", error_status)] {
            let problem = bad.validate().expect_err(setting);
            assert!(problem.starts_with(setting), "{problem}");
        }
    }
}
