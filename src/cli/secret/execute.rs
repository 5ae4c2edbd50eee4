//! Sending a checked request and printing what the vault answered.

use super::output::{
    date_or_dash, describe_deleted, describe_version, show_text, to_json, without_value, yes_no,
};
use super::request::{Request, Shown};
use super::version::resolve_given;
use crate::cli::{Failure, Outcome, STALE, fail_service, fail_usage, warn};
use crate::config::Profile;
use crate::vault::stale::{self, Expected, Guarded};
use crate::vault::{SecretAttributes, SecretBundle, SecretItem, SetSecretParameters, VaultClient};
use std::io::Write;

impl Request {
    /// Sends it to `client`, the vault of `profile`, whose policy a rollback (made from a
    /// version only the vault knows) is checked against here.
    pub(super) async fn execute(
        self,
        client: &VaultClient,
        profile: &Profile,
        json: bool,
    ) -> Outcome {
        let mut out = std::io::stdout().lock();
        let mut print = |text: String| {
            let _ = writeln!(out, "{}", crate::cli::terminal_safe(&text));
        };
        match self {
            Self::Set {
                name,
                params,
                warning,
                expected,
            } => {
                if let Some(warning) = &warning {
                    warn(warning, json);
                }
                let bundle = guarded_set(client, &name, &params, expected.as_ref(), json).await?;
                print(if json {
                    to_json(&without_value(bundle))
                } else {
                    format!("set {name}: {}", describe_version(&bundle))
                });
            }
            Self::Show {
                name,
                version,
                shown,
            } => {
                let version = resolve_given(version, client, &name).await?;
                let bundle = client.get_secret(&name, version.as_deref()).await?;
                if shown == Shown::ValueAlone {
                    return write_value_alone(&bundle);
                }
                let reveal = shown == Shown::Revealed;
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
                let mut versions = client.list_versions(&name).collect_all().await?;
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
                warning,
                expected,
            } => {
                let version = resolve_given(version, client, &name).await?;
                if let Some(warning) = &warning {
                    warn(warning, json);
                }
                let bundle = match expected {
                    None => {
                        client
                            .update_secret(&name, version.as_deref(), &params)
                            .await?
                    }
                    Some(expected) => {
                        match stale::update_if(client, &name, None, &params, Some(&expected))
                            .await?
                        {
                            Guarded::Written(bundle) => bundle,
                            Guarded::Stale(latest) => {
                                return Err(stale_refusal(
                                    "update",
                                    &name,
                                    &expected,
                                    &stale::describe_changed(&expected, latest.as_ref()),
                                ));
                            }
                        }
                    }
                };
                print(if json {
                    to_json(&bundle)
                } else {
                    format!("updated {name}: {}", describe_version(&bundle))
                });
            }
            Self::Delete(name) => {
                let deleted = client.delete_secret(&name).await?;
                print(if json {
                    to_json(&deleted)
                } else {
                    describe_deleted(&name, &deleted)
                });
            }
            Self::Deleted => {
                let deleted = client.list_deleted_secrets().collect_all().await?;
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
                let bundle = client.recover_deleted_secret(&name).await?;
                print(if json {
                    to_json(&bundle)
                } else {
                    format!("recovered {name}: {}", describe_version(&bundle))
                });
            }
            Self::Purge(name) => {
                client.purge_deleted_secret(&name).await?;
                print(if json {
                    "{}".to_owned()
                } else {
                    format!("purged {name}")
                });
            }
            Self::Backup { name, out } => {
                let blob = client.backup_secret(&name).await?;
                write_new_private_file(&out, blob.value.as_bytes())?;
                print(if json {
                    to_json(&serde_json::json!({ "name": name, "file": out }))
                } else {
                    format!("backed up {name} to {}", out.display())
                });
            }
            Self::Rollback {
                name,
                version,
                expected,
            } => {
                let version = version.resolve(client, &name).await?;
                let old = client.get_secret(&name, Some(&version)).await?;
                let value = old.value.clone().ok_or_else(|| {
                    fail_service(format!("{name} version {version} has no value"))
                })?;
                // The old version's dates are not carried over (its expiry may be what is being
                // rolled away from): the profile's default expiry applies, as to `set`.
                let now = crate::when::now_unix();
                let exp = profile.policy.default_expiry_at(now);
                let params = SetSecretParameters {
                    value,
                    tags: old.tags.clone(),
                    content_type: old.content_type.clone(),
                    attributes: exp.map(|exp| SecretAttributes {
                        exp: Some(exp),
                        ..SecretAttributes::default()
                    }),
                };
                profile.check(&name, &params, now).map_err(|broken| {
                    fail_usage(format!(
                        "refusing to roll {name} back: {broken}; nothing was written"
                    ))
                })?;
                let bundle = guarded_set(client, &name, &params, expected.as_ref(), json).await?;
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
                let bundle = client.restore_secret(&blob).await?;
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

/// Sets `name`; with `--if-version`, only if its latest version is the one expected, and then
/// warns when another write landed just after this one.
async fn guarded_set(
    client: &VaultClient,
    name: &str,
    params: &SetSecretParameters,
    expected: Option<&Expected>,
    json: bool,
) -> Result<SecretBundle, Failure> {
    let Some(expected) = expected else {
        return Ok(client.set_secret(name, params).await?);
    };
    let bundle = match stale::set_if(client, name, params, Some(expected)).await? {
        Guarded::Written(bundle) => bundle,
        Guarded::Stale(latest) => {
            let found = stale::describe_latest(latest.as_ref(), params);
            return Err(stale_refusal("set", name, expected, &found));
        }
    };
    if let Some(warning) = stale::overtaken(&bundle, stale::latest(client, name).await?.as_ref()) {
        warn(&warning, json);
    }
    Ok(bundle)
}

/// `--if-version` found `found` instead of what it `expected`: nothing was written.
fn stale_refusal(verb: &str, name: &str, expected: &Expected, found: &str) -> Failure {
    Failure {
        exit_code: STALE,
        message: format!(
            "refusing to {verb} {name}: --if-version expected {}, but {found}; nothing was written",
            expected.wanted()
        ),
        answer: None,
    }
}

/// The value's bytes and nothing else, for a script to read exactly: no newline, and no
/// escaping (it is what `--reveal --value` asks for).
fn write_value_alone(bundle: &SecretBundle) -> Outcome {
    let value = bundle.value.as_ref().map_or("", |value| value.expose());
    let mut out = std::io::stdout().lock();
    out.write_all(value.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| {
            fail_service(format!(
                "cannot write the value to standard output: {error}"
            ))
        })
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
                return Err(error.into());
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
