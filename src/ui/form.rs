//! The Set Secret form, drawn over the main screen: each field with its error beside it, the
//! parsed dates, and the submit state (in progress, failed with the service's message, or the
//! deleted-name choice).

use super::theme::Theme;
use super::{printable, wrap_words};
use crate::layout::centered;
use crate::state::State;
use crate::state::form::{FormField, FormKind, SecretForm, Submit};
use crate::state::input::text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

const LABEL_WIDTH: u16 = 14;

/// One thing drawn in the form, one or more rows tall.
enum Item<'a> {
    Input {
        field: FormField,
        label: String,
        area: &'a TextArea<'static>,
        height: u16,
        /// Drawn right of the input, one per row from the top.
        notes: Vec<Span<'a>>,
    },
    Text {
        field: Option<FormField>,
        lines: Vec<Line<'a>>,
    },
}

impl Item<'_> {
    fn height(&self) -> u16 {
        match self {
            Item::Input { height, .. } => *height,
            Item::Text { lines, .. } => lines.len() as u16,
        }
    }

    fn field(&self) -> Option<FormField> {
        match self {
            Item::Input { field, .. } => Some(*field),
            Item::Text { field, .. } => *field,
        }
    }
}

/// The error under its field, wrapped so all of it is read at 80 columns.
fn error_line<'a>(theme: &Theme, field: FormField, message: String, width: u16) -> Item<'a> {
    note_line(theme.error(), field, &format!("✗ {message}"), width)
}

/// A note under its field (an error, a warning), wrapped to the form's width.
fn note_line<'a>(style: Style, field: FormField, text: &str, width: u16) -> Item<'a> {
    let indent = " ".repeat(LABEL_WIDTH as usize);
    let lines = wrap_words(text, width.saturating_sub(LABEL_WIDTH) as usize)
        .into_iter()
        .map(|part| Line::from(vec![Span::raw(indent.clone()), Span::styled(part, style)]))
        .collect();
    Item::Text {
        field: Some(field),
        lines,
    }
}

fn text_item(field: Option<FormField>, line: Line<'_>) -> Item<'_> {
    Item::Text {
        field,
        lines: vec![line],
    }
}

fn input<'a>(
    items: &mut Vec<Item<'a>>,
    field: FormField,
    label: &str,
    area: &'a TextArea<'static>,
    height: u16,
    notes: Vec<Span<'a>>,
) {
    items.push(Item::Input {
        field,
        label: label.to_owned(),
        area,
        height,
        notes,
    });
}

/// The value, and the generator's length and alphabet under it.
fn value_items<'a>(
    items: &mut Vec<Item<'a>>,
    form: &'a SecretForm,
    theme: &Theme,
    width: u16,
    error_of: &dyn Fn(FormField) -> Option<String>,
) {
    let reveal_note = Span::styled(
        if form.reveal {
            "Ctrl-r masks"
        } else {
            "Ctrl-r reveals"
        },
        theme.dim(),
    );
    // What will be sent, as a count: a paste or a file shows that all of it arrived.
    let value = form.value();
    let lines = value.expose().lines().count();
    let size_note = Span::styled(
        format!(
            "{lines} line{} · {} bytes",
            if lines == 1 { "" } else { "s" },
            value.len()
        ),
        theme.dim(),
    );
    input(
        items,
        FormField::Value,
        "Value",
        &form.value,
        4,
        vec![reveal_note, size_note],
    );
    if let Some(message) = error_of(FormField::Value) {
        items.push(error_line(theme, FormField::Value, message, width));
    }
}

/// The generator's length and alphabet (Ctrl-g uses them), with the other value sources.
fn generator_items<'a>(items: &mut Vec<Item<'a>>, form: &'a SecretForm, theme: &Theme) {
    input(
        items,
        FormField::GenLength,
        "Generate",
        &form.gen_length,
        1,
        vec![Span::styled(
            "chars · Ctrl-g generates · Ctrl-o file · Ctrl-e $EDITOR",
            theme.dim(),
        )],
    );
    let focused = if form.focus == FormField::GenAlphabet {
        theme.selected(true)
    } else {
        ratatui::style::Style::default()
    };
    items.push(text_item(
        Some(FormField::GenAlphabet),
        Line::from(vec![
            Span::styled(
                format!("{:<width$}", "  from", width = LABEL_WIDTH as usize),
                theme.label(),
            ),
            Span::styled(format!("< {} >", form.alphabet.label()), focused),
            Span::styled("  Space changes", theme.dim()),
        ]),
    ));
}

fn show_error(form: &SecretForm, field: FormField) -> bool {
    if form.attempted {
        return true;
    }
    let typed = |area: &TextArea<'_>| !text(area).is_empty();
    match field {
        FormField::Name => typed(&form.name),
        FormField::ContentType => typed(&form.content_type),
        FormField::Expires => typed(&form.expires),
        FormField::NotBefore => typed(&form.not_before) || typed(&form.expires),
        _ => true,
    }
}

pub fn render(frame: &mut Frame, state: &State, form: &SecretForm, theme: &Theme) {
    let area = centered(crate::layout::body(frame.area()), 96, 26);
    frame.render_widget(Clear, area);
    let title = match &form.kind {
        FormKind::NewSecret => " New secret ".to_owned(),
        FormKind::NewVersion(name) => format!(" New version of {} ", printable(name)),
        FormKind::EditAttributes { name, version, .. } => format!(
            " Attributes of {} ({}) · no new version ",
            printable(name),
            version.as_deref().map_or_else(
                || "latest".to_owned(),
                |v| format!("version {}", printable(crate::vault::short_version(v)))
            )
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let errors = form.errors(state.now);
    let error_of = |field: FormField| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
            .filter(|_| show_error(form, field))
    };
    let mut items: Vec<Item<'_>> = Vec::new();
    if form.kind == FormKind::NewSecret {
        input(
            &mut items,
            FormField::Name,
            "Name",
            &form.name,
            1,
            Vec::new(),
        );
        if let Some(message) = error_of(FormField::Name) {
            items.push(error_line(theme, FormField::Name, message, inner.width));
        }
    }
    if !form.edits_attributes() {
        value_items(&mut items, form, theme, inner.width, &error_of);
    }
    input(
        &mut items,
        FormField::ContentType,
        "Content type",
        &form.content_type,
        1,
        Vec::new(),
    );
    if let Some(message) = error_of(FormField::ContentType) {
        items.push(error_line(
            theme,
            FormField::ContentType,
            message,
            inner.width,
        ));
    }
    for (row, tag) in form.tags.iter().enumerate() {
        let label = if row == 0 { "Tags" } else { "" };
        input(
            &mut items,
            FormField::TagKey(row),
            label,
            &tag.key,
            1,
            Vec::new(),
        );
        input(
            &mut items,
            FormField::TagValue(row),
            "  = value",
            &tag.value,
            1,
            Vec::new(),
        );
        for field in [FormField::TagKey(row), FormField::TagValue(row)] {
            if let Some(message) = error_of(field) {
                items.push(error_line(theme, field, message, inner.width));
            }
        }
    }
    items.push(text_item(
        None,
        Line::from(vec![
            Span::styled(
                format!(
                    "{:<width$}",
                    if form.tags.is_empty() { "Tags" } else { "" },
                    width = LABEL_WIDTH as usize
                ),
                theme.label(),
            ),
            Span::styled(
                format!(
                    "{} of 15 · Ctrl-n adds · Ctrl-x removes the focused one",
                    form.tags.len()
                ),
                theme.dim(),
            ),
        ]),
    ));
    for (field, label, area) in [
        (FormField::Expires, "Expires", &form.expires),
        (FormField::NotBefore, "Not before", &form.not_before),
    ] {
        let note = form
            .date_preview(field, state.now)
            .map(|preview| Span::styled(format!("→ {preview}"), theme.success()))
            .unwrap_or_else(|| Span::styled("+90d · 2027-03-01 · never", theme.dim()));
        input(&mut items, field, label, area, 1, vec![note]);
        if let Some(message) = error_of(field) {
            items.push(error_line(theme, field, message, inner.width));
        } else if field == FormField::Expires
            && let Some(warning) = form.expiry_warning(state.now)
        {
            items.push(note_line(
                theme.warning(),
                field,
                &format!("! {warning}"),
                inner.width,
            ));
        }
    }
    let focus_style = |field: FormField| {
        if form.focus == field {
            theme.selected(true)
        } else {
            ratatui::style::Style::default()
        }
    };
    items.push(text_item(
        Some(FormField::Enabled),
        Line::from(vec![
            Span::styled(
                format!("{:<width$}", "Enabled", width = LABEL_WIDTH as usize),
                theme.label(),
            ),
            Span::styled(
                if form.enabled { "[x] yes" } else { "[ ] no" },
                focus_style(FormField::Enabled),
            ),
        ]),
    ));
    if !form.edits_attributes() {
        generator_items(&mut items, form, theme);
    }
    items.push(text_item(
        Some(FormField::Submit),
        Line::from(vec![
            Span::raw(" ".repeat(LABEL_WIDTH as usize)),
            Span::styled(
                if form.edits_attributes() {
                    "[ Update attributes ]"
                } else {
                    "[ Set secret ]"
                },
                focus_style(FormField::Submit).patch(theme.key()),
            ),
            Span::styled("  Ctrl-s from any field · Esc closes", theme.dim()),
        ]),
    ));

    let footer = footer(state, form, theme).map(|lines| wrap_lines(lines, inner.width));
    let footer_height = footer.as_ref().map_or(0, |lines| lines.len() as u16);
    let body = Rect {
        height: inner.height.saturating_sub(footer_height),
        ..inner
    };
    // Scroll so the focused field is on screen when the form is taller than the box.
    let total: u16 = items.iter().map(Item::height).sum();
    let mut skip = 0u16;
    if total > body.height {
        let mut top = 0u16;
        for item in &items {
            if item.field() == Some(form.focus) {
                break;
            }
            top += item.height();
        }
        let focus_height = items
            .iter()
            .find(|item| item.field() == Some(form.focus))
            .map_or(1, Item::height);
        skip = (top + focus_height)
            .saturating_sub(body.height)
            .min(total - body.height);
    }
    let mut y = body.y;
    let mut skipped = 0u16;
    for item in &items {
        let height = item.height();
        if skipped < skip {
            skipped += height;
            continue;
        }
        if y + height > body.y + body.height {
            break;
        }
        let row = Rect::new(body.x, y, body.width, height);
        match item {
            Item::Text { lines, .. } => frame.render_widget(Paragraph::new(lines.clone()), row),
            Item::Input {
                field,
                label,
                area,
                notes,
                ..
            } => {
                let label_style = if *field == form.focus {
                    theme.key()
                } else {
                    theme.label()
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(label.as_str(), label_style)),
                    Rect::new(row.x, row.y, LABEL_WIDTH, 1),
                );
                let note_width = notes
                    .iter()
                    .map(|note| note.width() as u16 + 1)
                    .max()
                    .unwrap_or(0);
                let input_width = row.width.saturating_sub(LABEL_WIDTH + note_width).min(44);
                let input_rect = Rect::new(row.x + LABEL_WIDTH, row.y, input_width, height);
                let input_style = if *field == form.focus {
                    theme.selected(false)
                } else {
                    theme.dim()
                };
                // An empty input still shows where it is.
                frame.render_widget(
                    Paragraph::new(Line::styled("_".repeat(input_width as usize), input_style)),
                    Rect::new(input_rect.x, input_rect.y + height - 1, input_width, 1),
                );
                frame.render_widget(*area, input_rect);
                for (below, note) in notes.iter().enumerate().take(height as usize) {
                    frame.render_widget(
                        Paragraph::new(note.clone()),
                        Rect::new(
                            input_rect.x + input_width + 1,
                            row.y + below as u16,
                            note_width,
                            1,
                        ),
                    );
                }
            }
        }
        y += height;
    }
    if let Some(footer) = footer {
        let rect = Rect::new(
            inner.x,
            inner.y + inner.height - footer_height,
            inner.width,
            footer_height,
        );
        frame.render_widget(Paragraph::new(footer), rect);
    }
    match &form.submit {
        Submit::Review(review) => super::review::render(frame, state, review, theme),
        Submit::ConfirmDiscard => super::overlays::render_question(
            frame,
            "Discard the form?",
            "Everything typed in this form will be lost.",
            &[("y", "discard"), ("n", "/ Esc keep editing")],
            theme,
        ),
        _ => {}
    }
}

/// Lines wider than the form are word-wrapped in the style of their first span, so the footer's
/// height is known before it is drawn.
fn wrap_lines(lines: Vec<Line<'_>>, width: u16) -> Vec<Line<'_>> {
    let mut wrapped = Vec::new();
    for line in lines {
        if line.width() <= width as usize {
            wrapped.push(line);
            continue;
        }
        let style = line
            .spans
            .first()
            .map(|span| span.style)
            .unwrap_or_default();
        let text: String = line
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        wrapped.extend(
            wrap_words(&text, width as usize)
                .into_iter()
                .map(|part| Line::styled(part, style)),
        );
    }
    wrapped
}

fn footer<'a>(state: &'a State, form: &'a SecretForm, theme: &Theme) -> Option<Vec<Line<'a>>> {
    let name = printable(&form.name_text()).into_owned();
    let spinner = super::secrets::spinner(state);
    Some(match &form.submit {
        Submit::Editing => return None,
        // Asked in a box of its own over the form (see `render`).
        Submit::ConfirmDiscard => return None,
        Submit::Submitting { .. } => vec![Line::styled(
            format!("{spinner} Setting {name}… the form stays as typed until the vault answers"),
            theme.warning(),
        )],
        Submit::Failed { message } => vec![
            Line::styled(format!("✗ {}", printable(message)), theme.error()),
            Line::styled(
                "Every field is kept: fix and press Ctrl-s again.",
                theme.dim(),
            ),
        ],
        Submit::NameDeleted { message } => vec![
            Line::styled(format!("✗ {}", printable(message)), theme.error()),
            Line::from(vec![
                Span::styled("r", theme.key()),
                Span::raw(" recover it (with its versions) · "),
                Span::styled("p", theme.key()),
                Span::raw(" purge it for good · "),
                Span::styled("Esc", theme.key()),
                Span::raw(" back"),
            ]),
        ],
        Submit::ConfirmPurge { typed } => vec![
            Line::styled(
                format!("Purging cannot be undone. Type {name} and press Enter:"),
                theme.error(),
            ),
            Line::from(vec![
                Span::raw("> "),
                Span::styled(text(typed), theme.key()),
                Span::raw("▏"),
            ]),
        ],
        Submit::Review(_) => return None,
        Submit::AskPath { input, error } => {
            let mut lines = vec![
                Line::styled(
                    "Load the value from a file (UTF-8, at most 25 KiB). Path, then Enter:",
                    theme.warning(),
                ),
                Line::from(vec![
                    Span::raw("> "),
                    Span::styled(text(input), theme.key()),
                    Span::raw("▏"),
                ]),
            ];
            if let Some(error) = error {
                lines.push(Line::styled(
                    format!("✗ {}", printable(error)),
                    theme.error(),
                ));
            }
            lines
        }
        Submit::Loading => vec![Line::styled(
            format!("{spinner} Getting the value…"),
            theme.warning(),
        )],
        Submit::Resolving { purging, .. } => vec![Line::styled(
            format!(
                "{spinner} {} {name}…",
                if *purging { "Purging" } else { "Recovering" }
            ),
            theme.warning(),
        )],
    })
}
