//! The `kvtui secret` subcommands and their flags, as clap parses them.

use crate::cli::transfer::{ExportArgs, ImportArgs, PromoteArgs};
use crate::vault::stale::Expected;
use crate::when::WHEN_FORMS;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret: a new secret, or a new version of an existing one.
    Set(SetArgs),
    /// Show a secret's attributes; the value is masked unless --reveal.
    Show {
        /// The secret's name.
        name: String,
        /// The version: its id, or a unique prefix such as the 8 characters the TUI shows
        /// [default: the latest].
        #[arg(long)]
        version: Option<String>,
        /// Print the value.
        #[arg(long)]
        reveal: bool,
        /// With --reveal, print the value alone, its exact bytes: no newline added and nothing
        /// escaped, so control characters in it reach the terminal as they are (for scripts).
        #[arg(long, requires = "reveal", conflicts_with = "json")]
        value: bool,
    },
    /// List the vault's secrets, page by page as they arrive.
    List,
    /// List every version of a secret, newest first.
    Versions {
        /// The secret's name.
        name: String,
    },
    /// Change a version's attributes without making a new version.
    Update(UpdateArgs),
    /// Delete a secret (soft-deleted when the vault's recovery level allows).
    Delete {
        /// The secret's name.
        name: String,
    },
    /// List deleted secrets.
    Deleted,
    /// Recover a deleted secret with all its versions.
    Recover {
        /// The deleted secret's name.
        name: String,
    },
    /// Permanently remove a deleted secret.
    Purge {
        /// The deleted secret's name.
        name: String,
    },
    /// Write a secret's backup blob (encrypted by the vault) to a new file.
    Backup {
        /// The secret's name.
        name: String,
        /// The file to write; it must not exist yet (it is created with mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a secret from a backup blob file.
    Restore {
        /// A backup blob file, as `backup --out` wrote it.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// A new version from an older one: its value, content type and tags (dates are not copied).
    Rollback {
        /// The secret's name.
        name: String,
        /// The version to roll back to: its id, or a unique prefix such as the 8 characters the
        /// TUI shows.
        #[arg(long)]
        version: String,
        #[command(flatten)]
        guard: GuardArgs,
    },
    /// Copy the latest version (value, content type, tags, dates) to another profile's vault.
    Copy {
        /// The secret's name, the same in both vaults.
        name: String,
        /// The profile to copy into (the source is --profile).
        #[arg(long)]
        to: String,
    },
    /// Write the vault's secrets (those --filter keeps) to a file: metadata, and values only
    /// with --values.
    Export(ExportArgs),
    /// Set the secrets a file holds: shows the plan (new, new version, unchanged, refused),
    /// then writes only what differs, once confirmed.
    Import(ImportArgs),
    /// Make profile --to hold what profile --from holds (those --filter keeps): shows the plan,
    /// then writes only what differs, once confirmed.
    Promote(PromoteArgs),
    /// The secrets that break the profile's policy (its latest versions), each with the rule.
    /// Exits 3 when one does, 0 when none does.
    Lint,
    /// Secrets in every profile that are expired, expire soon, or never expire. Exits 4 when
    /// one is expired, else 3 when one expires within DAYS, else 0 (1 when a profile could
    /// not be read).
    Expiring {
        /// How far ahead to look.
        #[arg(long, default_value_t = 30, value_name = "DAYS")]
        within: i64,
        /// Leave out the secrets that have no expiry.
        #[arg(long)]
        skip_no_expiry: bool,
    },
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The secret's name: 1 to 127 letters, digits and '-'.
    pub name: String,
    /// Read the value from this file, byte for byte.
    #[arg(long, conflicts_with = "value_stdin")]
    pub value_file: Option<PathBuf>,
    /// Read the value from standard input, byte for byte.
    #[arg(long)]
    pub value_stdin: bool,
    #[command(flatten)]
    pub attributes: AttributeArgs,
    /// Create the version disabled.
    #[arg(long)]
    pub disabled: bool,
    /// Generate a random value of this many characters instead of reading one.
    #[arg(long, value_name = "LENGTH", conflicts_with_all = ["value_file", "value_stdin"])]
    pub generate: Option<usize>,
    /// The generated value's characters: letters+digits, letters+digits+symbols, hex, base64url.
    #[arg(long, requires = "generate", default_value = "letters+digits")]
    pub alphabet: String,
    #[command(flatten)]
    pub guard: GuardArgs,
}

/// The stale-write guard, for a write that makes a new version.
#[derive(Debug, Args)]
pub struct GuardArgs {
    /// Write only if the latest version is V (its id, or at least its first 8 hex digits), or
    /// with `new` only if the secret does not exist; exit 5, with nothing written, if not.
    /// Afterwards, warn if another write landed just after this one.
    #[arg(long, value_name = "V", value_parser = Expected::parse)]
    pub if_version: Option<Expected>,
}

/// The attributes a version carries besides its value, as `set` and `update` both take them.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    /// The content type, such as text/plain (up to 255 characters).
    #[arg(long)]
    pub content_type: Option<String>,
    /// A tag, KEY=VALUE; repeat for more.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    #[arg(long, value_name = "WHEN", help = format!("Expiry: {WHEN_FORMS}; 1970 to 9999-12-31. One already past is written, with a warning"))]
    pub expires: Option<String>,
    #[arg(long, value_name = "WHEN", help = format!("Not before: {WHEN_FORMS}; 1970 to 9999-12-31"))]
    pub not_before: Option<String>,
}

/// Update changes an existing version: its help says so, that the tags given replace the old
/// ones, and that a date once set cannot be cleared.
#[derive(Debug, Args)]
#[command(
    mut_arg("content_type", |arg| arg.help("The new content type (up to 255 characters)")),
    mut_arg("tags", |arg| arg.help("A tag, KEY=VALUE; repeat for more. Replaces all of the version's tags")),
    mut_arg("expires", |arg| arg.help(format!("New expiry: {WHEN_FORMS}, but not never (the service keeps a date once set); 1970 to 9999-12-31. One already past is written, with a warning"))),
    mut_arg("not_before", |arg| arg.help(format!("New not-before: {WHEN_FORMS}, but not never; 1970 to 9999-12-31"))),
)]
pub struct UpdateArgs {
    /// The secret's name.
    pub name: String,
    /// The version to change: its id, or a unique prefix such as the 8 characters the TUI
    /// shows [default: the latest].
    #[arg(long)]
    pub version: Option<String>,
    /// Enable the version.
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,
    /// Disable the version: the vault then refuses to give its value.
    #[arg(long)]
    pub disable: bool,
    #[command(flatten)]
    pub attributes: AttributeArgs,
    /// Update only if the latest version is V (its id, or at least its first 8 hex digits),
    /// and then that very version; exit 5, with nothing written, if not.
    #[arg(long, value_name = "V", value_parser = Expected::parse, conflicts_with = "version")]
    pub if_version: Option<Expected>,
}

impl SecretCommand {
    pub(super) fn writes(&self) -> bool {
        !matches!(
            self,
            Self::Show { .. }
                | Self::List
                | Self::Versions { .. }
                | Self::Deleted
                | Self::Backup { .. }
                | Self::Copy { .. }
                | Self::Export(_)
                | Self::Promote(_)
                | Self::Lint
                | Self::Expiring { .. }
        )
    }

    pub(super) fn verb(&self) -> &'static str {
        match self {
            Self::Set(_) => "set",
            Self::Show { .. } => "show",
            Self::List => "list",
            Self::Versions { .. } => "versions",
            Self::Update(_) => "update",
            Self::Delete { .. } => "delete",
            Self::Deleted => "deleted",
            Self::Recover { .. } => "recover",
            Self::Purge { .. } => "purge",
            Self::Backup { .. } => "backup",
            Self::Restore { .. } => "restore",
            Self::Copy { .. } => "copy",
            Self::Export(_) => "export",
            Self::Lint => "lint",
            Self::Import(_) => "import",
            Self::Promote(_) => "promote",
            Self::Rollback { .. } => "roll back",
            Self::Expiring { .. } => "expiring",
        }
    }
}
