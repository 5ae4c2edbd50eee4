//! The expiry overview (`X`): every profile scanned for secrets expired or expiring soon, and a
//! jump to one of them.

use super::{Effect, list};
use crate::app::msg::TaskError;
use crate::keymap::Action;
use crate::state::expiry::ExpiryRow;
use crate::state::list::ExpiryBadge;
use crate::state::{ExpiryView, Level, Pane, Screen, State, Ticket, step_cursor};
use crate::vault::SecretItem;

pub(super) fn show(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Expiry;
    let ticket = state.begin(format!(
        "scanning {} profiles for expiry",
        state.profiles.len()
    ));
    state.expiry = ExpiryView {
        request: ticket.request,
        pending: state.profiles.len(),
        ..ExpiryView::default()
    };
    vec![Effect::ScanExpiry {
        ticket,
        profiles: state.profiles.iter().cloned().enumerate().collect(),
        active: state.active_profile,
    }]
}

pub(super) fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    Some(match action {
        Action::Up | Action::Down => {
            state.expiry.cursor = step_cursor(
                state.expiry.cursor,
                state.expiry.rows.len(),
                action == Action::Up,
            );
            Vec::new()
        }
        Action::Refresh => show(state),
        Action::Open => jump_to_expiring(state),
        _ => return None,
    })
}

pub(super) fn on_scanned(
    state: &mut State,
    ticket: Ticket,
    profile: usize,
    result: Result<Vec<SecretItem>, TaskError>,
) -> Vec<Effect> {
    if !state.is_current(ticket) || ticket.request != state.expiry.request {
        return Vec::new();
    }
    state.expiry.pending = state.expiry.pending.saturating_sub(1);
    if state.expiry.pending == 0 {
        state.finish(ticket);
    }
    match result {
        Ok(items) => {
            let now = state.now;
            let rows = items
                .into_iter()
                .filter_map(|item| {
                    let name = item.secret_id()?.name;
                    let expires = item.attributes.as_ref().and_then(|a| a.exp);
                    let badge = ExpiryBadge::of(expires, now);
                    (badge != ExpiryBadge::Later).then_some(ExpiryRow {
                        profile,
                        name,
                        expires,
                        badge,
                    })
                })
                .collect();
            state.expiry.add(rows);
        }
        Err(error) => {
            let name = state.profiles[profile].name.clone();
            state.expiry.failures.push((name, error.to_string()));
        }
    }
    Vec::new()
}

fn jump_to_expiring(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.expiry.rows.get(state.expiry.cursor).cloned() else {
        return Vec::new();
    };
    state.screen = Screen::Secrets;
    state.focus = Pane::Secrets;
    if !state.list.query.is_empty() {
        state.list.set_query(String::new(), state.now);
    }
    if row.profile != state.active_profile {
        state.select_after_list = Some(row.name);
        return list::open_profile(state, row.profile);
    }
    if state.list.select_name(&row.name) {
        list::selection_changed(state)
    } else {
        state.report(
            Level::Error,
            format!("{} is not in the list any more", row.name),
        );
        Vec::new()
    }
}
