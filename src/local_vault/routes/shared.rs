//! The server state every connection shares: store, token, recovery settings, faults and clock.

use super::super::backup;
use super::super::faults::FaultInjector;
use super::super::store::{Store, VersionMeta};
use crate::vault::{RecoveryLevel, SecretAttributes};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

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
    pub deleting: Mutex<HashMap<String, Instant>>,
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
    pub(super) fn still_deleting(&self, name: &str) -> bool {
        let mut deleting = self.deleting.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        deleting.retain(|_, until| *until > now);
        deleting.contains_key(&name.to_ascii_lowercase())
    }

    pub(super) fn start_deleting(&self, name: &str) {
        let lag = Duration::from_millis(self.faults.current().delete_lag_ms);
        if lag.is_zero() {
            return;
        }
        self.deleting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_ascii_lowercase(), Instant::now() + lag);
    }

    pub(super) fn attributes(&self, meta: &VersionMeta) -> SecretAttributes {
        SecretAttributes {
            enabled: Some(meta.settings.enabled),
            nbf: meta.settings.nbf,
            exp: meta.settings.exp,
            created: Some(meta.created),
            updated: Some(meta.updated),
            recoverable_days: Some(self.recoverable_days),
            recovery_level: Some(self.recovery_level.clone()),
        }
    }
}
