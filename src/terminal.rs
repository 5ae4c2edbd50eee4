//! The one place the terminal is set up and given back. Raw mode, the alternate screen and
//! bracketed paste are undone on a normal exit, on panic (the hook restores before the message is
//! printed), and on SIGTERM/SIGHUP (the event loop ends and the caller restores).

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

pub fn init() -> std::io::Result<Tui> {
    install_panic_hook();
    resume()?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Takes the terminal (again, after `$EDITOR` had it): raw mode, alternate screen, paste.
pub fn resume() -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
}

/// Gives the terminal back as it was. Safe to call twice, and on a terminal that is gone.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
