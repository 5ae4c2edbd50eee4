//! The review before a write: each changed field before → after, what happens to the value
//! (masked; a line diff only when revealed), and the write's progress or error.

use super::theme::Theme;
use super::{printable, wrap_words};
use crate::keymap::{Action, Context};
use crate::layout::centered;
use crate::state::review::{DiffLine, ValueChange, line_diff};
use crate::state::{DialogStatus, Review, State};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// `context`: the form's review, or an overlay's (a copy, an attributes update).
pub fn render(frame: &mut Frame, state: &State, review: &Review, context: Context, theme: &Theme) {
    let body = crate::layout::body(frame.area());
    let box_width = body.width.min(96);
    let block = super::boxed(" Review before writing ", true, theme);
    let width = box_width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = wrap_words(&printable(&review.title), width)
        .into_iter()
        .map(|line| Line::styled(line, theme.title()))
        .collect();
    lines.push(Line::raw(""));
    if let Some((said, _)) = &review.conflict {
        let note = if context == Context::FormReview {
            "Nothing was written. Below, your write against what the form started from."
        } else {
            "Nothing was written. Below, your write against what was there when reviewed."
        };
        trouble(&mut lines, format!("⚠ {}", printable(said)), note, theme);
        lines.push(Line::raw(""));
    }
    if review.changes.is_empty() && review.value == ValueChange::NotWritten {
        lines.push(Line::styled("Nothing changes.", theme.dim()));
    }
    for change in &review.changes {
        let before = change.before.as_deref().map(printable);
        let after = change.after.as_deref().map(printable);
        let mut spans = vec![Span::styled(
            format!("{:<13} ", printable(&change.field)),
            theme.label(),
        )];
        match (before, after) {
            (Some(before), Some(after)) => {
                spans.push(Span::styled(before.into_owned(), theme.error()));
                spans.push(Span::raw(" → "));
                spans.push(Span::styled(after.into_owned(), theme.success()));
            }
            (None, Some(after)) => {
                spans.push(Span::styled(format!("+ {after}"), theme.success()));
            }
            (Some(before), None) => {
                spans.push(Span::styled(format!("- {before} (removed)"), theme.error()));
            }
            (None, None) => {}
        }
        lines.push(Line::from(spans));
    }
    for kept in &review.kept {
        let value = kept.after.as_deref().map(printable).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<13} ", printable(&kept.field)), theme.label()),
            Span::styled(format!("{value} (unchanged)"), theme.dim()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{:<14}", "value"), theme.label()),
        Span::styled(review.value.describe(), theme.warning()),
    ]));
    value_lines(&mut lines, review, theme);
    lines.push(Line::raw(""));
    let mut footer = Vec::new();
    match &review.status {
        DialogStatus::Sending(_) => footer.push(Line::styled(
            format!("{} Writing…", super::secrets::spinner(state)),
            theme.warning(),
        )),
        DialogStatus::Failed(error) => {
            let note = "Nothing was lost: Enter tries again, Esc goes back.";
            trouble(&mut footer, format!("✗ {}", printable(error)), note, theme);
        }
        DialogStatus::Open if review.conflict.is_some() => {
            let back = if context == Context::FormReview {
                "goes back to edit"
            } else {
                "cancels"
            };
            let choices = [
                (Action::Overwrite, false, "writes over it anyway"),
                (Action::Back, false, back),
            ];
            footer.push(super::overlays::answers(context, &choices, theme));
        }
        DialogStatus::Open => {
            let reveal = if review.reveal {
                "masks the values"
            } else {
                "reveals the values"
            };
            let mut choices = vec![(Action::Yes, false, "writes")];
            if review.new_value().is_some() {
                choices.push((Action::ToggleReveal, false, reveal));
            }
            choices.push((Action::Back, false, "goes back"));
            footer.push(super::overlays::answers(Context::Review, &choices, theme));
        }
    }
    let body_height = crate::layout::wrapped_height(&lines, width as u16);
    let footer_height = crate::layout::wrapped_height(&footer, width as u16);
    // Saturating: what a vault sends can make the text u16::MAX rows tall.
    let area = centered(
        body,
        box_width,
        body_height.saturating_add(footer_height).saturating_add(2),
    );
    let inner = block.inner(area);
    // What is taller than the screen scrolls (a revealed PEM); the keys stay at the bottom.
    let room = inner.height.saturating_sub(footer_height);
    let max_scroll = body_height.saturating_sub(room);
    let scroll = review.scroll.min(max_scroll);
    let block = if max_scroll > 0 {
        let shown = format!(
            " lines {}–{} of {} · j/k scroll ",
            u32::from(scroll) + 1,
            scroll.saturating_add(room).min(body_height),
            body_height
        );
        block.title_bottom(Span::styled(shown, theme.dim()))
    } else {
        block
    };
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        ratatui::layout::Rect {
            height: room,
            ..inner
        },
    );
    frame.render_widget(
        Paragraph::new(footer).wrap(Wrap { trim: false }),
        ratatui::layout::Rect {
            y: inner.y + room,
            height: inner.height - room,
            ..inner
        },
    );
}

/// What went wrong, and what it means for the write.
fn trouble(lines: &mut Vec<Line<'_>>, what: String, note: &'static str, theme: &Theme) {
    lines.push(Line::styled(what, theme.error()));
    lines.push(Line::styled(note, theme.dim()));
}

fn value_lines<'a>(lines: &mut Vec<Line<'a>>, review: &'a Review, theme: &Theme) {
    let Some(next) = review.new_value() else {
        return;
    };
    if !review.reveal {
        lines.push(Line::styled(
            format!("{:<14}{} bytes, masked", "", next.len()),
            theme.dim(),
        ));
        return;
    }
    match &review.current_value {
        Some(current) if review.value == ValueChange::Changed => {
            for line in line_diff(current.expose(), next.expose()) {
                lines.push(diff_line(line, theme));
            }
        }
        _ => {
            for line in next.expose().split('\n') {
                lines.push(Line::styled(
                    format!("  {}", printable(line)),
                    theme.success(),
                ));
            }
        }
    }
}

pub fn diff_line<'a>(line: DiffLine, theme: &Theme) -> Line<'a> {
    match line {
        DiffLine::Same(text) => Line::raw(format!("  {}", printable(&text))),
        DiffLine::Removed(text) => Line::styled(format!("- {}", printable(&text)), theme.error()),
        DiffLine::Added(text) => Line::styled(format!("+ {}", printable(&text)), theme.success()),
    }
}
