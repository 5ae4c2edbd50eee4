//! The form's stale-write guard, after the write was sent: the answer that another write
//! landed since the form opened (the review comes back, and only `O` writes over it), and the
//! check after a write that none landed just after it.

use super::Effect;
use super::form::review;
use crate::keymap::{Action, Context};
use crate::state::form::Submit;
use crate::state::{Level, State, Ticket, Write};
use crate::vault::SecretBundle;
use crate::vault::stale;

/// The guard found another latest version than the form's: the review comes back, saying what
/// that version is, and nothing was written.
pub(super) fn on_stale(
    state: &mut State,
    ticket: Ticket,
    latest: Option<Box<SecretBundle>>,
) -> Vec<Effect> {
    if !state.form().is_some_and(|form| form.awaits(ticket.request)) {
        return Vec::new();
    }
    let now = state.now;
    if review(state, now).is_err() {
        return Vec::new();
    }
    let latest = latest.as_deref();
    let Some(Submit::Review(review)) = state.form_mut().map(|form| &mut form.submit) else {
        return Vec::new();
    };
    let Write::Set { name, params } = &review.write else {
        return Vec::new();
    };
    let said = format!(
        "Since this form opened, {}",
        stale::describe_latest(latest, params)
    );
    let name = name.clone();
    review.conflict = Some((said.clone(), stale::expecting(latest)));
    let keys = crate::keymap::key_of(Context::FormReview, Action::Overwrite);
    state.report(
        Level::Error,
        format!("{name} changed since the form opened; nothing was written: {keys} writes over it, Esc edits"),
    );
    Vec::new()
}

/// What the latest version was just after the form's write.
pub(super) fn on_overtaken(state: &mut State, warning: Option<String>) -> Vec<Effect> {
    if let Some(warning) = warning {
        state.report(Level::Error, warning);
    }
    Vec::new()
}
