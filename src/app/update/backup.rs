//! Backups: a secret's backup blob written to a new file, and a secret restored from one.

use super::oplog::record;
use super::{Effect, bulk, list};
use crate::app::msg::TaskError;
use crate::state::dialogs::{FilePrompt, PromptPurpose};
use crate::state::{Level, Operation, Overlay, Prompt, State, Ticket};
use crate::vault::SecretBundle;
use std::path::PathBuf;

/// `b`: asks where to write the selected secret's backup.
pub(super) fn ask_path(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.list.selected_name().map(str::to_owned) else {
        state.report(Level::Error, "select a secret first");
        return Vec::new();
    };
    // A backup never overwrites a file: the time in the name keeps today's second backup from
    // colliding with the first.
    let initial = format!("./{name}-{}.kvbackup", stamp(state.now));
    state.overlay = Overlay::Prompt(Prompt::new(
        PromptPurpose::File(FilePrompt::BackupTo { name }),
        &initial,
    ));
    Vec::new()
}

/// `now` as a file name's part: `20270115-080000`.
fn stamp(now: i64) -> String {
    crate::when::format_rfc3339(now)
        .replace(['-', ':'], "")
        .replace('T', "-")
        .trim_end_matches('Z')
        .to_owned()
}

/// Asks for the backup file to restore.
pub(super) fn ask_restore(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Prompt(Prompt::new(
        PromptPurpose::File(FilePrompt::RestoreFrom),
        "",
    ));
    Vec::new()
}

/// How the status bar names the prompt's work while it runs.
pub(super) fn label(purpose: &FilePrompt) -> String {
    match purpose {
        FilePrompt::BackupTo { name } => format!("backing {name} up"),
        FilePrompt::RestoreFrom => "restoring a backup".to_owned(),
        FilePrompt::ExportTo { names, .. } => format!("exporting {} secrets", names.len()),
    }
}

/// The prompt's path was given.
pub(super) fn send(ticket: Ticket, purpose: FilePrompt, path: PathBuf) -> Effect {
    match purpose {
        FilePrompt::BackupTo { name } => Effect::Backup { ticket, name, path },
        FilePrompt::RestoreFrom => Effect::Restore { ticket, path },
        FilePrompt::ExportTo { names, values } => Effect::Export {
            ticket,
            names,
            values,
            path,
        },
    }
}

/// `E`: asks where to write the marked secrets, and whether with their values (no, at first).
pub(super) fn ask_export(state: &mut State) -> Vec<Effect> {
    if bulk::marks_missing(state) {
        return Vec::new();
    }
    let names = state.list.marked_names();
    let initial = format!(
        "./{}-secrets-{}.json",
        state.profile().name,
        stamp(state.now)
    );
    let purpose = FilePrompt::ExportTo {
        names,
        values: false,
    };
    state.overlay = Overlay::Prompt(Prompt::new(PromptPurpose::File(purpose), &initial));
    Vec::new()
}

pub(super) fn on_exported(
    state: &mut State,
    ticket: Ticket,
    result: Result<(usize, PathBuf), TaskError>,
) -> Vec<Effect> {
    let values = matches!(
        &state.overlay,
        Overlay::Prompt(Prompt {
            purpose: PromptPurpose::File(FilePrompt::ExportTo { values: true, .. }),
            ..
        })
    );
    match result.map_err(|error| error.to_string()) {
        Ok((count, path)) => {
            state.dialog_answered(ticket.request, Ok(()));
            let what = if values {
                "with values"
            } else {
                "metadata, no values"
            };
            let done = format!("Exported {count} secrets to {} ({what})", path.display());
            record(
                state,
                Operation::Export,
                &format!("{count} secrets"),
                Ok(path.display().to_string()),
            );
            state.report(Level::Success, done);
        }
        Err(error) => failed(state, ticket, &error),
    }
    Vec::new()
}

pub(super) fn on_backed_up(
    state: &mut State,
    ticket: Ticket,
    name: &str,
    result: Result<PathBuf, TaskError>,
) -> Vec<Effect> {
    let result = result
        .map(|path| path.display().to_string())
        .map_err(|error| error.to_string());
    record(state, Operation::Backup, name, result.clone());
    match result {
        Ok(path) => {
            state.dialog_answered(ticket.request, Ok(()));
            state.report(Level::Success, format!("Backed {name} up to {path}"));
        }
        Err(error) => failed(state, ticket, &error),
    }
    Vec::new()
}

pub(super) fn on_restored(
    state: &mut State,
    ticket: Ticket,
    result: Result<SecretBundle, TaskError>,
) -> Vec<Effect> {
    match result {
        Ok(bundle) => {
            let name = bundle.secret_id().map(|id| id.name).unwrap_or_default();
            let done = "restored with its versions".to_owned();
            record(state, Operation::Restore, &name, Ok(done));
            state.dialog_answered(ticket.request, Ok(()));
            state.report(Level::Success, format!("Restored {name}"));
            state.select_after_list = Some(name);
            list::list_secrets(state)
        }
        Err(error) => {
            let error = error.to_string();
            record(state, Operation::Restore, "", Err(error.clone()));
            failed(state, ticket, &error);
            Vec::new()
        }
    }
}

/// The prompt stays open with everything typed, and the error.
fn failed(state: &mut State, ticket: Ticket, error: &str) {
    state.dialog_answered(ticket.request, Err(error));
    state.report(Level::Error, error);
}
