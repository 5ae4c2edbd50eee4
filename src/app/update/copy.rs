//! Copying the selected secret to another profile's vault: choosing the target, a review of
//! what it will change there, and the answer.

use super::Effect;
use super::oplog::{record, record_in};
use super::versions::version_of;
use crate::app::msg::TaskError;
use crate::keymap::Action;
use crate::state::review::Snapshot;
use crate::state::{Level, Operation, Overlay, Review, State, Ticket};
use crate::vault::{SecretBundle, VaultError, short_version, stale};

/// `y`: the profiles to copy to (the selected secret, or the marked ones).
pub(super) fn choose_target(state: &mut State) -> Vec<Effect> {
    if state.list.selected().is_none() && state.list.marked.is_empty() {
        state.report(Level::Error, "select a secret first");
    } else if state.profiles.len() < 2 {
        state.report(
            Level::Error,
            "there is no other profile to copy to: add one to config.toml",
        );
    } else {
        let cursor = usize::from(state.active_profile == 0);
        state.overlay = Overlay::CopyTarget { cursor };
    }
    Vec::new()
}

/// Keys on the target list: every profile but the one on screen.
pub(super) fn target_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::CopyTarget { cursor } = state.overlay else {
        return Vec::new();
    };
    let others: Vec<usize> = (0..state.profiles.len())
        .filter(|&index| index != state.active_profile)
        .collect();
    let at = others.iter().position(|&i| i == cursor).unwrap_or(0);
    match action {
        Action::Up => {
            state.overlay = Overlay::CopyTarget {
                cursor: others[at.saturating_sub(1)],
            }
        }
        Action::Down => {
            state.overlay = Overlay::CopyTarget {
                cursor: others[(at + 1).min(others.len() - 1)],
            }
        }
        Action::Back => state.overlay = Overlay::None,
        Action::Open => return prepare(state, cursor),
        _ => {}
    }
    Vec::new()
}

fn prepare(state: &mut State, target: usize) -> Vec<Effect> {
    let profile = state.profiles[target].clone();
    if profile.read_only {
        state.report(
            Level::Error,
            format!(
                "profile {} is read-only: nothing can be copied into it",
                profile.name
            ),
        );
        return Vec::new();
    }
    if !state.list.marked.is_empty() {
        let names = state.list.marked_names();
        state.overlay = Overlay::None;
        let label = format!(
            "planning the copy of {} secrets to {}",
            names.len(),
            profile.name
        );
        let ticket = state.begin(label);
        return vec![Effect::PlanCopy {
            ticket,
            target,
            profile,
            names,
        }];
    }
    let Some(name) = state.list.selected_name().map(str::to_owned) else {
        return Vec::new();
    };
    state.overlay = Overlay::None;
    let ticket = state.begin(format!("preparing to copy {name} to {}", profile.name));
    vec![Effect::PrepareCopy {
        ticket,
        name,
        target,
        profile,
    }]
}

pub(super) fn on_prepared(
    state: &mut State,
    target: usize,
    source: Result<SecretBundle, VaultError>,
    current: Result<Option<SecretBundle>, TaskError>,
) -> Vec<Effect> {
    let target_name = state.profiles[target].name.clone();
    let source = match source {
        Ok(bundle) => bundle,
        Err(error) => {
            state.report(
                Level::Error,
                format!("cannot copy: reading it here failed: {error}"),
            );
            return Vec::new();
        }
    };
    let current = match current {
        Ok(current) => current,
        Err(error) => {
            state.report(
                Level::Error,
                format!("cannot copy: reading profile {target_name} failed: {error}"),
            );
            return Vec::new();
        }
    };
    let name = source.secret_id().map(|id| id.name).unwrap_or_default();
    let Some(params) = source.to_set() else {
        state.report(Level::Error, format!("{name} has no value to copy"));
        return Vec::new();
    };
    let before = current.as_ref().map(Snapshot::of_bundle);
    let current_value = current.as_ref().and_then(|bundle| bundle.value.clone());
    let kind = if before.is_some() {
        "a new version there"
    } else {
        "a new secret there"
    };
    let title = format!(
        "Copy {name} from {} to {target_name}: {kind}",
        state.profile().name
    );
    let mut review = Review::of_set(
        title,
        before.as_ref(),
        current_value,
        (name, params),
        Some(target),
    );
    // Written only over the version just read there, or only if there is none still.
    review.expected = Some(stale::expecting(current.as_ref()));
    state.overlay = Overlay::Review(Box::new(review));
    Vec::new()
}

pub(super) fn on_copied(
    state: &mut State,
    ticket: Ticket,
    target: usize,
    result: Result<SecretBundle, TaskError>,
    overtaken: Option<String>,
) -> Vec<Effect> {
    let target_name = state.profiles[target].name.clone();
    let name = match &state.overlay {
        Overlay::Review(review) if review.status.awaits(ticket.request) => {
            review.write.name().to_owned()
        }
        _ => return Vec::new(),
    };
    match result {
        Ok(bundle) => {
            let version = short_version(&version_of(&bundle)).to_owned();
            state.dialog_answered(ticket.request, Ok(()));
            let arrived = Ok(format!("version {version}"));
            record_in(
                state,
                target_name.clone(),
                Operation::CopyIn,
                &name,
                arrived,
            );
            let sent = Ok(format!("to {target_name}"));
            record(state, Operation::CopyOut, &name, sent);
            match overtaken {
                Some(warning) => state.report(
                    Level::Error,
                    format!("Copied {name} to {target_name}, but there {warning}"),
                ),
                None => state.report(
                    Level::Success,
                    format!("Copied {name} to {target_name}: version {version} is current there"),
                ),
            }
        }
        Err(error) => {
            let error = error.to_string();
            let failed = Err(error.clone());
            record_in(state, target_name.clone(), Operation::CopyIn, &name, failed);
            state.dialog_answered(ticket.request, Err(&error));
            state.report(
                Level::Error,
                format!("Copy of {name} to {target_name} failed: {error}"),
            );
        }
    }
    Vec::new()
}
