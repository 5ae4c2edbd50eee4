//! Everything that can change the state: keys from the terminal, answers from background tasks.
//! Answers carry the generation (profile session) and request they belong to, so a late answer for
//! a vault or a secret no longer on screen is dropped.

use crate::state::Connection;
use crate::vault::{
    DeletedSecretBundle, DeletedSecretItem, RetryNotice, SecretBundle, SecretItem, SecretValue,
    VaultError,
};
use crossterm::event::KeyEvent;

#[derive(Debug)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste), to go into the focused input as is.
    Paste(String),
    /// The terminal was resized.
    Resize(u16, u16),
    /// The clock ticked: spinners turn, expiry badges age.
    Tick { now: i64 },
    /// The profile's session opened, or could not.
    Connected {
        generation: u64,
        result: Result<Connection, String>,
    },
    /// A page of the secret list arrived; `done` on the last one (or on an error).
    SecretsPage {
        generation: u64,
        request: u64,
        result: Result<Vec<SecretItem>, String>,
        done: bool,
    },
    /// The cursor rested on a secret long enough to be worth loading.
    SelectionSettled { generation: u64, name: String },
    /// A secret (latest, or one version) arrived.
    SecretLoaded {
        generation: u64,
        request: u64,
        name: String,
        version: Option<String>,
        result: Result<SecretBundle, VaultError>,
    },
    /// A secret's version history arrived.
    VersionsLoaded {
        generation: u64,
        request: u64,
        name: String,
        result: Result<Vec<SecretItem>, VaultError>,
    },
    /// Set Secret answered.
    SecretSet {
        generation: u64,
        request: u64,
        result: Result<SecretBundle, VaultError>,
    },
    /// Recover or purge of a deleted name answered: the recovered secret, or `None` for a purge.
    DeletedResolved {
        generation: u64,
        request: u64,
        purged: bool,
        result: Result<Option<SecretBundle>, VaultError>,
    },
    /// A request is about to be retried.
    Retrying {
        generation: u64,
        request: u64,
        notice: RetryNotice,
    },
    SecretUpdated {
        generation: u64,
        request: u64,
        result: Result<SecretBundle, VaultError>,
    },
    SecretDeleted {
        generation: u64,
        request: u64,
        name: String,
        result: Result<DeletedSecretBundle, VaultError>,
    },
    DeletedListed {
        generation: u64,
        request: u64,
        result: Result<Vec<DeletedSecretItem>, VaultError>,
    },
    /// Recover (`purged == false`) or purge from the deleted view answered.
    DeletedHandled {
        generation: u64,
        request: u64,
        name: String,
        purged: bool,
        result: Result<(), VaultError>,
    },
    PairLoaded {
        generation: u64,
        request: u64,
        older: Result<SecretBundle, VaultError>,
        newer: Result<SecretBundle, VaultError>,
    },
    /// A copy's clear timer ran out; the copied text comes back to be found and cleared.
    ClipboardExpired { copy: u64, text: SecretValue },
    /// The clipboard (and tmux's paste buffers) were cleared of a copy.
    ClipboardCleared {
        copy: u64,
        cleared: crate::clipboard::Cleared,
    },
    /// A value for the form: read from a file, edited, or generated.
    ValueReady {
        source: &'static str,
        result: Result<SecretValue, String>,
    },
    BackedUp {
        generation: u64,
        request: u64,
        name: String,
        result: Result<String, String>,
    },
    Restored {
        generation: u64,
        request: u64,
        result: Result<SecretBundle, String>,
    },
    /// One profile of the expiry overview was scanned.
    ExpiryScanned {
        generation: u64,
        request: u64,
        profile: usize,
        result: Result<Vec<SecretItem>, String>,
    },
    CopyPrepared {
        generation: u64,
        request: u64,
        target: usize,
        source: Result<SecretBundle, VaultError>,
        /// The target's current version, `None` when it has none.
        current: Result<Option<SecretBundle>, String>,
    },
    Copied {
        generation: u64,
        request: u64,
        target: usize,
        result: Result<SecretBundle, String>,
    },
}
