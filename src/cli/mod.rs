//! Command-line arguments and the subcommands that run without the screen.

pub mod across;
pub mod local_vault;
pub mod profile;
pub mod secret;

use clap::{Args, Parser, Subcommand};
use std::fmt::Display;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kvtui",
    version,
    about = "A keyboard-driven terminal UI and CLI for Azure Key Vault secrets",
    after_help = "With no command, opens the terminal UI."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The profile to use [default: the config's default_profile].
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The config file [default: $KVTUI_CONFIG_DIR/config.toml, else the platform config dir].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with secrets without the screen (for scripts).
    Secret(secret::SecretArgs),
    /// Show the configured vault profiles.
    Profile {
        #[command(subcommand)]
        command: profile::ProfileCommand,
    },
    /// Run the Key Vault-compatible local vault (HTTPS, on-disk store).
    LocalVault(local_vault::LocalVaultArgs),
}

/// Why a command failed, with the exit code it ends with.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

pub type Outcome = Result<(), Failure>;

/// Usage or validation: exit code 2. The message names the field or file.
pub fn fail_usage(message: impl Display) -> Failure {
    Failure {
        code: 2,
        message: message.to_string(),
    }
}

/// The service or the network said no: exit code 1.
pub fn fail_service(message: impl Display) -> Failure {
    Failure {
        code: 1,
        message: message.to_string(),
    }
}

/// Prints a failure as `error: …` and turns the outcome into an exit code.
pub fn exit_code(outcome: Outcome) -> i32 {
    match outcome {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            failure.code
        }
    }
}
