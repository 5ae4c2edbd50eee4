//! The secret list: opening a profile, streaming its pages, the cursor, the filter, and what
//! follows a new selection (its details and history load once the cursor rests).

use super::{Effect, details};
use crate::keymap::Action;
use crate::session::SessionError;
use crate::state::input::type_into_query;
use crate::state::list::ListLoad;
use crate::state::{Connection, Details, Level, Pane, Remote, Screen, State, Ticket, Versions};
use crate::vault::{SecretItem, VaultError};
use crossterm::event::KeyEvent;
use std::time::Duration;

/// How long the cursor must rest on a secret before it is loaded, so scrolling through a long
/// list does not send a request per row.
pub const SETTLE_DELAY: Duration = Duration::from_millis(120);

pub(super) fn on_resize(state: &mut State, width: u16, height: u16) -> Vec<Effect> {
    state.size = (width, height);
    keep_cursor_visible(state);
    Vec::new()
}

/// Scrolls the list so the cursor's row is on screen.
pub(super) fn keep_cursor_visible(state: &mut State) {
    state
        .list
        .keep_cursor_visible(crate::layout::list_rows(state.size));
}

pub(super) fn open_profile(state: &mut State, index: usize) -> Vec<Effect> {
    state.generation += 1;
    state.active_profile = index;
    state.connection = Remote::Loading;
    state.identity = None;
    state.list.restart();
    state.versions = Versions::default();
    state.details = Details::default();
    state.focus = Pane::Secrets;
    state.screen = Screen::Secrets;
    state.reveal = false;
    state.details_scroll = 0;
    state.in_flight.clear();
    vec![Effect::OpenProfile {
        generation: state.generation,
        profile: state.profile().clone(),
    }]
}

pub(super) fn on_connected(
    state: &mut State,
    generation: u64,
    result: Result<Connection, SessionError>,
) -> Vec<Effect> {
    if generation != state.generation {
        return Vec::new();
    }
    match result {
        Ok(connection) => {
            state.connection = Remote::Loaded(connection);
            list_secrets(state)
        }
        Err(error) => {
            let message = error.to_string();
            state.list.load = ListLoad::Failed(message.clone());
            state.connection = Remote::Failed(message.clone());
            state.report(Level::Error, message);
            Vec::new()
        }
    }
}

pub(super) fn list_secrets(state: &mut State) -> Vec<Effect> {
    if state.connection.loaded().is_none() {
        return Vec::new();
    }
    state.list.restart();
    let ticket = state.begin("listing secrets".into());
    state.list.request = ticket.request;
    vec![Effect::ListSecrets { ticket }]
}

/// `r`: list again; the cursor comes back to the same secret once the new listing has it.
pub(super) fn refresh(state: &mut State) -> Vec<Effect> {
    state.select_after_list = state.list.selected_name().map(str::to_owned);
    let effects = list_secrets(state);
    if effects.is_empty() {
        state.report(Level::Error, "not connected to a vault yet");
    }
    effects
}

pub(super) fn on_page(
    state: &mut State,
    ticket: Ticket,
    result: Result<Vec<SecretItem>, VaultError>,
    done: bool,
) -> Vec<Effect> {
    // A page before the last ends nothing, so `update` left its staleness to this check.
    if !state.is_current(ticket) || ticket.request != state.list.request {
        return Vec::new();
    }
    match result {
        Ok(items) => {
            state.list.append_page(items);
            state.list.load = match (&state.list.load, done) {
                (_, true) => ListLoad::Done,
                (ListLoad::Loading { pages }, false) => ListLoad::Loading { pages: pages + 1 },
                (_, false) => ListLoad::Loading { pages: 1 },
            };
            // The count is news only when nothing more important (a write's result) is shown.
            let quiet = matches!(state.last_result, None | Some((Level::Info, _)));
            if done && quiet {
                let message = format!(
                    "{} secrets in {}",
                    state.list.rows.len(),
                    state.profile().name
                );
                state.report(Level::Info, message);
            }
        }
        Err(error) => {
            let message = error.to_string();
            state.list.load = ListLoad::Failed(message.clone());
            state.select_after_list = None;
            state.report(Level::Error, format!("listing secrets: {message}"));
        }
    }
    // A secret to come back to (after a reload, a jump, a restore): selected as soon as a page
    // brings it, and nothing else is loaded while waiting for it.
    if let Some(wanted) = &state.select_after_list {
        if state.list.select_name(wanted) {
            state.select_after_list = None;
            // Back on the secret the details already show (a reload): show it as it is now.
            if state
                .details
                .name
                .eq_ignore_ascii_case(state.list.selected_name().unwrap_or(""))
            {
                let name = state.details.name.clone();
                keep_cursor_visible(state);
                return details::load_secret_and_versions(state, &name);
            }
            return selection_changed(state);
        }
        if !done {
            return Vec::new();
        }
        return select_pending(state);
    }
    selection_changed(state)
}

/// After a listing finishes: select the secret a jump or a restore asked for.
fn select_pending(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.select_after_list.take() else {
        return Vec::new();
    };
    if state.list.select_name(&name) {
        selection_changed(state)
    } else {
        state.report(Level::Error, format!("{name} is not in the list"));
        Vec::new()
    }
}

pub(super) fn on_settled(state: &mut State, generation: u64, name: &str) -> Vec<Effect> {
    if generation != state.generation || state.list.selected_name() != Some(name) {
        return Vec::new();
    }
    details::load_secret_and_versions(state, name)
}

/// After the list cursor moved: forget what belonged to the old selection and, once the cursor
/// rests, load the new one.
pub(super) fn selection_changed(state: &mut State) -> Vec<Effect> {
    keep_cursor_visible(state);
    let Some(name) = state.list.selected_name().map(str::to_owned) else {
        state.details = Details::default();
        state.versions = Versions::default();
        return Vec::new();
    };
    if state.details.name == name {
        return Vec::new();
    }
    state.reveal = false;
    state.details_scroll = 0;
    state.details = Details {
        name: name.clone(),
        ..Details::default()
    };
    state.versions = Versions {
        name: name.clone(),
        ..Versions::default()
    };
    vec![Effect::Settle {
        generation: state.generation,
        name,
        delay: SETTLE_DELAY,
    }]
}

pub(super) fn move_cursor(state: &mut State, movement: Action) -> Vec<Effect> {
    let page = crate::layout::list_rows(state.size).max(1) as isize;
    // The user chose where to be: a reload stops bringing the cursor back.
    state.select_after_list = None;
    match movement {
        Action::Up => state.list.move_cursor(-1),
        Action::Down => state.list.move_cursor(1),
        Action::PageUp => state.list.move_cursor(-page),
        Action::PageDown => state.list.move_cursor(page),
        Action::Top => state.list.jump(false),
        _ => state.list.jump(true),
    }
    selection_changed(state)
}

/// `s`: the next order, the cursor staying on its secret.
pub(super) fn cycle_sort(state: &mut State) -> Vec<Effect> {
    let sort = state.list.sort.next();
    state.list.set_sort(sort);
    let note = if state.list.ranked() {
        " (once the name filter is cleared: names rank by match)"
    } else {
        ""
    };
    state.report(Level::Info, format!("sorted by {}{note}", sort.label()));
    selection_changed(state)
}

/// `Space`, `M`, `U`: the marks for a bulk action.
pub(super) fn mark(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleMark => {
            state.list.toggle_mark();
            // On to the next, so Space runs down a list as in a file manager.
            state.list.move_cursor(1);
            return selection_changed(state);
        }
        Action::MarkShown => state.list.mark_shown(),
        _ => state.list.marked.clear(),
    }
    Vec::new()
}

/// A key typed into the filter line.
pub(super) fn filter_input(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let mut query = state.list.query.clone();
    if !type_into_query(&mut query, key) {
        return Vec::new();
    }
    state.list.set_query(query, state.now);
    selection_changed(state)
}

pub(super) fn filter_paste(state: &mut State, pasted: &str) -> Vec<Effect> {
    let query = format!("{}{}", state.list.query, pasted.replace(['\r', '\n'], ""));
    state.list.set_query(query, state.now);
    selection_changed(state)
}

pub(super) fn filter_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::StartFilter => state.list.filtering = true,
        Action::AcceptFilter => state.list.filtering = false,
        _ => {
            state.list.filtering = false;
            if state.list.query.is_empty() {
                return Vec::new();
            }
            state.list.set_query(String::new(), state.now);
            if let Some(name) = Some(state.details.name.clone()).filter(|n| !n.is_empty()) {
                state.list.select_name(&name);
            }
            return selection_changed(state);
        }
    }
    Vec::new()
}
