//! The small dialogs: a confirmation, a path prompt, the copy target; each shows its status
//! (waiting for the vault, or why it failed).

use super::theme::Theme;
use super::{boxed, printable};
use crate::keymap::{Action, Context, key_of};
use crate::layout::centered;
use crate::state::dialogs::{ConfirmAction, FilePrompt, PromptPurpose};
use crate::state::input::text;
use crate::state::{Confirm, DialogStatus, Prompt, State};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// The columns a dialog's lines are wrapped to, inside its border.
pub(super) fn inner_width(frame: &Frame) -> u16 {
    76.min(crate::layout::body(frame.area()).width)
        .saturating_sub(2)
}

pub(super) fn dialog(frame: &mut Frame, title: String, lines: Vec<Line>, theme: &Theme) {
    let body = crate::layout::body(frame.area());
    let inner_width = inner_width(frame);
    let height = crate::layout::wrapped_height(&lines, inner_width);
    let area = centered(
        body,
        inner_width.saturating_add(2),
        height.saturating_add(2),
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(boxed(title, true, theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn status_lines<'a>(state: &State, status: &DialogStatus, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if status.is_sending() {
        lines.push(Line::styled(
            format!("{} waiting for the vault…", super::secrets::spinner(state)),
            theme.warning(),
        ));
    }
    if let Some(error) = status.error() {
        lines.push(Line::styled(
            format!("✗ {}", printable(error)),
            theme.error(),
        ));
    }
    lines
}

pub fn render_confirm(frame: &mut Frame, state: &State, confirm: &Confirm, theme: &Theme) {
    let name = printable(confirm.name());
    let (title, mut lines) = match &confirm.action {
        ConfirmAction::Delete { level, days, .. } => {
            let meaning = match level {
                Some(level) => format!("{level}: {}", level.describe(*days)),
                None => "The vault's recovery level is not known.".to_owned(),
            };
            (
                format!(" Delete {name}? "),
                vec![
                    Line::raw(format!("Delete {name} and all its versions.")),
                    Line::styled(meaning, theme.warning()),
                ],
            )
        }
        ConfirmAction::Purge { .. } => (
            format!(" Purge {name}? "),
            vec![Line::styled(
                format!("Purging erases {name} and every version for good. It cannot be undone."),
                theme.error(),
            )],
        ),
    };
    lines.push(Line::raw(""));
    match &confirm.typed {
        Some(typed) => {
            lines.push(Line::raw(format!(
                "Type {name} and press {} ({} cancels):",
                key_of(Context::ConfirmTyped, Action::Yes),
                key_of(Context::ConfirmTyped, Action::No)
            )));
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(text(typed), theme.key()),
                Span::raw("▏"),
            ]));
        }
        None => lines.push(super::overlays::answers(
            Context::Confirm,
            &[
                (Action::Yes, false, "deletes"),
                (Action::No, true, "keeps it"),
            ],
            theme,
        )),
    }
    lines.extend(status_lines(state, &confirm.status, theme));
    dialog(frame, title, lines, theme);
}

pub fn render_prompt(frame: &mut Frame, state: &State, prompt: &Prompt, theme: &Theme) {
    let (title, question) = match &prompt.purpose {
        PromptPurpose::File(FilePrompt::BackupTo { name }) => (
            format!(" Back up {} ", printable(name)),
            "The vault's encrypted backup blob goes to a new file (never overwritten):".to_owned(),
        ),
        PromptPurpose::File(FilePrompt::RestoreFrom) => (
            " Restore from a backup ".to_owned(),
            "The backup file to restore (the secret comes back with all its versions):".to_owned(),
        ),
        PromptPurpose::File(FilePrompt::ExportTo { names, .. }) => (
            format!(" Export {} marked secrets ", names.len()),
            "Their latest versions' content types, tags, enabled and dates, as JSON, to a new 0600 file:".to_owned(),
        ),
        PromptPurpose::BulkTag => (
            format!(" Tag {} marked secrets ", state.list.marked.len()),
            "KEY=VALUE sets the tag on each (the others are kept); -KEY removes it:".to_owned(),
        ),
        PromptPurpose::BulkExpiry => (
            format!(" Expiry of {} marked secrets ", state.list.marked.len()),
            "When each expires: +90d, 2027-03-01, RFC 3339:".to_owned(),
        ),
        PromptPurpose::OpenVault => (
            " Open a vault ".to_owned(),
            "Its name (myvault) or URL (https://myvault.vault.azure.net):".to_owned(),
        ),
        PromptPurpose::SaveProfile { vault, .. } => (
            format!(" Save {} as a profile ", printable(&vault.name)),
            format!(
                "The profile's name, in {}:",
                state
                    .config_file
                    .as_deref()
                    .map(|path| path.display().to_string())
                    .unwrap_or_default()
            ),
        ),
    };
    let mut lines = vec![
        Line::raw(question),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(text(&prompt.input), theme.key()),
            Span::raw("▏"),
        ]),
    ];
    let switch = match &prompt.purpose {
        PromptPurpose::SaveProfile { read_only, .. } => {
            Some(("read-only", *read_only, "read-only refuses every write"))
        }
        PromptPurpose::File(FilePrompt::ExportTo { values, .. }) => Some((
            "values",
            *values,
            "with values, the file holds every secret's value",
        )),
        _ => None,
    };
    if let Some((label, on, meaning)) = switch {
        lines.push(Line::from(vec![
            Span::raw(format!("{label}: ")),
            Span::styled(if on { "yes" } else { "no" }, theme.key()),
            Span::styled(
                format!(
                    " ({} changes it; {meaning})",
                    key_of(Context::Prompt, Action::Toggle)
                ),
                theme.dim(),
            ),
        ]));
    }
    lines.push(Line::styled(
        format!(
            "{} goes ahead · {} cancels",
            key_of(Context::Prompt, Action::Yes),
            key_of(Context::Prompt, Action::No)
        ),
        theme.dim(),
    ));
    lines.extend(status_lines(state, &prompt.status, theme));
    dialog(frame, title, lines, theme);
}

pub fn render_copy_target(frame: &mut Frame, state: &State, cursor: usize, theme: &Theme) {
    let name = printable(state.list.selected_name().unwrap_or_default());
    let mut lines = vec![Line::raw(format!(
        "Copy the latest version of {name} (value, content type, tags, dates) to:"
    ))];
    for (index, profile) in state.profiles.iter().enumerate() {
        if index == state.active_profile {
            continue;
        }
        let mut spans = vec![
            Span::raw(if index == cursor { "> " } else { "  " }),
            Span::styled(format!("{:<16}", profile.name), theme.title()),
            Span::styled(format!(" {}", profile.vault), theme.dim()),
        ];
        if profile.read_only {
            spans.push(Span::styled(" read-only: refused", theme.warning()));
        }
        let line = Line::from(spans);
        lines.push(if index == cursor {
            line.style(theme.selected(true))
        } else {
            line
        });
    }
    lines.push(Line::styled(
        "Enter shows what will change there before anything is written · Esc cancels",
        theme.dim(),
    ));
    dialog(frame, format!(" Copy {name} "), lines, theme);
}
