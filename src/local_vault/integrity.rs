//! Integrity checks on the store's rows: a SHA-256 digest over each row's fields, kept in the row
//! and verified whenever the row is read, so a value or attribute changed on disk (a flipped bit,
//! a bad copy, a stray edit) is refused as damage instead of served. SQLite's own integrity check
//! cannot see such a change: it checks the file's structure, not what the rows say.
//!
//! A plain digest, not a keyed MAC. Whoever can change `vault.db` (its owner, root) can read any
//! key kept beside it in the data dir, so a key would not stop them; it would only add a file
//! whose loss made every intact row look damaged. The digest covers the secret's key and the
//! version id as well, so a value or a version moved onto another row is caught too.

use aws_lc_rs::digest::{Context, SHA256};

pub type Digest = [u8; 32];

/// Which part of a row failed its check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// A version's value.
    Value,
    /// A version's attributes: content type, tags, enabled, dates.
    Attributes,
    /// The secret's own row: its name, latest version, deletion and purge dates.
    Secret,
}

/// A row that does not match its check, named by what it says it is (its name as stored may
/// itself be what changed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(name, version.as_deref(), *part))]
pub struct Damage {
    pub name: String,
    pub version: Option<String>,
    pub part: Part,
}

fn describe(name: &str, version: Option<&str>, part: Part) -> String {
    let row = match version {
        Some(version) => format!("secret {name} version {version}"),
        None => format!("secret {name}"),
    };
    let what = match part {
        Part::Value => "its value does",
        Part::Attributes => "its attributes do",
        Part::Secret => "its name, latest version or deletion dates do",
    };
    format!("{row}: {what} not match the row's integrity check")
}

/// The fields of one row, fed to the digest each with its length (or presence) first, so no two
/// different rows feed the same bytes.
struct Fields(Context);

impl Fields {
    fn new(domain: &[u8]) -> Self {
        Self(Context::new(&SHA256)).bytes(domain)
    }

    fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    fn text(self, text: Option<&str>) -> Self {
        match text {
            Some(text) => self.bytes(&[1]).bytes(text.as_bytes()),
            None => self.bytes(&[0]),
        }
    }

    fn int(self, int: Option<i64>) -> Self {
        match int {
            Some(int) => self.bytes(&[1]).bytes(&int.to_le_bytes()),
            None => self.bytes(&[0]),
        }
    }

    fn finish(self) -> Digest {
        let mut digest = [0u8; 32];
        digest.copy_from_slice(self.0.finish().as_ref());
        digest
    }
}

pub fn value_digest(value: &str) -> Digest {
    Fields::new(b"kvtui value 1")
        .bytes(value.as_bytes())
        .finish()
}

/// The fields of a `versions` row the check covers, as stored.
pub struct VersionFields<'a> {
    pub key: &'a str,
    pub version: &'a str,
    pub value_digest: &'a [u8],
    pub content_type: Option<&'a str>,
    pub tags_json: Option<&'a str>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
}

impl VersionFields<'_> {
    pub fn digest(&self) -> Digest {
        Fields::new(b"kvtui version 1")
            .bytes(self.key.as_bytes())
            .bytes(self.version.as_bytes())
            .bytes(self.value_digest)
            .text(self.content_type)
            .text(self.tags_json)
            .int(Some(i64::from(self.enabled)))
            .int(self.nbf)
            .int(self.exp)
            .int(Some(self.created))
            .int(Some(self.updated))
            .finish()
    }
}

/// The fields of a `secrets` row the check covers, as stored.
pub struct SecretFields<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub latest_seq: i64,
    pub deleted_date: Option<i64>,
    pub scheduled_purge_date: Option<i64>,
}

impl SecretFields<'_> {
    pub fn digest(&self) -> Digest {
        Fields::new(b"kvtui secret 1")
            .bytes(self.key.as_bytes())
            .bytes(self.name.as_bytes())
            .int(Some(self.latest_seq))
            .int(self.deleted_date)
            .int(self.scheduled_purge_date)
            .finish()
    }
}

/// Whether `stored` (a BLOB column, `None` if NULL) is `expected`.
pub fn matches(stored: Option<&[u8]>, expected: &Digest) -> bool {
    stored.is_some_and(|stored| stored == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version<'a>(key: &'a str, value: &'a [u8]) -> VersionFields<'a> {
        VersionFields {
            key,
            version: "v1",
            value_digest: value,
            content_type: None,
            tags_json: Some("{}"),
            enabled: true,
            nbf: None,
            exp: Some(5),
            created: 1,
            updated: 2,
        }
    }

    #[test]
    fn every_field_counts_and_none_runs_into_the_next() {
        let value = value_digest("v");
        let base = version("db", &value).digest();
        assert_ne!(base, version("dc", &value).digest());
        assert_ne!(
            base,
            VersionFields {
                exp: Some(6),
                ..version("db", &value)
            }
            .digest()
        );
        assert_ne!(
            base,
            VersionFields {
                nbf: Some(5),
                exp: None,
                ..version("db", &value)
            }
            .digest(),
            "the same number in another field"
        );
        assert_ne!(
            base,
            VersionFields {
                tags_json: None,
                content_type: Some("{}"),
                ..version("db", &value)
            }
            .digest()
        );
        assert_ne!(value_digest("ab"), value_digest("aB"));
    }

    #[test]
    fn damage_names_the_row_and_the_part() {
        let damage = Damage {
            name: "db".into(),
            version: Some("0123".into()),
            part: Part::Value,
        };
        assert_eq!(
            damage.to_string(),
            "secret db version 0123: its value does not match the row's integrity check"
        );
        assert!(!matches(None, &value_digest("x")));
    }
}
