//! The version history pane: every version newest first, the current one marked.

use super::printable;
use super::table::table;
use super::theme::Theme;
use crate::state::list::ExpiryBadge;
use crate::state::{Pane, Remote, State};
use crate::when::Utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let versions = &state.versions;
    let focused = state.focus == Pane::Versions;
    let count = versions.items.loaded().map(Vec::len);
    let title = match count {
        Some(count) => format!(" Versions {count} "),
        None => " Versions ".to_owned(),
    };
    let inner = super::framed(frame, area, title, focused, theme);
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
                Paragraph::new(Span::styled(printable(error), theme.error())),
                inner,
            );
            return;
        }
        Remote::Idle => return,
    };
    let height = inner.height.saturating_sub(1) as usize;
    let offset = (versions.cursor + 1).saturating_sub(height.max(1));
    let columns = Columns::for_width(inner.width);
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
            let marked = versions.marked.as_deref() == Some(version.as_str());
            let badge = ExpiryBadge::of(attributes.exp, state.now);
            let expiry = attributes
                .exp
                .map_or_else(|| "none".to_owned(), |exp| columns.stamp(exp));
            let mut cells = vec![
                Cell::from(format!(
                    "{}{}",
                    if current { "*" } else { " " },
                    if marked { "m" } else { " " }
                )),
                Cell::from(printable(crate::vault::short_version(&version)).into_owned()),
                Cell::from(if attributes.enabled == Some(false) {
                    Span::styled("✗", theme.disabled())
                } else {
                    Span::raw("✓")
                }),
                Cell::from(
                    attributes
                        .created
                        .map(|c| columns.stamp(c))
                        .unwrap_or_default(),
                ),
            ];
            if columns.updated {
                cells.push(Cell::from(
                    attributes
                        .updated
                        .map(|u| columns.stamp(u))
                        .unwrap_or_default(),
                ));
            }
            cells.push(Cell::from(Span::styled(expiry, theme.badge(badge))));
            let row = Row::new(cells);
            if index == versions.cursor && (focused || versions.select_when_loaded.is_none()) {
                row.style(theme.selected(focused))
            } else {
                row
            }
        });
    frame.render_widget(
        table(rows, columns.widths(), columns.headers(), theme),
        inner,
    );
}

/// Dates only when the pane is narrow; the updated column and times when there is room.
struct Columns {
    updated: bool,
    times: bool,
}

impl Columns {
    const FIXED: u16 = 2 + 1 + 8 + 1 + 1 + 1;

    fn for_width(width: u16) -> Self {
        let updated = width >= Self::FIXED + 3 * 11;
        let times = width >= Self::FIXED + 3 * 17;
        Self { updated, times }
    }

    fn stamp_width(&self) -> u16 {
        if self.times { 16 } else { 10 }
    }

    /// A date, or a date and time, in the column's width: one past year 9999 is cut with `…`.
    fn stamp(&self, unix: i64) -> String {
        let at = Utc::of(unix);
        let text = if self.times { at.minute() } else { at.date() };
        super::cut_words(&text, usize::from(self.stamp_width())).into_owned()
    }

    fn widths(&self) -> Vec<Constraint> {
        let stamp = Constraint::Length(self.stamp_width());
        let mut widths = vec![
            Constraint::Length(2),
            Constraint::Length(8),
            Constraint::Length(1),
            stamp,
        ];
        if self.updated {
            widths.push(stamp);
        }
        widths.push(stamp);
        widths
    }

    fn headers(&self) -> Vec<&'static str> {
        let mut headers = vec!["", "VERSION", "", "CREATED"];
        if self.updated {
            headers.push("UPDATED");
        }
        headers.push("EXPIRES");
        headers
    }
}
