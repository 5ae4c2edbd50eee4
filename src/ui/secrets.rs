//! The secret list pane: name, enabled, content type, updated, expiry badge. Only the rows on
//! screen are built, so 100,000 secrets draw as fast as 20.

use super::table::table;
use super::theme::Theme;
use super::{cut_middle, cut_words, printable};
use crate::state::filter::Highlighter;
use crate::state::list::{ExpiryBadge, ListLoad};
use crate::state::sort::SortOrder;
use crate::state::{Pane, State};
use crate::when::Utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn spinner(state: &State) -> &'static str {
    SPINNER[state.spinner % SPINNER.len()]
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let list = &state.list;
    let focused = state.focus == Pane::Secrets && !list.filtering;
    // Where the cursor is, of how many: "Secrets 119/309".
    let position = if list.visible.is_empty() {
        String::new()
    } else {
        format!("{}/", list.cursor.min(list.visible.len() - 1) + 1)
    };
    let mut title = vec![Span::styled(
        format!(" Secrets {position}{} ", list.visible.len()),
        theme.title(),
    )];
    if list.visible.len() != list.rows.len() {
        title.push(Span::styled(
            format!("of {} ", list.rows.len()),
            theme.dim(),
        ));
    }
    match &list.load {
        ListLoad::Loading { pages } if state.connection.loaded().is_some() => {
            title.push(Span::styled(
                format!("{} page {} ", spinner(state), pages + 1),
                theme.warning(),
            ))
        }
        ListLoad::Failed(_) => title.push(Span::styled("incomplete ", theme.error())),
        _ => {}
    }
    if list.filtering || !list.query.is_empty() {
        let cursor = if list.filtering { "▏" } else { "" };
        title.push(Span::styled(
            format!("/{}{cursor} ", printable(&list.query)),
            theme.key(),
        ));
    }
    if !list.marked.is_empty() {
        title.push(Span::styled(
            format!("{} marked ", list.marked.len()),
            theme.warning(),
        ));
    }
    if list.sort != SortOrder::Name && !list.ranked() {
        title.push(Span::styled(
            format!("by {} ", list.sort.label()),
            theme.dim(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused || list.filtering))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if list.rows.is_empty() {
        let message = match (&state.connection, &list.load) {
            (crate::state::Remote::Loading, _) => {
                format!("{} opening {}…", spinner(state), state.profile().name)
            }
            (crate::state::Remote::Failed(error), _) => format!("cannot open the profile: {error}"),
            (_, ListLoad::Loading { .. }) => format!("{} listing…", spinner(state)),
            (_, ListLoad::Failed(error)) => format!("listing failed: {error}"),
            _ => "No secrets yet. Press n to set one.".to_owned(),
        };
        frame.render_widget(
            Paragraph::new(printable(&message)).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }

    // A term that cannot be read is said on the pane's last lines, where a title too narrow
    // for the query still leaves room.
    let inner = match &list.parsed.problem {
        Some(problem) if inner.height > 3 => {
            let [rows, last] =
                ratatui::layout::Layout::vertical([Constraint::Fill(1), Constraint::Length(2)])
                    .areas(inner);
            frame.render_widget(
                Paragraph::new(Span::styled(format!("left out: {problem}"), theme.error()))
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                last,
            );
            rows
        }
        _ => inner,
    };
    let height = inner.height.saturating_sub(1) as usize;
    let columns = Columns::for_width(inner.width);
    let name_width = usize::from(columns.name_width(inner.width));
    let mut highlighter = list.ranked().then(|| Highlighter::new(&list.parsed.name));
    let rows = list
        .visible
        .iter()
        .enumerate()
        .skip(list.offset)
        .take(height)
        .map(|(position, &index)| {
            let row = &list.rows[index];
            let badge = ExpiryBadge::of(row.expires(), state.now);
            let enabled = if row.enabled() {
                Span::raw("✓")
            } else {
                Span::styled("✗", theme.disabled())
            };
            // A mark takes two columns of the name's.
            let marked = list.is_marked(&row.name);
            let room = if marked {
                name_width.saturating_sub(2)
            } else {
                name_width
            };
            let mut name = match highlighter.as_mut() {
                Some(highlighter) => highlighted(&row.name, room, highlighter, theme),
                None => Line::raw(cut_middle(&printable(&row.name), room).into_owned()),
            };
            if marked {
                name.spans.insert(0, Span::styled("● ", theme.warning()));
            }
            let mut cells = vec![Cell::from(name), Cell::from(enabled)];
            if columns.content_type {
                cells.push(Cell::from(printable(
                    row.item.content_type.as_deref().unwrap_or(""),
                )));
            }
            if columns.updated {
                let updated = row
                    .updated()
                    .map(|unix| cut_words(&Utc::of(unix).date(), 10).into_owned())
                    .unwrap_or_default();
                cells.push(Cell::from(updated));
            }
            cells.push(Cell::from(Span::styled(badge.label(), theme.badge(badge))));
            let style = if position == list.cursor {
                theme.selected(focused)
            } else {
                ratatui::style::Style::default()
            };
            Row::new(cells).style(style)
        });
    frame.render_widget(
        table(rows, columns.widths(), columns.headers(), theme),
        inner,
    );
}

/// The name with the characters the name query matched in the match style, where they are
/// still drawn once the name is cut to `width`.
fn highlighted(
    name: &str,
    width: usize,
    highlighter: &mut Highlighter,
    theme: &Theme,
) -> Line<'static> {
    let drawn = printable(name);
    let cut = cut_middle(&drawn, width).into_owned();
    // A name shown with stand-ins for hidden characters has other positions: left plain.
    if matches!(drawn, std::borrow::Cow::Owned(_)) {
        return Line::raw(cut);
    }
    let matched = highlighter.matched(name);
    let length = name.chars().count();
    let (head, tail) = if length <= width {
        (length, 0)
    } else {
        let kept = width.saturating_sub(1);
        (kept.div_ceil(2), kept - kept.div_ceil(2))
    };
    // Where each drawn character came from in the name (the `…` from nowhere).
    let origin = |at: usize| {
        if at < head {
            Some(at)
        } else if length > width && at > head {
            Some(length - tail + (at - head - 1))
        } else {
            None
        }
    };
    let spans: Vec<Span<'static>> = cut
        .chars()
        .enumerate()
        .map(|(at, c)| {
            let is_match = origin(at).is_some_and(|from| matched.contains(&(from as u32)));
            if is_match {
                Span::styled(c.to_string(), theme.matched())
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}

/// Which columns fit: the name always gets room first, then enabled and expiry, then content
/// type, then the updated date.
struct Columns {
    content_type: bool,
    /// Room for content types like `application/x-pem-file` in full.
    wide_type: bool,
    updated: bool,
}

impl Columns {
    /// Enough for most names in full: below it, the content type gives way (it is in the
    /// details pane too), as at 80 columns.
    const NAME_MIN: u16 = 28;

    fn for_width(width: u16) -> Self {
        let base = Self::NAME_MIN + 1 + 2 + 1 + 7;
        let content_type = width >= base + 11;
        let updated = width >= base + 11 + 11;
        let wide_type = width >= base + 25 + 11;
        Self {
            content_type,
            wide_type,
            updated,
        }
    }

    fn widths(&self) -> Vec<Constraint> {
        let mut widths = vec![Constraint::Fill(1), Constraint::Length(2)];
        if self.content_type {
            widths.push(Constraint::Length(if self.wide_type { 24 } else { 10 }));
        }
        if self.updated {
            widths.push(Constraint::Length(10));
        }
        widths.push(Constraint::Length(7));
        widths
    }

    /// What the name column gets of `width`: the rest after the fixed columns and the spaces
    /// between columns.
    fn name_width(&self, width: u16) -> u16 {
        let fixed: u16 = self
            .widths()
            .iter()
            .map(|constraint| match constraint {
                Constraint::Length(length) => length + 1,
                _ => 0,
            })
            .sum();
        width.saturating_sub(fixed)
    }

    fn headers(&self) -> Vec<&'static str> {
        let mut headers = vec!["NAME", "ON"];
        if self.content_type {
            headers.push("TYPE");
        }
        if self.updated {
            headers.push("UPDATED");
        }
        headers.push("EXPIRY");
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_keep_both_ends() {
        assert_eq!(
            cut_middle("orders-dev-api-key-00473", 24),
            "orders-dev-api-key-00473"
        );
        assert_eq!(
            cut_middle("orders-dev-api-key-00473", 15),
            "orders-…y-00473"
        );
        // The list pane's name column at 80 columns, as the README shows it.
        let at_80_columns = usize::from(Columns::for_width(38).name_width(38));
        assert_eq!(
            cut_middle("orders-prod-payment-gateway-api-key-00473", at_80_columns),
            "orders-prod-p…api-key-00473"
        );
        assert_eq!(cut_middle("abc", 1), "…");
        assert_eq!(cut_middle("abc", 0), "…");
    }

    #[test]
    fn the_name_column_is_what_the_table_gives_it() {
        for width in [20, 38, 46, 60, 78, 120] {
            let columns = Columns::for_width(width);
            let areas = ratatui::layout::Layout::horizontal(columns.widths())
                .spacing(1)
                .split(Rect::new(0, 0, width, 1));
            assert_eq!(columns.name_width(width), areas[0].width, "width {width}");
        }
    }
}
