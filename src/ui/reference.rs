//! The reference chooser (R): each form of the reference, under the name of what reads it. A
//! form too long for the box is cut in the middle here; what is copied is always whole.

use super::dialogs::{dialog, inner_width};
use super::overlays::answers;
use super::theme::Theme;
use super::{cut_middle, printable};
use crate::config::VaultLocation;
use crate::keymap::{Action, Context};
use crate::state::{ReferenceChooser, State};
use ratatui::Frame;
use ratatui::text::{Line, Span};

pub fn render(frame: &mut Frame, state: &State, chooser: &ReferenceChooser, theme: &Theme) {
    let width = usize::from(inner_width(frame));
    let name = printable(&chooser.name);
    let mut lines = vec![Line::raw(
        "Each names the latest version, for a program to read the value itself:",
    )];
    for (index, choice) in chooser.choices.iter().enumerate() {
        let chosen = index == chooser.cursor;
        let text = printable(&choice.text);
        let rows = [
            Line::from(vec![
                Span::raw(if chosen { "> " } else { "  " }),
                Span::styled(
                    cut_middle(&text, width.saturating_sub(2)).into_owned(),
                    theme.key(),
                ),
            ]),
            Line::styled(format!("    for {}", choice.form.used_by()), theme.dim()),
        ];
        lines.extend(rows.into_iter().map(|row| {
            if chosen {
                row.style(theme.selected(true))
            } else {
                row
            }
        }));
    }
    let profile = state.profile();
    if profile.vault == VaultLocation::Embedded {
        lines.push(Line::styled(
            "The embedded vault's address changes each run: only kv:// finds it again.",
            theme.dim(),
        ));
    }
    if state.unsaved_profiles.contains(&profile.name) {
        lines.push(Line::styled(
            format!(
                "Profile {} is for this session only: save it (s in the vault picker) for kv:// to name it later.",
                printable(&profile.name)
            ),
            theme.warning(),
        ));
    }
    lines.push(answers(
        Context::Reference,
        &[
            (Action::Open, false, "copies"),
            (Action::Back, false, "cancels"),
        ],
        theme,
    ));
    let title = cut_middle(&name, width.saturating_sub(24)).into_owned();
    dialog(
        frame,
        format!(" Copy a reference to {title} "),
        lines,
        theme,
    );
}
