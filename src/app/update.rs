//! `update(state, msg) -> effects`: every state change in one pure function. No IO, no clock
//! (time arrives in `Msg::Tick`), no tasks: effects say what the controller should start.

use super::effect::Effect;
use super::msg::Msg;
use super::ops;
use crate::keymap::Action;
use crate::keymap::{self, Context};
use crate::state::form::{FormField, Submit, single_line, text, type_into_line};
use crate::state::list::ListLoad;
use crate::state::review::Snapshot;
use crate::state::{
    Details, InFlight, Level, Overlay, Pane, Remote, Screen, SecretForm, State, Versions,
};
use crate::vault::{SecretBundle, SecretItem, VaultError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// How long the cursor must rest on a secret before it is loaded, so scrolling through a long
/// list does not send a request per row.
pub const SETTLE_DELAY: Duration = Duration::from_millis(120);

/// The effects to start with: open the active profile.
pub fn start(state: &mut State) -> Vec<Effect> {
    open_profile(state, state.active_profile)
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(pasted) => on_paste(state, &pasted),
        Msg::Resize(width, height) => {
            state.size = (width, height);
            state
                .list
                .keep_cursor_visible(crate::layout::list_rows(state.size));
            Vec::new()
        }
        Msg::Tick { now } => {
            state.now = now;
            state.spinner = state.spinner.wrapping_add(1);
            if let Some((level, _)) = &state.last_result
                && now - state.last_result_at >= level.shown_for_secs()
            {
                state.last_result = None;
            }
            Vec::new()
        }
        Msg::Connected { generation, result } => {
            if generation != state.generation {
                return Vec::new();
            }
            match result {
                Ok(connection) => {
                    state.connection = Remote::Loaded(connection);
                    list_secrets(state)
                }
                Err(message) => {
                    state.list.load = ListLoad::Failed(message.clone());
                    state.connection = Remote::Failed(message.clone());
                    report(state, Level::Error, message);
                    Vec::new()
                }
            }
        }
        Msg::SecretsPage {
            generation,
            request,
            result,
            done,
        } => on_page(state, generation, request, result, done),
        Msg::SelectionSettled { generation, name } => {
            if generation != state.generation || state.list.selected_name() != Some(name.as_str()) {
                return Vec::new();
            }
            load_secret_and_versions(state, &name)
        }
        Msg::SecretLoaded {
            generation,
            request,
            name,
            version,
            result,
        } => {
            finish(state, request);
            if generation != state.generation || request != state.details.request {
                return Vec::new();
            }
            if version.is_none()
                && let Ok(bundle) = &result
            {
                state.versions.current = bundle.secret_id().and_then(|id| id.version);
                state.details.latest = Some(bundle.clone());
            }
            state.details.bundle = match result {
                Ok(bundle) => Remote::Loaded(bundle),
                Err(error) if error.status() == Some(403) => Remote::Failed(format!(
                    "{name} is disabled: its value cannot be read until it is enabled"
                )),
                Err(error) => Remote::Failed(error.to_string()),
            };
            Vec::new()
        }
        Msg::VersionsLoaded {
            generation,
            request,
            name,
            result,
        } => {
            finish(state, request);
            if generation != state.generation || request != state.versions.request {
                return Vec::new();
            }
            match result {
                Ok(mut items) => {
                    crate::vault::newest_first(&mut items);
                    let wanted = state.versions.select_when_loaded.take();
                    state.versions.cursor = wanted
                        .and_then(|version| {
                            items.iter().position(|item| {
                                item.secret_id().and_then(|id| id.version).as_deref()
                                    == Some(version.as_str())
                            })
                        })
                        .unwrap_or(0);
                    state.versions.items = Remote::Loaded(items);
                }
                Err(error) => {
                    state.versions.items = Remote::Failed(format!("versions of {name}: {error}"));
                }
            }
            Vec::new()
        }
        Msg::SecretSet {
            generation,
            request,
            result,
        } => on_set(state, generation, request, result),
        Msg::DeletedResolved {
            generation,
            request,
            purged,
            result,
        } => on_resolved(state, generation, request, purged, result),
        Msg::SecretUpdated {
            generation,
            request,
            result,
        } => ops::on_updated(state, generation, request, result),
        Msg::SecretDeleted {
            generation,
            request,
            name,
            result,
        } => ops::on_deleted(state, generation, request, name, result),
        Msg::DeletedListed {
            generation,
            request,
            result,
        } => {
            ops::on_deleted_listed(state, generation, request, result);
            Vec::new()
        }
        Msg::DeletedHandled {
            generation,
            request,
            name,
            purged,
            result,
        } => ops::on_deleted_handled(state, generation, request, name, purged, result),
        Msg::PairLoaded {
            generation,
            request,
            older,
            newer,
        } => {
            ops::on_pair(state, generation, request, older, newer);
            Vec::new()
        }
        // A later copy replaced this one on the clipboard, but tmux may keep both: each copy
        // is looked for in tmux's buffers, and the clipboard itself cleared only for the latest.
        Msg::ClipboardExpired { copy, text } => vec![Effect::ClearClipboard {
            copy,
            text,
            terminal: copy == state.clipboard_copy,
        }],
        Msg::ClipboardCleared { copy, cleared } => {
            let outcome = cleared.describe();
            let level = match cleared {
                crate::clipboard::Cleared::TmuxUnchecked { .. } => Level::Error,
                _ => Level::Info,
            };
            if copy == state.clipboard_copy || level == Level::Error {
                report(state, level, outcome);
            }
            Vec::new()
        }
        Msg::ValueReady { source, result } => {
            ops::on_value_ready(state, source, result);
            Vec::new()
        }
        Msg::BackedUp {
            generation,
            request,
            name,
            result,
        } => {
            ops::on_backed_up(state, generation, request, name, result);
            Vec::new()
        }
        Msg::Restored {
            generation,
            request,
            result,
        } => ops::on_restored(state, generation, request, result),
        Msg::ExpiryScanned {
            generation,
            request,
            profile,
            result,
        } => {
            ops::on_expiry_scanned(state, generation, request, profile, result);
            Vec::new()
        }
        Msg::CopyPrepared {
            generation,
            request,
            target,
            source,
            current,
        } => {
            ops::on_copy_prepared(state, generation, request, target, source, current);
            Vec::new()
        }
        Msg::Copied {
            generation,
            request,
            target,
            result,
        } => {
            ops::on_copied(state, generation, request, target, result);
            Vec::new()
        }
        Msg::Retrying {
            generation,
            request,
            notice,
        } => {
            if generation == state.generation
                && let Some(flight) = state.in_flight.iter_mut().find(|f| f.id == request)
            {
                flight.retrying = Some(format!(
                    "retry {}/{} in {:.1}s: {}",
                    notice.retry,
                    notice.max_retries,
                    notice.delay.as_secs_f64(),
                    notice.reason
                ));
            }
            Vec::new()
        }
    }
}

pub(super) fn report(state: &mut State, level: Level, message: impl Into<String>) {
    state.last_result = Some((level, message.into()));
    state.last_result_at = state.now;
}

/// Registers an operation in flight and returns its request id.
pub(super) fn begin(state: &mut State, label: String) -> u64 {
    start_flight(state, label, false)
}

/// Registers a write in flight (quitting asks first while one is) and returns its request id.
pub(super) fn begin_write(state: &mut State, label: String) -> u64 {
    start_flight(state, label, true)
}

fn start_flight(state: &mut State, label: String, writes: bool) -> u64 {
    let id = state.fresh_id();
    state.in_flight.push(InFlight {
        id,
        label,
        retrying: None,
        writes,
    });
    id
}

pub(super) fn finish(state: &mut State, request: u64) {
    state.in_flight.retain(|flight| flight.id != request);
}

pub(super) fn open_profile(state: &mut State, index: usize) -> Vec<Effect> {
    state.generation += 1;
    state.active_profile = index;
    state.connection = Remote::Loading;
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

pub(super) fn list_secrets(state: &mut State) -> Vec<Effect> {
    if state.connection.loaded().is_none() {
        return Vec::new();
    }
    state.list.restart();
    let request = begin(state, "listing secrets".into());
    state.list.request = request;
    vec![Effect::ListSecrets {
        generation: state.generation,
        request,
    }]
}

fn on_page(
    state: &mut State,
    generation: u64,
    request: u64,
    result: Result<Vec<SecretItem>, String>,
    done: bool,
) -> Vec<Effect> {
    if done {
        finish(state, request);
    }
    if generation != state.generation || request != state.list.request {
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
                report(
                    state,
                    Level::Info,
                    format!(
                        "{} secrets in {}",
                        state.list.rows.len(),
                        state.profile().name
                    ),
                );
            }
        }
        Err(message) => {
            state.list.load = ListLoad::Failed(message.clone());
            state.select_after_list = None;
            report(state, Level::Error, format!("listing secrets: {message}"));
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
                state
                    .list
                    .keep_cursor_visible(crate::layout::list_rows(state.size));
                return load_secret_and_versions(state, &name);
            }
            return selection_changed(state);
        }
        if !done {
            return Vec::new();
        }
        return ops::select_pending(state);
    }
    selection_changed(state)
}

/// After the list cursor moved: forget what belonged to the old selection and, once the cursor
/// rests, load the new one.
pub(super) fn selection_changed(state: &mut State) -> Vec<Effect> {
    state
        .list
        .keep_cursor_visible(crate::layout::list_rows(state.size));
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

pub(super) fn load_details_effect(
    state: &mut State,
    name: &str,
    version: Option<String>,
) -> Effect {
    load_details(state, name, version)
}

fn load_details(state: &mut State, name: &str, version: Option<String>) -> Effect {
    let label = match &version {
        Some(version) => format!(
            "loading {name} version {}",
            crate::vault::short_version(version)
        ),
        None => format!("loading {name}"),
    };
    let request = begin(state, label);
    state.details.name = name.to_owned();
    state.details.version = version.clone();
    state.details.request = request;
    state.details.bundle = Remote::Loading;
    Effect::LoadSecret {
        generation: state.generation,
        request,
        name: name.to_owned(),
        version,
    }
}

pub(super) fn load_secret_and_versions(state: &mut State, name: &str) -> Vec<Effect> {
    let details = load_details(state, name, None);
    let request = begin(state, format!("loading versions of {name}"));
    state.versions.name = name.to_owned();
    state.versions.request = request;
    state.versions.items = Remote::Loading;
    vec![
        details,
        Effect::LoadVersions {
            generation: state.generation,
            request,
            name: name.to_owned(),
        },
    ]
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let action = keymap::action_for(state, &key);
    match (keymap::context(state), action) {
        // A second Ctrl-c (or y) on the question quits: the user has been told.
        (Context::ConfirmQuit, Some(Action::Quit | Action::Yes)) => {
            state.quit = true;
            Vec::new()
        }
        (Context::ConfirmQuit, Some(Action::No)) => {
            state.quit_question = None;
            Vec::new()
        }
        (Context::ConfirmQuit, _) => Vec::new(),
        (_, Some(Action::Quit)) => {
            match state.unsaved_work() {
                Some(work) => state.quit_question = Some(work),
                None => state.quit = true,
            }
            Vec::new()
        }
        (Context::Filter, None) => {
            let mut query = state.list.query.clone();
            match key.code {
                KeyCode::Backspace => {
                    query.pop();
                }
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    query.clear()
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => query.push(c),
                _ => return Vec::new(),
            }
            state.list.set_query(query);
            selection_changed(state)
        }
        (Context::Form | Context::FormConfirmPurge | Context::FormAskPath, None) => {
            form_input(state, key);
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
        ) => form_action(state, action),
        (Context::ConfirmTyped, None) => {
            if let Overlay::Confirm(confirm) = &mut state.overlay
                && let Some(typed) = &mut confirm.typed
                && confirm.pending.is_none()
            {
                type_into_line(typed, key);
            }
            Vec::new()
        }
        (Context::Prompt, None) => {
            if let Overlay::Prompt(prompt) = &mut state.overlay
                && prompt.pending.is_none()
            {
                type_into_line(&mut prompt.input, key);
            }
            Vec::new()
        }
        (
            Context::Review
            | Context::Confirm
            | Context::ConfirmTyped
            | Context::Prompt
            | Context::Diff
            | Context::CopyTarget,
            Some(action),
        ) => ops::overlay_action(state, action),
        (_, Some(action)) => main_action(state, action),
        (_, None) => Vec::new(),
    }
}

fn on_paste(state: &mut State, pasted: &str) -> Vec<Effect> {
    if state.list.filtering && matches!(state.overlay, Overlay::None) {
        let query = format!("{}{}", state.list.query, pasted.replace(['\r', '\n'], ""));
        state.list.set_query(query);
        return selection_changed(state);
    }
    if let Some(form) = state.form_mut()
        && !form.is_busy()
    {
        let multiline = form.focus == FormField::Value;
        if let Some(input) = form.focused_input() {
            if multiline {
                // Terminals send a pasted newline as CR (the Enter key's byte), inside bracketed
                // paste too: a pasted PEM is LF-separated lines again, its last newline kept.
                input.insert_str(pasted.replace("\r\n", "\n").replace('\r', "\n"));
            } else {
                input.insert_str(pasted.replace(['\r', '\n'], ""));
            }
            form.changed = true;
            if multiline {
                form.value_edited();
            }
        }
    }
    Vec::new()
}

fn main_action(state: &mut State, action: Action) -> Vec<Effect> {
    if matches!(state.overlay, Overlay::None)
        && let Some(effects) = ops::screen_action(state, action)
    {
        return effects;
    }
    match (&state.overlay, action) {
        (Overlay::Help { scroll }, _) => {
            let scroll = *scroll;
            let page = crate::layout::help_page(state.size);
            // The furthest the help scrolls: its last line at the bottom of the box.
            let last_line = (keymap::help_line_count() as u16).saturating_sub(page);
            state.overlay = match action {
                Action::Back | Action::ToggleHelp => Overlay::None,
                movement => Overlay::Help {
                    scroll: match movement {
                        Action::Down => scroll.saturating_add(1),
                        Action::Up => scroll.saturating_sub(1),
                        Action::PageDown => scroll.saturating_add(page),
                        Action::PageUp => scroll.saturating_sub(page),
                        Action::Top => 0,
                        Action::Bottom => last_line,
                        _ => scroll,
                    }
                    .min(last_line),
                },
            };
            Vec::new()
        }
        (Overlay::ProfilePicker { cursor }, _) => {
            let cursor = *cursor;
            let last = state.profiles.len().saturating_sub(1);
            match action {
                Action::Up => {
                    state.overlay = Overlay::ProfilePicker {
                        cursor: cursor.saturating_sub(1),
                    }
                }
                Action::Down => {
                    state.overlay = Overlay::ProfilePicker {
                        cursor: (cursor + 1).min(last),
                    }
                }
                Action::Back => state.overlay = Overlay::None,
                Action::Open => {
                    state.overlay = Overlay::None;
                    if cursor != state.active_profile {
                        return open_profile(state, cursor);
                    }
                }
                _ => {}
            }
            Vec::new()
        }
        (_, Action::ToggleHelp) => {
            state.overlay = Overlay::Help { scroll: 0 };
            Vec::new()
        }
        (_, Action::OpenProfiles) => {
            state.overlay = Overlay::ProfilePicker {
                cursor: state.active_profile,
            };
            Vec::new()
        }
        (_, Action::Refresh) => {
            // The cursor comes back to the same secret once the new listing has it.
            state.select_after_list = state.list.selected_name().map(str::to_owned);
            let effects = list_secrets(state);
            if effects.is_empty() {
                report(state, Level::Error, "not connected to a vault yet");
            }
            effects
        }
        (_, Action::SwitchPane) => {
            state.focus = match state.focus {
                Pane::Secrets => Pane::Versions,
                Pane::Versions => Pane::Secrets,
            };
            Vec::new()
        }
        (_, Action::StartFilter) => {
            state.list.filtering = true;
            Vec::new()
        }
        (_, Action::AcceptFilter) => {
            state.list.filtering = false;
            Vec::new()
        }
        (_, Action::ClearFilter) => {
            state.list.filtering = false;
            if state.list.query.is_empty() {
                return Vec::new();
            }
            state.list.set_query(String::new());
            if let Some(name) = Some(state.details.name.clone()).filter(|n| !n.is_empty()) {
                state.list.select_name(&name);
            }
            selection_changed(state)
        }
        (_, Action::NewSecret) => {
            if refuse_if_read_only(state) {
                return Vec::new();
            }
            state.overlay = Overlay::Form(Box::new(SecretForm::new_secret()));
            Vec::new()
        }
        (_, Action::NewVersion) => {
            if refuse_if_read_only(state) {
                return Vec::new();
            }
            let Some(row) = state.list.selected() else {
                report(state, Level::Error, "select a secret first");
                return Vec::new();
            };
            // The latest version as loaded (every attribute), else what the list knows.
            let current = match &state.details.latest {
                Some(latest) if state.details.name == row.name => Snapshot::of_bundle(latest),
                _ => Snapshot::of_item(&row.item),
            };
            let form = SecretForm::new_version(&row.name, &current);
            state.overlay = Overlay::Form(Box::new(form));
            Vec::new()
        }
        (_, Action::ToggleReveal) => {
            if state.details.bundle.loaded().is_some() {
                state.reveal = !state.reveal;
            } else {
                report(state, Level::Error, "no value loaded to reveal");
            }
            Vec::new()
        }
        (_, Action::ScrollDetailsDown) => {
            // The pane clamps this to what it has to show; the bound here (its rows before
            // wrapping) keeps K from having to climb back through nothing.
            let value_lines = match (state.reveal, state.details.bundle.loaded()) {
                (true, Some(bundle)) => bundle
                    .value
                    .as_ref()
                    .map_or(0, |v| v.expose().lines().count()),
                _ => 0,
            };
            let tags = state
                .details
                .bundle
                .loaded()
                .and_then(|bundle| bundle.tags.as_ref())
                .map_or(0, |tags| tags.len());
            let rows = (value_lines + tags + 12) as u16;
            state.details_scroll = state.details_scroll.saturating_add(1).min(rows);
            Vec::new()
        }
        (_, Action::ScrollDetailsUp) => {
            state.details_scroll = state.details_scroll.saturating_sub(1);
            Vec::new()
        }
        (_, Action::Open) if state.focus == Pane::Secrets => {
            if state.list.selected().is_some() {
                state.focus = Pane::Versions;
            }
            Vec::new()
        }
        (_, Action::Back) if state.focus == Pane::Versions => {
            state.focus = Pane::Secrets;
            match state.list.selected_name().map(str::to_owned) {
                Some(name) if state.details.version.is_some() => {
                    vec![load_details(state, &name, None)]
                }
                _ => Vec::new(),
            }
        }
        (
            _,
            movement @ (Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom),
        ) => move_cursor(state, movement),
        (_, other) => ops::main_action(state, other).unwrap_or_default(),
    }
}

/// Says why and returns true on a read-only profile, where no write may start.
pub(super) fn refuse_if_read_only(state: &mut State) -> bool {
    if state.read_only() {
        let name = state.profile().name.clone();
        report(
            state,
            Level::Error,
            format!("profile {name} is read-only: writes are disabled"),
        );
    }
    state.read_only()
}

fn move_cursor(state: &mut State, movement: Action) -> Vec<Effect> {
    let page = crate::layout::list_rows(state.size).max(1) as isize;
    match state.focus {
        Pane::Secrets => {
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
        Pane::Versions => {
            let Some(count) = state.versions.items.loaded().map(Vec::len) else {
                return Vec::new();
            };
            let last = count.saturating_sub(1);
            let cursor = state.versions.cursor;
            state.versions.cursor = match movement {
                Action::Up => cursor.saturating_sub(1),
                Action::Down => (cursor + 1).min(last),
                Action::PageUp => cursor.saturating_sub(page as usize),
                Action::PageDown => (cursor + page as usize).min(last),
                Action::Top => 0,
                _ => last,
            };
            if state.versions.cursor == cursor {
                return Vec::new();
            }
            let name = state.versions.name.clone();
            let version = state.versions.selected_version();
            state.reveal = false;
            state.details_scroll = 0;
            vec![load_details(state, &name, version)]
        }
    }
}

fn form_input(state: &mut State, key: KeyEvent) {
    let Some(form) = state.form_mut() else {
        return;
    };
    if let Submit::ConfirmPurge { typed } | Submit::AskPath { input: typed, .. } = &mut form.submit
    {
        type_into_line(typed, key);
        return;
    }
    if form.is_busy() {
        return;
    }
    let on_value = form.focus == FormField::Value;
    if let Some(input) = form.focused_input()
        && input.input(key)
    {
        form.changed = true;
        if on_value {
            form.value_edited();
        }
    }
}

fn close_form(state: &mut State) {
    forget_field_problems(state);
    state.overlay = Overlay::None;
}

/// A form that was sent once may have left its problems on the status line: they go when the
/// fields are fixed or the form is closed, not at the next unrelated result.
fn forget_field_problems(state: &mut State) {
    if state.form().is_some_and(|form| form.attempted) {
        state.last_result = None;
    }
}

fn form_action(state: &mut State, action: Action) -> Vec<Effect> {
    let now = state.now;
    let generation = state.generation;
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    if form.is_busy() {
        report(state, Level::Info, "waiting for the vault to answer…");
        return Vec::new();
    }
    match (&form.submit, action) {
        (Submit::ConfirmDiscard, Action::Yes) => close_form(state),
        (Submit::ConfirmDiscard, Action::No) => form.submit = Submit::Editing,
        (Submit::NameDeleted { .. }, Action::Back) => form.submit = Submit::Editing,
        (Submit::NameDeleted { .. }, Action::Recover) => {
            let name = form.name_text();
            return resolve_deleted(state, generation, name, false);
        }
        (Submit::NameDeleted { .. }, Action::Purge) => {
            form.submit = Submit::ConfirmPurge {
                typed: Box::new(single_line("")),
            };
        }
        (Submit::ConfirmPurge { .. }, Action::No) => {
            let name = form.name_text();
            form.submit = Submit::NameDeleted {
                message: format!("{name} is deleted but recoverable."),
            };
        }
        (Submit::ConfirmPurge { typed }, Action::Yes) => {
            let name = form.name_text();
            if text(typed).trim() != name {
                report(
                    state,
                    Level::Error,
                    format!("type {name} exactly to purge it"),
                );
                return Vec::new();
            }
            return resolve_deleted(state, generation, name, true);
        }
        (Submit::Review(_), Action::Yes) => return ops::send_form_review(state),
        (Submit::Review(_), Action::Back) => form.submit = Submit::Editing,
        (Submit::Review(_), Action::ToggleReveal) => {
            if let Submit::Review(review) = &mut form.submit {
                review.reveal = !review.reveal;
            }
        }
        (Submit::Review(_), scroll) => {
            let page = crate::layout::help_page(state.size);
            if let Some(form) = state.form_mut()
                && let Submit::Review(review) = &mut form.submit
            {
                review.scroll_by(scroll, page);
            }
        }
        (Submit::AskPath { input, .. }, Action::Yes) => {
            let path = text(input).trim().to_owned();
            if path.is_empty() {
                if let Submit::AskPath { error, .. } = &mut form.submit {
                    *error = Some("give a file path".into());
                }
                return Vec::new();
            }
            form.submit = Submit::Loading;
            return vec![Effect::ReadValueFile { path: path.into() }];
        }
        (Submit::AskPath { .. }, Action::Back) => form.submit = Submit::Editing,
        (Submit::AskPath { .. }, _) => {}
        (_, Action::Generate | Action::LoadFile | Action::EditInEditor) => {
            return ops::value_source(state, action);
        }
        (_, Action::NextField) => form.focus_step(true),
        (_, Action::PreviousField) => form.focus_step(false),
        (_, Action::RevealValue) => {
            let reveal = !form.reveal;
            form.set_reveal(reveal);
        }
        (_, Action::AddTag) => form.add_tag(),
        (_, Action::RemoveTag) => form.remove_tag(),
        (_, Action::Toggle) => match form.focus {
            FormField::Enabled => {
                form.enabled = !form.enabled;
                form.changed = true;
            }
            FormField::GenAlphabet => form.alphabet = form.alphabet.next(),
            _ => {
                let on_value = form.focus == FormField::Value;
                if let Some(input) = form.focused_input() {
                    input.insert_char(' ');
                    form.changed = true;
                    if on_value {
                        form.value_edited();
                    }
                }
            }
        },
        (_, Action::Open) => match form.focus {
            FormField::Value => {
                form.value.insert_newline();
                form.changed = true;
                form.value_edited();
            }
            FormField::Enabled => {
                form.enabled = !form.enabled;
                form.changed = true;
            }
            FormField::Submit => return submit(state, now),
            FormField::GenAlphabet => form.alphabet = form.alphabet.next(),
            _ => form.focus_step(true),
        },
        (_, Action::Submit) => return submit(state, now),
        (_, Action::Back) => {
            if form.changed {
                form.submit = Submit::ConfirmDiscard;
            } else {
                close_form(state);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn resolve_deleted(state: &mut State, generation: u64, name: String, purge: bool) -> Vec<Effect> {
    let verb = if purge { "purging" } else { "recovering" };
    let request = begin_write(state, format!("{verb} {name}"));
    if let Some(form) = state.form_mut() {
        form.submit = Submit::Resolving {
            request,
            purging: purge,
        };
    }
    vec![Effect::ResolveDeleted {
        generation,
        request,
        name,
        purge,
    }]
}

/// Ctrl-s: check every field, then show what the write will change before anything is sent.
fn submit(state: &mut State, now: i64) -> Vec<Effect> {
    let Err(errors) = ops::review_form(state, now) else {
        forget_field_problems(state);
        return Vec::new();
    };
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    let (field, problem) = errors[0].clone();
    form.attempted = true;
    // The "too many tags" error names a row past the end: focus the last tag instead.
    form.focus = if form.fields().contains(&field) {
        field
    } else {
        FormField::TagKey(form.tags.len().saturating_sub(1))
    };
    form.sync_cursors();
    let count = errors.len();
    report(
        state,
        Level::Error,
        format!(
            "{count} field{} to fix before submitting: {problem}",
            if count == 1 { "" } else { "s" }
        ),
    );
    Vec::new()
}

fn on_set(
    state: &mut State,
    generation: u64,
    request: u64,
    result: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    finish(state, request);
    let ours =
        generation == state.generation && state.form().is_some_and(|form| form.awaits(request));
    if !ours {
        return Vec::new();
    }
    match result {
        Ok(bundle) => {
            let id = bundle.secret_id();
            let name = id.as_ref().map(|id| id.name.clone()).unwrap_or_default();
            let version = id.and_then(|id| id.version).unwrap_or_default();
            close_form(state);
            state.list.upsert(SecretItem {
                id: bundle
                    .id
                    .as_deref()
                    .map(|id| id.rsplit_once('/').map_or(id, |(base, _)| base).to_owned()),
                attributes: bundle.attributes.clone(),
                tags: bundle.tags.clone(),
                content_type: bundle.content_type.clone(),
                managed: bundle.managed,
            });
            state.list.select_name(&name);
            state
                .list
                .keep_cursor_visible(crate::layout::list_rows(state.size));
            state.focus = Pane::Versions;
            state.reveal = false;
            state.details_scroll = 0;
            state.versions = Versions {
                name: name.clone(),
                select_when_loaded: Some(version.clone()),
                ..Versions::default()
            };
            ops::record(
                state,
                "set",
                &name,
                Ok(format!(
                    "new version {}",
                    crate::vault::short_version(&version)
                )),
            );
            report(
                state,
                Level::Success,
                format!(
                    "Set {name}: new version {} is current",
                    crate::vault::short_version(&version)
                ),
            );
            load_secret_and_versions(state, &name)
        }
        Err(error) => {
            let name = state.form().map(SecretForm::name_text).unwrap_or_default();
            let message = error.to_string();
            if let Some(form) = state.form_mut() {
                form.submit = if error.is_deleted_but_recoverable() {
                    Submit::NameDeleted {
                        message: format!(
                            "{name} is deleted but recoverable, so the name cannot be reused yet."
                        ),
                    }
                } else {
                    Submit::Failed {
                        message: message.clone(),
                    }
                };
            }
            ops::record(state, "set", &name, Err(message.clone()));
            report(state, Level::Error, format!("Set {name} failed: {message}"));
            Vec::new()
        }
    }
}

fn on_resolved(
    state: &mut State,
    generation: u64,
    request: u64,
    purged: bool,
    result: Result<Option<SecretBundle>, VaultError>,
) -> Vec<Effect> {
    finish(state, request);
    let ours = generation == state.generation
        && matches!(state.form(), Some(form) if matches!(form.submit, Submit::Resolving { request: r, .. } if r == request));
    if !ours {
        return Vec::new();
    }
    let name = state.form().map(SecretForm::name_text).unwrap_or_default();
    let operation = if purged { "purge" } else { "recover" };
    match result {
        Ok(recovered) => {
            ops::record(
                state,
                operation,
                &name,
                Ok("from the Set Secret form".into()),
            );
            if let Some(form) = state.form_mut() {
                form.submit = Submit::Editing;
                form.focus = FormField::Submit;
                if let Some(bundle) = &recovered {
                    form.continue_as_version_of(&name, &Snapshot::of_bundle(bundle));
                }
                form.sync_cursors();
            }
            let (done, next) = if purged {
                ("Purged", "set the new secret")
            } else {
                ("Recovered", "review the new version")
            };
            report(
                state,
                Level::Success,
                format!("{done} {name}; press Enter or Ctrl-s to {next}"),
            );
            if purged {
                Vec::new()
            } else {
                list_secrets(state)
            }
        }
        Err(error) => {
            ops::record(state, operation, &name, Err(error.to_string()));
            if let Some(form) = state.form_mut() {
                form.submit = Submit::NameDeleted {
                    message: error.to_string(),
                };
            }
            report(state, Level::Error, error.to_string());
            Vec::new()
        }
    }
}
