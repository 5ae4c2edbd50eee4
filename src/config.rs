//! Vault profiles from `config.toml` in the platform config dir (or `$KVTUI_CONFIG_DIR`, or
//! `--config FILE`). With no config file, one `local` profile on the embedded local vault is
//! implied, so a first run needs nothing.
//!
//! Errors name the file and the field and quote the bad value; unknown fields are errors.

use crate::vault::API_VERSIONS;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A field whose value is not quoted back: an unknown key (its value may be a secret pasted
    /// into the wrong place) or a client_secret_env that does not look like a variable name.
    #[error("config file {path}: {field}: {problem}")]
    Field {
        path: PathBuf,
        field: String,
        problem: String,
    },
    #[error("config file {path}: {field} = {value}: {problem}")]
    Invalid {
        path: PathBuf,
        field: String,
        value: String,
        problem: String,
    },
    #[error(
        "no profile named {} in {origin}; profiles: {}",
        shown(name),
        available.join(", ")
    )]
    UnknownProfile {
        name: String,
        origin: ConfigSource,
        available: Vec<String>,
    },
    #[error(
        "config file {path}: default_profile is not set and there are several profiles ({}); set default_profile or pass --profile",
        available.join(", ")
    )]
    NoDefault {
        path: PathBuf,
        available: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    default_profile: Option<String>,
    clipboard_clear_seconds: Option<u64>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of profile settings")]
struct ProfileShape {
    vault_url: Option<String>,
    auth: Option<AuthMethod>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret_env: Option<String>,
    api_version: Option<String>,
    #[serde(default)]
    read_only: bool,
    ca_file: Option<PathBuf>,
    local_data_dir: Option<PathBuf>,
}

/// A copied value leaves the clipboard after this long unless the config says otherwise.
pub const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u64 = 30;

/// The config file looked for when no `--config` is given.
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os(CONFIG_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "kvtui").map(|dirs| dirs.config_dir().to_owned())
        })
        .map(|dir| dir.join(CONFIG_FILE))
}

impl Config {
    /// Loads `explicit` (which must exist), else the default config file if it exists, else the
    /// implied local profile.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None => match default_config_path() {
                Some(path) if path.exists() => path,
                looked_for => return Ok(Self::implied(looked_for)),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text, &path)
    }

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
            toml::from_str(text).map_err(|error| parse_error(path, text, &error))?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        let mut profiles = shape
            .profiles
            .into_iter()
            .map(|(name, profile)| check_profile(path, base_dir, name, profile))
            .collect::<Result<Vec<_>, _>>()?;
        if profiles.is_empty() {
            profiles.push(Profile::implied_local());
        }
        if let Some(default) = &shape.default_profile
            && !profiles.iter().any(|p| &p.name == default)
        {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                field: "default_profile".into(),
                value: shown(default),
                problem: format!(
                    "no such profile; profiles: {}",
                    profiles
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
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

fn check_profile(
    path: &Path,
    base_dir: &Path,
    name: String,
    shape: ProfileShape,
) -> Result<Profile, ConfigError> {
    let invalid = |field: &str, value: &str, problem: &str| ConfigError::Invalid {
        path: path.to_owned(),
        field: format!("profiles.{}.{field}", dotted_key(&name)),
        value: shown(value),
        problem: problem.to_owned(),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(ConfigError::Field {
            path: path.to_owned(),
            field: format!("profiles.{}", shown(&name)),
            problem: "a profile name may use letters, digits, '-', '_' and '.'".into(),
        });
    }
    let auth = shape.auth.unwrap_or(AuthMethod::DeveloperTools);
    let vault = match shape.vault_url.as_deref() {
        Some(url) => {
            VaultLocation::Url(check_vault_url(url).map_err(|p| invalid("vault_url", url, &p))?)
        }
        None if auth == AuthMethod::Local => VaultLocation::Embedded,
        None => {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                field: format!("profiles.{}.vault_url", dotted_key(&name)),
                value: "(missing)".into(),
                problem: format!("required for auth = {:?}", auth.label()),
            });
        }
    };
    let api_version = shape
        .api_version
        .unwrap_or_else(|| crate::vault::DEFAULT_API_VERSION.to_owned());
    if !PROFILE_API_VERSIONS.contains(&api_version.as_str()) {
        return Err(invalid(
            "api_version",
            &api_version,
            &format!("expected one of {}", PROFILE_API_VERSIONS.join(", ")),
        ));
    }
    debug_assert!(
        PROFILE_API_VERSIONS
            .iter()
            .all(|v| API_VERSIONS.contains(v))
    );
    if auth == AuthMethod::ClientSecret {
        for (field, value) in [
            ("tenant_id", &shape.tenant_id),
            ("client_id", &shape.client_id),
            ("client_secret_env", &shape.client_secret_env),
        ] {
            if value.is_none() {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    field: format!("profiles.{}.{field}", dotted_key(&name)),
                    value: "(missing)".into(),
                    problem: "required for auth = \"client-secret\"".into(),
                });
            }
        }
    }
    if let Some(variable) = &shape.client_secret_env
        && !is_variable_name(variable)
    {
        // Not quoted: a value that is not a variable name is most likely the secret itself.
        return Err(ConfigError::Field {
            path: path.to_owned(),
            field: format!("profiles.{}.client_secret_env", dotted_key(&name)),
            problem: "must name an environment variable, like AZURE_CLIENT_SECRET (letters, \
                      digits and '_'); the secret itself never goes in the file, so the value \
                      given is not shown"
                .into(),
        });
    }
    if shape.local_data_dir.is_some() && auth != AuthMethod::Local {
        return Err(invalid(
            "local_data_dir",
            &shape
                .local_data_dir
                .as_deref()
                .unwrap_or(Path::new(""))
                .display()
                .to_string(),
            "only used with auth = \"local\"",
        ));
    }
    let resolve = |file: PathBuf| {
        if file.is_absolute() {
            file
        } else {
            base_dir.join(file)
        }
    };
    Ok(Profile {
        name,
        vault,
        auth,
        tenant_id: shape.tenant_id,
        client_id: shape.client_id,
        client_secret_env: shape.client_secret_env,
        api_version,
        read_only: shape.read_only,
        ca_file: shape.ca_file.map(resolve),
        local_data_dir: shape.local_data_dir.map(resolve),
    })
}

/// A name a shell can export. Anything else in `client_secret_env` is taken for a pasted secret.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// toml's own messages name only the last key, so a type error under `[profiles.prod]` and one
/// under `[profiles.dev]` would read alike; this names the dotted field as our own checks do.
/// A syntax error keeps toml's message, whose excerpt is the best pointer there is.
fn parse_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim_end();
    let found = error
        .span()
        .and_then(|span| Some((span.start, locate(text, span.start)?)));
    let Some((offset, (field, spot))) = found else {
        return ConfigError::Parse {
            path: path.to_owned(),
            message: error.to_string().trim_end().to_owned(),
        };
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    let problem = format!("{message} (line {line}, column {column})");
    match spot {
        // The key itself is wrong; its value is not quoted because it may be a secret pasted
        // under a made-up name such as `client_secret`.
        Spot::Key => ConfigError::Field {
            path: path.to_owned(),
            field,
            problem,
        },
        Spot::Value(span) => ConfigError::Invalid {
            path: path.to_owned(),
            field,
            value: excerpt(&text[span]),
            problem,
        },
    }
}

/// Which part of a `key = value` pair an error points at.
enum Spot {
    Key,
    Value(std::ops::Range<usize>),
}

/// The dotted path of the innermost key whose key or value covers `offset` in `text`.
fn locate(text: &str, offset: usize) -> Option<(String, Spot)> {
    fn walk(table: &toml::de::DeTable<'_>, offset: usize, path: &mut Vec<String>) -> Option<Spot> {
        for (key, value) in table.iter() {
            path.push(dotted_key(key.get_ref()));
            if key.span().contains(&offset) {
                return Some(Spot::Key);
            }
            if let toml::de::DeValue::Table(inner) = value.get_ref()
                && let Some(spot) = walk(inner, offset, path)
            {
                return Some(spot);
            }
            if value.span().contains(&offset) {
                return Some(Spot::Value(value.span()));
            }
            path.pop();
        }
        None
    }
    let document = toml::de::DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    let spot = walk(document.get_ref(), offset, &mut path)?;
    Some((path.join("."), spot))
}

/// A value from the config file or the command line, quoted in an error: whole up to 200
/// characters (a vault URL with a path is 50), cut after that.
fn shown(value: &str) -> String {
    crate::vault::rules::quoted_up_to(value, 200)
}

fn dotted_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// A value as written in the file, on one line and cut short.
fn excerpt(raw: &str) -> String {
    const SHOWN: usize = 60;
    let first_line = raw.lines().next().unwrap_or_default();
    if first_line.len() < raw.len() || first_line.chars().count() > SHOWN {
        format!("{}…", first_line.chars().take(SHOWN).collect::<String>())
    } else {
        raw.to_owned()
    }
}

/// Accepts `https://host[:port][/]` and returns it without the trailing slash.
fn check_vault_url(url: &str) -> Result<String, String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("must start with https:// (Key Vault is only served over HTTPS)".into());
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err("must be the vault's base URL, like https://myvault.vault.azure.net".into());
    }
    Ok(format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/kvtui/config.toml"))
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
    fn errors_name_file_field_and_value() {
        let error =
            parse("[profiles.dev]\nvault_url = \"http://plain.example\"\n").expect_err("http");
        let text = error.to_string();
        assert!(text.contains("/etc/kvtui/config.toml"), "{text}");
        assert!(text.contains("profiles.dev.vault_url"), "{text}");
        assert!(text.contains("\"http://plain.example\""), "{text}");

        let text = parse("[profiles.dev]\nvault_url = \"https://v\"\nauth = \"magic\"\n")
            .expect_err("auth")
            .to_string();
        assert!(text.contains("magic") && text.contains("line 3"), "{text}");

        let text = parse("[profiles.dev]\nvault_url = \"https://v\"\nvault_uri = \"x\"\n")
            .expect_err("unknown")
            .to_string();
        assert!(text.contains("vault_uri"), "{text}");

        let text = parse("[profiles.dev]\nvault_url = \"https://v\"\napi_version = \"7.0\"\n")
            .expect_err("old api")
            .to_string();
        assert!(
            text.contains("profiles.dev.api_version = \"7.0\""),
            "{text}"
        );

        let text = parse("[profiles.dev]\nvault_url = \"https://v\"\nauth = \"client-secret\"\n")
            .expect_err("secret parts")
            .to_string();
        assert!(
            text.contains("tenant_id") && text.contains("client-secret"),
            "{text}"
        );
    }

    #[test]
    fn toml_errors_name_the_dotted_field() {
        let text = parse("[profiles.\"v7.4\"]\nvault_url = \"https://v\"\nread_only = 1\n")
            .expect_err("wrong type")
            .to_string();
        assert!(
            text.contains("profiles.\"v7.4\".read_only = 1: invalid type")
                && text.contains("(line 3, column 13)"),
            "{text}"
        );
        let text = parse("[profiles.a]\nauth = \"local\"\n[profiles.b]\nauth = \"nope\"\n")
            .expect_err("bad auth in the second profile")
            .to_string();
        assert!(text.contains("profiles.b.auth = \"nope\""), "{text}");
        let text = parse("[profiles]\na = 3\n")
            .expect_err("not a table")
            .to_string();
        assert!(
            text.contains("profiles.a = 3") && !text.contains("ProfileShape"),
            "{text}"
        );
    }

    #[test]
    fn what_may_be_a_secret_is_named_but_not_quoted() {
        let pasted = "Xy8Q~fake.secret";
        let text = parse(&format!(
            "[profiles.a]\nvault_url = \"https://v\"\nclient_secret = \"{pasted}\"\n"
        ))
        .expect_err("unknown field")
        .to_string();
        assert!(
            text.contains("profiles.a.client_secret: unknown field"),
            "{text}"
        );
        assert!(!text.contains(pasted), "{text}");

        let text = parse(&format!(
            "[profiles.a]\nvault_url = \"https://v\"\nauth = \"client-secret\"\n\
             tenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"{pasted}\"\n"
        ))
        .expect_err("not a variable name")
        .to_string();
        assert!(text.contains("profiles.a.client_secret_env"), "{text}");
        assert!(!text.contains(pasted), "{text}");
        assert!(
            is_variable_name("_KV_SECRET2") && !is_variable_name("2KV") && !is_variable_name("")
        );
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

        let text = parse("default_profile = \"x\"\n[profiles.a]\nvault_url = \"https://a\"\n")
            .expect_err("bad default")
            .to_string();
        assert!(text.contains("default_profile = \"x\""), "{text}");
    }

    #[test]
    fn an_empty_file_implies_the_local_profile() {
        let config = parse("").expect("empty");
        assert_eq!(config.select(None).expect("local").auth, AuthMethod::Local);
    }
}
