//! The stale-write guard of the reviews, after the write was sent: the answer that another
//! write landed since the review's version was read (the review comes back, and only `O` writes
//! over it), and the check after a write that none landed just after it. The form's review and
//! a copy's review (an overlay) both go through it.

use super::Effect;
use super::form::review;
use crate::keymap::{Action, Context};
use crate::state::form::Submit;
use crate::state::{DialogStatus, Level, Overlay, State, Ticket};
use crate::vault::SecretBundle;
use crate::vault::stale::{self, Expected};

/// The guard found another latest version than the review's: the review comes back, saying
/// what that version is, and nothing was written.
pub(super) fn on_stale(
    state: &mut State,
    ticket: Ticket,
    latest: Option<Box<SecretBundle>>,
) -> Vec<Effect> {
    let latest = latest.as_deref();
    let (review, since, context) = if state.form().is_some_and(|form| form.awaits(ticket.request)) {
        // The form's review gave way to the write: made again, from the form as it is.
        let now = state.now;
        if review(state, now).is_err() {
            return Vec::new();
        }
        let Some(Submit::Review(review)) = state.form_mut().map(|form| &mut form.submit) else {
            return Vec::new();
        };
        (review, "Since this form opened", Context::FormReview)
    } else {
        match &mut state.overlay {
            Overlay::Review(review) if review.status.awaits(ticket.request) => {
                review.status = DialogStatus::Open;
                (review, "Since it was reviewed", Context::Review)
            }
            _ => return Vec::new(),
        }
    };
    let (found, expected) = match review.write.set_params() {
        Some(params) => (
            stale::describe_latest(latest, params),
            stale::expecting(latest),
        ),
        None => (
            // What the review was read from; none known reads as the version it finds.
            stale::describe_changed(review.expected.as_ref().unwrap_or(&Expected::New), latest),
            // Gone: writing over it anyway meets the update's own 404.
            latest.map_or(Expected::New, Expected::unchanged),
        ),
    };
    let name = review.write.name().to_owned();
    review.conflict = Some((format!("{since}, {found}"), expected));
    let keys = crate::keymap::key_of(context, Action::Overwrite);
    state.report(
        Level::Error,
        format!("{name} changed since it was read; nothing was written: {keys} writes over it, Esc goes back"),
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
