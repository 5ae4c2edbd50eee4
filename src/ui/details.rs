//! The details pane: the selected secret (or version), its attributes, the masked value, and the
//! vault's recovery level with a line saying what it means.

use super::printable;
use super::theme::Theme;
use crate::state::{Remote, State};
use crate::vault::{SecretAttributes, SecretItem};
use crate::when::format_utc;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn field<'a>(theme: &Theme, label: &'a str, value: impl Into<Span<'a>>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<12}"), theme.label()),
        value.into(),
    ])
}

fn date(unix: Option<i64>) -> String {
    unix.map(format_utc).unwrap_or_else(|| "-".to_owned())
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let details = &state.details;
    let older = matches!(&details.version,
        Some(version) if state.versions.current.as_deref() != Some(version.as_str()));
    let suffix = if older { " · older version" } else { "" };
    // Borders and the spaces around the title; a long name loses its middle, not its end.
    let room = usize::from(area.width.saturating_sub(4)).saturating_sub(suffix.chars().count());
    let title = if details.name.is_empty() {
        " Details ".to_owned()
    } else {
        format!(
            " {}{suffix} ",
            super::cut_middle(&printable(&details.name), room)
        )
    };
    let block = super::boxed(title, false, theme);
    if details.name.is_empty() {
        frame.render_widget(Paragraph::new("Select a secret.").block(block), area);
        return;
    }
    // The bundle when it has arrived; otherwise what the list or history already knows.
    let bundle = details.bundle.loaded();
    let fallback: Option<&SecretItem> = match &details.version {
        Some(version) => state.versions.items.loaded().and_then(|items| {
            items.iter().find(|item| {
                item.secret_id().and_then(|id| id.version).as_deref() == Some(version.as_str())
            })
        }),
        None => state.list.selected().map(|row| &row.item),
    };
    let attributes: SecretAttributes = bundle
        .and_then(|b| b.attributes.clone())
        .or_else(|| fallback.and_then(|item| item.attributes.clone()))
        .unwrap_or_default();
    let content_type = bundle
        .and_then(|b| b.content_type.clone())
        .or_else(|| fallback.and_then(|item| item.content_type.clone()));
    let tags = bundle
        .and_then(|b| b.tags.clone())
        .or_else(|| fallback.and_then(|item| item.tags.clone()))
        .unwrap_or_default();
    let version = bundle
        .and_then(|b| b.secret_id())
        .and_then(|id| id.version)
        .or_else(|| details.version.clone());

    let enabled = if attributes.enabled == Some(false) {
        Span::styled(" disabled", theme.disabled())
    } else {
        Span::styled(" enabled", theme.success())
    };
    let inner_width = area.width.saturating_sub(2) as usize;
    let version = version.unwrap_or_else(|| {
        if details.bundle.is_loading() {
            "…".into()
        } else {
            "latest".into()
        }
    });
    // The full version when it fits beside its label; its head otherwise.
    let version = if 12 + version.len() + 9 <= inner_width {
        version
    } else {
        format!("{}…", crate::vault::short_version(&version))
    };
    let mut lines = Vec::new();
    // The title had to cut the name: the whole of it goes here, wrapped.
    if printable(&details.name).chars().count() > room {
        lines.push(field(theme, "name", printable(&details.name).into_owned()));
    }
    lines.extend([
        Line::from(vec![
            Span::styled(format!("{:<12}", "version"), theme.label()),
            Span::raw(printable(&version).into_owned()),
            enabled,
        ]),
        field(
            theme,
            "type",
            content_type.map_or_else(|| "-".into(), |t| printable(&t).into_owned()),
        ),
        field(theme, "created", date(attributes.created)),
        field(theme, "updated", date(attributes.updated)),
        field(theme, "expires", date(attributes.exp)),
    ]);
    if attributes.nbf.is_some() {
        lines.push(field(theme, "not before", date(attributes.nbf)));
    }
    if tags.is_empty() {
        lines.push(field(theme, "tags", "-"));
    }
    for (index, (key, value)) in tags.iter().enumerate() {
        lines.push(field(
            theme,
            if index == 0 { "tags" } else { "" },
            format!("{}={}", printable(key), printable(value)),
        ));
    }
    match (&details.bundle, state.reveal) {
        (Remote::Loaded(b), true) => {
            let value = b.value.as_ref().map_or("-", |v| v.expose());
            // Each line of a multiline value on its own row, under the first.
            for (index, line) in value.split('\n').enumerate() {
                lines.push(field(
                    theme,
                    if index == 0 { "value" } else { "" },
                    // Borrowed, so no unzeroized copy of the value outlives the frame.
                    Span::raw(printable(line)),
                ));
            }
        }
        (Remote::Loaded(b), false) => lines.push(field(
            theme,
            "value",
            Span::styled(
                format!(
                    "•••••••• ({} bytes)",
                    b.value.as_ref().map_or(0, |v| v.len())
                ),
                theme.dim(),
            ),
        )),
        (Remote::Failed(error), _) => lines.push(field(
            theme,
            "value",
            Span::styled(printable(error).into_owned(), theme.error()),
        )),
        _ => lines.push(field(theme, "value", Span::styled("…", theme.dim()))),
    }
    if let Some(level) = &attributes.recovery_level {
        lines.push(field(theme, "recovery", level.to_string()));
        lines.push(field(
            theme,
            "retention",
            format!("{} days", attributes.recoverable_days.unwrap_or_default()),
        ));
        lines.push(Line::from(Span::styled(
            level.describe(attributes.recoverable_days),
            theme.dim(),
        )));
    }
    // A long value (a revealed PEM) is taller than the pane: J and K scroll it.
    let height = crate::layout::wrapped_height(&lines, inner_width as u16);
    let max_scroll = height.saturating_sub(area.height.saturating_sub(2));
    let scroll = state.details_scroll.min(max_scroll);
    let block = if max_scroll > 0 {
        block.title_bottom(Span::styled(
            // In u32: a vault's value and tags can make the text u16::MAX rows tall.
            format!(
                " {}/{} · J/K scroll ",
                u32::from(scroll) + 1,
                u32::from(max_scroll) + 1
            ),
            theme.dim(),
        ))
    } else {
        block
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
