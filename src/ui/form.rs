//! The Set Secret form, drawn over the main screen: each field with its error beside it, the
//! parsed dates, and the submit state (in progress, failed with the service's message, or the
//! deleted-name choice).

use super::theme::Theme;
use super::{printable, wrap_words};
use crate::keymap::{Action, Context, key_of};
use crate::layout::centered;
use crate::state::State;
use crate::state::form::fields::{FIELDS, Widget, field_of};
use crate::state::form::{FormField, FormKind, SecretForm, Submit};
use crate::state::input::text;
use crate::vault::rules::MAX_TAGS;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
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

/// The label column.
fn label<'a>(text: &str, theme: &Theme) -> Span<'a> {
    Span::styled(
        format!("{text:<width$}", width = LABEL_WIDTH as usize),
        theme.label(),
    )
}

fn focus_style(form: &SecretForm, field: FormField, theme: &Theme) -> Style {
    if form.focus == field {
        theme.selected(true)
    } else {
        Style::default()
    }
}

/// The value, with whether it shows and how much of it there is.
fn value_items<'a>(
    items: &mut Vec<Item<'a>>,
    form: &'a SecretForm,
    theme: &Theme,
    width: u16,
    error_of: &dyn Fn(FormField) -> Option<String>,
) {
    let reveal_note = Span::styled(
        format!(
            "{} {}",
            key_of(Context::Form, Action::RevealValue),
            if form.reveal { "masks" } else { "reveals" }
        ),
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

/// Each tag's name and value, then how many there are of how many allowed.
fn tag_items<'a>(
    items: &mut Vec<Item<'a>>,
    form: &'a SecretForm,
    title: &str,
    theme: &Theme,
    width: u16,
    error_of: &dyn Fn(FormField) -> Option<String>,
) {
    for (row, tag) in form.tags.iter().enumerate() {
        let label = if row == 0 { title } else { "" };
        input(
            items,
            FormField::TagKey(row),
            label,
            &tag.key,
            1,
            Vec::new(),
        );
        input(
            items,
            FormField::TagValue(row),
            "  = value",
            &tag.value,
            1,
            Vec::new(),
        );
        for field in [FormField::TagKey(row), FormField::TagValue(row)] {
            if let Some(message) = error_of(field) {
                items.push(error_line(theme, field, message, width));
            }
        }
    }
    items.push(text_item(
        None,
        Line::from(vec![
            label(if form.tags.is_empty() { title } else { "" }, theme),
            Span::styled(
                format!(
                    "{} of {MAX_TAGS} · {} adds · {} removes the focused one",
                    form.tags.len(),
                    key_of(Context::Form, Action::AddTag),
                    key_of(Context::Form, Action::RemoveTag)
                ),
                theme.dim(),
            ),
        ]),
    ));
    // What is wrong with the tags as a whole (one the policy requires) goes under them, unless
    // there is a tag row in that slot (the one past the limit), which shows it already.
    let whole = FormField::TagKey(MAX_TAGS);
    if form.tags.len() <= MAX_TAGS
        && let Some(message) = error_of(whole)
    {
        items.push(error_line(theme, whole, message, width));
    }
}

/// What is drawn right of a one-line input: what a date means, the generator's keys.
fn line_notes<'a>(
    state: &State,
    form: &SecretForm,
    field: FormField,
    theme: &Theme,
) -> Vec<Span<'a>> {
    match field {
        FormField::Expires | FormField::NotBefore => vec![
            form.date_preview(field, state.now)
                .map(|preview| Span::styled(format!("→ {preview}"), theme.success()))
                .unwrap_or_else(|| Span::styled("+90d · 2027-03-01 · never", theme.dim())),
        ],
        FormField::GenLength => vec![Span::styled(
            format!(
                "chars · {} generates · {} file · {} $EDITOR",
                key_of(Context::Form, Action::Generate),
                key_of(Context::Form, Action::LoadFile),
                key_of(Context::Form, Action::EditInEditor)
            ),
            theme.dim(),
        )],
        _ => Vec::new(),
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
    let inner = super::framed(frame, area, title, true, theme);

    let errors = form.errors(state.now);
    let error_of = |field: FormField| {
        let shown = form.attempted || field_of(field).is_none_or(|row| (row.show_problems)(form));
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
            .filter(|_| shown)
    };
    let mut items: Vec<Item<'_>> = Vec::new();
    let width = inner.width;
    for row in FIELDS.iter().filter(|row| row.shown_on(&form.kind)) {
        match row.widget {
            Widget::Line(area_of) => {
                let notes = line_notes(state, form, row.field, theme);
                input(&mut items, row.field, row.label, area_of(form), 1, notes);
                if let Some(message) = error_of(row.field) {
                    items.push(error_line(theme, row.field, message, width));
                } else if row.field == FormField::Expires
                    && let Some(warning) = form.expiry_warning(state.now)
                {
                    let warning = format!("! {warning}");
                    items.push(note_line(theme.warning(), row.field, &warning, width));
                }
            }
            Widget::Value => value_items(&mut items, form, theme, width, &error_of),
            Widget::Tags => tag_items(&mut items, form, row.label, theme, width, &error_of),
            Widget::Switch => items.push(text_item(
                Some(row.field),
                Line::from(vec![
                    label(row.label, theme),
                    Span::styled(
                        if form.enabled { "[x] yes" } else { "[ ] no" },
                        focus_style(form, row.field, theme),
                    ),
                ]),
            )),
            Widget::Choice => items.push(text_item(
                Some(row.field),
                Line::from(vec![
                    label(row.label, theme),
                    Span::styled(
                        format!("< {} >", form.alphabet.label()),
                        focus_style(form, row.field, theme),
                    ),
                    Span::styled(
                        format!("  {} changes", key_of(Context::Form, Action::Toggle)),
                        theme.dim(),
                    ),
                ]),
            )),
            Widget::Button => items.push(text_item(
                Some(row.field),
                Line::from(vec![
                    label(row.label, theme),
                    Span::styled(
                        if form.edits_attributes() {
                            "[ Update attributes ]"
                        } else {
                            "[ Set secret ]"
                        },
                        focus_style(form, row.field, theme).patch(theme.key()),
                    ),
                    Span::styled(
                        format!(
                            "  {} from any field · {} closes",
                            key_of(Context::Form, Action::Submit),
                            key_of(Context::Form, Action::Back)
                        ),
                        theme.dim(),
                    ),
                ]),
            )),
        }
    }

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
        Submit::Review(review) => {
            super::review::render(frame, state, review, Context::FormReview, theme)
        }
        Submit::ConfirmDiscard => super::overlays::render_question(
            frame,
            "Discard the form?",
            "Everything typed in this form will be lost.",
            (Context::FormDiscard, "discard", "keep editing"),
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
                format!(
                    "Every field is kept: fix and press {} again.",
                    key_of(Context::Form, Action::Submit)
                ),
                theme.dim(),
            ),
        ],
        Submit::NameDeleted { message } => vec![
            Line::styled(format!("✗ {}", printable(message)), theme.error()),
            super::overlays::answers(
                Context::FormDeleted,
                &[
                    (Action::Recover, false, "recover it (with its versions)"),
                    (Action::Purge, false, "purge it for good"),
                    (Action::Back, false, "back"),
                ],
                theme,
            ),
        ],
        Submit::ConfirmPurge { typed } => vec![
            Line::styled(
                format!(
                    "Purging cannot be undone. Type {name} and press {}:",
                    key_of(Context::FormConfirmPurge, Action::Yes)
                ),
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
