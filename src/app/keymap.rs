//! The key map, as one table: key handling, the help overlay and the status bar hints all read
//! it, so they cannot disagree.

use super::action::Action;
use crate::state::form::Submit;
use crate::state::{Overlay, Pane, Screen, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the keyboard is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Every view: secrets, deleted, expiry, operations.
    Global,
    /// The main screen, either pane.
    Main,
    Secrets,
    Versions,
    Filter,
    Form,
    /// The form asks: discard the changes?
    FormDiscard,
    /// Quitting would lose a filled form or a write in flight: quit anyway?
    ConfirmQuit,
    /// The form's name is soft-deleted.
    FormDeleted,
    /// Typing the name to confirm a purge.
    FormConfirmPurge,
    Picker,
    Help,
    Deleted,
    Expiry,
    Operations,
    /// What a write will change, before it is sent.
    Review,
    /// The form's own review of Set Secret or an attributes update.
    FormReview,
    /// The form asks for a file to load the value from.
    FormAskPath,
    Confirm,
    /// A confirmation that needs the name typed.
    ConfirmTyped,
    Prompt,
    Diff,
    CopyTarget,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Every view",
            Self::Main => "Secrets and versions",
            Self::Secrets => "Secret list",
            Self::Versions => "Version history",
            Self::Filter => "Typing a filter",
            Self::Form => "Set Secret form",
            Self::FormDiscard => "Discard the form?",
            Self::ConfirmQuit => "Quit with work unsaved?",
            Self::FormDeleted => "The name is deleted but recoverable",
            Self::FormConfirmPurge => "Confirming a purge",
            Self::Picker => "Profile picker",
            Self::Help => "This help",
            Self::Deleted => "Deleted secrets (D)",
            Self::Expiry => "Expiry overview across profiles (X)",
            Self::Operations => "Operations log (o)",
            Self::Review => "Review before a write",
            Self::FormReview => "Review of the form's write",
            Self::FormAskPath => "Loading the value from a file",
            Self::Confirm => "Confirming",
            Self::ConfirmTyped => "Confirming by typing the name",
            Self::Prompt => "Typing a file path",
            Self::Diff => "Diff of two versions",
            Self::CopyTarget => "Copying to another profile",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Press {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn key(code: KeyCode) -> Press {
    Press {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn char(c: char) -> Press {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Press {
    Press {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

impl Press {
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        // Shift is part of the character itself ('G', '?'), so it is not compared for chars;
        // nor for BackTab, which terminals send as Shift-Tab and crossterm reports with SHIFT.
        let modifiers = match event.code {
            KeyCode::Char(_) | KeyCode::BackTab => event.modifiers - KeyModifiers::SHIFT,
            _ => event.modifiers,
        };
        self.code == event.code && self.modifiers == modifiers
    }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Press],
    pub action: Action,
    pub help: &'static str,
    /// The short label in the status bar's hints, for the keys worth a reminder.
    pub hint: Option<&'static str>,
}

const fn bind(
    context: Context,
    keys: &'static [Press],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint,
    }
}

use Context as C;

pub const BINDINGS: &[Binding] = &[
    bind(C::Global, &[char('q')], Action::Quit, "quit", Some("quit")),
    bind(
        C::Global,
        &[char('?')],
        Action::ToggleHelp,
        "help: every key",
        Some("help"),
    ),
    bind(
        C::Global,
        &[char('p')],
        Action::OpenProfiles,
        "switch profile",
        Some("profile"),
    ),
    bind(
        C::Global,
        &[char('D')],
        Action::ShowDeleted,
        "deleted secrets of this profile",
        None,
    ),
    bind(
        C::Global,
        &[char('X')],
        Action::ShowExpiry,
        "expiry overview across every profile",
        None,
    ),
    bind(
        C::Global,
        &[char('o')],
        Action::ShowOperations,
        "operations log of this session",
        None,
    ),
    bind(
        C::Main,
        &[char('r')],
        Action::Refresh,
        "reload the secret list",
        None,
    ),
    bind(
        C::Main,
        &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        Action::SwitchPane,
        "other pane",
        None,
    ),
    bind(
        C::Main,
        &[char('n')],
        Action::NewSecret,
        "new secret",
        Some("new"),
    ),
    bind(
        C::Main,
        &[char('e')],
        Action::NewVersion,
        "new version of the selected secret",
        Some("new version"),
    ),
    bind(
        C::Main,
        &[char('v')],
        Action::ToggleReveal,
        "reveal / mask the value",
        Some("reveal"),
    ),
    bind(
        C::Main,
        &[char('a')],
        Action::EditAttributes,
        "edit tags, content type, dates, enabled (no new version)",
        None,
    ),
    bind(
        C::Main,
        &[char('x')],
        Action::ToggleEnabled,
        "enable / disable the selected version",
        None,
    ),
    bind(
        C::Main,
        &[char('d')],
        Action::Delete,
        "delete the secret",
        None,
    ),
    bind(
        C::Main,
        &[char('J')],
        Action::ScrollDetailsDown,
        "scroll the details down (a long value)",
        None,
    ),
    bind(
        C::Main,
        &[char('K')],
        Action::ScrollDetailsUp,
        "scroll the details up",
        None,
    ),
    bind(
        C::Main,
        &[char('c')],
        Action::CopyValue,
        "copy the value to the clipboard (OSC 52)",
        Some("copy"),
    ),
    bind(
        C::Main,
        &[char('i')],
        Action::CopyId,
        "copy the secret's id to the clipboard",
        None,
    ),
    bind(
        C::Main,
        &[char('y')],
        Action::CopyToProfile,
        "copy the secret to another profile's vault",
        None,
    ),
    bind(
        C::Main,
        &[char('b')],
        Action::Backup,
        "back the secret up to a file",
        None,
    ),
    bind(
        C::Main,
        &[char('u')],
        Action::Restore,
        "restore a secret from a backup file",
        None,
    ),
    bind(
        C::Secrets,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::Secrets,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::Secrets,
        &[ctrl('d'), key(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        C::Secrets,
        &[ctrl('u'), key(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        C::Secrets,
        &[char('g'), key(KeyCode::Home)],
        Action::Top,
        "first",
        None,
    ),
    bind(
        C::Secrets,
        &[char('G'), key(KeyCode::End)],
        Action::Bottom,
        "last",
        None,
    ),
    bind(
        C::Secrets,
        &[char('/')],
        Action::StartFilter,
        "filter (fuzzy)",
        Some("filter"),
    ),
    bind(
        C::Secrets,
        &[key(KeyCode::Esc)],
        Action::ClearFilter,
        "clear the filter",
        None,
    ),
    bind(
        C::Secrets,
        &[key(KeyCode::Enter), char('l'), key(KeyCode::Right)],
        Action::Open,
        "version history",
        None,
    ),
    bind(
        C::Versions,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "older version",
        None,
    ),
    bind(
        C::Versions,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "newer version",
        None,
    ),
    bind(
        C::Versions,
        &[char('g'), key(KeyCode::Home)],
        Action::Top,
        "newest",
        None,
    ),
    bind(
        C::Versions,
        &[char('G'), key(KeyCode::End)],
        Action::Bottom,
        "oldest",
        None,
    ),
    bind(
        C::Versions,
        &[key(KeyCode::Esc), char('h'), key(KeyCode::Left)],
        Action::Back,
        "back to the list",
        Some("back"),
    ),
    bind(
        C::Versions,
        &[char('N')],
        Action::Rollback,
        "new version from this one (rollback)",
        Some("rollback"),
    ),
    bind(
        C::Versions,
        &[char('m')],
        Action::MarkVersion,
        "mark this version to diff against",
        None,
    ),
    bind(
        C::Versions,
        &[char('=')],
        Action::DiffVersions,
        "diff with the marked (or current) version",
        Some("diff"),
    ),
    bind(
        C::Filter,
        &[key(KeyCode::Enter)],
        Action::AcceptFilter,
        "keep the filter",
        Some("keep"),
    ),
    bind(
        C::Filter,
        &[key(KeyCode::Esc)],
        Action::ClearFilter,
        "drop the filter",
        Some("clear"),
    ),
    bind(
        C::Form,
        &[key(KeyCode::Tab)],
        Action::NextField,
        "next field",
        Some("next"),
    ),
    bind(
        C::Form,
        &[key(KeyCode::BackTab)],
        Action::PreviousField,
        "previous field",
        None,
    ),
    bind(
        C::Form,
        &[ctrl('s')],
        Action::Submit,
        "set the secret",
        Some("set"),
    ),
    bind(
        C::Form,
        &[ctrl('r')],
        Action::RevealValue,
        "reveal / mask the value",
        Some("reveal"),
    ),
    bind(
        C::Form,
        &[ctrl('n')],
        Action::AddTag,
        "add a tag",
        Some("add tag"),
    ),
    bind(
        C::Form,
        &[ctrl('x')],
        Action::RemoveTag,
        "remove the focused tag",
        None,
    ),
    bind(
        C::Form,
        &[key(KeyCode::Enter)],
        Action::Open,
        "next field (newline in the value; toggle on Enabled; submit on the button)",
        None,
    ),
    bind(
        C::Form,
        &[char(' ')],
        Action::Toggle,
        "toggle Enabled (when focused)",
        None,
    ),
    bind(
        C::Form,
        &[ctrl('g')],
        Action::Generate,
        "generate a random value (length and alphabet below the value)",
        Some("generate"),
    ),
    bind(
        C::Form,
        &[ctrl('o')],
        Action::LoadFile,
        "load the value from a file",
        None,
    ),
    bind(
        C::Form,
        &[ctrl('e')],
        Action::EditInEditor,
        "edit the value in $EDITOR",
        None,
    ),
    bind(
        C::Form,
        &[key(KeyCode::Esc)],
        Action::Back,
        "close the form",
        Some("close"),
    ),
    bind(
        C::FormDiscard,
        &[char('y')],
        Action::Yes,
        "discard what was typed",
        Some("discard"),
    ),
    bind(
        C::FormDiscard,
        &[char('n'), key(KeyCode::Esc)],
        Action::No,
        "keep editing",
        Some("keep editing"),
    ),
    bind(
        C::ConfirmQuit,
        &[char('y'), key(KeyCode::Enter)],
        Action::Yes,
        "quit anyway (Ctrl-c again too)",
        Some("quit"),
    ),
    bind(
        C::ConfirmQuit,
        &[char('n'), key(KeyCode::Esc)],
        Action::No,
        "stay",
        Some("stay"),
    ),
    bind(
        C::FormDeleted,
        &[char('r')],
        Action::Recover,
        "recover the deleted secret",
        Some("recover"),
    ),
    bind(
        C::FormDeleted,
        &[char('p')],
        Action::Purge,
        "purge it (asks for the name)",
        Some("purge"),
    ),
    bind(
        C::FormDeleted,
        &[key(KeyCode::Esc)],
        Action::Back,
        "back to the form",
        Some("back"),
    ),
    bind(
        C::FormConfirmPurge,
        &[key(KeyCode::Enter)],
        Action::Yes,
        "purge, if the name matches",
        Some("purge"),
    ),
    bind(
        C::FormConfirmPurge,
        &[key(KeyCode::Esc)],
        Action::No,
        "do not purge",
        Some("cancel"),
    ),
    bind(
        C::Picker,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::Picker,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::Picker,
        &[key(KeyCode::Enter)],
        Action::Open,
        "open the profile",
        Some("open"),
    ),
    bind(
        C::Picker,
        &[key(KeyCode::Esc), char('q')],
        Action::Back,
        "close",
        Some("close"),
    ),
    bind(
        C::Help,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(
        C::Help,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "scroll up",
        None,
    ),
    bind(
        C::Help,
        &[ctrl('d'), key(KeyCode::PageDown), char(' ')],
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        C::Help,
        &[ctrl('u'), key(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        C::Help,
        &[char('g'), key(KeyCode::Home)],
        Action::Top,
        "top",
        None,
    ),
    bind(
        C::Help,
        &[char('G'), key(KeyCode::End)],
        Action::Bottom,
        "bottom",
        None,
    ),
    bind(
        C::Help,
        &[key(KeyCode::Esc), char('q'), char('?')],
        Action::Back,
        "close",
        Some("close"),
    ),
    bind(
        C::Deleted,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::Deleted,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::Deleted,
        &[char('R')],
        Action::Recover,
        "recover the secret with all its versions",
        Some("recover"),
    ),
    bind(
        C::Deleted,
        &[char('P')],
        Action::Purge,
        "purge it for good (asks for the name)",
        Some("purge"),
    ),
    bind(C::Deleted, &[char('r')], Action::Refresh, "reload", None),
    bind(
        C::Deleted,
        &[key(KeyCode::Esc), char('q')],
        Action::Back,
        "back to the secrets",
        Some("back"),
    ),
    bind(
        C::Expiry,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::Expiry,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::Expiry,
        &[key(KeyCode::Enter)],
        Action::Open,
        "go to the secret in its profile",
        Some("go to"),
    ),
    bind(C::Expiry, &[char('r')], Action::Refresh, "scan again", None),
    bind(
        C::Expiry,
        &[key(KeyCode::Esc), char('q')],
        Action::Back,
        "back to the secrets",
        Some("back"),
    ),
    bind(
        C::Operations,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::Operations,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::Operations,
        &[key(KeyCode::Esc), char('q')],
        Action::Back,
        "back to the secrets",
        Some("back"),
    ),
    bind(
        C::Review,
        &[key(KeyCode::Enter), char('y')],
        Action::Yes,
        "send the write",
        Some("apply"),
    ),
    bind(
        C::Review,
        &[char('v')],
        Action::ToggleReveal,
        "reveal / mask the values",
        Some("reveal"),
    ),
    bind(
        C::Review,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(
        C::Review,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "scroll up",
        None,
    ),
    bind(
        C::Review,
        &[ctrl('d'), key(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        C::Review,
        &[ctrl('u'), key(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        C::Review,
        &[key(KeyCode::Esc), char('n')],
        Action::Back,
        "cancel",
        Some("cancel"),
    ),
    bind(
        C::FormReview,
        &[key(KeyCode::Enter), ctrl('s'), char('y')],
        Action::Yes,
        "send the write",
        Some("apply"),
    ),
    bind(
        C::FormReview,
        &[char('v')],
        Action::ToggleReveal,
        "reveal / mask the values",
        Some("reveal"),
    ),
    bind(
        C::FormReview,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(
        C::FormReview,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "scroll up",
        None,
    ),
    bind(
        C::FormReview,
        &[ctrl('d'), key(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        C::FormReview,
        &[ctrl('u'), key(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        C::FormReview,
        &[key(KeyCode::Esc), char('n')],
        Action::Back,
        "back to the form",
        Some("edit"),
    ),
    bind(
        C::FormAskPath,
        &[key(KeyCode::Enter)],
        Action::Yes,
        "load the file",
        Some("load"),
    ),
    bind(
        C::FormAskPath,
        &[key(KeyCode::Esc)],
        Action::Back,
        "back to the form",
        Some("cancel"),
    ),
    bind(
        C::Confirm,
        &[char('y'), key(KeyCode::Enter)],
        Action::Yes,
        "yes",
        Some("yes"),
    ),
    bind(
        C::Confirm,
        &[char('n'), key(KeyCode::Esc)],
        Action::No,
        "no",
        Some("no"),
    ),
    bind(
        C::ConfirmTyped,
        &[key(KeyCode::Enter)],
        Action::Yes,
        "go ahead, if the typed name matches",
        Some("confirm"),
    ),
    bind(
        C::ConfirmTyped,
        &[key(KeyCode::Esc)],
        Action::No,
        "cancel",
        Some("cancel"),
    ),
    bind(
        C::Prompt,
        &[key(KeyCode::Enter)],
        Action::Yes,
        "go ahead",
        Some("ok"),
    ),
    bind(
        C::Prompt,
        &[key(KeyCode::Esc)],
        Action::No,
        "cancel",
        Some("cancel"),
    ),
    bind(
        C::Diff,
        &[char('v')],
        Action::ToggleReveal,
        "reveal / mask the values",
        Some("reveal"),
    ),
    bind(
        C::Diff,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(
        C::Diff,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "scroll up",
        None,
    ),
    bind(
        C::Diff,
        &[key(KeyCode::Esc), char('q')],
        Action::Back,
        "close",
        Some("close"),
    ),
    bind(
        C::CopyTarget,
        &[char('j'), key(KeyCode::Down)],
        Action::Down,
        "down",
        None,
    ),
    bind(
        C::CopyTarget,
        &[char('k'), key(KeyCode::Up)],
        Action::Up,
        "up",
        None,
    ),
    bind(
        C::CopyTarget,
        &[key(KeyCode::Enter)],
        Action::Open,
        "review the copy to this profile",
        Some("choose"),
    ),
    bind(
        C::CopyTarget,
        &[key(KeyCode::Esc)],
        Action::Back,
        "cancel",
        Some("cancel"),
    ),
];

/// Ctrl-C leaves from anywhere, whatever has the keyboard.
pub const QUIT_ANYWHERE: Press = ctrl('c');

pub fn context(state: &State) -> Context {
    if state.quit_question.is_some() {
        return Context::ConfirmQuit;
    }
    match &state.overlay {
        Overlay::Help { .. } => Context::Help,
        Overlay::ProfilePicker { .. } => Context::Picker,
        Overlay::Form(form) => match form.submit {
            Submit::ConfirmDiscard => Context::FormDiscard,
            Submit::NameDeleted { .. } => Context::FormDeleted,
            Submit::ConfirmPurge { .. } => Context::FormConfirmPurge,
            Submit::Review(_) => Context::FormReview,
            Submit::AskPath { .. } => Context::FormAskPath,
            _ => Context::Form,
        },
        Overlay::Review(_) => Context::Review,
        Overlay::Confirm(confirm) if confirm.typed.is_some() => Context::ConfirmTyped,
        Overlay::Confirm(_) => Context::Confirm,
        Overlay::Prompt(_) => Context::Prompt,
        Overlay::Diff(_) => Context::Diff,
        Overlay::CopyTarget { .. } => Context::CopyTarget,
        Overlay::None => match state.screen {
            Screen::Deleted => Context::Deleted,
            Screen::Expiry => Context::Expiry,
            Screen::Operations => Context::Operations,
            Screen::Secrets if state.list.filtering => Context::Filter,
            Screen::Secrets => match state.focus {
                Pane::Secrets => Context::Secrets,
                Pane::Versions => Context::Versions,
            },
        },
    }
}

/// The bindings that apply in `context`, its own first.
pub fn bindings_for(context: Context) -> impl Iterator<Item = &'static Binding> {
    let main = matches!(context, Context::Secrets | Context::Versions);
    let global = main
        || matches!(
            context,
            Context::Deleted | Context::Expiry | Context::Operations
        );
    BINDINGS
        .iter()
        .filter(move |b| b.context == context)
        .chain(
            BINDINGS
                .iter()
                .filter(move |b| main && b.context == Context::Main),
        )
        .chain(
            BINDINGS
                .iter()
                .filter(move |b| global && b.context == Context::Global),
        )
}

/// The action a key means where the keyboard is; `None` lets a text input take it.
pub fn action_for(state: &State, event: &KeyEvent) -> Option<Action> {
    if QUIT_ANYWHERE.matches(event) {
        return Some(Action::Quit);
    }
    bindings_for(context(state))
        .find(|binding| binding.keys.iter().any(|press| press.matches(event)))
        .map(|binding| binding.action)
}

/// `"q quit  ? help …"` for the status bar; write keys are left out on a read-only profile.
pub fn hints(context: Context, read_only: bool) -> Vec<(String, &'static str)> {
    bindings_for(context)
        .filter(|b| !(read_only && b.action.is_write()))
        .filter_map(|b| Some((b.keys[0].label(), b.hint?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;
    use crate::state::SecretForm;

    fn state() -> State {
        State::new(vec![Profile::implied_local()], 0, None, 0)
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn vim_keys_and_arrows_both_move() {
        let state = state();
        for code in [KeyCode::Char('j'), KeyCode::Down] {
            assert_eq!(action_for(&state, &press(code)), Some(Action::Down));
        }
        for code in [KeyCode::Char('k'), KeyCode::Up] {
            assert_eq!(action_for(&state, &press(code)), Some(Action::Up));
        }
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&state, &shift_g), Some(Action::Bottom));
    }

    #[test]
    fn text_inputs_get_plain_keys() {
        let mut state = state();
        state.list.filtering = true;
        assert_eq!(
            action_for(&state, &press(KeyCode::Char('q'))),
            None,
            "q is typed into the filter"
        );
        state.list.filtering = false;
        state.overlay = Overlay::Form(Box::new(SecretForm::new_secret()));
        assert_eq!(action_for(&state, &press(KeyCode::Char('j'))), None);
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&state, &ctrl_s), Some(Action::Submit));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            action_for(&state, &ctrl_c),
            Some(Action::Quit),
            "Ctrl-C always quits"
        );
    }

    #[test]
    fn q_and_esc_behave_like_k9s_and_lazygit() {
        let mut state = state();
        assert_eq!(
            action_for(&state, &press(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        state.overlay = Overlay::Help { scroll: 0 };
        assert_eq!(
            action_for(&state, &press(KeyCode::Char('q'))),
            Some(Action::Back),
            "q closes an overlay first"
        );
        assert_eq!(action_for(&state, &press(KeyCode::Esc)), Some(Action::Back));
        state.overlay = Overlay::None;
        state.focus = Pane::Versions;
        assert_eq!(action_for(&state, &press(KeyCode::Esc)), Some(Action::Back));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for context in [
            Context::Secrets,
            Context::Versions,
            Context::Filter,
            Context::Form,
            Context::FormDiscard,
            Context::ConfirmQuit,
            Context::FormDeleted,
            Context::FormConfirmPurge,
            Context::Picker,
            Context::Help,
        ] {
            let presses: Vec<Press> = bindings_for(context)
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, press) in presses.iter().enumerate() {
                assert!(
                    !presses[i + 1..].contains(press),
                    "{} is bound twice in {context:?}",
                    press.label()
                );
            }
        }
    }

    #[test]
    fn hints_come_from_the_table() {
        let writable = hints(Context::Secrets, false);
        assert!(writable.contains(&("/".to_owned(), "filter")));
        assert!(writable.contains(&("q".to_owned(), "quit")));
        assert!(writable.contains(&("n".to_owned(), "new")));
        let read_only = hints(Context::Secrets, true);
        assert!(!read_only.iter().any(|(key, _)| key == "n" || key == "e"));
        assert!(read_only.contains(&("/".to_owned(), "filter")));
    }
}
