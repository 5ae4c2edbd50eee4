//! `kvtui profile list` and `kvtui profile add`.

use super::{GlobalArgs, Outcome, fail_service, fail_usage};
use crate::auth::{Identity, credential_for, no_prompts};
use crate::cloud::Cloud;
use crate::config::{AuthMethod, Config, NewProfile, Profile};
use crate::discovery::Via;
use crate::vault::TrustRoots;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List the profiles; `*` marks the default.
    List {
        /// Also sign in as each profile (az, azd, Entra, the identity endpoint: all at once)
        /// and say whom its token names, in which tenant, until when; never the token.
        /// Device-code profiles are not signed in (that would ask for a code each).
        #[arg(long)]
        signed_in: bool,
    },
    /// Add a profile to config.toml (made if there is none), keeping all that the file holds.
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The profile's name: letters, digits, '-', '_' and '.'.
    pub name: String,
    /// The vault: its name (`myvault`, for https://myvault.vault.azure.net in the public
    /// cloud) or its URL.
    #[arg(
        long,
        value_name = "NAME|URL",
        required_unless_present = "pick",
        conflicts_with = "pick"
    )]
    pub vault: Option<String>,
    /// Choose the vault from those discovery finds as --profile (else the default profile)
    /// signs in: they are listed, numbered, on stderr, and the number is read from stdin.
    #[arg(long)]
    pub pick: bool,
    /// The Azure cloud the vault is in: public, china or usgov [default: public].
    #[arg(long, value_name = "CLOUD", value_parser = cloud_name)]
    pub cloud: Option<Cloud>,
    /// Refuse every write through this profile.
    #[arg(long)]
    pub read_only: bool,
    /// How the profile signs in, as `auth` in the file: azure-cli, device-code, … [default:
    /// developer-tools].
    #[arg(long, value_name = "KIND", value_parser = auth_kind)]
    pub auth: Option<AuthMethod>,
    /// The Entra tenant to sign in to [default: the one the vault's challenge names].
    #[arg(long, value_name = "ID", value_parser = tenant_id)]
    pub tenant_id: Option<String>,
    /// The application (client) id to sign in as: the service principal of client-secret, a
    /// user-assigned managed identity, or a device-code app.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// For client-secret: the environment variable that holds the secret (never the secret).
    #[arg(long, value_name = "VAR", value_parser = variable_name)]
    pub client_secret_env: Option<String>,
    /// Make it the default profile (default_profile).
    #[arg(long)]
    pub default: bool,
}

fn variable_name(typed: &str) -> Result<String, String> {
    if crate::config::is_variable_name(typed) {
        Ok(typed.to_owned())
    } else {
        Err(
            "must name an environment variable, like AZURE_CLIENT_SECRET (letters, digits and \
             '_'): the secret itself is exported in it, never given here"
                .to_owned(),
        )
    }
}

fn cloud_name(typed: &str) -> Result<Cloud, String> {
    Cloud::named(typed).ok_or_else(|| {
        format!(
            "expected one of {}",
            Cloud::names().collect::<Vec<_>>().join(", ")
        )
    })
}

/// `--auth`, read as the file's `auth` is: every kind the file takes is taken here without a
/// list to keep in step (a list of them had missed device-code), and a wrong one is answered
/// with every kind there is.
fn auth_kind(typed: &str) -> Result<AuthMethod, String> {
    use serde::Deserialize;
    use serde::de::{IntoDeserializer, value::Error};
    AuthMethod::deserialize(IntoDeserializer::<Error>::into_deserializer(typed))
        .map_err(|error| error.to_string())
}

fn tenant_id(typed: &str) -> Result<String, String> {
    if crate::config::is_tenant_id(typed) {
        Ok(typed.to_owned())
    } else {
        Err(crate::config::TENANT_ID_RULE.to_owned())
    }
}

pub fn run(global: &GlobalArgs, command: ProfileCommand) -> Outcome {
    let text = match command {
        ProfileCommand::List { signed_in } => list(global, signed_in)?,
        ProfileCommand::Add(args) => {
            let new = match &args.vault {
                Some(vault) => {
                    let cloud = args.cloud.clone().unwrap_or(Cloud::Public);
                    let vault_url =
                        crate::config::vault_url_for(vault, &cloud).map_err(|problem| {
                            let typed = crate::quoting::quoted_up_to(vault, 60);
                            fail_usage(format!("--vault {typed}: {problem}"))
                        })?;
                    NewProfile {
                        name: args.name.clone(),
                        vault_url,
                        auth: args.auth,
                        tenant_id: args.tenant_id.clone(),
                        client_id: args.client_id.clone(),
                        client_secret_env: args.client_secret_env.clone(),
                        cloud: args.cloud.clone(),
                        read_only: args.read_only,
                        make_default: args.default,
                    }
                }
                None => picked(global, &args)?,
            };
            add(global, &new)?
        }
    };
    println!("{}", super::terminal_safe(&text));
    Ok(())
}

fn list(global: &GlobalArgs, signed_in: bool) -> Result<String, super::Failure> {
    let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
    let who: Vec<Option<Result<Identity, String>>> = if signed_in {
        let runtime = tokio::runtime::Runtime::new().map_err(fail_service)?;
        runtime.block_on(signed_in_as(&config.profiles))
    } else {
        vec![None; config.profiles.len()]
    };
    Ok(if global.json {
        let profiles: Vec<_> = config
            .profiles
            .iter()
            .zip(&who)
            .map(|(profile, who)| {
                let mut json = profile_json(&config, profile);
                if let Some(who) = who {
                    json["signedIn"] = match who {
                        Ok(identity) => serde_json::json!({
                            "who": identity.who,
                            "tenant": identity.tenant,
                            "expires": identity.expires,
                        }),
                        Err(error) => serde_json::json!({ "error": error }),
                    };
                }
                json
            })
            .collect();
        serde_json::json!({ "source": config.source.to_string(), "profiles": profiles }).to_string()
    } else {
        let mut lines = vec![format!("profiles from {}", config.source)];
        for (profile, who) in config.profiles.iter().zip(&who) {
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
            match who {
                Some(Ok(identity)) => {
                    lines.push(format!("    signed in as {}", identity.describe()))
                }
                Some(Err(error)) => lines.push(format!("    not signed in: {error}")),
                None => {}
            }
        }
        lines.join("\n")
    })
}

/// Writes `new` into the config `load` would read, and says what was written where. `--vault`
/// is one way to name the vault; one chosen from a list of discovered vaults makes the same
/// `NewProfile` from its URL.
fn add(global: &GlobalArgs, new: &NewProfile) -> Result<String, super::Failure> {
    let file = Config::file_to_write(global.config.as_deref()).map_err(fail_usage)?;
    let added = crate::config::add_profile(&file, new).map_err(|error| {
        if error.is_usage() {
            fail_usage(error)
        } else {
            fail_service(error)
        }
    })?;
    let config = &added.config;
    let profile = config
        .select(Some(&new.name))
        .map_err(|error| fail_service(format!("the profile written does not load: {error}")))?;
    if config.select(None).is_err() {
        super::warn(
            &format!(
                "no default_profile is set and there are now {} profiles, so kvtui needs \
                 --profile NAME; pass --default to make one the default",
                config.profiles.len()
            ),
            global.json,
        );
    }
    if global.json {
        return Ok(serde_json::json!({
            "profile": profile_json(config, profile),
            "file": added.file.display().to_string(),
        })
        .to_string());
    }
    let mut about = vec![profile.vault.to_string(), format!("auth {}", profile.auth)];
    if profile.read_only {
        about.push("read-only".into());
    }
    if config.is_default(&profile.name) {
        about.push("the default".into());
    }
    let verb = if added.created { "created" } else { "added to" };
    let mut lines = vec![format!(
        "{verb} {}: profile {} ({})",
        added.file.display(),
        profile.name,
        about.join(", ")
    )];
    if added.kept_local {
        let default = if config.is_default(crate::config::IMPLIED_PROFILE) {
            ", still the default"
        } else {
            ""
        };
        lines.push(format!(
            "also written: profile {}, the local vault kvtui used with no profile configured{default}",
            crate::config::IMPLIED_PROFILE
        ));
    }
    Ok(lines.join("\n"))
}

/// `--pick`: the vaults discovery finds, numbered on stderr, and the one whose number stdin
/// gives, as a profile that signs in as the account that found it, in the tenant it was found in.
fn picked(global: &GlobalArgs, args: &AddArgs) -> Result<NewProfile, super::Failure> {
    let runtime = tokio::runtime::Runtime::new().map_err(fail_service)?;
    let found = runtime.block_on(super::vault::discover(global))?;
    let choices: Vec<_> = found
        .vaults
        .iter()
        .filter(|(_, profile)| profile.is_none())
        .map(|(vault, _)| vault)
        .collect();
    if choices.is_empty() {
        return Err(fail_service(if found.vaults.is_empty() {
            "discovery found no vaults: give the vault with --vault NAME|URL"
        } else {
            "every vault discovery found is a profile already"
        }));
    }
    for (number, vault) in choices.iter().enumerate() {
        eprintln!(
            "{}",
            super::terminal_safe(&format!(
                "{:>3}  {:<24} {:<44} {} / {}",
                number + 1,
                vault.name,
                vault.vault_url,
                vault.tenant,
                vault.subscription
            ))
        );
    }
    eprint!(
        "vault to add as profile {} (1-{}): ",
        args.name,
        choices.len()
    );
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|error| fail_usage(format!("--pick: cannot read the number: {error}")))?;
    let vault = line
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|number| choices.get(number.checked_sub(1)?))
        .ok_or_else(|| {
            fail_usage(format!(
                "--pick: {} is not one of 1 to {}",
                crate::quoting::quoted(line.trim()),
                choices.len()
            ))
        })?;
    // Found through a profile, the new one signs in as it did: its kind, cloud and client.
    let found_by = match vault.via {
        Via::SignedIn => None,
        Via::Profile => Some(&found.profile),
    };
    let auth = found_by.map_or(AuthMethod::DeveloperTools, |profile| profile.auth);
    let from_profile =
        |field: fn(&Profile) -> &Option<String>| found_by.and_then(|p| field(p).clone());
    Ok(NewProfile {
        name: args.name.clone(),
        vault_url: vault.vault_url.clone(),
        auth: Some(args.auth.unwrap_or(auth)),
        tenant_id: args.tenant_id.clone().or(Some(vault.tenant_id.clone())),
        client_id: args
            .client_id
            .clone()
            .or_else(|| from_profile(|p| &p.client_id)),
        client_secret_env: args
            .client_secret_env
            .clone()
            .or_else(|| from_profile(|p| &p.client_secret_env)),
        cloud: args
            .cloud
            .clone()
            .or_else(|| found_by.and_then(|profile| profile.cloud.clone())),
        read_only: args.read_only,
        make_default: args.default,
    })
}

/// Whom each profile's credential signs in as, asked all at once for a token for its cloud's
/// vaults in its tenant. `None` where there is no one to name: a local vault's token, and a
/// device-code profile, which would ask for a code.
async fn signed_in_as(profiles: &[Profile]) -> Vec<Option<Result<Identity, String>>> {
    let asked = profiles.iter().map(|profile| async move {
        if matches!(profile.auth, AuthMethod::Local | AuthMethod::DeviceCode) {
            return None;
        }
        let trust = match &profile.ca_file {
            Some(ca_file) => TrustRoots::SystemAnd(ca_file.clone()),
            None => TrustRoots::System,
        };
        let credential = match credential_for(profile, &trust, None, no_prompts()) {
            Ok(credential) => credential,
            Err(error) => return Some(Err(error.to_string())),
        };
        let scope = format!(
            "https://{}/.default",
            profile.effective_cloud().vault_suffix()
        );
        let token = credential
            .get_token(&[&scope], None)
            .await
            .map_err(|error| crate::auth::token_failure(&error, &scope));
        Some(token.map(|token| {
            Identity::of_token(token.token.secret()).unwrap_or_else(|| Identity {
                who: "(a token that names no one)".to_owned(),
                tenant: None,
                expires: Some(token.expires_on.unix_timestamp()),
            })
        }))
    });
    futures_util::future::join_all(asked).await
}

fn profile_json(config: &Config, profile: &Profile) -> serde_json::Value {
    serde_json::json!({
        "name": profile.name,
        "vault": profile.vault.to_string(),
        "auth": profile.auth.label(),
        "readOnly": profile.read_only,
        "cloud": profile.effective_cloud().to_string(),
        "default": config.is_default(&profile.name),
    })
}
