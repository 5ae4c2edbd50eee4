//! Routes a key to the feature that owns it, by where the keyboard is (`keymap::context`).
//! Write actions are refused here, once, on a read-only profile.

use super::{
    Effect, attributes, backup, bulk, clipboard, copy, deleted, details, dialogs, expiry, form,
    list, oplog, reference, vaults, versions,
};
use crate::keymap::{self, Action, Context};
use crate::state::bulk::BulkAction;
use crate::state::input::type_into_line;
use crate::state::{Level, Overlay, Pane, Screen, State};
use crossterm::event::KeyEvent;

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // The operator is at the keyboard: the picker no longer opens by itself.
    state.first_run = false;
    let action = keymap::action_for(state, &key);
    match (keymap::context(state), action) {
        (Context::ConfirmQuit, action) => dialogs::quit_question(state, action),
        (_, Some(Action::Quit)) => dialogs::quit(state),
        (_, Some(action)) if action.is_write() && state.read_only() => {
            let name = state.profile().name.clone();
            state.report(
                Level::Error,
                format!("profile {name} is read-only: writes are disabled"),
            );
            Vec::new()
        }
        (_, action) if state.overlay.is_busy() => {
            if action.is_some() {
                state.report(Level::Info, "waiting for the vault to answer…");
            }
            Vec::new()
        }
        (Context::Filter, None) if state.screen == Screen::Vaults => {
            vaults::filter_input(state, key)
        }
        (Context::Filter, None) => list::filter_input(state, key),
        (Context::Form | Context::FormConfirmPurge | Context::FormAskPath, None) => {
            form::input(state, key);
            Vec::new()
        }
        (
            Context::Form
            | Context::FormDiscard
            | Context::FormDeleted
            | Context::FormConfirmPurge
            | Context::FormReview
            | Context::FormAskPath,
            Some(action),
        ) => form::action(state, action),
        (Context::ConfirmTyped, None) => {
            if let Overlay::Confirm(confirm) = &mut state.overlay
                && let Some(typed) = &mut confirm.typed
            {
                type_into_line(typed, key);
            }
            Vec::new()
        }
        (Context::Prompt, None) => {
            if let Overlay::Prompt(prompt) = &mut state.overlay {
                type_into_line(&mut prompt.input, key);
            }
            Vec::new()
        }
        (Context::Review, Some(action)) => dialogs::review_action(state, action),
        (Context::Confirm | Context::ConfirmTyped, Some(action)) => {
            dialogs::confirm_action(state, action)
        }
        (Context::Prompt, Some(action)) => dialogs::prompt_action(state, action),
        (Context::Diff, Some(action)) => versions::diff_action(state, action),
        (Context::CopyTarget, Some(action)) => copy::target_action(state, action),
        (Context::Reference, Some(action)) => reference::action(state, action),
        (Context::Bulk, Some(action)) => bulk::action(state, action),
        (_, Some(action)) => main_action(state, action),
        (_, None) => Vec::new(),
    }
}

pub(super) fn on_paste(state: &mut State, pasted: &str) -> Vec<Effect> {
    if state.overlay.is_busy() {
        return Vec::new();
    }
    if state.list.filtering && matches!(state.overlay, Overlay::None) {
        return list::filter_paste(state, pasted);
    }
    form::paste(state, pasted);
    Vec::new()
}

/// Keys on the main screen and its views, and on the help and the profile picker.
fn main_action(state: &mut State, action: Action) -> Vec<Effect> {
    if matches!(state.overlay, Overlay::None)
        && let Some(effects) = screen_action(state, action)
    {
        return effects;
    }
    match (&state.overlay, action) {
        (Overlay::Help { .. }, _) => dialogs::help_action(state, action),
        (Overlay::ProfilePicker { .. }, _) => dialogs::picker_action(state, action),
        (_, Action::ToggleHelp) => dialogs::open_help(state),
        (_, Action::OpenProfiles) => dialogs::open_picker(state),
        (_, Action::Refresh) => list::refresh(state),
        (_, Action::SwitchPane) => {
            state.focus = match state.focus {
                Pane::Secrets => Pane::Versions,
                Pane::Versions => Pane::Secrets,
            };
            Vec::new()
        }
        (_, Action::StartFilter | Action::AcceptFilter | Action::ClearFilter) => {
            list::filter_action(state, action)
        }
        (_, Action::CycleSort) => list::cycle_sort(state),
        (_, Action::ToggleMark | Action::MarkShown | Action::ClearMarks) => {
            list::mark(state, action)
        }
        (_, Action::ExportMarked) => backup::ask_export(state),
        (_, Action::NewSecret) => form::open_new_secret(state),
        (_, Action::NewVersion) => form::open_new_version(state),
        (_, Action::ToggleReveal) => details::toggle_reveal(state),
        (_, Action::ScrollDetailsDown) => details::scroll(state, true),
        (_, Action::ScrollDetailsUp) => details::scroll(state, false),
        (_, Action::Open) if state.focus == Pane::Secrets => {
            if state.list.selected().is_some() {
                state.focus = Pane::Versions;
            }
            Vec::new()
        }
        (_, Action::Back) if state.focus == Pane::Versions => versions::leave(state),
        (
            _,
            movement @ (Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom),
        ) => match state.focus {
            Pane::Secrets => list::move_cursor(state, movement),
            Pane::Versions => versions::move_cursor(state, movement),
        },
        (_, Action::ShowDeleted) => deleted::show(state),
        (_, Action::ShowExpiry) => expiry::show(state),
        (_, Action::ShowOperations) => oplog::show(state),
        (_, Action::ShowVaults) => vaults::show(state),
        (_, Action::EditAttributes) => attributes::open_form(state),
        (_, Action::ToggleEnabled) if bulk::has_marks(state) => bulk::toggle_enabled(state),
        (_, Action::ToggleEnabled) => attributes::review_toggle(state),
        (_, Action::Delete) if bulk::has_marks(state) => bulk::open(state, &BulkAction::Delete),
        (_, Action::Delete) => deleted::confirm_delete(state),
        (_, Action::TagMarked | Action::ExpireMarked) => dialogs::ask_bulk(state, action),
        (_, Action::CopyValue) => clipboard::copy_value(state),
        (_, Action::CopyId) => clipboard::copy_id(state),
        (_, Action::CopyReference) => reference::open(state),
        (_, Action::CopyToProfile) => copy::choose_target(state),
        (_, Action::Backup) => backup::ask_path(state),
        (_, Action::Restore) => backup::ask_restore(state),
        (_, Action::Rollback) => versions::rollback(state),
        (_, Action::MarkVersion) => versions::mark(state),
        (_, Action::DiffVersions) => versions::diff(state),
        _ => Vec::new(),
    }
}

/// Keys on the deleted, expiry and operations views; `None` leaves the key to the main screen.
fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match (state.screen, action) {
        (Screen::Secrets, _) => None,
        (_, Action::Back) => {
            state.screen = Screen::Secrets;
            Some(Vec::new())
        }
        (Screen::Deleted, _) => deleted::screen_action(state, action),
        (Screen::Expiry, _) => expiry::screen_action(state, action),
        (Screen::Operations, _) => oplog::screen_action(state, action),
        (Screen::Vaults, _) => vaults::screen_action(state, action),
    }
}
