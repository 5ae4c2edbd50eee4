//! The operations log: what this session did to a vault, never a value.

use std::fmt;

/// What was done, as the log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Set,
    Recover,
    Purge,
    UpdateAttributes,
    Delete,
    CopyToClipboard,
    /// A copy from another profile arrived here.
    CopyIn,
    /// A copy went from here to another profile.
    CopyOut,
    Backup,
    Restore,
    Export,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Set => "set",
            Self::Recover => "recover",
            Self::Purge => "purge",
            Self::UpdateAttributes => "update attributes",
            Self::Delete => "delete",
            Self::CopyToClipboard => "copy to clipboard",
            Self::CopyIn => "copy in",
            Self::CopyOut => "copy out",
            Self::Backup => "backup",
            Self::Restore => "restore",
            Self::Export => "export",
        })
    }
}

/// One thing this session did to a vault. Never holds a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRecord {
    pub at: i64,
    pub profile: String,
    pub operation: Operation,
    pub secret: String,
    pub ok: bool,
    /// "version 3f2a…", or the error's code and message.
    pub outcome: String,
}
