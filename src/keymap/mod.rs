//! The key map: where the keyboard is (`Context`), what a key means there (`Action`), and the
//! table that says so (`bindings`). Below the controller and the screen, so both read it.

pub mod action;
mod bindings;
mod press;

pub use action::Action;
pub use bindings::{BINDINGS, Binding};
pub use press::Press;

use crate::state::form::Submit;
use crate::state::{Overlay, Pane, Screen, State};
use crossterm::event::KeyEvent;
use press::ctrl;

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
    /// The vault picker (V).
    Vaults,
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
    /// Choosing which form of a reference to the selected secret to copy (R).
    Reference,
    /// A write to every marked secret, reviewed and then run.
    Bulk,
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
            Self::Vaults => "Vault picker (V)",
            Self::Review => "Review before a write",
            Self::FormReview => "Review of the form's write",
            Self::FormAskPath => "Loading the value from a file",
            Self::Confirm => "Confirming",
            Self::ConfirmTyped => "Confirming by typing the name",
            Self::Prompt => "Typing a file path",
            Self::Diff => "Diff of two versions",
            Self::CopyTarget => "Copying to another profile",
            Self::Reference => "Copying a reference (R)",
            Self::Bulk => "A write to the marked secrets",
        }
    }
}

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
        Overlay::Reference(_) => Context::Reference,
        Overlay::Bulk(_) => Context::Bulk,
        Overlay::None => match state.screen {
            Screen::Deleted => Context::Deleted,
            Screen::Expiry => Context::Expiry,
            Screen::Operations => Context::Operations,
            Screen::Vaults if state.vaults.filtering => Context::Filter,
            Screen::Vaults => Context::Vaults,
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
            Context::Deleted | Context::Expiry | Context::Operations | Context::Vaults
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

/// `"q quit  ? help …"` for the status bar: the keys of the actions that are `usable` now (write
/// keys are not, on a read-only profile).
pub fn hints(context: Context, usable: impl Fn(Action) -> bool) -> Vec<(String, &'static str)> {
    bindings_for(context)
        .filter(|b| usable(b.action))
        .filter_map(|b| Some((b.keys[0].label(), b.hint?)))
        .collect()
}

/// The first key bound to `action` where the keyboard is `context`, as the screen names it:
/// what a hint in a form or a dialog tells the user to press.
pub fn key_of(context: Context, action: Action) -> String {
    keys_of(context, action)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Every key bound to `action` in `context`, as the screen names them.
pub fn keys_of(context: Context, action: Action) -> Vec<String> {
    bindings_for(context)
        .find(|binding| binding.action == action)
        .map(|binding| binding.keys.iter().map(Press::label).collect())
        .unwrap_or_default()
}

/// Lines the help overlay draws: a title per context (a blank line before all but the first), a
/// line per binding, then a blank line and the note on Ctrl-c.
pub fn help_line_count() -> usize {
    let contexts = 1 + BINDINGS
        .windows(2)
        .filter(|pair| pair[0].context != pair[1].context)
        .count();
    2 * contexts - 1 + BINDINGS.len() + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;
    use crate::state::SecretForm;
    use crossterm::event::{KeyCode, KeyModifiers};

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
            Context::Reference,
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
    fn forms_and_dialogs_name_the_keys_the_table_binds() {
        assert_eq!(key_of(Context::Form, Action::Submit), "Ctrl-s");
        assert_eq!(key_of(Context::Form, Action::AddTag), "Ctrl-n");
        assert_eq!(keys_of(Context::Confirm, Action::No), ["n", "Esc"]);
        assert_eq!(key_of(Context::Review, Action::Yes), "Enter");
        assert_eq!(
            key_of(Context::Review, Action::Quit),
            "",
            "an action not bound there"
        );
    }

    #[test]
    fn hints_come_from_the_table() {
        let writable = hints(Context::Secrets, |_| true);
        assert!(writable.contains(&("/".to_owned(), "filter")));
        assert!(writable.contains(&("q".to_owned(), "quit")));
        assert!(writable.contains(&("n".to_owned(), "new")));
        let read_only = hints(Context::Secrets, |action| !action.is_write());
        assert!(!read_only.iter().any(|(key, _)| key == "n" || key == "e"));
        assert!(read_only.contains(&("/".to_owned(), "filter")));
    }
}
