//! What the store takes in and hands out: versions with and without their values, a deleted
//! secret, a whole secret for a backup, and the key a name is stored under.

use crate::vault::{SecretValue, Tags};
use serde::{Deserialize, Serialize};

/// The key a name is stored under: names are case-insensitive, as in Key Vault.
pub fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Everything about one version except its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMeta {
    pub name: String,
    /// Creation order within the vault; the newest version of a secret has the highest.
    pub seq: i64,
    pub version: String,
    pub settings: VersionSettings,
    pub created: i64,
    pub updated: i64,
}

/// What a writer sets on a version; its id, order and times are the store's to give. A backup
/// carries these fields as they are named here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSettings {
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    pub meta: VersionMeta,
    pub value: SecretValue,
}

/// A soft-deleted secret, described by its latest version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSecret {
    pub latest: VersionMeta,
    pub deleted_date: i64,
    pub scheduled_purge_date: i64,
}

/// What a Set Secret writes.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub version: String,
    pub value: SecretValue,
    pub settings: VersionSettings,
}

/// A whole secret, every version with its value, as carried in a backup blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretExport {
    pub name: String,
    pub versions: Vec<SecretVersion>,
}
