//! The key map, as one table: key handling, the help overlay and the status bar hints all read
//! it, so they cannot disagree.

use super::action::Action;
use crate::state::form::Submit;
use crate::state::{Overlay, Pane, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the keyboard is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The main screen, either pane.
    Main,
    Secrets,
    Versions,
    Filter,
    Form,
    /// The form asks: discard the changes?
    FormDiscard,
    /// The form's name is soft-deleted.
    FormDeleted,
    /// Typing the name to confirm a purge.
    FormConfirmPurge,
    Picker,
    Help,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Self::Main => "Everywhere on the main screen",
            Self::Secrets => "Secret list",
            Self::Versions => "Version history",
            Self::Filter => "Typing a filter",
            Self::Form => "Set Secret form",
            Self::FormDiscard => "Discard the form?",
            Self::FormDeleted => "The name is deleted but recoverable",
            Self::FormConfirmPurge => "Confirming a purge",
            Self::Picker => "Profile picker",
            Self::Help => "This help",
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
        // Shift is part of the character itself ('G', '?'), so it is not compared for chars.
        let modifiers = match event.code {
            KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
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
    bind(C::Main, &[char('q')], Action::Quit, "quit", Some("quit")),
    bind(
        C::Main,
        &[char('?')],
        Action::ToggleHelp,
        "help: every key",
        Some("help"),
    ),
    bind(
        C::Main,
        &[char('p')],
        Action::OpenProfiles,
        "switch profile",
        Some("profile"),
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
        &[key(KeyCode::Esc), char('q'), char('?')],
        Action::Back,
        "close",
        Some("close"),
    ),
];

/// Ctrl-C leaves from anywhere, whatever has the keyboard.
pub const QUIT_ANYWHERE: Press = ctrl('c');

pub fn context(state: &State) -> Context {
    match &state.overlay {
        Overlay::Help { .. } => Context::Help,
        Overlay::ProfilePicker { .. } => Context::Picker,
        Overlay::Form(form) => match form.submit {
            Submit::ConfirmDiscard => Context::FormDiscard,
            Submit::NameDeleted { .. } => Context::FormDeleted,
            Submit::ConfirmPurge { .. } => Context::FormConfirmPurge,
            _ => Context::Form,
        },
        Overlay::None if state.list.filtering => Context::Filter,
        Overlay::None => match state.focus {
            Pane::Secrets => Context::Secrets,
            Pane::Versions => Context::Versions,
        },
    }
}

/// The bindings that apply in `context`, its own first.
pub fn bindings_for(context: Context) -> impl Iterator<Item = &'static Binding> {
    let main = matches!(context, Context::Secrets | Context::Versions);
    BINDINGS.iter().filter(move |b| b.context == context).chain(
        BINDINGS
            .iter()
            .filter(move |b| main && b.context == Context::Main),
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
