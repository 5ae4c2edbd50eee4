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
            let text = if global.json {
                let profiles: Vec<_> = config
                    .profiles
                    .iter()
                    .map(|profile| {
                        serde_json::json!({
                            "name": profile.name,
                            "vault": profile.vault.to_string(),
                            "auth": profile.auth.label(),
                            "readOnly": profile.read_only,
                            "cloud": profile.effective_cloud().to_string(),
                            "default": config.is_default(&profile.name),
                        })
                    })
                    .collect();
                serde_json::json!({ "source": config.source.to_string(), "profiles": profiles })
                    .to_string()
            } else {
                let mut lines = vec![format!("profiles from {}", config.source)];
                for profile in &config.profiles {
                    let marker = if config.is_default(&profile.name) {
                        "*"
                    } else {
                        " "
                    };
                    let read_only = if profile.read_only { "  read-only" } else { "" };
                    let cloud = profile
                        .cloud
                        .as_ref()
                        .map(|cloud| format!("  cloud {cloud}"))
                        .unwrap_or_default();
                    lines.push(format!(
                        "{marker} {:<16} {:<44} {}{read_only}{cloud}",
                        profile.name,
                        profile.vault.to_string(),
                        profile.auth
                    ));
                }
                lines.join("\n")
            };
            println!("{}", super::terminal_safe(&text));
            Ok(())
        }
    }
}
