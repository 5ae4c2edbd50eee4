//! Everything about speaking to a Key Vault: the REST models, the service's rules, and the
//! secret value type.

pub mod challenge;
pub mod client;
pub mod error;
pub mod models;
pub mod recovery;
pub mod retry;
pub mod rules;
pub mod secret_value;
pub mod stale;
pub mod trust;

pub use client::{ClientOptions, Pager, RetryNotice, VaultClient};
pub use error::VaultError;
pub use models::*;
pub use recovery::RecoveryLevel;
pub use secret_value::SecretValue;
pub use trust::TrustRoots;

/// API versions of the secrets data plane that the local vault accepts and the client may use.
pub const API_VERSIONS: [&str; 9] = [
    "7.0",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.6",
    "2025-07-01",
    "2026-04-01",
];

/// The version the client speaks unless a profile says otherwise.
pub const DEFAULT_API_VERSION: &str = "2025-07-01";
