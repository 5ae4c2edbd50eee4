//! Drawing: `render(state)` lays out the panes and draws them. It reads the state and nothing
//! else, so a state built in a test draws exactly as in the app.

mod bulk;
pub mod deleted;
pub mod details;
pub mod dialogs;
pub mod diff;
pub mod expiry;
pub mod form;
pub mod operations;
pub mod overlays;
pub mod reference;
pub mod review;
pub mod secrets;
pub mod status;
mod table;
pub mod theme;
pub mod vaults;
pub mod versions;

use crate::layout;
use crate::state::{Overlay, Screen, State};
use ratatui::Frame;
use std::borrow::Cow;
pub use theme::Theme;

/// Text from the vault made safe to draw: control characters (an escape sequence in a value or
/// tag would otherwise reach the terminal) become their visible Unicode control pictures, and
/// format characters (`crate::format_chars`: a bidi override that makes `env=<U+202E>DORP` read
/// `env=PROD`, a zero-width space) are written out, `⟨U+202E⟩`.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(may_hide) || !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut drawn = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c as u32 {
            code @ 0..=0x1f => drawn.push(char::from_u32(0x2400 + code).unwrap_or('?')),
            0x7f => drawn.push('\u{2421}'),
            _ if c.is_control() => drawn.push('\u{fffd}'),
            code if crate::format_chars::is_format(c) => {
                drawn.push_str(&format!("⟨U+{code:04X}⟩"));
            }
            _ => drawn.push(c),
        }
    }
    Cow::Owned(drawn)
}

/// A control or format character: never sent to the terminal as itself.
fn hidden(c: char) -> bool {
    c.is_control() || crate::format_chars::is_format(c)
}

/// Whether a `hidden` character's UTF-8 can start with `byte` (0xC2 leads the C1 controls).
fn may_hide(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f || byte == 0xc2 || crate::format_chars::may_start_format(byte)
}

/// The last word on what reaches the terminal. Whatever a pane did not pass through `printable`
/// (a form's input holding a tag with a bidi override, which must keep the text as it is to
/// write it back) still has its control and format characters dropped from every cell: ratatui
/// adds a zero-width character to the cell before it and a tag character to the one it follows,
/// and the terminal would receive them.
fn drop_hidden(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        let symbol = cell.symbol();
        if symbol.bytes().any(may_hide) && symbol.chars().any(hidden) {
            let kept: String = symbol.chars().filter(|&c| !hidden(c)).collect();
            cell.set_symbol(if kept.is_empty() { " " } else { &kept });
        }
    }
}

/// `text` in at most `width` characters: a longer one loses its middle to `…`. Names in a vault
/// share prefixes (`orders-prod-api-key-00473`, `…-00474`), so both ends are kept.
pub fn cut_middle(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    let length = text.chars().count();
    if length <= width {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept = width.saturating_sub(1);
    let head = kept.div_ceil(2);
    let tail = kept - head;
    let mut cut: String = text.chars().take(head).collect();
    cut.push('…');
    cut.extend(text.chars().skip(length - tail));
    std::borrow::Cow::Owned(cut)
}

/// `text` in at most `width` columns, cut after a whole word with `…` when it is longer (a word
/// longer than the whole width is cut inside).
pub fn cut_words(text: &str, width: usize) -> Cow<'_, str> {
    if text.chars().count() <= width {
        return Cow::Borrowed(text);
    }
    let room = width.saturating_sub(1);
    // The last space within the room: the cut goes there.
    let end = text
        .char_indices()
        .take(room + 1)
        .filter(|(_, c)| *c == ' ')
        .last()
        .map_or(0, |(at, _)| at);
    let head = if end == 0 {
        text.chars().take(room).collect::<String>()
    } else {
        text[..end]
            .trim_end_matches([' ', ',', ';', ':'])
            .to_owned()
    };
    Cow::Owned(format!("{head}…"))
}

/// Greedy word wrap to `width` columns (counted in chars); a word longer than a line is cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_owned();
        loop {
            let used = line.chars().count();
            let needed = word.chars().count() + usize::from(used > 0);
            if used + needed <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn render(frame: &mut Frame, state: &State, theme: &Theme) {
    let layout = layout::main_layout(frame.area());
    match state.screen {
        Screen::Secrets => {
            secrets::render(frame, layout.list, state, theme);
            details::render(frame, layout.details, state, theme);
            versions::render(frame, layout.versions, state, theme);
        }
        Screen::Deleted => deleted::render_deleted(frame, layout::body(frame.area()), state, theme),
        Screen::Expiry => expiry::render_expiry(frame, layout::body(frame.area()), state, theme),
        Screen::Operations => {
            operations::render_operations(frame, layout::body(frame.area()), state, theme)
        }
        Screen::Vaults => vaults::render_vaults(frame, layout::body(frame.area()), state, theme),
    }
    status::render(frame, layout.status, state, theme);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => overlays::render_help(frame, *scroll, theme),
        Overlay::ProfilePicker { cursor } => overlays::render_picker(frame, state, *cursor, theme),
        Overlay::Form(form) => form::render(frame, state, form, theme),
        Overlay::Review(review) => {
            review::render(frame, state, review, crate::keymap::Context::Review, theme)
        }
        Overlay::Confirm(confirm) => dialogs::render_confirm(frame, state, confirm, theme),
        Overlay::Prompt(prompt) => dialogs::render_prompt(frame, state, prompt, theme),
        Overlay::Diff(diff) => diff::render_diff(frame, state, diff, theme),
        Overlay::CopyTarget { cursor } => dialogs::render_copy_target(frame, state, *cursor, theme),
        Overlay::Reference(chooser) => reference::render(frame, state, chooser, theme),
        Overlay::Bulk(bulk) => bulk::render(frame, state, bulk, theme),
    }
    if let Some(work) = &state.quit_question {
        overlays::render_question(
            frame,
            "Quit kvtui?",
            &format!("{}.", upper_first(&printable(work))),
            (crate::keymap::Context::ConfirmQuit, "quit anyway", "stay"),
            theme,
        );
    }
    drop_hidden(frame.buffer_mut());
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A bordered box with its title; the border is bright while the box has the keyboard.
pub(crate) fn boxed<'a>(
    title: impl Into<Cow<'a, str>>,
    focused: bool,
    theme: &Theme,
) -> ratatui::widgets::Block<'a> {
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(theme.border(focused))
        .title(ratatui::text::Span::styled(title, theme.title()))
}

/// Draws a `boxed` pane over `area` and gives the area inside its border.
pub(crate) fn framed<'a>(
    frame: &mut Frame,
    area: ratatui::layout::Rect,
    title: impl Into<Cow<'a, str>>,
    focused: bool,
    theme: &Theme,
) -> ratatui::layout::Rect {
    let block = boxed(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A date and time in a 16-column cell; one past year 9999 is cut with `…`.
pub(crate) fn date(unix: Option<i64>) -> String {
    unix.map(|u| cut_words(&crate::when::Utc::of(u).minute(), 16).into_owned())
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_drawn_as_pictures() {
        assert_eq!(printable("a\x1b[2Jb\x07"), "a\u{241b}[2Jb\u{2407}");
        assert!(matches!(printable("plain"), Cow::Borrowed("plain")));
        assert!(matches!(printable("naïve 中文 …"), Cow::Borrowed(_)));
    }

    #[test]
    fn format_characters_are_written_out() {
        assert_eq!(
            printable("env=\u{202e}DORP\u{202c}"),
            "env=⟨U+202E⟩DORP⟨U+202C⟩"
        );
        assert_eq!(printable("a\u{200b}b\u{e0041}"), "a⟨U+200B⟩b⟨U+E0041⟩");
    }

    #[test]
    fn nothing_hidden_is_left_in_a_cell() {
        let mut buffer = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 6, 1));
        buffer.set_string(0, 0, "ab", ratatui::style::Style::new());
        buffer[(0, 0)].set_symbol("a\u{202e}");
        buffer[(1, 0)].set_symbol("b\u{e0041}\u{200d}");
        buffer[(2, 0)].set_symbol("\u{ad}");
        buffer[(3, 0)].set_symbol("中");
        drop_hidden(&mut buffer);
        let symbols: Vec<&str> = buffer.content.iter().map(|cell| cell.symbol()).collect();
        assert_eq!(symbols, ["a", "b", " ", "中", " ", " "]);
    }

    #[test]
    fn long_messages_lose_whole_words() {
        assert_eq!(
            cut_words("Set db: new version 57c3 is current", 34),
            "Set db: new version 57c3 is…"
        );
        assert_eq!(cut_words("short", 10), "short");
        assert_eq!(cut_words("abcdefghij", 5), "abcd…");
        assert_eq!(cut_words("", 0), "");
    }

    #[test]
    fn words_wrap_and_long_words_are_cut() {
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap_words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("", 4), [""]);
    }
}
