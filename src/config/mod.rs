//! Vault profiles from `config.toml` in the platform config dir (or `$KVTUI_CONFIG_DIR`, or
//! `--config FILE`). With no config file, one `local` profile on the embedded local vault is
//! implied, so a first run needs nothing.
//!
//! Errors name the file and the field and quote the bad value; unknown fields are errors.

mod errors;
mod load;
pub mod policy;
mod profile;
mod write;

use crate::cloud::Cloud;
pub use errors::ConfigError;
pub use policy::Policy;
pub use profile::{
    PROFILE_NAME_RULE, TENANT_ID_RULE, is_profile_name, is_tenant_id, is_variable_name,
    vault_url_for,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
pub use write::{AddProfileError, Added, NewProfile, add_profile};

pub const CONFIG_DIR_ENV: &str = "KVTUI_CONFIG_DIR";
pub const CONFIG_FILE: &str = "config.toml";
pub const IMPLIED_PROFILE: &str = "local";
/// Profiles may pin any data-plane version from 7.4 on.
const PROFILE_API_VERSIONS: &[&str] = &["7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"];

/// How a profile gets its bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    AzureCli,
    AzureDeveloperCli,
    DeveloperTools,
    ManagedIdentity,
    WorkloadIdentity,
    ClientSecret,
    /// The OAuth device authorization grant (RFC 8628) against Entra, signed in to from another
    /// device's browser: for a jump box without `az`.
    DeviceCode,
    /// The token and CA of a local vault's data dir.
    Local,
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            Self::AzureCli => "azure-cli",
            Self::AzureDeveloperCli => "azure-developer-cli",
            Self::DeveloperTools => "developer-tools",
            Self::ManagedIdentity => "managed-identity",
            Self::WorkloadIdentity => "workload-identity",
            Self::ClientSecret => "client-secret",
            Self::DeviceCode => "device-code",
            Self::Local => "local",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a profile's vault is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultLocation {
    /// A vault reached at this base URL (no trailing slash).
    Url(String),
    /// The local vault started inside kvtui on the profile's data dir.
    Embedded,
}

impl fmt::Display for VaultLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(url) => f.write_str(url),
            Self::Embedded => f.write_str("embedded local vault"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub vault: VaultLocation,
    pub auth: AuthMethod,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// The environment variable holding the client secret; the secret never lives in the file.
    pub client_secret_env: Option<String>,
    pub api_version: String,
    pub read_only: bool,
    pub ca_file: Option<PathBuf>,
    /// For `auth = "local"`: the local vault's data dir (token and CA).
    pub local_data_dir: Option<PathBuf>,
    /// As written; unset means the public cloud, with azure_identity's own choice of authority
    /// (which honours `AZURE_AUTHORITY_HOST`).
    pub cloud: Option<Cloud>,
    /// Rules for the vault's secrets beyond the service's.
    pub policy: Policy,
}

/// The profile that opens `vault_url`, if one does.
pub fn profile_for(profiles: &[Profile], vault_url: &str) -> Option<usize> {
    let wanted = vault_url.trim_end_matches('/');
    profiles
        .iter()
        .position(|profile| profile.vault.to_string().eq_ignore_ascii_case(wanted))
}

impl Profile {
    /// The implied profile: the embedded local vault on the default data dir.
    pub fn implied_local() -> Self {
        Self {
            name: IMPLIED_PROFILE.to_owned(),
            vault: VaultLocation::Embedded,
            auth: AuthMethod::Local,
            tenant_id: None,
            client_id: None,
            client_secret_env: None,
            api_version: crate::vault::DEFAULT_API_VERSION.to_owned(),
            read_only: false,
            ca_file: None,
            local_data_dir: None,
            cloud: None,
            policy: Policy::default(),
        }
    }

    /// The cloud the profile's vault is in.
    pub fn effective_cloud(&self) -> Cloud {
        self.cloud.clone().unwrap_or(Cloud::Public)
    }

    /// How a vault found through whoever `az` (else `azd`) is signed in as is opened: that
    /// sign-in, in the public cloud. Its vault is the caller's to set.
    pub fn signed_in() -> Self {
        Self {
            name: "az-sign-in".to_owned(),
            auth: AuthMethod::DeveloperTools,
            ..Self::implied_local()
        }
    }

    /// The local vault data dir this profile uses, if it is a local profile.
    pub fn local_data_dir(&self) -> Option<PathBuf> {
        (self.auth == AuthMethod::Local).then(|| {
            self.local_data_dir
                .clone()
                .or_else(crate::local_vault::default_data_dir)
        })?
    }
}

/// Where the configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    File(PathBuf),
    /// No config file exists: the implied `local` profile only.
    Implied {
        looked_for: Option<PathBuf>,
    },
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Implied {
                looked_for: Some(path),
            } => write!(f, "no {} (implied local profile)", path.display()),
            Self::Implied { looked_for: None } => {
                f.write_str("no config dir (implied local profile)")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub source: ConfigSource,
    pub default_profile: Option<String>,
    /// In name order.
    pub profiles: Vec<Profile>,
    /// Seconds after which the TUI clears a value it copied to the clipboard; `None` keeps it.
    pub clipboard_clear_seconds: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    default_profile: Option<String>,
    clipboard_clear_seconds: Option<u64>,
    #[serde(default)]
    profiles: BTreeMap<String, profile::ProfileShape>,
}

/// A copied value leaves the clipboard after this long unless the config says otherwise.
pub const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u64 = 30;

impl Config {
    fn implied(looked_for: Option<PathBuf>) -> Self {
        Self {
            source: ConfigSource::Implied { looked_for },
            default_profile: Some(IMPLIED_PROFILE.to_owned()),
            profiles: vec![Profile::implied_local()],
            clipboard_clear_seconds: Some(DEFAULT_CLIPBOARD_CLEAR_SECONDS),
        }
    }

    /// Parses and checks a config file's text; `path` is used in messages and to resolve
    /// relative file paths.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let shape: FileShape =
            toml::from_str(text).map_err(|error| errors::parse_error(path, text, &error))?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        let mut profiles = shape
            .profiles
            .into_iter()
            .map(|(name, shape)| profile::check_profile(path, base_dir, name, shape))
            .collect::<Result<Vec<_>, _>>()?;
        if profiles.is_empty() {
            profiles.push(Profile::implied_local());
        }
        if let Some(default) = &shape.default_profile
            && !profiles.iter().any(|p| &p.name == default)
        {
            return Err(ConfigError::invalid(
                path,
                "default_profile".into(),
                default,
                format!(
                    "no such profile; profiles: {}",
                    profiles
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        // 0 turns clearing off; unset means the default.
        let clipboard_clear_seconds = match shape.clipboard_clear_seconds {
            Some(0) => None,
            Some(seconds) => Some(seconds),
            None => Some(DEFAULT_CLIPBOARD_CLEAR_SECONDS),
        };
        Ok(Self {
            source: ConfigSource::File(path.to_owned()),
            default_profile: shape.default_profile,
            profiles,
            clipboard_clear_seconds,
        })
    }

    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.iter().map(|p| p.name.clone()).collect()
    }

    /// The profile to open: the one named, else the default, else the only one.
    pub fn select(&self, name: Option<&str>) -> Result<&Profile, ConfigError> {
        let wanted = match (name, &self.default_profile) {
            (Some(name), _) => name,
            (None, Some(default)) => default.as_str(),
            (None, None) if self.profiles.len() == 1 => self.profiles[0].name.as_str(),
            (None, None) => {
                return Err(ConfigError::NoDefault {
                    path: match &self.source {
                        ConfigSource::File(path) => path.clone(),
                        ConfigSource::Implied { .. } => PathBuf::new(),
                    },
                    available: self.profile_names(),
                });
            }
        };
        self.profiles
            .iter()
            .find(|p| p.name == wanted)
            .ok_or_else(|| ConfigError::UnknownProfile {
                name: wanted.to_owned(),
                origin: self.source.clone(),
                available: self.profile_names(),
            })
    }

    /// Whether `name` is the profile opened when none is named.
    pub fn is_default(&self, name: &str) -> bool {
        self.select(None).is_ok_and(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` read as the config file `/etc/kvtui/config.toml`.
    pub(super) fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/kvtui/config.toml"))
    }

    /// Asserts that a config file holding `text` is refused with a message that says each of
    /// `says` and none of `never`.
    pub(super) fn assert_refused(text: &str, says: &[&str], never: &[&str]) {
        let message = parse(text).expect_err(text).to_string();
        for part in says {
            assert!(message.contains(part), "{part:?} is not in: {message}");
        }
        for part in never {
            assert!(!message.contains(part), "{part:?} is in: {message}");
        }
    }

    #[test]
    fn a_full_profile_parses() {
        let config = parse(
            r#"
            default_profile = "dev"
            [profiles.dev]
            vault_url = "https://myvault.vault.azure.net/"
            auth = "client-secret"
            tenant_id = "t"
            client_id = "c"
            client_secret_env = "AZURE_CLIENT_SECRET"
            api_version = "7.4"
            read_only = true
            ca_file = "proxy-ca.pem"
            [profiles.local]
            auth = "local"
            "#,
        )
        .expect("valid");
        let dev = config.select(None).expect("default");
        assert_eq!(
            dev.vault,
            VaultLocation::Url("https://myvault.vault.azure.net".into())
        );
        assert_eq!(dev.auth, AuthMethod::ClientSecret);
        assert!(dev.read_only);
        assert_eq!(
            dev.ca_file.as_deref(),
            Some(Path::new("/etc/kvtui/proxy-ca.pem"))
        );
        let local = config.select(Some("local")).expect("local");
        assert_eq!(local.vault, VaultLocation::Embedded);
        assert!(config.is_default("dev") && !config.is_default("local"));
    }

    #[test]
    fn selection_rules() {
        let config = parse(
            "[profiles.a]\nvault_url = \"https://a\"\n[profiles.b]\nvault_url = \"https://b\"\n",
        )
        .expect("valid");
        assert!(matches!(
            config.select(None),
            Err(ConfigError::NoDefault { .. })
        ));
        assert_eq!(config.select(Some("b")).expect("b").name, "b");
        let unknown = config.select(Some("c")).expect_err("c").to_string();
        assert!(
            unknown.contains("\"c\"") && unknown.contains("a, b"),
            "{unknown}"
        );

        assert_refused(
            "default_profile = \"x\"\n[profiles.a]\nvault_url = \"https://a\"\n",
            &["default_profile = \"x\""],
            &[],
        );
    }

    #[test]
    fn profiles_pin_only_versions_the_client_speaks() {
        assert!(
            PROFILE_API_VERSIONS
                .iter()
                .all(|v| crate::vault::API_VERSIONS.contains(v))
        );
    }

    #[test]
    fn an_empty_file_implies_the_local_profile() {
        let config = parse("").expect("empty");
        assert_eq!(config.select(None).expect("local").auth, AuthMethod::Local);
    }
}
