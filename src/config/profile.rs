//! One `[profiles.NAME]` table as written, checked into a [`Profile`].

use super::errors::{ConfigError, dotted_key};
use super::{AuthMethod, PROFILE_API_VERSIONS, Profile, VaultLocation};
use crate::cloud::{Cloud, CustomCloud};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of profile settings")]
pub(super) struct ProfileShape {
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
    cloud: Option<CloudShape>,
    #[serde(default)]
    require_expiry: bool,
    max_expiry_days: Option<i64>,
    default_expiry: Option<String>,
    #[serde(default)]
    required_tags: Vec<String>,
    #[serde(default)]
    allowed_content_types: Vec<String>,
    name_pattern: Option<String>,
}

/// `cloud = "china"`, or `cloud = { authority_host = …, resource_manager = …, vault_suffix = … }`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "a cloud name (\"public\", \"china\", \"usgov\") or a table \
                               of authority_host, resource_manager and vault_suffix"
)]
enum CloudShape {
    Named(String),
    Custom(CustomCloud),
}

pub(super) fn check_profile(
    path: &Path,
    base_dir: &Path,
    name: String,
    shape: ProfileShape,
) -> Result<Profile, ConfigError> {
    let field = |field: &str| format!("profiles.{}.{field}", dotted_key(&name));
    let invalid = |name: &str, value: &str, problem: &str| {
        ConfigError::invalid(path, field(name), value, problem.to_owned())
    };
    let missing = |name: &str, problem: String| ConfigError::Invalid {
        path: path.to_owned(),
        field: field(name),
        value: "(missing)".into(),
        problem,
    };
    if !is_profile_name(&name) {
        return Err(ConfigError::Field {
            path: path.to_owned(),
            field: format!("profiles.{}", super::errors::quote(&name)),
            problem: PROFILE_NAME_RULE.into(),
        });
    }
    let auth = shape.auth.unwrap_or(AuthMethod::DeveloperTools);
    let vault = match shape.vault_url.as_deref() {
        Some(url) => {
            VaultLocation::Url(check_vault_url(url).map_err(|p| invalid("vault_url", url, &p))?)
        }
        None if auth == AuthMethod::Local => VaultLocation::Embedded,
        None => {
            return Err(missing(
                "vault_url",
                format!("required for auth = {:?}", auth.label()),
            ));
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
    if auth == AuthMethod::ClientSecret {
        for (name, value) in [
            ("tenant_id", &shape.tenant_id),
            ("client_id", &shape.client_id),
            ("client_secret_env", &shape.client_secret_env),
        ] {
            if value.is_none() {
                return Err(missing(
                    name,
                    "required for auth = \"client-secret\"".into(),
                ));
            }
        }
    }
    if shape
        .tenant_id
        .as_deref()
        .is_some_and(|tenant| !is_tenant_id(tenant))
    {
        // Not quoted: what is pasted where a tenant belongs may be a secret.
        return Err(ConfigError::Field {
            path: path.to_owned(),
            field: field("tenant_id"),
            problem: format!("{TENANT_ID_RULE}; the value given is not shown"),
        });
    }
    if let Some(variable) = &shape.client_secret_env
        && !is_variable_name(variable)
    {
        // Not quoted: a value that is not a variable name is most likely the secret itself.
        return Err(ConfigError::Field {
            path: path.to_owned(),
            field: field("client_secret_env"),
            problem: "must name an environment variable, like AZURE_CLIENT_SECRET (letters, \
                      digits and '_'); the secret itself never goes in the file, so the value \
                      given is not shown"
                .into(),
        });
    }
    if let Some(dir) = &shape.local_data_dir
        && auth != AuthMethod::Local
    {
        return Err(invalid(
            "local_data_dir",
            &dir.display().to_string(),
            "only used with auth = \"local\"",
        ));
    }
    let cloud = match shape.cloud {
        None => None,
        Some(CloudShape::Named(name)) => Some(Cloud::named(&name).ok_or_else(|| {
            invalid(
                "cloud",
                &name,
                &format!(
                    "expected one of {}, or a table of custom endpoints",
                    Cloud::names().collect::<Vec<_>>().join(", ")
                ),
            )
        })?),
        Some(CloudShape::Custom(custom)) => {
            let cloud = Cloud::Custom(custom);
            cloud.check().map_err(|(endpoint, value, problem)| {
                invalid(&format!("cloud.{endpoint}"), value, &problem)
            })?;
            Some(cloud)
        }
    };
    if let (Some(cloud), VaultLocation::Url(url)) = (&cloud, &vault)
        && let Some(host) = url.strip_prefix("https://")
        && let Some(other) = Cloud::of_vault_host(host.split(':').next().unwrap_or(host))
        && &other != cloud
    {
        return Err(invalid(
            "vault_url",
            url,
            &format!("is a vault of the {other} cloud, but the profile says cloud = \"{cloud}\""),
        ));
    }
    let policy = super::policy::check(
        shape.require_expiry,
        shape.max_expiry_days,
        shape.default_expiry,
        shape.required_tags,
        shape.allowed_content_types,
        shape.name_pattern,
    )
    .map_err(|(key, value, problem)| invalid(key, &value, &problem))?;
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
        cloud,
        policy,
    })
}

/// What a profile name may be, for the messages that refuse one.
pub const PROFILE_NAME_RULE: &str = "a profile name may use letters, digits, '-', '_' and '.'";

pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A name a shell can export. Anything else in `client_secret_env` is taken for a pasted secret.
pub const TENANT_ID_RULE: &str = "must be a tenant's id (a GUID) or one of its domains, like \
    contoso.onmicrosoft.com: letters, digits, '-' and '.', at most 253";

/// A tenant as Entra takes one in a path and `az --tenant` takes one as an argument: its GUID,
/// a domain, or `organizations`. Never an option (`-…`), a path or a query.
pub fn is_tenant_id(tenant: &str) -> bool {
    (1..=253).contains(&tenant.len())
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && tenant.as_bytes()[0].is_ascii_alphanumeric()
        && !tenant.contains("..")
}

pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The vault an operator typed: its URL, checked as a profile's `vault_url` is, or its name in
/// `cloud` (`myvault`, which is `https://myvault.vault.azure.net` in the public cloud). The
/// problem, when it is neither.
pub fn vault_url_for(typed: &str, cloud: &Cloud) -> Result<String, String> {
    if typed.contains("://") {
        return check_vault_url(typed);
    }
    if is_vault_name(typed) {
        return Ok(cloud.vault_url(&typed.to_ascii_lowercase()));
    }
    Err(format!(
        "must be a vault's name (3 to 24 letters, digits and single '-', starting with a letter \
         and ending with a letter or digit) or its URL, like {}",
        cloud.vault_url("myvault")
    ))
}

/// Azure's rule for a vault's name, which is also its host name.
fn is_vault_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=24).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !name.contains("--")
}

/// Accepts `https://host[:port][/]` and returns it without the trailing slash.
pub(super) fn check_vault_url(url: &str) -> Result<String, String> {
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
    use super::super::tests::assert_refused;
    use super::*;

    #[test]
    fn tenants_are_guids_or_domains() {
        for tenant in [
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.onmicrosoft.com",
            "organizations",
        ] {
            assert!(is_tenant_id(tenant), "{tenant}");
        }
        for tenant in [
            "",
            "-t",
            "--tenant=x",
            "a/b",
            "a..b",
            "t?x=1",
            "t e",
            "Xy8Q~fake",
        ] {
            assert!(!is_tenant_id(tenant), "{tenant}");
        }
    }

    #[test]
    fn a_client_secret_env_that_is_no_variable_name_is_not_quoted() {
        let pasted = "Xy8Q~fake.secret";
        assert_refused(
            &format!(
                "[profiles.a]\nvault_url = \"https://v\"\nauth = \"client-secret\"\n\
                 tenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"{pasted}\"\n"
            ),
            &["profiles.a.client_secret_env"],
            &[pasted],
        );
        assert!(
            is_variable_name("_KV_SECRET2") && !is_variable_name("2KV") && !is_variable_name("")
        );
    }

    #[test]
    fn a_vault_is_its_base_url_over_https_or_its_name() {
        for (typed, url) in [
            ("https://v.vault.azure.net/", "https://v.vault.azure.net"),
            ("https://v.vault.azure.cn", "https://v.vault.azure.cn"),
            ("MyVault-01", "https://myvault-01.vault.azure.net"),
            (
                "abcdefghijklmnopqrstuvwx",
                "https://abcdefghijklmnopqrstuvwx.vault.azure.net",
            ),
        ] {
            assert_eq!(
                vault_url_for(typed, &Cloud::Public).as_deref(),
                Ok(url),
                "{typed}"
            );
        }
        for bad in [
            "http://v",
            "https://",
            "https://v/path",
            "v.vault.azure.net",
            "kv",
            "1vault",
            "vault-",
            "my--vault",
            "my_vault",
            "abcdefghijklmnopqrstuvwxy",
            "",
        ] {
            assert!(vault_url_for(bad, &Cloud::Public).is_err(), "{bad}");
        }
        assert_eq!(
            vault_url_for("MyVault", &Cloud::China).as_deref(),
            Ok("https://myvault.vault.azure.cn")
        );
        // In the file, a vault is its URL only.
        assert!(check_vault_url("myvault").is_err());
    }

    #[test]
    fn profile_names_are_letters_digits_and_three_marks() {
        assert!(is_profile_name("prod.eu-west_2"));
        for bad in ["", "a b", "prod/eu", "ä", "a\n"] {
            assert!(!is_profile_name(bad), "{bad:?}");
        }
    }
}
