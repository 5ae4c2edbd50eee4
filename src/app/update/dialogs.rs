//! The dialogs over the screen: the help, the profile picker, the quit question, the review
//! before a write, confirmations and path prompts. What each dialog's write does is its
//! feature's; here is how dialogs answer keys and wait for their write.

use super::{Effect, Origin, Resolve, backup, bulk, list, vaults};
use crate::keymap::{self, Action, Context};
use crate::state::bulk::BulkAction;
use crate::state::dialogs::Prompt;
use crate::state::dialogs::{ConfirmAction, FilePrompt, PromptPurpose};
use crate::state::input::text;
use crate::state::review::Write;
use crate::state::{DialogStatus, Level, Overlay, Review, State};
use crate::vault::rules;
use crate::when::{When, parse_when};
use std::path::PathBuf;

/// Quit, or ask first when that would lose work.
pub(super) fn quit(state: &mut State) -> Vec<Effect> {
    match state.unsaved_work() {
        Some(work) => state.quit_question = Some(work),
        None => state.quit = true,
    }
    Vec::new()
}

/// The answer to "quit with work unsaved?": a second Ctrl-c (or y) quits, the user has been told.
pub(super) fn quit_question(state: &mut State, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Quit | Action::Yes) => state.quit = true,
        Some(Action::No) => state.quit_question = None,
        _ => {}
    }
    Vec::new()
}

pub(super) fn open_help(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Help { scroll: 0 };
    Vec::new()
}

pub(super) fn help_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Help { scroll } = state.overlay else {
        return Vec::new();
    };
    let page = crate::layout::help_page(state.size);
    // The furthest the help scrolls: its last line at the bottom of the box.
    let last_line = (keymap::help_line_count() as u16).saturating_sub(page);
    state.overlay = match action {
        Action::Back | Action::ToggleHelp => Overlay::None,
        movement => Overlay::Help {
            scroll: match movement {
                Action::Down => scroll.saturating_add(1),
                Action::Up => scroll.saturating_sub(1),
                Action::PageDown => scroll.saturating_add(page),
                Action::PageUp => scroll.saturating_sub(page),
                Action::Top => 0,
                Action::Bottom => last_line,
                _ => scroll,
            }
            .min(last_line),
        },
    };
    Vec::new()
}

pub(super) fn open_picker(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::ProfilePicker {
        cursor: state.active_profile,
    };
    Vec::new()
}

pub(super) fn picker_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::ProfilePicker { cursor } = state.overlay else {
        return Vec::new();
    };
    let last = state.profiles.len().saturating_sub(1);
    match action {
        Action::Up => {
            state.overlay = Overlay::ProfilePicker {
                cursor: cursor.saturating_sub(1),
            }
        }
        Action::Down => {
            state.overlay = Overlay::ProfilePicker {
                cursor: (cursor + 1).min(last),
            }
        }
        Action::Back => state.overlay = Overlay::None,
        Action::Open => {
            state.overlay = Overlay::None;
            if cursor != state.active_profile {
                return list::open_profile(state, cursor);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Keys on the review of an attributes update or a copy (the form has its own review).
pub(super) fn review_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Review(review) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::ToggleReveal => review.reveal = !review.reveal,
        Action::Back => state.overlay = Overlay::None,
        Action::Yes => return send_review(state),
        Action::Overwrite if review.take_conflict() => return send_review(state),
        scroll => scroll_review(review, scroll, crate::layout::help_page(state.size)),
    }
    Vec::new()
}

/// Why Enter does not send a review that found another write: how to write over it.
pub(super) fn conflict_refusal(review: &Review, context: Context) -> Option<String> {
    review.conflict.as_ref()?;
    let keys = keymap::key_of(context, Action::Overwrite);
    Some(format!(
        "{} changed since: {keys} writes over it anyway, Esc goes back",
        review.write.name()
    ))
}

/// Scrolls a review a line or a `page` (a revealed value can be taller than the screen).
pub(super) fn scroll_review(review: &mut Review, action: Action, page: u16) {
    review.scroll = match action {
        Action::Down => review.scroll.saturating_add(1),
        Action::Up => review.scroll.saturating_sub(1),
        Action::PageDown => review.scroll.saturating_add(page),
        Action::PageUp => review.scroll.saturating_sub(page),
        _ => review.scroll,
    };
}

fn send_review(state: &mut State) -> Vec<Effect> {
    let Overlay::Review(review) = &state.overlay else {
        return Vec::new();
    };
    if let Some(refusal) = conflict_refusal(review, Context::Review) {
        state.report(Level::Error, refusal);
        return Vec::new();
    }
    let label = match &review.write {
        Write::Copy { name, target, .. } => {
            format!("copying {name} to {}", state.profiles[*target].name)
        }
        write => format!("updating {}", write.name()),
    };
    let write = review.write.clone();
    let expected = review.expected.clone();
    let ticket = state.begin_dialog_write(label);
    vec![Effect::write(write, expected, ticket, &state.profiles)]
}

/// Keys on a confirmation before an irreversible step (delete, purge).
pub(super) fn confirm_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Confirm(confirm) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::No => state.overlay = Overlay::None,
        Action::Yes => {
            let name = confirm.name().to_owned();
            if let Some(typed) = &confirm.typed
                && text(typed).trim() != name
            {
                confirm.status = DialogStatus::Failed(format!("type {name} exactly to go ahead"));
                return Vec::new();
            }
            let purge = matches!(confirm.action, ConfirmAction::Purge { .. });
            let label = if purge { "purging" } else { "deleting" };
            let ticket = state.begin_dialog_write(format!("{label} {name}"));
            return vec![if purge {
                Effect::Resolve(Resolve {
                    ticket,
                    name,
                    origin: Origin::DeletedView,
                    purge,
                })
            } else {
                Effect::DeleteSecret { ticket, name }
            }];
        }
        _ => {}
    }
    Vec::new()
}

/// `t`, `w`: what to set on the marked secrets.
pub(super) fn ask_bulk(state: &mut State, action: Action) -> Vec<Effect> {
    if bulk::marks_missing(state) {
        return Vec::new();
    }
    let purpose = match action {
        Action::TagMarked => PromptPurpose::BulkTag,
        _ => PromptPurpose::BulkExpiry,
    };
    state.overlay = Overlay::Prompt(Prompt::new(purpose, ""));
    Vec::new()
}

/// The bulk action a prompt's line asks for, or why it cannot be one.
fn bulk_action(purpose: &PromptPurpose, raw: &str, now: i64) -> Result<BulkAction, String> {
    if *purpose == PromptPurpose::BulkExpiry {
        return match parse_when(raw, now).map_err(|error| error.to_string())? {
            When::At(exp) => Ok(BulkAction::SetExpiry(exp)),
            When::Never => Err("an update cannot remove a date: give one".to_owned()),
        };
    }
    if let Some(key) = raw.strip_prefix('-') {
        rules::check_tag_name(key).map_err(|v| v.to_string())?;
        return Ok(BulkAction::RemoveTag(key.to_owned()));
    }
    let (key, value) = raw
        .split_once('=')
        .ok_or("type KEY=VALUE to set a tag, or -KEY to remove one")?;
    rules::check_tag_name(key).map_err(|v| v.to_string())?;
    rules::check_tag_value(key, value).map_err(|v| v.to_string())?;
    Ok(BulkAction::SetTag {
        key: key.to_owned(),
        value: value.to_owned(),
    })
}

/// Keys on a prompt for a file path (backup, restore).
pub(super) fn prompt_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Prompt(prompt) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::No => state.overlay = Overlay::None,
        Action::Toggle => match &mut prompt.purpose {
            PromptPurpose::SaveProfile {
                read_only: flag, ..
            }
            | PromptPurpose::File(FilePrompt::ExportTo { values: flag, .. }) => *flag = !*flag,
            _ => {}
        },
        Action::Yes => {
            let raw = text(&prompt.input).trim().to_owned();
            if raw.is_empty() {
                prompt.status = DialogStatus::Failed("type it first".into());
                return Vec::new();
            }
            return match prompt.purpose.clone() {
                PromptPurpose::File(purpose) => {
                    let ticket = state.begin_dialog_write(backup::label(&purpose));
                    vec![backup::send(ticket, purpose, PathBuf::from(raw))]
                }
                PromptPurpose::OpenVault => vaults::open_typed(state, &raw),
                PromptPurpose::SaveProfile { vault, read_only } => {
                    vaults::save(state, raw, &vault, read_only)
                }
                PromptPurpose::BulkTag | PromptPurpose::BulkExpiry => {
                    match bulk_action(&prompt.purpose, &raw, state.now) {
                        Ok(action) => bulk::open(state, &action),
                        Err(problem) => {
                            prompt.status = DialogStatus::Failed(problem);
                            Vec::new()
                        }
                    }
                }
            };
        }
        _ => {}
    }
    Vec::new()
}
