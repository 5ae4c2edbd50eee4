//! The deleted view (`D`): the vault's soft-deleted secrets.

use super::theme::Theme;
use super::{date, printable, window};
use crate::state::{Remote, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

pub fn render_deleted(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = &state.deleted;
    let count = view.items.loaded().map_or(0, Vec::len);
    let inner = super::framed(
        frame,
        area,
        format!(" Deleted secrets in {} · {count} ", state.profile().name),
        true,
        theme,
    );
    let items = match &view.items {
        Remote::Loaded(items) if !items.is_empty() => items,
        Remote::Loaded(_) => {
            frame.render_widget(Paragraph::new("No deleted secrets."), inner);
            return;
        }
        Remote::Failed(error) => {
            frame.render_widget(
                Paragraph::new(Span::styled(printable(error), theme.error()))
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        _ => {
            frame.render_widget(
                Paragraph::new(format!("{} listing…", super::secrets::spinner(state))),
                inner,
            );
            return;
        }
    };
    let height = inner.height.saturating_sub(1) as usize;
    let rows = items
        .iter()
        .enumerate()
        .skip(window(view.cursor, height))
        .take(height)
        .map(|(index, item)| {
            let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
            let row = Row::new(vec![
                Cell::from(printable(&name).into_owned()),
                Cell::from(date(item.deletion.deleted_date)),
                Cell::from(date(item.deletion.scheduled_purge_date)),
            ]);
            if index == view.cursor {
                row.style(theme.selected(true))
            } else {
                row
            }
        });
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["NAME", "DELETED", "PURGED AT"]).style(theme.header()))
    .column_spacing(1);
    frame.render_widget(table, inner);
}
