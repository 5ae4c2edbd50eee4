//! `kvtui vault list`: every vault the profile's account can see, for scripts and for finding a
//! vault to add as a profile.

use super::{Failure, GlobalArgs, fail_service, fail_usage, terminal_safe, warn};
use crate::auth::Identity;
use crate::config::profile_for;
use crate::config::{Config, Profile};
use crate::discovery::{self, Found, FoundVault};
use crate::session::Session;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// List the Key Vaults the profile's account can see, in every tenant and subscription it
    /// can read (for a local profile: the local vault, and whoever `az`/`azd` is signed in as).
    /// Tenants and subscriptions that refuse are named on stderr with the service's reason.
    List,
}

/// A found vault and the configured profile that opens it, if any.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    vault: &'a FoundVault,
    profile: Option<&'a str>,
}

/// What discovery found as a profile signs in.
pub struct Discovered {
    /// The profile discovery ran as.
    pub profile: Profile,
    pub config: Config,
    /// In tenant, subscription and name order, each with the profile that opens it.
    pub vaults: Vec<(FoundVault, Option<String>)>,
    pub unreadable: Vec<(String, String)>,
    /// Who each account that got a token is signed in as.
    pub signed_in: Vec<(String, Identity)>,
    /// Every account failed: nothing could be read at all.
    pub nothing_read: bool,
}

/// Discovery as `--profile` (else the default profile) signs in; refusals are warned of.
pub async fn discover(global: &GlobalArgs) -> Result<Discovered, Failure> {
    let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
    let profile = config
        .select(global.profile.as_deref())
        .map_err(fail_usage)?
        .clone();
    let session = Session::open(&profile, super::sign_in_prompts(global.json))
        .await
        .map_err(fail_service)?;
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let accounts = discovery::accounts(&session, &sender);
    let asked = accounts.len();
    discovery::discover(accounts, sender).await;
    let own_url = session.client.vault_url().to_owned();
    session.close().await;

    let (mut vaults, mut unreadable, mut signed_in) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(found) = receiver.recv().await {
        match found {
            Found::Vaults(page) => vaults.extend(page),
            Found::Unreadable { scope, reason } => unreadable.push((scope, reason)),
            Found::SignedIn { account, identity } => signed_in.push((account, identity)),
        }
    }
    vaults.sort_by(|a, b| {
        (&a.tenant, &a.subscription, &a.name).cmp(&(&b.tenant, &b.subscription, &b.name))
    });
    for (scope, reason) in &unreadable {
        warn(&format!("{scope}: cannot be listed: {reason}"), global.json);
    }
    let nothing_read = vaults.is_empty() && unreadable.len() >= asked.max(1);
    let vaults = vaults
        .into_iter()
        .map(|vault| {
            let opened_by = if vault.vault_url == own_url {
                Some(profile.name.clone())
            } else {
                profile_for(&config.profiles, &vault.vault_url)
                    .map(|index| config.profiles[index].name.clone())
            };
            (vault, opened_by)
        })
        .collect();
    Ok(Discovered {
        profile,
        config,
        vaults,
        unreadable,
        signed_in,
        nothing_read,
    })
}

pub async fn run(global: &GlobalArgs, command: VaultCommand) -> Result<i32, Failure> {
    let VaultCommand::List = command;
    let found = discover(global).await?;
    let listed: Vec<Listed> = found
        .vaults
        .iter()
        .map(|(vault, profile)| Listed {
            vault,
            profile: profile.as_deref(),
        })
        .collect();
    let text = if global.json {
        serde_json::json!({
            "vaults": listed,
            "signedIn": found.signed_in
                .iter()
                .map(|(account, identity)| serde_json::json!({
                    "account": account,
                    "who": identity.who,
                    "tenant": identity.tenant,
                    "expires": identity.expires,
                }))
                .collect::<Vec<_>>(),
            "unreadable": found.unreadable
                .iter()
                .map(|(scope, reason)| serde_json::json!({"scope": scope, "reason": reason}))
                .collect::<Vec<_>>(),
        })
        .to_string()
    } else {
        let mut lines: Vec<String> = found
            .signed_in
            .iter()
            .map(|(account, identity)| format!("{account}: signed in as {}", identity.describe()))
            .collect();
        lines.push(text_table(&listed));
        lines.join("\n")
    };
    println!("{}", terminal_safe(&text));
    Ok(if found.nothing_read { 1 } else { 0 })
}

fn text_table(listed: &[Listed]) -> String {
    if listed.is_empty() {
        return "no vaults found".to_owned();
    }
    let mut lines = vec![format!(
        "{:<24} {:<44} {:<8} {:<20} {:<12} {:<24} PROFILE",
        "NAME", "URL", "ACCESS", "RESOURCE GROUP", "LOCATION", "SUBSCRIPTION / TENANT"
    )];
    for Listed { vault, profile } in listed {
        lines.push(format!(
            "{:<24} {:<44} {:<8} {:<20} {:<12} {:<24} {}",
            vault.name,
            vault.vault_url,
            if vault.rbac { "rbac" } else { "policies" },
            vault.resource_group.as_deref().unwrap_or("-"),
            vault.location.as_deref().unwrap_or("-"),
            format!("{} / {}", vault.subscription, vault.tenant),
            profile.unwrap_or("-"),
        ));
    }
    lines.join("\n")
}
