//! The table every list pane draws: a header row, one column between cells, and, where a
//! cursor moves through the rows, the window of rows that keeps it in view.

use super::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table};

/// A table over `rows` with the pane's header.
pub(super) fn table<'a, W, H>(
    rows: impl IntoIterator<Item = Row<'a>>,
    widths: W,
    header: H,
    theme: &Theme,
) -> Table<'a>
where
    W: IntoIterator,
    W::Item: Into<Constraint>,
    H: IntoIterator,
    H::Item: Into<Cell<'a>>,
{
    Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
}

/// The rows of `items` that fit under the header of a table drawn in `area`, scrolled so the
/// cursor's row is in view and drawn selected.
pub(super) fn cursor_rows<'a, T>(
    items: impl IntoIterator<Item = T>,
    cursor: usize,
    area: Rect,
    theme: &Theme,
    mut row: impl FnMut(T) -> Row<'a>,
) -> impl Iterator<Item = Row<'a>> {
    let height = area.height.saturating_sub(1) as usize;
    let selected = theme.selected(true);
    items
        .into_iter()
        .enumerate()
        .skip(window(cursor, height))
        .take(height)
        .map(move |(index, item)| {
            let line = row(item);
            if index == cursor {
                line.style(selected)
            } else {
                line
            }
        })
}

/// Rows `cursor` can be seen in, within `height`.
fn window(cursor: usize, height: usize) -> usize {
    (cursor + 1).saturating_sub(height.max(1))
}
