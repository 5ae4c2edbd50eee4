//! Copies to the terminal's clipboard (OSC 52): the selected value or id, and clearing a copy
//! from the clipboard and tmux's paste buffers when its time is up.

use super::Effect;
use super::oplog::record;
use super::versions::version_of;
use crate::clipboard::Cleared;
use crate::state::{Level, Operation, State};
use crate::vault::{SecretValue, short_version};
use std::time::Duration;

pub(super) fn copy_value(state: &mut State) -> Vec<Effect> {
    let copied = state.details.bundle.loaded().and_then(|bundle| {
        let value = bundle.value.clone()?;
        Some((value, version_of(bundle)))
    });
    let Some((value, version)) = copied else {
        state.report(
            Level::Error,
            "no value loaded to copy: select a secret (a disabled version has none)",
        );
        return Vec::new();
    };
    let version = short_version(&version);
    let what = format!("the value of {} (version {version})", state.details.name);
    copy(state, value, what)
}

pub(super) fn copy_id(state: &mut State) -> Vec<Effect> {
    let id = state
        .details
        .bundle
        .loaded()
        .and_then(|bundle| bundle.id.clone())
        .or_else(|| state.list.selected().and_then(|row| row.item.id.clone()));
    match id {
        Some(id) => {
            let what = format!("the id {id}");
            copy(state, SecretValue::new(id), what)
        }
        None => {
            state.report(Level::Error, "select a secret first");
            Vec::new()
        }
    }
}

pub(super) fn copy(state: &mut State, text: SecretValue, what: String) -> Vec<Effect> {
    state.clipboard_copy += 1;
    let clear_after = state.clipboard_clear.map(Duration::from_secs);
    let clears = match state.clipboard_clear {
        Some(seconds) => format!("; cleared in {seconds} s"),
        None => String::new(),
    };
    let secret = state.details.name.clone();
    record(state, Operation::CopyToClipboard, &secret, Ok(what.clone()));
    state.report(
        Level::Success,
        format!("Copied {what} to the clipboard{clears}"),
    );
    vec![Effect::Clipboard {
        text,
        copy: state.clipboard_copy,
        clear_after,
    }]
}

/// A later copy replaced this one on the clipboard, but tmux may keep both: each copy is
/// looked for in tmux's buffers, and the clipboard itself cleared only for the latest.
pub(super) fn on_expired(state: &mut State, copy: u64, text: SecretValue) -> Vec<Effect> {
    vec![Effect::ClearClipboard {
        copy,
        text,
        terminal: copy == state.clipboard_copy,
    }]
}

pub(super) fn on_cleared(state: &mut State, copy: u64, cleared: &Cleared) -> Vec<Effect> {
    let level = match cleared {
        Cleared::TmuxUnchecked { .. } => Level::Error,
        _ => Level::Info,
    };
    if copy == state.clipboard_copy || level == Level::Error {
        state.report(level, cleared.describe());
    }
    Vec::new()
}
