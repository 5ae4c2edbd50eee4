//! The help overlay (every key, from the key map table), the profile picker, and the yes/no
//! questions asked over whatever is open (discard the form? quit with work unsaved?).

use super::theme::Theme;
use crate::keymap::{Action, BINDINGS, Context, keys_of};
use crate::layout::centered;
use crate::state::State;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Wide enough to cover an 80-column screen, so no pane shows through at the edges.
const OVERLAY_WIDTH: u16 = 84;

pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut context: Option<Context> = None;
    for binding in BINDINGS {
        if context != Some(binding.context) {
            if context.is_some() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(binding.context.title(), theme.title()));
            context = Some(binding.context);
        }
        let keys = binding
            .keys
            .iter()
            .map(|press| press.label())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<22}"), theme.key()),
            Span::raw(binding.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("  Ctrl-c quits from anywhere.", theme.dim()));
    lines
}

pub fn render_help(frame: &mut Frame, scroll: u16, theme: &Theme) {
    let body = crate::layout::body(frame.area());
    let area = centered(body, OVERLAY_WIDTH, body.height);
    frame.render_widget(Clear, area);
    let lines = help_lines(theme);
    let block = super::boxed(
        " Keys · j/k, Ctrl-d/Ctrl-u page, g/G · Esc closes ",
        true,
        theme,
    );
    let max_scroll = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        area,
    );
}

pub fn render_picker(frame: &mut Frame, state: &State, cursor: usize, theme: &Theme) {
    // Two rows a profile, so a long vault URL never pushes the auth method off an 80-column screen.
    let height = 2 * state.profiles.len() as u16 + 4;
    let area = centered(crate::layout::body(frame.area()), OVERLAY_WIDTH, height);
    frame.render_widget(Clear, area);
    let mut lines = Vec::new();
    for (index, profile) in state.profiles.iter().enumerate() {
        let marker = if index == state.active_profile {
            "●"
        } else {
            " "
        };
        let default = if state.default_profile.as_deref() == Some(profile.name.as_str()) {
            " (default)"
        } else {
            ""
        };
        let read_only = if profile.read_only { " read-only" } else { "" };
        // Opened from the vault picker and not saved: gone when kvtui ends unless `s` saves it.
        let unsaved = if state.unsaved_profiles.contains(&profile.name) {
            " (this session only)"
        } else {
            ""
        };
        let head = Line::from(vec![
            Span::raw(format!("{marker} ")),
            Span::styled(format!("{:<16}", profile.name), theme.title()),
            Span::styled(format!(" {}", profile.auth), theme.dim()),
            Span::styled(read_only, theme.warning()),
            Span::styled(default, theme.dim()),
            Span::styled(unsaved, theme.warning()),
        ]);
        let vault = Line::styled(format!("    {}", profile.vault), theme.dim());
        if index == cursor {
            lines.push(head.style(theme.selected(true)));
            lines.push(vault.style(theme.selected(true)));
        } else {
            lines.push(head);
            lines.push(vault);
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Enter opens · Esc closes", theme.dim()));
    let block = super::boxed(" Profiles ", true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A question in a box of its own over whatever is open, so it cannot be missed: `message`
/// wrapped, then the answers (`keys`: key, what it does).
/// What keys answer a question, from the key table: each answer's keys for `action` in
/// `context` (the first, or `all` of them: "n / Esc"), then what it does; answers joined by " · ".
pub fn answers<'a>(context: Context, choices: &[(Action, bool, &str)], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (index, (action, all, does)) in choices.iter().enumerate() {
        if index > 0 {
            spans.push(Span::raw(" · "));
        }
        let keys = keys_of(context, *action);
        let shown = if *all { keys.len() } else { 1 };
        for (at, key) in keys.into_iter().take(shown).enumerate() {
            if at > 0 {
                spans.push(Span::raw(" / "));
            }
            spans.push(Span::styled(key, theme.key()));
        }
        spans.push(Span::raw(format!(" {does}")));
    }
    Line::from(spans)
}

/// A yes / no question over whatever is open, answered with the keys `context` binds.
pub fn render_question(
    frame: &mut Frame,
    title: &str,
    message: &str,
    (context, yes, no): (Context, &str, &str),
    theme: &Theme,
) {
    const WIDTH: u16 = 60;
    let body = crate::layout::body(frame.area());
    let inner_width = WIDTH.min(body.width).saturating_sub(2);
    let mut lines: Vec<Line> = super::wrap_words(message, usize::from(inner_width))
        .into_iter()
        .map(|line| Line::styled(line, theme.warning()))
        .collect();
    lines.push(Line::raw(""));
    lines.push(answers(
        context,
        &[(Action::Yes, false, yes), (Action::No, true, no)],
        theme,
    ));
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let area = centered(body, WIDTH, rows.saturating_add(2));
    frame.render_widget(Clear, area);
    let block = super::boxed(format!(" {title} "), true, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_help_is_as_long_as_the_key_map_says() {
        let lines = super::help_lines(&super::Theme { color: false });
        assert_eq!(lines.len(), crate::keymap::help_line_count());
    }
}
