//! The version history: its list and cursor, rolling back to a version, marking two versions
//! and their diff.

use super::{Effect, details};
use crate::keymap::Action;
use crate::state::diff::VersionSide;
use crate::state::review::Snapshot;
use crate::state::{Level, Overlay, Pane, Remote, SecretForm, State, Ticket, VersionDiff};
use crate::vault::stale;
use crate::vault::{SecretBundle, SecretItem, VaultError, short_version};

/// The version id of a bundle, empty when its id names none.
pub(super) fn version_of(bundle: &SecretBundle) -> String {
    bundle
        .secret_id()
        .and_then(|id| id.version)
        .unwrap_or_default()
}

pub(super) fn on_loaded(
    state: &mut State,
    ticket: Ticket,
    name: &str,
    result: Result<Vec<SecretItem>, VaultError>,
) -> Vec<Effect> {
    if ticket.request != state.versions.request {
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

pub(super) fn move_cursor(state: &mut State, movement: Action) -> Vec<Effect> {
    let page = crate::layout::list_rows(state.size).max(1);
    let Some(count) = state.versions.items.loaded().map(Vec::len) else {
        return Vec::new();
    };
    let last = count.saturating_sub(1);
    let cursor = state.versions.cursor;
    state.versions.cursor = match movement {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (cursor + 1).min(last),
        Action::PageUp => cursor.saturating_sub(page),
        Action::PageDown => (cursor + page).min(last),
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
    vec![details::load(state, &name, version)]
}

/// Esc in the history: back to the list, the details back on the latest version.
pub(super) fn leave(state: &mut State) -> Vec<Effect> {
    state.focus = Pane::Secrets;
    match state.list.selected_name().map(str::to_owned) {
        Some(name) if state.details.version.is_some() => vec![details::load(state, &name, None)],
        _ => Vec::new(),
    }
}

/// A new version from the selected one: the form, filled with its value and attributes.
pub(super) fn rollback(state: &mut State) -> Vec<Effect> {
    let Some(version) = state.versions.selected_version() else {
        state.report(Level::Error, "select a version in the history first");
        return Vec::new();
    };
    let name = state.versions.name.clone();
    let loaded = match &state.details.bundle {
        Remote::Loaded(bundle) if version_of(bundle) == version => bundle,
        Remote::Failed(_) => {
            state.report(
                Level::Error,
                format!(
                    "version {} cannot be read (disabled?): enable it with x first",
                    short_version(&version)
                ),
            );
            return Vec::new();
        }
        _ => {
            state.report(Level::Info, "the version is still loading…");
            return Vec::new();
        }
    };
    let Some(value) = &loaded.value else {
        state.report(Level::Error, "that version has no value to copy");
        return Vec::new();
    };
    let current = state.details.latest.as_ref().map(Snapshot::of_bundle);
    let mut form =
        SecretForm::from_version(&name, value, &Snapshot::of_bundle(loaded), current.as_ref());
    form.started_from = state
        .details
        .latest
        .as_ref()
        .map(|latest| stale::expecting(Some(latest)));
    state.open_form(form);
    state.report(
        Level::Info,
        format!(
            "New version of {name} from version {}: review and Ctrl-s",
            short_version(&version)
        ),
    );
    Vec::new()
}

pub(super) fn mark(state: &mut State) -> Vec<Effect> {
    let selected = state.versions.selected_version();
    state.versions.marked = if state.versions.marked == selected {
        None
    } else {
        selected
    };
    Vec::new()
}

pub(super) fn diff(state: &mut State) -> Vec<Effect> {
    let Some(selected) = state.versions.selected_version() else {
        state.report(Level::Error, "select a version in the history first");
        return Vec::new();
    };
    let Some(other) = state
        .versions
        .marked
        .clone()
        .or_else(|| state.versions.current.clone())
    else {
        state.report(Level::Error, "mark a version with m first");
        return Vec::new();
    };
    if other == selected {
        state.report(
            Level::Error,
            "that is the same version: mark another one with m, then press = on this one",
        );
        return Vec::new();
    }
    let position = |version: &str| {
        state.versions.items.loaded().and_then(|items| {
            items.iter().position(|item| {
                item.secret_id().and_then(|id| id.version).as_deref() == Some(version)
            })
        })
    };
    // The history is newest first: the larger position is the older version.
    let (older, newer) = if position(&selected) > position(&other) {
        (selected, other)
    } else {
        (other, selected)
    };
    let name = state.versions.name.clone();
    let ticket = state.begin(format!("loading two versions of {name}"));
    state.overlay = Overlay::Diff(Box::new(VersionDiff {
        name: name.clone(),
        older: older.clone(),
        newer: newer.clone(),
        request: ticket.request,
        bundles: Remote::Loading,
        reveal: false,
        scroll: 0,
    }));
    vec![Effect::LoadPair {
        ticket,
        name,
        older,
        newer,
    }]
}

pub(super) fn on_pair(
    state: &mut State,
    ticket: Ticket,
    older: Result<SecretBundle, VaultError>,
    newer: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    let side = |result: Result<SecretBundle, VaultError>| match result {
        Ok(bundle) => VersionSide {
            bundle: Some(bundle),
            error: None,
        },
        Err(error) if error.status() == Some(403) => VersionSide {
            bundle: None,
            error: Some("disabled: its value and attributes cannot be read".into()),
        },
        Err(error) => VersionSide {
            bundle: None,
            error: Some(error.to_string()),
        },
    };
    if let Overlay::Diff(diff) = &mut state.overlay
        && diff.request == ticket.request
    {
        diff.bundles = Remote::Loaded((side(older), side(newer)));
    }
    Vec::new()
}

/// Keys on the diff overlay.
pub(super) fn diff_action(state: &mut State, action: Action) -> Vec<Effect> {
    if let Overlay::Diff(diff) = &mut state.overlay {
        match action {
            Action::ToggleReveal => diff.reveal = !diff.reveal,
            Action::Down => diff.scroll = diff.scroll.saturating_add(1).min(500),
            Action::Up => diff.scroll = diff.scroll.saturating_sub(1),
            Action::Back => state.overlay = Overlay::None,
            _ => {}
        }
    }
    Vec::new()
}
