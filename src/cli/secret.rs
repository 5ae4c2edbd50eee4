//! `kvtui secret …`: the client without the screen, for scripts and tests.
//!
//! Exit codes: 0 ok; 2 usage or validation (the message names the field); 1 service or transport
//! error (the message carries the service's code and message). A value is never taken from argv,
//! and `show` masks it unless `--reveal`.

use super::{GlobalArgs, Outcome, fail_service, fail_usage};
use crate::config::Config;
use crate::session::Session;
use crate::vault::rules::{self, Violation};
use crate::vault::{
    BackupBlob, DeletedSecretBundle, SecretAttributes, SecretBundle, SecretItem, SecretValue,
    SetSecretParameters, Tags, UpdateSecretParameters, VaultClient,
};
use crate::when::{When, format_utc, now_unix, parse_when};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Print the service's JSON shapes instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: SecretCommand,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret: a new secret, or a new version of an existing one.
    Set(SetArgs),
    /// Show a secret's attributes; the value is masked unless --reveal.
    Show {
        name: String,
        #[arg(long)]
        version: Option<String>,
        /// Print the value.
        #[arg(long)]
        reveal: bool,
    },
    /// List the vault's secrets, page by page as they arrive.
    List,
    /// List every version of a secret, newest first.
    Versions { name: String },
    /// Change a version's attributes without making a new version.
    Update(UpdateArgs),
    /// Delete a secret (soft-deleted when the vault's recovery level allows).
    Delete { name: String },
    /// List deleted secrets.
    Deleted,
    /// Recover a deleted secret with all its versions.
    Recover { name: String },
    /// Permanently remove a deleted secret.
    Purge { name: String },
    /// Write a secret's backup blob (encrypted by the vault) to a new file.
    Backup {
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a secret from a backup blob file.
    Restore {
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// A new version from an older one: its value, content type and tags (dates are not copied).
    Rollback {
        name: String,
        /// The version to roll back to.
        #[arg(long)]
        version: String,
    },
    /// Copy the latest version (value, content type, tags, dates) to another profile's vault.
    Copy {
        name: String,
        /// The profile to copy into (the source is --profile).
        #[arg(long)]
        to: String,
    },
    /// Secrets in every profile that are expired, expire soon, or never expire.
    Expiring {
        /// How far ahead to look.
        #[arg(long, default_value_t = 30, value_name = "DAYS")]
        within: i64,
    },
}

#[derive(Debug, Args)]
pub struct SetArgs {
    pub name: String,
    /// Read the value from this file, byte for byte.
    #[arg(long, conflicts_with = "value_stdin")]
    pub value_file: Option<PathBuf>,
    /// Read the value from standard input, byte for byte.
    #[arg(long)]
    pub value_stdin: bool,
    #[arg(long)]
    pub content_type: Option<String>,
    /// A tag, KEY=VALUE; repeat for more.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Expiry: RFC 3339, a date, +90d / +12h / +2w, or never.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    /// Not before: RFC 3339, a date, +90d / +12h / +2w, or never.
    #[arg(long, value_name = "WHEN")]
    pub not_before: Option<String>,
    /// Create the version disabled.
    #[arg(long)]
    pub disabled: bool,
    /// Generate a random value of this many characters instead of reading one.
    #[arg(long, value_name = "LENGTH", conflicts_with_all = ["value_file", "value_stdin"])]
    pub generate: Option<usize>,
    /// The generated value's characters: letters+digits, letters+digits+symbols, hex, base64url.
    #[arg(long, requires = "generate", default_value = "letters+digits")]
    pub alphabet: String,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub name: String,
    /// The version to change [default: the latest].
    #[arg(long)]
    pub version: Option<String>,
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,
    #[arg(long)]
    pub disable: bool,
    #[arg(long)]
    pub content_type: Option<String>,
    /// A tag, KEY=VALUE; repeat for more. Replaces all of the version's tags.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    #[arg(long, value_name = "WHEN")]
    pub not_before: Option<String>,
}

impl SecretCommand {
    fn writes(&self) -> bool {
        !matches!(
            self,
            Self::Show { .. }
                | Self::List
                | Self::Versions { .. }
                | Self::Deleted
                | Self::Backup { .. }
                | Self::Copy { .. }
                | Self::Expiring { .. }
        )
    }

    fn verb(&self) -> &'static str {
        match self {
            Self::Set(_) => "set",
            Self::Show { .. } => "show",
            Self::List => "list",
            Self::Versions { .. } => "versions",
            Self::Update(_) => "update",
            Self::Delete { .. } => "delete",
            Self::Deleted => "deleted",
            Self::Recover { .. } => "recover",
            Self::Purge { .. } => "purge",
            Self::Backup { .. } => "backup",
            Self::Restore { .. } => "restore",
            Self::Copy { .. } => "copy",
            Self::Rollback { .. } => "roll back",
            Self::Expiring { .. } => "expiring",
        }
    }
}

/// Parses `KEY=VALUE` tags, refusing duplicates and the service's limits.
pub fn parse_tags(raw: &[String]) -> Result<Option<Tags>, Violation> {
    if raw.is_empty() {
        return Ok(None);
    }
    let mut tags = Tags::new();
    for entry in raw {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(Violation {
                field: rules::Field::Tags,
                problem: format!("{entry:?} is not KEY=VALUE"),
            });
        };
        if tags.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(Violation {
                field: rules::Field::Tags,
                problem: format!("tag {key:?} is given twice"),
            });
        }
    }
    rules::check_tags(&tags)?;
    Ok(Some(tags))
}

/// Parses a WHEN flag; `Ok(None)` when absent.
fn when_flag(raw: &Option<String>, field: rules::Field) -> Result<Option<When>, Violation> {
    raw.as_deref()
        .map(|text| parse_when(text, now_unix()).map_err(|problem| Violation { field, problem }))
        .transpose()
}

fn at(when: Option<When>) -> Option<i64> {
    match when {
        Some(When::At(unix)) => Some(unix),
        _ => None,
    }
}

pub async fn run(global: &GlobalArgs, args: SecretArgs) -> Outcome {
    let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
    if let SecretCommand::Expiring { within } = &args.command {
        return super::across::expiring(&config, *within, args.json).await;
    }
    let profile = config
        .select(global.profile.as_deref())
        .map_err(fail_usage)?;
    if profile.read_only && args.command.writes() {
        return Err(fail_usage(format!(
            "profile {} is read-only: refusing to {} (nothing was sent)",
            profile.name,
            args.command.verb()
        )));
    }
    if let SecretCommand::Copy { name, to } = &args.command {
        rules::check_name(name).map_err(fail_usage)?;
        return super::across::copy(&config, profile, name, to, args.json).await;
    }
    // Everything that can be checked without the vault is checked before opening it.
    let request = Request::prepare(args.command)?;
    let session = Session::open(profile).await.map_err(fail_service)?;
    let outcome = request.execute(&session.client, args.json).await;
    session.close().await;
    outcome
}

/// A command with its input read and checked, ready to send.
enum Request {
    Set {
        name: String,
        params: SetSecretParameters,
    },
    Show {
        name: String,
        version: Option<String>,
        reveal: bool,
    },
    List,
    Versions(String),
    Update {
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
    },
    Delete(String),
    Deleted,
    Recover(String),
    Purge(String),
    Backup {
        name: String,
        out: PathBuf,
    },
    Restore(BackupBlob),
    Rollback {
        name: String,
        version: String,
    },
}

fn read_value(args: &SetArgs) -> Result<SecretValue, super::Failure> {
    if let Some(length) = args.generate {
        let alphabet = crate::random::Alphabet::from_label(&args.alphabet).ok_or_else(|| {
            fail_usage(format!(
                "alphabet: {:?} is not one of letters+digits, letters+digits+symbols, hex, base64url",
                args.alphabet
            ))
        })?;
        if !(1..=4096).contains(&length) {
            return Err(fail_usage(format!(
                "generate: {length} characters; give 1 to 4096"
            )));
        }
        return Ok(crate::random::generate(length, alphabet));
    }
    let bytes = if let Some(path) = &args.value_file {
        Zeroizing::new(std::fs::read(path).map_err(|error| {
            fail_usage(format!(
                "value: cannot read --value-file {}: {error}",
                path.display()
            ))
        })?)
    } else if args.value_stdin {
        let mut buffer = Zeroizing::new(Vec::new());
        std::io::stdin()
            .read_to_end(&mut buffer)
            .map_err(|error| fail_usage(format!("value: cannot read standard input: {error}")))?;
        buffer
    } else if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password(format!("Value for {} (not echoed): ", args.name))
            .map_err(|error| {
            fail_usage(format!("value: cannot read from the terminal: {error}"))
        })?;
        Zeroizing::new(typed.into_bytes())
    } else {
        return Err(fail_usage(
            "value: standard input is not a terminal; pass --value-file PATH or --value-stdin",
        ));
    };
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        fail_usage("value: not UTF-8 text; Key Vault stores text, so base64-encode binary data")
    })?;
    Ok(SecretValue::new(text))
}

impl Request {
    fn prepare(command: SecretCommand) -> Result<Self, super::Failure> {
        let check_name = |name: &str| rules::check_name(name).map_err(fail_usage);
        Ok(match command {
            // They span profiles, so `run` hands them to `across` before a session is opened.
            SecretCommand::Copy { .. } | SecretCommand::Expiring { .. } => {
                return Err(fail_usage(
                    "copy and expiring are not single-vault requests",
                ));
            }
            SecretCommand::Rollback { name, version } => {
                check_name(&name)?;
                Self::Rollback { name, version }
            }
            SecretCommand::Set(args) => {
                check_name(&args.name)?;
                let tags = parse_tags(&args.tags).map_err(fail_usage)?;
                let expires =
                    when_flag(&args.expires, rules::Field::Expires).map_err(fail_usage)?;
                let not_before =
                    when_flag(&args.not_before, rules::Field::NotBefore).map_err(fail_usage)?;
                let value = read_value(&args)?;
                let params = SetSecretParameters {
                    value,
                    tags,
                    content_type: args.content_type.clone(),
                    attributes: Some(SecretAttributes {
                        enabled: Some(!args.disabled),
                        nbf: at(not_before),
                        exp: at(expires),
                        ..SecretAttributes::default()
                    }),
                };
                rules::check_set(&args.name, &params).map_err(fail_usage)?;
                Self::Set {
                    name: args.name,
                    params,
                }
            }
            SecretCommand::Show {
                name,
                version,
                reveal,
            } => {
                check_name(&name)?;
                Self::Show {
                    name,
                    version,
                    reveal,
                }
            }
            SecretCommand::List => Self::List,
            SecretCommand::Versions { name } => {
                check_name(&name)?;
                Self::Versions(name)
            }
            SecretCommand::Update(args) => {
                check_name(&args.name)?;
                let tags = parse_tags(&args.tags).map_err(fail_usage)?;
                let expires =
                    when_flag(&args.expires, rules::Field::Expires).map_err(fail_usage)?;
                let not_before =
                    when_flag(&args.not_before, rules::Field::NotBefore).map_err(fail_usage)?;
                if expires == Some(When::Never) || not_before == Some(When::Never) {
                    return Err(fail_usage(
                        "expires: `never` cannot be set by update, as the service keeps a date once set; \
                         set a new version without --expires instead",
                    ));
                }
                let enabled = match (args.enable, args.disable) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                };
                let attributes = SecretAttributes {
                    enabled,
                    nbf: at(not_before),
                    exp: at(expires),
                    ..SecretAttributes::default()
                };
                let params = UpdateSecretParameters {
                    content_type: args.content_type,
                    attributes: (attributes != SecretAttributes::default()).then_some(attributes),
                    tags,
                };
                if params == UpdateSecretParameters::default() {
                    return Err(fail_usage(
                        "nothing to update: pass --enable, --disable, --content-type, --tag, --expires or --not-before",
                    ));
                }
                rules::check_update(&args.name, &params).map_err(fail_usage)?;
                Self::Update {
                    name: args.name,
                    version: args.version,
                    params,
                }
            }
            SecretCommand::Delete { name } => {
                check_name(&name)?;
                Self::Delete(name)
            }
            SecretCommand::Deleted => Self::Deleted,
            SecretCommand::Recover { name } => {
                check_name(&name)?;
                Self::Recover(name)
            }
            SecretCommand::Purge { name } => {
                check_name(&name)?;
                Self::Purge(name)
            }
            SecretCommand::Backup { name, out } => {
                check_name(&name)?;
                if out.exists() {
                    return Err(fail_usage(format!(
                        "--out {}: the file exists; refusing to overwrite it",
                        out.display()
                    )));
                }
                Self::Backup { name, out }
            }
            SecretCommand::Restore { input } => {
                let text = std::fs::read_to_string(&input).map_err(|error| {
                    fail_usage(format!("--in {}: cannot read: {error}", input.display()))
                })?;
                Self::Restore(BackupBlob {
                    value: text.trim().to_owned(),
                })
            }
        })
    }

    async fn execute(self, client: &VaultClient, json: bool) -> Outcome {
        let mut out = std::io::stdout().lock();
        let mut print = |text: String| {
            let _ = writeln!(out, "{}", super::terminal_safe(&text));
        };
        match self {
            Self::Set { name, params } => {
                let bundle = client
                    .set_secret(&name, &params)
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    to_json(&without_value(bundle))
                } else {
                    format!("set {name}: {}", describe_version(&bundle))
                });
            }
            Self::Show {
                name,
                version,
                reveal,
            } => {
                let bundle = client
                    .get_secret(&name, version.as_deref())
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    to_json(&if reveal {
                        bundle
                    } else {
                        without_value(bundle)
                    })
                } else {
                    show_text(&bundle, reveal)
                });
            }
            Self::List => list_items(client.list_secrets(), json, &mut print).await?,
            Self::Versions(name) => {
                let mut versions = client
                    .list_versions(&name)
                    .collect_all()
                    .await
                    .map_err(fail_service)?;
                crate::vault::newest_first(&mut versions);
                if json {
                    print(to_json(&versions));
                } else {
                    print(format!(
                        "{:<32}  {:<8}  {:<20}  {:<20}  EXPIRES",
                        "VERSION", "ENABLED", "CREATED", "UPDATED"
                    ));
                    for (index, item) in versions.iter().enumerate() {
                        let version = item
                            .secret_id()
                            .and_then(|id| id.version)
                            .unwrap_or_default();
                        let attributes = item.attributes.clone().unwrap_or_default();
                        print(format!(
                            "{version:<32}  {:<8}  {:<20}  {:<20}  {}{}",
                            yes_no(attributes.enabled),
                            date_or_dash(attributes.created),
                            date_or_dash(attributes.updated),
                            date_or_dash(attributes.exp),
                            if index == 0 { "  (latest)" } else { "" }
                        ));
                    }
                }
            }
            Self::Update {
                name,
                version,
                params,
            } => {
                let bundle = client
                    .update_secret(&name, version.as_deref(), &params)
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    to_json(&bundle)
                } else {
                    format!("updated {name}: {}", describe_version(&bundle))
                });
            }
            Self::Delete(name) => {
                let deleted = client.delete_secret(&name).await.map_err(fail_service)?;
                print(if json {
                    to_json(&deleted)
                } else {
                    describe_deleted(&name, &deleted)
                });
            }
            Self::Deleted => {
                let deleted = client
                    .list_deleted_secrets()
                    .collect_all()
                    .await
                    .map_err(fail_service)?;
                if json {
                    print(to_json(&deleted));
                } else {
                    print(format!("{:<40}  {:<20}  PURGE DATE", "NAME", "DELETED"));
                    for item in &deleted {
                        let name = item.item.secret_id().map(|id| id.name).unwrap_or_default();
                        print(format!(
                            "{name:<40}  {:<20}  {}",
                            date_or_dash(item.deletion.deleted_date),
                            date_or_dash(item.deletion.scheduled_purge_date)
                        ));
                    }
                }
            }
            Self::Recover(name) => {
                let bundle = client
                    .recover_deleted_secret(&name)
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    to_json(&bundle)
                } else {
                    format!("recovered {name}: {}", describe_version(&bundle))
                });
            }
            Self::Purge(name) => {
                client
                    .purge_deleted_secret(&name)
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    "{}".to_owned()
                } else {
                    format!("purged {name}")
                });
            }
            Self::Backup { name, out } => {
                let blob = client.backup_secret(&name).await.map_err(fail_service)?;
                write_new_private_file(&out, blob.value.as_bytes())?;
                print(if json {
                    to_json(&serde_json::json!({ "name": name, "file": out }))
                } else {
                    format!("backed up {name} to {}", out.display())
                });
            }
            Self::Rollback { name, version } => {
                let old = client
                    .get_secret(&name, Some(&version))
                    .await
                    .map_err(fail_service)?;
                let value = old.value.clone().ok_or_else(|| {
                    fail_service(format!("{name} version {version} has no value"))
                })?;
                let params = SetSecretParameters {
                    value,
                    tags: old.tags.clone(),
                    content_type: old.content_type.clone(),
                    attributes: None,
                };
                let bundle = client
                    .set_secret(&name, &params)
                    .await
                    .map_err(fail_service)?;
                print(if json {
                    to_json(&without_value(bundle))
                } else {
                    format!(
                        "rolled {name} back to version {version}: new {}",
                        describe_version(&bundle)
                    )
                });
            }
            Self::Restore(blob) => {
                let bundle = client.restore_secret(&blob).await.map_err(fail_service)?;
                print(if json {
                    to_json(&bundle)
                } else {
                    let name = bundle.secret_id().map(|id| id.name).unwrap_or_default();
                    format!("restored {name}: {}", describe_version(&bundle))
                });
            }
        }
        Ok(())
    }
}

fn write_new_private_file(path: &std::path::Path, contents: &[u8]) -> Outcome {
    crate::fsutil::write_new_private_file(path, contents)
        .map_err(|error| fail_usage(format!("--out {}: {error}", path.display())))
}

/// Streams the list: each page is printed as it arrives, even as JSON (one array, written as
/// it grows).
async fn list_items(
    mut pager: crate::vault::Pager<SecretItem>,
    json: bool,
    print: &mut impl FnMut(String),
) -> Outcome {
    let mut first = true;
    if json {
        print("[".to_owned());
    } else {
        print(format!(
            "{:<40}  {:<8}  {:<24}  {:<20}  EXPIRES",
            "NAME", "ENABLED", "CONTENT TYPE", "UPDATED"
        ));
    }
    while let Some(page) = pager.next_page().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                if json {
                    print("]".to_owned());
                }
                return Err(fail_service(error));
            }
        };
        // One write per page, not per line: 10,000 secrets are 400 writes instead of 10,000.
        let mut text = String::new();
        for item in page {
            if !text.is_empty() {
                text.push('\n');
            }
            if json {
                if !first {
                    text.push(',');
                }
                text.push_str(&serde_json::to_string(&item).unwrap_or_default());
                first = false;
            } else {
                let name = item.secret_id().map(|id| id.name).unwrap_or_default();
                let attributes = item.attributes.clone().unwrap_or_default();
                text.push_str(&format!(
                    "{name:<40}  {:<8}  {:<24}  {:<20}  {}",
                    yes_no(attributes.enabled),
                    item.content_type.as_deref().unwrap_or("-"),
                    date_or_dash(attributes.updated),
                    date_or_dash(attributes.exp)
                ));
            }
        }
        if !text.is_empty() {
            print(text);
        }
    }
    if json {
        print("]".to_owned());
    }
    Ok(())
}

fn without_value(mut bundle: SecretBundle) -> SecretBundle {
    bundle.value = None;
    bundle
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn yes_no(flag: Option<bool>) -> &'static str {
    match flag {
        Some(false) => "no",
        _ => "yes",
    }
}

fn date_or_dash(unix: Option<i64>) -> String {
    unix.map(format_utc).unwrap_or_else(|| "-".to_owned())
}

fn describe_version(bundle: &SecretBundle) -> String {
    let version = bundle
        .secret_id()
        .and_then(|id| id.version)
        .unwrap_or_default();
    let attributes = bundle.attributes.clone().unwrap_or_default();
    let mut text = format!(
        "version {version}, {}",
        if attributes.enabled == Some(false) {
            "disabled"
        } else {
            "enabled"
        }
    );
    if let Some(exp) = attributes.exp {
        text.push_str(&format!(", expires {}", format_utc(exp)));
    }
    text
}

fn describe_deleted(name: &str, deleted: &DeletedSecretBundle) -> String {
    let level = deleted
        .secret
        .attributes
        .as_ref()
        .and_then(|a| a.recovery_level.clone())
        .map(|l| l.to_string())
        .unwrap_or_else(|| "unknown recovery level".into());
    match deleted.deletion.scheduled_purge_date {
        Some(purge) => format!(
            "deleted {name}; recoverable until {} ({level}); `kvtui secret recover {name}` brings it back",
            format_utc(purge)
        ),
        None => format!("deleted {name} permanently ({level})"),
    }
}

fn show_text(bundle: &SecretBundle, reveal: bool) -> String {
    let id = bundle.secret_id();
    let attributes = bundle.attributes.clone().unwrap_or_default();
    let mut lines = vec![
        format!(
            "name          {}",
            id.as_ref().map(|i| i.name.as_str()).unwrap_or("-")
        ),
        format!(
            "version       {}",
            id.as_ref()
                .and_then(|i| i.version.as_deref())
                .unwrap_or("-")
        ),
        format!("id            {}", bundle.id.as_deref().unwrap_or("-")),
        format!("enabled       {}", yes_no(attributes.enabled)),
        format!(
            "content type  {}",
            bundle.content_type.as_deref().unwrap_or("-")
        ),
        format!("created       {}", date_or_dash(attributes.created)),
        format!("updated       {}", date_or_dash(attributes.updated)),
        format!("not before    {}", date_or_dash(attributes.nbf)),
        format!("expires       {}", date_or_dash(attributes.exp)),
    ];
    if let Some(level) = &attributes.recovery_level {
        lines.push(format!(
            "recovery      {level}, {} days: {}",
            attributes.recoverable_days.unwrap_or_default(),
            level.describe(attributes.recoverable_days)
        ));
    }
    for (key, value) in bundle.tags.iter().flatten() {
        lines.push(format!("tag           {key}={value}"));
    }
    match (&bundle.value, reveal) {
        (Some(value), true) => lines.push(format!("value         {}", value.expose())),
        (Some(value), false) => lines.push(format!(
            "value         •••••••• ({} bytes; --reveal shows it)",
            value.len()
        )),
        (None, _) => lines.push("value         -".to_owned()),
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_and_refuse_bad_input() {
        let tags = parse_tags(&["env=prod".into(), "owner=a=b".into()])
            .expect("valid")
            .expect("some");
        assert_eq!(tags["owner"], "a=b", "only the first = splits");
        assert_eq!(parse_tags(&[]).expect("none"), None);
        let error = parse_tags(&["novalue".into()]).expect_err("no =");
        assert_eq!(error.field, rules::Field::Tags);
        assert!(parse_tags(&["a=1".into(), "a=2".into()]).is_err());
    }

    #[test]
    fn show_masks_unless_revealed() {
        let bundle = SecretBundle {
            value: Some(SecretValue::new("marker-value")),
            id: Some("https://v/secrets/s/1".into()),
            ..SecretBundle::default()
        };
        assert!(!show_text(&bundle, false).contains("marker-value"));
        assert!(show_text(&bundle, true).contains("marker-value"));
    }
}
