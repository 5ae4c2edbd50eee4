//! Work for the controller to start in the background. Each effect owns its request; its task
//! answers with one or more `Msg`s tagged with the same generation and request.

use crate::config::Profile;
use crate::random::Alphabet;
use crate::vault::{SecretValue, SetSecretParameters, UpdateSecretParameters};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug)]
pub enum Effect {
    /// Open a profile's session (starting the embedded local vault when it is one).
    OpenProfile {
        generation: u64,
        profile: Profile,
    },
    /// Stream the secret list page by page.
    ListSecrets {
        generation: u64,
        request: u64,
    },
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
    /// PATCH a version's (or the latest's) attributes.
    UpdateSecret {
        generation: u64,
        request: u64,
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
    },
    DeleteSecret {
        generation: u64,
        request: u64,
        name: String,
    },
    ListDeleted {
        generation: u64,
        request: u64,
    },
    /// Recover or purge from the deleted view.
    RecoverDeleted {
        generation: u64,
        request: u64,
        name: String,
    },
    PurgeDeleted {
        generation: u64,
        request: u64,
        name: String,
    },
    /// Get two versions for a diff.
    LoadPair {
        generation: u64,
        request: u64,
        name: String,
        older: String,
        newer: String,
    },
    /// Put text on the terminal's clipboard (OSC 52), and clear it after `clear_after`.
    Clipboard {
        text: SecretValue,
        copy: u64,
        clear_after: Option<Duration>,
    },
    /// Clear a copy: the clipboard when `terminal` (it is the latest copy), and every tmux paste
    /// buffer that holds `text`.
    ClearClipboard {
        copy: u64,
        text: SecretValue,
        terminal: bool,
    },
    /// Read the form's value from a file.
    ReadValueFile {
        path: PathBuf,
    },
    /// Suspend the screen and edit the form's value in `$EDITOR`.
    EditValue {
        value: SecretValue,
    },
    GenerateValue {
        length: usize,
        alphabet: Alphabet,
    },
    Backup {
        generation: u64,
        request: u64,
        name: String,
        path: PathBuf,
    },
    Restore {
        generation: u64,
        request: u64,
        path: PathBuf,
    },
    /// List every profile's secrets for the expiry overview; the active one uses its session.
    ScanExpiry {
        generation: u64,
        request: u64,
        profiles: Vec<(usize, Profile)>,
    },
    /// Get the secret here and its current state in the target profile, for the copy's review.
    PrepareCopy {
        generation: u64,
        request: u64,
        name: String,
        target: usize,
        profile: Profile,
    },
    /// Set the secret in the target profile's vault.
    CopyToProfile {
        generation: u64,
        request: u64,
        profile: Profile,
        name: String,
        params: SetSecretParameters,
    },
}
