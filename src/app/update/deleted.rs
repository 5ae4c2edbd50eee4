//! Deleting a secret, and the deleted view (`D`): the soft-deleted secrets, to recover or purge.

use super::oplog::record;
use super::{Effect, Origin, Resolve, list};
use crate::keymap::Action;
use crate::state::dialogs::ConfirmAction;
use crate::state::{
    Confirm, DeletedView, Level, Operation, Overlay, Pane, Remote, Screen, State, Ticket,
    step_cursor,
};
use crate::vault::{DeletedSecretBundle, DeletedSecretItem, VaultError};

/// `d`: asks before deleting the selected secret, saying what the vault's recovery level means.
pub(super) fn confirm_delete(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.list.selected() else {
        state.report(Level::Error, "select a secret first");
        return Vec::new();
    };
    let attributes = state
        .details
        .bundle
        .loaded()
        .and_then(|b| b.attributes.clone())
        .or_else(|| row.item.attributes.clone())
        .unwrap_or_default();
    state.overlay = Overlay::Confirm(Confirm::new(ConfirmAction::Delete {
        name: row.name.clone(),
        level: attributes.recovery_level,
        days: attributes.recoverable_days,
    }));
    Vec::new()
}

pub(super) fn on_deleted(
    state: &mut State,
    ticket: Ticket,
    name: &str,
    result: Result<DeletedSecretBundle, VaultError>,
) -> Vec<Effect> {
    match result {
        Ok(deleted) => {
            state.dialog_answered(ticket.request, Ok(()));
            let outcome = match deleted.deletion.scheduled_purge_date {
                Some(purge) => format!(
                    "recoverable until {} (D shows deleted secrets)",
                    crate::when::format_utc(purge)
                ),
                None => "deleted for good".to_owned(),
            };
            record(state, Operation::Delete, name, Ok(outcome.clone()));
            state.report(Level::Success, format!("Deleted {name}: {outcome}"));
            state.list.remove(name);
            state.details = Default::default();
            state.versions = Default::default();
            state.focus = Pane::Secrets;
            list::selection_changed(state)
        }
        Err(error) => {
            let message = error.to_string();
            record(state, Operation::Delete, name, Err(message.clone()));
            state.dialog_answered(ticket.request, Err(&message));
            state.report(Level::Error, format!("Delete of {name} failed: {message}"));
            Vec::new()
        }
    }
}

pub(super) fn show(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Deleted;
    list_deleted(state)
}

fn list_deleted(state: &mut State) -> Vec<Effect> {
    if state.connection.loaded().is_none() {
        state.report(Level::Error, "not connected to a vault yet");
        return Vec::new();
    }
    let ticket = state.begin("listing deleted secrets".into());
    state.deleted = DeletedView {
        request: ticket.request,
        items: Remote::Loading,
        cursor: 0,
    };
    vec![Effect::ListDeleted { ticket }]
}

pub(super) fn on_listed(
    state: &mut State,
    ticket: Ticket,
    result: Result<Vec<DeletedSecretItem>, VaultError>,
) -> Vec<Effect> {
    if ticket.request != state.deleted.request {
        return Vec::new();
    }
    state.deleted.items = match result {
        Ok(items) => {
            let count = items.len();
            let message = format!("{count} deleted secrets in {}", state.profile().name);
            state.report(Level::Info, message);
            Remote::Loaded(items)
        }
        Err(error) => Remote::Failed(error.to_string()),
    };
    state.deleted.cursor = 0;
    Vec::new()
}

pub(super) fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    Some(match action {
        Action::Up | Action::Down => {
            let count = state.deleted.items.loaded().map_or(0, Vec::len);
            state.deleted.cursor = step_cursor(state.deleted.cursor, count, action == Action::Up);
            Vec::new()
        }
        Action::Refresh => list_deleted(state),
        Action::Recover => recover(state),
        Action::Purge => confirm_purge(state),
        _ => return None,
    })
}

fn recover(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.deleted.selected_name() else {
        return Vec::new();
    };
    let ticket = state.begin_write(format!("recovering {name}"));
    vec![Effect::Resolve(Resolve {
        ticket,
        name,
        origin: Origin::DeletedView,
        purge: false,
    })]
}

fn confirm_purge(state: &mut State) -> Vec<Effect> {
    let Some(item) = state.deleted.selected() else {
        return Vec::new();
    };
    let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
    let level = item
        .item
        .attributes
        .as_ref()
        .and_then(|a| a.recovery_level.clone());
    match level {
        Some(level) if !level.allows_purge() => state.report(
            Level::Error,
            format!(
                "this vault's recovery level {level} does not allow purge: {name} goes at its scheduled date"
            ),
        ),
        _ => state.overlay = Overlay::Confirm(Confirm::new(ConfirmAction::Purge { name })),
    }
    Vec::new()
}

/// A recover or purge from the view answered: the name leaves the view when it went through,
/// and a recovered secret is listed again.
pub(super) fn on_resolved(
    state: &mut State,
    asked: &Resolve,
    result: Result<(), VaultError>,
) -> Vec<Effect> {
    let name = &asked.name;
    if !handled(state, asked.ticket, name, asked.operation(), result) {
        return Vec::new();
    }
    if asked.purge {
        state.report(Level::Success, format!("Purged {name} for good"));
        return Vec::new();
    }
    state.report(
        Level::Success,
        format!("Recovered {name} with all its versions"),
    );
    list::list_secrets(state)
}

/// Whether the recover or purge went through; the name leaves the view when it did.
fn handled(
    state: &mut State,
    ticket: Ticket,
    name: &str,
    operation: Operation,
    result: Result<(), VaultError>,
) -> bool {
    match result {
        Ok(()) => {
            state.dialog_answered(ticket.request, Ok(()));
            record(state, operation, name, Ok("done".into()));
            if let Remote::Loaded(items) = &mut state.deleted.items {
                items.retain(|item| {
                    item.item
                        .secret_id()
                        .is_none_or(|id| !id.name.eq_ignore_ascii_case(name))
                });
                state.deleted.cursor = state.deleted.cursor.min(items.len().saturating_sub(1));
            }
            true
        }
        Err(error) => {
            let message = error.to_string();
            record(state, operation, name, Err(message.clone()));
            state.dialog_answered(ticket.request, Err(&message));
            state.report(
                Level::Error,
                format!("{operation} of {name} failed: {message}"),
            );
            false
        }
    }
}
