//! `kvtui env`: `NAME=value` lines for `eval`, or for a tool that reads dotenv or JSON.

use super::references::{
    EnvArgs, ResolveArgs, Resolved, Setting, gather, parse_assignment, parse_reference,
    resolve_settings,
};
use super::{GlobalArgs, Outcome, fail_service, fail_usage};
use crate::config::is_variable_name;
use crate::dotenv::dotenv_value;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct EnvCommandArgs {
    /// NAME=REF, or a bare REF, whose variable is the secret's name in capitals with '-' as '_'
    /// (kv://prod/db-password sets DB_PASSWORD).
    #[arg(value_name = "REF")]
    pub references: Vec<String>,
    #[command(flatten)]
    pub sources: EnvArgs,
    /// How each variable is written.
    #[arg(long, value_enum, default_value_t = Format::Dotenv)]
    pub format: Format,
    /// Print to a terminal too (values stay in its scrollback).
    #[arg(long)]
    pub reveal: bool,
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// NAME=value, quoted as dotenv readers read it back.
    Dotenv,
    /// One JSON object of names and values.
    Json,
    /// export NAME='value', for eval in a POSIX shell.
    Shell,
}

pub async fn run(global: &GlobalArgs, args: EnvCommandArgs) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    if stdout.is_terminal() && !args.reveal {
        return Err(fail_usage(
            "refusing to print secret values to a terminal: pipe it, eval it \
             (eval \"$(kvtui env --format shell …)\"), or give --reveal",
        ));
    }
    if args.references.is_empty() && args.sources.env.is_empty() && args.sources.env_file.is_empty()
    {
        return Err(fail_usage(
            "give at least one REF, --env NAME=REF or --env-file FILE",
        ));
    }
    let mut settings = gather(&args.sources, [])?;
    for written in &args.references {
        let (name, reference) = if written
            .split_once('=')
            .is_some_and(|(name, _)| is_variable_name(name))
        {
            parse_assignment(written)?
        } else {
            let reference = parse_reference(written)?;
            (variable_for(&reference.name), reference)
        };
        settings.retain(|(known, _)| *known != name);
        settings.push((name, Setting::Reference(reference)));
    }
    let resolved = resolve_settings(global, settings, &args.resolve).await?;
    let text = render(&resolved, args.format);
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| fail_service(format!("standard output: {error}")))
}

/// A secret's name as a variable: `db-password` is `DB_PASSWORD`.
fn variable_for(secret: &str) -> String {
    let name = secret.to_ascii_uppercase().replace('-', "_");
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

fn render(resolved: &[Resolved], format: Format) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    match format {
        Format::Dotenv | Format::Shell => {
            for variable in resolved {
                let value = variable.value.expose();
                let line = Zeroizing::new(match format {
                    Format::Shell => format!("export {}={}\n", variable.name, *shell_value(value)),
                    _ => format!("{}={}\n", variable.name, *dotenv_value(value)),
                });
                out.push_str(&line);
            }
        }
        Format::Json => {
            out.push('{');
            for (index, variable) in resolved.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                let pair = Zeroizing::new(format!(
                    "{}:{}",
                    serde_json::Value::from(variable.name.as_str()),
                    serde_json::Value::from(variable.value.expose())
                ));
                out.push_str(&pair);
            }
            out.push_str("}\n");
        }
    }
    out
}

/// A value as a POSIX shell reads it back unchanged: in single quotes, each `'` written `'\''`.
fn shell_value(value: &str) -> Zeroizing<String> {
    Zeroizing::new(format!("'{}'", value.replace('\'', r"'\''")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretValue;

    fn resolved(pairs: &[(&str, &str)]) -> Vec<Resolved> {
        pairs
            .iter()
            .map(|(name, value)| Resolved {
                name: (*name).to_owned(),
                value: SecretValue::new(*value),
                from_vault: true,
            })
            .collect()
    }

    #[test]
    fn each_format_carries_the_value_as_it_is() {
        let vars = resolved(&[("A", "it's $x"), ("B", "l1\nl2")]);
        assert_eq!(
            *render(&vars, Format::Shell),
            "export A='it'\\''s $x'\nexport B='l1\nl2'\n"
        );
        assert_eq!(
            *render(&vars, Format::Dotenv),
            "A=\"it's $x\"\nB=\"l1\\nl2\"\n"
        );
        assert_eq!(
            *render(&vars, Format::Json),
            "{\"A\":\"it's $x\",\"B\":\"l1\\nl2\"}\n"
        );
    }

    #[test]
    fn a_secret_name_becomes_a_variable_name() {
        assert_eq!(variable_for("db-password"), "DB_PASSWORD");
        assert_eq!(variable_for("1st-key"), "_1ST_KEY");
    }
}
