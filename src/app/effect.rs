//! Work for the controller to start in the background. Each effect owns its request; its task
//! answers with one or more `Msg`s tagged with the same generation and request.

use crate::config::Profile;
use crate::vault::SetSecretParameters;
use std::time::Duration;

#[derive(Debug)]
pub enum Effect {
    /// Open a profile's session (starting the embedded local vault when it is one).
    OpenProfile { generation: u64, profile: Profile },
    /// Stream the secret list page by page.
    ListSecrets { generation: u64, request: u64 },
    /// Wait, then report that the selection settled on `name`.
    Settle {
        generation: u64,
        name: String,
        delay: Duration,
    },
    /// Get a secret: the latest version, or one version.
    LoadSecret {
        generation: u64,
        request: u64,
        name: String,
        version: Option<String>,
    },
    /// List a secret's versions.
    LoadVersions {
        generation: u64,
        request: u64,
        name: String,
    },
    /// Set Secret.
    SetSecret {
        generation: u64,
        request: u64,
        name: String,
        params: SetSecretParameters,
    },
    /// Recover (or, with `purge`, purge) a soft-deleted secret.
    ResolveDeleted {
        generation: u64,
        request: u64,
        name: String,
        purge: bool,
    },
}
