//! The Azure clouds a profile can be in: where its tokens come from, where Azure Resource Manager
//! answers, and the DNS suffix its vaults have. Public, China and US Government are built in;
//! any other (a sovereign or private cloud, a test server) is given by its three endpoints.

use serde::Deserialize;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cloud {
    Public,
    China,
    UsGov,
    Custom(CustomCloud),
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCloud {
    /// Entra's sign-in host, like `https://login.microsoftonline.com`.
    pub authority_host: String,
    /// Azure Resource Manager, like `https://management.azure.com`.
    pub resource_manager: String,
    /// What vault host names end in, like `vault.azure.net`.
    pub vault_suffix: String,
}

/// The named clouds, with the endpoints azure_identity and the Azure CLI use for them.
const NAMED: [(&str, Cloud, [&str; 3]); 3] = [
    (
        "public",
        Cloud::Public,
        [
            "https://login.microsoftonline.com",
            "https://management.azure.com",
            "vault.azure.net",
        ],
    ),
    (
        "china",
        Cloud::China,
        [
            "https://login.chinacloudapi.cn",
            "https://management.chinacloudapi.cn",
            "vault.azure.cn",
        ],
    ),
    (
        "usgov",
        Cloud::UsGov,
        [
            "https://login.microsoftonline.us",
            "https://management.usgovcloudapi.net",
            "vault.usgovcloudapi.net",
        ],
    ),
];

impl Cloud {
    pub fn named(name: &str) -> Option<Self> {
        NAMED
            .iter()
            .find(|(label, ..)| *label == name)
            .map(|(_, cloud, _)| cloud.clone())
    }

    /// The name `cloud = "…"` takes for it; `None` for a custom cloud, which is a table.
    pub fn name(&self) -> Option<&'static str> {
        NAMED
            .iter()
            .find(|(_, cloud, _)| cloud == self)
            .map(|(label, ..)| *label)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMED.iter().map(|(label, ..)| *label)
    }

    fn endpoints(&self) -> [&str; 3] {
        match self {
            Self::Custom(custom) => [
                &custom.authority_host,
                &custom.resource_manager,
                &custom.vault_suffix,
            ],
            named => NAMED
                .iter()
                .find(|(_, cloud, _)| cloud == named)
                .map(|(.., endpoints)| *endpoints)
                .unwrap_or(NAMED[0].2),
        }
    }

    pub fn authority_host(&self) -> &str {
        self.endpoints()[0]
    }

    pub fn resource_manager(&self) -> &str {
        self.endpoints()[1]
    }

    /// The OAuth scope of Azure Resource Manager in this cloud.
    pub fn resource_manager_scope(&self) -> String {
        format!("{}/.default", self.resource_manager())
    }

    pub fn vault_suffix(&self) -> &str {
        self.endpoints()[2]
    }

    /// The URL of the vault called `name` in this cloud.
    pub fn vault_url(&self, name: &str) -> String {
        format!("https://{name}.{}", self.vault_suffix())
    }

    /// The named cloud whose vaults `host` is one of, if any.
    pub fn of_vault_host(host: &str) -> Option<Self> {
        let host = host.to_ascii_lowercase();
        NAMED
            .iter()
            .find(|(.., [_, _, suffix])| host.ends_with(&format!(".{suffix}")))
            .map(|(_, cloud, _)| cloud.clone())
    }

    /// What azure_identity's credentials are told: the authority host they ask for tokens.
    pub fn configuration(&self) -> Arc<azure_core::cloud::CloudConfiguration> {
        use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
        Arc::new(match self {
            Self::Public => CloudConfiguration::AzurePublic,
            Self::China => CloudConfiguration::AzureChina,
            Self::UsGov => CloudConfiguration::AzureGovernment,
            Self::Custom(custom) => {
                let mut configuration = CustomConfiguration::default();
                configuration.authority_host = custom.authority_host.clone();
                configuration.into()
            }
        })
    }

    /// Checks a custom cloud's endpoints: HTTPS base URLs and a host-name suffix. Returns the
    /// field at fault, its value and why.
    pub fn check(&self) -> Result<(), (&'static str, &str, String)> {
        let Self::Custom(custom) = self else {
            return Ok(());
        };
        for (field, url) in [
            ("authority_host", &custom.authority_host),
            ("resource_manager", &custom.resource_manager),
        ] {
            let problem = match url::Url::parse(url) {
                Err(error) => Some(error.to_string()),
                Ok(parsed) if parsed.scheme() != "https" || parsed.host_str().is_none() => {
                    Some("must be an https:// URL".to_owned())
                }
                Ok(parsed)
                    if parsed.path() != "/" || parsed.query().is_some() || url.ends_with('/') =>
                {
                    Some("must be a base URL, with no path or trailing slash".to_owned())
                }
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                return Err((field, url, problem));
            }
        }
        let suffix = &custom.vault_suffix;
        if suffix.is_empty()
            || suffix.starts_with('.')
            || !suffix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err((
                "vault_suffix",
                suffix,
                "must be a host-name suffix, like vault.azure.net".into(),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(label) => f.write_str(label),
            None => write!(f, "custom ({})", self.resource_manager()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_clouds_have_their_own_endpoints() {
        let china = Cloud::named("china").expect("china");
        assert_eq!(china.authority_host(), "https://login.chinacloudapi.cn");
        assert_eq!(
            china.resource_manager_scope(),
            "https://management.chinacloudapi.cn/.default"
        );
        assert_eq!(china.vault_url("kv1"), "https://kv1.vault.azure.cn");
        assert_eq!(
            Cloud::of_vault_host("KV.vault.usgovcloudapi.net"),
            Some(Cloud::UsGov)
        );
        assert_eq!(Cloud::of_vault_host("vault.azure.net"), None);
        assert_eq!(Cloud::UsGov.to_string(), "usgov");
        assert!(Cloud::named("moon").is_none());
    }

    #[test]
    fn custom_endpoints_must_be_https_base_urls() {
        let custom = |authority: &str, manager: &str, suffix: &str| {
            Cloud::Custom(CustomCloud {
                authority_host: authority.into(),
                resource_manager: manager.into(),
                vault_suffix: suffix.into(),
            })
            .check()
            .map_err(|(field, ..)| field)
        };
        assert_eq!(
            custom(
                "https://login.example",
                "https://arm.example",
                "vault.example"
            ),
            Ok(())
        );
        assert_eq!(
            custom("http://login.example", "https://arm.example", "v.example"),
            Err("authority_host")
        );
        assert_eq!(
            custom(
                "https://login.example",
                "https://arm.example/x",
                "v.example"
            ),
            Err("resource_manager")
        );
        assert_eq!(
            custom("https://login.example", "https://arm.example", ".v.example"),
            Err("vault_suffix")
        );
    }
}
