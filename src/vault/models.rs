//! The Key Vault secrets data-plane shapes (spec `../shared/spec/*/secrets.json`), shared by the
//! client and the local vault so both speak exactly one contract.
//!
//! Every field is optional on the wire except where the spec marks it required; unknown fields
//! are ignored so a newer service version never breaks an older client.

use super::recovery::RecoveryLevel;
use super::secret_value::SecretValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Tags = BTreeMap<String, String>;

/// Declares wire shapes whose every field is optional, as most of the spec's are: a `None` is left
/// out of what is sent, as the service leaves it out, and a field left out is read as `None`
/// (serde_with's `skip_serializing_none`, without the dependency).
macro_rules! optional_fields {
    ($(
        $(#[$doc:meta])*
        pub struct $name:ident {
            $(pub $field:ident: Option<$type:ty>,)*
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$type>,
            )*
        }
    )*};
}

optional_fields! {
    /// `SecretAttributes`: times are unix seconds, as the service sends them.
    pub struct SecretAttributes {
        pub enabled: Option<bool>,
        pub nbf: Option<i64>,
        pub exp: Option<i64>,
        pub created: Option<i64>,
        pub updated: Option<i64>,
        pub recoverable_days: Option<i64>,
        pub recovery_level: Option<RecoveryLevel>,
    }

    /// `SecretBundle`: one version of a secret, with its value when the operation returns it.
    pub struct SecretBundle {
        pub value: Option<SecretValue>,
        pub id: Option<String>,
        pub content_type: Option<String>,
        pub attributes: Option<SecretAttributes>,
        pub tags: Option<Tags>,
        pub kid: Option<String>,
        pub managed: Option<bool>,
        pub previous_version: Option<String>,
    }

    /// `SecretItem`: what list operations return; never carries a value.
    pub struct SecretItem {
        pub id: Option<String>,
        pub attributes: Option<SecretAttributes>,
        pub tags: Option<Tags>,
        pub content_type: Option<String>,
        pub managed: Option<bool>,
    }

    /// The fields a deleted secret adds to a bundle or an item.
    pub struct Deletion {
        pub recovery_id: Option<String>,
        pub deleted_date: Option<i64>,
        pub scheduled_purge_date: Option<i64>,
    }

    /// `SecretUpdateParameters`: absent fields are left as they are.
    pub struct UpdateSecretParameters {
        pub content_type: Option<String>,
        pub attributes: Option<SecretAttributes>,
        pub tags: Option<Tags>,
    }
}

/// `DeletedSecretBundle`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedSecretBundle {
    #[serde(flatten)]
    pub secret: SecretBundle,
    #[serde(flatten)]
    pub deletion: Deletion,
}

/// `DeletedSecretItem`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedSecretItem {
    #[serde(flatten)]
    pub item: SecretItem,
    #[serde(flatten)]
    pub deletion: Deletion,
}

/// One page of a pageable list (`SecretListResult`, `DeletedSecretListResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The service sends `null` on the last page; we send it the same way.
    #[serde(default)]
    pub next_link: Option<String>,
}

/// `SecretSetParameters`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetSecretParameters {
    pub value: SecretValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<SecretAttributes>,
}

/// The largest backup blob, in bytes, that kvtui's local vault makes or restores and that the
/// client sends to be restored: one limit, so that no backup is made that a restore refuses.
pub const MAX_BACKUP_BLOB_BYTES: usize = 64 << 20;

/// `BackupSecretResult` and `SecretRestoreParameters` share one shape: an opaque base64url blob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupBlob {
    pub value: String,
}

/// `KeyVaultError`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVaultError {
    #[serde(default)]
    pub error: Option<ErrorDetail>,
}

/// `Error`: the service's code and message, with an optional inner error that refines the code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub innererror: Option<Box<ErrorDetail>>,
}

/// A secret identifier `https://{vault}/secrets/{name}[/{version}]`, also used for
/// `deletedsecrets` recovery ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretId {
    pub vault_url: String,
    pub name: String,
    pub version: Option<String>,
}

impl SecretId {
    pub fn parse(id: &str) -> Option<Self> {
        let (scheme, rest) = id.split_once("://")?;
        let (host, path) = rest.split_once('/')?;
        let mut segments = path.trim_end_matches('/').split('/');
        match segments.next()? {
            "secrets" | "deletedsecrets" => {}
            _ => return None,
        }
        let name = segments.next().filter(|name| !name.is_empty())?;
        let version = segments.next().map(str::to_owned);
        if segments.next().is_some() {
            return None;
        }
        Some(Self {
            vault_url: format!("{scheme}://{host}"),
            name: name.to_owned(),
            version,
        })
    }
}

/// A version id cut to its first 8 characters, as the screen and the log show it. By
/// characters: a version id is the vault's text, and a byte cut could split one.
pub fn short_version(version: &str) -> &str {
    version
        .char_indices()
        .nth(8)
        .map_or(version, |(end, _)| &version[..end])
}

impl SecretBundle {
    pub fn secret_id(&self) -> Option<SecretId> {
        self.id.as_deref().and_then(SecretId::parse)
    }

    /// The Set Secret that writes this version again, in another vault: its value, tags,
    /// content type, and of its attributes those a writer sets (the rest are the vault's to
    /// give). `None` when the bundle came without its value.
    pub fn to_set(&self) -> Option<SetSecretParameters> {
        let attributes = self.attributes.clone().unwrap_or_default();
        Some(SetSecretParameters {
            value: self.value.clone()?,
            tags: self.tags.clone(),
            content_type: self.content_type.clone(),
            attributes: Some(SecretAttributes {
                enabled: attributes.enabled,
                nbf: attributes.nbf,
                exp: attributes.exp,
                ..SecretAttributes::default()
            }),
        })
    }
}

impl SecretBundle {
    /// The version as a list shows its secret: the same attributes, the versionless id.
    pub fn to_item(&self) -> SecretItem {
        SecretItem {
            id: self
                .id
                .as_deref()
                .map(|id| id.rsplit_once('/').map_or(id, |(base, _)| base).to_owned()),
            attributes: self.attributes.clone(),
            tags: self.tags.clone(),
            content_type: self.content_type.clone(),
            managed: self.managed,
        }
    }
}

impl SecretItem {
    pub fn secret_id(&self) -> Option<SecretId> {
        self.id.as_deref().and_then(SecretId::parse)
    }
}

/// Sorts a version list newest first by creation time; among equal times (the service counts in
/// seconds) the one later in the vault's order is taken as newer.
pub fn newest_first(items: &mut [SecretItem]) {
    let created = |item: &SecretItem| item.attributes.as_ref().and_then(|a| a.created);
    // Reversed, then stably sorted: versions created in the same second keep the later-listed
    // one first, without copying a single item.
    items.reverse();
    items.sort_by_key(|item| std::cmp::Reverse(created(item)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ids_parse_with_and_without_version() {
        let full =
            SecretId::parse("https://v.vault.azure.net/secrets/db-pass/0123abcd").expect("full id");
        assert_eq!(full.vault_url, "https://v.vault.azure.net");
        assert_eq!(full.name, "db-pass");
        assert_eq!(full.version.as_deref(), Some("0123abcd"));

        let base = SecretId::parse("https://127.0.0.1:8443/secrets/db-pass").expect("base id");
        assert_eq!(base.vault_url, "https://127.0.0.1:8443");
        assert_eq!(base.version, None);

        let recovery =
            SecretId::parse("https://v.vault.azure.net/deletedsecrets/old").expect("recovery id");
        assert_eq!(recovery.name, "old");

        assert_eq!(SecretId::parse("https://v/keys/k"), None);
        assert_eq!(SecretId::parse("not a url"), None);
        assert_eq!(SecretId::parse("https://v/secrets/a/b/c"), None);
    }

    #[test]
    fn deleted_bundle_flattens_both_parts() {
        let json = r#"{"recoveryId":"https://v/deletedsecrets/x","deletedDate":1,
            "scheduledPurgeDate":2,"id":"https://v/secrets/x/ab",
            "attributes":{"enabled":true,"recoveryLevel":"Recoverable+Purgeable"}}"#;
        let bundle: DeletedSecretBundle = serde_json::from_str(json).expect("parse");
        assert_eq!(bundle.deletion.scheduled_purge_date, Some(2));
        assert_eq!(bundle.secret.id.as_deref(), Some("https://v/secrets/x/ab"));
        let level = bundle.secret.attributes.and_then(|a| a.recovery_level);
        assert_eq!(level, Some(RecoveryLevel::RecoverablePurgeable));
    }
    #[test]
    fn versions_sort_newest_first_with_ties_in_vault_order() {
        let item = |id: &str, created: i64| SecretItem {
            id: Some(format!("https://v/secrets/s/{id}")),
            attributes: Some(SecretAttributes {
                created: Some(created),
                ..SecretAttributes::default()
            }),
            ..SecretItem::default()
        };
        let mut items = vec![item("a", 1), item("b", 2), item("c", 2), item("d", 0)];
        newest_first(&mut items);
        let order: Vec<_> = items
            .iter()
            .map(|i| i.id.clone().unwrap_or_default())
            .collect();
        assert!(order[0].ends_with("/c") && order[1].ends_with("/b") && order[3].ends_with("/d"));
    }
}
