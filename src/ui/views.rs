//! The deleted-secrets view, the expiry overview and the operations log (each fills the main
//! screen), and the small dialogs: confirm, path prompt, version diff, copy target.

use super::theme::Theme;
use super::{printable, wrap_words};
use crate::layout::centered;
use crate::state::form::text;
use crate::state::review::{Snapshot, changes, line_diff};
use crate::state::views::{ConfirmAction, PromptPurpose};
use crate::state::{Confirm, Prompt, Remote, State, VersionDiff};
use crate::when::Utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

fn boxed<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title()))
}

/// A date and time in a 16-column cell; one past year 9999 is cut with `…`.
fn date(unix: Option<i64>) -> String {
    unix.map(|u| super::cut_words(&Utc::of(u).minute(), 16).into_owned())
        .unwrap_or_else(|| "-".into())
}

/// Rows `cursor` can be seen in, within `height`.
fn window(cursor: usize, height: usize) -> usize {
    (cursor + 1).saturating_sub(height.max(1))
}

pub fn render_deleted(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = &state.deleted;
    let count = view.items.loaded().map_or(0, Vec::len);
    let block = boxed(
        format!(" Deleted secrets in {} · {count} ", state.profile().name),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let items = match &view.items {
        Remote::Loaded(items) if !items.is_empty() => items,
        Remote::Loaded(_) => {
            frame.render_widget(Paragraph::new("No deleted secrets."), inner);
            return;
        }
        Remote::Failed(error) => {
            frame.render_widget(
                Paragraph::new(Span::styled(printable(error), theme.error()))
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        _ => {
            frame.render_widget(
                Paragraph::new(format!("{} listing…", super::secrets::spinner(state))),
                inner,
            );
            return;
        }
    };
    let height = inner.height.saturating_sub(1) as usize;
    let rows = items
        .iter()
        .enumerate()
        .skip(window(view.cursor, height))
        .take(height)
        .map(|(index, item)| {
            let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
            let row = Row::new(vec![
                Cell::from(printable(&name).into_owned()),
                Cell::from(date(item.deletion.deleted_date)),
                Cell::from(date(item.deletion.scheduled_purge_date)),
            ]);
            if index == view.cursor {
                row.style(theme.selected(true))
            } else {
                row
            }
        });
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["NAME", "DELETED", "PURGED AT"]).style(theme.header()))
    .column_spacing(1);
    frame.render_widget(table, inner);
}

pub fn render_expiry(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = &state.expiry;
    let scanning = if view.pending > 0 {
        format!(
            "{} scanning {} profiles… ",
            super::secrets::spinner(state),
            view.pending
        )
    } else {
        String::new()
    };
    let block = boxed(
        format!(
            " Expiring, expired or without expiry · {} {scanning}",
            view.rows.len()
        ),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let failures = view.failures.len() as u16;
    let table_area = Rect {
        height: inner.height.saturating_sub(failures),
        ..inner
    };
    let height = table_area.height.saturating_sub(1) as usize;
    let rows = view
        .rows
        .iter()
        .enumerate()
        .skip(window(view.cursor, height))
        .take(height)
        .map(|(index, row)| {
            let profile = state.profiles[row.profile].name.as_str();
            let cells = vec![
                Cell::from(Span::styled(row.badge.label(), theme.badge(row.badge))),
                Cell::from(date(row.expires)),
                Cell::from(profile.to_owned()),
                Cell::from(printable(&row.name).into_owned()),
            ];
            let line = Row::new(cells);
            if index == view.cursor {
                line.style(theme.selected(true))
            } else {
                line
            }
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(7),
            Constraint::Length(16),
            Constraint::Length(14),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["", "EXPIRES", "PROFILE", "NAME"]).style(theme.header()))
    .column_spacing(1);
    frame.render_widget(table, table_area);
    let failed: Vec<Line> = view
        .failures
        .iter()
        .map(|(profile, error)| {
            Line::styled(format!("✗ {profile}: {}", printable(error)), theme.error())
        })
        .collect();
    frame.render_widget(
        Paragraph::new(failed),
        Rect {
            y: inner.y + table_area.height,
            height: failures,
            ..inner
        },
    );
}

pub fn render_operations(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = boxed(
        format!(
            " Operations this session · {} (values are never recorded) ",
            state.operations.len()
        ),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if state.operations.is_empty() {
        frame.render_widget(Paragraph::new("Nothing yet."), inner);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    // Newest last, like a log; the newest rows stay in view until k scrolls back.
    let skip = state
        .operations
        .len()
        .saturating_sub(height)
        .saturating_sub(state.operations_back);
    let rows = state.operations.iter().skip(skip).map(|op| {
        Row::new(vec![
            Cell::from(Utc::of(op.at).clock()),
            Cell::from(op.profile.clone()),
            Cell::from(op.operation),
            Cell::from(printable(&op.secret).into_owned()),
            Cell::from(Span::styled(
                format!(
                    "{} {}",
                    if op.ok { "✓" } else { "✗" },
                    printable(&op.outcome)
                ),
                if op.ok {
                    theme.success()
                } else {
                    theme.error()
                },
            )),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(17),
            Constraint::Length(20),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["UTC", "PROFILE", "OPERATION", "SECRET", "RESULT"]).style(theme.header()))
    .column_spacing(1);
    frame.render_widget(table, inner);
}

fn dialog(frame: &mut Frame, title: String, lines: Vec<Line>, theme: &Theme) {
    let body = crate::layout::body(frame.area());
    let width = 76.min(body.width);
    let inner_width = width.saturating_sub(2);
    let height = crate::layout::wrapped_height(&lines, inner_width);
    let area = centered(body, width, height.saturating_add(2));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(boxed(title, theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn status_lines<'a>(
    state: &State,
    pending: Option<u64>,
    error: Option<&String>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if pending.is_some() {
        lines.push(Line::styled(
            format!("{} waiting for the vault…", super::secrets::spinner(state)),
            theme.warning(),
        ));
    }
    if let Some(error) = error {
        lines.push(Line::styled(
            format!("✗ {}", printable(error)),
            theme.error(),
        ));
    }
    lines
}

pub fn render_confirm(frame: &mut Frame, state: &State, confirm: &Confirm, theme: &Theme) {
    let name = printable(confirm.name());
    let (title, mut lines) = match &confirm.action {
        ConfirmAction::Delete { level, days, .. } => {
            let meaning = match level {
                Some(level) => format!("{level}: {}", level.describe(*days)),
                None => "The vault's recovery level is not known.".to_owned(),
            };
            (
                format!(" Delete {name}? "),
                vec![
                    Line::raw(format!("Delete {name} and all its versions.")),
                    Line::styled(meaning, theme.warning()),
                ],
            )
        }
        ConfirmAction::Purge { .. } => (
            format!(" Purge {name}? "),
            vec![Line::styled(
                format!("Purging erases {name} and every version for good. It cannot be undone."),
                theme.error(),
            )],
        ),
    };
    lines.push(Line::raw(""));
    match &confirm.typed {
        Some(typed) => {
            lines.push(Line::raw(format!(
                "Type {name} and press Enter (Esc cancels):"
            )));
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(text(typed), theme.key()),
                Span::raw("▏"),
            ]));
        }
        None => lines.push(Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" deletes · "),
            Span::styled("n", theme.key()),
            Span::raw(" / "),
            Span::styled("Esc", theme.key()),
            Span::raw(" keeps it"),
        ])),
    }
    lines.extend(status_lines(
        state,
        confirm.pending,
        confirm.error.as_ref(),
        theme,
    ));
    dialog(frame, title, lines, theme);
}

pub fn render_prompt(frame: &mut Frame, state: &State, prompt: &Prompt, theme: &Theme) {
    let (title, question) = match &prompt.purpose {
        PromptPurpose::BackupTo { name } => (
            format!(" Back up {} ", printable(name)),
            "The vault's encrypted backup blob goes to a new file (never overwritten):",
        ),
        PromptPurpose::RestoreFrom => (
            " Restore from a backup ".to_owned(),
            "The backup file to restore (the secret comes back with all its versions):",
        ),
    };
    let mut lines = vec![
        Line::raw(question),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(text(&prompt.input), theme.key()),
            Span::raw("▏"),
        ]),
        Line::styled("Enter goes ahead · Esc cancels", theme.dim()),
    ];
    lines.extend(status_lines(
        state,
        prompt.pending,
        prompt.error.as_ref(),
        theme,
    ));
    dialog(frame, title, lines, theme);
}

pub fn render_copy_target(frame: &mut Frame, state: &State, cursor: usize, theme: &Theme) {
    let name = printable(state.list.selected_name().unwrap_or_default());
    let mut lines = vec![Line::raw(format!(
        "Copy the latest version of {name} (value, content type, tags, dates) to:"
    ))];
    for (index, profile) in state.profiles.iter().enumerate() {
        if index == state.active_profile {
            continue;
        }
        let mut spans = vec![
            Span::raw(if index == cursor { "> " } else { "  " }),
            Span::styled(format!("{:<16}", profile.name), theme.title()),
            Span::styled(format!(" {}", profile.vault), theme.dim()),
        ];
        if profile.read_only {
            spans.push(Span::styled(" read-only: refused", theme.warning()));
        }
        let line = Line::from(spans);
        lines.push(if index == cursor {
            line.style(theme.selected(true))
        } else {
            line
        });
    }
    lines.push(Line::styled(
        "Enter shows what will change there before anything is written · Esc cancels",
        theme.dim(),
    ));
    dialog(frame, format!(" Copy {name} "), lines, theme);
}

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
            .block(boxed(title, theme))
            .scroll((diff.scroll, 0)),
        area,
    );
}
