//! Work for the controller to start in the background. Each effect owns its request; its task
//! answers with `Msg`s carrying the same `Ticket`. `app::tasks` runs them.

use crate::config::NewProfile;
use crate::config::Profile;
use crate::random::Alphabet;
use crate::state::bulk::BulkStep;
use crate::state::{Operation, Ticket, Write};
use crate::vault::stale::Expected;
use crate::vault::{SecretBundle, SecretValue, SetSecretParameters, UpdateSecretParameters};
use std::path::PathBuf;
use std::time::Duration;

/// Where a recover or purge was asked from: the answer goes back there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The Set Secret form, whose name turned out to be soft-deleted (409).
    Form,
    /// The deleted view (`D`).
    DeletedView,
}

/// A recover of a soft-deleted secret, or a purge of it for good; its answer carries it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolve {
    pub ticket: Ticket,
    pub name: String,
    pub origin: Origin,
    pub purge: bool,
}

impl Resolve {
    /// The operation as the log names it.
    pub fn operation(&self) -> Operation {
        if self.purge {
            Operation::Purge
        } else {
            Operation::Recover
        }
    }
}

#[derive(Debug)]
pub enum Effect {
    /// Look for every vault the open profile's sign-in can see (the vault picker).
    Discover {
        ticket: Ticket,
    },
    /// Write `new` to the config file at `path`; `profile` is what the session then has.
    SaveProfile {
        ticket: Ticket,
        path: PathBuf,
        new: NewProfile,
        profile: Box<Profile>,
    },
    /// Open a profile's session (starting the embedded local vault when it is one).
    OpenProfile {
        generation: u64,
        profile: Profile,
    },
    /// Stream the secret list page by page.
    ListSecrets {
        ticket: Ticket,
    },
    /// Wait, then report that the selection settled on `name`.
    Settle {
        generation: u64,
        name: String,
        delay: Duration,
    },
    /// Get a secret: the latest version, or one version.
    LoadSecret {
        ticket: Ticket,
        name: String,
        version: Option<String>,
    },
    /// List a secret's versions.
    LoadVersions {
        ticket: Ticket,
        name: String,
    },
    /// Set Secret; with `expected`, only if the latest version is still that one (read just
    /// before), else `Msg::SetStale` with nothing written.
    SetSecret {
        ticket: Ticket,
        name: String,
        params: SetSecretParameters,
        expected: Option<Expected>,
    },
    /// After a guarded write: read the latest version, to say if another write landed just
    /// after `made`.
    CheckOvertaken {
        ticket: Ticket,
        name: String,
        made: SecretBundle,
    },
    /// Plan copying `names` to the profile `target`: their latest versions here, what that
    /// profile's vault holds, and its policy.
    PlanCopy {
        ticket: Ticket,
        target: usize,
        profile: Profile,
        names: Vec<String>,
    },
    /// One secret's write of a bulk run.
    BulkStep {
        ticket: Ticket,
        name: String,
        step: BulkStep,
    },
    /// Write the latest versions of `names` to a new file, owner-only, with or without values.
    Export {
        ticket: Ticket,
        names: Vec<String>,
        values: bool,
        path: PathBuf,
    },
    /// PATCH a version's (or the latest's) attributes; with `expected`, only if that version is
    /// still as it was read (just before), else `Msg::SetStale` with nothing written.
    UpdateSecret {
        ticket: Ticket,
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
        expected: Option<Expected>,
    },
    /// Delete a secret (soft-deleted where the vault keeps deleted secrets).
    DeleteSecret {
        ticket: Ticket,
        name: String,
    },
    /// List the soft-deleted secrets.
    ListDeleted {
        ticket: Ticket,
    },
    Resolve(Resolve),
    /// Get two versions for a diff.
    LoadPair {
        ticket: Ticket,
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
    /// Generate a value for the form.
    GenerateValue {
        length: usize,
        alphabet: Alphabet,
    },
    /// Write a secret's backup blob to a new file.
    Backup {
        ticket: Ticket,
        name: String,
        path: PathBuf,
    },
    /// Restore a secret from a backup file.
    Restore {
        ticket: Ticket,
        path: PathBuf,
    },
    /// List every profile's secrets for the expiry overview; `active` (the profile on screen)
    /// uses its session, the others open their own.
    ScanExpiry {
        ticket: Ticket,
        profiles: Vec<(usize, Profile)>,
        active: usize,
    },
    /// Get the secret here and its current state in the target profile, for the copy's review.
    PrepareCopy {
        ticket: Ticket,
        name: String,
        target: usize,
        profile: Profile,
    },
    /// Set the secret in the target profile's vault; with `expected`, guarded as `SetSecret` is.
    CopyToProfile {
        ticket: Ticket,
        target: usize,
        profile: Box<Profile>,
        name: String,
        params: SetSecretParameters,
        expected: Option<Expected>,
    },
}

impl Effect {
    /// The one way a reviewed write is sent, wherever it was reviewed; with `expected`, only if
    /// the secret is still as the review read it.
    pub fn write(
        write: Write,
        expected: Option<Expected>,
        ticket: Ticket,
        profiles: &[Profile],
    ) -> Self {
        match write {
            Write::Set { name, params } => Self::SetSecret {
                ticket,
                name,
                params,
                expected,
            },
            Write::Update {
                name,
                version,
                params,
            } => Self::UpdateSecret {
                ticket,
                name,
                version,
                params,
                expected,
            },
            Write::Copy {
                target,
                name,
                params,
            } => Self::CopyToProfile {
                ticket,
                target,
                profile: Box::new(profiles[target].clone()),
                name,
                params,
                expected,
            },
        }
    }
}
