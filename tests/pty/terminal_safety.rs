//! A panic gives the terminal back, in the real binary in a PTY: raw mode off, the alternate screen
//! left, the cursor shown, the message readable on the main screen, and nothing half-written —
//! no frame drawn after the restore, no escape sequence left open, no colour or attribute left on
//! for the shell's next line. (SIGTERM and SIGHUP are in `tui_pty.rs`.)
//!
//! A debug build's F12 panics on purpose under `KVTUI_DEBUG_PANIC` (see `terminal.rs`); release
//! builds have no such key, so these tests need a debug build.
#![cfg(debug_assertions)]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use support::{Kvtui, VaultProcess};

const F12: &str = "\x1b[24~";
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn panic_in(place: &str) {
    let vault = VaultProcess::start();
    let kvtui = Kvtui::with_config(&vault.profile_toml("e2e", false));
    let mut tui = kvtui.tui_in_shell(
        &[("KVTUI_DEBUG_PANIC", place), ("RUST_BACKTRACE", "0")],
        (80, 24),
    );
    tui.wait_for("No secrets yet");
    // A form half filled in, in colour and reverse video, so there is state to leave behind.
    tui.start_new_secret("half-typed", "value");
    tui.send(F12);

    // Given back: the main screen, the cursor, cooked mode with echo.
    let screen = tui.wait_terminal_given_back();
    // The process ended, with Rust's panic code, and the message is there to read.
    assert!(screen.contains("EXIT=101"), "{screen}");
    assert!(
        screen.contains(&format!("KVTUI_DEBUG_PANIC={place}")),
        "the panic message is not on the main screen:\n{screen}"
    );

    // Nothing half-written: after the last time kvtui left the alternate screen, it drew nothing
    // more (no cursor moves, no return to the alternate screen), only the panic message.
    let raw = tui.raw();
    let left = rfind(&raw, LEAVE_ALTERNATE_SCREEN).expect("never left the alternate screen");
    let exit = find(&raw[left..], b"EXIT=").map(|at| left + at).unwrap();
    let after = String::from_utf8_lossy(&raw[left + LEAVE_ALTERNATE_SCREEN.len()..exit]);
    let drawing = [
        "\x1b[?1049h",
        "\x1b[?25l",
        ";1H",
        "\x1b[H",
        "\x1b[38;",
        "\x1b[48;",
    ];
    for sequence in drawing {
        assert!(
            !after.contains(sequence),
            "{sequence:?} was written after the terminal was restored: {after:?}"
        );
    }
    // And the shell's next line starts clean: its text is whole and in default colours.
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, line)| line.starts_with("EXIT="))
        .expect("EXIT= at the start of a line: an escape sequence left open swallows it");
    assert_eq!(line, "EXIT=101");
    tui.with_screen(|s| {
        for col in 0..line.len() as u16 {
            let cell = s.cell(row as u16, col).unwrap();
            assert!(
                cell.fgcolor() == vt100::Color::Default
                    && cell.bgcolor() == vt100::Color::Default
                    && !cell.bold()
                    && !cell.inverse()
                    && !cell.underline(),
                "the shell's text is drawn with kvtui's leftover attributes at column {col}"
            );
        }
    });
}

#[test]
fn a_panic_on_the_event_loop_gives_the_terminal_back() {
    panic_in("main");
}

#[test]
fn a_panic_in_a_background_task_gives_the_terminal_back_and_ends_kvtui() {
    panic_in("task");
}
