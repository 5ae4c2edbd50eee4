//! The small dialogs over the main screen: a confirmation before an irreversible step and a
//! file path to type. Each has one status: open, sending, or failed with why.

use super::input::single_line;
use super::{Overlay, State, Ticket};
use crate::discovery::FoundVault;
use crate::vault::RecoveryLevel;
use ratatui_textarea::TextArea;

/// Where a dialog's write is: being filled in, sent and awaited, or refused (kept open with
/// everything typed, to try again).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DialogStatus {
    #[default]
    Open,
    /// The write with this request id is in flight.
    Sending(u64),
    Failed(String),
}

impl DialogStatus {
    pub fn is_sending(&self) -> bool {
        matches!(self, Self::Sending(_))
    }

    /// Whether the answer to `request` is this dialog's.
    pub fn awaits(&self, request: u64) -> bool {
        *self == Self::Sending(request)
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Failed(error) => Some(error),
            _ => None,
        }
    }
}

impl State {
    /// The status of the dialog on screen, when one is.
    pub fn dialog_status(&mut self) -> Option<&mut DialogStatus> {
        match &mut self.overlay {
            Overlay::Review(review) => Some(&mut review.status),
            Overlay::Confirm(confirm) => Some(&mut confirm.status),
            Overlay::Prompt(prompt) => Some(&mut prompt.status),
            _ => None,
        }
    }

    /// Registers the open dialog's write: the dialog then waits for it, its earlier error gone.
    pub fn begin_dialog_write(&mut self, label: String) -> Ticket {
        let ticket = self.begin_write(label);
        if let Some(status) = self.dialog_status() {
            *status = DialogStatus::Sending(ticket.request);
        }
        ticket
    }

    /// The answer to the dialog's write `request` arrived: the dialog closes when it went
    /// through, or stays open with the error (everything typed kept). An answer the dialog on
    /// screen is not waiting for changes nothing.
    pub fn dialog_answered(&mut self, request: u64, result: Result<(), &str>) {
        let Some(status) = self.dialog_status() else {
            return;
        };
        if !status.awaits(request) {
            return;
        }
        match result {
            Ok(()) => self.overlay = Overlay::None,
            Err(error) => *status = DialogStatus::Failed(error.to_owned()),
        }
    }
}

/// A question before an irreversible step.
#[derive(Debug)]
pub enum ConfirmAction {
    Delete {
        name: String,
        level: Option<RecoveryLevel>,
        days: Option<i64>,
    },
    Purge {
        name: String,
    },
}

#[derive(Debug)]
pub struct Confirm {
    pub action: ConfirmAction,
    /// For the steps that cannot be undone: the name, typed.
    pub typed: Option<Box<TextArea<'static>>>,
    pub status: DialogStatus,
}

impl Confirm {
    pub fn new(action: ConfirmAction) -> Self {
        let typed = match &action {
            ConfirmAction::Purge { .. } => true,
            ConfirmAction::Delete { level, .. } => {
                !level.as_ref().is_some_and(RecoveryLevel::is_recoverable)
            }
        };
        Self {
            action,
            typed: typed.then(|| Box::new(single_line(""))),
            status: DialogStatus::Open,
        }
    }

    pub fn name(&self) -> &str {
        match &self.action {
            ConfirmAction::Delete { name, .. } | ConfirmAction::Purge { name } => name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptPurpose {
    File(FilePrompt),
    /// A vault discovery cannot list: its name or URL.
    OpenVault,
    /// A profile name for the picker's vault, and whether it is to be read-only.
    SaveProfile {
        vault: Box<FoundVault>,
        read_only: bool,
    },
    /// `KEY=VALUE` to set on the marked secrets, or `-KEY` to remove.
    BulkTag,
    /// The expiry for the marked secrets, as the form takes it.
    BulkExpiry,
}

/// A file a backup goes to or comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilePrompt {
    BackupTo {
        name: String,
    },
    RestoreFrom,
    /// The marked secrets as `secret export` writes them (JSON), with their values or not.
    ExportTo {
        names: Vec<String>,
        values: bool,
    },
}

/// A line to type: a file path, a vault, a profile name.
#[derive(Debug)]
pub struct Prompt {
    pub purpose: PromptPurpose,
    pub input: Box<TextArea<'static>>,
    pub status: DialogStatus,
}

impl Prompt {
    pub fn new(purpose: PromptPurpose, initial: &str) -> Self {
        Self {
            purpose,
            input: Box::new(single_line(initial)),
            status: DialogStatus::Open,
        }
    }
}
