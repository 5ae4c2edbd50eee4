//! The stale-write guard. Key Vault takes no `If-Match` on a secret's new version
//! (Azure/azure-sdk-for-python#39790), so a writer that must not clobber another re-reads the
//! latest version just before writing, and once more after: the first read refuses a write made
//! from an outdated version, the second tells when another write landed between the two.

use super::{
    SecretAttributes, SecretBundle, SecretItem, SetSecretParameters, UpdateSecretParameters,
    VaultClient, VaultError,
};
use crate::when::format_utc;

/// The version a write was made from: the latest it expects to replace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The secret must not exist yet.
    New,
    /// The latest version's id, or a prefix of it (lowercase hex).
    Version(String),
    /// For an attributes update: the version it edits, as it was read (its id may be absent,
    /// from a listing; its value is not kept). Its content type, tags, dates and enabled must
    /// be the same when the update is sent: `updated` alone counts in whole seconds.
    Unchanged(Box<SecretBundle>),
}

/// The fewest hex digits `--if-version` takes: the 8 the TUI shows.
const SHORTEST_PREFIX: usize = 8;

impl Expected {
    /// `new`, or 8 to 32 hex digits of a version id.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw == "new" {
            return Ok(Self::New);
        }
        if (SHORTEST_PREFIX..=32).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Ok(Self::Version(raw.to_ascii_lowercase()));
        }
        Err(format!(
            "expected new (the secret must not exist yet) or the latest version's id: its 32 hex \
             digits, or at least the {SHORTEST_PREFIX} the TUI shows"
        ))
    }

    /// What it asks of the secret, after "expected": `it not to exist`.
    pub fn wanted(&self) -> String {
        match self {
            Self::New => "it not to exist".to_owned(),
            Self::Version(version) => format!("{version} to be its latest version"),
            Self::Unchanged(read) => match version_of(read) {
                Some(version) => format!("version {version} to be as it was read"),
                None => "the version to be as it was read".to_owned(),
            },
        }
    }

    /// What an attributes update of `read` (the version as read) expects to find when sent.
    pub fn unchanged(read: &SecretBundle) -> Self {
        Self::Unchanged(Box::new(SecretBundle {
            value: None,
            ..read.clone()
        }))
    }

    /// As `unchanged`, for the latest version as a listing gives it.
    pub fn unchanged_item(item: &SecretItem) -> Self {
        Self::Unchanged(Box::new(SecretBundle {
            id: item.id.clone(),
            attributes: item.attributes.clone(),
            tags: item.tags.clone(),
            content_type: item.content_type.clone(),
            ..SecretBundle::default()
        }))
    }

    /// Whether `latest` (the secret's latest version, `None` when it has none; for
    /// `Unchanged`, the version being edited) is this one.
    pub fn is(&self, latest: Option<&SecretBundle>) -> bool {
        match (self, latest.and_then(version_of)) {
            (Self::New, latest) => latest.is_none(),
            (Self::Version(prefix), Some(latest)) => {
                latest.to_ascii_lowercase().starts_with(prefix)
            }
            (Self::Version(_), None) => false,
            (Self::Unchanged(read), Some(found)) => {
                version_of(read).is_none_or(|version| version == found)
                    && latest.is_some_and(|now| edited_alike(read, now))
            }
            (Self::Unchanged(_), None) => false,
        }
    }
}

/// Whether two reads of a version hold the same attributes an update can change.
fn edited_alike(read: &SecretBundle, now: &SecretBundle) -> bool {
    let content_type = |b: &SecretBundle| b.content_type.clone().filter(|t| !t.is_empty());
    let tags = |b: &SecretBundle| b.tags.clone().unwrap_or_default();
    let dates = |b: &SecretBundle| {
        let a = b.attributes.clone().unwrap_or_default();
        (a.enabled, a.nbf, a.exp, a.updated)
    };
    content_type(read) == content_type(now) && tags(read) == tags(now) && dates(read) == dates(now)
}

pub fn version_of(bundle: &SecretBundle) -> Option<String> {
    bundle.secret_id().and_then(|id| id.version)
}

/// The latest version of `name`, `None` when it has none. A disabled latest version has no
/// value to give (the vault answers 403), so it is found in the version list instead.
pub async fn latest(client: &VaultClient, name: &str) -> Result<Option<SecretBundle>, VaultError> {
    read(client, name, None).await
}

/// `version` of `name` (the latest when `None`) as it is now, `None` when there is no such
/// version; a disabled one, without its value, from the version list.
async fn read(
    client: &VaultClient,
    name: &str,
    version: Option<&str>,
) -> Result<Option<SecretBundle>, VaultError> {
    match client.get_secret(name, version).await {
        Ok(bundle) => Ok(Some(bundle)),
        Err(error) if error.status() == Some(404) => Ok(None),
        Err(error) if error.status() == Some(403) => {
            let mut versions = client.list_versions(name).collect_all().await?;
            super::newest_first(&mut versions);
            let found = versions.into_iter().find(|item| {
                version.is_none_or(|version| {
                    item.secret_id().and_then(|id| id.version).as_deref() == Some(version)
                })
            });
            Ok(found.map(|item| SecretBundle {
                id: item.id,
                attributes: item.attributes,
                tags: item.tags,
                content_type: item.content_type,
                ..SecretBundle::default()
            }))
        }
        Err(error) => Err(error),
    }
}

/// How a guarded set ended.
#[derive(Debug)]
pub enum Guarded {
    /// The new version.
    Written(SecretBundle),
    /// Nothing was written: the latest version is not the one expected. This is it, `None`
    /// when the secret has none.
    Stale(Option<SecretBundle>),
}

/// Sets `name`; with `expected`, only if its latest version, read just before, is still that
/// one: as close to the write as a service without `If-Match` allows.
pub async fn set_if(
    client: &VaultClient,
    name: &str,
    params: &SetSecretParameters,
    expected: Option<&Expected>,
) -> Result<Guarded, VaultError> {
    if let Some(expected) = expected {
        let latest = latest(client, name).await?;
        if !expected.is(latest.as_ref()) {
            return Ok(Guarded::Stale(latest));
        }
    }
    client.set_secret(name, params).await.map(Guarded::Written)
}

/// Updates the attributes of `version` of `name` (the latest when `None`); with `expected`,
/// only if it is, read just before, as `expected` found it. The update then goes to the
/// version just checked, so a version made meanwhile is not the one changed.
pub async fn update_if(
    client: &VaultClient,
    name: &str,
    version: Option<&str>,
    params: &UpdateSecretParameters,
    expected: Option<&Expected>,
) -> Result<Guarded, VaultError> {
    let mut checked = None;
    if let Some(expected) = expected {
        let now = read(client, name, version).await?;
        if !expected.is(now.as_ref()) {
            return Ok(Guarded::Stale(now));
        }
        checked = now.as_ref().and_then(version_of);
    }
    client
        .update_secret(name, checked.as_deref().or(version), params)
        .await
        .map(Guarded::Written)
}

/// What the version an attributes update edits is now, when it is not as read: when it was
/// last changed, and its attributes.
pub fn describe_changed(expected: &Expected, now: Option<&SecretBundle>) -> String {
    let Some(now) = now else {
        return "that version is gone (the secret deleted, or never made)".into();
    };
    let (attributes, when) = attributes_and_when(now);
    let version = version_of(now).unwrap_or_else(|| "unknown".into());
    let read = match expected {
        Expected::Version(prefix) => Some(prefix.clone()),
        Expected::Unchanged(read) => version_of(read),
        Expected::New => None,
    };
    let what = match read {
        Some(read) if !version.starts_with(&read) => {
            format!("its latest version is now {version}, written")
        }
        _ => format!("version {version} was changed"),
    };
    format!(
        "{what} {when} (content type {}, tags [{}], {})",
        now.content_type.as_deref().unwrap_or("none"),
        tag_list(now),
        if attributes.enabled == Some(false) {
            "disabled"
        } else {
            "enabled"
        }
    )
}

/// Where a guarded write starts from: `New` when there is no latest version, else that one.
pub fn expecting(latest: Option<&SecretBundle>) -> Expected {
    latest
        .and_then(version_of)
        .map_or(Expected::New, Expected::Version)
}

/// What the latest version is, when it is not the one expected: its id, when it was written,
/// its attributes, and whether its value is the one about to be written. The vault does not
/// record who wrote a version.
pub fn describe_latest(
    latest: Option<&SecretBundle>,
    about_to_write: &SetSecretParameters,
) -> String {
    let Some(latest) = latest else {
        return "it has no version now (deleted, or never made)".into();
    };
    let (attributes, when) = attributes_and_when(latest);
    let value = match &latest.value {
        Some(value) if *value == about_to_write.value => "the same value as yours",
        Some(_) => "a different value from yours",
        None => "no value the vault would give (disabled)",
    };
    let mut said = format!(
        "its latest version is {} (written {when}, with {value}",
        version_of(latest).unwrap_or_else(|| "unknown".into())
    );
    if latest.content_type != about_to_write.content_type {
        said.push_str(&format!(
            ", content type {}",
            latest.content_type.as_deref().unwrap_or("none")
        ));
    }
    if latest.tags.clone().unwrap_or_default() != about_to_write.tags.clone().unwrap_or_default() {
        said.push_str(&format!(", tags [{}]", tag_list(latest)));
    }
    if attributes.enabled == Some(false) {
        said.push_str(", disabled");
    }
    said.push(')');
    said
}

/// A version's attributes, and when it was last changed: `at 2026-…`.
fn attributes_and_when(bundle: &SecretBundle) -> (SecretAttributes, String) {
    let attributes = bundle.attributes.clone().unwrap_or_default();
    let when = attributes.updated.map_or_else(
        || "at an unknown time".to_owned(),
        |at| format!("at {}", format_utc(at)),
    );
    (attributes, when)
}

/// `k=v, k2=v2`.
fn tag_list(bundle: &SecretBundle) -> String {
    let tags = bundle.tags.clone().unwrap_or_default();
    let listed: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    listed.join(", ")
}

/// Said after a guarded write when the latest version is no longer the one it made.
pub fn overtaken(mine: &SecretBundle, latest: Option<&SecretBundle>) -> Option<String> {
    let mine = version_of(mine)?;
    let latest_version = latest.and_then(version_of);
    if latest_version.as_deref() == Some(mine.as_str()) {
        return None;
    }
    Some(match latest_version {
        Some(latest_version) => format!(
            "another write landed just after this one: the latest version is now {latest_version}, \
             not {mine}"
        ),
        None => format!(
            "the secret has no latest version now: it was deleted just after {mine} was made"
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::vault::{SecretAttributes, SecretValue};

    const VAULT: &str = "https://v.vault.azure.net/secrets/s";

    fn version(id: &str, value: &str) -> SecretBundle {
        SecretBundle {
            id: Some(format!("{VAULT}/{id}")),
            value: Some(SecretValue::from(value.to_owned())),
            attributes: Some(SecretAttributes {
                updated: Some(1_790_000_000),
                ..SecretAttributes::default()
            }),
            ..SecretBundle::default()
        }
    }

    fn writing(value: &str) -> SetSecretParameters {
        SetSecretParameters {
            value: SecretValue::from(value.to_owned()),
            tags: None,
            content_type: None,
            attributes: None,
        }
    }

    const A: &str = "0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn the_expected_version_is_matched_by_its_id_or_a_prefix_in_any_case() {
        let latest = version(A, "v");
        for given in [A, "01234567", "0123456789ABCDEF"] {
            assert!(Expected::parse(given).unwrap().is(Some(&latest)), "{given}");
        }
        assert!(!Expected::parse("fedcba98").unwrap().is(Some(&latest)));
        assert!(!Expected::parse(A).unwrap().is(None));
        assert!(Expected::New.is(None));
        assert!(!Expected::New.is(Some(&latest)));
        for bad in [
            "0123456",
            "new ",
            "0123456789abcdef0123456789abcdef0",
            "g1234567",
        ] {
            assert!(Expected::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_latest_is_described_without_its_value() {
        let mut latest = version(B, "their-value");
        latest.content_type = Some("application/json".into());
        let said = describe_latest(Some(&latest), &writing("my-value"));
        assert_eq!(
            said,
            format!(
                "its latest version is {B} (written at {}, with a different value from yours, \
                 content type application/json)",
                format_utc(1_790_000_000)
            )
        );
        let same = describe_latest(Some(&version(B, "my-value")), &writing("my-value"));
        assert!(same.contains("with the same value as yours"), "{same}");
        assert!(describe_latest(None, &writing("x")).contains("no version now"));
    }

    #[test]
    fn a_write_overtaken_by_another_says_which_is_latest_now() {
        let mine = version(A, "v");
        assert_eq!(overtaken(&mine, Some(&version(A, "v"))), None);
        let said = overtaken(&mine, Some(&version(B, "w"))).unwrap();
        assert!(
            said.contains(&format!("the latest version is now {B}, not {A}")),
            "{said}"
        );
        assert!(overtaken(&mine, None).unwrap().contains("deleted"));
    }
}
