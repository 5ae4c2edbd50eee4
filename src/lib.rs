//! kvtui: a keyboard-driven terminal UI and CLI for Azure Key Vault secrets, and the
//! Key Vault-compatible local vault it uses by default and is tested against.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clipboard;
pub mod cloud;
pub mod conceal;
pub mod config;
pub mod discovery;
pub mod dotenv;
pub mod editor;
pub mod file_trust;
pub mod format_chars;
pub mod fsutil;
pub mod hardening;
pub mod keymap;
pub mod layout;
pub mod local_vault;
pub mod logging;
pub mod quoting;
pub mod random;
pub mod reference;
pub mod session;
pub mod state;
pub mod terminal;
pub mod transfer;
pub mod ui;
pub mod vault;
pub mod when;
