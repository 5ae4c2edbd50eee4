//! The operations log: every write (and copy) this session did, with its outcome. Only names
//! and outcomes are kept, never values.

use super::Effect;
use crate::keymap::Action;
use crate::state::{OpRecord, Operation, Screen, State};

/// Adds a line for the profile on screen.
pub(super) fn record(
    state: &mut State,
    operation: Operation,
    secret: &str,
    outcome: Result<String, String>,
) {
    let profile = state.profile().name.clone();
    record_in(state, profile, operation, secret, outcome);
}

/// Adds a line for `profile` (a copy's target).
pub(super) fn record_in(
    state: &mut State,
    profile: String,
    operation: Operation,
    secret: &str,
    outcome: Result<String, String>,
) {
    let (ok, outcome) = match outcome {
        Ok(done) => (true, done),
        Err(error) => (false, error),
    };
    state.operations.push(OpRecord {
        at: state.now,
        profile,
        operation,
        secret: secret.to_owned(),
        ok,
        outcome,
    });
}

pub(super) fn show(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Operations;
    state.operations_back = 0;
    Vec::new()
}

pub(super) fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if !matches!(action, Action::Up | Action::Down) {
        return None;
    }
    // The log reads like one: newest at the bottom, k goes back in time.
    let oldest = state.operations.len().saturating_sub(1);
    state.operations_back = match action {
        Action::Up => (state.operations_back + 1).min(oldest),
        _ => state.operations_back.saturating_sub(1),
    };
    Some(Vec::new())
}
