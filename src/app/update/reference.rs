//! Copying a reference to the selected secret (R): the chooser of its forms, and the copy.

use super::Effect;
use super::clipboard::copy;
use crate::keymap::Action;
use crate::state::{Level, Overlay, ReferenceChooser, State, step_cursor};
use crate::vault::SecretValue;

pub(super) fn open(state: &mut State) -> Vec<Effect> {
    match state.list.selected_name() {
        Some(name) => {
            state.overlay = Overlay::Reference(ReferenceChooser::new(state.profile(), name));
        }
        None => state.report(Level::Error, "select a secret first"),
    }
    Vec::new()
}

pub(super) fn action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Reference(chooser) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::Up | Action::Down => {
            let up = action == Action::Up;
            chooser.cursor = step_cursor(chooser.cursor, chooser.choices.len(), up);
        }
        Action::Back => state.overlay = Overlay::None,
        Action::Open => {
            let choice = chooser.chosen().clone();
            state.overlay = Overlay::None;
            let what = format!("the {} {}", choice.form.noun(), choice.text);
            return copy(state, SecretValue::new(choice.text), what);
        }
        _ => {}
    }
    Vec::new()
}
