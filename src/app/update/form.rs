//! The Set Secret form (and the attributes form): opening it, typing, the value sources, the
//! review before anything is sent, sending, and the answer — a 409 for a deleted name included,
//! recovered or purged from the form.

use super::attributes::version_label;
use super::oplog::record;
use super::{Effect, Origin, Resolve, details, dialogs, list};
use crate::app::msg::{TaskError, ValueSource};
use crate::keymap::{Action, Context};
use crate::state::form::{FormField, FormKind, Submit};
use crate::state::input::{single_line, text, type_into_line};
use crate::state::review::Snapshot;
use crate::state::{
    Level, Operation, Overlay, Pane, Review, SecretForm, State, Ticket, Versions, Write,
};
use crate::vault::stale::{self, Expected};
use crate::vault::{SecretBundle, SecretValue, VaultError, short_version};
use crossterm::event::KeyEvent;

/// `n`: the form for a new secret, its expiry the profile's default when it has one.
pub(super) fn open_new_secret(state: &mut State) -> Vec<Effect> {
    let mut form = SecretForm::new_secret();
    if let Some(default) = &state.profile().policy.default_expiry {
        form.expires = crate::state::input::single_line(default);
    }
    state.open_form(form);
    Vec::new()
}

/// The latest version of `name` as the details pane loaded it, if it did.
fn latest_loaded<'a>(state: &'a State, name: &str) -> Option<&'a SecretBundle> {
    state
        .details
        .latest
        .as_ref()
        .filter(|_| state.details.name.eq_ignore_ascii_case(name))
}

/// `e`: the form for a new version of the selected secret, its attributes carried over.
pub(super) fn open_new_version(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.list.selected() else {
        state.report(Level::Error, "select a secret first");
        return Vec::new();
    };
    // The latest version as loaded (every attribute), else what the list knows.
    let current = match &state.details.latest {
        Some(latest) if state.details.name == row.name => Snapshot::of_bundle(latest),
        _ => Snapshot::of_item(&row.item),
    };
    let mut form = SecretForm::new_version(&row.name, &current);
    form.started_from =
        latest_loaded(state, &row.name).map(|latest| stale::expecting(Some(latest)));
    state.open_form(form);
    Vec::new()
}

/// A key typed into the focused field (or the line a question asks for).
pub(super) fn input(state: &mut State, key: KeyEvent) {
    let Some(form) = state.form_mut() else {
        return;
    };
    if let Submit::ConfirmPurge { typed } | Submit::AskPath { input: typed, .. } = &mut form.submit
    {
        type_into_line(typed, key);
        return;
    }
    let on_value = form.focus == FormField::Value;
    if let Some(input) = form.focused_input()
        && input.input(key)
    {
        form.changed = true;
        if on_value {
            form.value_edited();
        }
    }
}

/// Pasted text into the focused field.
pub(super) fn paste(state: &mut State, pasted: &str) {
    let Some(form) = state.form_mut() else {
        return;
    };
    let multiline = form.focus == FormField::Value;
    if let Some(input) = form.focused_input() {
        if multiline {
            // Terminals send a pasted newline as CR (the Enter key's byte), inside bracketed
            // paste too: a pasted PEM is LF-separated lines again, its last newline kept.
            input.insert_str(pasted.replace("\r\n", "\n").replace('\r', "\n"));
        } else {
            input.insert_str(pasted.replace(['\r', '\n'], ""));
        }
        form.changed = true;
        if multiline {
            form.value_edited();
        }
    }
}

fn close(state: &mut State) {
    forget_field_problems(state);
    state.overlay = Overlay::None;
}

/// A form that was sent once may have left its problems on the status line: they go when the
/// fields are fixed or the form is closed, not at the next unrelated result.
fn forget_field_problems(state: &mut State) {
    if state.form().is_some_and(|form| form.attempted) {
        state.last_result = None;
    }
}

/// An action on the form, or on the question it asks.
pub(super) fn action(state: &mut State, action: Action) -> Vec<Effect> {
    let now = state.now;
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    match (&form.submit, action) {
        (Submit::ConfirmDiscard, Action::Yes) => close(state),
        (Submit::ConfirmDiscard, Action::No) => form.submit = Submit::Editing,
        (Submit::NameDeleted { .. }, Action::Back) => form.submit = Submit::Editing,
        (Submit::NameDeleted { .. }, Action::Recover) => {
            let name = form.name_text();
            return resolve_deleted(state, name, Operation::Recover);
        }
        (Submit::NameDeleted { .. }, Action::Purge) => {
            form.submit = Submit::ConfirmPurge {
                typed: Box::new(single_line("")),
            };
        }
        (Submit::ConfirmPurge { .. }, Action::No) => {
            let name = form.name_text();
            form.submit = Submit::NameDeleted {
                message: format!("{name} is deleted but recoverable."),
            };
        }
        (Submit::ConfirmPurge { typed }, Action::Yes) => {
            let name = form.name_text();
            if text(typed).trim() != name {
                state.report(Level::Error, format!("type {name} exactly to purge it"));
                return Vec::new();
            }
            return resolve_deleted(state, name, Operation::Purge);
        }
        (Submit::Review(_), Action::Yes) => return send_review(state),
        (Submit::Review(_), Action::Overwrite) => return overwrite(state),
        (Submit::Review(_), Action::Back) => form.submit = Submit::Editing,
        (Submit::Review(_), Action::ToggleReveal) => {
            if let Submit::Review(review) = &mut form.submit {
                review.reveal = !review.reveal;
            }
        }
        (Submit::Review(_), scroll) => {
            let page = crate::layout::help_page(state.size);
            if let Some(form) = state.form_mut()
                && let Submit::Review(review) = &mut form.submit
            {
                dialogs::scroll_review(review, scroll, page);
            }
        }
        (Submit::AskPath { input, .. }, Action::Yes) => {
            let path = text(input).trim().to_owned();
            if path.is_empty() {
                if let Submit::AskPath { error, .. } = &mut form.submit {
                    *error = Some("give a file path".into());
                }
                return Vec::new();
            }
            form.submit = Submit::Loading;
            return vec![Effect::ReadValueFile { path: path.into() }];
        }
        (Submit::AskPath { .. }, Action::Back) => form.submit = Submit::Editing,
        (Submit::AskPath { .. }, _) => {}
        (_, Action::Generate | Action::LoadFile | Action::EditInEditor) => {
            return value_source(state, action);
        }
        (_, Action::NextField) => form.focus_step(true),
        (_, Action::PreviousField) => form.focus_step(false),
        (_, Action::RevealValue) => {
            let reveal = !form.reveal;
            form.set_reveal(reveal);
        }
        (_, Action::AddTag) => form.add_tag(),
        (_, Action::RemoveTag) => form.remove_tag(),
        (_, Action::Toggle) => match form.focus {
            FormField::Enabled => {
                form.enabled = !form.enabled;
                form.changed = true;
            }
            FormField::GenAlphabet => form.alphabet = form.alphabet.next(),
            _ => {
                let on_value = form.focus == FormField::Value;
                if let Some(input) = form.focused_input() {
                    input.insert_char(' ');
                    form.changed = true;
                    if on_value {
                        form.value_edited();
                    }
                }
            }
        },
        (_, Action::Open) => match form.focus {
            FormField::Value => {
                form.value.insert_newline();
                form.changed = true;
                form.value_edited();
            }
            FormField::Enabled => {
                form.enabled = !form.enabled;
                form.changed = true;
            }
            FormField::Submit => return submit(state, now),
            FormField::GenAlphabet => form.alphabet = form.alphabet.next(),
            _ => form.focus_step(true),
        },
        (_, Action::Submit) => return submit(state, now),
        (_, Action::Back) => {
            if form.changed {
                form.submit = Submit::ConfirmDiscard;
            } else {
                close(state);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The form's name is soft-deleted: recover it (then the form goes on as a new version) or
/// purge it (then the form sets a new secret).
fn resolve_deleted(state: &mut State, name: String, operation: Operation) -> Vec<Effect> {
    let purge = operation == Operation::Purge;
    let verb = if purge { "purging" } else { "recovering" };
    let ticket = state.begin_write(format!("{verb} {name}"));
    if let Some(form) = state.form_mut() {
        form.submit = Submit::Resolving {
            request: ticket.request,
            purging: purge,
        };
    }
    vec![Effect::Resolve(Resolve {
        ticket,
        name,
        origin: Origin::Form,
        purge,
    })]
}

/// Form keys for the value sources: generate, a file, `$EDITOR`.
fn value_source(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    if form.edits_attributes() {
        state.report(Level::Error, "an attributes update does not write a value");
        return Vec::new();
    }
    match action {
        Action::Generate => match form.generate_length() {
            Ok(length) => {
                form.submit = Submit::Loading;
                vec![Effect::GenerateValue {
                    length,
                    alphabet: form.alphabet,
                }]
            }
            Err(problem) => {
                form.focus = FormField::GenLength;
                form.sync_cursors();
                state.report(Level::Error, problem);
                Vec::new()
            }
        },
        Action::LoadFile => {
            form.submit = Submit::AskPath {
                input: Box::new(single_line("")),
                error: None,
            };
            Vec::new()
        }
        Action::EditInEditor => {
            let value = form.value();
            form.submit = Submit::Loading;
            vec![Effect::EditValue { value }]
        }
        _ => Vec::new(),
    }
}

pub(super) fn on_value_ready(
    state: &mut State,
    source: ValueSource,
    result: Result<SecretValue, TaskError>,
) -> Vec<Effect> {
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    if !matches!(form.submit, Submit::Loading) {
        return Vec::new();
    }
    form.submit = Submit::Editing;
    match result {
        Ok(value) => {
            let length = value.len();
            form.set_value(&value);
            form.focus = FormField::Value;
            form.sync_cursors();
            state.report(Level::Success, format!("Value {source} ({length} bytes)"));
        }
        Err(error) => state.report(Level::Error, error.to_string()),
    }
    Vec::new()
}

/// Ctrl-s: check every field, then show what the write will change before anything is sent.
fn submit(state: &mut State, now: i64) -> Vec<Effect> {
    let Err(errors) = review(state, now) else {
        forget_field_problems(state);
        return Vec::new();
    };
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    let (field, problem) = errors[0].clone();
    form.attempted = true;
    // The "too many tags" error names a row past the end: focus the last tag instead.
    form.focus = if form.fields().contains(&field) {
        field
    } else {
        FormField::TagKey(form.tags.len().saturating_sub(1))
    };
    form.sync_cursors();
    let count = errors.len();
    state.report(
        Level::Error,
        format!(
            "{count} field{} to fix before submitting: {problem}",
            if count == 1 { "" } else { "s" }
        ),
    );
    Vec::new()
}

/// The form's review of what will change, built from what is known of the secret now.
pub(super) fn review(state: &mut State, now: i64) -> Result<(), Vec<(FormField, String)>> {
    let profile = state.profile().name.clone();
    let Some(form) = state.form() else {
        return Ok(());
    };
    let mut review = if let FormKind::EditAttributes { baseline, .. } = &form.kind {
        let (name, version, params) = form.to_update(now)?;
        let title = format!(
            "Update {name} ({}) in {profile}",
            version_label(version.as_deref())
        );
        let mut review = Review::of_update(title, baseline, name, version, params);
        review.expected = form.started_from.clone();
        review
    } else {
        let (name, params) = form.to_request(now)?;
        let row = state
            .list
            .rows
            .iter()
            .find(|row| row.name.eq_ignore_ascii_case(&name));
        let current = latest_loaded(state, &name);
        let before = form
            .baseline
            .clone()
            .or_else(|| current.map(Snapshot::of_bundle))
            .or_else(|| row.map(|row| Snapshot::of_item(&row.item)));
        let current_value = current.and_then(|bundle| bundle.value.clone());
        let kind = if before.is_some() {
            "a new version"
        } else {
            "a new secret"
        };
        let title = format!("Set {name} in {profile}: {kind}");
        // What the write must still replace when sent: the version the form opened on, else
        // the one it was reviewed against; a secret only listed has no known version.
        let expected = form.started_from.clone().or_else(|| match (current, row) {
            (Some(current), _) => Some(stale::expecting(Some(current))),
            (None, Some(_)) => None,
            (None, None) => Some(Expected::New),
        });
        let mut review =
            Review::of_set(title, before.as_ref(), current_value, (name, params), None);
        review.expected = expected;
        review
    };
    review.reveal = form.reveal;
    if let Some(form) = state.form_mut() {
        form.submit = Submit::Review(Box::new(review));
    }
    Ok(())
}

/// The form's review confirmed: send it, unless another write landed since and writing over
/// it was not asked for.
fn send_review(state: &mut State) -> Vec<Effect> {
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        return Vec::new();
    };
    if let Some(refusal) = dialogs::conflict_refusal(review, Context::FormReview) {
        state.report(Level::Error, refusal);
        return Vec::new();
    }
    let label = match &review.write {
        Write::Update { name, .. } => format!("updating {name}"),
        write => format!("setting {}", write.name()),
    };
    let ticket = state.begin_write(label);
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    let submitting = Submit::Submitting {
        request: ticket.request,
    };
    let Submit::Review(review) = std::mem::replace(&mut form.submit, submitting) else {
        return Vec::new();
    };
    vec![Effect::write(
        review.write,
        review.expected,
        ticket,
        &state.profiles,
    )]
}

/// `O` on a review that found another write: send it over that write.
fn overwrite(state: &mut State) -> Vec<Effect> {
    let Some(Submit::Review(review)) = state.form_mut().map(|form| &mut form.submit) else {
        return Vec::new();
    };
    if !review.take_conflict() {
        return Vec::new();
    }
    send_review(state)
}

pub(super) fn on_set(
    state: &mut State,
    ticket: Ticket,
    result: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    if !state.form().is_some_and(|form| form.awaits(ticket.request)) {
        return Vec::new();
    }
    match result {
        Ok(bundle) => set(state, &bundle),
        Err(error) => {
            let name = state.form().map(SecretForm::name_text).unwrap_or_default();
            let message = error.to_string();
            if let Some(form) = state.form_mut() {
                form.submit = if error.is_deleted_but_recoverable() {
                    Submit::NameDeleted {
                        message: format!(
                            "{name} is deleted but recoverable, so the name cannot be reused yet."
                        ),
                    }
                } else {
                    Submit::Failed {
                        message: message.clone(),
                    }
                };
            }
            record(state, Operation::Set, &name, Err(message.clone()));
            state.report(Level::Error, format!("Set {name} failed: {message}"));
            Vec::new()
        }
    }
}

/// Set Secret went through: the form closes, and the new version is selected in the history.
fn set(state: &mut State, bundle: &SecretBundle) -> Vec<Effect> {
    let id = bundle.secret_id();
    let name = id.as_ref().map(|id| id.name.clone()).unwrap_or_default();
    let version = id.and_then(|id| id.version).unwrap_or_default();
    close(state);
    state.list.upsert(bundle.to_item());
    state.list.select_name(&name);
    list::keep_cursor_visible(state);
    state.focus = Pane::Versions;
    state.reveal = false;
    state.details_scroll = 0;
    state.versions = Versions {
        name: name.clone(),
        select_when_loaded: Some(version.clone()),
        ..Versions::default()
    };
    let short = short_version(&version);
    record(
        state,
        Operation::Set,
        &name,
        Ok(format!("new version {short}")),
    );
    state.report(
        Level::Success,
        format!("Set {name}: new version {short} is current"),
    );
    let check = state.begin(format!("checking {name} after the write"));
    let mut effects = details::load_secret_and_versions(state, &name);
    effects.push(Effect::CheckOvertaken {
        ticket: check,
        name,
        made: bundle.clone(),
    });
    effects
}

/// A recover or purge asked from the form answered: the form goes on, as a new version of the
/// recovered secret or as a new secret.
pub(super) fn on_resolved(
    state: &mut State,
    asked: &Resolve,
    result: Result<Option<SecretBundle>, VaultError>,
) -> Vec<Effect> {
    let (name, operation) = (asked.name.as_str(), asked.operation());
    let ours = matches!(state.form(), Some(form) if matches!(form.submit, Submit::Resolving { request, .. } if request == asked.ticket.request));
    if !ours {
        return Vec::new();
    }
    let purged = operation == Operation::Purge;
    match result {
        Ok(recovered) => {
            let done = Ok("from the Set Secret form".into());
            record(state, operation, name, done);
            if let Some(form) = state.form_mut() {
                form.submit = Submit::Editing;
                form.focus = FormField::Submit;
                if let Some(bundle) = &recovered {
                    form.continue_as_version_of(name, &Snapshot::of_bundle(bundle));
                }
                form.sync_cursors();
            }
            let (done, next) = if purged {
                ("Purged", "set the new secret")
            } else {
                ("Recovered", "review the new version")
            };
            state.report(
                Level::Success,
                format!("{done} {name}; press Enter or Ctrl-s to {next}"),
            );
            if purged {
                Vec::new()
            } else {
                list::list_secrets(state)
            }
        }
        Err(error) => {
            record(state, operation, name, Err(error.to_string()));
            if let Some(form) = state.form_mut() {
                form.submit = Submit::NameDeleted {
                    message: error.to_string(),
                };
            }
            state.report(Level::Error, error.to_string());
            Vec::new()
        }
    }
}
