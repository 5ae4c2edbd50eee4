//! The version history pane: every version newest first, the current one marked.

use super::theme::Theme;
use crate::state::list::ExpiryBadge;
use crate::state::{Pane, Remote, State};
use crate::when::format_utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let versions = &state.versions;
    let focused = state.focus == Pane::Versions;
    let count = versions.items.loaded().map(Vec::len);
    let title = match count {
        Some(count) => format!(" Versions {count} "),
        None => " Versions ".to_owned(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let items = match &versions.items {
        Remote::Loaded(items) => items,
        Remote::Loading => {
            frame.render_widget(
                Paragraph::new(format!("{} loading…", super::secrets::spinner(state))),
                inner,
            );
            return;
        }
        Remote::Failed(error) => {
            frame.render_widget(
                Paragraph::new(Span::styled(error.as_str(), theme.error())),
                inner,
            );
            return;
        }
        Remote::Idle => return,
    };
    let height = inner.height.saturating_sub(1) as usize;
    let offset = (versions.cursor + 1).saturating_sub(height.max(1));
    let rows = items
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(index, item)| {
            let version = item
                .secret_id()
                .and_then(|id| id.version)
                .unwrap_or_default();
            let attributes = item.attributes.clone().unwrap_or_default();
            let current = versions.current.as_deref() == Some(version.as_str());
            let badge = ExpiryBadge::of(attributes.exp, state.now);
            let row = Row::new(vec![
                Cell::from(if current { "*" } else { " " }),
                Cell::from(crate::app::update::short(&version).to_owned()),
                Cell::from(if attributes.enabled == Some(false) {
                    Span::styled("✗", theme.disabled())
                } else {
                    Span::raw("✓")
                }),
                Cell::from(
                    attributes
                        .created
                        .map(|c| format_utc(c)[..16].to_owned())
                        .unwrap_or_default(),
                ),
                Cell::from(Span::styled(badge.label(), theme.badge(badge))),
            ]);
            if index == versions.cursor && (focused || versions.select_when_loaded.is_none()) {
                row.style(theme.selected(focused))
            } else {
                row
            }
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(8),
            Constraint::Length(1),
            Constraint::Length(16),
            Constraint::Length(7),
        ],
    )
    .header(Row::new(["", "VERSION", "", "CREATED", "EXPIRY"]).style(theme.header()))
    .column_spacing(1);
    frame.render_widget(table, inner);
}
