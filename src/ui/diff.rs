//! Two versions of a secret side by side.

use super::theme::Theme;
use super::{boxed, printable, wrap_words};
use crate::layout::centered;
use crate::state::review::{Snapshot, changes, line_diff};
use crate::state::{Remote, State, VersionDiff};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn render_diff(frame: &mut Frame, state: &State, diff: &VersionDiff, theme: &Theme) {
    let body = crate::layout::body(frame.area());
    let box_width = body.width.min(96);
    let short = |v: &str| printable(crate::vault::short_version(v)).into_owned();
    let title = format!(
        " {}: {} → {} ",
        printable(&diff.name),
        short(&diff.older),
        short(&diff.newer)
    );
    let width = box_width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match &diff.bundles {
        Remote::Loaded((older, newer)) => {
            for (label, side, version) in
                [("older", older, &diff.older), ("newer", newer, &diff.newer)]
            {
                if let Some(error) = &side.error {
                    lines.push(Line::styled(
                        format!("{label} {}: {}", short(version), printable(error)),
                        theme.warning(),
                    ));
                }
            }
            match (&older.bundle, &newer.bundle) {
                (Some(a), Some(b)) => {
                    let changed = changes(Some(&Snapshot::of_bundle(a)), &Snapshot::of_bundle(b));
                    if changed.is_empty() {
                        lines.push(Line::styled("Attributes: the same.", theme.dim()));
                    }
                    for change in changed {
                        lines.push(Line::from(vec![
                            Span::styled(
                                format!("{:<13} ", printable(&change.field)),
                                theme.label(),
                            ),
                            Span::styled(
                                printable(change.before.as_deref().unwrap_or("-")).into_owned(),
                                theme.error(),
                            ),
                            Span::raw(" → "),
                            Span::styled(
                                printable(change.after.as_deref().unwrap_or("-")).into_owned(),
                                theme.success(),
                            ),
                        ]));
                    }
                    let (old, new) = (
                        a.value.as_ref().map_or("", |v| v.expose()),
                        b.value.as_ref().map_or("", |v| v.expose()),
                    );
                    let same = old == new;
                    lines.push(Line::from(vec![
                        Span::styled(format!("{:<14}", "value"), theme.label()),
                        Span::styled(if same { "the same" } else { "different" }, theme.warning()),
                    ]));
                    if diff.reveal && !same {
                        for line in line_diff(old, new) {
                            lines.push(super::review::diff_line(line, theme));
                        }
                    } else if !same {
                        lines.push(Line::styled("v shows the values line by line", theme.dim()));
                    }
                }
                _ => lines.push(Line::styled(
                    "Only one side could be read: nothing to compare.",
                    theme.dim(),
                )),
            }
        }
        Remote::Failed(error) => {
            lines.push(Line::styled(printable(error).into_owned(), theme.error()))
        }
        _ => lines.push(Line::raw(format!(
            "{} loading both versions…",
            super::secrets::spinner(state)
        ))),
    }
    let mut wrapped: Vec<Line> = Vec::new();
    for line in lines {
        if line.width() <= width {
            wrapped.push(line);
        } else {
            let style = line.spans.first().map(|s| s.style).unwrap_or_default();
            let joined: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped.extend(
                wrap_words(&joined, width)
                    .into_iter()
                    .map(|part| Line::styled(part, style)),
            );
        }
    }
    let rows = u16::try_from(wrapped.len()).unwrap_or(u16::MAX);
    let area = centered(body, box_width, rows.saturating_add(2));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(wrapped)
            .block(boxed(title, true, theme))
            .scroll((diff.scroll, 0)),
        area,
    );
}
