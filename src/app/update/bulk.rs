//! Bulk writes on the marked secrets: `d`, `x`, `t` and `w` with marks open one review of every
//! secret and what changes; Enter runs it a few at a time, Esc stops it (what was sent is
//! awaited, nothing more is sent), and the result names what did not happen.

use super::oplog::record;
use super::{Effect, list};
use crate::app::msg::TaskError;
use crate::keymap::Action;
use crate::state::bulk::{Bulk, BulkAction, BulkPhase, BulkRow, BulkStep, RowStatus, Stepped};
use crate::state::review::Snapshot;
use crate::state::{Level, Operation, Overlay, State, Ticket};
use crate::transfer::{Planned, Step};
use crate::vault::stale::Expected;

/// Whether the list has marks, so a write key acts on them rather than on the selection.
pub(super) fn has_marks(state: &State) -> bool {
    !state.list.marked.is_empty()
}

/// For an action on the marked secrets only: says how to mark some when there are none.
pub(super) fn marks_missing(state: &mut State) -> bool {
    if has_marks(state) {
        return false;
    }
    let hint = "mark secrets first: Space marks one, M every one shown";
    state.report(Level::Error, hint);
    true
}

/// The review of `action` on every marked secret; those it would not change are left out.
pub(super) fn open(state: &mut State, action: &BulkAction) -> Vec<Effect> {
    if *action == BulkAction::Delete && !all_recoverable(state) {
        let refused = "a bulk delete needs a vault whose deletes can be recovered, and this one's \
                       cannot be (or its recovery level is not known): delete them one at a time \
                       with d, typing each name";
        state.report(Level::Error, refused);
        return Vec::new();
    }
    let rows: Vec<BulkRow> = state
        .list
        .marked_rows()
        .into_iter()
        .filter_map(|row| {
            let current = Snapshot::of_item(&row.item);
            let read = Expected::unchanged_item(&row.item);
            let (step, change) = action.step(&current, &read)?;
            let (step, status) = match refusal(state, &row.name, &step) {
                Some(why) => (None, RowStatus::Refused(why)),
                None => (Some(step), RowStatus::Waiting),
            };
            Some(BulkRow {
                name: row.name.clone(),
                change,
                step,
                status,
            })
        })
        .collect();
    if rows.is_empty() {
        state.report(
            Level::Info,
            "nothing to change: every marked secret is so already",
        );
        return Vec::new();
    }
    let title = format!(
        "{} {} secrets in {}",
        action.verb(),
        rows.len(),
        state.profile().name
    );
    show(state, title, rows);
    Vec::new()
}

fn show(state: &mut State, title: String, rows: Vec<BulkRow>) {
    state.overlay = Overlay::Bulk(Box::new(Bulk {
        title,
        rows,
        phase: BulkPhase::Review,
        scroll: 0,
    }));
}

/// The plan of copying the marked secrets arrived: its review, what is the same there left out.
pub(super) fn on_copy_planned(
    state: &mut State,
    target: usize,
    result: Result<Vec<Planned>, TaskError>,
) -> Vec<Effect> {
    let Some(profile) = state.profiles.get(target).cloned() else {
        return Vec::new();
    };
    let plan = match result {
        Ok(plan) => plan,
        Err(error) => {
            let message = format!("planning the copy to {}: {error}", profile.name);
            state.report(Level::Error, message);
            return Vec::new();
        }
    };
    let unchanged = plan.iter().filter(|p| p.step == Step::Unchanged).count();
    let rows: Vec<BulkRow> = plan
        .into_iter()
        .filter(|planned| planned.step != Step::Unchanged)
        .map(|planned| {
            let change = format!("{}: {}", planned.step.label(), planned.summary());
            let (step, status) = match (&planned.step, planned.entry.params()) {
                (Step::Refused(why), _) => (None, RowStatus::Refused(why.clone())),
                (_, Some(params)) => {
                    let step = BulkStep::Copy {
                        profile: Box::new(profile.clone()),
                        params: Box::new(params),
                        expected: planned.expected.clone(),
                    };
                    (Some(step), RowStatus::Waiting)
                }
                (_, None) => (None, RowStatus::Refused("no value".to_owned())),
            };
            BulkRow {
                name: planned.entry.name,
                change,
                step,
                status,
            }
        })
        .collect();
    if rows.is_empty() {
        let message = format!(
            "nothing to copy: {} holds every marked secret as it is here",
            profile.name
        );
        state.report(Level::Info, message);
        return Vec::new();
    }
    let title = format!(
        "Copy {} secrets to {} ({unchanged} the same there, left out)",
        rows.len(),
        profile.name
    );
    show(state, title, rows);
    Vec::new()
}

/// Why the profile's policy refuses `step`, of the parts it changes.
fn refusal(state: &State, name: &str, step: &BulkStep) -> Option<String> {
    let BulkStep::Update { params, .. } = step else {
        return None;
    };
    state.profile().check(name, params, state.now).err()
}

/// Whether every marked secret says its delete can be recovered.
fn all_recoverable(state: &State) -> bool {
    state.list.marked_rows().iter().all(|row| {
        row.item
            .attributes
            .as_ref()
            .and_then(|a| a.recovery_level.as_ref())
            .is_some_and(|level| level.is_recoverable())
    })
}

/// `x` with marks: disables them all when any is enabled, else enables them all.
pub(super) fn toggle_enabled(state: &mut State) -> Vec<Effect> {
    let any_enabled = state.list.marked_rows().iter().any(|row| row.enabled());
    open(state, &BulkAction::Enable(!any_enabled))
}

pub(super) fn action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Bulk(bulk) = &mut state.overlay else {
        return Vec::new();
    };
    match (bulk.phase, action) {
        (BulkPhase::Review, Action::Yes) => {
            bulk.phase = BulkPhase::Running;
            let effects = send_next(state);
            // Every row refused: nothing to await.
            if effects.is_empty() {
                finish(state);
            }
            return effects;
        }
        (BulkPhase::Running, Action::Back) => {
            bulk.phase = BulkPhase::Stopping;
            for row in &mut bulk.rows {
                if row.status == RowStatus::Waiting {
                    row.status = RowStatus::NotStarted;
                }
            }
            if bulk.in_flight() == 0 {
                finish(state);
            }
        }
        (BulkPhase::Review | BulkPhase::Finished, Action::Back | Action::Yes) => {
            state.overlay = Overlay::None;
        }
        (_, Action::Down) => bulk.scroll = bulk.scroll.saturating_add(1),
        (_, Action::Up) => bulk.scroll = bulk.scroll.saturating_sub(1),
        _ => {}
    }
    Vec::new()
}

/// Sends the next rows, up to the run's share in flight.
fn send_next(state: &mut State) -> Vec<Effect> {
    let next = match &state.overlay {
        Overlay::Bulk(bulk) => bulk.next_to_send(),
        _ => return Vec::new(),
    };
    let mut effects = Vec::new();
    for index in next {
        let Overlay::Bulk(bulk) = &state.overlay else {
            break;
        };
        let row = &bulk.rows[index];
        let Some(step) = row.step.clone() else {
            continue;
        };
        let name = row.name.clone();
        let ticket = state.begin_write(format!("{} {name}", bulk_verb(&step)));
        if let Overlay::Bulk(bulk) = &mut state.overlay {
            bulk.rows[index].status = RowStatus::Sending(ticket.request);
        }
        effects.push(Effect::BulkStep { ticket, name, step });
    }
    effects
}

fn bulk_verb(step: &BulkStep) -> &'static str {
    match step {
        BulkStep::Delete => "deleting",
        BulkStep::Update { .. } => "updating",
        BulkStep::Copy { .. } => "copying",
    }
}

/// One secret's write answered: its row says so, the list follows, and the next is sent.
pub(super) fn on_stepped(
    state: &mut State,
    ticket: Ticket,
    result: Result<Stepped, TaskError>,
) -> Vec<Effect> {
    let Overlay::Bulk(bulk) = &mut state.overlay else {
        return Vec::new();
    };
    let Some(row) = bulk
        .rows
        .iter_mut()
        .find(|row| row.status == RowStatus::Sending(ticket.request))
    else {
        return Vec::new();
    };
    let name = row.name.clone();
    let operation = match row.step {
        Some(BulkStep::Delete) => Operation::Delete,
        Some(BulkStep::Copy { .. }) => Operation::CopyOut,
        _ => Operation::UpdateAttributes,
    };
    let outcome = match result {
        Ok(stepped) => {
            row.status = RowStatus::Done;
            match stepped {
                Stepped::Updated(bundle) => state.list.upsert(bundle.to_item()),
                Stepped::Deleted => state.list.remove(&name),
                Stepped::Copied => {}
            }
            Ok("done (bulk)".to_owned())
        }
        Err(error) => {
            let message = error.to_string();
            row.status = RowStatus::Failed(message.clone());
            Err(message)
        }
    };
    record(state, operation, &name, outcome);
    let effects = send_next(state);
    if let Overlay::Bulk(bulk) = &state.overlay
        && bulk.in_flight() == 0
        && effects.is_empty()
    {
        finish(state);
    }
    let mut effects = effects;
    effects.extend(list::selection_changed(state));
    effects
}

/// The run ended, all sent or stopped: the summary goes to the status line and stays in the box.
fn finish(state: &mut State) {
    let Overlay::Bulk(bulk) = &mut state.overlay else {
        return;
    };
    bulk.phase = BulkPhase::Finished;
    let summary = bulk.summary();
    let (_, failed, _) = bulk.progress();
    let untouched = bulk.count(|s| *s == RowStatus::NotStarted);
    let level = if failed > 0 || untouched > 0 {
        Level::Error
    } else {
        Level::Success
    };
    state.report(level, summary);
}
