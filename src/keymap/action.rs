//! What a key means: the user's intent, before any state changes.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave kvtui.
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
    /// Open the profile picker.
    OpenProfiles,
    /// List the vault's secrets again.
    Refresh,
    /// Move the keyboard to the other pane.
    SwitchPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Start typing a filter for the secret list.
    StartFilter,
    /// Drop the filter.
    ClearFilter,
    /// Keep the filter and give the keys back to the list.
    AcceptFilter,
    /// Order the list by name, last update or expiry, in turn.
    CycleSort,
    /// Mark the selected secret for a bulk action, or unmark it.
    ToggleMark,
    /// Mark every secret the filter shows.
    MarkShown,
    ClearMarks,
    /// Write the marked secrets' metadata to a file.
    ExportMarked,
    /// Set or remove a tag on every marked secret.
    TagMarked,
    /// Set the expiry of every marked secret.
    ExpireMarked,
    /// Open the form for a new secret.
    NewSecret,
    /// Open the form for a new version of the selected secret.
    NewVersion,
    /// Show or mask the value in the details pane.
    ToggleReveal,
    /// Scroll the details pane (a revealed PEM is longer than the pane).
    ScrollDetailsDown,
    ScrollDetailsUp,
    /// Enter: open the selection (versions pane, profile in the picker).
    Open,
    /// Esc: close, go back.
    Back,
    /// Form: next / previous field.
    NextField,
    PreviousField,
    /// Form: send Set Secret.
    Submit,
    /// Form: show or mask the value being typed.
    RevealValue,
    /// Form: add a tag row / remove the focused one.
    AddTag,
    RemoveTag,
    /// Form: flip the enabled switch (on the Enabled field).
    Toggle,
    /// Answer yes / no to a question (discard the form?).
    Yes,
    No,
    /// The form's review: write over a version another writer made since the form opened.
    Overwrite,
    /// A deleted name (409), or one in the deleted view: recover it / purge it.
    Recover,
    Purge,
    ShowDeleted,
    ShowExpiry,
    ShowOperations,
    /// The vault picker: every vault the account can see.
    ShowVaults,
    /// Picker: save the selected vault as a profile in config.toml.
    SaveProfile,
    /// Picker: open a vault discovery cannot list, by its name or URL.
    AddVault,
    /// PATCH the attributes of the selected version (or the latest).
    EditAttributes,
    ToggleEnabled,
    Delete,
    /// OSC 52: the selected value / id.
    CopyValue,
    CopyId,
    /// Choose a reference to the selected secret to copy: `kv://`, its id URL, App Service's.
    CopyReference,
    /// Set the selected secret in another profile's vault.
    CopyToProfile,
    Backup,
    Restore,
    /// A new version from the selected one in the history.
    Rollback,
    MarkVersion,
    DiffVersions,
    /// Form: value sources.
    Generate,
    LoadFile,
    EditInEditor,
}

impl Action {
    /// Changes the vault: refused, and hidden from the hints, on read-only profiles.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Self::NewSecret
                | Self::NewVersion
                | Self::Submit
                | Self::Recover
                | Self::Purge
                | Self::EditAttributes
                | Self::ToggleEnabled
                | Self::Delete
                | Self::Restore
                | Self::Rollback
                | Self::TagMarked
                | Self::ExpireMarked
        )
    }
}
