//! The one place the terminal is set up and given back. Raw mode, the alternate screen and
//! bracketed paste are undone on a normal exit, on panic (the hook restores before the message is
//! printed, then ends the process), and on SIGTERM/SIGHUP (the event loop ends and the caller
//! restores).

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::style::{Attribute, ResetColor, SetAttribute};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, Write, stdout};

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// The exit code after a panic, as for any Rust program that panics.
pub const PANIC_EXIT_CODE: i32 = 101;

/// ECMA-48 CAN: ends any escape sequence in progress, so what follows it is read as written even
/// when a frame was cut off in the middle of one.
const CANCEL: &[u8] = b"\x18";

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

/// Gives the terminal back as it was: no half-finished escape sequence, default colours and
/// attributes, bracketed paste off, the main screen, the cursor shown, raw mode off. Safe to call
/// twice, and on a terminal that is gone.
pub fn restore() {
    let mut out = stdout();
    let _ = out.write_all(CANCEL);
    let _ = execute!(
        out,
        ResetColor,
        SetAttribute(Attribute::Reset),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

/// On a panic on any thread: restore the terminal, print the message on the main screen, and end
/// the process. Ending it matters for a panic in a background task: tokio would catch it and the
/// event loop would go on drawing on a terminal that is no longer raw or on the alternate screen.
/// stdout stays locked from the restore to the exit, so no other thread draws in between.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let out = stdout();
        let _drawing_stops_here = out.lock();
        restore();
        previous(info);
        std::process::exit(PANIC_EXIT_CODE);
    }));
}

/// Debug builds only: with `KVTUI_DEBUG_PANIC=main` (on the event loop) or `=task` (in a
/// background task), F12 panics on purpose, so the PTY tests can prove that a panic gives the
/// terminal back. kvtui has no known panic left to trigger, and a test of the panic path needs
/// one. Release builds, which users run, do not have this code at all; in a debug build it takes
/// both the variable, named for what it does, and F12, which nothing else binds.
#[cfg(debug_assertions)]
pub fn debug_panic_on(event: &crossterm::event::Event) {
    use crossterm::event::{Event, KeyCode, KeyEventKind};
    let Event::Key(key) = event else { return };
    if key.code != KeyCode::F(12) || key.kind == KeyEventKind::Release {
        return;
    }
    match std::env::var("KVTUI_DEBUG_PANIC").as_deref() {
        Ok("main") => panic!("KVTUI_DEBUG_PANIC=main: a panic on the event loop, on purpose"),
        Ok("task") => {
            tokio::spawn(async {
                panic!("KVTUI_DEBUG_PANIC=task: a panic in a background task, on purpose")
            });
        }
        _ => {}
    }
}
