//! References: text that names a secret, so a program can be handed its value without the value
//! passing through a screen, a clipboard or a file.
//!
//! Read: `kv://PROFILE/NAME[/VERSION]`, `kv:///NAME[/VERSION]` (the default profile, or the one
//! `--profile` names), a secret id URL (`https://VAULT/secrets/NAME[/VERSION]`), App Service's
//! `@Microsoft.KeyVault(SecretUri=…)` and `@Microsoft.KeyVault(VaultName=…;SecretName=…[;SecretVersion=…])`,
//! and azd's `akvs://SUBSCRIPTION/VAULT/NAME[/VERSION]`. Written (for the TUI's copy): the first
//! three forms.

pub mod resolve;
pub mod template;

use crate::config::{Config, Profile, VaultLocation, is_profile_name};
use crate::quoting::quoted_up_to;
use crate::vault::rules;
use std::fmt;

/// How many characters of a reference an error quotes: a secret id URL is long.
const QUOTED_CHARS: usize = 120;
/// A version id: what the vault makes. A prefix (as `--version` takes) is refused here: a
/// reference is kept in files, and a prefix that is unique today can match two versions later.
const VERSION_DIGITS: usize = 32;

/// The vault a reference is to, before it is matched to a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultOf {
    /// `kv://PROFILE/…`.
    Profile(String),
    /// `kv:///…`: the profile `--profile` names, else the config's default.
    Default,
    /// A secret id's vault URL, `https://host[:port]`, lowercase.
    Url(String),
    /// A vault's name (App Service's `VaultName`, azd's `akvs://`): the profile whose vault's
    /// host starts with it.
    Named(String),
}

/// A reference as parsed: which vault, which secret, which version (`None` for the latest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// As written, for messages (cut short in them).
    pub written: String,
    pub vault: VaultOf,
    pub name: String,
    pub version: Option<String>,
}

/// A reference that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reference {}: {problem}", quoted_up_to(.written, QUOTED_CHARS))]
pub struct ReferenceError {
    pub written: String,
    pub problem: String,
}

impl ReferenceError {
    fn new(written: &str, problem: impl Into<String>) -> Self {
        Self {
            written: written.to_owned(),
            problem: problem.into(),
        }
    }
}

const KV: &str = "kv://";
const AKVS: &str = "akvs://";
const APP_SERVICE: &str = "@Microsoft.KeyVault(";

/// Whether `text` is written as a reference by one of the schemes no plain value has: `kv://`,
/// `akvs://` and `@Microsoft.KeyVault(…)`. An environment variable or a dotenv line holding one
/// is resolved; a bare `https://…/secrets/…` is not, since a program may want that URL itself.
pub fn has_reference_scheme(text: &str) -> bool {
    let text = text.trim();
    text.starts_with(KV) || text.starts_with(AKVS) || starts_with_app_service(text)
}

fn starts_with_app_service(text: &str) -> bool {
    text.get(..APP_SERVICE.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(APP_SERVICE))
}

impl Reference {
    /// Parses any of the forms in the module header; surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let trimmed = text.trim();
        let fail = |problem: &str| ReferenceError::new(text, problem);
        let (vault, name, version) = if let Some(rest) = trimmed.strip_prefix(KV) {
            parse_kv(rest).map_err(|problem| fail(&problem))?
        } else if let Some(rest) = trimmed.strip_prefix(AKVS) {
            parse_akvs(rest).map_err(|problem| fail(&problem))?
        } else if starts_with_app_service(trimmed) {
            parse_app_service(&trimmed[APP_SERVICE.len()..]).map_err(|problem| fail(&problem))?
        } else if trimmed.contains("://") {
            parse_secret_id(trimmed).map_err(|problem| fail(&problem))?
        } else {
            return Err(fail(
                "is not a reference: write kv://PROFILE/NAME, kv:///NAME (the default profile), \
                 a secret id https://VAULT/secrets/NAME, @Microsoft.KeyVault(…) or \
                 akvs://SUBSCRIPTION/VAULT/NAME",
            ));
        };
        rules::check_name(&name).map_err(|violation| fail(&format!("secret {violation}")))?;
        if let Some(version) = &version {
            check_version(version).map_err(|problem| fail(&problem))?;
        }
        Ok(Self {
            written: trimmed.to_owned(),
            vault,
            name,
            version,
        })
    }

    /// The profile that opens this reference's vault: `default` (from `--profile`) stands for
    /// the config's default where the reference leaves the profile out.
    pub fn profile<'c>(
        &self,
        config: &'c Config,
        default: Option<&str>,
    ) -> Result<&'c Profile, ReferenceError> {
        let fail = |problem: String| ReferenceError::new(&self.written, problem);
        match &self.vault {
            VaultOf::Profile(name) => config
                .select(Some(name))
                .map_err(|error| fail(error.to_string())),
            VaultOf::Default => config
                .select(default)
                .map_err(|error| fail(error.to_string())),
            VaultOf::Url(url) => {
                crate::config::profile_for(&config.profiles, url)
                    .map(|index| &config.profiles[index])
                    .ok_or_else(|| {
                        fail(format!(
                            "no profile opens {url}: add one with `kvtui profile add NAME --vault {url}`"
                        ))
                    })
            }
            VaultOf::Named(vault) => {
                let mut opening = config
                    .profiles
                    .iter()
                    .filter(|profile| vault_name_of(profile).is_some_and(|name| name.eq_ignore_ascii_case(vault)));
                match (opening.next(), opening.next()) {
                    (Some(profile), None) => Ok(profile),
                    (None, _) => Err(fail(format!(
                        "no profile opens a vault named {vault}: add one with `kvtui profile add \
                         {vault} --vault {vault}`"
                    ))),
                    (Some(first), Some(second)) => Err(fail(format!(
                        "profiles {} and {} both open a vault named {vault} (in other clouds?): \
                         write kv://PROFILE/{} instead",
                        first.name, second.name, self.name
                    ))),
                }
            }
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// The first label of the profile's vault host: the vault's name in Azure.
fn vault_name_of(profile: &Profile) -> Option<&str> {
    match &profile.vault {
        VaultLocation::Url(url) => {
            let host = url.split_once("://")?.1.split(['/', ':']).next()?;
            host.split('.').next()
        }
        VaultLocation::Embedded => None,
    }
}

type Parts = (VaultOf, String, Option<String>);

fn parse_kv(rest: &str) -> Result<Parts, String> {
    let (profile, path) = rest
        .split_once('/')
        .ok_or("wants kv://PROFILE/NAME or kv:///NAME")?;
    let vault = if profile.is_empty() {
        VaultOf::Default
    } else if is_profile_name(profile) {
        VaultOf::Profile(profile.to_owned())
    } else {
        return Err(format!(
            "{} is not a profile name: {}",
            quoted_up_to(profile, 40),
            crate::config::PROFILE_NAME_RULE
        ));
    };
    let (name, version) = name_and_version(path, "kv://PROFILE/NAME[/VERSION]")?;
    Ok((vault, name, version))
}

fn parse_akvs(rest: &str) -> Result<Parts, String> {
    const SHAPE: &str = "akvs://SUBSCRIPTION/VAULT/NAME[/VERSION]";
    let (subscription, rest) = rest.split_once('/').ok_or(format!("wants {SHAPE}"))?;
    let (vault, path) = rest.split_once('/').ok_or(format!("wants {SHAPE}"))?;
    if subscription.is_empty() || vault.is_empty() {
        return Err(format!("wants {SHAPE}"));
    }
    check_vault_name(vault)?;
    let (name, version) = name_and_version(path, SHAPE)?;
    Ok((VaultOf::Named(vault.to_owned()), name, version))
}

/// `NAME` or `NAME/VERSION`, with no more segments and no query.
fn name_and_version(path: &str, shape: &str) -> Result<(String, Option<String>), String> {
    if path.contains(['?', '#']) {
        return Err(format!("has a query or fragment; wants {shape}"));
    }
    let mut segments = path.trim_end_matches('/').split('/');
    let name = segments.next().unwrap_or_default().to_owned();
    let version = segments.next().map(str::to_owned);
    if segments.next().is_some() {
        return Err(format!("has more path than {shape}"));
    }
    Ok((name, version))
}

fn parse_secret_id(text: &str) -> Result<Parts, String> {
    const SHAPE: &str = "https://VAULT/secrets/NAME[/VERSION]";
    let url = url::Url::parse(text).map_err(|error| format!("is not a URL ({error})"))?;
    if url.scheme() != "https" {
        return Err(format!("a vault is reached over https; wants {SHAPE}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("has a user name or password in it".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("has a query or fragment; wants {SHAPE}"));
    }
    let host = url
        .host_str()
        .ok_or(format!("has no host; wants {SHAPE}"))?;
    let path = url.path().trim_start_matches('/');
    let secret_path = path
        .strip_prefix("secrets/")
        .ok_or(format!("is not a secret id; wants {SHAPE}"))?;
    let (name, version) = name_and_version(secret_path, SHAPE)?;
    let vault = match url.port() {
        Some(port) => format!("https://{host}:{port}"),
        None => format!("https://{host}"),
    };
    Ok((VaultOf::Url(vault.to_ascii_lowercase()), name, version))
}

/// After `@Microsoft.KeyVault(`: `SecretUri=…)` or `VaultName=…;SecretName=…[;SecretVersion=…])`,
/// keys in any case, as App Service reads them.
fn parse_app_service(rest: &str) -> Result<Parts, String> {
    let inner = rest.strip_suffix(')').ok_or("does not end with ')'")?;
    let mut uri = None;
    let mut vault = None;
    let mut name = None;
    let mut version = None;
    for part in inner
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (key, value) = part
            .split_once('=')
            .ok_or(format!("{} is not KEY=VALUE", quoted_up_to(part, 40)))?;
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "secreturi" => &mut uri,
            "vaultname" => &mut vault,
            "secretname" => &mut name,
            "secretversion" => &mut version,
            _ => {
                return Err(format!(
                    "{} is not SecretUri, VaultName, SecretName or SecretVersion",
                    quoted_up_to(key.trim(), 40)
                ));
            }
        };
        if slot.replace(value.trim().to_owned()).is_some() {
            return Err(format!("gives {} twice", key.trim()));
        }
    }
    match (uri, vault, name) {
        (Some(uri), None, None) if version.is_none() => parse_secret_id(&uri),
        (None, Some(vault), Some(name)) => {
            check_vault_name(&vault)?;
            Ok((
                VaultOf::Named(vault),
                name,
                version.filter(|v| !v.is_empty()),
            ))
        }
        _ => Err("wants SecretUri=… alone, or VaultName=…;SecretName=…[;SecretVersion=…]".into()),
    }
}

fn check_vault_name(vault: &str) -> Result<(), String> {
    if vault.is_empty()
        || vault.len() > 24
        || !vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!(
            "{} is not a vault name (3 to 24 letters, digits and '-')",
            quoted_up_to(vault, 40)
        ));
    }
    Ok(())
}

fn check_version(version: &str) -> Result<(), String> {
    if version.len() == VERSION_DIGITS && version.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(());
    }
    Err(format!(
        "version {} is not a version id: give all {VERSION_DIGITS} hex digits (a prefix could \
         match another version later)",
        quoted_up_to(version, 40)
    ))
}

/// `kv://PROFILE/NAME`: the reference the TUI copies for the latest version.
pub fn kv_reference(profile: &str, name: &str) -> String {
    format!("{KV}{profile}/{name}")
}

/// `https://VAULT/secrets/NAME`: the versionless secret id, which always means the latest.
pub fn versionless_id(vault_url: &str, name: &str) -> String {
    format!("{}/secrets/{name}", vault_url.trim_end_matches('/'))
}

/// App Service's reference to the latest version, as its app settings take it.
pub fn app_service_reference(vault_url: &str, name: &str) -> String {
    format!(
        "{APP_SERVICE}SecretUri={}/)",
        versionless_id(vault_url, name)
    )
}

#[cfg(test)]
mod tests;
