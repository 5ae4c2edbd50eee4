//! The expiry overview (`X`) across every profile.

use super::table::{cursor_rows, table};
use super::theme::Theme;
use super::{date, printable};
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

pub fn render_expiry(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = &state.expiry;
    let scanning = if view.pending > 0 {
        format!(
            "{} scanning {} profiles… ",
            super::secrets::spinner(state),
            view.pending
        )
    } else {
        String::new()
    };
    let inner = super::framed(
        frame,
        area,
        format!(
            " Expiring, expired or without expiry · {} {scanning}",
            view.rows.len()
        ),
        true,
        theme,
    );
    let failures = view.failures.len() as u16;
    let table_area = Rect {
        height: inner.height.saturating_sub(failures),
        ..inner
    };
    let rows = cursor_rows(&view.rows, view.cursor, table_area, theme, |row| {
        let profile = state.profiles[row.profile].name.as_str();
        Row::new(vec![
            Cell::from(Span::styled(row.badge.label(), theme.badge(row.badge))),
            Cell::from(date(row.expires)),
            Cell::from(profile.to_owned()),
            Cell::from(printable(&row.name).into_owned()),
        ])
    });
    let widths = [
        Constraint::Length(7),
        Constraint::Length(16),
        Constraint::Length(14),
        Constraint::Fill(1),
    ];
    let header = ["", "EXPIRES", "PROFILE", "NAME"];
    frame.render_widget(table(rows, widths, header, theme), table_area);
    let failed: Vec<Line> = view
        .failures
        .iter()
        .map(|(profile, error)| {
            Line::styled(format!("✗ {profile}: {}", printable(error)), theme.error())
        })
        .collect();
    frame.render_widget(
        Paragraph::new(failed),
        Rect {
            y: inner.y + table_area.height,
            height: failures,
            ..inner
        },
    );
}
