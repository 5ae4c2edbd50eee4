//! The status bar: profile, vault, operations in flight (with retries), the last result, and the
//! keys for where the keyboard is.

use super::theme::Theme;
use crate::keymap::{self, Action};
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
    let width = |text: &str| Span::raw(text).width();
    let result = state
        .last_result
        .as_ref()
        .map(|(level, message)| (super::printable(message), theme.level(*level)));
    if let Some(flight) = state.in_flight.first() {
        let more = match state.in_flight.len() {
            1 => String::new(),
            n => format!(" +{}", n - 1),
        };
        let spinner = format!("│ {} ", super::secrets::spinner(state));
        let what = super::printable(&flight.label);
        let label = format!("{spinner}{what}{more} ");
        let retry = state
            .in_flight
            .iter()
            .find_map(|f| f.retrying.as_ref())
            .map(|retry| format!("({}) ", super::printable(retry)));
        // Whichever is newer keeps its room. A result that came while the operation was in
        // flight is news: the retry note, then the label's end, give way to it (a save while a
        // listing retries would otherwise never be seen). An older one gives way to a retry.
        let news = result.as_ref().filter(|_| state.last_result_at > flight.id);
        let used: usize = first.iter().map(Span::width).sum::<usize>() + 1;
        let wanted = news.map_or(0, |(text, _)| 2 + width(text));
        let room = usize::from(area.width).saturating_sub(used + wanted);
        let shown = match retry {
            Some(retry) if news.is_none() || width(&label) + width(&retry) <= room => {
                format!("{label}{retry}")
            }
            _ if width(&label) <= room || news.is_none() => label,
            _ => {
                let left = room.saturating_sub(width(&spinner) + width(&more) + 1);
                format!("{spinner}{}{more} ", super::cut_words(&what, left))
            }
        };
        first.push(Span::styled(shown, theme.warning()));
    }
    if let Some((text, style)) = result {
        first.push(Span::raw("│ "));
        let used: usize = first.iter().map(Span::width).sum();
        let room = usize::from(area.width).saturating_sub(used);
        first.push(Span::styled(
            super::cut_words(&text, room).into_owned(),
            style,
        ));
    }
    // The vault and who is signed in are known from the profile; the result is news: they give
    // way, the account first, when they do not all fit.
    let used: usize = first.iter().map(Span::width).sum();
    let signed_in = state
        .identity
        .as_ref()
        .map(|identity| format!(" {vault} as {} ", super::printable(&identity.who)));
    let fits = signed_in
        .into_iter()
        .chain([format!(" {vault} ")])
        .map(|text| Span::styled(text, theme.dim()))
        .find(|span| used + span.width() <= area.width as usize);
    first.insert(vault_at, fits.unwrap_or_else(|| Span::raw(" ")));
    // While a review holds another writer's version, Enter refuses and only O writes.
    let conflict = state
        .review()
        .is_some_and(|review| review.conflict.is_some());
    let usable = |action: Action| match action {
        Action::Yes if conflict => false,
        Action::Overwrite => conflict,
        action => !(state.read_only() && action.is_write()),
    };
    let hints: Vec<[Span; 2]> = keymap::hints(keymap::context(state), usable)
        .into_iter()
        .map(|(key, help)| {
            [
                Span::styled(format!(" {key}"), theme.key()),
                Span::styled(format!(" {help} "), theme.dim()),
            ]
        })
        .collect();
    let second: Vec<Span> = fitting(hints, usize::from(area.width))
        .into_iter()
        .flatten()
        .collect();
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

/// The hints that fit in `width` whole, in their order. When some must go, `?` (help, which
/// lists every key) stays, last, rather than being cut off the end of the line.
fn fitting(hints: Vec<[Span<'_>; 2]>, width: usize) -> Vec<[Span<'_>; 2]> {
    let span_width = |hint: &[Span; 2]| hint[0].width() + hint[1].width();
    // The last hint's trailing space may fall off the edge.
    let width = width + 1;
    if hints.iter().map(span_width).sum::<usize>() <= width {
        return hints;
    }
    let help = hints.iter().position(|hint| hint[0].content.trim() == "?");
    let mut room = width.saturating_sub(help.map_or(0, |at| span_width(&hints[at])));
    let mut kept = Vec::new();
    let mut help_hint = None;
    for (index, hint) in hints.into_iter().enumerate() {
        if Some(index) == help {
            help_hint = Some(hint);
        } else if span_width(&hint) <= room {
            room -= span_width(&hint);
            kept.push(hint);
        } else {
            room = 0;
        }
    }
    kept.extend(help_hint);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(keys: &[&'static str]) -> Vec<[Span<'static>; 2]> {
        keys.iter()
            .map(|key| [Span::raw(format!(" {key}")), Span::raw(" does ")])
            .collect()
    }

    fn keys(hints: &[[Span; 2]]) -> Vec<String> {
        hints
            .iter()
            .map(|h| h[0].content.trim().to_owned())
            .collect()
    }

    #[test]
    fn hints_that_do_not_fit_go_whole_and_help_stays() {
        // Each hint is 8 wide (" a does "); the last one's trailing space may be cut.
        let all = ["a", "b", "?", "c"];
        assert_eq!(keys(&fitting(hints(&all), 31)), all);
        assert_eq!(keys(&fitting(hints(&all), 30)), ["a", "b", "?"]);
        assert_eq!(
            keys(&fitting(hints(&["a", "b", "c", "?"]), 28)),
            ["a", "b", "?"]
        );
        assert_eq!(keys(&fitting(hints(&["a", "b", "c"]), 20)), ["a", "b"]);
        assert_eq!(keys(&fitting(hints(&["a", "?"]), 3)), ["?"]);
    }
}
