//! The details pane: loading the selected secret (the latest or one version), revealing its
//! value, scrolling it.

use super::Effect;
use crate::state::{Level, Remote, State, Ticket};
use crate::vault::{SecretBundle, VaultError, short_version};

/// Loads `name` (the latest, or `version`) into the details pane.
pub(super) fn load(state: &mut State, name: &str, version: Option<String>) -> Effect {
    let label = match &version {
        Some(version) => format!("loading {name} version {}", short_version(version)),
        None => format!("loading {name}"),
    };
    let ticket = state.begin(label);
    state.details.name = name.to_owned();
    state.details.version = version.clone();
    state.details.request = ticket.request;
    state.details.bundle = Remote::Loading;
    Effect::LoadSecret {
        ticket,
        name: name.to_owned(),
        version,
    }
}

/// Loads the latest of `name` and its history.
pub(super) fn load_secret_and_versions(state: &mut State, name: &str) -> Vec<Effect> {
    let details = load(state, name, None);
    let ticket = state.begin(format!("loading versions of {name}"));
    state.versions.name = name.to_owned();
    state.versions.request = ticket.request;
    state.versions.items = Remote::Loading;
    vec![
        details,
        Effect::LoadVersions {
            ticket,
            name: name.to_owned(),
        },
    ]
}

pub(super) fn on_loaded(
    state: &mut State,
    ticket: Ticket,
    name: &str,
    version: Option<String>,
    result: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    if ticket.request != state.details.request {
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

pub(super) fn toggle_reveal(state: &mut State) -> Vec<Effect> {
    if state.details.bundle.loaded().is_some() {
        state.reveal = !state.reveal;
    } else {
        state.report(Level::Error, "no value loaded to reveal");
    }
    Vec::new()
}

pub(super) fn scroll(state: &mut State, down: bool) -> Vec<Effect> {
    if !down {
        state.details_scroll = state.details_scroll.saturating_sub(1);
        return Vec::new();
    }
    // The pane clamps this to what it has to show; the bound here (its rows before wrapping)
    // keeps K from having to climb back through nothing.
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
