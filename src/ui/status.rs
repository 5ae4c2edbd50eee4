//! The status bar: profile, vault, operations in flight (with retries), the last result, and the
//! keys for where the keyboard is.

use super::theme::Theme;
use crate::app::keymap;
use crate::state::{Remote, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let profile = state.profile();
    let vault = match &state.connection {
        Remote::Loaded(connection) => {
            let host = connection.vault_url.trim_start_matches("https://");
            if connection.embedded {
                format!("embedded {host}")
            } else {
                host.to_owned()
            }
        }
        Remote::Loading => "connecting…".to_owned(),
        Remote::Failed(_) => "not connected".to_owned(),
        Remote::Idle => String::new(),
    };
    let mut first = vec![Span::styled(
        format!(" {} ", profile.name),
        theme.title().patch(theme.selected(true)),
    )];
    if profile.read_only {
        first.push(Span::styled(" read-only", theme.warning()));
    }
    let vault_at = first.len();
    if let Some(flight) = state.in_flight.first() {
        let more = match state.in_flight.len() {
            1 => String::new(),
            n => format!(" +{}", n - 1),
        };
        first.push(Span::styled(
            format!(
                "│ {} {}{more} ",
                super::secrets::spinner(state),
                flight.label
            ),
            theme.warning(),
        ));
        if let Some(retry) = state.in_flight.iter().find_map(|f| f.retrying.as_ref()) {
            first.push(Span::styled(format!("({retry}) "), theme.warning()));
        }
    }
    if let Some((level, message)) = &state.last_result {
        first.push(Span::raw("│ "));
        first.push(Span::styled(message.as_str(), theme.level(*level)));
    }
    // The vault is known from the profile; the result is news: the vault gives way when both
    // do not fit.
    let vault = Span::styled(format!(" {vault} "), theme.dim());
    let used: usize = first.iter().map(Span::width).sum();
    if used + vault.width() <= area.width as usize {
        first.insert(vault_at, vault);
    } else {
        first.insert(vault_at, Span::raw(" "));
    }
    let mut second = Vec::new();
    for (key, help) in keymap::hints(keymap::context(state), state.read_only()) {
        second.push(Span::styled(format!(" {key}"), theme.key()));
        second.push(Span::styled(format!(" {help} "), theme.dim()));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}
