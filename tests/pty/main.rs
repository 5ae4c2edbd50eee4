//! End to end in a terminal: the real `kvtui` binary in a pseudo-terminal against real local
//! vaults over HTTPS — what a user sees and types, what the vault then holds, and what reaches
//! the terminal (and what does not) when a value is hostile or the program panics.

#[path = "../support/mod.rs"]
mod support;

mod terminal_injection;
mod terminal_safety;
mod tui_bulk;
mod tui_operator;
mod tui_pty;
mod vault_picker;
