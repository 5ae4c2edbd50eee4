//! `kvtui profile list`.

use super::{GlobalArgs, Outcome, fail_usage};
use crate::config::Config;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List the profiles; `*` marks the default.
    List,
}

pub fn run(global: &GlobalArgs, command: ProfileCommand) -> Outcome {
    match command {
        ProfileCommand::List => {
            let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
            println!("profiles from {}", config.source);
            for profile in &config.profiles {
                let marker = if config.is_default(&profile.name) {
                    "*"
                } else {
                    " "
                };
                let read_only = if profile.read_only { "  read-only" } else { "" };
                println!(
                    "{marker} {:<16} {:<44} {}{read_only}",
                    profile.name,
                    profile.vault.to_string(),
                    profile.auth
                );
            }
            Ok(())
        }
    }
}
