//! The status line over time: the clock's tick ages messages and turns spinners; a retry notice
//! shows beside its operation; who the profile signed in as stays beside its vault.

use super::Effect;
use crate::auth::{DeviceCodePrompt, Identity};
use crate::state::{Level, State, Ticket};
use crate::vault::RetryNotice;

pub(super) fn on_tick(state: &mut State, now: i64) -> Vec<Effect> {
    state.now = now;
    state.spinner = state.spinner.wrapping_add(1);
    if state.last_result.is_some() && now >= state.last_result_until {
        state.last_result = None;
    }
    Vec::new()
}

/// A device-code sign-in waits for the user: its code stays on the status line until it expires
/// (or the next result replaces it). One for a profile session the user has left is dropped.
pub(super) fn on_sign_in(
    state: &mut State,
    generation: u64,
    prompt: &DeviceCodePrompt,
) -> Vec<Effect> {
    if generation == state.generation {
        state.report_until(
            Level::Info,
            format!(
                "to sign in to {}, open {} and enter the code {} (by {})",
                prompt.profile,
                prompt.verification_uri,
                prompt.user_code,
                crate::when::format_utc(prompt.expires_at.unix_timestamp())
            ),
            prompt.expires_at.unix_timestamp(),
        );
    }
    Vec::new()
}

pub(super) fn on_retrying(state: &mut State, ticket: Ticket, notice: &RetryNotice) -> Vec<Effect> {
    if state.is_current(ticket)
        && let Some(flight) = state.in_flight.iter_mut().find(|f| f.id == ticket.request)
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

pub(super) fn on_signed_in(state: &mut State, generation: u64, identity: Identity) -> Vec<Effect> {
    if generation == state.generation {
        state.identity = Some(identity);
    }
    Vec::new()
}
