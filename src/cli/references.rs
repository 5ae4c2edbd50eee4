//! What `read`, `env`, `inject` and `run` share: references resolved or refused as a whole,
//! variables gathered from `--env`, env files and the environment, and files written for a
//! value.

use super::{Failure, GlobalArgs, fail_service, fail_usage, sign_in_prompts};
use crate::config::{Config, is_variable_name};
use crate::dotenv;
use crate::file_trust::{self, Limit};
use crate::quoting::quoted;
use crate::reference::resolve::{self, Options};
use crate::reference::{Reference, ReferenceError, has_reference_scheme};
use crate::vault::SecretValue;
use clap::Args;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Use an expired or not-yet-valid secret's value too (a disabled one has none).
    #[arg(long)]
    pub allow_expired: bool,
}

/// Every reference's value, in order. A reference that names no profile is a usage error (exit
/// 2) and nothing is fetched; one the vault refuses is exit 1. Either way every failing
/// reference is named.
pub async fn resolve_all(
    global: &GlobalArgs,
    references: &[Reference],
    args: &ResolveArgs,
) -> Result<Vec<SecretValue>, Failure> {
    let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
    let options = Options {
        default_profile: global.profile.clone(),
        allow_expired: args.allow_expired,
    };
    let profiles = resolve::place(&config, references, &options)
        .map_err(|errors| fail_usage(one_message(&errors)))?;
    resolve::fetch(
        references,
        &profiles,
        &options,
        sign_in_prompts(global.json),
    )
    .await
    .map_err(|errors| fail_service(one_message(&errors)))
}

/// One failure's message, or a count and then each on a line of its own.
fn one_message(errors: &[ReferenceError]) -> String {
    match errors {
        [one] => one.to_string(),
        many => format!(
            "{} references cannot be used:\n  {}",
            many.len(),
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  ")
        ),
    }
}

/// A reference given on the command line.
pub fn parse_reference(written: &str) -> Result<Reference, Failure> {
    Reference::parse(written).map_err(fail_usage)
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Set NAME to the value REF names (any reference form).
    #[arg(long = "env", value_name = "NAME=REF")]
    pub env: Vec<String>,
    /// Set every NAME=value of a dotenv file; a value written as a reference (kv://,
    /// akvs://, @Microsoft.KeyVault(…)) is resolved. Later files and --env win.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
}

/// A variable to set: a value as it is, or the value of a reference.
#[derive(Debug)]
pub enum Setting {
    Literal(SecretValue),
    Reference(Reference),
}

/// `NAME=REF` as `--env` takes it.
pub fn parse_assignment(arg: &str) -> Result<(String, Reference), Failure> {
    let (name, written) = arg.split_once('=').ok_or_else(|| {
        fail_usage(format!(
            "--env {}: wants NAME=REF, such as PGPASSWORD=kv://prod/db-password",
            quoted(arg)
        ))
    })?;
    check_variable_name(name)?;
    let reference =
        Reference::parse(written).map_err(|error| fail_usage(format!("{name}: {error}")))?;
    Ok((name.to_owned(), reference))
}

fn check_variable_name(name: &str) -> Result<(), Failure> {
    if is_variable_name(name) {
        Ok(())
    } else {
        Err(fail_usage(format!(
            "{}: a variable name is letters, digits and '_', not starting with a digit",
            quoted(name)
        )))
    }
}

/// The variables to set, each once (the last source to set it wins): the environment's
/// variables whose value is a reference (`inherited`), then each env file, then `--env`.
pub fn gather(
    args: &EnvArgs,
    inherited: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<Vec<(String, Setting)>, Failure> {
    let mut settings = Vec::new();
    for (name, value) in inherited {
        let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
            continue;
        };
        if has_reference_scheme(value) {
            let reference = Reference::parse(value)
                .map_err(|error| fail_usage(format!("environment variable {name}: {error}")))?;
            settings.push((name.to_owned(), Setting::Reference(reference)));
        }
    }
    for path in &args.env_file {
        settings.extend(read_env_file(path)?);
    }
    for arg in &args.env {
        let (name, reference) = parse_assignment(arg)?;
        settings.push((name, Setting::Reference(reference)));
    }
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<_> = settings
        .into_iter()
        .rev()
        .filter(|(name, _)| seen.insert(name.clone()))
        .collect();
    kept.reverse();
    Ok(kept)
}

fn read_env_file(path: &Path) -> Result<Vec<(String, Setting)>, Failure> {
    let shown = path.display();
    let text = file_trust::read_input_text(path, Limit::TEMPLATE).map_err(fail_usage)?;
    let assignments =
        dotenv::parse(&text).map_err(|error| fail_usage(format!("--env-file {shown}: {error}")))?;
    assignments
        .into_iter()
        .map(|assignment| {
            let setting = if has_reference_scheme(assignment.value.expose()) {
                let reference = Reference::parse(assignment.value.expose()).map_err(|error| {
                    fail_usage(format!(
                        "--env-file {shown}: line {}: {}: {error}",
                        assignment.line, assignment.name
                    ))
                })?;
                Setting::Reference(reference)
            } else {
                Setting::Literal(assignment.value)
            };
            Ok((assignment.name, setting))
        })
        .collect()
}

/// A variable with its value, and whether that value came from a vault (and so is masked).
pub struct Resolved {
    pub name: String,
    pub value: SecretValue,
    pub from_vault: bool,
}

/// Each setting's value, references resolved together; a failure names the variable.
pub async fn resolve_settings(
    global: &GlobalArgs,
    settings: Vec<(String, Setting)>,
    args: &ResolveArgs,
) -> Result<Vec<Resolved>, Failure> {
    let references: Vec<Reference> = settings
        .iter()
        .filter_map(|(_, setting)| match setting {
            Setting::Reference(reference) => Some(reference.clone()),
            Setting::Literal(_) => None,
        })
        .collect();
    let mut values = resolve_all(global, &references, args).await?.into_iter();
    Ok(settings
        .into_iter()
        .map(|(name, setting)| match setting {
            Setting::Literal(value) => Resolved {
                name,
                value,
                from_vault: false,
            },
            Setting::Reference(_) => Resolved {
                name,
                value: values
                    .next()
                    .unwrap_or_else(|| SecretValue::new(String::new())),
                from_vault: true,
            },
        })
        .collect())
}

/// Writes a file holding secret values: a new file, owner-only, unless `force` (then the old one
/// is replaced atomically, never truncated in place). A new file left half-written (a full disk)
/// is removed.
pub fn write_secret_file(path: &Path, contents: &[u8], force: bool) -> Result<(), Failure> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |error: std::io::Error| {
        fail_service(format!("{}: cannot write it: {error}", path.display()))
    };
    if force {
        return crate::fsutil::write_private_file(path, contents).map_err(cannot);
    }
    // create_new also refuses a link planted at the path.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => fail_usage(format!(
                "{}: exists; refusing to overwrite it (--force replaces it)",
                path.display()
            )),
            _ => cannot(error),
        })?;
    if let Err(error) = file.write_all(contents).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(cannot(error));
    }
    Ok(())
}
