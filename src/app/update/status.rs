//! The status line over time: the clock's tick ages messages and turns spinners; a retry notice
//! shows beside its operation.

use super::Effect;
use crate::state::{State, Ticket};
use crate::vault::RetryNotice;

pub(super) fn on_tick(state: &mut State, now: i64) -> Vec<Effect> {
    state.now = now;
    state.spinner = state.spinner.wrapping_add(1);
    if let Some((level, _)) = &state.last_result
        && now - state.last_result_at >= level.shown_for_secs()
    {
        state.last_result = None;
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
