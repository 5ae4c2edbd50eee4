//! The vault picker (`V`): discovery across the sign-in's tenants and subscriptions, a found vault
//! opened as a profile for this session, saved as one in config.toml, or, when discovery cannot
//! list it, opened by its name or URL.

use super::{Effect, list};
use crate::app::msg::TaskError;
use crate::config::profile_for;
use crate::config::{Added, NewProfile};
use crate::config::{AuthMethod, Profile, VaultLocation};
use crate::discovery::{Found, FoundVault, Via};
use crate::keymap::Action;
use crate::state::dialogs::PromptPurpose;
use crate::state::input::type_into_query;
use crate::state::{
    DialogStatus, Level, Overlay, Prompt, Remote, Screen, State, Ticket, VaultsView,
};
use crossterm::event::KeyEvent;

/// `V`: the picker, looking for vaults the first time it opens (once the profile's session is
/// open, when it is not yet).
pub(super) fn show(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Vaults;
    if state.vaults.request != 0 {
        return Vec::new();
    }
    if state.connection.is_loading() {
        state.vaults.searching = true;
        return Vec::new();
    }
    discover(state)
}

/// A profile's session opened: on a first run (no config), the search for the sign-in's vaults
/// starts at once, so the picker can open by itself when it finds some.
/// The same when the picker was opened before the session was.
pub(super) fn on_connected(state: &mut State) -> Vec<Effect> {
    let asked = state.first_run || state.vaults.searching;
    if !asked || state.vaults.request != 0 {
        return Vec::new();
    }
    match &state.connection {
        Remote::Loaded(_) => return discover(state),
        // The session failed: its error is on the status line and in the list.
        Remote::Failed(_) => state.vaults.searching = false,
        // An answer for a profile since left: the open one's is still to come.
        Remote::Loading | Remote::Idle => {}
    }
    Vec::new()
}

/// Looks for vaults again, as the open profile signs in.
pub(super) fn discover(state: &mut State) -> Vec<Effect> {
    if state.connection.loaded().is_none() {
        state.report(
            Level::Error,
            "not connected yet: the picker looks as the open profile",
        );
        return Vec::new();
    }
    let ticket = state.begin("looking for vaults".into());
    state.vaults = VaultsView {
        request: ticket.request,
        searching: true,
        ..VaultsView::default()
    };
    vec![Effect::Discover { ticket }]
}

pub(super) fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let view = &mut state.vaults;
    match action {
        Action::Up | Action::Down => {
            view.cursor =
                crate::state::step_cursor(view.cursor, view.shown.len(), action == Action::Up);
        }
        Action::StartFilter => view.filtering = true,
        Action::AcceptFilter => view.filtering = false,
        Action::ClearFilter => {
            view.filtering = false;
            view.set_query(String::new());
        }
        Action::Open => return Some(open_selected(state)),
        Action::Refresh => return Some(discover(state)),
        Action::SaveProfile => return Some(ask_save(state)),
        Action::AddVault => {
            state.overlay = Overlay::Prompt(Prompt::new(PromptPurpose::OpenVault, ""));
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// A key typed into the picker's filter line.
pub(super) fn filter_input(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let mut query = state.vaults.query.clone();
    if type_into_query(&mut query, key) {
        state.vaults.set_query(query);
    }
    Vec::new()
}

/// What discovery found, or (`None`) that it is done. Its answers are kept whichever profile is
/// open by then: the picker lists what the sign-in can see, not one profile's secrets.
pub(super) fn on_discovered(
    state: &mut State,
    ticket: Ticket,
    found: Option<Found>,
) -> Vec<Effect> {
    if ticket.request != state.vaults.request {
        return Vec::new();
    }
    match found {
        None => {
            state.finish(ticket);
            state.vaults.searching = false;
        }
        Some(Found::Vaults(vaults)) => {
            let signed_in = vaults.iter().any(|vault| vault.via == Via::SignedIn);
            state.vaults.add(vaults);
            if state.first_run && signed_in {
                state.first_run = false;
                state.screen = Screen::Vaults;
                state.report(
                    Level::Info,
                    "your Azure sign-in can see these vaults: Enter opens one, s saves it as a profile",
                );
            }
        }
        Some(Found::Unreadable { scope, reason }) => {
            state.vaults.unreadable.push((scope, reason));
        }
        Some(Found::SignedIn { account, identity }) => {
            state.vaults.signed_in.push((account, identity));
        }
    }
    Vec::new()
}

fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(vault) = state.vaults.selected().cloned() else {
        return Vec::new();
    };
    let index = match state.profile_of_vault(&vault.vault_url) {
        Some(index) => index,
        None => {
            let profile = profile_of(state, &vault, false);
            add_unsaved(state, profile)
        }
    };
    list::open_profile(state, index)
}

/// A profile that opens `vault` as the account that found it signs in, pinned to the tenant it
/// was found in (so `az` is asked for a token there).
fn profile_of(state: &State, vault: &FoundVault, read_only: bool) -> Profile {
    let mut profile = match vault.via {
        Via::Profile => state.profile().clone(),
        Via::SignedIn => Profile::signed_in(),
    };
    profile.name = unused_name(state, &vault.name);
    profile.vault = VaultLocation::Url(vault.vault_url.clone());
    profile.tenant_id = Some(vault.tenant_id.clone());
    profile.read_only = read_only;
    // Another vault: the finding profile's rules were written for its own.
    profile.policy = crate::config::Policy::default();
    profile
}

/// `name`, or `name-2`, `name-3`… when a profile has it already.
fn unused_name(state: &State, name: &str) -> String {
    let taken = |candidate: &str| state.profiles.iter().any(|p| p.name == candidate);
    let base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let base = if base.is_empty() {
        "vault".to_owned()
    } else {
        base
    };
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

/// A vault discovery cannot list (data-plane RBAC without Reader on the subscription), typed
/// as its name or URL: opened as the open profile signs in, or as `az`/`azd` for a local one.
pub(super) fn open_typed(state: &mut State, typed: &str) -> Vec<Effect> {
    let local = state.profile().auth == AuthMethod::Local;
    let cloud = state.profile().effective_cloud();
    let url = crate::config::vault_url_for(typed, &cloud);
    let url = match url {
        Ok(url) => url,
        Err(problem) => {
            if let Some(status) = state.dialog_status() {
                *status = DialogStatus::Failed(problem);
            }
            return Vec::new();
        }
    };
    state.overlay = Overlay::None;
    if let Some(index) = profile_for(&state.profiles, &url) {
        return list::open_profile(state, index);
    }
    let host = url.trim_start_matches("https://");
    let mut profile = if local {
        Profile::signed_in()
    } else {
        state.profile().clone()
    };
    profile.name = unused_name(state, host.split('.').next().unwrap_or(host));
    profile.vault = VaultLocation::Url(url);
    // The vault's challenge names its tenant.
    profile.tenant_id = None;
    profile.read_only = false;
    let index = add_unsaved(state, profile);
    list::open_profile(state, index)
}

/// `s`: asks the new profile's name (and whether it is read-only) for the selected vault.
fn ask_save(state: &mut State) -> Vec<Effect> {
    let Some(vault) = state.vaults.selected().cloned() else {
        return Vec::new();
    };
    if state.config_file.is_none() {
        state.report(
            Level::Error,
            "no config dir to save a profile in: set KVTUI_CONFIG_DIR or use --config FILE",
        );
        return Vec::new();
    }
    if let Some(index) = state.profile_of_vault(&vault.vault_url)
        && !is_transient(state, index)
    {
        let name = state.profiles[index].name.clone();
        state.report(
            Level::Info,
            format!("{} is already profile {name}", vault.name),
        );
        return Vec::new();
    }
    let initial = unused_name(state, &vault.name);
    state.overlay = Overlay::Prompt(Prompt::new(
        PromptPurpose::SaveProfile {
            vault: Box::new(vault),
            read_only: true,
        },
        &initial,
    ));
    Vec::new()
}

/// A profile this session made from the picker, not (yet) in the config file.
fn is_transient(state: &State, index: usize) -> bool {
    state.unsaved_profiles.contains(&state.profiles[index].name)
}

/// Adds a profile made from the picker for this session and returns its index.
fn add_unsaved(state: &mut State, profile: Profile) -> usize {
    state.unsaved_profiles.insert(profile.name.clone());
    state.profiles.push(profile);
    state.profiles.len() - 1
}

/// The name was given: write the profile to config.toml.
pub(super) fn save(
    state: &mut State,
    name: String,
    vault: &FoundVault,
    read_only: bool,
) -> Vec<Effect> {
    let Some(path) = state.config_file.clone() else {
        return Vec::new();
    };
    let mut profile = profile_of(state, vault, read_only);
    profile.name = name.clone();
    let new = NewProfile {
        name: name.clone(),
        vault_url: vault.vault_url.clone(),
        auth: Some(profile.auth),
        tenant_id: profile.tenant_id.clone(),
        client_id: profile.client_id.clone(),
        client_secret_env: profile.client_secret_env.clone(),
        cloud: profile.cloud.clone(),
        read_only,
        make_default: false,
    };
    let ticket = state.begin_dialog_write(format!("saving profile {name}"));
    vec![Effect::SaveProfile {
        ticket,
        path,
        new,
        profile: Box::new(profile),
    }]
}

pub(super) fn on_saved(
    state: &mut State,
    ticket: Ticket,
    profile: Profile,
    result: Result<Added, TaskError>,
) -> Vec<Effect> {
    let result = result.map_err(|error| error.to_string());
    state.dialog_answered(
        ticket.request,
        result.as_ref().map(drop).map_err(String::as_str),
    );
    match result {
        Ok(added) => {
            let url = profile.vault.to_string();
            let message = format!("saved profile {} in {}", profile.name, added.file.display());
            // The session's own copy of the vault, if it opened it, becomes the saved one.
            match profile_for(&state.profiles, &url).filter(|&index| is_transient(state, index)) {
                Some(index) => {
                    let old = std::mem::replace(&mut state.profiles[index], profile);
                    state.unsaved_profiles.remove(&old.name);
                }
                None => state.profiles.push(profile),
            }
            state.report(Level::Success, message);
        }
        Err(error) => state.report(Level::Error, error),
    }
    Vec::new()
}
