//! Where each pane goes: `render` lays the screen out with it, and `update` asks it how many
//! rows fit, to page and scroll.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

pub struct MainLayout {
    pub list: Rect,
    pub details: Rect,
    pub versions: Rect,
    pub status: Rect,
}

pub const STATUS_HEIGHT: u16 = 2;

pub fn main_layout(area: Rect) -> MainLayout {
    let [body, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(STATUS_HEIGHT)]).areas(area);
    let [list, right] = Layout::new(
        Direction::Horizontal,
        [Constraint::Percentage(50), Constraint::Percentage(50)],
    )
    .areas(body);
    let [details, versions] = Layout::vertical([
        Constraint::Min(8),
        Constraint::Length(versions_height(body.height)),
    ])
    .areas(right);
    MainLayout {
        list,
        details,
        versions,
        status,
    }
}

fn versions_height(body: u16) -> u16 {
    (body / 3).max(5)
}

/// Secret rows visible in the list at this terminal size (inside the border, below the header).
pub fn list_rows(size: (u16, u16)) -> usize {
    let layout = main_layout(Rect::new(0, 0, size.0, size.1));
    layout.list.height.saturating_sub(3) as usize
}

/// A box of at most `width` x `height` in the middle of `area`. One that nearly fills the
/// width takes all of it: a sliver of the panes at its edges (the list's border and first
/// column) reads as part of the dialog.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    const SLIVER: u16 = 6;
    let width = if width.saturating_add(SLIVER) >= area.width {
        area.width
    } else {
        width
    };
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// The main screen without the status bar, where overlays go so the status stays visible.
pub fn body(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(STATUS_HEIGHT),
        ..area
    }
}

/// Rows `lines` take when wrapped to `width` columns (each at least one).
pub fn wrapped_height(lines: &[ratatui::text::Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|line| line.width().div_ceil(width).max(1))
        .sum::<usize>()
        .try_into()
        .unwrap_or(u16::MAX)
}

/// How many lines of the help (or a review) a screen of `size` shows at once: a page, for paging.
pub fn help_page((width, height): (u16, u16)) -> u16 {
    body(Rect::new(0, 0, width, height))
        .height
        .saturating_sub(2)
        .max(1)
}
