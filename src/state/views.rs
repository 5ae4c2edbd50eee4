//! The other screens and dialogs: deleted secrets, the expiry overview, the operations log, the
//! review before a write, confirmations, path prompts, the diff of two versions.

use super::Remote;
use super::form::single_line;
use super::list::ExpiryBadge;
use super::review::{Change, ValueChange};
use crate::vault::{
    DeletedSecretItem, RecoveryLevel, SecretBundle, SecretValue, SetSecretParameters,
    UpdateSecretParameters,
};
use ratatui_textarea::TextArea;

/// Which view fills the main screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Screen {
    #[default]
    Secrets,
    Deleted,
    Expiry,
    Operations,
}

#[derive(Debug, Default)]
pub struct DeletedView {
    pub request: u64,
    pub items: Remote<Vec<DeletedSecretItem>>,
    pub cursor: usize,
}

impl DeletedView {
    pub fn selected_name(&self) -> Option<String> {
        self.items
            .loaded()?
            .get(self.cursor)?
            .item
            .secret_id()
            .map(|id| id.name)
    }
}

/// A secret worth a look in the expiry overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryRow {
    pub profile: usize,
    pub name: String,
    pub expires: Option<i64>,
    pub badge: ExpiryBadge,
}

#[derive(Debug, Default)]
pub struct ExpiryView {
    pub request: u64,
    /// Expired first, then soonest, then those with no expiry.
    pub rows: Vec<ExpiryRow>,
    /// Profiles still being scanned.
    pub pending: usize,
    /// Profiles that could not be scanned, with why.
    pub failures: Vec<(String, String)>,
    pub cursor: usize,
}

impl ExpiryView {
    pub fn add(&mut self, rows: Vec<ExpiryRow>) {
        self.rows.extend(rows);
        let rank = |row: &ExpiryRow| match row.expires {
            Some(exp) => (0, exp),
            None => (1, 0),
        };
        self.rows
            .sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.name.cmp(&b.name)));
    }
}

/// One thing this session did to a vault. Never holds a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRecord {
    pub at: i64,
    pub profile: String,
    pub operation: &'static str,
    pub secret: String,
    pub ok: bool,
    /// "version 3f2a…", or the error's code and message.
    pub outcome: String,
}

/// The write a review screen is about.
#[derive(Debug)]
pub enum Write {
    Set {
        name: String,
        params: SetSecretParameters,
    },
    Update {
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
    },
    /// Set the secret in another profile's vault.
    Copy {
        target: usize,
        name: String,
        params: SetSecretParameters,
    },
}

impl Write {
    pub fn name(&self) -> &str {
        match self {
            Self::Set { name, .. } | Self::Update { name, .. } | Self::Copy { name, .. } => name,
        }
    }
}

/// What a write will change, for the user to confirm before it is sent.
#[derive(Debug)]
pub struct Review {
    pub title: String,
    pub changes: Vec<Change>,
    /// Fields the write leaves as they were, shown so a carried-over date is seen.
    pub kept: Vec<Change>,
    pub value: ValueChange,
    /// The value being replaced, for a line diff when revealed.
    pub current_value: Option<SecretValue>,
    pub write: Write,
    pub reveal: bool,
    /// Set while the write is in flight.
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// Lines scrolled off the top (a revealed value can be taller than the screen).
    pub scroll: u16,
}

impl Review {
    /// Scrolls for `action` (a line or `page` lines); `false` when it is not a scroll.
    pub fn scroll_by(&mut self, action: crate::keymap::Action, page: u16) -> bool {
        use crate::keymap::Action;
        self.scroll = match action {
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll.saturating_add(page),
            Action::PageUp => self.scroll.saturating_sub(page),
            _ => return false,
        };
        true
    }

    pub fn new_value(&self) -> Option<&SecretValue> {
        match &self.write {
            Write::Set { params, .. } | Write::Copy { params, .. } => Some(&params.value),
            Write::Update { .. } => None,
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
    pub pending: Option<u64>,
    pub error: Option<String>,
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
            pending: None,
            error: None,
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
    BackupTo { name: String },
    RestoreFrom,
}

/// A file path to type.
#[derive(Debug)]
pub struct Prompt {
    pub purpose: PromptPurpose,
    pub input: Box<TextArea<'static>>,
    pub pending: Option<u64>,
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(purpose: PromptPurpose, initial: &str) -> Self {
        Self {
            purpose,
            input: Box::new(single_line(initial)),
            pending: None,
            error: None,
        }
    }
}

/// Two versions side by side: `older` and `newer` are version ids.
#[derive(Debug)]
pub struct VersionDiff {
    pub name: String,
    pub older: String,
    pub newer: String,
    pub request: u64,
    /// Each version's bundle, or why it could not be read (a disabled version's value).
    pub bundles: Remote<(VersionSide, VersionSide)>,
    pub reveal: bool,
    pub scroll: u16,
}

#[derive(Debug)]
pub struct VersionSide {
    pub bundle: Option<SecretBundle>,
    pub error: Option<String>,
}
