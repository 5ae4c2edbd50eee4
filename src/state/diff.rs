//! Two versions of a secret side by side.

use super::Remote;
use crate::vault::SecretBundle;

/// Two versions side by side: `older` and `newer` are version ids.
#[derive(Debug)]
pub struct VersionDiff {
    pub name: String,
    pub older: String,
    pub newer: String,
    pub request: u64,
    /// Each version's bundle, or why it could not be read (a disabled version's value).
    pub bundles: Remote<(VersionSide, VersionSide)>,
    pub reveal: bool,
    pub scroll: u16,
}

#[derive(Debug)]
pub struct VersionSide {
    pub bundle: Option<SecretBundle>,
    pub error: Option<String>,
}
