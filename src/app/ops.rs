//! The operator features on top of the core loop: attribute updates, delete / recover / purge,
//! the deleted view, version diffs and rollback, the clipboard, backups, the expiry overview,
//! copies between profiles, and the operations log. Pure like the rest of `update`.

use super::effect::Effect;
use super::update::{
    begin, begin_write, finish, load_secret_and_versions, refuse_if_read_only, report,
    selection_changed,
};
use crate::keymap::Action;
use crate::state::form::{FormField, SecretForm, Submit, text};
use crate::state::list::ExpiryBadge;
use crate::state::review::{Snapshot, ValueChange, changes, kept};
use crate::state::views::{ConfirmAction, ExpiryRow, PromptPurpose, VersionSide, Write};
use crate::state::{
    Confirm, DeletedView, ExpiryView, Level, OpRecord, Overlay, Pane, Prompt, Remote, Review,
    Screen, State, VersionDiff,
};
use crate::vault::{
    SecretAttributes, SecretBundle, SecretItem, SecretValue, SetSecretParameters,
    UpdateSecretParameters, VaultError, short_version as short,
};
use std::path::PathBuf;
use std::time::Duration;

/// Adds a line to the operations log. Only names and outcomes, never values.
pub fn record(
    state: &mut State,
    operation: &'static str,
    secret: &str,
    outcome: Result<String, String>,
) {
    record_in(state, None, operation, secret, outcome);
}

fn record_in(
    state: &mut State,
    profile: Option<&str>,
    operation: &'static str,
    secret: &str,
    outcome: Result<String, String>,
) {
    let profile = profile.map_or_else(|| state.profile().name.clone(), str::to_owned);
    let (ok, outcome) = match outcome {
        Ok(done) => (true, done),
        Err(error) => (false, error),
    };
    state.operations.push(OpRecord {
        at: state.now,
        profile,
        operation,
        secret: secret.to_owned(),
        ok,
        outcome,
    });
}

fn version_of(bundle: &SecretBundle) -> String {
    bundle
        .secret_id()
        .and_then(|id| id.version)
        .unwrap_or_default()
}

/// The version the keys act on: the one selected in the history when it has the keyboard,
/// otherwise the latest. With what is known of its attributes.
fn target_version(state: &State) -> Option<(String, Option<String>, Snapshot)> {
    let name = state.list.selected_name()?.to_owned();
    if state.focus == Pane::Versions && state.versions.name == name {
        let items = state.versions.items.loaded()?;
        let item = items.get(state.versions.cursor)?;
        let version = item.secret_id()?.version?;
        let latest = state.versions.current.as_deref() == Some(version.as_str());
        let snapshot = match state.details.bundle.loaded() {
            Some(bundle) if version_of(bundle) == version => Snapshot::of_bundle(bundle),
            _ => Snapshot::of_item(item),
        };
        return Some((name, (!latest).then_some(version), snapshot));
    }
    let snapshot = match state.details.bundle.loaded() {
        Some(bundle) if state.details.name == name && state.details.version.is_none() => {
            Snapshot::of_bundle(bundle)
        }
        _ => Snapshot::of_item(&state.list.selected()?.item),
    };
    Some((name, None, snapshot))
}

fn version_label(version: Option<&str>) -> String {
    version.map_or_else(|| "latest".to_owned(), |v| format!("version {}", short(v)))
}

/// Keys on the main screen for the operator features; `None` when the action is not one.
pub fn main_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    Some(match action {
        Action::ShowDeleted => show_deleted(state),
        Action::ShowExpiry => show_expiry(state),
        Action::ShowOperations => {
            state.screen = Screen::Operations;
            state.operations_back = 0;
            Vec::new()
        }
        Action::EditAttributes => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            match target_version(state) {
                Some((name, version, snapshot)) => {
                    state.overlay = Overlay::Form(Box::new(SecretForm::edit_attributes(
                        &name, version, snapshot,
                    )));
                }
                None => report(state, Level::Error, "select a secret first"),
            }
            Vec::new()
        }
        Action::ToggleEnabled => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            let Some((name, version, snapshot)) = target_version(state) else {
                report(state, Level::Error, "select a secret first");
                return Some(Vec::new());
            };
            let params = UpdateSecretParameters {
                attributes: Some(SecretAttributes {
                    enabled: Some(!snapshot.enabled),
                    ..SecretAttributes::default()
                }),
                ..UpdateSecretParameters::default()
            };
            let after = snapshot.patched(&params);
            let verb = if after.enabled { "Enable" } else { "Disable" };
            state.overlay = Overlay::Review(Box::new(Review {
                title: format!(
                    "{verb} {name} ({}) in {}",
                    version_label(version.as_deref()),
                    state.profile().name
                ),
                changes: changes(Some(&snapshot), &after),
                kept: kept(Some(&snapshot), &after),
                value: ValueChange::NotWritten,
                current_value: None,
                write: Write::Update {
                    name,
                    version,
                    params,
                },
                reveal: false,
                pending: None,
                error: None,
                scroll: 0,
            }));
            Vec::new()
        }
        Action::Delete => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            let Some(row) = state.list.selected() else {
                report(state, Level::Error, "select a secret first");
                return Some(Vec::new());
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
        Action::CopyValue => {
            let copied = state.details.bundle.loaded().and_then(|bundle| {
                let value = bundle.value.clone()?;
                Some((value, version_of(bundle)))
            });
            match copied {
                Some((value, version)) => {
                    let what = format!(
                        "the value of {} (version {})",
                        state.details.name,
                        short(&version)
                    );
                    return Some(copy_to_clipboard(state, value, what));
                }
                None => report(
                    state,
                    Level::Error,
                    "no value loaded to copy: select a secret (a disabled version has none)",
                ),
            }
            Vec::new()
        }
        Action::CopyId => {
            let id = state
                .details
                .bundle
                .loaded()
                .and_then(|bundle| bundle.id.clone())
                .or_else(|| state.list.selected().and_then(|row| row.item.id.clone()));
            match id {
                Some(id) => {
                    let what = format!("the id {id}");
                    return Some(copy_to_clipboard(state, SecretValue::new(id), what));
                }
                None => report(state, Level::Error, "select a secret first"),
            }
            Vec::new()
        }
        Action::CopyToProfile => {
            if state.list.selected().is_none() {
                report(state, Level::Error, "select a secret first");
            } else if state.profiles.len() < 2 {
                report(
                    state,
                    Level::Error,
                    "there is no other profile to copy to: add one to config.toml",
                );
            } else {
                let cursor = usize::from(state.active_profile == 0);
                state.overlay = Overlay::CopyTarget { cursor };
            }
            Vec::new()
        }
        Action::Backup => {
            match state.list.selected_name().map(str::to_owned) {
                Some(name) => {
                    // A backup never overwrites a file: the time in the name keeps today's
                    // second backup from colliding with the first.
                    let stamp = crate::when::format_rfc3339(state.now)
                        .replace(['-', ':'], "")
                        .replace('T', "-")
                        .trim_end_matches('Z')
                        .to_owned();
                    let initial = format!("./{name}-{stamp}.kvbackup");
                    state.overlay =
                        Overlay::Prompt(Prompt::new(PromptPurpose::BackupTo { name }, &initial));
                }
                None => report(state, Level::Error, "select a secret first"),
            }
            Vec::new()
        }
        Action::Restore => {
            if !refuse_if_read_only(state) {
                state.overlay = Overlay::Prompt(Prompt::new(PromptPurpose::RestoreFrom, ""));
            }
            Vec::new()
        }
        Action::Rollback => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            rollback(state);
            Vec::new()
        }
        Action::MarkVersion => {
            let selected = state.versions.selected_version();
            state.versions.marked = if state.versions.marked == selected {
                None
            } else {
                selected
            };
            Vec::new()
        }
        Action::DiffVersions => diff_versions(state),
        _ => return None,
    })
}

fn copy_to_clipboard(state: &mut State, text: SecretValue, what: String) -> Vec<Effect> {
    state.clipboard_copy += 1;
    let clear_after = state.clipboard_clear.map(Duration::from_secs);
    let clears = match state.clipboard_clear {
        Some(seconds) => format!("; cleared in {seconds} s"),
        None => String::new(),
    };
    let secret = state.details.name.clone();
    record(state, "copy to clipboard", &secret, Ok(what.clone()));
    report(
        state,
        Level::Success,
        format!("Copied {what} to the clipboard{clears}"),
    );
    vec![Effect::Clipboard {
        text,
        copy: state.clipboard_copy,
        clear_after,
    }]
}

fn rollback(state: &mut State) {
    let Some(version) = state.versions.selected_version() else {
        report(state, Level::Error, "select a version in the history first");
        return;
    };
    let name = state.versions.name.clone();
    let loaded = match &state.details.bundle {
        Remote::Loaded(bundle) if version_of(bundle) == version => bundle,
        Remote::Failed(_) => {
            report(
                state,
                Level::Error,
                format!(
                    "version {} cannot be read (disabled?): enable it with x first",
                    short(&version)
                ),
            );
            return;
        }
        _ => {
            report(state, Level::Info, "the version is still loading…");
            return;
        }
    };
    let Some(value) = &loaded.value else {
        report(state, Level::Error, "that version has no value to copy");
        return;
    };
    let current = state.details.latest.as_ref().map(Snapshot::of_bundle);
    let form =
        SecretForm::from_version(&name, value, &Snapshot::of_bundle(loaded), current.as_ref());
    state.overlay = Overlay::Form(Box::new(form));
    report(
        state,
        Level::Info,
        format!(
            "New version of {name} from version {}: review and Ctrl-s",
            short(&version)
        ),
    );
}

fn diff_versions(state: &mut State) -> Vec<Effect> {
    let Some(selected) = state.versions.selected_version() else {
        report(state, Level::Error, "select a version in the history first");
        return Vec::new();
    };
    let Some(other) = state
        .versions
        .marked
        .clone()
        .or_else(|| state.versions.current.clone())
    else {
        report(state, Level::Error, "mark a version with m first");
        return Vec::new();
    };
    if other == selected {
        report(
            state,
            Level::Error,
            "that is the same version: mark another one with m, then press = on this one",
        );
        return Vec::new();
    }
    let position = |version: &str| {
        state.versions.items.loaded().and_then(|items| {
            items.iter().position(|item| {
                item.secret_id().and_then(|id| id.version).as_deref() == Some(version)
            })
        })
    };
    // The history is newest first: the larger position is the older version.
    let (older, newer) = if position(&selected) > position(&other) {
        (selected, other)
    } else {
        (other, selected)
    };
    let name = state.versions.name.clone();
    let request = begin(state, format!("loading two versions of {name}"));
    state.overlay = Overlay::Diff(Box::new(VersionDiff {
        name: name.clone(),
        older: older.clone(),
        newer: newer.clone(),
        request,
        bundles: Remote::Loading,
        reveal: false,
        scroll: 0,
    }));
    vec![Effect::LoadPair {
        generation: state.generation,
        request,
        name,
        older,
        newer,
    }]
}

fn show_deleted(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Deleted;
    list_deleted(state)
}

fn list_deleted(state: &mut State) -> Vec<Effect> {
    if state.connection.loaded().is_none() {
        report(state, Level::Error, "not connected to a vault yet");
        return Vec::new();
    }
    let request = begin(state, "listing deleted secrets".into());
    state.deleted = DeletedView {
        request,
        items: Remote::Loading,
        cursor: 0,
    };
    vec![Effect::ListDeleted {
        generation: state.generation,
        request,
    }]
}

fn show_expiry(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Expiry;
    let request = begin(
        state,
        format!("scanning {} profiles for expiry", state.profiles.len()),
    );
    state.expiry = ExpiryView {
        request,
        pending: state.profiles.len(),
        ..ExpiryView::default()
    };
    vec![Effect::ScanExpiry {
        generation: state.generation,
        request,
        profiles: state.profiles.iter().cloned().enumerate().collect(),
    }]
}

/// Keys on the deleted, expiry and operations views.
pub fn screen_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let screen = state.screen;
    Some(match (screen, action) {
        (Screen::Secrets, _) => return None,
        (_, Action::Back) => {
            state.screen = Screen::Secrets;
            Vec::new()
        }
        (Screen::Deleted, Action::Up | Action::Down) => {
            let count = state.deleted.items.loaded().map_or(0, Vec::len);
            state.deleted.cursor = step(state.deleted.cursor, count, action);
            Vec::new()
        }
        (Screen::Expiry, Action::Up | Action::Down) => {
            state.expiry.cursor = step(state.expiry.cursor, state.expiry.rows.len(), action);
            Vec::new()
        }
        (Screen::Operations, Action::Up | Action::Down) => {
            // The log reads like one: newest at the bottom, k goes back in time.
            let oldest = state.operations.len().saturating_sub(1);
            state.operations_back = match action {
                Action::Up => (state.operations_back + 1).min(oldest),
                _ => state.operations_back.saturating_sub(1),
            };
            Vec::new()
        }
        (Screen::Deleted, Action::Refresh) => list_deleted(state),
        (Screen::Expiry, Action::Refresh) => show_expiry(state),
        (Screen::Deleted, Action::Recover) => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            let Some(name) = state.deleted.selected_name() else {
                return Some(Vec::new());
            };
            let request = begin_write(state, format!("recovering {name}"));
            vec![Effect::RecoverDeleted {
                generation: state.generation,
                request,
                name,
            }]
        }
        (Screen::Deleted, Action::Purge) => {
            if refuse_if_read_only(state) {
                return Some(Vec::new());
            }
            let Some(item) = state
                .deleted
                .items
                .loaded()
                .and_then(|items| items.get(state.deleted.cursor))
            else {
                return Some(Vec::new());
            };
            let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
            let level = item
                .item
                .attributes
                .as_ref()
                .and_then(|a| a.recovery_level.clone());
            match level {
                Some(level) if !level.allows_purge() => report(
                    state,
                    Level::Error,
                    format!(
                        "this vault's recovery level {level} does not allow purge: {name} goes at its scheduled date"
                    ),
                ),
                _ => state.overlay = Overlay::Confirm(Confirm::new(ConfirmAction::Purge { name })),
            }
            Vec::new()
        }
        (Screen::Expiry, Action::Open) => jump_to_expiring(state),
        _ => return None,
    })
}

fn step(cursor: usize, count: usize, action: Action) -> usize {
    match action {
        Action::Up => cursor.saturating_sub(1),
        _ => (cursor + 1).min(count.saturating_sub(1)),
    }
}

fn jump_to_expiring(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.expiry.rows.get(state.expiry.cursor).cloned() else {
        return Vec::new();
    };
    state.screen = Screen::Secrets;
    state.focus = Pane::Secrets;
    if !state.list.query.is_empty() {
        state.list.set_query(String::new());
    }
    if row.profile != state.active_profile {
        state.select_after_list = Some(row.name);
        return super::update::open_profile(state, row.profile);
    }
    if state.list.select_name(&row.name) {
        selection_changed(state)
    } else {
        report(
            state,
            Level::Error,
            format!("{} is not in the list any more", row.name),
        );
        Vec::new()
    }
}

/// Registers the open confirmation's or prompt's request: the dialog then waits for it, its
/// earlier error gone.
fn begin_dialog_request(state: &mut State, label: String) -> u64 {
    let request = begin_write(state, label);
    let (pending, error) = match &mut state.overlay {
        Overlay::Confirm(confirm) => (&mut confirm.pending, &mut confirm.error),
        Overlay::Prompt(prompt) => (&mut prompt.pending, &mut prompt.error),
        _ => return request,
    };
    *pending = Some(request);
    *error = None;
    request
}

/// Keys on the review, confirmation, prompt, diff and copy-target overlays.
pub fn overlay_action(state: &mut State, action: Action) -> Vec<Effect> {
    let generation = state.generation;
    match &mut state.overlay {
        Overlay::Review(review) => {
            if review.pending.is_some() {
                report(state, Level::Info, "waiting for the vault to answer…");
                return Vec::new();
            }
            match action {
                Action::ToggleReveal => review.reveal = !review.reveal,
                Action::Back => state.overlay = Overlay::None,
                Action::Yes => return send_review(state),
                scroll => {
                    review.scroll_by(scroll, crate::layout::help_page(state.size));
                }
            }
            Vec::new()
        }
        Overlay::Confirm(confirm) => {
            if confirm.pending.is_some() {
                return Vec::new();
            }
            match action {
                Action::No => state.overlay = Overlay::None,
                Action::Yes => {
                    let name = confirm.name().to_owned();
                    if let Some(typed) = &confirm.typed
                        && text(typed).trim() != name
                    {
                        confirm.error = Some(format!("type {name} exactly to go ahead"));
                        return Vec::new();
                    }
                    let purge = matches!(confirm.action, ConfirmAction::Purge { .. });
                    let label = if purge { "purging" } else { "deleting" };
                    let request = begin_dialog_request(state, format!("{label} {name}"));
                    return vec![if purge {
                        Effect::PurgeDeleted {
                            generation,
                            request,
                            name,
                        }
                    } else {
                        Effect::DeleteSecret {
                            generation,
                            request,
                            name,
                        }
                    }];
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::Prompt(prompt) => {
            if prompt.pending.is_some() {
                return Vec::new();
            }
            match action {
                Action::No => state.overlay = Overlay::None,
                Action::Yes => {
                    let raw = text(&prompt.input).trim().to_owned();
                    if raw.is_empty() {
                        prompt.error = Some("give a file path".into());
                        return Vec::new();
                    }
                    let path = PathBuf::from(raw);
                    let purpose = prompt.purpose.clone();
                    let label = match &purpose {
                        PromptPurpose::BackupTo { name } => format!("backing {name} up"),
                        PromptPurpose::RestoreFrom => "restoring a backup".to_owned(),
                    };
                    let request = begin_dialog_request(state, label);
                    return vec![match purpose {
                        PromptPurpose::BackupTo { name } => Effect::Backup {
                            generation,
                            request,
                            name,
                            path,
                        },
                        PromptPurpose::RestoreFrom => Effect::Restore {
                            generation,
                            request,
                            path,
                        },
                    }];
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::Diff(diff) => {
            match action {
                Action::ToggleReveal => diff.reveal = !diff.reveal,
                Action::Down => diff.scroll = diff.scroll.saturating_add(1).min(500),
                Action::Up => diff.scroll = diff.scroll.saturating_sub(1),
                Action::Back => state.overlay = Overlay::None,
                _ => {}
            }
            Vec::new()
        }
        Overlay::CopyTarget { cursor } => {
            let cursor = *cursor;
            let others: Vec<usize> = (0..state.profiles.len())
                .filter(|&index| index != state.active_profile)
                .collect();
            let at = others.iter().position(|&i| i == cursor).unwrap_or(0);
            match action {
                Action::Up => {
                    state.overlay = Overlay::CopyTarget {
                        cursor: others[at.saturating_sub(1)],
                    }
                }
                Action::Down => {
                    state.overlay = Overlay::CopyTarget {
                        cursor: others[(at + 1).min(others.len() - 1)],
                    }
                }
                Action::Back => state.overlay = Overlay::None,
                Action::Open => return prepare_copy(state, cursor),
                _ => {}
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn prepare_copy(state: &mut State, target: usize) -> Vec<Effect> {
    let profile = state.profiles[target].clone();
    if profile.read_only {
        report(
            state,
            Level::Error,
            format!(
                "profile {} is read-only: nothing can be copied into it",
                profile.name
            ),
        );
        return Vec::new();
    }
    let Some(name) = state.list.selected_name().map(str::to_owned) else {
        return Vec::new();
    };
    state.overlay = Overlay::None;
    let request = begin(
        state,
        format!("preparing to copy {name} to {}", profile.name),
    );
    vec![Effect::PrepareCopy {
        generation: state.generation,
        request,
        name,
        target,
        profile,
    }]
}

fn send_review(state: &mut State) -> Vec<Effect> {
    let generation = state.generation;
    let label = match &state.overlay {
        Overlay::Review(review) => match &review.write {
            Write::Copy { name, target, .. } => {
                format!("copying {name} to {}", state.profiles[*target].name)
            }
            write => format!("updating {}", write.name()),
        },
        _ => return Vec::new(),
    };
    let request = begin_write(state, label);
    let Overlay::Review(review) = &mut state.overlay else {
        return Vec::new();
    };
    review.pending = Some(request);
    review.error = None;
    match &review.write {
        Write::Update {
            name,
            version,
            params,
        } => vec![Effect::UpdateSecret {
            generation,
            request,
            name: name.clone(),
            version: version.clone(),
            params: params.clone(),
        }],
        Write::Copy {
            target,
            name,
            params,
        } => vec![Effect::CopyToProfile {
            generation,
            request,
            profile: state.profiles[*target].clone(),
            name: name.clone(),
            params: params.clone(),
        }],
        Write::Set { name, params } => vec![Effect::SetSecret {
            generation,
            request,
            name: name.clone(),
            params: params.clone(),
        }],
    }
}

/// The form's Ctrl-s: a review of what will change, built from what is known of the secret now.
pub fn review_form(state: &mut State, now: i64) -> Result<(), Vec<(FormField, String)>> {
    let profile = state.profile().name.clone();
    let Some(form) = state.form() else {
        return Ok(());
    };
    let review = if form.edits_attributes() {
        let (name, version, params) = form.to_update(now)?;
        let crate::state::form::FormKind::EditAttributes { baseline, .. } = &form.kind else {
            return Ok(());
        };
        let after = baseline.patched(&params);
        Review {
            title: format!(
                "Update {name} ({}) in {profile}",
                version_label(version.as_deref())
            ),
            changes: changes(Some(baseline), &after),
            kept: kept(Some(baseline), &after),
            value: ValueChange::NotWritten,
            current_value: None,
            write: Write::Update {
                name,
                version,
                params,
            },
            reveal: form.reveal,
            pending: None,
            error: None,
            scroll: 0,
        }
    } else {
        let (name, params) = form.to_request(now)?;
        let row = state
            .list
            .rows
            .iter()
            .find(|row| row.name.eq_ignore_ascii_case(&name));
        let current = state
            .details
            .latest
            .as_ref()
            .filter(|_| state.details.name.eq_ignore_ascii_case(&name));
        let before = form
            .baseline
            .clone()
            .or_else(|| current.map(Snapshot::of_bundle))
            .or_else(|| row.map(|row| Snapshot::of_item(&row.item)));
        let current_value = current.and_then(|bundle| bundle.value.clone());
        let value = match (&before, &current_value) {
            (None, _) => ValueChange::New,
            (Some(_), current) => ValueChange::compare(current.as_ref(), &params.value),
        };
        let kind = if before.is_some() {
            "a new version"
        } else {
            "a new secret"
        };
        Review {
            title: format!("Set {name} in {profile}: {kind}"),
            changes: changes(before.as_ref(), &Snapshot::of_set(&params)),
            kept: kept(before.as_ref(), &Snapshot::of_set(&params)),
            value,
            current_value,
            write: Write::Set { name, params },
            reveal: form.reveal,
            pending: None,
            error: None,
            scroll: 0,
        }
    };
    if let Some(form) = state.form_mut() {
        form.submit = Submit::Review(Box::new(review));
    }
    Ok(())
}

/// The form's review confirmed: send it.
pub fn send_form_review(state: &mut State) -> Vec<Effect> {
    let generation = state.generation;
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        return Vec::new();
    };
    let (label, name) = match &review.write {
        Write::Update { name, .. } => (format!("updating {name}"), name.clone()),
        write => (format!("setting {}", write.name()), write.name().to_owned()),
    };
    let request = begin_write(state, label);
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    let Submit::Review(review) =
        std::mem::replace(&mut form.submit, Submit::Submitting { request })
    else {
        return Vec::new();
    };
    match review.write {
        Write::Update {
            version, params, ..
        } => vec![Effect::UpdateSecret {
            generation,
            request,
            name,
            version,
            params,
        }],
        Write::Set { params, .. } | Write::Copy { params, .. } => vec![Effect::SetSecret {
            generation,
            request,
            name,
            params,
        }],
    }
}

pub fn on_updated(
    state: &mut State,
    generation: u64,
    request: u64,
    result: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    finish(state, request);
    if generation != state.generation {
        return Vec::new();
    }
    let in_form = state.form().is_some_and(|form| form.awaits(request));
    let in_review =
        matches!(&state.overlay, Overlay::Review(review) if review.pending == Some(request));
    if !in_form && !in_review {
        return Vec::new();
    }
    // Which version was asked for: `None`, the latest, whose attributes the list row shows.
    let asked = match &state.overlay {
        Overlay::Review(review) => match &review.write {
            Write::Update { version, .. } => version.clone(),
            _ => None,
        },
        Overlay::Form(form) => match &form.kind {
            crate::state::form::FormKind::EditAttributes { version, .. } => version.clone(),
            _ => None,
        },
        _ => None,
    };
    match result {
        Ok(bundle) => {
            let name = bundle.secret_id().map(|id| id.name).unwrap_or_default();
            let version = version_of(&bundle);
            state.overlay = Overlay::None;
            record(
                state,
                "update attributes",
                &name,
                Ok(format!("version {}", short(&version))),
            );
            report(
                state,
                Level::Success,
                format!(
                    "Updated the attributes of {name} version {}",
                    short(&version)
                ),
            );
            // The list row shows the latest version: it changes with it, even when the history
            // had not loaded yet (so the latest's id was not known).
            if asked.is_none() || state.versions.current.as_deref() == Some(version.as_str()) {
                state.list.upsert(SecretItem {
                    id: Some(format!(
                        "{}/secrets/{name}",
                        bundle
                            .id
                            .as_deref()
                            .and_then(|id| id.split("/secrets/").next())
                            .unwrap_or_default()
                    )),
                    attributes: bundle.attributes.clone(),
                    tags: bundle.tags.clone(),
                    content_type: bundle.content_type.clone(),
                    managed: bundle.managed,
                });
            }
            let selected_version = state.versions.selected_version();
            let mut effects = load_secret_and_versions(state, &name);
            state.versions.select_when_loaded = selected_version;
            if state.focus == Pane::Versions
                && state.versions.select_when_loaded.as_deref() != state.versions.current.as_deref()
            {
                effects.retain(|effect| !matches!(effect, Effect::LoadSecret { .. }));
                effects.push(super::update::load_details_effect(
                    state,
                    &name,
                    Some(version),
                ));
            }
            effects
        }
        Err(error) => {
            let message = error.to_string();
            let name = match &state.overlay {
                Overlay::Review(review) => review.write.name().to_owned(),
                _ => state.form().map(SecretForm::name_text).unwrap_or_default(),
            };
            record(state, "update attributes", &name, Err(message.clone()));
            match &mut state.overlay {
                Overlay::Review(review) => {
                    review.pending = None;
                    review.error = Some(message.clone());
                }
                Overlay::Form(form) => {
                    form.submit = Submit::Failed {
                        message: message.clone(),
                    }
                }
                _ => {}
            }
            report(
                state,
                Level::Error,
                format!("Update of {name} failed: {message}"),
            );
            Vec::new()
        }
    }
}

pub fn on_deleted(
    state: &mut State,
    generation: u64,
    request: u64,
    name: String,
    result: Result<crate::vault::DeletedSecretBundle, VaultError>,
) -> Vec<Effect> {
    finish(state, request);
    if generation != state.generation {
        return Vec::new();
    }
    match result {
        Ok(deleted) => {
            if matches!(&state.overlay, Overlay::Confirm(c) if c.pending == Some(request)) {
                state.overlay = Overlay::None;
            }
            let outcome = match deleted.deletion.scheduled_purge_date {
                Some(purge) => format!(
                    "recoverable until {} (D shows deleted secrets)",
                    crate::when::format_utc(purge)
                ),
                None => "deleted for good".to_owned(),
            };
            record(state, "delete", &name, Ok(outcome.clone()));
            report(state, Level::Success, format!("Deleted {name}: {outcome}"));
            state.list.remove(&name);
            state.details = Default::default();
            state.versions = Default::default();
            state.focus = Pane::Secrets;
            selection_changed(state)
        }
        Err(error) => {
            let message = error.to_string();
            record(state, "delete", &name, Err(message.clone()));
            if let Overlay::Confirm(confirm) = &mut state.overlay
                && confirm.pending == Some(request)
            {
                confirm.pending = None;
                confirm.error = Some(message.clone());
            }
            report(
                state,
                Level::Error,
                format!("Delete of {name} failed: {message}"),
            );
            Vec::new()
        }
    }
}

pub fn on_deleted_listed(
    state: &mut State,
    generation: u64,
    request: u64,
    result: Result<Vec<crate::vault::DeletedSecretItem>, VaultError>,
) {
    finish(state, request);
    if generation != state.generation || request != state.deleted.request {
        return;
    }
    state.deleted.items = match result {
        Ok(items) => {
            let count = items.len();
            report(
                state,
                Level::Info,
                format!("{count} deleted secrets in {}", state.profile().name),
            );
            Remote::Loaded(items)
        }
        Err(error) => Remote::Failed(error.to_string()),
    };
    state.deleted.cursor = 0;
}

pub fn on_deleted_handled(
    state: &mut State,
    generation: u64,
    request: u64,
    name: String,
    purged: bool,
    result: Result<(), VaultError>,
) -> Vec<Effect> {
    finish(state, request);
    if generation != state.generation {
        return Vec::new();
    }
    let operation = if purged { "purge" } else { "recover" };
    let confirming = matches!(&state.overlay, Overlay::Confirm(c) if c.pending == Some(request));
    match result {
        Ok(()) => {
            if confirming {
                state.overlay = Overlay::None;
            }
            record(state, operation, &name, Ok("done".into()));
            if let Remote::Loaded(items) = &mut state.deleted.items {
                items.retain(|item| {
                    item.item
                        .secret_id()
                        .is_none_or(|id| !id.name.eq_ignore_ascii_case(&name))
                });
                state.deleted.cursor = state.deleted.cursor.min(items.len().saturating_sub(1));
            }
            if purged {
                report(state, Level::Success, format!("Purged {name} for good"));
                Vec::new()
            } else {
                report(
                    state,
                    Level::Success,
                    format!("Recovered {name} with all its versions"),
                );
                super::update::list_secrets(state)
            }
        }
        Err(error) => {
            let message = error.to_string();
            record(state, operation, &name, Err(message.clone()));
            if let Overlay::Confirm(confirm) = &mut state.overlay
                && confirming
            {
                confirm.pending = None;
                confirm.error = Some(message.clone());
            }
            report(
                state,
                Level::Error,
                format!("{operation} of {name} failed: {message}"),
            );
            Vec::new()
        }
    }
}

pub fn on_pair(
    state: &mut State,
    generation: u64,
    request: u64,
    older: Result<SecretBundle, VaultError>,
    newer: Result<SecretBundle, VaultError>,
) {
    finish(state, request);
    if generation != state.generation {
        return;
    }
    let side = |result: Result<SecretBundle, VaultError>| match result {
        Ok(bundle) => VersionSide {
            bundle: Some(bundle),
            error: None,
        },
        Err(error) if error.status() == Some(403) => VersionSide {
            bundle: None,
            error: Some("disabled: its value and attributes cannot be read".into()),
        },
        Err(error) => VersionSide {
            bundle: None,
            error: Some(error.to_string()),
        },
    };
    if let Overlay::Diff(diff) = &mut state.overlay
        && diff.request == request
    {
        diff.bundles = Remote::Loaded((side(older), side(newer)));
    }
}

pub fn on_value_ready(
    state: &mut State,
    source: &'static str,
    result: Result<SecretValue, String>,
) {
    let Some(form) = state.form_mut() else {
        return;
    };
    if !matches!(form.submit, Submit::Loading) {
        return;
    }
    form.submit = Submit::Editing;
    match result {
        Ok(value) => {
            let length = value.len();
            form.set_value(&value);
            form.focus = FormField::Value;
            form.sync_cursors();
            report(
                state,
                Level::Success,
                format!("Value {source} ({length} bytes)"),
            );
        }
        Err(error) => report(state, Level::Error, error),
    }
}

/// Form keys for the value sources: generate, a file, `$EDITOR`.
pub fn value_source(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(form) = state.form_mut() else {
        return Vec::new();
    };
    if form.edits_attributes() {
        report(
            state,
            Level::Error,
            "an attributes update does not write a value",
        );
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
                report(state, Level::Error, problem);
                Vec::new()
            }
        },
        Action::LoadFile => {
            form.submit = Submit::AskPath {
                input: Box::new(crate::state::form::single_line("")),
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

pub fn on_backed_up(
    state: &mut State,
    generation: u64,
    request: u64,
    name: String,
    result: Result<String, String>,
) {
    finish(state, request);
    if generation != state.generation {
        return;
    }
    record(state, "backup", &name, result.clone());
    match result {
        Ok(path) => {
            state.overlay = Overlay::None;
            report(state, Level::Success, format!("Backed {name} up to {path}"));
        }
        Err(error) => prompt_failed(state, request, error),
    }
}

fn prompt_failed(state: &mut State, request: u64, error: String) {
    if let Overlay::Prompt(prompt) = &mut state.overlay
        && prompt.pending == Some(request)
    {
        prompt.pending = None;
        prompt.error = Some(error.clone());
    }
    report(state, Level::Error, error);
}

pub fn on_restored(
    state: &mut State,
    generation: u64,
    request: u64,
    result: Result<SecretBundle, String>,
) -> Vec<Effect> {
    finish(state, request);
    if generation != state.generation {
        return Vec::new();
    }
    match result {
        Ok(bundle) => {
            let name = bundle.secret_id().map(|id| id.name).unwrap_or_default();
            record(
                state,
                "restore",
                &name,
                Ok("restored with its versions".into()),
            );
            state.overlay = Overlay::None;
            report(state, Level::Success, format!("Restored {name}"));
            state.select_after_list = Some(name);
            super::update::list_secrets(state)
        }
        Err(error) => {
            record(state, "restore", "", Err(error.clone()));
            prompt_failed(state, request, error);
            Vec::new()
        }
    }
}

pub fn on_expiry_scanned(
    state: &mut State,
    generation: u64,
    request: u64,
    profile: usize,
    result: Result<Vec<SecretItem>, String>,
) {
    if generation != state.generation || request != state.expiry.request {
        return;
    }
    state.expiry.pending = state.expiry.pending.saturating_sub(1);
    if state.expiry.pending == 0 {
        finish(state, request);
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
            state.expiry.failures.push((name, error));
        }
    }
}

pub fn on_copy_prepared(
    state: &mut State,
    generation: u64,
    request: u64,
    target: usize,
    source: Result<SecretBundle, VaultError>,
    current: Result<Option<SecretBundle>, String>,
) {
    finish(state, request);
    if generation != state.generation {
        return;
    }
    let target_name = state.profiles[target].name.clone();
    let source = match source {
        Ok(bundle) => bundle,
        Err(error) => {
            report(
                state,
                Level::Error,
                format!("cannot copy: reading it here failed: {error}"),
            );
            return;
        }
    };
    let current = match current {
        Ok(current) => current,
        Err(error) => {
            report(
                state,
                Level::Error,
                format!("cannot copy: reading profile {target_name} failed: {error}"),
            );
            return;
        }
    };
    let name = source.secret_id().map(|id| id.name).unwrap_or_default();
    let Some(value) = source.value.clone() else {
        report(state, Level::Error, format!("{name} has no value to copy"));
        return;
    };
    let attributes = source.attributes.clone().unwrap_or_default();
    let params = SetSecretParameters {
        value,
        tags: source.tags.clone(),
        content_type: source.content_type.clone(),
        attributes: Some(SecretAttributes {
            enabled: attributes.enabled,
            nbf: attributes.nbf,
            exp: attributes.exp,
            ..SecretAttributes::default()
        }),
    };
    let before = current.as_ref().map(Snapshot::of_bundle);
    let current_value = current.as_ref().and_then(|bundle| bundle.value.clone());
    let value = match &before {
        None => ValueChange::New,
        Some(_) => ValueChange::compare(current_value.as_ref(), &params.value),
    };
    let kind = if before.is_some() {
        "a new version there"
    } else {
        "a new secret there"
    };
    state.overlay = Overlay::Review(Box::new(Review {
        title: format!(
            "Copy {name} from {} to {target_name}: {kind}",
            state.profile().name
        ),
        changes: changes(before.as_ref(), &Snapshot::of_set(&params)),
        kept: kept(before.as_ref(), &Snapshot::of_set(&params)),
        value,
        current_value,
        write: Write::Copy {
            target,
            name,
            params,
        },
        reveal: false,
        pending: None,
        error: None,
        scroll: 0,
    }));
}

pub fn on_copied(
    state: &mut State,
    generation: u64,
    request: u64,
    target: usize,
    result: Result<SecretBundle, String>,
) {
    finish(state, request);
    if generation != state.generation {
        return;
    }
    let target_name = state.profiles[target].name.clone();
    let name = match &state.overlay {
        Overlay::Review(review) if review.pending == Some(request) => {
            review.write.name().to_owned()
        }
        _ => return,
    };
    match result {
        Ok(bundle) => {
            let version = version_of(&bundle);
            state.overlay = Overlay::None;
            record_in(
                state,
                Some(&target_name),
                "copy in",
                &name,
                Ok(format!("version {}", short(&version))),
            );
            record(state, "copy out", &name, Ok(format!("to {target_name}")));
            report(
                state,
                Level::Success,
                format!(
                    "Copied {name} to {target_name}: version {} is current there",
                    short(&version)
                ),
            );
        }
        Err(error) => {
            record_in(
                state,
                Some(&target_name),
                "copy in",
                &name,
                Err(error.clone()),
            );
            if let Overlay::Review(review) = &mut state.overlay {
                review.pending = None;
                review.error = Some(error.clone());
            }
            report(
                state,
                Level::Error,
                format!("Copy of {name} to {target_name} failed: {error}"),
            );
        }
    }
}

/// After a listing finishes: select the secret a jump or a restore asked for.
pub fn select_pending(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.select_after_list.take() else {
        return Vec::new();
    };
    if state.list.select_name(&name) {
        selection_changed(state)
    } else {
        report(state, Level::Error, format!("{name} is not in the list"));
        Vec::new()
    }
}
