//! Command-line arguments and the subcommands that run without the screen.

pub mod local_vault;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kvtui",
    version,
    about = "A keyboard-driven terminal UI and CLI for Azure Key Vault secrets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Key Vault-compatible local vault (HTTPS, on-disk store).
    LocalVault(local_vault::LocalVaultArgs),
}
