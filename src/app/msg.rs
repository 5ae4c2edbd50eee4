//! Everything that can change the state: keys from the terminal, answers from background tasks.
//! Answers carry the `Ticket` of the effect they answer, so a late answer for a vault or a
//! secret no longer on screen is dropped.

use super::effect::Resolve;
use crate::auth::DeviceCodePrompt;
use crate::auth::Identity;
use crate::clipboard::Cleared;
use crate::config::Profile;
use crate::config::{AddProfileError, Added};
use crate::discovery::Found;
use crate::file_trust::FileTrustError;
use crate::session::SessionError;
use crate::state::bulk::Stepped;
use crate::state::{Connection, Ticket};
use crate::vault::{
    DeletedSecretBundle, DeletedSecretItem, RetryNotice, SecretBundle, SecretItem, SecretValue,
    VaultError,
};
use crossterm::event::KeyEvent;
use std::fmt;
use std::path::PathBuf;

/// Why a background task failed, as the status line says it.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Session(Box<SessionError>),
    #[error(transparent)]
    File(#[from] FileTrustError),
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Editor(String),
    #[error("{0}")]
    Export(String),
    /// Not written: another write landed since the review, and this is what it is.
    #[error("not written: since it was reviewed, {0}")]
    Overtaken(String),
    #[error("{0}")]
    Stopped(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Config(#[from] AddProfileError),
}

impl From<SessionError> for TaskError {
    fn from(error: SessionError) -> Self {
        Self::Session(Box::new(error))
    }
}

/// Where the form's new value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueSource {
    File,
    Editor,
    Generator,
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::File => "loaded from the file",
            Self::Editor => "edited",
            Self::Generator => "generated",
        })
    }
}

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
    /// A device-code sign-in in the session of `generation` waits for the user to enter its
    /// code.
    SignIn {
        generation: u64,
        prompt: DeviceCodePrompt,
    },
    /// The profile's session opened, or could not.
    Connected {
        generation: u64,
        result: Result<Connection, SessionError>,
    },
    /// A page of the secret list arrived; `done` on the last one (or on an error).
    SecretsPage {
        ticket: Ticket,
        result: Result<Vec<SecretItem>, VaultError>,
        done: bool,
    },
    /// The cursor rested on a secret long enough to be worth loading.
    SelectionSettled { generation: u64, name: String },
    /// A secret (latest, or one version) arrived.
    SecretLoaded {
        ticket: Ticket,
        name: String,
        version: Option<String>,
        result: Result<SecretBundle, VaultError>,
    },
    /// A secret's version history arrived.
    VersionsLoaded {
        ticket: Ticket,
        name: String,
        result: Result<Vec<SecretItem>, VaultError>,
    },
    /// Set Secret answered.
    SecretSet {
        ticket: Ticket,
        result: Result<SecretBundle, VaultError>,
    },
    /// A guarded Set Secret found another latest version than the one the form started from,
    /// and wrote nothing.
    SetStale {
        ticket: Ticket,
        latest: Option<Box<SecretBundle>>,
    },
    /// What the latest version was just after a guarded write: a warning when it is not the
    /// write's own.
    Overtaken {
        ticket: Ticket,
        warning: Option<String>,
    },
    /// A request is about to be retried.
    Retrying { ticket: Ticket, notice: RetryNotice },
    /// An attributes update answered.
    SecretUpdated {
        ticket: Ticket,
        result: Result<SecretBundle, VaultError>,
    },
    /// A delete answered.
    SecretDeleted {
        ticket: Ticket,
        name: String,
        result: Result<DeletedSecretBundle, VaultError>,
    },
    /// The soft-deleted secrets arrived.
    DeletedListed {
        ticket: Ticket,
        result: Result<Vec<DeletedSecretItem>, VaultError>,
    },
    /// A recover or a purge answered; a recover with the recovered secret.
    Resolved {
        asked: Resolve,
        result: Result<Option<SecretBundle>, VaultError>,
    },
    /// The two versions of a diff arrived.
    PairLoaded {
        ticket: Ticket,
        older: Result<SecretBundle, VaultError>,
        newer: Result<SecretBundle, VaultError>,
    },
    /// A copy's clear timer ran out; the copied text comes back to be found and cleared.
    ClipboardExpired { copy: u64, text: SecretValue },
    /// The clipboard (and tmux's paste buffers) were cleared of a copy.
    ClipboardCleared { copy: u64, cleared: Cleared },
    /// A value for the form: read from a file, edited, or generated.
    ValueReady {
        source: ValueSource,
        result: Result<SecretValue, TaskError>,
    },
    /// A backup was written to the file at the path, or failed.
    BackedUp {
        ticket: Ticket,
        name: String,
        result: Result<PathBuf, TaskError>,
    },
    /// One secret's write of a bulk run answered.
    BulkStepped {
        ticket: Ticket,
        result: Result<Stepped, TaskError>,
    },
    /// The plan of copying the marked secrets to the profile `target`: each secret's step.
    CopyPlanned {
        ticket: Ticket,
        target: usize,
        result: Result<Vec<crate::transfer::Planned>, TaskError>,
    },
    /// An export was written: how many secrets, and where.
    Exported {
        ticket: Ticket,
        result: Result<(usize, PathBuf), TaskError>,
    },
    /// A restore answered, with the restored secret.
    Restored {
        ticket: Ticket,
        result: Result<SecretBundle, TaskError>,
    },
    /// One profile of the expiry overview was scanned.
    ExpiryScanned {
        ticket: Ticket,
        profile: usize,
        result: Result<Vec<SecretItem>, TaskError>,
    },
    /// The secret here and its state in the copy's target profile arrived.
    CopyPrepared {
        ticket: Ticket,
        target: usize,
        source: Result<SecretBundle, VaultError>,
        /// The target's current version, `None` when it has none.
        current: Result<Option<SecretBundle>, TaskError>,
    },
    /// The open profile's token says who it signed in as.
    SignedIn { generation: u64, identity: Identity },
    /// Discovery found vaults, or something it could not list; `None`: it is done.
    Discovered {
        ticket: Ticket,
        found: Option<Found>,
    },
    /// A profile was written to the config file, or not.
    ProfileSaved {
        ticket: Ticket,
        profile: Box<Profile>,
        result: Result<Added, TaskError>,
    },
    /// The copy to another profile answered; with a warning when, read just after, the latest
    /// version there was not the copy's.
    Copied {
        ticket: Ticket,
        target: usize,
        result: Result<SecretBundle, TaskError>,
        overtaken: Option<String>,
    },
}

impl Msg {
    /// The ticket of an answer that ends its request: every answer but a page before the last,
    /// one profile of several in the expiry scan (the scan ends with its last), and a retry
    /// notice.
    pub fn ending(&self) -> Option<Ticket> {
        match self {
            Self::SecretsPage { ticket, done, .. } => done.then_some(*ticket),
            Self::SecretLoaded { ticket, .. }
            | Self::VersionsLoaded { ticket, .. }
            | Self::SecretSet { ticket, .. }
            | Self::SetStale { ticket, .. }
            | Self::Overtaken { ticket, .. }
            | Self::SecretUpdated { ticket, .. }
            | Self::SecretDeleted { ticket, .. }
            | Self::DeletedListed { ticket, .. }
            | Self::PairLoaded { ticket, .. }
            | Self::BackedUp { ticket, .. }
            | Self::Exported { ticket, .. }
            | Self::BulkStepped { ticket, .. }
            | Self::CopyPlanned { ticket, .. }
            | Self::Restored { ticket, .. }
            | Self::CopyPrepared { ticket, .. }
            | Self::ProfileSaved { ticket, .. }
            | Self::Copied { ticket, .. } => Some(*ticket),
            Self::Resolved { asked, .. } => Some(asked.ticket),
            Self::Key(_)
            | Self::Paste(_)
            | Self::Resize(..)
            | Self::Tick { .. }
            | Self::Connected { .. }
            | Self::SignedIn { .. }
            | Self::SignIn { .. }
            | Self::SelectionSettled { .. }
            | Self::Retrying { .. }
            | Self::ClipboardExpired { .. }
            | Self::ClipboardCleared { .. }
            | Self::ValueReady { .. }
            | Self::ExpiryScanned { .. }
            // Discovery outlives a profile switch (the picker opens vaults): it ends itself.
            | Self::Discovered { .. } => None,
        }
    }
}
