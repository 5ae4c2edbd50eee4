//! The local vault's durable store: SQLite in WAL mode with `synchronous=FULL`, so a write the
//! server has acknowledged is on disk before the response leaves, and survives `kill -9`.
//!
//! Secret names are case-insensitive as in Key Vault: rows are keyed by the lowercased name and
//! keep the spelling the secret was first created with.

use crate::vault::{SecretValue, Tags};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS secrets (
    key                  TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    latest_seq           INTEGER NOT NULL,
    deleted_date         INTEGER,
    scheduled_purge_date INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS versions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT NOT NULL REFERENCES secrets(key) ON DELETE CASCADE,
    version      TEXT NOT NULL,
    value        TEXT NOT NULL,
    content_type TEXT,
    tags         TEXT,
    enabled      INTEGER NOT NULL,
    nbf          INTEGER,
    exp          INTEGER,
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    UNIQUE (key, version)
) STRICT;
CREATE INDEX IF NOT EXISTS versions_by_key ON versions (key, seq);
CREATE INDEX IF NOT EXISTS secrets_by_purge ON secrets (scheduled_purge_date)
    WHERE scheduled_purge_date IS NOT NULL;
";

const META_COLUMNS: &str = "s.name, v.seq, v.version, v.content_type, v.tags, v.enabled, v.nbf, v.exp, v.created, v.updated";

/// Everything about one version except its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMeta {
    pub name: String,
    /// Creation order within the vault; the newest version of a secret has the highest.
    pub seq: i64,
    pub version: String,
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
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
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

/// What an Update Secret changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct VersionPatch {
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: Option<bool>,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

/// A whole secret, every version with its value, as carried in a backup blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretExport {
    pub name: String,
    pub versions: Vec<SecretVersion>,
}

/// How a delete behaves, from the vault's recovery level.
#[derive(Clone, Copy, Debug)]
pub enum DeleteMode {
    /// Keep the secret hidden until this unix time, then purge it.
    Soft {
        scheduled_purge_date: i64,
    },
    Permanent,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the name is deleted but recoverable")]
    DeletedButRecoverable,
    #[error("a secret with this name already exists")]
    AlreadyExists,
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("store: corrupt row: {0}")]
    Corrupt(String),
    /// The transaction that held this write (with others set at the same moment) did not commit.
    #[error("store: the write was not committed: {0}")]
    Commit(String),
    #[error("store: {0}")]
    Untrusted(#[from] crate::file_trust::FileTrustError),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub struct Store {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    /// Set Secrets waiting for the writer: whoever gets it next commits all of them at once.
    sets: Mutex<SetQueue>,
}

/// Group commit for Set Secret. Each set queues itself, then takes the writer; if an earlier
/// holder already committed it, its answer is waiting in `done`. Otherwise it commits every
/// queued set in one transaction (each in its own savepoint, so one refused set fails alone)
/// with one fsync: eight concurrent clients share fsyncs instead of queueing for one each.
#[derive(Default)]
struct SetQueue {
    next_ticket: u64,
    waiting: Vec<SetJob>,
    done: std::collections::HashMap<u64, StoreResult<VersionMeta>>,
}

struct SetJob {
    ticket: u64,
    name: String,
    new: NewVersion,
    now: i64,
}

/// One set inside the group transaction.
fn set_in(tx: &Connection, job: &SetJob) -> StoreResult<VersionMeta> {
    let key = key_of(&job.name);
    match name_state(tx, &key, job.now)? {
        NameState::Deleted => return Err(StoreError::DeletedButRecoverable),
        NameState::Absent => {
            tx.execute(
                "INSERT INTO secrets (key, name, latest_seq) VALUES (?1, ?2, 0)",
                params![key, job.name],
            )?;
        }
        NameState::Live => {}
    }
    let seq = insert_version(tx, &key, &job.new, job.now, job.now)?;
    tx.execute(
        "UPDATE secrets SET latest_seq = ?1 WHERE key = ?2",
        params![seq, key],
    )?;
    meta_by_seq(tx, seq)
}

/// Commits `jobs` in one transaction; one answer per job, in order.
fn commit_sets(connection: &mut Connection, jobs: &[SetJob]) -> Vec<StoreResult<VersionMeta>> {
    let failed_all = |error: rusqlite::Error| {
        let message = error.to_string();
        jobs.iter()
            .map(|_| Err(StoreError::Commit(message.clone())))
            .collect()
    };
    let mut tx = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(error) => return failed_all(error),
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let answer = tx
            .savepoint()
            .map_err(StoreError::from)
            .and_then(|savepoint| {
                // A savepoint dropped without commit rolls back this set alone.
                let meta = set_in(&savepoint, job)?;
                savepoint.commit()?;
                Ok(meta)
            });
        answers.push(answer);
    }
    match tx.commit() {
        Ok(()) => answers,
        Err(error) => failed_all(error),
    }
}

fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(30))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn tags_to_json(tags: &Option<Tags>) -> Option<String> {
    tags.as_ref()
        .map(|tags| serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned()))
}

fn meta_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<VersionMeta> {
    let tags: Option<String> = row.get(4)?;
    let tags = match tags {
        Some(json) => Some(serde_json::from_str(&json).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, error.into())
        })?),
        None => None,
    };
    Ok(VersionMeta {
        name: row.get(0)?,
        seq: row.get(1)?,
        version: row.get(2)?,
        content_type: row.get(3)?,
        tags,
        enabled: row.get(5)?,
        nbf: row.get(6)?,
        exp: row.get(7)?,
        created: row.get(8)?,
        updated: row.get(9)?,
    })
}

fn version_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SecretVersion> {
    Ok(SecretVersion {
        meta: meta_from_row(row)?,
        value: SecretValue::new(row.get::<_, String>(10)?),
    })
}

/// The state of a name inside a write transaction, after dropping it if its purge date passed.
enum NameState {
    Absent,
    Live,
    Deleted,
}

fn name_state(tx: &Connection, key: &str, now: i64) -> StoreResult<NameState> {
    tx.execute(
        "DELETE FROM secrets WHERE key = ?1 AND scheduled_purge_date <= ?2",
        params![key, now],
    )?;
    let deleted: Option<Option<i64>> = tx
        .query_row(
            "SELECT deleted_date FROM secrets WHERE key = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()?;
    Ok(match deleted {
        None => NameState::Absent,
        Some(None) => NameState::Live,
        Some(Some(_)) => NameState::Deleted,
    })
}

fn insert_version(
    tx: &Connection,
    key: &str,
    version: &NewVersion,
    created: i64,
    updated: i64,
) -> StoreResult<i64> {
    tx.execute(
        "INSERT INTO versions (key, version, value, content_type, tags, enabled, nbf, exp, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            key,
            version.version,
            version.value.expose(),
            version.content_type,
            tags_to_json(&version.tags),
            version.enabled,
            version.nbf,
            version.exp,
            created,
            updated,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn meta_by_seq(tx: &Connection, seq: i64) -> StoreResult<VersionMeta> {
    Ok(tx.query_row(
        &format!(
            "SELECT {META_COLUMNS} FROM versions v JOIN secrets s ON s.key = v.key WHERE v.seq = ?1"
        ),
        [seq],
        meta_from_row,
    )?)
}

impl Store {
    /// Opens (creating if needed) the store at `path`, readable and writable by the owner only.
    /// A store that is a link, another user's or readable by others is refused.
    pub fn open(path: &Path) -> StoreResult<Self> {
        crate::fsutil::open_private(path, crate::file_trust::FileRule::Kept)?;
        let writer = Connection::open_with_flags(
            path,
            OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )?;
        configure(&writer)?;
        writer.execute_batch(SCHEMA)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
            sets: Mutex::default(),
        })
    }

    fn write<T>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = work(&tx)?;
        tx.commit()?;
        Ok(result)
    }

    /// Runs a read on a pooled connection so readers never wait behind the writer (WAL).
    fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_NOFOLLOW,
                )?;
                connection.busy_timeout(Duration::from_secs(30))?;
                connection
            }
        };
        let result = work(&connection);
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(connection);
        result
    }

    /// Sets a new version, committed (with any sets made at the same moment) before it returns.
    pub fn set(&self, name: &str, new: &NewVersion, now: i64) -> StoreResult<VersionMeta> {
        let lock_sets = || {
            self.sets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let ticket = {
            let mut queue = lock_sets();
            let ticket = queue.next_ticket;
            queue.next_ticket += 1;
            queue.waiting.push(SetJob {
                ticket,
                name: name.to_owned(),
                new: new.clone(),
                now,
            });
            ticket
        };
        let mut connection = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(answer) = lock_sets().done.remove(&ticket) {
            return answer;
        }
        let jobs = std::mem::take(&mut lock_sets().waiting);
        let answers = commit_sets(&mut connection, &jobs);
        let mut mine = None;
        let mut queue = lock_sets();
        for (job, answer) in jobs.iter().zip(answers) {
            if job.ticket == ticket {
                mine = Some(answer);
            } else {
                queue.done.insert(job.ticket, answer);
            }
        }
        drop(queue);
        drop(connection);
        mine.unwrap_or_else(|| {
            Err(StoreError::Commit(
                "the set was not in its own batch".into(),
            ))
        })
    }

    /// One live version with its value; `None` means the latest.
    pub fn get(&self, name: &str, version: Option<&str>) -> StoreResult<SecretVersion> {
        let key = key_of(name);
        self.read(|connection| {
            let sql = format!(
                "SELECT {META_COLUMNS}, v.value FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL AND {}",
                if version.is_some() {
                    "v.version = ?2"
                } else {
                    "v.seq = s.latest_seq AND ?2 IS NULL"
                }
            );
            connection
                .query_row(&sql, params![key, version], version_from_row)
                .optional()?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Live secrets after `after` (a lowercased name) in name order, described by their latest
    /// version; the flag says whether more follow.
    pub fn list(&self, after: &str, limit: usize) -> StoreResult<(Vec<VersionMeta>, bool)> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                 WHERE s.deleted_date IS NULL AND s.key > ?1 ORDER BY s.key LIMIT ?2"
            ))?;
            let rows = statement
                .query_map(params![after, limit as i64 + 1], meta_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(split_page(rows, limit))
        })
    }

    /// Versions of a live secret in creation order after sequence number `after_seq`.
    pub fn list_versions(
        &self,
        name: &str,
        after_seq: i64,
        limit: usize,
    ) -> StoreResult<(Vec<VersionMeta>, bool)> {
        let key = key_of(name);
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL AND v.seq > ?2
                 ORDER BY v.seq LIMIT ?3"
            ))?;
            let rows = statement
                .query_map(params![key, after_seq, limit as i64 + 1], meta_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(split_page(rows, limit))
        })
    }

    pub fn update(
        &self,
        name: &str,
        version: Option<&str>,
        patch: &VersionPatch,
        now: i64,
    ) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            let seq: i64 = tx
                .query_row(
                    "SELECT v.seq FROM secrets s JOIN versions v ON v.key = s.key
                     WHERE s.key = ?1 AND s.deleted_date IS NULL
                       AND (v.version = ?2 OR (?2 IS NULL AND v.seq = s.latest_seq))",
                    params![key, version],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            tx.execute(
                "UPDATE versions SET
                    content_type = COALESCE(?1, content_type),
                    tags = COALESCE(?2, tags),
                    enabled = COALESCE(?3, enabled),
                    nbf = COALESCE(?4, nbf),
                    exp = COALESCE(?5, exp),
                    updated = ?6
                 WHERE seq = ?7",
                params![
                    patch.content_type,
                    tags_to_json(&patch.tags),
                    patch.enabled,
                    patch.nbf,
                    patch.exp,
                    now,
                    seq
                ],
            )?;
            meta_by_seq(tx, seq)
        })
    }

    /// Deletes a live secret; returns its latest version as it was.
    pub fn delete(&self, name: &str, mode: DeleteMode, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            if !matches!(name_state(tx, &key, now)?, NameState::Live) {
                return Err(StoreError::NotFound);
            }
            let latest_seq: i64 = tx.query_row(
                "SELECT latest_seq FROM secrets WHERE key = ?1",
                [&key],
                |row| row.get(0),
            )?;
            let latest = meta_by_seq(tx, latest_seq)?;
            match mode {
                DeleteMode::Soft {
                    scheduled_purge_date,
                } => {
                    tx.execute(
                        "UPDATE secrets SET deleted_date = ?1, scheduled_purge_date = ?2 WHERE key = ?3",
                        params![now, scheduled_purge_date, key],
                    )?;
                }
                DeleteMode::Permanent => {
                    tx.execute("DELETE FROM secrets WHERE key = ?1", [&key])?;
                }
            }
            Ok(latest)
        })
    }

    pub fn get_deleted(&self, name: &str, now: i64) -> StoreResult<DeletedSecret> {
        let key = key_of(name);
        self.read(|connection| {
            connection
                .query_row(
                    &format!(
                        "SELECT {META_COLUMNS}, s.deleted_date, s.scheduled_purge_date
                         FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                         WHERE s.key = ?1 AND s.deleted_date IS NOT NULL
                           AND s.scheduled_purge_date > ?2"
                    ),
                    params![key, now],
                    deleted_from_row,
                )
                .optional()?
                .ok_or(StoreError::NotFound)
        })
    }

    pub fn list_deleted(
        &self,
        after: &str,
        limit: usize,
        now: i64,
    ) -> StoreResult<(Vec<DeletedSecret>, bool)> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS}, s.deleted_date, s.scheduled_purge_date
                 FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                 WHERE s.deleted_date IS NOT NULL AND s.scheduled_purge_date > ?1 AND s.key > ?2
                 ORDER BY s.key LIMIT ?3"
            ))?;
            let rows = statement
                .query_map(params![now, after, limit as i64 + 1], deleted_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(split_page(rows, limit))
        })
    }

    /// Brings a soft-deleted secret back with all its versions.
    pub fn recover(&self, name: &str, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            if !matches!(name_state(tx, &key, now)?, NameState::Deleted) {
                return Err(StoreError::NotFound);
            }
            tx.execute(
                "UPDATE secrets SET deleted_date = NULL, scheduled_purge_date = NULL WHERE key = ?1",
                [&key],
            )?;
            let latest_seq: i64 = tx.query_row(
                "SELECT latest_seq FROM secrets WHERE key = ?1",
                [&key],
                |row| row.get(0),
            )?;
            meta_by_seq(tx, latest_seq)
        })
    }

    /// Permanently removes a soft-deleted secret.
    pub fn purge(&self, name: &str, now: i64) -> StoreResult<()> {
        let key = key_of(name);
        self.write(|tx| {
            if !matches!(name_state(tx, &key, now)?, NameState::Deleted) {
                return Err(StoreError::NotFound);
            }
            tx.execute("DELETE FROM secrets WHERE key = ?1", [&key])?;
            Ok(())
        })
    }

    /// Removes every deleted secret whose scheduled purge date has passed.
    pub fn purge_expired(&self, now: i64) -> StoreResult<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM secrets WHERE scheduled_purge_date <= ?1",
                [now],
            )?)
        })
    }

    /// Every version of a live secret, values included, in creation order.
    pub fn export(&self, name: &str) -> StoreResult<SecretExport> {
        let key = key_of(name);
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS}, v.value FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL ORDER BY v.seq"
            ))?;
            let versions = statement
                .query_map([&key], version_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let name = versions
                .first()
                .map(|first| first.meta.name.clone())
                .ok_or(StoreError::NotFound)?;
            Ok(SecretExport { name, versions })
        })
    }

    /// Restores an exported secret under its name, which must be free; returns the latest version.
    pub fn import(&self, export: &SecretExport, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(&export.name);
        if export.versions.is_empty() {
            return Err(StoreError::Corrupt("backup holds no versions".into()));
        }
        self.write(|tx| {
            match name_state(tx, &key, now)? {
                NameState::Deleted => return Err(StoreError::DeletedButRecoverable),
                NameState::Live => return Err(StoreError::AlreadyExists),
                NameState::Absent => {}
            }
            tx.execute(
                "INSERT INTO secrets (key, name, latest_seq) VALUES (?1, ?2, 0)",
                params![key, export.name],
            )?;
            let mut latest = 0;
            for version in &export.versions {
                let meta = &version.meta;
                let new = NewVersion {
                    version: meta.version.clone(),
                    value: version.value.clone(),
                    content_type: meta.content_type.clone(),
                    tags: meta.tags.clone(),
                    enabled: meta.enabled,
                    nbf: meta.nbf,
                    exp: meta.exp,
                };
                latest = insert_version(tx, &key, &new, meta.created, meta.updated)?;
            }
            tx.execute(
                "UPDATE secrets SET latest_seq = ?1 WHERE key = ?2",
                params![latest, key],
            )?;
            meta_by_seq(tx, latest)
        })
    }

    /// SQLite's own consistency check; "ok" when the file is sound.
    pub fn integrity_check(&self) -> StoreResult<String> {
        self.read(|connection| {
            Ok(connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
        })
    }
}

fn deleted_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeletedSecret> {
    Ok(DeletedSecret {
        latest: meta_from_row(row)?,
        deleted_date: row.get(10)?,
        scheduled_purge_date: row.get(11)?,
    })
}

fn split_page<T>(mut rows: Vec<T>, limit: usize) -> (Vec<T>, bool) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("vault.db")).expect("open");
        (dir, store)
    }

    fn new_version(version: &str, value: &str) -> NewVersion {
        NewVersion {
            version: version.into(),
            value: SecretValue::new(value),
            content_type: None,
            tags: None,
            enabled: true,
            nbf: None,
            exp: None,
        }
    }

    #[test]
    fn names_are_case_insensitive_and_keep_first_spelling() {
        let (_dir, store) = store();
        store
            .set("Db-Pass", &new_version("v1", "a"), 10)
            .expect("set");
        let second = store
            .set("db-pass", &new_version("v2", "b"), 11)
            .expect("set");
        assert_eq!(second.name, "Db-Pass");
        let latest = store.get("DB-PASS", None).expect("get");
        assert_eq!(latest.meta.version, "v2");
        assert_eq!(latest.value.expose(), "b");
        assert_eq!(
            store.get("db-pass", Some("v1")).expect("v1").value.expose(),
            "a"
        );
    }

    #[test]
    fn concurrent_sets_commit_together_and_a_refused_one_fails_alone() {
        let (_dir, store) = store();
        store.set("gone", &new_version("g1", "x"), 1).expect("set");
        let soft = DeleteMode::Soft {
            scheduled_purge_date: 1_000,
        };
        store.delete("gone", soft, 2).expect("delete");
        let answers: Vec<(String, StoreResult<VersionMeta>)> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..16)
                .map(|i| {
                    let store = &store;
                    scope.spawn(move || {
                        let name = if i == 7 {
                            "gone".to_owned()
                        } else {
                            format!("s{}", i % 4)
                        };
                        let answer = store.set(&name, &new_version(&format!("v{i}"), "value"), 3);
                        (name, answer)
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("thread"))
                .collect()
        });
        for (name, answer) in &answers {
            match answer {
                Err(StoreError::DeletedButRecoverable) if name == "gone" => {}
                Ok(meta) => assert_eq!(&meta.name, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        let (listed, _) = store.list("", 25).expect("list");
        assert_eq!(listed.len(), 4, "s0..s3 are live; gone stays deleted");
        for meta in &listed {
            let (versions, _) = store.list_versions(&meta.name, 0, 25).expect("versions");
            let acknowledged = answers
                .iter()
                .filter(|(name, answer)| name == &meta.name && answer.is_ok())
                .count();
            assert_eq!(
                versions.len(),
                acknowledged,
                "{}: every acknowledged set is a version",
                meta.name
            );
        }
    }

    #[test]
    fn soft_delete_hides_recover_restores_and_expiry_purges() {
        let (_dir, store) = store();
        store.set("s", &new_version("v1", "a"), 10).expect("set");
        store.set("s", &new_version("v2", "b"), 11).expect("set");
        let mode = DeleteMode::Soft {
            scheduled_purge_date: 100,
        };
        store.delete("s", mode, 20).expect("delete");
        assert!(matches!(store.get("s", None), Err(StoreError::NotFound)));
        assert!(matches!(
            store.set("s", &new_version("v3", "c"), 21),
            Err(StoreError::DeletedButRecoverable)
        ));
        assert_eq!(
            store.get_deleted("s", 30).expect("deleted").deleted_date,
            20
        );
        store.recover("s", 40).expect("recover");
        let (versions, more) = store.list_versions("s", 0, 25).expect("versions");
        assert_eq!(versions.len(), 2);
        assert!(!more);

        store.delete("s", mode, 50).expect("delete again");
        assert!(matches!(
            store.get_deleted("s", 100),
            Err(StoreError::NotFound)
        ));
        store
            .set("s", &new_version("v4", "d"), 101)
            .expect("name is free after purge date");
        let (versions, _) = store.list_versions("s", 0, 25).expect("versions");
        assert_eq!(versions.len(), 1);
    }

    #[test]
    fn list_pages_by_name() {
        let (_dir, store) = store();
        for name in ["c", "a", "b", "d", "e"] {
            store.set(name, &new_version(name, "x"), 1).expect("set");
        }
        let (first, more) = store.list("", 2).expect("page 1");
        assert!(more);
        assert_eq!(
            first.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let (rest, more) = store.list("b", 25).expect("page 2");
        assert!(!more);
        assert_eq!(rest.len(), 3);
    }

    #[test]
    fn export_import_round_trip_keeps_every_version() {
        let (_dir, store) = store();
        store.set("s", &new_version("v1", "one"), 10).expect("set");
        store.set("s", &new_version("v2", "two"), 11).expect("set");
        let export = store.export("s").expect("export");
        assert!(matches!(
            store.import(&export, 12),
            Err(StoreError::AlreadyExists)
        ));
        store
            .delete("s", DeleteMode::Permanent, 13)
            .expect("delete");
        let latest = store.import(&export, 14).expect("import");
        assert_eq!(latest.version, "v2");
        let restored = store.export("s").expect("again");
        let summary = |export: &SecretExport| {
            export
                .versions
                .iter()
                .map(|v| (v.meta.version.clone(), v.value.clone(), v.meta.created))
                .collect::<Vec<_>>()
        };
        assert_eq!(summary(&restored), summary(&export));
    }

    #[test]
    fn the_store_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, _store) = store();
        let mode = std::fs::metadata(dir.path().join("vault.db"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
