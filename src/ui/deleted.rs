//! The deleted view (`D`): the vault's soft-deleted secrets.

use super::table::{cursor_rows, table};
use super::theme::Theme;
use super::{date, printable};
use crate::state::{Remote, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

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
    let rows = cursor_rows(items, view.cursor, inner, theme, |item| {
        let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
        Row::new(vec![
            Cell::from(printable(&name).into_owned()),
            Cell::from(date(item.deletion.deleted_date)),
            Cell::from(date(item.deletion.scheduled_purge_date)),
        ])
    });
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(16),
        Constraint::Length(16),
    ];
    let header = ["NAME", "DELETED", "PURGED AT"];
    frame.render_widget(table(rows, widths, header, theme), inner);
}
