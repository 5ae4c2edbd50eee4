//! The operations log (`o`) of this session.

use super::printable;
use super::table::table;
use super::theme::Theme;
use crate::state::State;
use crate::when::Utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row};

pub fn render_operations(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let inner = super::framed(
        frame,
        area,
        format!(
            " Operations this session · {} (values are never recorded) ",
            state.operations.len()
        ),
        true,
        theme,
    );
    if state.operations.is_empty() {
        frame.render_widget(Paragraph::new("Nothing yet."), inner);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    // Newest last, like a log; the newest rows stay in view until k scrolls back.
    let skip = state
        .operations
        .len()
        .saturating_sub(height)
        .saturating_sub(state.operations_back);
    let rows = state.operations.iter().skip(skip).map(|op| {
        Row::new(vec![
            Cell::from(Utc::of(op.at).clock()),
            Cell::from(op.profile.clone()),
            Cell::from(op.operation.to_string()),
            Cell::from(printable(&op.secret).into_owned()),
            Cell::from(Span::styled(
                format!(
                    "{} {}",
                    if op.ok { "✓" } else { "✗" },
                    printable(&op.outcome)
                ),
                if op.ok {
                    theme.success()
                } else {
                    theme.error()
                },
            )),
        ])
    });
    let widths = [
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(17),
        Constraint::Length(20),
        Constraint::Fill(1),
    ];
    let header = ["UTC", "PROFILE", "OPERATION", "SECRET", "RESULT"];
    frame.render_widget(table(rows, widths, header, theme), inner);
}
