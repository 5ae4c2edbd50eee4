//! One-line and multi-line text inputs (ratatui-textarea) as the form and the dialogs use
//! them.

use ratatui_textarea::TextArea;

/// A one-line input holding `initial`, the cursor at its end.
pub fn single_line(initial: &str) -> TextArea<'static> {
    let mut area = TextArea::new(vec![initial.to_owned()]);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

/// A key typed into a one-line input (a name to confirm, a file path). Tab and Enter are not
/// text there: a tab in a path names a file nobody meant. Ctrl-u clears what is before the
/// cursor, as in a shell (and the filter), rather than undoing.
pub fn type_into_line(area: &mut TextArea<'static>, key: crossterm::event::KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Enter => false,
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            area.delete_line_by_head()
        }
        _ => area.input(key),
    }
}

/// A key typed into a filter's query (the secret list's, the vault picker's): a character is
/// added, Backspace takes the last one, Ctrl-u clears it. Returns whether the query changed.
pub fn type_into_query(query: &mut String, key: crossterm::event::KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace => query.pop().is_some(),
        KeyCode::Char('u') if control => {
            let had = !query.is_empty();
            query.clear();
            had
        }
        KeyCode::Char(c) if !control => {
            query.push(c);
            true
        }
        _ => false,
    }
}

/// The text of an input, lines joined with `\n` exactly as typed.
pub fn text(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}
