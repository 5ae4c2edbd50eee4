//! Turning parsed flags into a checked request: names, tags, dates and the value, all refused
//! before the vault is opened when they break the service's rules.

use super::args::{AttributeArgs, SecretCommand, SetArgs};
use super::version::VersionArg;
use crate::cli::{Failure, fail_usage};
use crate::file_trust::{self, FileTrustError, Limit, Refusal};
use crate::vault::rules::{self, Violation};
use crate::vault::stale::Expected;
use crate::vault::{
    BackupBlob, SecretAttributes, SecretValue, SetSecretParameters, Tags, UpdateSecretParameters,
};
use crate::when::{When, now_unix, parse_when, past_warning};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A command with its input read and checked, ready to send.
pub(super) enum Request {
    Set {
        name: String,
        params: SetSecretParameters,
        warning: Option<String>,
        expected: Option<Expected>,
    },
    Show {
        name: String,
        version: Option<VersionArg>,
        shown: Shown,
    },
    List,
    Versions(String),
    Update {
        name: String,
        version: Option<VersionArg>,
        params: UpdateSecretParameters,
        warning: Option<String>,
        /// `--if-version`: only if the latest version is still that one.
        expected: Option<Expected>,
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
        version: VersionArg,
        expected: Option<Expected>,
    },
}

/// What `show` prints of the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shown {
    /// Its length only, beside the attributes.
    Masked,
    /// Beside the attributes (escaped in text, as in JSON).
    Revealed,
    /// Nothing but the value's bytes (`--reveal --value`).
    ValueAlone,
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

/// The `--expires` and `--not-before` of `set` and `update`, read against one clock.
struct DateFlags {
    expires: Option<When>,
    not_before: Option<When>,
    /// Said on stderr before the write, which still goes ahead: the expiry is already past.
    warning: Option<String>,
}

impl DateFlags {
    fn parse(attributes: &AttributeArgs) -> Result<Self, Failure> {
        let now = now_unix();
        let flag = |raw: Option<&str>, field| {
            raw.map(|text| parse_when(text, now))
                .transpose()
                .map_err(|error| {
                    fail_usage(Violation {
                        field,
                        problem: error.to_string(),
                    })
                })
        };
        let expires = flag(attributes.expires.as_deref(), rules::Field::Expires)?;
        Ok(Self {
            not_before: flag(attributes.not_before.as_deref(), rules::Field::NotBefore)?,
            warning: expires
                .and_then(|when| past_warning(when, now))
                .map(|warning| format!("{}: {warning}", rules::Field::Expires)),
            expires,
        })
    }

    fn exp(&self) -> Option<i64> {
        at(self.expires)
    }

    fn nbf(&self) -> Option<i64> {
        at(self.not_before)
    }
}

fn at(when: Option<When>) -> Option<i64> {
    match when {
        Some(When::At(unix)) => Some(unix),
        _ => None,
    }
}

fn read_value(args: &SetArgs) -> Result<SecretValue, Failure> {
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
        file_trust::read_input(path, Limit::VALUE).map_err(|error| {
            let pipe = matches!(
                &error,
                FileTrustError::Refused {
                    problem: Refusal::NotRegular { .. },
                    ..
                }
            );
            let hint = if pipe {
                " (a value from a pipe goes to --value-stdin)"
            } else {
                ""
            };
            fail_usage(format!("value: --value-file {error}{hint}"))
        })?
    } else if args.value_stdin {
        file_trust::read_limited(std::io::stdin(), Path::new("standard input"), Limit::VALUE)
            .map_err(|error| fail_usage(format!("value: {error}")))?
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
    pub(super) fn prepare(command: SecretCommand) -> Result<Self, Failure> {
        let check_name = |name: &str| rules::check_name(name).map_err(fail_usage);
        Ok(match command {
            // They span profiles, so `run` hands them to `across` before a session is opened.
            SecretCommand::Copy { .. }
            | SecretCommand::Expiring { .. }
            | SecretCommand::Export(_)
            | SecretCommand::Import(_)
            | SecretCommand::Promote(_)
            | SecretCommand::Lint => {
                return Err(fail_usage(
                    "copy, expiring, export, import, promote and lint are not single requests",
                ));
            }
            SecretCommand::Rollback {
                name,
                version,
                guard,
            } => {
                check_name(&name)?;
                Self::Rollback {
                    name,
                    version: VersionArg::parse(&version)?,
                    expected: guard.if_version,
                }
            }
            SecretCommand::Set(args) => {
                check_name(&args.name)?;
                let tags = parse_tags(&args.attributes.tags).map_err(fail_usage)?;
                let dates = DateFlags::parse(&args.attributes)?;
                let value = read_value(&args)?;
                let params = SetSecretParameters {
                    value,
                    tags,
                    content_type: args.attributes.content_type.clone(),
                    attributes: Some(SecretAttributes {
                        enabled: Some(!args.disabled),
                        nbf: dates.nbf(),
                        exp: dates.exp(),
                        ..SecretAttributes::default()
                    }),
                };
                rules::check_set(&args.name, &params).map_err(fail_usage)?;
                Self::Set {
                    name: args.name,
                    params,
                    warning: dates.warning,
                    expected: args.guard.if_version,
                }
            }
            SecretCommand::Show {
                name,
                version,
                reveal,
                value,
            } => {
                check_name(&name)?;
                Self::Show {
                    name,
                    version: version.as_deref().map(VersionArg::parse).transpose()?,
                    shown: match (reveal, value) {
                        (_, true) => Shown::ValueAlone,
                        (true, false) => Shown::Revealed,
                        (false, false) => Shown::Masked,
                    },
                }
            }
            SecretCommand::List => Self::List,
            SecretCommand::Versions { name } => {
                check_name(&name)?;
                Self::Versions(name)
            }
            SecretCommand::Update(args) => {
                check_name(&args.name)?;
                let tags = parse_tags(&args.attributes.tags).map_err(fail_usage)?;
                let dates = DateFlags::parse(&args.attributes)?;
                if dates.expires == Some(When::Never) || dates.not_before == Some(When::Never) {
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
                    nbf: dates.nbf(),
                    exp: dates.exp(),
                    ..SecretAttributes::default()
                };
                let params = UpdateSecretParameters {
                    content_type: args.attributes.content_type,
                    attributes: (attributes != SecretAttributes::default()).then_some(attributes),
                    tags,
                };
                if params == UpdateSecretParameters::default() {
                    return Err(fail_usage(
                        "nothing to update: pass --enable, --disable, --content-type, --tag, --expires or --not-before",
                    ));
                }
                rules::check_update(&args.name, &params).map_err(fail_usage)?;
                if args.if_version == Some(Expected::New) {
                    return Err(fail_usage(
                        "--if-version new: an update changes a version that exists; give the latest version's id",
                    ));
                }
                Self::Update {
                    name: args.name,
                    version: args.version.as_deref().map(VersionArg::parse).transpose()?,
                    params,
                    warning: dates.warning,
                    expected: args.if_version,
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
                let text = file_trust::read_input_text(&input, Limit::BACKUP_BLOB)
                    .map_err(|error| fail_usage(format!("--in {error}")))?;
                Self::Restore(BackupBlob {
                    value: text.trim().to_owned(),
                })
            }
        })
    }
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
}
