//! The store's rows as they are on disk: read with their integrity checks verified, written with
//! their checks computed. Nothing leaves this module unverified.

use super::integrity::{self, Damage, Digest, Part, SecretFields, VersionFields};
use super::store::error::{StoreError, StoreResult};
use super::store::shapes::{
    DeletedSecret, NewVersion, SecretVersion, VersionMeta, VersionSettings,
};
use crate::vault::{SecretValue, Tags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, ToSql, params, params_from_iter};

/// The columns [`StoredRow::read`] reads, from `secrets s` joined with `versions v`.
pub const META_COLUMNS: &str = "s.key, s.name, s.latest_seq, s.deleted_date, \
    s.scheduled_purge_date, s.row_check, v.seq, v.version, v.content_type, v.tags, v.enabled, \
    v.nbf, v.exp, v.created, v.updated, v.value_check, v.row_check";
/// Where `v.value` is when a query selects it after [`META_COLUMNS`].
const VALUE_COLUMN: usize = 17;

/// A TEXT column as stored. Bytes that are not UTF-8 (which only damage makes) become U+FFFD, so
/// that the row then fails its check, named, instead of failing to be read.
pub fn text(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<String>> {
    match row.get_ref(at)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => Ok(Some(String::from_utf8_lossy(bytes).into_owned())),
        other => Err(rusqlite::Error::InvalidColumnType(
            at,
            String::new(),
            other.data_type(),
        )),
    }
}

pub fn required_text(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<String> {
    text(row, at)?.ok_or(rusqlite::Error::InvalidColumnType(
        at,
        String::new(),
        rusqlite::types::Type::Null,
    ))
}

/// A `secrets` row.
#[derive(Clone, Debug)]
pub struct SecretRow {
    pub key: String,
    pub name: String,
    pub latest_seq: i64,
    pub deleted_date: Option<i64>,
    pub scheduled_purge_date: Option<i64>,
}

impl SecretRow {
    pub fn digest(&self) -> Digest {
        SecretFields {
            key: &self.key,
            name: &self.name,
            latest_seq: self.latest_seq,
            deleted_date: self.deleted_date,
            scheduled_purge_date: self.scheduled_purge_date,
        }
        .digest()
    }

    /// The row and its stored check, from columns `at..at + 6`.
    pub fn read(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<(Self, Option<Vec<u8>>)> {
        Ok((
            Self {
                key: required_text(row, at)?,
                name: required_text(row, at + 1)?,
                latest_seq: row.get(at + 2)?,
                deleted_date: row.get(at + 3)?,
                scheduled_purge_date: row.get(at + 4)?,
            },
            row.get(at + 5)?,
        ))
    }

    pub fn verified(self, check: Option<&[u8]>) -> Result<Self, Damage> {
        if integrity::matches(check, &self.digest()) {
            Ok(self)
        } else {
            Err(Damage {
                name: self.name,
                version: None,
                part: Part::Secret,
            })
        }
    }

    /// The row of `key`, verified; `None` if there is none.
    pub fn load(tx: &Connection, key: &str) -> StoreResult<Option<Self>> {
        let found = tx
            .query_row(
                "SELECT key, name, latest_seq, deleted_date, scheduled_purge_date, row_check
                 FROM secrets WHERE key = ?1",
                [key],
                |row| Self::read(row, 0),
            )
            .optional()?;
        match found {
            Some((row, check)) => Ok(Some(row.verified(check.as_deref())?)),
            None => Ok(None),
        }
    }

    /// Writes this row (with a new check): a new one, or over the stored row of its key (an
    /// update in place, so its versions stay).
    pub fn save(&self, tx: &Connection) -> StoreResult<()> {
        tx.execute(
            "INSERT INTO secrets (key, name, latest_seq, deleted_date, scheduled_purge_date, row_check)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name,
                 latest_seq = excluded.latest_seq, deleted_date = excluded.deleted_date,
                 scheduled_purge_date = excluded.scheduled_purge_date,
                 row_check = excluded.row_check",
            params![
                self.key,
                self.name,
                self.latest_seq,
                self.deleted_date,
                self.scheduled_purge_date,
                self.digest()
            ],
        )?;
        Ok(())
    }
}

/// The stored fields of a `versions` row.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub seq: i64,
    pub version: String,
    pub content_type: Option<String>,
    pub tags_json: Option<String>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub value_check: Option<Vec<u8>>,
}

impl VersionRow {
    pub fn digest(&self, key: &str) -> Digest {
        VersionFields {
            key,
            version: &self.version,
            value_digest: self.value_check.as_deref().unwrap_or_default(),
            content_type: self.content_type.as_deref(),
            tags_json: self.tags_json.as_deref(),
            enabled: self.enabled,
            nbf: self.nbf,
            exp: self.exp,
            created: self.created,
            updated: self.updated,
        }
        .digest()
    }

    /// The row and its stored check, from columns `at..at + 11`.
    pub fn read(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<(Self, Option<Vec<u8>>)> {
        Ok((
            Self {
                seq: row.get(at)?,
                version: required_text(row, at + 1)?,
                content_type: text(row, at + 2)?,
                tags_json: text(row, at + 3)?,
                enabled: row.get(at + 4)?,
                nbf: row.get(at + 5)?,
                exp: row.get(at + 6)?,
                created: row.get(at + 7)?,
                updated: row.get(at + 8)?,
                value_check: row.get(at + 9)?,
            },
            row.get(at + 10)?,
        ))
    }

    fn damage(&self, name: &str, part: Part) -> Damage {
        Damage {
            name: name.to_owned(),
            version: Some(self.version.clone()),
            part,
        }
    }

    /// Checks this row's attributes, and `value` against them when it is read too.
    pub fn verify(
        &self,
        key: &str,
        check: Option<&[u8]>,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), Damage> {
        if !integrity::matches(check, &self.digest(key)) {
            return Err(self.damage(name, Part::Attributes));
        }
        match value {
            Some(value)
                if !integrity::matches(
                    self.value_check.as_deref(),
                    &integrity::value_digest(value),
                ) =>
            {
                Err(self.damage(name, Part::Value))
            }
            _ => Ok(()),
        }
    }

    /// Writes this row's attributes (and a new check) over the stored row of its seq.
    pub fn save(&self, tx: &Connection, key: &str) -> StoreResult<()> {
        tx.execute(
            "UPDATE versions SET content_type = ?2, tags = ?3, enabled = ?4, nbf = ?5, exp = ?6,
                 updated = ?7, row_check = ?8
             WHERE seq = ?1",
            params![
                self.seq,
                self.content_type,
                self.tags_json,
                self.enabled,
                self.nbf,
                self.exp,
                self.updated,
                self.digest(key)
            ],
        )?;
        Ok(())
    }
}

pub fn tags_to_json(tags: &Option<Tags>) -> Option<String> {
    tags.as_ref()
        .map(|tags| serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned()))
}

/// A secret's row joined with one of its versions, as [`META_COLUMNS`] selects it, not yet
/// verified.
pub struct StoredRow {
    secret: (SecretRow, Option<Vec<u8>>),
    version: (VersionRow, Option<Vec<u8>>),
    value: Option<String>,
}

impl StoredRow {
    /// Reads [`META_COLUMNS`], and the value after them if `with_value`.
    pub fn read(row: &rusqlite::Row<'_>, with_value: bool) -> rusqlite::Result<Self> {
        Ok(Self {
            secret: SecretRow::read(row, 0)?,
            version: VersionRow::read(row, 6)?,
            value: if with_value {
                Some(required_text(row, VALUE_COLUMN)?)
            } else {
                None
            },
        })
    }

    pub fn read_meta(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Self::read(row, false)
    }

    pub fn read_with_value(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Self::read(row, true)
    }

    /// Verifies both rows (and the value, if read); the secret's row and the version's meta.
    pub fn verified(self) -> StoreResult<(SecretRow, VersionMeta, Option<SecretValue>)> {
        let (secret, secret_check) = self.secret;
        let secret = secret.verified(secret_check.as_deref())?;
        let (version, version_check) = self.version;
        version.verify(
            &secret.key,
            version_check.as_deref(),
            &secret.name,
            self.value.as_deref(),
        )?;
        let tags = match &version.tags_json {
            Some(json) => Some(serde_json::from_str(json).map_err(|error| {
                StoreError::Corrupt(format!("tags of {} are not JSON: {error}", secret.name))
            })?),
            None => None,
        };
        let meta = VersionMeta {
            name: secret.name.clone(),
            seq: version.seq,
            version: version.version,
            settings: VersionSettings {
                content_type: version.content_type,
                tags,
                enabled: version.enabled,
                nbf: version.nbf,
                exp: version.exp,
            },
            created: version.created,
            updated: version.updated,
        };
        Ok((secret, meta, self.value.map(SecretValue::new)))
    }

    pub fn meta(self) -> StoreResult<VersionMeta> {
        Ok(self.verified()?.1)
    }

    pub fn deleted(self) -> StoreResult<DeletedSecret> {
        let (secret, latest, _) = self.verified()?;
        Ok(DeletedSecret {
            latest,
            deleted_date: secret.deleted_date.unwrap_or_default(),
            scheduled_purge_date: secret.scheduled_purge_date.unwrap_or_default(),
        })
    }

    pub fn secret_version(self) -> StoreResult<SecretVersion> {
        let (_, meta, value) = self.verified()?;
        let value = value.ok_or_else(|| StoreError::Corrupt("the value was not read".into()))?;
        Ok(SecretVersion { meta, value })
    }
}

/// Inserts a version of the secret `key`; returns its seq.
pub fn insert_version(
    tx: &Connection,
    key: &str,
    version: &NewVersion,
    created: i64,
    updated: i64,
) -> StoreResult<i64> {
    let value = version.value.expose();
    let settings = &version.settings;
    let row = VersionRow {
        seq: 0,
        version: version.version.clone(),
        content_type: settings.content_type.clone(),
        tags_json: tags_to_json(&settings.tags),
        enabled: settings.enabled,
        nbf: settings.nbf,
        exp: settings.exp,
        created,
        updated,
        value_check: Some(integrity::value_digest(value).to_vec()),
    };
    tx.execute(
        "INSERT INTO versions (key, version, value, content_type, tags, enabled, nbf, exp,
             created, updated, value_check, row_check)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            key,
            row.version,
            value,
            row.content_type,
            row.tags_json,
            row.enabled,
            row.nbf,
            row.exp,
            row.created,
            row.updated,
            row.value_check,
            row.digest(key),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The version with sequence number `seq`, verified.
pub fn meta_by_seq(tx: &Connection, seq: i64) -> StoreResult<VersionMeta> {
    tx.query_row(
        &format!(
            "SELECT {META_COLUMNS} FROM versions v JOIN secrets s ON s.key = v.key WHERE v.seq = ?1"
        ),
        [seq],
        StoredRow::read_meta,
    )?
    .meta()
}

/// Up to `limit` rows of `sql`, each made into a `T` by `build`, and whether more follow. The
/// query's last parameter is its `LIMIT`, given here as one more than `limit`, to learn that.
pub fn page<T>(
    connection: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
    limit: usize,
    build: impl Fn(StoredRow) -> StoreResult<T>,
) -> StoreResult<(Vec<T>, bool)> {
    let fetch = limit as i64 + 1;
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement
        .query_map(
            params_from_iter(params.iter().copied().chain([&fetch as &dyn ToSql])),
            StoredRow::read_meta,
        )?
        .map(|row| build(row?))
        .collect::<StoreResult<Vec<_>>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}
